"""FreeBSD `netstat -a` (and -n, -A, -T, -x): a pure parser for `--from`.

The Internet table's columns are read by their header names, in any of these sets:
  -a / -an      Proto Recv-Q Send-Q Local Address Foreign Address (state)
  -A            Tcpcb (hex) before Proto
  -T            Proto Rexmit OOORcv 0-win Local Address Foreign Address (no state; UDP rows
                leave the three counters blank)
  -x            ... Foreign Address R-MBUF S-MBUF ... rcvtime (numbers, no state)
Endpoints are `host.port` as on macOS (`*.ssh`, `192.168.71.1.56321`, `localhost.smtp`),
service names mapped back per protocol. Family is the label's (tcp4, tcp6, tcp46, udp4, udp6);
a bare `tcp`/`udp` label (NetBSD, OpenBSD) falls back to the address form. FreeBSD netstat
names no processes: that is `sockstat`. The UNIX section and other protocols are not read.

It is told from macOS netstat by what only FreeBSD prints: the `Tcpcb` column, the -T and -x
headers, or the `Active UNIX domain sockets` section (macOS: `Active LOCAL (UNIX) domain
sockets`). A FreeBSD `-an` with none of them reads the same as netstat-macos.
"""

from __future__ import annotations

import re

from portwho.backends import dotted, lsof
from portwho.backends.rows import Parsed, first_line
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

NAME = "netstat-freebsd"
_PROTOS: dict[str, tuple[Protocol, Family | None]] = {
    "tcp4": ("tcp", "ipv4"),
    "tcp6": ("tcp", "ipv6"),
    "tcp46": ("tcp", "ipv6"),
    "udp4": ("udp", "ipv4"),
    "udp6": ("udp", "ipv6"),
    "udp46": ("udp", "ipv6"),
    "tcp": ("tcp", None),
    "udp": ("udp", None),
}
_HEADER = re.compile(
    r"^\s*(?P<lead>Tcpcb\s+)?Proto\s+(?:Recv-Q\s+Send-Q|Rexmit\s+OOORcv\s+0-win)\s+"
    r"Local Address\s+Foreign Address(?P<tail>.*)$"
)
_FREEBSD = re.compile(
    r"^\s*(Tcpcb\s+Proto\b|Proto\s+Rexmit\s+OOORcv|.*Foreign Address\s+R-MBUF\b|"
    r"Active UNIX domain sockets)",
    re.M,
)
_HEX = re.compile(r"[0-9a-f]{8,16}")
_SECTION = re.compile(r"^Active \S")


def locate(text: str) -> int | None:
    """The Internet header, when the text shows it is FreeBSD's (see the module doc)."""
    if not _FREEBSD.search(text):
        return None
    return first_line(text, lambda line: bool(_HEADER.match(line)))


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    parsed = Parsed()
    inet = True
    for line in text.splitlines():
        words = line.split()
        if _SECTION.match(line):
            inet = line.startswith("Active Internet")
        elif inet and words and not _HEADER.match(line) and _is_row(words):
            parsed.row(line, _row, words, parsed)
    return parsed


def _is_row(words: list[str]) -> bool:
    return words[0] in _PROTOS or (len(words) > 1 and bool(_HEX.fullmatch(words[0])))


def _row(words: list[str], parsed: Parsed) -> Socket | None:
    if words[0] not in _PROTOS:
        words = words[1:]  # -A: the Tcpcb address
        if words[0] not in _PROTOS:
            raise ParseError(f"not a TCP/UDP socket ({words[0]})")
    protocol, label_family = _PROTOS[words[0]]
    rest = words[1:]
    while rest and rest[0].isdecimal():
        rest = rest[1:]  # Recv-Q Send-Q, or -T's counters (blank on UDP rows)
    if len(rest) < 2:
        raise ParseError("no local and foreign address")
    if rest[0] == "*.*":
        return None  # created but never bound: it holds no port
    family = dotted.family_from(label_family, rest[0])
    local, port = dotted.local(rest[0], family, protocol, parsed)
    remote, remote_port = dotted.remote(rest[1], family, protocol, parsed)
    tail = rest[2:]
    state = lsof.normalize_state(tail[0]) if tail and tail[0][:1].isalpha() else None
    return Socket(
        protocol=protocol,
        family=family,
        local_address=local,
        local_port=port,
        remote_address=remote,
        remote_port=remote_port,
        state=state if protocol == "tcp" else None,
        source=NAME,
    )
