"""Parser for the kernel's socket tables /proc/net/{tcp,tcp6,udp,udp6}.

The tables name no process: every Socket has pid None and carries the socket's uid and inode,
which the netlink backend maps to a pid by scanning /proc/PID/fd. They are also the fallback
when NETLINK_SOCK_DIAG is unavailable, and a `--from` format ("proc-net").

The text says which protocol it is only through its header (UDP tables end with "drops"), so a
caller that knows better passes `protocol`. The family follows from the address width.
"""

from __future__ import annotations

import re

from portwho.backends.rows import Parsed, first_line
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

_HEADER = re.compile(r"\s*sl\s+local_address\s+rem(?:ote)?_address\s+st\b")
# Only the columns we use are checked strictly; the rest are counted. re.ASCII keeps \d to 0-9.
_ROW = re.compile(
    r"\s*\d+:\s+"
    r"(?P<la>[0-9A-Fa-f]{32}|[0-9A-Fa-f]{8}):(?P<lp>[0-9A-Fa-f]{4})\s+"
    r"(?P<ra>[0-9A-Fa-f]{32}|[0-9A-Fa-f]{8}):(?P<rp>[0-9A-Fa-f]{4})\s+"
    r"(?P<st>[0-9A-Fa-f]{2})\s+\S+\s+\S+\s+\S+\s+"
    r"(?P<uid>\d{1,10})\s+\d+\s+(?P<inode>\d{1,20})(?:\s.*)?\s*",
    re.ASCII,
)


def _unhex_address(text: str) -> tuple[Family, str]:
    """/proc prints each 32-bit group of the address as a host-order (little-endian) integer."""
    raw = bytes.fromhex(text)
    packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    family: Family = "ipv4" if len(raw) == 4 else "ipv6"
    from portwho.backends.netlink.diag import ntop  # lazily: detection only needs the regexes

    return family, ntop(family, packed)


def _row(match: re.Match[str], protocol: Protocol) -> Socket:
    family, local = _unhex_address(match["la"])
    remote_family, remote = _unhex_address(match["ra"])
    if remote_family != family:
        raise ParseError(f"local and remote address families differ: {match.group(0)!r}")
    number = int(match["st"], 16)
    from portwho.backends.netlink.diag import KERNEL_STATES

    if number not in KERNEL_STATES:
        raise ParseError(f"unknown socket state {match['st']!r}")
    rport = int(match["rp"], 16)
    inode = int(match["inode"])
    return Socket(
        protocol=protocol,
        family=family,
        local_address=local,
        local_port=int(match["lp"], 16),
        remote_address=remote if rport else None,
        remote_port=rport or None,
        state=KERNEL_STATES[number] if protocol == "tcp" else None,
        # TIME_WAIT and request sockets have no inode: the kernel's uid 0 there is no owner.
        uid=int(match["uid"]) if inode else None,
        inode=inode or None,
        source="proc-net",
    )


def parse(text: str, protocol: Protocol | None = None) -> Parsed:
    """Parse one or more concatenated tables. Each header line sets the protocol of the rows
    below it (UDP headers end with "drops") unless `protocol` is given. A line that is not a
    row is skipped and counted (backends.rows)."""
    current: Protocol = protocol or "tcp"
    parsed = Parsed()
    for line in text.splitlines():
        if not line.strip():
            continue
        if _HEADER.match(line):
            if protocol is None:
                current = "udp" if line.rstrip().endswith("drops") else "tcp"
            continue
        parsed.row(line, _matched, line, current)
    return parsed


def _matched(line: str, protocol: Protocol) -> Socket:
    match = _ROW.fullmatch(line)
    if match is None:
        raise ParseError("not a /proc/net socket row")
    return _row(match, protocol)


def locate(text: str) -> int | None:
    return first_line(text, lambda line: bool(_HEADER.match(line) or _ROW.fullmatch(line)))


def sniff(text: str) -> bool:
    return locate(text) is not None


def read_table(protocol: Protocol, family: Family, root: str = "/proc/net") -> Parsed:
    """Read one live table; OSError (no /proc, no IPv6) is the caller's to handle."""
    name = protocol + ("6" if family == "ipv6" else "")
    with open(
        f"{root}/{name}", encoding="ascii", errors="replace"
    ) as table:  # not pathlib: startup
        return parse(table.read(), protocol)
