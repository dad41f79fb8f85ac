"""Sockets inside other network namespaces (containers, `ip netns`), as root on Linux.

One short-lived thread per namespace enters it (setns affects only the calling thread) and
asks sock_diag there, filtered by the port, as the host lookup does. /proc/PID/net/tcp would
need no thread, but the kernel builds that text by walking the socket hash it shares with
every namespace: on a host holding 19,000 sockets, 2 ms a table, for five lines.
Owners come from the fd tables of that namespace's processes only (a container holds few).
These sockets never change the host's verdict: the caller keeps them apart.
"""

from __future__ import annotations

import os

from portwho.model import FAMILIES, Query, Socket

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

PROC = "/proc"
NETNS_DIR = "/run/netns"  # where `ip netns add NAME` mounts them
NOT_ROOT = "other network namespaces (containers) were not looked into: that needs root"


def _link(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def by_namespace() -> dict[str, list[int]]:
    """netns ("net:[4026532184]") -> the pids in it, every namespace but ours."""
    host = _link(f"{PROC}/self/ns/net")
    found: dict[str, list[int]] = {}
    for name in os.listdir(PROC):
        if name.isdecimal():
            ns = _link(f"{PROC}/{name}/ns/net")
            if ns is not None and ns != host:
                found.setdefault(ns, []).append(int(name))
    return found


def names() -> dict[str, str]:
    """netns link text -> its `ip netns` name."""
    out: dict[str, str] = {}
    try:
        entries = os.listdir(NETNS_DIR)
    except OSError:
        return out
    for entry in entries:
        try:
            out[f"net:[{os.stat(os.path.join(NETNS_DIR, entry)).st_ino}]"] = entry
        except OSError:
            continue
    return out


CLONE_NEWNET = 0x40000000


def _setns() -> Callable[[int, int], None]:
    """os.setns (Python 3.12+), else libc's through ctypes (a 1-6 ms import, paid only when
    another namespace exists)."""
    found = getattr(os, "setns", None)
    if found is not None:
        return found  # type: ignore[no-any-return]
    import ctypes

    libc_setns = ctypes.CDLL(None, use_errno=True).setns

    def setns(fd: int, kind: int) -> None:
        if libc_setns(fd, kind) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    return setns


def _dump_each(pids: list[int], query: Query) -> dict[int, list[Socket]]:
    """sock_diag inside the namespace of each pid, from one thread that enters them in turn
    (setns moves only the calling thread; it ends right after). A namespace it could not
    enter is missing from the answer, and its /proc tables answer instead."""
    import threading

    from portwho.backends.netlink.backend import find_sockets
    from portwho.backends.netlink.diag import NetlinkUnavailable

    found: dict[int, list[Socket]] = {}

    def enter_and_ask() -> None:
        setns = _setns()
        for pid in pids:
            try:
                fd = os.open(f"{PROC}/{pid}/ns/net", os.O_RDONLY)
            except OSError:
                continue
            try:
                setns(fd, CLONE_NEWNET)
                entered = True
            except OSError:
                entered = False
            finally:
                os.close(fd)
            if entered:
                import contextlib  # here: its import (collections, functools) is 1 ms

                with contextlib.suppress(NetlinkUnavailable, OSError):
                    found[pid] = find_sockets(query)[0]

    worker = threading.Thread(target=enter_and_ask, name="portwho-netns", daemon=True)
    worker.start()
    worker.join(3.0)
    return dict(found)


def _from_proc(pid: int, query: Query) -> list[Socket]:
    from portwho.backends import proc_net
    from portwho.errors import ParseError

    socks: list[Socket] = []
    for protocol in sorted(query.protocols):
        for family in FAMILIES:
            if family not in query.families:
                continue
            try:
                socks += proc_net.read_table(protocol, family, f"{PROC}/{pid}/net")
            except (OSError, ParseError):
                continue
    return socks


def _owners(pids: Iterable[int], inodes: set[int]) -> dict[int, int]:
    """socket inode -> pid, reading only these processes' fd tables."""
    found: dict[int, int] = {}
    for pid in pids:
        try:
            fds = os.listdir(f"{PROC}/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            target = _link(f"{PROC}/{pid}/fd/{fd}") or ""
            if target.startswith("socket:["):
                inode = int(target[8:-1])
                if inode in inodes:
                    found.setdefault(inode, pid)
        if inodes <= found.keys():
            break
    return found


def inside(query: Query) -> tuple[list[Socket], dict[int, str]]:
    """The query's listeners (and bound UDP sockets) in every other namespace, with owner
    pid, and the namespace of each by socket inode. Connections are left out: they block
    nothing, and asking the kernel for them walks its whole connection table per namespace."""
    query = query.but(listening_only=True)
    groups = by_namespace()
    if not groups:
        return [], {}
    labels = names()
    dumped = _dump_each([pids[0] for pids in groups.values()], query)
    out: list[Socket] = []
    where: dict[int, str] = {}
    for ns, pids in groups.items():
        raw = dumped.get(pids[0])
        socks = [s for s in (raw if raw is not None else _from_proc(pids[0], query))
                 if query.wants(s) and s.inode]  # fmt: skip
        if not socks:
            continue
        owners = _owners(pids, {s.inode for s in socks if s.inode})
        for sock in socks:
            pid = owners.get(sock.inode or -1)
            out.append(sock.but(pid=pid, source=f"{sock.source} (netns)"))
            where[sock.inode or -1] = labels.get(ns, ns)
    return out, where
