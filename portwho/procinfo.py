"""Process details for the pids a lookup found: name, user, command line, cwd, start time.

Every pid gets the same treatment whichever backend found it. A field psutil may not read
(AccessDenied) stays None; a process that exited mid-lookup keeps only what the backend saw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from portwho.model import Socket


def _field(proc: Any, psutil: Any, method: str) -> Any:
    try:
        return getattr(proc, method)()
    except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
        return None


def describe(pid: int) -> dict[str, Any]:
    """What psutil may tell about `pid`; {} when the process is gone."""
    import psutil

    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            cmdline = _field(proc, psutil, "cmdline")
            return {
                "process": _field(proc, psutil, "name"),
                "user": _field(proc, psutil, "username"),
                "cmdline": tuple(cmdline) if cmdline else None,
                "cwd": _field(proc, psutil, "cwd"),
                "started": _field(proc, psutil, "create_time"),
            }
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return {}


def enrich(sockets: Iterable[Socket]) -> list[Socket]:
    """Fill in owner details; what a backend already knew is kept when psutil knows less."""
    cache: dict[int, dict[str, Any]] = {}
    out = []
    for sock in sockets:
        if sock.pid is None:
            out.append(sock)
            continue
        if sock.pid not in cache:
            cache[sock.pid] = describe(sock.pid)
        known = {k: v for k, v in cache[sock.pid].items() if v is not None}
        out.append(dataclasses.replace(sock, **known))
    return out
