"""What both lsof parsers (table and -F fields) share: state names, escapes, endpoints and
the socket record.

Family is lsof's TYPE column (IPv4 / IPv6), which lsof takes from the socket itself; the
address (`*:80`, `[::1]:80`, a host name without -n) is kept in that family's spelling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.backends import addr
from portwho.backends.rows import Parsed, as_parsed
from portwho.errors import ParseError, UnknownServiceName
from portwho.model import Family, Protocol, Socket

if TYPE_CHECKING:
    pass


NAME = "lsof"
_FAMILIES: dict[str, Family] = {"IPv4": "ipv4", "IPv6": "ipv6"}
_PROTOCOLS: dict[str, Protocol] = {"TCP": "tcp", "UDP": "udp"}

FIELDS = "pcuLftPnT"


#: lsof prints the BSD spellings on macOS; the model uses the kernel's (ss) spellings.
_STATE_ALIASES = {
    "SYN_RCVD": "SYN_RECV",
    "FIN_WAIT_1": "FIN_WAIT1",
    "FIN_WAIT_2": "FIN_WAIT2",
    "CLOSED": "CLOSE",
}


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "\\": "\\"}


_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|[ntrbf\\])")


def normalize_state(state: str) -> str:
    upper = state.strip().upper()
    return _STATE_ALIASES.get(upper, upper)


def unescape(text: str) -> str:
    r"""Undo lsof's escaping of odd bytes in names (`Code\x20H`, `?\x93\x94`)."""
    if "\\" not in text:
        return text
    raw = bytearray()
    pos = 0
    for match in _ESCAPE_RE.finditer(text):
        raw += text[pos : match.start()].encode("utf-8", "surrogateescape")
        code = match.group(1)
        if code.startswith("x"):
            raw.append(int(code[1:], 16))
        else:
            raw += _ESCAPES[code].encode()
        pos = match.end()
    raw += text[pos:].encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True, kw_only=True)
class Owner:
    """What lsof says about the process that holds a file."""

    pid: int
    process: str | None = None
    uid: int | None = None
    user: str | None = None


def _port(text: str, protocol: Protocol) -> int | None:
    if text == "*":
        return None
    if text.isdecimal() and text.isascii():
        value = int(text)
        if value > 65535:
            raise ParseError(f"port out of range: {text!r}")
        return value
    port = addr.service_port(text, protocol)  # no -P: a service name such as "https"
    if port is None:
        raise UnknownServiceName(f"unknown service name {text!r} for {protocol}")
    return port


def _endpoint(text: str, protocol: Protocol) -> tuple[str, int | None]:
    host, sep, port = text.rpartition(":")
    if not sep or not port:
        raise ParseError(f"no port in lsof address {text!r}")
    return host, _port(port, protocol)


def make_socket(
    *, owner: Owner, protocol: Protocol, family: Family, name: str, state: str | None
) -> Socket | None:
    """Build a Socket from lsof's NAME (`a:p`, `a:p->b:q`); None for a socket with no port."""
    local_text, _, remote_text = name.partition("->")
    local_host, local_port = _endpoint(local_text, protocol)
    if local_port is None:
        return None  # "*:*": created but never bound, it holds no port
    remote: tuple[str | None, int | None] = (None, None)
    if remote_text:
        remote = addr.remote_or_none(*_endpoint(remote_text, protocol))
    return Socket(
        protocol=protocol,
        family=family,
        local_address=addr.canonical(local_host, family),
        local_port=local_port,
        remote_address=remote[0],
        remote_port=remote[1],
        state=normalize_state(state) if protocol == "tcp" and state else None,
        pid=owner.pid,
        process=owner.process,
        user=owner.user,
        uid=owner.uid,
        source=NAME,
    )


def family_of(kind: str) -> Family | None:
    return _FAMILIES.get(kind)


def protocol_of(node: str) -> Protocol | None:
    return _PROTOCOLS.get(node.upper())


def dedupe(sockets: list[Socket]) -> Parsed:
    """One socket on two fds of one process (dup, or a listener lsof lists twice) is one."""
    seen: set[tuple[object, ...]] = set()
    unique = []
    for sock in sockets:
        mark = (sock.pid, sock.state, *sock.key())
        if mark not in seen:
            seen.add(mark)
            unique.append(sock)
    return as_parsed(sockets).replaced(unique)
