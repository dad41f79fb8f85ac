"""psutil: the first backend everywhere.

Linux: net_connections() reads /proc and names every owner it may see; other users' sockets
come back with pid None as non-root, which makes the answer partial. macOS: net_connections()
needs root; on AccessDenied this falls back to each of the user's own processes (partial).
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from portwho.backends.addr import canonical
from portwho.backends.base import Answer
from portwho.errors import BackendFailed, BackendUnavailable
from portwho.model import Family, Protocol, Query, Socket

if TYPE_CHECKING:
    from portwho._run import Runner

NAME = "psutil"


def kind_for(query: Query) -> str:
    """The narrowest psutil `kind` covering the query."""
    protos = sorted(query.protocols)
    fams = sorted(query.families)
    proto = protos[0] if len(protos) == 1 else "inet"
    if proto == "inet":
        return fams[0].replace("ipv", "inet") if len(fams) == 1 else "inet"
    return proto + fams[0][-1] if len(fams) == 1 else proto


def to_socket(conn: Any, pid: int | None = None) -> Socket | None:
    """One psutil connection tuple -> Socket, by field name (tuple positions change in 8)."""
    laddr = conn.laddr
    if not laddr:
        return None
    family: Family = "ipv6" if conn.family == socket.AF_INET6 else "ipv4"
    protocol: Protocol = "tcp" if conn.type == socket.SOCK_STREAM else "udp"
    raddr = conn.raddr
    remote, rport = (None, None)
    if raddr and raddr.port:
        remote, rport = canonical(raddr.ip, family), raddr.port
    status = conn.status if protocol == "tcp" and conn.status != "NONE" else None
    return Socket(
        protocol=protocol,
        family=family,
        local_address=canonical(laddr.ip, family),
        local_port=laddr.port,
        remote_address=remote,
        remote_port=rport,
        state=status,
        pid=conn.pid if pid is None else pid,
        source=NAME,
    )


class PsutilBackend:
    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        try:
            import psutil
        except ImportError as exc:  # pragma: no cover - a dependency, but be honest
            raise BackendUnavailable(f"psutil cannot be imported: {exc}") from exc
        kind = kind_for(query)
        try:
            conns = psutil.net_connections(kind=kind)
        except psutil.AccessDenied:
            return self._own_processes(psutil, kind, query)
        except (OSError, psutil.Error) as exc:
            raise BackendFailed(f"psutil.net_connections failed: {exc}") from exc
        socks = tuple(s for c in conns if (s := to_socket(c)) and query.wants(s))
        hidden = sum(s.needs_owner for s in socks)
        detail = f"{hidden} socket(s) with a hidden owner" if hidden else ""
        return Answer(sockets=socks, complete=not hidden, detail=detail)

    def _own_processes(self, psutil: Any, kind: str, query: Query) -> Answer:
        """macOS without root: ask each process we may inspect (our own) for its sockets."""
        found: list[Socket] = []
        for proc in psutil.process_iter():
            try:
                conns = proc.net_connections(kind=kind)
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            found.extend(s for c in conns if (s := to_socket(c, proc.pid)) and query.wants(s))
        return Answer(
            sockets=tuple(found),
            complete=False,
            detail="system-wide table denied; only this user's processes were asked",
        )


BACKEND = PsutilBackend()
