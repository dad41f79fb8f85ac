"""The records every backend returns and the result of a lookup.

This module imports nothing from portwho: it is the contract between backends, core, render
and the other commands. One socket seen by one process is one `Socket`; a socket shared by two
processes (a forking server) is two records with the same addresses and different pids.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Protocol = Literal["tcp", "udp"]
Family = Literal["ipv4", "ipv6"]
PROTOCOLS: tuple[Protocol, ...] = ("tcp", "udp")
FAMILIES: tuple[Family, ...] = ("ipv4", "ipv6")

#: TCP states as the kernel and ss spell them (upper case, underscores).
TCP_STATES = ("ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
              "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "BOUND")  # fmt: skip

#: states in which no process owns the socket any more (the kernel keeps it after close)
OWNERLESS_STATES = frozenset({"TIME_WAIT"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Socket:
    """One socket as one backend saw it, and its owner when known.

    Wildcard local addresses are "0.0.0.0" or "::"; a wildcard or missing peer is None.
    `pid` is None when the owner is hidden from this user (a normal state, not an error).
    """

    protocol: Protocol
    family: Family
    local_address: str
    local_port: int
    remote_address: str | None = None
    remote_port: int | None = None
    state: str | None = None  # None for UDP
    pid: int | None = None
    process: str | None = None
    user: str | None = None
    uid: int | None = None
    inode: int | None = None
    cmdline: tuple[str, ...] | None = None
    cwd: str | None = None
    started: float | None = None  # process start, seconds since the epoch
    source: str = ""

    @property
    def listening(self) -> bool:
        """A TCP listener, or a UDP socket with no fixed peer (what "listening" means for UDP)."""
        if self.protocol == "udp":
            return self.remote_port is None
        return self.state == "LISTEN"

    @property
    def needs_owner(self) -> bool:
        """Seen, but its owning process is hidden from us (kernel-held sockets have none)."""
        # inode 0: a connection the kernel completed but no process has accepted yet
        return self.pid is None and self.state not in OWNERLESS_STATES and self.inode != 0

    def but(self, **changes: Any) -> Socket:
        """A copy with `changes`. dataclasses.replace re-checks every field on every call; this
        runs once or twice per socket, and a listing may hold tens of thousands of them."""
        if not changes.keys() <= _FIELD_SET:
            raise TypeError(f"Socket has no field(s) {sorted(changes.keys() - _FIELD_SET)}")
        new: Socket = _copy_socket(self, changes)
        return new

    def key(self) -> tuple[object, ...]:
        """What makes two records the same socket, whoever reported them."""
        return (
            self.protocol,
            self.family,
            self.local_address,
            self.local_port,
            self.remote_address,
            self.remote_port,
        )


_FIELD_SET = frozenset(Socket.__dataclass_fields__)


def _copier() -> Any:
    """Socket.but's body, written out field by field once (as dataclasses writes __init__):
    twice as fast as a loop over the fields."""
    lines = [f"    _set(new, {f!r}, get({f!r}, old.{f}))\n" for f in Socket.__dataclass_fields__]
    src = (
        "def copy(old, changes, _set=object.__setattr__, _new=object.__new__):\n"
        "    new = _new(Socket)\n    get = changes.get\n" + "".join(lines) + "    return new\n"
    )
    namespace: dict[str, Any] = {"Socket": Socket}
    exec(src, namespace)  # noqa: S102 - our own field names, as dataclasses does
    return namespace["copy"]


_copy_socket = _copier()


@dataclass(frozen=True, slots=True, kw_only=True)
class Spec:
    """One port spec as typed (`8000`, `8000-8010`, `127.0.0.1:8000`, `8000/udp`, `http`).

    `addresses` holds the address asked for and the wildcards that also serve it (None: any);
    `protocol` None means both. A spec is one answer for the exit code, however many ports."""

    text: str
    ports: frozenset[int]
    addresses: frozenset[str] | None = None
    protocol: Protocol | None = None

    @property
    def narrows(self) -> bool:
        return self.addresses is not None or self.protocol is not None

    def matches(self, sock: Socket) -> bool:
        if sock.local_port not in self.ports:
            return False
        if self.protocol is not None and sock.protocol != self.protocol:
            return False
        return self.addresses is None or sock.local_address in self.addresses


@dataclass(frozen=True, slots=True, kw_only=True)
class Owners:
    """--pid, --process, --user: which owners to keep (None: any). Applied once owners are
    known (after enrichment), so a backend never has to know about them."""

    pids: frozenset[int] | None = None
    processes: frozenset[str] | None = None
    users: frozenset[str] | None = None

    @property
    def active(self) -> bool:
        return not (self.pids is None and self.processes is None and self.users is None)

    def keep(self, sock: Socket) -> bool:
        if self.pids is not None and sock.pid not in self.pids:
            return False
        if self.processes is not None:
            name = (sock.process or "").lower()  # like pgrep: a part of the name will do
            if not any(p in name for p in self.processes):
                return False
        return self.users is None or (sock.user or "") in self.users

    def describe(self) -> str:
        words = [f"--pid {p}" for p in sorted(self.pids or ())]
        words += [f"--process {p}" for p in sorted(self.processes or ())]
        words += [f"--user {u}" for u in sorted(self.users or ())]
        return " ".join(words)


@dataclass(frozen=True, slots=True, kw_only=True)
class Query:
    """What to look for. `ports` None means every port (used for listing); `specs` are the
    typed specs behind `ports`, with any address or protocol they narrow to."""

    ports: frozenset[int] | None = None
    protocols: frozenset[Protocol] = frozenset(PROTOCOLS)
    families: frozenset[Family] = frozenset(FAMILIES)
    listening_only: bool = False
    specs: tuple[Spec, ...] = ()
    owners: Owners = field(default_factory=Owners)

    def wants(self, sock: Socket) -> bool:
        if self.ports is not None and sock.local_port not in self.ports:
            return False
        if sock.protocol not in self.protocols or sock.family not in self.families:
            return False
        if self.listening_only and not sock.listening:
            return False
        return not self.specs or not self._narrowed or any(s.matches(sock) for s in self.specs)

    @property
    def _narrowed(self) -> bool:
        return any(s.narrows for s in self.specs)


class Verdict(str, enum.Enum):
    """What portwho concludes about one port. The values are stable (JSON `verdict`)."""

    IN_USE = "in-use"
    HIDDEN = "in-use-owner-hidden"
    FREE = "free"
    OTHERS = "in-use-by-others"  # held, but by no owner that --pid/--process/--user keep
    RESERVED = "reserved"  # Windows excluded port range: nobody listens, nobody can bind
    UNKNOWN = "unknown"  # no backend could answer


class Outcome(str, enum.Enum):
    """How one backend attempt ended (shown by --debug, carried in the JSON trail)."""

    ANSWERED = "answered"
    PARTIAL = "partial"  # answered, but some owners stayed hidden from it
    UNAVAILABLE = "unavailable"  # not on this OS, tool not installed, not permitted
    FAILED = "failed"  # ran but timed out, crashed or printed something unparseable
    SKIPPED = "skipped"  # not needed: an earlier backend already answered completely


@dataclass(frozen=True, slots=True, kw_only=True)
class Attempt:
    backend: str
    outcome: Outcome
    detail: str = ""
    ms: float = 0.0
    count: int = 0  # sockets it returned
    skipped: int = 0  # rows it could not read (--from): counted, never fatal
    first_skipped: str | None = None  # the first of them, as printed


class Reason(str, enum.Enum):
    """Why a port got its verdict. Core decides it; the views word it (views/words.hint)."""

    OWNER_FOUND = "owner-found"
    OWNER_NEEDS_PRIVILEGE = "owner-needs-privilege"  # hidden from this user; root would see it
    OWNER_OUT_OF_REACH = "owner-out-of-reach"  # hidden even from root: another namespace
    OWNER_NOT_IN_INPUT = "owner-not-in-input"  # --from text that names no owner for it
    ONLY_OWN_SOCKETS = "only-own-sockets"  # nothing seen, but only this user's sockets were
    CLOSING_ONLY = "closing-only"  # only TIME_WAIT connections, which no process owns
    NOTHING_BOUND = "nothing-bound"
    EXCLUDED_RANGE = "excluded-range"  # inside a Windows excluded port range
    HELD_BY_OTHERS = "held-by-others"  # detail: the pids --pid/--process/--user left out
    NO_BACKEND = "no-backend"


@dataclass(frozen=True, slots=True, kw_only=True)
class PortReport:
    port: int
    verdict: Verdict
    reason: Reason
    #: what the reason is about: the TIME_WAIT count, or the excluded range's (start, end)
    detail: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupResult:
    query: Query
    sockets: tuple[Socket, ...] = ()
    ports: tuple[PortReport, ...] = ()
    trail: tuple[Attempt, ...] = ()
    origin: str = "live"  # "live", or the file the sockets were read from (--from)
    platform: str = "linux"  # the OS whose hints apply (this machine's for --from too)
    host: str | None = None  # the machine asked over ssh (--host); None: this one
    notes: tuple[str, ...] = field(default=())
    #: owner pid -> portwho.context.record.Context (typed there: this module imports nothing
    #: from portwho); empty when contexts were not asked for
    contexts: Mapping[int, Any] = field(default_factory=dict)
    #: sockets on the asked ports inside other network namespaces: listed, never in a verdict
    inside: tuple[Socket, ...] = ()
    #: socket inode -> the namespace of an `inside` socket ("net:[4026532259]", or its
    #: `ip netns` name); kept here so the one socket record needs no field for it
    netns: Mapping[int, str] = field(default_factory=dict)
    #: sockets by local port, built at the first for_port(): a view of 65,535 ports over 33,000
    #: sockets asked for each port in turn walked the whole table each time (minutes)
    _by_port: dict[int, tuple[Socket, ...]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def for_port(self, port: int) -> tuple[Socket, ...]:
        index = self._by_port
        if index is None:
            index = {p: tuple(group) for p, group in by_port(self.sockets).items()}
            object.__setattr__(self, "_by_port", index)
        return index.get(port, ())


def by_port(socks: Iterable[Socket]) -> dict[int, list[Socket]]:
    """Sockets grouped by local port, in their order: one walk of the table for any number of
    ports."""
    groups: dict[int, list[Socket]] = {}
    for sock in socks:
        groups.setdefault(sock.local_port, []).append(sock)
    return groups


def socket_order(sock: Socket) -> tuple[object, ...]:
    """The order every view lists sockets in: by port, then listeners first."""
    return (
        sock.local_port,
        sock.protocol,
        not sock.listening,
        sock.family,
        sock.local_address,
        sock.remote_address or "",
        sock.remote_port or 0,
        sock.pid or 0,
    )
