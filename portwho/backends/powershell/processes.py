"""A `Get-Process` listing pasted after a connection table: the names of the pids.

People paste `Get-NetTCPConnection -LocalPort 3000` and then `Get-Process -Id 18908` to see who
it is. Two shapes name a pid:
  Format-List blocks (`Get-Process -Id N | Format-List`, or `fl *`):  `Id      : 18908`
                                                                     `Name    : xp.cn_cgi`
  the default table:  `Handles  NPM(K)  PM(K)  WS(K)  CPU(s)  Id  SI ProcessName`, dashes, rows
Blocks are separated by blank lines; `ProcessName :` counts as the name too. Lines of other
shapes are not this listing and are left alone.
"""

from __future__ import annotations

import re

_FIELD = re.compile(r"^\s*(Id|Name|ProcessName)\s*:\s*(.*?)\s*$")
_TABLE = re.compile(r"^\s*Handles\s+.*\bId\b.*\bProcessName\s*$")


def names(lines: list[str]) -> dict[int, str]:
    """pid -> process name, from every list block and Get-Process table in `lines`."""
    found = _from_blocks(lines)
    found.update(_from_tables(lines))
    return found


def _from_blocks(lines: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    block: dict[str, str] = {}
    for line in [*lines, ""]:
        match = _FIELD.match(line)
        if match:
            block.setdefault(match.group(1).replace("ProcessName", "Name"), match.group(2))
        elif not line.strip():
            pid, name = block.get("Id", ""), block.get("Name", "")
            if pid.isascii() and pid.isdecimal() and name:
                found[int(pid)] = name
            block = {}
    return found


def _from_tables(lines: list[str]) -> dict[int, str]:
    found: dict[int, str] = {}
    columns: list[str] | None = None
    for line in lines:
        if _TABLE.match(line):
            columns = line.split()
            continue
        words = line.split()
        if columns is None or not words or set(line.strip()) <= {"-", " "}:
            if not words:
                columns = None
            continue
        # ProcessName is last and may hold no spaces in this view; Id is counted from the end
        # because the columns before it (CPU(s)) may be blank.
        back = len(columns) - columns.index("Id")
        if len(words) >= back and words[-back].isdecimal():
            found[int(words[-back])] = words[-1]
    return found
