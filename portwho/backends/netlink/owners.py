"""Which process holds a socket inode: a scan of /proc/PID/fd that stops as soon as it can.

Reading every fd link of every process is what makes `ss -p`, lsof and psutil slow (one
readlink per fd: 37,000 on a busy server). Here the processes are first *probed* cheaply (the
fd table's owner, and the inode numbers behind a few fds at both ends of it) and then scanned
in order of how likely they are to hold a wanted inode, stopping when every inode is placed.

Why the probe works: sockets and pipes take their inode numbers from one counter the kernel
increments as they are created, and a process mostly creates its fds in ascending order, so a
process whose low and high fds bracket the wanted inode (or come nearest to it) is the likely
owner. It only orders the scan; a wrong guess costs time, never a wrong answer.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass

PROC = "/proc"
_FIRST = 3  # the first fd after stdin, stdout and stderr
_NUMBERED = ("socket:[", "pipe:[")  # links whose number comes from the shared inode counter


@dataclass(frozen=True, slots=True)
class Owners:
    pids: dict[int, int]  # socket inode -> pid of the first process found holding it
    scanned: int  # processes whose whole fd table was read
    unreadable: int  # processes whose fd table this user may not read


@dataclass(frozen=True, slots=True)
class _Probe:
    pid: int
    uid_match: bool
    low: int | None  # smallest / largest inode among the probed fds
    high: int | None

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
    pids: dict[int, int] = {}
    scanned = 0
    for probe in probes:
        try:
            held = _socket_inodes(probe.pid)
        except PermissionError:
            unreadable += 1  # a process with no fd to probe is found out only here
            continue
        except OSError:
            continue  # exited meanwhile
        scanned += 1
        for inode in wanted.intersection(held):
            pids[inode] = probe.pid
        wanted.difference_update(held)
        if not wanted:
            break
    return Owners(pids=pids, scanned=scanned, unreadable=unreadable)


def process_name(pid: int) -> str | None:
    try:
        with open(f"{PROC}/{pid}/comm", "rb") as handle:
            return handle.read().decode("utf-8", "replace").rstrip("\n")
    except OSError:
        return None
