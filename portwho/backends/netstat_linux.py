"""The net-tools `netstat` backend for Linux: argv, a pure parser and the tiny backend class.

`netstat -n -a -t -u -p -e -W` prints every TCP and UDP socket with User, Inode and
`PID/Program name` (`-` when the owner is hidden from a non-root caller). -W keeps long IPv6
addresses whole. netstat has no port filter, so every socket is listed and filtered here.

The parser also reads what users paste: without -e (no User/Inode), without -p, and without -n
(`localhost:smtp`, `[::]:ssh`): service names go back to numbers through the IANA registry and
host names are kept as printed. Only the Internet section is read; unix, raw and the rest are
skipped. The program name is argv[0] cut to 19 characters, so it may end mid-word
(`600/sshd: /usr/sbin`, `1705/php-fpm.conf)`); it is kept as printed.

BusyBox netstat (1.35 captured here) prints the same table, with or without -p. Family comes
from the address form, never from the label alone: BusyBox and net-tools 1.60 label IPv6 rows
`tcp`/`udp` (`tcp 0 0 :::80 :::* LISTEN`), so a host part with a colon is IPv6 whatever the
label; a `tcp6` row with a dotted host is an IPv4-mapped address (net-tools prints it bare). A
non-root net-tools starts with `(Not all processes could be identified, ...)`: rows are found
anywhere in the text, and unreadable rows are skipped and counted (backends.rows).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from portwho._run import check_ok
from portwho.backends import addr, dotted
from portwho.backends.addr import host
from portwho.backends.base import Answer
from portwho.backends.rows import Parsed, first_line, port_or_note
from portwho.errors import BackendFailed, ParseError
from portwho.model import TCP_STATES, Family, Protocol, Socket

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query

NAME = "netstat"
TIMEOUT = 5.0
ARGV = ("netstat", "-n", "-a", "-t", "-u", "-p", "-e", "-W")

_PROTOS: dict[str, tuple[Protocol, Family | None]] = {
    "tcp": ("tcp", None),  # the address says: BusyBox and net-tools 1.60 print `tcp` for IPv6
    "tcp6": ("tcp", "ipv6"),
    "udp": ("udp", None),
    "udp6": ("udp", "ipv6"),
}
_OTHER = {"raw", "raw6", "udpl", "udpl6", "unix", "sctp", "sctp6", "ax25", "ipx", "netrom"}
_STATES = {*TCP_STATES, "UNKNOWN"}
_TITLE = re.compile(
    r"^Active Internet connections \((servers and established|only servers|w/o servers)\)"
)
_HEADER = re.compile(r"^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+State\b")
_ROW = re.compile(
    r"^(tcp|udp)6?\s+\d+\s+\d+\s+\S+:(\d+|[A-Za-z][\w.-]*)\s+\S+:(\d+|\*|[A-Za-z][\w.-]*)(\s|$)"
)
_OWNER = re.compile(r"^(?:(\d+)/(.*?)|-)\s*$")
_SECTION = re.compile(r"^Active \S")
_WIDTH = 23  # net-tools' endpoint column without -W


def _recognise(line: str) -> bool:
    return bool(_TITLE.match(line) or _HEADER.match(line) or _ROW.match(line))


def locate(text: str) -> int | None:
    """The Linux title or header (macOS says "(including servers)" and "(state)"), or a row,
    on whichever line it first appears (after a preamble, a prompt, a warning)."""
    return first_line(text, _recognise)


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    """Parse the Internet part of net-tools (or BusyBox) netstat output into sockets."""
    if not isinstance(text, str):
        raise ParseError("netstat output must be text")
    parsed = Parsed()
    inet = True  # a paste may start at the rows, with no title
    ends: list[str] = []
    for line in text.splitlines():
        first = line.split(maxsplit=1)[:1]
        if _SECTION.match(line):
            inet = bool(_TITLE.match(line))
        elif inet and first and first[0] in _PROTOS:
            parsed.row(line, _parse_row, line, parsed)
            ends += line.split()[3:5]
        elif inet and first and first[0] in _OTHER:
            parsed.skip(line, f"not a TCP/UDP socket ({first[0]})")
    _flag_cut(ends, parsed)
    return parsed


def _flag_cut(ends: list[str], parsed: Parsed) -> None:
    """Without -W, net-tools cuts the host so that `host:port` fits 23 columns: an IPv6 host
    that then reads as no address was cut. Kept as printed; one note says so. An endpoint wider
    than 23 proves -W (nothing is cut)."""
    if any(len(end) > _WIDTH for end in ends):
        return
    for end in ends:
        host = end.rpartition(":")[0].strip("[]")
        if len(end) == _WIDTH and ":" in host and addr.canonical(host) == host and not _is_ip(host):
            parsed.note(dotted.cut_note(_WIDTH))
            return


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _parse_row(line: str, parsed: Parsed) -> Socket:
    words = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
    protocol, labelled = _PROTOS[words[0][0]]
    if len(words) < 5 or not (words[1][0].isdecimal() and words[2][0].isdecimal()):
        raise ParseError("not a netstat row")
    rest = words[5:]
    state = None
    if rest and rest[0][0] in _STATES:
        state, rest = rest[0][0], rest[1:]  # UDP rows print ESTABLISHED when connected
    user, inode, rest = _user_inode(rest)
    pid, program = _owner(line[rest[0][1] :] if rest else "-")
    lhost, lport = _split(words[3][0], protocol, parsed)
    rhost, rport = _split(words[4][0], protocol, parsed)
    if lport is None:
        raise ParseError("no local port")
    family: Family = labelled or ("ipv6" if ":" in lhost else "ipv4")
    return Socket(
        protocol=protocol,
        family=family,
        local_address=host(lhost, family),
        local_port=lport,
        remote_address=None if rport in (None, 0) else host(rhost, family),
        remote_port=None if rport in (None, 0) else rport,
        state=state if protocol == "tcp" else None,
        pid=pid,
        process=program,
        user=None if user is None or user.isdecimal() else user,
        uid=int(user) if user is not None and user.isdecimal() else None,
        inode=inode,
        source=NAME,
    )


def _user_inode(
    rest: list[tuple[str, int]],
) -> tuple[str | None, int | None, list[tuple[str, int]]]:
    """-e adds User and Inode before PID/Program name; tell by the Inode being a number."""
    if len(rest) >= 2 and rest[1][0].isdecimal() and not _OWNER.match(rest[0][0]):
        return rest[0][0], int(rest[1][0]), rest[2:]
    return None, None, rest


def _owner(text: str) -> tuple[int | None, str | None]:
    match = _OWNER.match(text)
    if match is None:
        raise ParseError(f"bad PID/Program name {text!r}")
    if match.group(1) is None:
        return None, None
    return int(match.group(1)), match.group(2).rstrip() or None


def _split(text: str, protocol: Protocol, parsed: Parsed) -> tuple[str, int | None]:
    """`1.2.3.4:80`, `:::22`, `[::]:ssh` (no -n), `0.0.0.0:*`."""
    hostpart, sep, port = text.rpartition(":")
    if not sep:
        raise ParseError(f"no port in address {text!r}")
    return hostpart, None if port == "*" else port_or_note(port, protocol, parsed, text)


def _only_ports(text: str, ports: frozenset[int] | None) -> str:
    """Drop rows for other ports before parsing: netstat cannot filter, and a busy host prints
    tens of thousands of rows (32k measured here) that would cost seconds to parse."""
    if ports is None:
        return text
    wanted = {str(p) for p in ports}
    keep = []
    for line in text.splitlines():
        words = line.split(maxsplit=4)
        if len(words) < 4 or words[0] not in _PROTOS or words[3].rpartition(":")[2] in wanted:
            keep.append(line)
    return "\n".join(keep)


class NetstatBackend:
    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        done = runner(list(ARGV), TIMEOUT)
        text = check_ok(done.stdout, done.returncode, NAME)
        if not sniff(text):
            raise BackendFailed("netstat printed something that is not net-tools output")
        parsed = parse(_only_ports(text, query.ports))
        sockets = [s for s in parsed if query.wants(s)]
        whole = all(s.pid is not None for s in sockets if s.state != "TIME_WAIT" and s.inode != 0)
        detail = "" if whole else "some owners are hidden from this user (run as root)"
        detail = "; ".join(filter(None, (detail, parsed.summary())))
        return Answer(sockets=tuple(sockets), complete=whole, detail=detail)


BACKEND = NetstatBackend()
