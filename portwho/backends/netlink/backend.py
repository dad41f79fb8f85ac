"""The Linux fast path: sockets from NETLINK_SOCK_DIAG (or /proc/net/*), owners from /proc/PID/fd.

The kernel filters by port, so a free port is one netlink round trip per table and no process
scan. When sockets match, their inodes are looked up in /proc/PID/fd, processes owned by the
socket's uid first, stopping as soon as every inode has an owner. Only the pid and the name
(/proc/PID/comm) are filled in here: core enriches the pids it keeps.

Kept import-light on purpose (no psutil, no ipaddress): it runs from prompts and wait loops.
"""

from __future__ import annotations

import os

from portwho.backends.base import Answer, port_runs
from portwho.backends.netlink import diag as netlink_diag
from portwho.backends.netlink.owners import PROC, Owners, find_owners, process_name
from portwho.errors import BackendUnavailable
from portwho.model import FAMILIES, Family, Protocol, Query, Socket
from portwho.model.build import fill_owner, with_owner
from portwho.system.host import is_root

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterator

    from portwho._run import Runner

_SHORT = {"ipv4": "4", "ipv6": "6"}
_PORTS = 65535


def state_mask(protocol: Protocol, listening_only: bool) -> int:
    if not listening_only:
        return netlink_diag.ALL_STATES
    return 1 << (netlink_diag.TCP_LISTEN if protocol == "tcp" else netlink_diag.TCP_CLOSE)


def _from_proc(protocol: Protocol, family: Family, query: Query) -> list[Socket]:
    from portwho.backends import proc_net  # only on the fallback: it brings in `re`

    try:
        table = proc_net.read_table(protocol, family)
    except OSError as exc:
        raise BackendUnavailable(f"neither sock_diag nor /proc/net/{protocol}: {exc}") from exc
    return [s.but(source="netlink") for s in table if query.wants(s)]


class _Dump:
    """How to ask the kernel for one query's sockets."""

    __slots__ = ("bytecode", "mask_listening", "sport")

    def __init__(self, mask_listening: bool, bytecode: bytes | None, sport: int) -> None:
        self.mask_listening = mask_listening
        self.bytecode = bytecode
        self.sport = sport  # the one queried port, checked before the bytecode; 0: several

    def run(self, protocol: Protocol, family: Family | None) -> list[Socket]:
        mask = state_mask(protocol, self.mask_listening)
        return netlink_diag.dump(protocol, family, mask, self.bytecode, self.sport)


def _tables(query: Query) -> list[tuple[Protocol, Family | None]]:
    """TCP in both families is one walk of the kernel's table (its hash is shared), not two."""
    wanted: list[tuple[Protocol, Family | None]] = []
    for protocol in sorted(query.protocols):
        if protocol == "tcp" and len(query.families) == 2:
            wanted.append(("tcp", None))
        else:
            wanted += [(protocol, family) for family in sorted(query.families)]
    return wanted


def _tag(protocol: Protocol, family: Family | None) -> str:
    return " ".join(protocol + _SHORT[f] for f in ((family,) if family else ("ipv4", "ipv6")))


def _one_table(
    how: _Dump, protocol: Protocol, family: Family | None, query: Query, use_netlink: bool
) -> Iterator[tuple[str, str, list[Socket]]]:
    """Yield (source, tables, sockets): sock_diag first; a refused both-families request is
    asked again per family; /proc/net/* when netlink is unavailable."""
    if use_netlink:
        try:
            yield "netlink", _tag(protocol, family), how.run(protocol, family)
            return
        except netlink_diag.NetlinkUnavailable:
            if family is None:
                for one in FAMILIES:
                    yield from _one_table(how, protocol, one, query, use_netlink)
                return
    for one in (family,) if family else FAMILIES:
        yield "/proc/net", _tag(protocol, one), _from_proc(protocol, one, query)


def find_sockets(query: Query, use_netlink: bool = True) -> tuple[list[Socket], str]:
    """The sockets matching `query` and which source answered for each table."""
    if query.ports is not None and not query.ports:
        return [], "no ports asked"
    ports = sorted(query.ports or ()) if len(query.ports or ()) < _PORTS else []  # all: no filter
    code = netlink_diag.port_filter(port_runs(ports)) if ports else None
    how = _Dump(query.listening_only, code, ports[0] if len(ports) == 1 else 0)
    found: list[Socket] = []
    via: dict[str, list[str]] = {"netlink": [], "/proc/net": []}
    for protocol, family in _tables(query):
        for source, tables, sockets in _one_table(how, protocol, family, query, use_netlink):
            found += sockets
            via[source].append(tables)
    return found, "; ".join(f"{k}: {' '.join(v)}" for k, v in via.items() if v)


def attach_owners(
    sockets: list[Socket], every_process: bool = False, fresh: bool = False
) -> tuple[list[Socket], Owners]:
    """One record per socket and holder (a shared socket is one per holder: model.py).

    `fresh`: `sockets` are find_sockets' own records, handed to nobody yet, so each socket's
    first holder is filled into its record (model.build.fill_owner) instead of a copy: a copy
    per socket was a fifth of a listing's owner search."""
    owners = find_owners(
        {s.inode for s in sockets if s.inode},
        {s.uid for s in sockets if s.inode is not None and s.uid is not None},
        every_process,
    )
    holders = owners.pids.get  # None and 0 (no inode, not accepted yet) are in no table
    names = {pid: process_name(pid) for pid in {p for ps in set(owners.pids.values()) for p in ps}}
    result: list[Socket] = []
    for sock in sockets:
        pids = holders(sock.inode)  # type: ignore[arg-type]
        if pids is None:
            result.append(sock)
        elif fresh:
            result.append(fill_owner(sock, pids[0], names[pids[0]]))
            if len(pids) > 1:
                result += [with_owner(sock, pid, names[pid]) for pid in pids[1:]]
        else:
            result += [with_owner(sock, pid, names[pid]) for pid in pids]
    return result, owners


class NetlinkBackend:
    """`use_netlink=False` forces the /proc/net/* tables (tests; kernels without sock_diag)."""

    __slots__ = ("name", "use_netlink")

    def __init__(self, name: str = "netlink", use_netlink: bool = True) -> None:
        self.name = name
        self.use_netlink = use_netlink

    def collect(self, query: Query, runner: Runner | None = None) -> Answer:
        if not os.path.isdir(f"{PROC}/self/fd"):  # noqa: PTH112
            raise BackendUnavailable("no Linux /proc here")
        found, via = find_sockets(query, self.use_netlink)
        # every port asked (none named, or 1-65535): the whole table, which nearly every
        # process holds a socket of (owners.find_owners)
        whole = query.ports is None or len(query.ports) >= _PORTS
        sockets, owners = attach_owners(found, every_process=whole, fresh=True)
        # TIME_WAIT (no inode) has no owner to hide; anything else without a pid is hidden.
        hidden = sum(1 for s in sockets if s.pid is None and s.inode)
        detail = f"{via}; owners: {owners.scanned} processes scanned"
        if hidden:
            detail += f", {hidden} sockets without owner ({owners.unreadable} fd tables unreadable)"
        # Every other backend reads the same /proc: when we could read every fd table (or are
        # root), an owner we did not find lives in another PID namespace and nobody can name it.
        final = hidden == 0 or owners.unreadable == 0 or is_root()
        # the kernel was asked for the query's tables, states and ports, and /proc/net's
        # fallback kept what the query wants: only the specs' addresses are left to check
        return Answer(sockets=tuple(sockets), complete=final, detail=detail, exact=True)


BACKEND = NetlinkBackend()


def _main(argv: list[str]) -> int:
    """`python -m portwho.backends.netlink.backend [PORT...]`: the backend alone (bench, debugging).
    No ports lists every listener. Exit 0 when something holds a port, 1 when free."""
    ports = frozenset(int(a) for a in argv)
    query = Query(ports=ports or None, listening_only=not ports)
    answer = BACKEND.collect(query)
    for s in answer.sockets:
        peer = f"{s.remote_address}:{s.remote_port}" if s.remote_port else "*"
        print(s.protocol + s.family[-1], f"{s.local_address}:{s.local_port}", peer,
              s.state or "-", s.pid, s.process, sep="\t")  # fmt: skip
    return 0 if answer.sockets else 1


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv[1:]))
