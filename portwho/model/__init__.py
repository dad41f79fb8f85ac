"""The records every backend returns and the result of a lookup.

This package imports nothing from the rest of portwho (the record base and the verdicts are its
own modules, model.record and model.verdicts): it is the contract between backends, core,
render and the other commands. One socket seen by one process is one `Socket`; a socket shared
by two processes (a forking server) is two records with the same addresses and different pids.
"""

from __future__ import annotations

from portwho.model.query import Owners as Owners
from portwho.model.query import Query as Query
from portwho.model.query import Spec as Spec
from portwho.model.record import Record
from portwho.model.verdicts import Attempt as Attempt
from portwho.model.verdicts import Outcome as Outcome
from portwho.model.verdicts import Reason as Reason
from portwho.model.verdicts import Verdict as Verdict

TYPE_CHECKING = False  # not typing's (its import costs more than a lookup); mypy takes it as true
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, Literal

    Protocol = Literal["tcp", "udp"]
    Family = Literal["ipv4", "ipv6"]
else:  # at run time the aliases are only names others import
    Protocol = Family = str

PROTOCOLS: tuple[Protocol, ...] = ("tcp", "udp")
FAMILIES: tuple[Family, ...] = ("ipv4", "ipv6")

#: a text view shows at most this many ports in full: past it, free ports are counted and busy
#: ones are one table of their sockets (portwho.views.table); `explain` takes at most this many
FULL_VIEW_MAX = 8

#: TCP states as the kernel and ss spell them (upper case, underscores).
TCP_STATES = (
    "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
    "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "BOUND",
)  # fmt: skip

#: states in which no process owns the socket any more (the kernel keeps it after close)
OWNERLESS_STATES = frozenset({"TIME_WAIT"})
_set = object.__setattr__  # frozen records set their fields past Record.__setattr__
_new = object.__new__


class _SocketSlots:
    """Socket's fields without Record's frozen __setattr__: a Socket is filled in as one of
    these (plain slot stores, not a call per field) and then becomes a Socket by __class__
    assignment (the layouts are the same). That made building and copying the tens of
    thousands of sockets of a listing twice as fast as object.__setattr__ per field."""

    __slots__ = (
        "cmdline", "cwd", "family", "inode", "local_address", "local_port", "pid", "process",
        "protocol", "remote_address", "remote_port", "source", "started", "state", "uid", "user",
    )  # fmt: skip
    protocol: Protocol
    family: Family
    local_address: str
    local_port: int
    remote_address: str | None
    remote_port: int | None
    state: str | None  # None for UDP
    pid: int | None
    process: str | None
    user: str | None
    uid: int | None
    inode: int | None
    cmdline: tuple[str, ...] | None
    cwd: str | None
    started: float | None  # process start, seconds since the epoch
    source: str


class Socket(_SocketSlots, Record):
    """One socket as one backend saw it, and its owner when known.

    Wildcard local addresses are "0.0.0.0" or "::"; a wildcard or missing peer is None.
    `pid` is None when the owner is hidden from this user (a normal state, not an error).
    """

    __slots__ = ()  # the fields live in _SocketSlots
    FIELDS = (
        "protocol", "family", "local_address", "local_port", "remote_address", "remote_port",
        "state", "pid", "process", "user", "uid", "inode", "cmdline", "cwd", "started", "source",
    )  # fmt: skip

    def __new__(
        cls,
        *,
        protocol: Protocol,
        family: Family,
        local_address: str,
        local_port: int,
        remote_address: str | None = None,
        remote_port: int | None = None,
        state: str | None = None,
        pid: int | None = None,
        process: str | None = None,
        user: str | None = None,
        uid: int | None = None,
        inode: int | None = None,
        cmdline: tuple[str, ...] | None = None,
        cwd: str | None = None,
        started: float | None = None,
        source: str = "",
    ) -> Socket:
        new = _new(_SocketSlots)
        new.protocol = protocol
        new.family = family
        new.local_address = local_address
        new.local_port = local_port
        new.remote_address = remote_address
        new.remote_port = remote_port
        new.state = state
        new.pid = pid
        new.process = process
        new.user = user
        new.uid = uid
        new.inode = inode
        new.cmdline = cmdline
        new.cwd = cwd
        new.started = started
        new.source = source
        new.__class__ = Socket
        return new  # type: ignore[return-value]

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
        """A copy with `changes`: the fields copied (_copy), then the changes set over them."""
        if not changes.keys() <= _FIELD_SET:
            raise TypeError(f"Socket has no field(s) {sorted(changes.keys() - _FIELD_SET)}")
        new = _copy(self)
        for name, value in changes.items():  # the few changed fields, set over the copies
            setattr(new, name, value)
        new.__class__ = Socket
        return new  # type: ignore[return-value]

    def key(self) -> tuple[object, ...]:
        """What makes two records the same socket, whoever reported them."""
        return (self.protocol, self.family, self.local_address, self.local_port,
                self.remote_address, self.remote_port)  # fmt: skip


_FIELD_SET = frozenset(Socket.FIELDS)


def _copy(sock: Socket) -> _SocketSlots:
    """`sock`'s fields in a fresh, not yet frozen record (Socket.but, model.build's copies):
    copied one by one as written out, twice as fast as a loop over FIELDS."""
    new = _new(_SocketSlots)
    new.protocol = sock.protocol
    new.family = sock.family
    new.local_address = sock.local_address
    new.local_port = sock.local_port
    new.remote_address = sock.remote_address
    new.remote_port = sock.remote_port
    new.state = sock.state
    new.pid = sock.pid
    new.process = sock.process
    new.user = sock.user
    new.uid = sock.uid
    new.inode = sock.inode
    new.cmdline = sock.cmdline
    new.cwd = sock.cwd
    new.started = sock.started
    new.source = sock.source
    return new


class _ReportSlots:
    """PortReport's fields, filled in past Record's frozen __setattr__ (as _SocketSlots): a
    range asks 65,535 ports, each with its report."""

    __slots__ = ("detail", "port", "reason", "verdict")
    port: int
    verdict: Verdict
    reason: Reason
    #: what the reason is about: the TIME_WAIT count, or the excluded range's (start, end)
    detail: tuple[int, ...]


class PortReport(_ReportSlots, Record):
    __slots__ = ()
    FIELDS = ("port", "verdict", "reason", "detail")

    def __new__(
        cls, *, port: int, verdict: Verdict, reason: Reason, detail: tuple[int, ...] = ()
    ) -> PortReport:
        return new_report(port, verdict, reason, detail)


def new_report(
    port: int, verdict: Verdict, reason: Reason, detail: tuple[int, ...] = (), /
) -> PortReport:
    """PortReport(...) as a positional call: a range asks 65,535 ports, one report each."""
    new = _new(_ReportSlots)
    new.port = port
    new.verdict = verdict
    new.reason = reason
    new.detail = detail
    new.__class__ = PortReport
    return new  # type: ignore[return-value]


class LookupResult(Record):
    __slots__ = (
        "_by_port", "contexts", "host", "inside", "netns", "notes", "origin", "platform", "ports",
        "query", "sockets", "trail",
    )  # fmt: skip
    FIELDS = (
        "query", "sockets", "ports", "trail", "origin", "platform", "host", "notes", "contexts",
        "inside", "netns",
    )  # fmt: skip
    query: Query
    sockets: tuple[Socket, ...]
    ports: tuple[PortReport, ...]
    trail: tuple[Attempt, ...]
    origin: str  # "live", or the file the sockets were read from (--from)
    platform: str  # the OS whose hints apply (this machine's for --from too)
    host: str | None  # the machine asked over ssh (--host); None: this one
    notes: tuple[str, ...]
    #: owner pid -> portwho.context.record.Context (typed there: this package imports nothing
    #: from portwho); empty when contexts were not asked for
    contexts: Mapping[int, Any]
    #: sockets on the asked ports inside other network namespaces: listed, never in a verdict
    inside: tuple[Socket, ...]
    #: socket inode -> the namespace of an `inside` socket ("net:[4026532259]", or its
    #: `ip netns` name); kept here so the one socket record needs no field for it
    netns: Mapping[int, str]
    _by_port: dict[int, tuple[Socket, ...]] | None  # for_port's index, not a field

    def __init__(
        self,
        *,
        query: Query,
        sockets: tuple[Socket, ...] = (),
        ports: tuple[PortReport, ...] = (),
        trail: tuple[Attempt, ...] = (),
        origin: str = "live",
        platform: str = "linux",
        host: str | None = None,
        notes: tuple[str, ...] = (),
        contexts: Mapping[int, Any] | None = None,
        inside: tuple[Socket, ...] = (),
        netns: Mapping[int, str] | None = None,
    ) -> None:
        _set(self, "query", query)
        _set(self, "sockets", sockets)
        _set(self, "ports", ports)
        _set(self, "trail", trail)
        _set(self, "origin", origin)
        _set(self, "platform", platform)
        _set(self, "host", host)
        _set(self, "notes", notes)
        _set(self, "contexts", {} if contexts is None else contexts)
        _set(self, "inside", inside)
        _set(self, "netns", {} if netns is None else netns)
        #: sockets by local port, built at the first for_port(): not a field (no repr, no
        #: equality); a view of 65,535 ports asked each port in turn (minutes)
        _set(self, "_by_port", None)

    def for_port(self, port: int) -> tuple[Socket, ...]:
        index: dict[int, tuple[Socket, ...]] | None = self._by_port
        if index is None:
            index = {p: tuple(group) for p, group in by_port(self.sockets).items()}
            _set(self, "_by_port", index)
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
    return (sock.local_port, sock.protocol, not sock.listening, sock.family, sock.local_address,
            sock.remote_address or "", sock.remote_port or 0, sock.pid or 0)  # fmt: skip
