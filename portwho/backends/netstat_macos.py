"""macOS `netstat -anvW -p tcp` and `-p udp`: every socket with its pid, for every user.

Three layouts, told apart by the header (the column NAMES after `(state)`, never positions):
  up to Sonoma  ... (state)  rhiwat shiwat    pid   epid  state  options [gencnt flags ...]
  Sequoia (15)  ... (state)  rxbytes txbytes rhiwat shiwat pid epid state options ...
  Tahoe (26)    ... (state)  rxbytes txbytes rhiwat shiwat    process:pid  state options ...
Tahoe's `process:pid` is right-aligned and the name (cut to 16 chars) may hold spaces
(`Autodesk Fusion:22712`), so it is found by counting the columns on both sides of it.
Addresses join host and port with a dot (`127.0.0.1.8080`, `fe80::1%lo0.49152`, `*.443`, `*.*`).
UDP rows leave the state column empty. Rows without a header (a user's grep) are read with the
layout their field count implies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.backends import addr, lsof
from portwho.backends.base import Answer
from portwho.errors import BackendFailed, ParseError
from portwho.model import Family, Protocol, Socket

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query

NAME = "netstat-macos"
_TIMEOUT = 10.0
_PROTOS: dict[str, tuple[Protocol, Family]] = {
    "tcp4": ("tcp", "ipv4"),
    "tcp6": ("tcp", "ipv6"),
    "tcp46": ("tcp", "ipv6"),  # dual-stack: one IPv6 socket that also takes IPv4
    "udp4": ("udp", "ipv4"),
    "udp6": ("udp", "ipv6"),
    "udp46": ("udp", "ipv6"),
}
_HEADER = re.compile(
    r"Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+\(state\)(.*)", re.I
)
_ENDPOINT = re.compile(r"(.+)\.(\d+|\*)")
_DOTTED = re.compile(r"[\d.]+")
_PROCESS_PID = re.compile(r"(.*):(\d+)")

#: Column names after `(state)` in the layouts seen on real Macs; used for headerless rows.
_KNOWN = (
    "rhiwat shiwat pid epid",  # 2017-era (find-process sample)
    "rhiwat shiwat pid epid state options",
    "rhiwat shiwat pid epid state options gencnt flags flags1 usecnt rtncnt fltrs",
    "rxbytes txbytes rhiwat shiwat pid epid state options gencnt flags flags1 usecnt rtncnt fltrs",
    "rxbytes txbytes rhiwat shiwat process:pid state options gencnt flags flags1 usecnt rtncnt "
    "fltrs",
)


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns after the state column, by name."""

    after_state: tuple[str, ...]

    @property
    def pid_at(self) -> int | None:
        for name in ("pid", "process:pid"):
            if name in self.after_state:
                return self.after_state.index(name)
        return None  # plain `netstat -an`: no owners at all

    @property
    def joined(self) -> bool:
        return "process:pid" in self.after_state


_PLAIN = Layout(())
_LAYOUTS = [Layout(tuple(names.split())) for names in _KNOWN]


def _layout_from_header(line: str) -> Layout | None:
    match = _HEADER.fullmatch(line.strip())
    return Layout(tuple(match.group(1).split())) if match else None


def _owner_guessed(rest: list[str]) -> tuple[int | None, str | None]:
    """A headerless row: the first known layout whose pid column holds a pid. Width alone is
    ambiguous (a Tahoe row whose name has one space is as wide as a Sequoia row)."""
    widths = [lay for lay in (_PLAIN, *_LAYOUTS) if len(lay.after_state) == len(rest)]
    joined = [lay for lay in _LAYOUTS if lay.joined and len(rest) > len(lay.after_state)]
    for layout in (*widths, *joined):
        try:
            return _owner(rest, layout)
        except ParseError:
            continue
    raise ParseError(f"netstat: cannot tell the layout of a row ending {' '.join(rest)!r}")


def _split(text: str) -> tuple[str, str]:
    match = _ENDPOINT.fullmatch(text)
    if match is None:
        raise ParseError(f"netstat address without a port: {text!r}")
    host, port = match.groups()
    if _DOTTED.fullmatch(host) and host.count(".") != 3:
        raise ParseError(f"netstat address without a port: {text!r}")  # "127.0.0.1" alone
    if port != "*" and int(port) > 65535:
        raise ParseError(f"port out of range: {text!r}")
    return host, port


def _local(text: str, family: Family) -> tuple[str, int]:
    host, port = _split(text)
    if port == "*":
        raise ParseError(f"netstat local address without a port: {text!r}")
    return addr.canonical(host, family), int(port)


def _remote(text: str, family: Family) -> tuple[str | None, int | None]:
    host, port = _split(text)
    if port == "*":
        return None, None
    return addr.remote_or_none(addr.canonical(host, family), int(port))


def _owner(rest: list[str], layout: Layout) -> tuple[int | None, str | None]:
    at = layout.pid_at
    if at is None:
        return None, None
    if layout.joined:
        end = len(rest) - (len(layout.after_state) - at - 1)
        match = _PROCESS_PID.fullmatch(" ".join(rest[at:end])) if end > at else None
        if match is None:
            raise ParseError(f"netstat: no process:pid in {' '.join(rest)!r}")
        name, pid = match.groups()
        return _pid(pid), name.strip() or None
    if at >= len(rest) or not rest[at].isdecimal():
        raise ParseError(f"netstat: no pid in column {at} of {' '.join(rest)!r}")
    return _pid(rest[at]), None


def _pid(text: str) -> int | None:
    value = int(text)
    return value or None  # pid 0: the kernel holds it and no process can be named


def _row(tokens: list[str], layout: Layout | None) -> Socket:
    if len(tokens) < 5:
        raise ParseError(f"netstat: short row {' '.join(tokens)!r}")
    protocol, family = _PROTOS[tokens[0]]
    local, port = _local(tokens[3], family)
    remote, remote_port = _remote(tokens[4], family)
    rest = tokens[5:]
    state = None
    if rest and rest[0][:1].isalpha() and ":" not in rest[0]:
        state = lsof.normalize_state(rest.pop(0))
    pid, process = _owner(rest, layout) if layout is not None else _owner_guessed(rest)
    return Socket(
        protocol=protocol,
        family=family,
        local_address=local,
        local_port=port,
        remote_address=remote,
        remote_port=remote_port,
        state=state if protocol == "tcp" else None,
        pid=pid,
        process=process,
        source=NAME,
    )


def parse(text: str) -> list[Socket]:
    sockets: list[Socket] = []
    layout: Layout | None = None
    seen_header = False
    for line in text.splitlines():
        tokens = line.split()
        if not tokens:
            continue
        header = _layout_from_header(line)
        if header is not None:
            layout, seen_header = header, True
        elif tokens[0] in _PROTOS:
            sockets.append(_row(tokens, layout))
    if text.strip() and not (sockets or seen_header):
        raise ParseError(
            "not macOS netstat output: no `Proto ... (state)` header, no tcp4/udp4 rows"
        )
    return sockets


def sniff(text: str) -> bool:
    """The `(state)` header, or rows whose addresses end in `.port` (Linux: `:port`)."""
    for line in text.splitlines()[:50]:
        tokens = line.split()
        if _HEADER.fullmatch(line.strip()):
            return True
        if len(tokens) >= 5 and tokens[0] in _PROTOS:
            return _ENDPOINT.fullmatch(tokens[3]) is not None
    return False


def argvs() -> list[list[str]]:
    # -W: do not cut long IPv6 addresses to the column width (the header names stay the same).
    return [["netstat", "-anvW", "-p", proto] for proto in ("tcp", "udp")]


def _only_ports(text: str, query: Query) -> str:
    """Drop rows for other local ports before parsing: a busy Mac lists thousands."""
    if query.ports is None:
        return text
    ends = tuple(f".{port}" for port in query.ports)
    keep = []
    for line in text.splitlines():
        tokens = line.split(maxsplit=4)
        if not (tokens and tokens[0] in _PROTOS) or (len(tokens) > 3 and tokens[3].endswith(ends)):
            keep.append(line)
    return "\n".join(keep)


class NetstatMacosBackend:
    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        found: list[Socket] = []
        for argv in argvs():
            done = runner(argv, _TIMEOUT)
            if done.returncode != 0:
                raise BackendFailed(f"netstat exited with status {done.returncode}")
            found += parse(_only_ports(done.stdout, query))
        sockets = tuple(s for s in found if query.wants(s))
        # This netstat shows the pids of every user's sockets without root; only sockets whose
        # pid it printed as 0 stay unnamed.
        hidden = sum(1 for s in sockets if s.pid is None)
        detail = f"{hidden} sockets without a pid" if hidden else ""
        return Answer(sockets, complete=not hidden, detail=detail)


BACKEND = NetstatMacosBackend()
