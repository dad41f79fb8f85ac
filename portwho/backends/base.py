"""What a backend is: a name, and `collect(query, runner) -> Answer`.

A backend module holds the argv it runs, a pure `parse(text) -> list[Socket]`, and a tiny class
whose instance is exported as `BACKEND`. Unavailability and failure are exceptions
(portwho.errors.BackendUnavailable / BackendFailed) that the chain in core catches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho._run import Runner
    from portwho.model import Query, Socket


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
