"""A process's parents, nearest first, up to init: from /proc on Linux (no psutil import),
from psutil elsewhere. Each read that fails ends the chain where it is."""

from __future__ import annotations

import sys

from portwho.context import read_text
from portwho.context.record import Parent

PROC = "/proc"
MAX_DEPTH = 64  # a loop guard; real chains are a handful deep


def stat_fields(stat: str) -> tuple[str, int, int]:
    """(comm, ppid, start time in clock ticks) from /proc/PID/stat; comm may hold ')'."""
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return comm, int(fields[1]), int(fields[19])


def _read(path: str) -> str | None:
    return read_text(path, "surrogateescape")


def _started(stat: str) -> float | None:
    """procfs's start time, whose boot time is read once a run (for the owners, and now their
    parents too: each owner's chain read /proc/stat again)."""
    from portwho.system import procfs

    try:
        return procfs.started(stat)
    except OSError:  # no /proc/stat, or no btime in it: unknown
        return None


def ppid_linux(pid: int) -> int | None:
    stat = _read(f"{PROC}/{pid}/stat")
    return stat_fields(stat)[1] if stat else None


def parents_linux(pid: int, cache: dict[int, tuple[Parent, int]]) -> tuple[Parent, ...]:
    """`cache` (pid -> (Parent, its ppid)) is shared by every owner of one lookup: servers with
    many workers share their ancestry, which is read once."""
    from portwho.system.procfs import name

    chain: list[Parent] = []
    ppid = ppid_linux(pid)
    while ppid and len(chain) < MAX_DEPTH:
        if ppid not in cache:
            stat = _read(f"{PROC}/{ppid}/stat")
            if stat is None:
                break
            comm, grand, _ = stat_fields(stat)
            args = tuple((_read(f"{PROC}/{ppid}/cmdline") or "").split("\x00"))
            found = Parent(pid=ppid, process=name(comm, args), started=_started(stat))
            cache[ppid] = (found, grand)
        parent, ppid = cache[ppid]
        chain.append(parent)
    return tuple(chain)


def parents_psutil(pid: int) -> tuple[Parent, ...]:
    import psutil

    try:
        procs = psutil.Process(pid).parents()
    except (psutil.Error, OSError):
        return ()
    out = []
    for proc in procs:
        try:
            out.append(Parent(pid=proc.pid, process=proc.name(), started=proc.create_time()))
        except (psutil.Error, OSError):
            out.append(Parent(pid=proc.pid, process=None, started=None))
    return tuple(out)


def parents(pid: int, platform: str, cache: dict[int, tuple[Parent, int]]) -> tuple[Parent, ...]:
    if platform.startswith("linux") and sys.platform.startswith("linux"):
        return parents_linux(pid, cache)
    return parents_psutil(pid)


def environ(pid: int) -> dict[str, str]:
    """The process's environment (Linux; {} when not readable): supervisors name their
    children there (pm2's `name`, supervisord's SUPERVISOR_PROCESS_NAME, tmux's TMUX_PANE)."""
    text = _read(f"{PROC}/{pid}/environ")
    if not text:
        return {}
    pairs = (item.partition("=") for item in text.split("\x00") if "=" in item)
    return {k: v for k, _, v in pairs}
