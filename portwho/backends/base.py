"""What a backend is: a name, and `collect(query, runner) -> Answer`.

A backend module holds the argv it runs, a pure `parse(text) -> list[Socket]`, and a tiny class
whose instance is exported as `BACKEND`. Unavailability and failure are exceptions
(portwho.errors.BackendUnavailable / BackendFailed) that the chain in core catches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from portwho.model import Socket

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query


@dataclass(frozen=True, slots=True)
class Answer:
    """What one backend saw.

    `complete` is False when the backend knows another backend might see more: sockets whose
    owner it could not name (pid None) for lack of permission, or only the current user's
    processes. The chain then asks the next backend to fill in. A backend may say complete with
    owners still unnamed when no other backend could name them (e.g. another PID namespace).
    """

    sockets: tuple[Socket, ...]
    complete: bool = True
    detail: str = ""
    #: False when the backend sees only some processes' sockets (lsof without root, psutil's
    #: per-process fallback on macOS): then seeing nothing on a port does not make it free.
    all_sockets: bool = True


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
    by_key: dict[tuple[object, ...], dict[int | None, Socket]] = {}
    for sock in [*known, *new]:
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
        f.name: getattr(later, f.name)
        for f in dataclasses.fields(Socket)
        if getattr(first, f.name) is None and getattr(later, f.name) is not None
    }
    return first.but(**missing) if missing else first
