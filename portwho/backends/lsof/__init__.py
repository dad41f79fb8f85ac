"""lsof: the last fallback on Linux and the name source on macOS.

`lsof -F` prints one field per line (`p` pid, `c` command, `u` uid, `L` login, `f` fd, `t`
type, `P` protocol, `n` name, `T` TCP info); the table form is what people paste into --from.
`parse(text)` takes either. lsof only sees the processes this user may inspect (its own,
unless root), so its answer is complete only for root.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.backends import addr
from portwho.backends.base import Answer, port_runs
from portwho.backends.base import is_root as _is_root  # a seam: tests play root and not
from portwho.errors import BackendFailed, ParseError
from portwho.model import Family, Protocol, Socket

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query

NAME = "lsof"
FIELDS = "pcuLftPnT"
_BASE = ("lsof", "-nP", "-w")
_TIMEOUT = 10.0

#: lsof prints the BSD spellings on macOS; the model uses the kernel's (ss) spellings.
_STATE_ALIASES = {
    "SYN_RCVD": "SYN_RECV",
    "FIN_WAIT_1": "FIN_WAIT1",
    "FIN_WAIT_2": "FIN_WAIT2",
    "CLOSED": "CLOSE",
}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|[ntrbf\\])")
_FAMILIES: dict[str, Family] = {"IPv4": "ipv4", "IPv6": "ipv6"}
_PROTOCOLS: dict[str, Protocol] = {"TCP": "tcp", "UDP": "udp"}


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
        raise ParseError(f"unknown service name {text!r} for {protocol}")
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


def dedupe(sockets: list[Socket]) -> list[Socket]:
    """One socket on two fds of one process (dup, or a listener lsof lists twice) is one."""
    seen: set[tuple[object, ...]] = set()
    unique = []
    for sock in sockets:
        mark = (sock.pid, sock.state, *sock.key())
        if mark not in seen:
            seen.add(mark)
            unique.append(sock)
    return unique


def parse(text: str) -> list[Socket]:
    """Parse lsof output in either the -F field form or the table form."""
    from portwho.backends.lsof import field as lsof_field
    from portwho.backends.lsof import table as lsof_table

    text = text.replace("\0", "\n")  # -F0 separates fields with NUL
    if lsof_field.looks_like(text):
        return dedupe(lsof_field.parse_fields(text))
    return dedupe(lsof_table.parse_table(text))


def sniff(text: str) -> bool:
    from portwho.backends.lsof import field as lsof_field
    from portwho.backends.lsof import table as lsof_table

    return lsof_field.looks_like(text.replace("\0", "\n")) or lsof_table.looks_like(text)


def _selectors(query: Query) -> list[list[str]]:
    """One argv tail per lsof run. lsof ORs several -i options, but -sTCP:LISTEN also drops
    every UDP socket (checked on lsof 4.95), so listing listeners takes two runs."""
    if query.ports is None:
        tcp = ["-iTCP", "-sTCP:LISTEN"] if query.listening_only else ["-iTCP"]
        return [tcp, ["-iUDP"]]
    specs = [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in port_runs(query.ports)]
    return [[f"-i{proto}:{spec}" for spec in specs for proto in ("TCP", "UDP")]]


def argvs(query: Query) -> list[list[str]]:
    return [[*_BASE, *tail, "-F", FIELDS] for tail in _selectors(query)]


def _output(runner: Runner, argv: list[str]) -> str:
    done = runner(argv, _TIMEOUT)
    # Status 1 means "some selector matched nothing" and comes with whatever did match.
    if done.returncode == 1 and not done.stderr.strip():
        return done.stdout
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[:1] or [""]
        raise BackendFailed(f"lsof exited with status {done.returncode}: {reason[0]}")
    return done.stdout


class LsofBackend:
    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        found: list[Socket] = []
        for argv in argvs(query):
            found += parse(_output(runner, argv))
        sockets = tuple(s for s in dedupe(found) if query.wants(s))
        if _is_root():
            return Answer(sockets, complete=True)
        return Answer(
            sockets,
            complete=False,
            all_sockets=False,
            detail="lsof sees only this user's processes",
        )


BACKEND = LsofBackend()
