"""What a lookup asks for: the ports (and the specs as typed behind them), protocols,
families, and which owners to keep."""

from __future__ import annotations

from portwho.model.record import Record

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho.model import Family, Protocol, Socket

_set = object.__setattr__
_ALL_PROTOCOLS: frozenset[Protocol] = frozenset(("tcp", "udp"))
_ALL_FAMILIES: frozenset[Family] = frozenset(("ipv4", "ipv6"))
_ALL_PORTS = 65535


class Spec(Record):
    """One port spec as typed (`8000`, `8000-8010`, `127.0.0.1:8000`, `8000/udp`, `http`).

    `addresses` holds the address asked for and the wildcards that also serve it (None: any);
    `protocol` None means both. A spec is one answer for the exit code, however many ports."""

    __slots__ = ("addresses", "ports", "protocol", "text")
    FIELDS = ("text", "ports", "addresses", "protocol")
    text: str
    ports: frozenset[int]
    addresses: frozenset[str] | None
    protocol: Protocol | None

    def __init__(
        self,
        *,
        text: str,
        ports: frozenset[int],
        addresses: frozenset[str] | None = None,
        protocol: Protocol | None = None,
    ) -> None:
        _set(self, "text", text)
        _set(self, "ports", ports)
        _set(self, "addresses", addresses)
        _set(self, "protocol", protocol)

    @property
    def narrows(self) -> bool:
        return self.addresses is not None or self.protocol is not None

    def matches(self, sock: Socket) -> bool:
        if sock.local_port not in self.ports:
            return False
        if self.protocol is not None and sock.protocol != self.protocol:
            return False
        return self.addresses is None or sock.local_address in self.addresses


class Owners(Record):
    """--pid, --process, --user: which owners to keep (None: any). Applied once owners are
    known (after enrichment), so a backend never has to know about them."""

    __slots__ = ("pids", "processes", "users")
    FIELDS = ("pids", "processes", "users")
    pids: frozenset[int] | None
    processes: frozenset[str] | None
    users: frozenset[str] | None

    def __init__(
        self,
        *,
        pids: frozenset[int] | None = None,
        processes: frozenset[str] | None = None,
        users: frozenset[str] | None = None,
    ) -> None:
        _set(self, "pids", pids)
        _set(self, "processes", processes)
        _set(self, "users", users)

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


_ANY_OWNER = Owners()


class Query(Record):
    """What to look for. `ports` None means every port (used for listing); `specs` are the
    typed specs behind `ports`, with any address or protocol they narrow to."""

    __slots__ = (
        "_every",
        "_narrowed",
        "families",
        "listening_only",
        "owners",
        "ports",
        "protocols",
        "specs",
    )
    FIELDS = ("ports", "protocols", "families", "listening_only", "specs", "owners")
    ports: frozenset[int] | None
    protocols: frozenset[Protocol]
    families: frozenset[Family]
    listening_only: bool
    specs: tuple[Spec, ...]
    owners: Owners
    _narrowed: bool
    _every: bool

    def __init__(
        self,
        *,
        ports: frozenset[int] | None = None,
        protocols: frozenset[Protocol] = _ALL_PROTOCOLS,
        families: frozenset[Family] = _ALL_FAMILIES,
        listening_only: bool = False,
        specs: tuple[Spec, ...] = (),
        owners: Owners = _ANY_OWNER,
    ) -> None:
        _set(self, "ports", ports)
        _set(self, "protocols", protocols)
        _set(self, "families", families)
        _set(self, "listening_only", listening_only)
        _set(self, "specs", specs)
        _set(self, "owners", owners)
        #: some spec narrows to an address or protocol: not a field (wants() asks it per socket)
        _set(self, "_narrowed", any(s.narrows for s in specs))
        every = ports is None or len(ports) >= _ALL_PORTS  # every port, protocol and family
        _set(self, "_every", every and len(protocols) == len(families) == 2 and not self._narrowed)

    def select(self, socks: Iterable[Socket], exact: bool = False) -> tuple[Socket, ...]:
        """The sockets this query wants: all of them, when it wants every socket of every port,
        protocol and family (a range of 1-65535 asks 32,000 sockets what it already knows), or
        when `exact`: they are what was asked for (a kernel's filter), and no spec names an
        address (a listing asked 25,000 listeners whether they listen)."""
        if (self._every and not self.listening_only) or (exact and not self._narrowed):
            return tuple(socks)
        return tuple(s for s in socks if self.wants(s))

    def wants(self, sock: Socket) -> bool:
        if self.ports is not None and sock.local_port not in self.ports:
            return False
        if sock.protocol not in self.protocols or sock.family not in self.families:
            return False
        if self.listening_only and not sock.listening:
            return False
        return not self._narrowed or any(s.matches(sock) for s in self.specs)
