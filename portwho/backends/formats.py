"""Parsers for saved tool output (`--from FILE`), and how to tell which tool printed a text.

Each format names a module that has a pure `parse(text) -> list[Socket]` and a cheap
`sniff(text) -> bool`. Detection tries the formats in the order of this table, so put the
strictest sniffers first.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from portwho.errors import ParseError, UsageError
from portwho.model import Socket

#: format name -> module with parse() and sniff()
FORMATS: dict[str, str] = {
    "osquery": "portwho.backends.osquery",
    "listen-ports-facts": "portwho.backends.listen_ports_facts",
    "ss": "portwho.backends.ss",
    "sockstat": "portwho.backends.sockstat",
    "netstat-linux": "portwho.backends.netstat_linux",
    "fuser": "portwho.backends.fuser",
    "powershell": "portwho.backends.powershell",
    "netstat-windows": "portwho.backends.netstat_windows",
    "lsof": "portwho.backends.lsof",
    "netstat-macos": "portwho.backends.netstat_macos",
    "proc-net": "portwho.backends.proc_net",
}


def _module_funcs(name: str) -> tuple[Callable[[str], bool], Callable[[str], list[Socket]]]:
    module = importlib.import_module(FORMATS[name])
    sniff = cast("Callable[[str], bool]", module.sniff)
    parse = cast("Callable[[str], list[Socket]]", module.parse)
    return sniff, parse


def detect(text: str) -> str:
    """Name the format of `text`, or raise UsageError listing what is supported."""
    for name in FORMATS:
        sniff, _ = _module_funcs(name)
        if sniff(text):
            return name
    known = ", ".join(FORMATS)
    raise UsageError(f"cannot tell which tool printed this input; pass --format ({known})")


def parse(text: str, fmt: str | None = None) -> tuple[str, list[Socket]]:
    """Parse `text` as `fmt` (detected when None); returns the format used and the sockets."""
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; use one of: {', '.join(FORMATS)}")
    name = fmt or detect(text)
    _, parser = _module_funcs(name)
    try:
        return name, parser(text)
    except ParseError as exc:
        raise UsageError(f"input does not parse as {name}: {exc}") from None
