"""macOS `netstat -anvW -p tcp` and `-p udp`: every socket with its pid, for every user.

Three layouts, told apart by the header (the column NAMES after `(state)`, never positions):
  up to Sonoma  ... (state)  rhiwat shiwat    pid   epid  state  options [gencnt flags ...]
  Sequoia (15)  ... (state)  rxbytes txbytes rhiwat shiwat pid epid state options ...
  Tahoe (26)    ... (state)  rxbytes txbytes rhiwat shiwat    process:pid  state options ...
Tahoe's `process:pid` is right-aligned and the name (cut to 16 chars) may hold spaces
(`Autodesk Fusion:22712`), so it is found by counting the columns on both sides of it.
Addresses join host and port with a dot (`127.0.0.1.8080`, `fe80::1%lo0.49152`, `*.443`, `*.*`).
UDP rows leave the state column empty. Rows without a header (a user's grep) are read with the
layout their field count implies. `netstat -A` puts `Socket` and `Flowhash` columns (hex) before
`Proto`; they are dropped. Without -n, ports are service names (`40.77.18.167.https`). Family
comes from the label (tcp4, tcp6, tcp46), which macOS always prints. Without -W an endpoint
that fills its column (22, or 18 with -A) may be cut, port included: it is kept as printed and
a note says so (backends.dotted). Unreadable rows are skipped and counted (backends.rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.backends import dotted, lsof
from portwho.backends.base import Answer
from portwho.backends.rows import Parsed, first_line
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
    r"((?:Socket|Flowhash)\s+)*Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+"
    r"\(state\)(.*)",
    re.I,
)
_HEX = re.compile(r"[0-9a-f]{1,16}")
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
    #: the width of the Local Address column, from the header (None: no header seen)
    width: int | None = None

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
    if match is None:
        return None
    width = line.index("Foreign Address") - line.index("Local Address") - 1
    return Layout(tuple(match.group(2).split()), width)


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


def _row(tokens: list[str], layout: Layout | None, parsed: Parsed) -> Socket | None:
    if len(tokens) < 5:
        raise ParseError("short row")
    if tokens[3] == "*.*":
        return None  # created but never bound: it holds no port
    protocol, family = _PROTOS[tokens[0]]
    local, port = dotted.local(tokens[3], family, protocol, parsed)
    remote, remote_port = dotted.remote(tokens[4], family, protocol, parsed)
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


def _unlead(tokens: list[str]) -> list[str]:
    """Drop -A's Socket and Flowhash values (hex) before the protocol."""
    for at in (1, 2):
        if len(tokens) > at and tokens[at] in _PROTOS and all(map(_HEX.fullmatch, tokens[:at])):
            return tokens[at:]
    return tokens


def parse(text: str) -> Parsed:
    parsed = Parsed()
    layout: Layout | None = None
    ends: list[tuple[str, str, int]] = []  # endpoints read, with the width of their column
    for line in text.splitlines():
        tokens = _unlead(line.split())
        header = _layout_from_header(line) if tokens else None
        if header is not None:
            layout = header
        elif tokens and tokens[0] in _PROTOS:
            parsed.row(line, _row, tokens, layout, parsed)
            if layout is not None and layout.width and len(tokens) > 4:
                ends.append((tokens[3], tokens[4], layout.width))
    _flag_cut(ends, parsed)
    return parsed


def _flag_cut(ends: list[tuple[str, str, int]], parsed: Parsed) -> None:
    """An endpoint longer than its column proves -W (nothing is cut); otherwise one that fills
    it exactly may have been cut by netstat."""
    if any(len(a) > w or len(b) > w for a, b, w in ends):
        return
    full = [w for a, b, w in ends if dotted.cut_at([a, b], w)]
    if full:
        parsed.note(dotted.cut_note(full[0]))


def _recognise(line: str) -> bool:
    tokens = _unlead(line.split())
    if _HEADER.fullmatch(line.strip()):
        return True
    return len(tokens) >= 5 and tokens[0] in _PROTOS and bool(dotted.ENDPOINT.fullmatch(tokens[3]))


def locate(text: str) -> int | None:
    """The `(state)` header, or a row whose address ends in `.port` (Linux: `:port`)."""
    return first_line(text, _recognise)


def sniff(text: str) -> bool:
    return locate(text) is not None


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
            if locate(done.stdout) is None:  # its title and header come even with no socket
                raise BackendFailed("netstat printed no socket table (not even its header)")
            found += parse(_only_ports(done.stdout, query))
        sockets = tuple(s for s in found if query.wants(s))
        # This netstat shows the pids of every user's sockets without root; only sockets whose
        # pid it printed as 0 stay unnamed.
        hidden = sum(1 for s in sockets if s.pid is None)
        detail = f"{hidden} sockets without a pid" if hidden else ""
        return Answer(sockets, complete=not hidden, detail=detail)


BACKEND = NetstatMacosBackend()
