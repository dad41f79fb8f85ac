"""FreeBSD's `sockstat -46`: every IPv4/IPv6 socket with its owner's user, command and pid. A
`--from` format, and what `--host` reads from a FreeBSD host.

    USER     COMMAND    PID   FD PROTO  LOCAL ADDRESS         FOREIGN ADDRESS
    root     sshd       1570  4  tcp4   *:22                  *:*
    ?        ?          ?     ?  udp4   *:*                   *:*

Columns are padded, not separated: a long user name or pid pushes the rest right, and a pid
wider than its column is printed against the command (`salt-master python2.781106 35 tcp4`),
so rows are read from the right: foreign, local, protocol, fd, pid; the pid's digits are split
off the command when they run together (FreeBSD's pids have at most 5 digits). Without -s
there is no TCP state: a TCP socket without a peer is a listener, one with a peer is taken as
established (sockstat lists few other states). `?` is an owner sockstat could not name.
"""

from __future__ import annotations

import re

from portwho.backends.addr import canonical, split_host_port
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

NAME = "sockstat"
_PROTOS: dict[str, tuple[Protocol, Family]] = {
    "tcp4": ("tcp", "ipv4"), "tcp6": ("tcp", "ipv6"), "tcp46": ("tcp", "ipv6"),
    "udp4": ("udp", "ipv4"), "udp6": ("udp", "ipv6"), "udp46": ("udp", "ipv6"),
}  # fmt: skip
_HEADER = re.compile(r"^USER\s+COMMAND\s+PID\s+FD\s+PROTO\s+LOCAL ADDRESS\s+FOREIGN ADDRESS")
_FAT_PID = re.compile(r"(.*?)(\d{1,5})")


def sniff(text: str) -> bool:
    for line in text.splitlines():
        if line.strip():
            return bool(_HEADER.match(line))
    return False


def parse(text: str) -> list[Socket]:
    sockets = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or _HEADER.match(line):
            continue
        if len(words) < 6:
            raise ParseError(f"line {number} is not a sockstat row: {line[:80]!r}")
        if words[-3] not in _PROTOS:
            continue  # UNIX, ICMP, SCTP, divert sockets
        sock = _row(words, line)
        if sock is not None:
            sockets.append(sock)
    return sockets


def _row(words: list[str], line: str) -> Socket | None:
    protocol, family = _PROTOS[words[-3]]
    owner = words[:-4]  # user, command (may hold spaces), pid
    if len(owner) == 2:  # the pid ran into the command
        fat = _FAT_PID.fullmatch(owner[1])
        owner = [owner[0], fat.group(1), fat.group(2)] if fat and fat.group(1) else owner
    if len(owner) < 3:
        raise ParseError(f"no user, command and pid in {line[:80]!r}")
    user, command, pid = owner[0], " ".join(owner[1:-1]), owner[-1]
    local, local_port = _endpoint(words[-2], family)
    if local_port is None:
        return None  # `*:*`: a UDP socket not bound to a port yet holds none
    remote, remote_port = _endpoint(words[-1], family)
    state = None
    if protocol == "tcp":
        state = "LISTEN" if remote_port is None else "ESTABLISHED"
    known = pid.isdecimal()
    return Socket(
        protocol=protocol,
        family=family,
        local_address=local,
        local_port=local_port,
        remote_address=remote if remote_port is not None else None,
        remote_port=remote_port,
        state=state,
        pid=int(pid) if known else None,
        process=command if known else None,
        user=user if known else None,
        source=NAME,
    )


def _endpoint(text: str, family: Family) -> tuple[str, int | None]:
    host, port = split_host_port(text)
    return canonical("*" if host == "*" else host, family), port
