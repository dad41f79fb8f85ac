"""Sockets inside other network namespaces (containers, `ip netns`), as root on Linux.

The kernel shows each process's own namespace in /proc/PID/net/{tcp,tcp6,udp,udp6}, so one
process per namespace is enough to read its tables: no setns, no thread, no child. Owners
come from the fd tables of that namespace's processes only (a container holds few).
These sockets never change the host's verdict: the caller keeps them apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from portwho.model import FAMILIES, Query, Socket

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


def _tables(pid: int, query: Query) -> list[Socket]:
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
    return [s for s in socks if query.wants(s) and s.inode]


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


def inside(query: Query) -> list[Socket]:
    """The query's sockets in every other namespace, with owner pid and `netns` set."""
    labels = names()
    out: list[Socket] = []
    for ns, pids in by_namespace().items():
        socks = _tables(pids[0], query)
        if not socks:
            continue
        owners = _owners(pids, {s.inode for s in socks if s.inode})
        label = labels.get(ns, ns)
        for sock in socks:
            pid = owners.get(sock.inode or -1)
            out.append(sock.but(pid=pid, netns=label, source="proc-net (netns)"))
    return out
