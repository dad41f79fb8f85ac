"""The lsof table form (`lsof -i`), as people paste it into --from.

    COMMAND     PID USER   FD   TYPE             DEVICE SIZE/OFF NODE NAME
    Code\x20H 94659 siky   22u  IPv4 0xcdf758597a6c83c3      0t0  TCP a:53734->b:https (ESTABLISHED)

Columns are found by what they hold, not by position: TYPE is the IPv4/IPv6 cell, NODE the
TCP/UDP cell after it, NAME the cell after NODE. USER and FD sit just before TYPE, so extra
columns between PID and USER (TID, TASKCMD with -K) do not shift anything. COMMAND never holds
a space (lsof escapes it as \\x20).
"""

from __future__ import annotations

import re

from portwho.backends.lsof import _common as lsof
from portwho.backends.rows import Parsed, first_line
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

_HEADER = re.compile(r"COMMAND\s+PID\s.*\bNAME\s*")
_ROW = re.compile(r"\S+\s+\d+\s.*\s(?:IPv4|IPv6)\s.*\s(?:TCP|UDP)\s+\S*:\S+.*")


def _recognise(line: str) -> bool:
    return bool(_HEADER.fullmatch(line.strip()) or _ROW.fullmatch(line.strip()))


def locate(text: str) -> int | None:
    """The COMMAND header or a socket row, wherever it first appears."""
    return first_line(text, _recognise)


def looks_like(text: str) -> bool:
    return locate(text) is not None


def _columns(tokens: list[str]) -> tuple[int, Family, int, Protocol] | None:
    """Index and value of TYPE and NODE, or None when the row is not a TCP/UDP socket."""
    for type_at in range(3, len(tokens)):
        family = lsof.family_of(tokens[type_at])
        if family is None:
            continue
        for node_at in range(type_at + 1, min(type_at + 4, len(tokens) - 1)):
            protocol = lsof.protocol_of(tokens[node_at])
            if protocol is not None:
                return type_at, family, node_at, protocol
        return None
    return None


def _owner(tokens: list[str], type_at: int) -> lsof.Owner:
    pid = tokens[1]
    if not (pid.isdecimal() and pid.isascii()):
        raise ParseError(f"lsof table: bad PID {pid!r}")
    user = tokens[type_at - 2] if type_at >= 4 else None
    uid = None
    if user is not None and user.isdecimal() and user.isascii():
        uid, user = int(user), None  # lsof prints the uid when the name is unknown
    return lsof.Owner(pid=int(pid), process=lsof.unescape(tokens[0]), user=user, uid=uid)


def _row(line: str) -> Socket | None:
    tokens = line.split()
    found = _columns(tokens)
    if found is None:
        return None
    type_at, family, node_at, protocol = found
    name = tokens[node_at + 1]
    rest = tokens[node_at + 2 :]
    state = rest[0].strip("()") if rest and rest[0].startswith("(") else None
    return lsof.make_socket(
        owner=_owner(tokens, type_at), protocol=protocol, family=family, name=name, state=state
    )


def parse_table(text: str) -> Parsed:
    """Every TCP/UDP row; files of other types (REG, unix, IPv4 ICMP) are not sockets of ours
    and are passed over; a socket row that does not read is skipped and counted."""
    parsed = Parsed()
    if text.strip() and locate(text) is None:
        raise ParseError("not lsof output: no COMMAND header and no socket rows")
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("lsof:") and not _HEADER.fullmatch(line):
            parsed.row(line, _row)
    return parsed
