"""The default table of `Get-NetTCPConnection` / `Get-NetUDPEndpoint`, as a user pastes it.

Format-Table sizes its columns to the data, so offsets mean nothing; and AppliedSetting is blank
for listeners, so a row can have fewer words than the header. Each header column therefore has a
check for what its value looks like, and a row's words are matched to columns left to right: a
column whose check fails on the next word was left blank.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from portwho.errors import ParseError
from portwho.model import Socket

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # PowerShell 7 colours table headers
_DASHES = re.compile(r"^[\s-]*-[\s-]*$")
_SETTINGS = {"internet", "datacenter", "compat", "custom", "datacentercustom", "internetcustom"}


def _is_number(word: str) -> bool:
    return word.isascii() and word.isdecimal()


def _is_address(word: str) -> bool:
    if word.endswith(("…", "...")):  # Format-Table cut a long IPv6 address
        return ":" in word
    try:
        ipaddress.ip_address(word.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _is_state(word: str) -> bool:
    from portwho.backends.powershell._common import STATE_NAMES

    return word.lower() in STATE_NAMES


def _any(word: str) -> bool:
    return True


_CHECKS: dict[str, Callable[[str], bool]] = {
    "LocalAddress": _is_address,
    "RemoteAddress": _is_address,
    "LocalPort": _is_number,
    "RemotePort": _is_number,
    "OwningProcess": _is_number,
    "State": _is_state,
    "AppliedSetting": lambda word: word.lower() in _SETTINGS,
}
_REQUIRED = ("LocalAddress", "LocalPort")


def _lines(text: str) -> list[str]:
    return [_ANSI.sub("", line).rstrip() for line in text.lstrip("\ufeff").splitlines()]


def _is_header(lines: list[str], index: int) -> bool:
    words = lines[index].split()
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return all(c in words for c in _REQUIRED) and bool(_DASHES.match(following))


def sniff(text: str) -> bool:
    lines = _lines(text)
    return any(_is_header(lines, i) for i in range(len(lines)))


def parse(text: str) -> list[Socket]:
    """Every row of every table in the text (a TCP and a UDP table may be pasted together)."""
    from portwho.backends.powershell._common import from_record

    lines = _lines(text)
    columns: list[str] | None = None
    sockets: list[Socket] = []
    for index, line in enumerate(lines):
        if _is_header(lines, index):
            columns = line.split()
        elif not line.strip() or _DASHES.match(line):
            continue
        elif columns is not None:
            sockets.append(from_record(_row(columns, line.split())))
    if columns is None:
        raise ParseError("no LocalAddress/LocalPort table header")
    return list(dict.fromkeys(sockets))


def _row(columns: list[str], words: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    rest = list(words)
    for column in columns:
        if rest and _CHECKS.get(column, _any)(rest[0]):
            values[column] = rest.pop(0)
        elif column in _REQUIRED:
            raise ParseError(f"{column} missing in row {' '.join(words)!r}")
    if rest:
        raise ParseError(f"row {' '.join(words)!r} does not fit the columns {columns}")
    tcp = "State" in columns or "RemotePort" in columns
    values["Protocol"] = "TCP" if tcp else "UDP"
    return values
