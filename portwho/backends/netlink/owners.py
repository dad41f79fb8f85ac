"""Which process holds a socket inode: a scan of /proc/PID/fd that stops as soon as it can.

Reading every fd link of every process is what makes `ss -p`, lsof and psutil slow (one
readlink per fd: 37,000 on a busy server). Here the processes are first *probed* cheaply (the
fd table's owner, and the inode numbers behind a few fds at both ends of it) and then scanned
in order of how likely they are to hold a wanted inode, stopping when every inode is placed.

Why the probe works: sockets and pipes take their inode numbers from one counter the kernel
increments as they are created, and a process mostly creates its fds in ascending order, so a
process whose low and high fds bracket the wanted inode (or come nearest to it) is the likely
owner. It only orders the scan; a wrong guess costs time, never a wrong answer.

A socket can have several holders: a pre-fork server's master listens and its workers inherit
the listener. Stopping at the first holder would show one owner where `ss -p` shows five (and
`kill` would miss the workers). The other holders of a socket live next to the first one: its
parent, its process group's leader, its children. So once the scan stops, the holders found
are searched outward through those links, and a relative's own relatives are searched only
when it holds a wanted socket too: a pre-fork family is found whole, and an ordinary owner
costs one look at its parent.
"""

from __future__ import annotations

import bisect
import os

PROC = "/proc"
_FIRST = 3  # the first fd after stdin, stdout and stderr
_NUMBERED = ("socket:[", "pipe:[")  # links whose number comes from the shared inode counter


class Owners:
    """Plain slotted classes, not dataclasses: their import is a tenth of a lookup."""

    __slots__ = ("pids", "scanned", "unreadable")

    def __init__(self, *, pids: dict[int, tuple[int, ...]], scanned: int, unreadable: int) -> None:
        self.pids = pids  # socket inode -> every process found holding it
        self.scanned = scanned  # processes whose whole fd table was read
        self.unreadable = unreadable  # processes whose fd table this user may not read


class _Probe:
    __slots__ = ("high", "low", "pid", "uid_match")

    def __init__(self, pid: int, uid_match: bool, low: int | None, high: int | None) -> None:
        self.pid = pid
        self.uid_match = uid_match
        self.low = low  # smallest / largest inode among the probed fds
        self.high = high

    def rank(self, wanted: list[int]) -> tuple[bool, int, int]:
        """Sort key: the sockets' uid first, then the nearest bracket, then the narrowest."""
        if self.low is None or self.high is None:
            return (not self.uid_match, 1 << 62, 0)
        at = bisect.bisect_left(wanted, self.low)  # wanted is sorted
        if at < len(wanted) and wanted[at] <= self.high:
            gap = 0
        else:
            below = self.low - wanted[at - 1] if at else 1 << 62
            gap = min(below, wanted[at] - self.high if at < len(wanted) else 1 << 62)
        return (not self.uid_match, gap, self.high - self.low)


def _number(target: str) -> int | None:
    if target.startswith(_NUMBERED) and target.endswith("]"):
        return int(target[target.index("[") + 1 : -1])
    return None


def _probe(pid: int, uids: set[int]) -> _Probe:
    """Read two fd links without listing the fd table (listing costs a dentry per fd).

    Since Linux 6.2 the size of /proc/PID/fd is the number of open fds; fds are mostly dense,
    so the last one is near size - 1. On older kernels (size 0) only the low end is probed.
    Raises PermissionError (not ours to read) or OSError (exited).
    """
    # os.* rather than pathlib throughout: this runs for every process and every fd.
    base = f"{PROC}/{pid}/fd"
    info = os.stat(base)  # noqa: PTH116
    numbers: list[int] = []
    for fd in {_FIRST, max(_FIRST, info.st_size - 1)}:
        try:
            number = _number(os.readlink(f"{base}/{fd}"))  # noqa: PTH115
        except FileNotFoundError:
            continue
        if number is not None:
            numbers.append(number)
    return _Probe(pid, info.st_uid in uids, min(numbers, default=None), max(numbers, default=None))


def _inode(fd_dir: int, name: str) -> int | None:
    try:
        return _number(os.readlink(name, dir_fd=fd_dir))
    except OSError:
        return None  # closed meanwhile


def _socket_inodes(pid: int) -> list[int]:
    fd_dir = os.open(f"{PROC}/{pid}/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        targets = [_inode(fd_dir, name) for name in os.listdir(fd_dir)]  # noqa: PTH208
    finally:
        os.close(fd_dir)
    return [t for t in targets if t is not None]


def find_owners(inodes: set[int], uids: set[int]) -> Owners:
    """Map socket inodes to pids; `uids` (the sockets' owners) are tried first."""
    wanted = set(inodes)
    if not wanted:
        return Owners(pids={}, scanned=0, unreadable=0)
    probes: list[_Probe] = []
    unreadable = 0
    for name in os.listdir(PROC):  # noqa: PTH208
        if name.isdecimal():
            try:
                probes.append(_probe(int(name), uids))
            except PermissionError:
                unreadable += 1
            except OSError:
                continue  # exited meanwhile
    ordered = sorted(wanted)
    probes.sort(key=lambda p: p.rank(ordered))
    every = frozenset(wanted)
    held: dict[int, frozenset[int]] = {}  # pid -> the wanted inodes in its fd table
    for probe in probes:
        try:
            inodes_held = every.intersection(_socket_inodes(probe.pid))
        except PermissionError:
            unreadable += 1  # a process with no fd to probe is found out only here
            continue
        except OSError:
            continue  # exited meanwhile
        held[probe.pid] = inodes_held
        wanted.difference_update(inodes_held)
        if not wanted:
            break
    _search_families(every, held)
    pids: dict[int, list[int]] = {}
    for pid in sorted(held):
        for inode in held[pid]:
            pids.setdefault(inode, []).append(pid)
    return Owners(
        pids={i: tuple(p) for i, p in pids.items()}, scanned=len(held), unreadable=unreadable
    )


def _search_families(every: frozenset[int], held: dict[int, frozenset[int]]) -> None:
    """Add the other holders of the sockets found: outward from each holder through its
    parent, group leader and children, on through relatives that hold a wanted socket too."""
    queue = [pid for pid, inodes in held.items() if inodes]
    seen = set(queue)
    while queue:
        for relative in _relatives(queue.pop()):
            if relative in seen:
                continue
            seen.add(relative)
            if relative not in held:
                try:
                    held[relative] = every.intersection(_socket_inodes(relative))
                except OSError:  # not ours to read, or exited
                    continue
            if held[relative]:
                queue.append(relative)


def _relatives(pid: int) -> list[int]:
    """Parent, process group leader and children (of the main thread) of `pid`; never pid 0,
    1 (init, which may hold sockets for socket activation: never a pre-fork sibling) or 2."""
    try:
        with open(f"{PROC}/{pid}/stat", "rb") as handle:
            fields = handle.read().rpartition(b")")[2].split()
        with open(f"{PROC}/{pid}/task/{pid}/children", "rb") as handle:
            children = [int(c) for c in handle.read().split()]
    except (OSError, IndexError, ValueError):
        return []
    ppid, pgrp = int(fields[1]), int(fields[2])  # after "(comm)": state, ppid, pgrp
    return [p for p in (ppid, pgrp, *children) if p > 2 and p != pid]


def process_name(pid: int) -> str | None:
    try:
        with open(f"{PROC}/{pid}/comm", "rb") as handle:
            return handle.read().decode("utf-8", "replace").rstrip("\n")
    except OSError:
        return None
