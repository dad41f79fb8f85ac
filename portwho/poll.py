"""`portwho wait` and `portwho watch`: poll one cheap lookup, report only what changed.

Each poll is core.lookup without enrichment (the netlink fast path makes a one-port poll a few
milliseconds on Linux); owner details (name, user, command line) are read only for sockets that
just appeared, so a steady state costs one socket-table read per interval.
"""

from __future__ import annotations

import time

from portwho.errors import NoBackendError
from portwho.kill import holds
from portwho.model import OWNERLESS_STATES, Query, Socket, Verdict
from portwho.model.record import Record

# No dataclasses, typing or collections at run time: `wait` and `watch` start in loops, and
# watch's first frame is a listing; those imports were a tenth of it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Protocol

    from portwho.model import LookupResult, Spec

    class Lookup(Protocol):
        def __call__(self, query: Query, *, enrich: bool = ...) -> LookupResult: ...


_set = object.__setattr__


def _core_lookup(query: Query, *, enrich: bool = False) -> LookupResult:
    from portwho import core

    return core.lookup(query, enrich=enrich)


def _enrich(socks: Iterable[Socket]) -> list[Socket]:
    from portwho import enrich as procinfo

    return procinfo.enrich(socks)


# -- wait -------------------------------------------------------------------------------------


class PortState(Record):
    """Who binds one port right now (listeners and UDP sockets; pid None when hidden)."""

    __slots__ = ("holders", "port")
    FIELDS = ("port", "holders")
    port: int
    holders: tuple[Socket, ...]

    def __init__(self, *, port: int, holders: tuple[Socket, ...] = ()) -> None:
        _set(self, "port", port)
        _set(self, "holders", holders)

    @property
    def busy(self) -> bool:
        return bool(self.holders)

    def owners(self) -> frozenset[int | None]:
        return frozenset(s.pid for s in self.holders)


def poll_port(port: int, lookup: Lookup = _core_lookup, spec: Spec | None = None) -> PortState:
    """Who binds the port now; with `spec` (`8000/tcp`, `127.0.0.1:8000`) only what it names."""
    result = lookup(Query(ports=frozenset({port})), enrich=False)
    if result.ports and result.ports[0].verdict is Verdict.UNKNOWN:
        raise NoBackendError(f"no backend could read the socket table to watch port {port}")
    held = (s for s in result.sockets if holds(s, [port]) and (spec is None or spec.matches(s)))
    return PortState(port=port, holders=tuple(held))


def wait_for(
    port: int,
    *,
    want_busy: bool,
    timeout: float | None,
    interval: float,
    show: Callable[[PortState, float, bool], None],
    lookup: Lookup = _core_lookup,
    enrich: Callable[[Iterable[Socket]], list[Socket]] = _enrich,
    spec: Spec | None = None,
) -> bool:
    """Poll until the port is busy (or free); True when met, False on timeout.

    `show(state, elapsed, changed)` is called after every poll; `changed` says the holders
    differ from the previous poll (their details are read only then).
    """
    start = time.monotonic()
    last: PortState | None = None
    while True:
        state = poll_port(port, lookup, spec)
        changed = last is None or state.owners() != last.owners()
        if changed:
            state = PortState(port=port, holders=tuple(enrich(state.holders)))
        elif last is not None:
            state = last  # same owners: keep the details already read
        elapsed = time.monotonic() - start
        show(state, elapsed, changed)
        if state.busy == want_busy:
            return True
        if timeout is not None and elapsed + interval > timeout:
            time.sleep(max(0.0, timeout - elapsed))
            return _final(port, want_busy, lookup, spec)
        last = state
        time.sleep(interval)


def _final(port: int, want_busy: bool, lookup: Lookup, spec: Spec | None) -> bool:
    """One last look at the deadline, so a timeout is never declared on a stale poll."""
    return poll_port(port, lookup, spec).busy == want_busy


# -- watch ------------------------------------------------------------------------------------

Key = tuple[object, ...]


def sock_id(s: Socket) -> Key:
    """Socket.key() and the pid, written out: a first poll keys every listener."""
    return (s.protocol, s.family, s.local_address, s.local_port, s.remote_address,
            s.remote_port, s.pid)  # fmt: skip


class Event:
    """A plain slotted class, not a frozen dataclass: a first poll makes one per listener."""

    __slots__ = ("at", "kind", "socket")

    def __init__(self, *, kind: str, at: float, socket: Socket) -> None:
        self.kind = kind  # "appeared" | "vanished" | "present" (already there at the first poll)
        self.at = at  # wall clock, seconds since the epoch
        self.socket = socket


def diff(previous: dict[Key, Socket], current: dict[Key, Socket], now: float) -> list[Event]:
    """What appeared and what vanished between two snapshots (vanished first)."""
    gone = [
        Event(kind="vanished", at=now, socket=previous[k]) for k in previous.keys() - current.keys()
    ]
    new = [
        Event(kind="appeared", at=now, socket=current[k]) for k in current.keys() - previous.keys()
    ]
    order = lambda e: (e.socket.local_port, e.socket.protocol, e.socket.pid or 0)  # noqa: E731
    return sorted(gone, key=order) + sorted(new, key=order)


class Seen:
    """One owner of one port as long as it was seen: so a short-lived owner stays on screen."""

    __slots__ = ("cmdline", "first", "gone", "last", "pid", "port", "process")

    def __init__(
        self, *, port: int, pid: int | None, process: str | None,
        cmdline: tuple[str, ...] | None, first: float, last: float, gone: bool = False,
    ) -> None:  # fmt: skip
        self.port, self.pid, self.process, self.cmdline = port, pid, process, cmdline
        self.first, self.last, self.gone = first, last, gone

    def __repr__(self) -> str:
        return f"Seen(port={self.port}, pid={self.pid}, process={self.process!r}, gone={self.gone})"


class History:
    """The last `limit` owners seen, oldest first."""

    __slots__ = ("entries", "limit")

    def __init__(self, limit: int = 20) -> None:
        self.limit = limit
        self.entries: list[Seen] = []

    def record(self, events: Iterable[Event], current: Iterable[Socket], now: float) -> None:
        # a set, not a scan of the entries per event: the first poll of 25,000 listeners made
        # 300 million comparisons (a minute before watch's first line)
        open_now = {(e.port, e.pid) for e in self.entries if not e.gone}
        # each owner of a port once, in the order first seen (a pid's sockets share its name)
        there = [e.socket for e in events if e.kind != "vanished"]
        owning = {(s.local_port, s.pid): s for s in there}
        # only the last `limit` new owners can stay: a first poll of 25,000 listeners made
        # 25,000 entries to drop all but 20 of them
        opened = [s for key, s in owning.items() if key not in open_now][-self.limit :]
        ports = {e.port for e in self.entries if not e.gone} | {s.local_port for s in opened}
        live = {(s.local_port, s.pid) for s in current if s.local_port in ports}
        for s in opened:
            self.entries.append(
                Seen(port=s.local_port, pid=s.pid, process=s.process, cmdline=s.cmdline,
                     first=now, last=now)
            )  # fmt: skip
            if len(self.entries) > self.limit:
                del self.entries[0]
        for seen in self.entries:
            if seen.gone:
                continue
            if (seen.port, seen.pid) in live:
                seen.last = now  # last time it was seen, so a short life is measured honestly
            else:
                seen.gone = True
        del self.entries[: max(0, len(self.entries) - self.limit)]


class Watcher:
    """Snapshots of the sockets on some ports (or every listener) and the events between them."""

    def __init__(self, ports: frozenset[int] | None, lookup: Lookup = _core_lookup) -> None:
        self.query = Query(ports=ports, listening_only=ports is None)
        self.lookup = lookup
        self.current: dict[Key, Socket] = {}
        self.history = History()
        self.polls = 0

    def poll(self) -> list[Event]:
        result = self.lookup(self.query, enrich=False)
        now = time.time()
        seen = {sock_id(s): s for s in result.sockets if s.state not in OWNERLESS_STATES}
        known = self.current
        fresh = [k for k in seen if k not in known] if known else list(seen)
        details = dict(zip(fresh, _enrich([seen[k] for k in fresh]), strict=True))  # new only
        snapshot = {k: known.get(k) or details[k] for k in seen} if known else details
        events = diff(self.current, snapshot, now) if self.polls else []
        if not self.polls:  # the state found at start is "present", not a change
            events = [Event(kind="present", at=now, socket=s) for s in snapshot.values()]
        self.polls += 1
        self.current = snapshot
        self.history.record(events, snapshot.values(), now)
        return events
