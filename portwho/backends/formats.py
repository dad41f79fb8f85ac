"""Parsers for saved tool output (`--from FILE`), and how to tell which tool printed a text.

Each format names a module with a pure `parse(text) -> Parsed` (backends.rows: the sockets, and
the rows it skipped) and `locate(text) -> int | None`, the line where the first header or row
it recognises sits (or only `sniff(text) -> bool`, read as line 0). Detection picks the format
whose first recognised line comes first, so a preamble, a shell prompt or a warning before the
table does not hide it; on the same line the earlier entry of the table wins, so put the
strictest first. A text is refused only when nothing in it is a socket row.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import cast

from portwho.backends.rows import Parsed, as_parsed
from portwho.errors import ParseError, UsageError

#: format name -> module with parse() and locate() or sniff()
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
    # FreeBSD before macOS: it claims a text only where FreeBSD-only columns or sections show
    "netstat-freebsd": "portwho.backends.netstat_freebsd",
    "netstat-macos": "portwho.backends.netstat_macos",
    "proc-net": "portwho.backends.proc_net",
}

#: tables netstat prints that are not socket lists: (what it is, a line that shows it)
_NOT_SOCKETS = (
    ("a routing", re.compile(r"^\s*(Kernel IP(v6)? routing table|Routing tables)\s*$", re.M)),
    ("a routing", re.compile(r"^\s*Destination\s+Gateway\s+(Genmask\s+)?Flags\b", re.M)),
    ("an interface", re.compile(r"^\s*Kernel Interface table\s*$", re.M)),
    ("an interface", re.compile(r"^\s*(Iface|Name)\s+(MTU|Mtu)\s+", re.M)),
)


def _module_funcs(name: str) -> tuple[Callable[[str], int | None], Callable[[str], Parsed]]:
    module = importlib.import_module(FORMATS[name])
    locate = getattr(module, "locate", None)
    if locate is None:
        sniff = cast("Callable[[str], bool]", module.sniff)

        def locate(text: str) -> int | None:
            return 0 if sniff(text) else None

    parse = cast("Callable[[str], Parsed]", module.parse)
    return cast("Callable[[str], int | None]", locate), parse


def non_socket_table(text: str) -> str | None:
    """ "a routing" / "an interface" when the text is netstat -r / -i output, else None."""
    for kind, pattern in _NOT_SOCKETS:
        if pattern.search(text):
            return kind
    return None


def _not_sockets_error(kind: str) -> UsageError:
    return UsageError(
        f"this is {kind} table, not a socket list (netstat -r / -i); save a socket listing "
        "instead (ss -tunap, netstat -anp, netstat -ano, lsof -i)"
    )


def detect(text: str) -> str:
    """Name the format of `text`, or raise UsageError listing what is supported."""
    best: tuple[int, str] | None = None
    for name in FORMATS:
        locate, _ = _module_funcs(name)
        line = locate(text)
        if line == 0:
            return name  # nothing can start earlier, and earlier entries win ties
        if line is not None and (best is None or line < best[0]):
            best = (line, name)
    if best is not None:
        return best[1]
    kind = non_socket_table(text)
    if kind is not None:
        raise _not_sockets_error(kind)
    known = ", ".join(FORMATS)
    raise UsageError(f"cannot tell which tool printed this input; pass --format ({known})")


def parse(text: str, fmt: str | None = None) -> tuple[str, Parsed]:
    """Parse `text` as `fmt` (detected when None); returns the format used and what it read."""
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; use one of: {', '.join(FORMATS)}")
    name = fmt or detect(text)
    locate, parser = _module_funcs(name)
    try:
        parsed = as_parsed(parser(text))
    except ParseError as exc:
        raise UsageError(f"input does not parse as {name}: {exc}") from None
    if not parsed:
        kind = non_socket_table(text)
        if kind is not None:
            raise _not_sockets_error(kind)
        if parsed.skipped:
            raise UsageError(
                f"input does not parse as {name}: no row is a socket row "
                f"({parsed.skip_reason}: {parsed.first_skipped!r})"
            )
        if text.strip() and locate(text) is None:
            raise UsageError(f"input does not parse as {name}: no {name} header or row in it")
    return name, parsed
