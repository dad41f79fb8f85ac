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
established (sockstat lists few other states); with -s the state is read from its column. `?`
is an owner sockstat could not name.

Read the same way: -s (PATH STATE / CONN STATE after the addresses: the protocol is found as the
last protocol word in the row), NetBSD's dotted endpoints (`*.22`, `::1.22`, labels `tcp`/`tcp6`:
then the address form decides the family), and a header anywhere in the text. Rows of other
kinds (stream, dgram, seqpac, icmp6, sctp) and rows that do not read are skipped and counted
(backends.rows); `*:*` holds no port and is left out silently.
"""

from __future__ import annotations

import re

from portwho.backends import dotted
from portwho.backends.addr import canonical
from portwho.backends.rows import Parsed, first_line, port_or_note
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

NAME = "sockstat"
_PROTOS: dict[str, tuple[Protocol, Family | None]] = {
    "tcp4": ("tcp", "ipv4"), "tcp6": ("tcp", "ipv6"), "tcp46": ("tcp", "ipv6"),
    "udp4": ("udp", "ipv4"), "udp6": ("udp", "ipv6"), "udp46": ("udp", "ipv6"),
    "tcp": ("tcp", None), "udp": ("udp", None),  # NetBSD: the address form decides
}  # fmt: skip
_STATES = {"LISTEN", "ESTABLISHED", "SYN_SENT", "SYN_RCVD", "FIN_WAIT_1", "FIN_WAIT_2",
           "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "CLOSED", "BOUND"}  # fmt: skip
_HEADER = re.compile(r"^USER\s+COMMAND\s+PID\s+FD\s+PROTO\s+LOCAL ADDRESS\s+FOREIGN ADDRESS")
_FAT_PID = re.compile(r"(.*?)(\d{1,5})")


def locate(text: str) -> int | None:
    return first_line(text, lambda line: bool(_HEADER.match(line)))


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    parsed = Parsed()
    for line in text.splitlines():
        if line.strip() and not _HEADER.match(line):
            parsed.row(line, _row, line.split(), line)
    return parsed


def _proto_at(words: list[str]) -> int:
    """Where PROTO is: the last protocol word with two endpoints after it (-s adds columns)."""
    for at in range(len(words) - 3, 2, -1):
        if words[at] in _PROTOS:
            return at
    if len(words) > 4 and not words[4][:1].isdigit():
        raise ParseError(f"not a TCP/UDP socket ({words[4]})")
    raise ParseError("not a sockstat row")


def _row(words: list[str], line: str) -> Socket | None:
    at = _proto_at(words)
    protocol, label_family = _PROTOS[words[at]]
    owner = words[: at - 1]  # user, command (may hold spaces), pid; FD is words[at - 1]
    if len(owner) == 2:  # the pid ran into the command
        fat = _FAT_PID.fullmatch(owner[1])
        owner = [owner[0], fat.group(1), fat.group(2)] if fat and fat.group(1) else owner
    if len(owner) < 3:
        raise ParseError("no user, command and pid")
    user, command, pid = owner[0], " ".join(owner[1:-1]), owner[-1]
    family = label_family or _family(words[at + 1])
    local, local_port = _endpoint(words[at + 1], family, protocol)
    if local_port is None:
        return None  # `*:*`: a UDP socket not bound to a port yet holds none
    remote, remote_port = _endpoint(words[at + 2], family, protocol)
    state = _state(words[at + 3 :]) if protocol == "tcp" else None
    if protocol == "tcp" and state is None:
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


def _state(tail: list[str]) -> str | None:
    """-s: the CONN STATE column, in netstat's BSD spelling."""
    from portwho.backends.lsof import normalize_state

    found = [w for w in tail if w in _STATES]
    return normalize_state(found[-1]) if found else None


def _family(text: str) -> Family:
    host = _split(text)[0].strip("[]")
    return "ipv6" if ":" in host else "ipv4"


def _split(text: str) -> tuple[str, str]:
    """`*:22`, `[::1]:22`, `::1:22`, `fe80::1%lo0:123` (FreeBSD) or `*.22` (NetBSD)."""
    host, sep, port = text.rpartition(":")
    if sep and (port == "*" or port.isdecimal() or port.isalpha()) and _is_host(host):
        return host, port
    return dotted.split(text)


def _is_host(host: str) -> bool:
    bare = canonical(host)
    return host in ("*", "") or bare != host.strip("[]") or ":" in bare or bare.count(".") == 3


def _endpoint(text: str, family: Family, protocol: Protocol) -> tuple[str, int | None]:
    """NetBSD without -n prints service names (`*.ssh`): mapped back per protocol."""
    host, port = _split(text)
    number = None if port == "*" else port_or_note(port, protocol, None, text)
    return canonical("*" if host == "*" else host, family), number
