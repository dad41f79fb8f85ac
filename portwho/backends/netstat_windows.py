"""Windows `netstat -ano` (and -a, -anb, -anob): a pure parser, and the backend that runs it.

Windows localizes the headers ("Connexions actives", "活动连接", "Активные подключения") and may
drop the PID label from a localized header while every row still has a PID, and wide addresses
(`[fe80::…%11]:1900`) push the fixed columns over. So rows are read by tokens and address syntax
only: `TCP|UDP local foreign [state] [pid]`. Every other line is a header or a `-b` line: a
service tag (`  RpcSs`), an image (` [svchost.exe]`) or a localized "cannot obtain ownership".
A `tasklist` listing pasted after the table (`tasklist | findstr 8124`) names the pids.
Family is the address form: `[...]` is IPv6, a dotted quad IPv4 (Windows prints `0.0.0.0` and
`[::]` for its two wildcards; `*:*` only as a UDP peer).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from portwho._run import check_ok
from portwho.backends.addr import canonical, family_of
from portwho.backends.base import Answer
from portwho.backends.rows import Parsed
from portwho.errors import BackendFailed, ParseError, UnknownServiceName
from portwho.model import Protocol, Socket

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query

NAME = "netstat-windows"
ARGV = ("netstat", "-ano")
TIMEOUT = 10.0  # netstat -ano on a busy Windows box takes a few seconds

_PROTOCOLS: dict[str, Protocol] = {"TCP": "tcp", "UDP": "udp"}
_STATES = {
    "LISTENING": "LISTEN",
    "ESTABLISHED": "ESTABLISHED",
    "SYN_SENT": "SYN_SENT",
    "SYN_RECEIVED": "SYN_RECV",
    "FIN_WAIT_1": "FIN_WAIT1",
    "FIN_WAIT_2": "FIN_WAIT2",
    "CLOSE_WAIT": "CLOSE_WAIT",
    "CLOSING": "CLOSING",
    "LAST_ACK": "LAST_ACK",
    "TIME_WAIT": "TIME_WAIT",
    "CLOSED": "CLOSE",
    "DELETE_TCB": "CLOSE",  # the TCB is being deleted: the connection is gone
    "BOUND": "BOUND",
}
_IMAGE = re.compile(r"^\s*\[(?P<image>[^\]]+)\]\s*$")
# A `tasklist` row pasted after the table (`tasklist | findstr 8124`): image, PID, session name,
# session number, memory (`48,220 K`; `48.220 K` in German). The image name may hold spaces.
_TASK = re.compile(r"^(?P<image>\S.*?)\s+(?P<pid>\d+)\s+\S+\s+\d+\s+[\d.,\u00a0 ]+\s?K\s*$")
# Linux rows are lower case and macOS rows say tcp4/tcp46; only Windows prints upper-case TCP/UDP
# followed directly by two host:port addresses (no Recv-Q/Send-Q numbers in between).
_SNIFF_ROW = re.compile(r"^\s*(TCP|UDP)\s+\S*:(\d+|\*|[A-Za-z][\w-]*)\s+\S*:\S+", re.MULTILINE)


def locate(text: str) -> int | None:
    match = _SNIFF_ROW.search(text)
    return None if match is None else text.count("\n", 0, match.start())


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    """Every socket in the output, duplicates removed; `-b` image names become `process`.
    A row that does not read is skipped and counted; no readable row at all is a ParseError."""
    parsed = Parsed()
    read = False  # whether the last row read: an image line belongs to the row above it
    for line in text.splitlines():
        tokens = line.split()
        if tokens and tokens[0] in _PROTOCOLS:
            before = len(parsed)
            parsed.row(line, _row, tokens)
            read = len(parsed) > before
        elif read and (image := _IMAGE.match(line)):
            parsed[-1] = _with_process(parsed[-1], image["image"].strip())
        # anything else: a (localized) header, a service tag, or "cannot obtain ownership"
    if not parsed:
        raise ParseError(parsed.summary() or "no TCP/UDP rows: not Windows netstat output")
    named = _tasklist_names(text)
    unique = parsed.unique()  # the same socket printed twice is one socket
    if not named:
        return unique
    return unique.replaced(
        _with_process(s, named[s.pid]) if s.pid in named and not s.process else s for s in unique
    )


def _tasklist_names(text: str) -> dict[int, str]:
    """pid -> image from `tasklist` rows pasted with the table (a user checking who 8124 is)."""
    found: dict[int, str] = {}
    for line in text.splitlines():
        match = _TASK.match(line.strip())
        if match and not line.lstrip().startswith(("TCP", "UDP")):
            found[int(match["pid"])] = match["image"].strip()
    return found


def _with_process(sock: Socket, image: str) -> Socket:
    return sock.but(process=image)


def _row(tokens: list[str]) -> Socket:
    protocol = _PROTOCOLS[tokens[0]]
    if len(tokens) < 3:
        raise ParseError(f"short netstat row: {' '.join(tokens)!r}")
    state, pid = _tail(tokens[3:], protocol)
    local, local_port = _address(tokens[1], protocol)
    if local_port is None:
        raise ParseError(f"no local port in netstat row: {' '.join(tokens)!r}")
    peer, peer_port = _address(tokens[2], protocol)
    # "0.0.0.0:0", "[::]:0" and "*:*" mean no peer
    remote, remote_port = (None, None) if peer_port in (0, None) else (peer, peer_port)
    if protocol == "tcp" and state not in _STATES.values():
        state = _guess_state(state, remote_port)
    return Socket(
        protocol=protocol,
        family=family_of(local),
        local_address=local,
        local_port=local_port,
        remote_address=remote,
        remote_port=remote_port,
        state=state if protocol == "tcp" else None,
        pid=pid,
        source=NAME,
    )


def _tail(rest: list[str], protocol: Protocol) -> tuple[str | None, int | None]:
    """The optional state word and the optional pid after the two addresses."""
    state = None
    if rest and not rest[0].isdecimal():
        state = _STATES.get(rest[0], rest[0].upper())
        rest = rest[1:]
    pid = None
    if rest and rest[0].isascii() and rest[0].isdecimal():
        # pid 0 is the System Idle Process placeholder Windows prints for TIME_WAIT: no owner
        pid = int(rest[0]) or None
        rest = rest[1:]
    if rest or (protocol == "udp" and state is not None):
        raise ParseError(f"unexpected fields in netstat row: {rest or state!r}")
    return state, pid


def _guess_state(word: str | None, remote_port: int | None) -> str | None:
    """A state word this parser does not know (a localized one, say): Windows prints the peer
    `0.0.0.0:0` only for listeners, so structure still tells LISTEN from a connection."""
    if word is None:
        raise ParseError("TCP row without a state")
    return "LISTEN" if remote_port is None else word


def _address(text: str, protocol: Protocol) -> tuple[str, int | None]:
    """ "1.2.3.4:80", "[::1]:80", "[fe80::1%11]:1900", "*:*", or "host:https" (no -n)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ParseError(f"no port in address {text!r}")
    return canonical(host), _port(port, protocol, text)


def _port(port: str, protocol: Protocol, text: str) -> int | None:
    if port == "*":
        return None
    if port.isascii() and port.isdecimal():
        if int(port) > 65535:
            raise ParseError(f"port out of range in address {text!r}")
        return int(port)
    number = _service_port(port, protocol)
    if number is None:
        raise UnknownServiceName(f"unknown service name {port!r} in {text!r} (run netstat with -n)")
    return number


def _service_port(name: str, protocol: Protocol) -> int | None:
    """`netstat -a` without -n prints service names; the shipped IANA table maps them back."""
    from portwho.backends.addr import service_port

    try:
        return service_port(name, protocol)
    except ImportError:  # the registry is not installed in this build
        return None


class NetstatWindowsBackend:
    """`netstat -ano` shows every user's pids without elevation; tasklist names them."""

    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        from portwho.system import tasklist

        done = runner(ARGV, TIMEOUT)
        if not done.stdout.strip():  # its (localised) title comes even with no socket
            raise BackendFailed("netstat printed nothing")
        found = [
            s for s in parse(check_ok(done.stdout, done.returncode, "netstat")) if query.wants(s)
        ]
        names, detail = tasklist.names_or_reason(runner) if found else ({}, "")
        sockets = tuple(_with_process(s, names[s.pid]) if s.pid in names else s for s in found)
        return Answer(sockets, complete=not any(s.needs_owner for s in sockets), detail=detail)


BACKEND = NetstatWindowsBackend()
