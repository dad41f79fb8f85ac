"""The default table of `Get-NetTCPConnection` / `Get-NetUDPEndpoint`, as a user pastes it.

Format-Table sizes its columns to the data, so offsets mean nothing; and AppliedSetting is blank
for listeners, so a row can have fewer words than the header. Each header column therefore has a
check for what its value looks like, and a row's words are matched to columns left to right: a
column whose check fails on the next word was left blank.

A paste is read part by part: a table ends at the first blank line after its rows; a row that
does not fit is skipped and counted (backends.rows); a `Get-Process` listing anywhere in the
text (list blocks or its table, see processes.py) names the pids the tables hold.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from portwho.backends.rows import Parsed
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


def locate(text: str) -> int | None:
    lines = _lines(text)
    return next((i for i in range(len(lines)) if _is_header(lines, i)), None)


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    """Every row of every table in the text (a TCP and a UDP table may be pasted together),
    owners named by any Get-Process listing pasted with them."""
    from portwho.backends.powershell import processes

    lines = _lines(text)
    columns: list[str] | None = None
    parsed = Parsed()
    in_rows = False
    for index, line in enumerate(lines):
        if _is_header(lines, index):
            columns, in_rows = line.split(), False
        elif not line.strip():
            columns = None if in_rows else columns  # a blank line after the rows ends a table
        elif _DASHES.match(line):
            continue
        elif columns is not None:
            in_rows = True
            parsed.row(line, _record, columns, line.split())
    if locate(text) is None:
        raise ParseError("no LocalAddress/LocalPort table header")
    return _named(parsed.unique(), processes.names(lines))


def _named(parsed: Parsed, names: dict[int, str]) -> Parsed:
    if not names:
        return parsed
    return parsed.replaced(s.but(process=names[s.pid]) if s.pid in names else s for s in parsed)


def _record(columns: list[str], words: list[str]) -> Socket:
    from portwho.backends.powershell._common import from_record

    return from_record(_row(columns, words))


def _row(columns: list[str], words: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    rest = list(words)
    for column in columns:
        if rest and _CHECKS.get(column, _any)(rest[0]):
            values[column] = rest.pop(0)
        elif column in _REQUIRED:
            raise ParseError(f"{column} missing")
    if rest:
        raise ParseError(f"row does not fit the columns {' '.join(columns)}")
    tcp = "State" in columns or "RemotePort" in columns
    values["Protocol"] = "TCP" if tcp else "UDP"
    return values
