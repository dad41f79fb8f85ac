"""Who may be signalled (plan), and the signalling (execute); here, what both and the polls of
`wait` and `watch` ask of a socket, without importing the planner (enum, dataclasses)."""

from __future__ import annotations

from portwho.model import OWNERLESS_STATES

TYPE_CHECKING = False  # not typing's: `wait` and `watch` poll in loops
if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho.model import Socket


def holds(sock: Socket, ports: Iterable[int]) -> bool:
    """Bound to the port: a TCP listener or any UDP socket on it (not a mere connection)."""
    if sock.local_port not in set(ports) or sock.state in OWNERLESS_STATES:
        return False
    return sock.protocol == "udp" or sock.listening
