"""What a backend is: a name, and `collect(query, runner) -> Answer`.

A backend module holds the argv it runs, a pure `parse(text) -> list[Socket]`, and a tiny class
whose instance is exported as `BACKEND`. Unavailability and failure are exceptions
(portwho.errors.BackendUnavailable / BackendFailed) that the chain in core catches.
"""

from __future__ import annotations

import time

from portwho.errors import ToolTimeout
from portwho.model import Socket
from portwho.model.record import Record

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Protocol

    from portwho._run import Completed, Runner
    from portwho.model import Query

_set = object.__setattr__


class Deadline:
    """The runner a chain gives its backends: each tool gets min(its own timeout, the time left
    of the lookup). `runner` None is portwho._run.run, imported when a tool first starts (most
    lookups start none: netlink)."""

    __slots__ = ("end", "runner", "timeout")

    def __init__(self, timeout: float, runner: Runner | None = None) -> None:
        self.timeout, self.runner = timeout, runner
        self.end = time.monotonic() + timeout

    def left(self) -> float:
        return self.end - time.monotonic()

    def spent(self) -> str:
        return f"not tried: the lookup's {self.timeout:g} s (--timeout) were spent"

    def run(self, argv: Sequence[str], timeout: float) -> Completed:
        left = self.left()
        if left <= 0:
            raise ToolTimeout(self.spent())
        if self.runner is None:
            from portwho._run import run

            self.runner = run
        return self.runner(argv, min(timeout, left))


class Answer(Record):
    """What one backend saw.

    `complete` is False when the backend knows another backend might see more: sockets whose
    owner it could not name (pid None) for lack of permission, or only the current user's
    processes. The chain then asks the next backend to fill in. A backend may say complete with
    owners still unnamed when no other backend could name them (e.g. another PID namespace).
    """

    __slots__ = ("all_sockets", "complete", "detail", "exact", "sockets")
    FIELDS = ("sockets", "complete", "detail", "all_sockets", "exact")
    sockets: tuple[Socket, ...]
    complete: bool
    detail: str
    #: False when the backend sees only some processes' sockets (lsof without root, psutil's
    #: per-process fallback on macOS): then seeing nothing on a port does not make it free.
    all_sockets: bool
    #: True when the backend asked for exactly the query's ports, protocols, families and
    #: states (netlink's kernel filter): only the specs' addresses are left to check
    exact: bool

    def __init__(
        self,
        sockets: tuple[Socket, ...],
        complete: bool = True,
        detail: str = "",
        all_sockets: bool = True,
        exact: bool = False,
    ) -> None:
        _set(self, "sockets", sockets)
        _set(self, "complete", complete)
        _set(self, "detail", detail)
        _set(self, "all_sockets", all_sockets)
        _set(self, "exact", exact)


if TYPE_CHECKING:

    class Backend(Protocol):
        name: str

        def collect(self, query: Query, runner: Runner) -> Answer:
            """Return the sockets matching `query` (it may return more; core filters again)."""
            ...


def port_runs(ports: Iterable[int]) -> list[tuple[int, int]]:
    """Ports as inclusive runs, so 8000-8100 is one filter clause (ss, lsof, netlink), not 101."""
    runs: list[tuple[int, int]] = []
    for port in sorted(set(ports)):
        if runs and port == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], port)
        else:
            runs.append((port, port))
    return runs


# -- one record per socket and owner, whichever backends saw it --------------------------------


def merge(known: Iterable[Socket], new: Iterable[Socket]) -> list[Socket]:
    """One record per (socket, pid). An unknown pid never overwrites a known one; a socket seen
    without an owner is dropped once any backend names its owner; and a later backend fills in
    what an earlier one left unknown for the same owner (netstat's pid, then lsof's name)."""
    socks = [*known, *new]
    if len({s.key() for s in socks}) == len(socks):
        return socks  # every socket seen once (one backend answered): nothing to merge
    by_key: dict[tuple[object, ...], dict[int | None, Socket]] = {}
    for sock in socks:
        owners = by_key.setdefault(sock.key(), {})
        first = owners.setdefault(sock.pid, sock)
        if first is not sock:
            owners[sock.pid] = fill_in(first, sock)
    merged: list[Socket] = []
    for owners in by_key.values():
        named = [s for pid, s in owners.items() if pid is not None]
        merged.extend(named or owners.values())
    return merged


def fill_in(first: Socket, later: Socket) -> Socket:
    missing = {
        name: getattr(later, name)
        for name in Socket.FIELDS
        if getattr(first, name) is None and getattr(later, name) is not None
    }
    return first.but(**missing) if missing else first
