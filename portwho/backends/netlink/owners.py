"""Which process holds a socket inode: a scan of /proc/PID/fd that stops as soon as it can.

Reading every fd link of every process is what makes `ss -p`, lsof and psutil slow (one
readlink per fd: 37,000 on a busy server). Here the processes are first *probed* cheaply (the
fd table's owner, and the inode numbers behind a few fds at both ends of it), newest first;
one whose probe brackets a wanted inode is scanned at once, and the search stops when every
inode is placed (the port asked about is mostly the newest server's: a handful of probes).
Otherwise the rest are scanned in order of how likely they are to hold a wanted inode.

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

A listing wants the whole table, whose sockets nearly every process holds: there every fd
table is read once, in /proc's order, and the probe and the family search (which could find
nobody the scan did not read) are skipped.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterable

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

    def brackets(self, wanted: list[int]) -> bool:
        """A wanted inode (`wanted` sorted) lies between the probed fds' inodes."""
        if self.low is None or self.high is None:
            return False
        at = _bisect_left(wanted, self.low)
        return at < len(wanted) and wanted[at] <= self.high

    def rank(self, wanted: list[int]) -> tuple[bool, int, int]:
        """Sort key: the sockets' uid first, then the nearest bracket, then the narrowest."""
        if self.low is None or self.high is None:
            return (not self.uid_match, 1 << 62, 0)
        at = _bisect_left(wanted, self.low)  # wanted is sorted
        if self.brackets(wanted):
            gap = 0
        else:
            below = self.low - wanted[at - 1] if at else 1 << 62
            gap = min(below, wanted[at] - self.high if at < len(wanted) else 1 << 62)
        return (not self.uid_match, gap, self.high - self.low)


def _bisect_left(ordered: list[int], value: int) -> int:
    """bisect.bisect_left, without importing bisect (its C part is a shared library to load:
    a few hundred microseconds of a lookup that probes a handful of processes)."""
    low, high = 0, len(ordered)
    while low < high:
        mid = (low + high) // 2
        if ordered[mid] < value:
            low = mid + 1
        else:
            high = mid
    return low


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


def _links(pid: int) -> list[str]:
    """Every fd link of `pid`: one readlink per fd, in one comprehension (per-fd Python calls
    were a third of a listing's scan); an fd closed meanwhile sends it the slow way."""
    fd_dir = os.open(f"{PROC}/{pid}/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        names = os.listdir(fd_dir)  # noqa: PTH208
        try:
            return [os.readlink(name, dir_fd=fd_dir) for name in names]
        except OSError:
            return [link for name in names if (link := _link(fd_dir, name))]
    finally:
        os.close(fd_dir)


def _link(fd_dir: int, name: str) -> str:
    try:
        return os.readlink(name, dir_fd=fd_dir)
    except OSError:
        return ""  # closed meanwhile


def _held(pid: int, links: dict[str, int]) -> list[int]:
    """The wanted inodes (`links`: "socket:[N]" -> N) in `pid`'s fd table, matched as strings
    by one set intersection: no fd's number is parsed. Raises as _links does."""
    return [links[link] for link in links.keys() & _links(pid)]


def wanted_links(inodes: set[int]) -> dict[str, int]:
    return {f"socket:[{inode}]": inode for inode in inodes}


def find_owners(inodes: set[int], uids: set[int], every_process: bool = False) -> Owners:
    """Map socket inodes to pids; `uids` (the sockets' owners) are tried first.

    `every_process`: the sockets are the whole table (a listing), so nearly every process
    holds one and the scan reads them all anyway: no probe, no ranking, no family search."""
    if not inodes:
        return Owners(pids={}, scanned=0, unreadable=0)
    links = wanted_links(inodes)
    held: dict[int, list[int]] = {}  # pid -> the wanted inodes in its fd table
    if every_process:
        unreadable = _scan(_pids(), links, held, set())
    else:
        wanted = set(inodes)
        unreadable = _probe_and_scan(uids, links, held, wanted)
        if not wanted:  # the scan stopped at the first holders: look for the others
            _search_families(links, held)
    return _owners(held, unreadable)


def _pids() -> list[int]:
    return [int(name) for name in os.listdir(PROC) if name.isdecimal()]  # noqa: PTH208


def _probe_and_scan(
    uids: set[int], links: dict[str, int], held: dict[int, list[int]], wanted: set[int]
) -> int:
    """Probe the processes newest first and scan at once any of the sockets' uid whose probed
    fds bracket a wanted inode, until every wanted inode is placed: a port asked about is
    mostly held by a process started lately (the server just run), so a handful of probes
    instead of one per process. When that does not place them all, the processes not yet
    scanned are scanned in rank order. Returns how many fd tables were unreadable."""
    ordered = sorted(wanted)
    probes: list[_Probe] = []
    unreadable = 0
    for pid in sorted(_pids(), reverse=True):
        try:
            probe = _probe(pid, uids)
        except PermissionError:
            unreadable += 1
            continue
        except OSError:
            continue  # exited meanwhile
        if probe.uid_match and probe.brackets(ordered):
            unreadable += _scan((pid,), links, held, wanted)
            if not wanted:
                return unreadable
        else:
            probes.append(probe)
    probes.sort(key=lambda p: p.rank(ordered))
    return unreadable + _scan((p.pid for p in probes), links, held, wanted)


def _scan(
    pids: Iterable[int], links: dict[str, int], held: dict[int, list[int]], wanted: set[int]
) -> int:
    """Read the fd tables of `pids` into `held`, stopping once `wanted` is emptied (an empty
    `wanted`: read them all). Returns how many tables were unreadable."""
    unreadable = 0
    stop = bool(wanted)
    for pid in pids:
        try:
            held[pid] = found = _held(pid, links)
        except PermissionError:
            unreadable += 1  # a process with no fd to probe is found out only here
            continue
        except OSError:
            continue  # exited meanwhile
        if stop:
            wanted.difference_update(found)
            if not wanted:
                break
    return unreadable


def _owners(held: dict[int, list[int]], unreadable: int) -> Owners:
    """Invert `held` with whole-table dict operations, not a Python step per inode (a listing
    has tens of thousands); a pid's one-holder sockets share one (pid,) tuple."""
    pids: dict[int, tuple[int, ...]] = {}
    for pid in sorted(held):
        found = held[pid]
        shared = pids.keys() & found  # held by an earlier pid too (a pre-fork server)
        alone = [i for i in found if i not in shared] if shared else found
        pids.update(dict.fromkeys(alone, (pid,)))
        for inode in shared:
            pids[inode] += (pid,)
    return Owners(pids=pids, scanned=len(held), unreadable=unreadable)


def _search_families(links: dict[str, int], held: dict[int, list[int]]) -> None:
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
                    held[relative] = _held(relative, links)
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
