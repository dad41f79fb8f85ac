"""The net-tools `netstat` backend for Linux: argv, a pure parser and the tiny backend class.

`netstat -n -a -t -u -p -e -W` prints every TCP and UDP socket with User, Inode and
`PID/Program name` (`-` when the owner is hidden from a non-root caller). -W keeps long IPv6
addresses whole. netstat has no port filter, so every socket is listed and filtered here.

The parser also reads what users paste: without -e (no User/Inode), without -p, and without -n
(`localhost:smtp`, `[::]:ssh`): service names go back to numbers through the IANA registry and
host names are kept as printed. Only the Internet section is read; unix, raw and the rest are
skipped. The program name is argv[0] cut to 19 characters, so it may end mid-word
(`600/sshd: /usr/sbin`, `1705/php-fpm.conf)`); it is kept as printed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from portwho._run import check_ok
from portwho.backends import addr
from portwho.backends.addr import host
from portwho.backends.base import Answer
from portwho.errors import BackendFailed, ParseError
from portwho.model import TCP_STATES, Family, Protocol, Socket

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query

NAME = "netstat"
TIMEOUT = 5.0
ARGV = ("netstat", "-n", "-a", "-t", "-u", "-p", "-e", "-W")

_PROTOS: dict[str, tuple[Protocol, Family]] = {
    "tcp": ("tcp", "ipv4"),
    "tcp6": ("tcp", "ipv6"),
    "udp": ("udp", "ipv4"),
    "udp6": ("udp", "ipv6"),
}
_STATES = {*TCP_STATES, "UNKNOWN"}
_TITLE = re.compile(
    r"^Active Internet connections \((servers and established|only servers|w/o servers)\)"
)
_HEADER = re.compile(r"^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+State\b")
_ROW = re.compile(
    r"^(tcp|udp)6?\s+\d+\s+\d+\s+\S+:(\d+|[A-Za-z][\w.-]*)\s+\S+:(\d+|\*|[A-Za-z][\w.-]*)\s"
)
_OWNER = re.compile(r"^(?:(\d+)/(.*?)|-)\s*$")
_SECTION = re.compile(r"^Active \S")


def sniff(text: str) -> bool:
    """The Linux title or header (macOS says "(including servers)" and "(state)"), or a row."""
    for line in text.splitlines():
        if line.strip():
            return bool(_TITLE.match(line) or _HEADER.match(line) or _ROW.match(line))
    return False


def parse(text: str) -> list[Socket]:
    """Parse the Internet part of net-tools netstat output into sockets."""
    if not isinstance(text, str):
        raise ParseError("netstat output must be text")
    sockets: list[Socket] = []
    inet = True  # a paste may start at the rows, with no title
    for line in text.splitlines():
        if _SECTION.match(line):
            inet = bool(_TITLE.match(line))
        elif inet and line.split(maxsplit=1)[:1] and line.split()[0] in _PROTOS:
            sockets.append(_parse_row(line))
    return sockets


def _parse_row(line: str) -> Socket:
    words = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
    protocol, family = _PROTOS[words[0][0]]
    if len(words) < 5 or not (words[1][0].isdecimal() and words[2][0].isdecimal()):
        raise ParseError(f"not a netstat row: {line!r}")
    rest = words[5:]
    state = None
    if rest and rest[0][0] in _STATES:
        state, rest = rest[0][0], rest[1:]  # UDP rows print ESTABLISHED when connected
    user, inode, rest = _user_inode(rest)
    pid, program = _owner(line[rest[0][1] :] if rest else "-")
    lhost, lport = _split(words[3][0], protocol)
    rhost, rport = _split(words[4][0], protocol)
    if lport is None:
        raise ParseError(f"no local port in {line!r}")
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


def _split(text: str, protocol: Protocol) -> tuple[str, int | None]:
    """`1.2.3.4:80`, `:::22`, `[::]:ssh` (no -n), `0.0.0.0:*`."""
    hostpart, sep, port = text.rpartition(":")
    if not sep:
        raise ParseError(f"no port in address {text!r}")
    if port == "*" or (port.isdecimal() and port.isascii()):
        return addr.split_host_port(text)
    try:
        number = addr.service_port(port, protocol)
    except ImportError:
        number = None  # the IANA registry is not installed: the name cannot be mapped
    if number is None:
        raise ParseError(f"unknown service name {port!r} in {text!r}; rerun netstat with -n")
    return hostpart, number


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
        sockets = [s for s in parse(_only_ports(text, query.ports)) if query.wants(s)]
        whole = all(s.pid is not None for s in sockets if s.state != "TIME_WAIT" and s.inode != 0)
        detail = "" if whole else "some owners are hidden from this user (run as root)"
        return Answer(sockets=tuple(sockets), complete=whole, detail=detail)


BACKEND = NetstatBackend()
