"""Process details for the pids a lookup found: name, user, command line, cwd, start time.

Every pid gets the same treatment whichever backend found it: psutil, or on Linux the same
facts read from /proc directly (portwho.system.procfs). A field we may not read stays None; a
process that exited mid-lookup keeps only what the backend saw.
"""

from __future__ import annotations

import sys

from portwho.model import Socket
from portwho.model.build import fill_details, with_details

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from portwho.model.build import Details


def _field(proc: Any, psutil: Any, method: str) -> Any:
    try:
        return getattr(proc, method)()
    except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
        return None


def describe(pid: int, platform: str | None = None) -> dict[str, Any]:
    """Name, user, command line, cwd and start of `pid`; {} when the process is gone."""
    if (platform or sys.platform).startswith("linux"):
        from portwho.system import procfs

        return procfs.describe(pid)
    return describe_psutil(pid)


def describe_psutil(pid: int) -> dict[str, Any]:
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


def enrich(
    sockets: Iterable[Socket], platform: str | None = None, in_place: bool = False
) -> list[Socket]:
    """Fill in owner details; what a backend already knew is kept when psutil knows less.

    `in_place`: `sockets` is a list of records its caller owns and has handed to nobody (a
    backend's, fresh from its table): the details are filled into those records, not copies."""
    socks = sockets if in_place and isinstance(sockets, list) else list(sockets)
    fill = fill_details if socks is sockets else with_details
    pids = {s.pid for s in socks if s.pid is not None}
    details = {pid: describe(pid, platform) for pid in pids}
    if (platform or sys.platform) == "darwin":
        _from_ps(details)
    # what is known of each owner, worked out once per pid (a listing holds ~60 sockets a pid)
    known: dict[int | None, Details] = {
        pid: (d.get("process"), d.get("user"), d.get("cmdline"), d.get("cwd"), d.get("started"))
        for pid, d in details.items()
        if any(v is not None for v in d.values())
    }
    for at, sock in enumerate(socks):
        if found := known.get(sock.pid):
            socks[at] = fill(sock, found)
    return socks


def _from_ps(details: dict[int, dict[str, Any]]) -> None:
    """macOS denies psutil other users' processes; `ps` still names them (and their users)."""
    from portwho._run import run
    from portwho.errors import BackendFailed, BackendUnavailable
    from portwho.system import ps

    missing = [pid for pid, d in details.items() if d.get("process") is None or not d.get("user")]
    if not missing:
        return
    try:
        found = ps.describe(missing, run)
    except (BackendFailed, BackendUnavailable):
        return
    for pid, info in found.items():
        d = details[pid]
        for key in ("process", "user", "cmdline"):
            if d.get(key) is None:
                d[key] = getattr(info, key)


def attribute_queued(socks: list[Socket]) -> list[Socket]:
    """A connection the kernel completed but no process has accepted yet (TCP, inode 0, no
    pid) belongs to whoever holds the listener it waits on: one record per listener owner.
    Left unowned it read as "owner not visible", even to root, and kill told root to sudo."""
    queued = [s for s in socks if s.inode == 0 and s.pid is None and s.protocol == "tcp"]
    if not queued:
        return socks
    owners: dict[tuple[object, ...], list[Socket]] = {}
    for s in socks:
        if s.state == "LISTEN" and s.pid is not None:
            owners.setdefault((s.family, s.local_port), []).append(s)
    waiting = {id(s) for s in queued}
    out = [s for s in socks if id(s) not in waiting]
    for conn in queued:
        holders = [
            lst
            for lst in owners.get((conn.family, conn.local_port), [])
            if lst.local_address in (conn.local_address, "0.0.0.0", "::")
        ]
        out += [
            conn.but(pid=h.pid, process=h.process, user=h.user, uid=h.uid) for h in holders
        ] or [conn]
    return out
