"""The netlink backend against psutil on real sockets held by real child processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess  # long-lived children; portwho._run only runs to completion
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portwho.backends.addr import canonical
from portwho.backends.base import port_runs
from portwho.backends.netlink import backend as netlink
from portwho.backends.netlink import diag as netlink_diag
from portwho.model import Protocol, Query, Socket
from tests.live.helpers import world_readable_package
from tests.tools import need

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux only")]
REPO_ROOT = Path(__file__).resolve().parents[2]
# A python that uid 65534 may run (the dev interpreter often lives under a private /root).
SYSTEM_PY = next(
    (p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if os.access(p, os.X_OK)), None
)

# Holds, on one port: TCP listeners on 127.0.0.1 and ::1, an accepted connection, UDP on both.
HOLDER = """
import socket, sys
keep = []
for _ in range(50):
    lis = socket.socket(); lis.bind(("127.0.0.1", 0)); lis.listen(); port = lis.getsockname()[1]
    try:
        six = socket.socket(socket.AF_INET6); six.bind(("::1", port)); six.listen()
        u4 = socket.socket(type=socket.SOCK_DGRAM); u4.bind(("127.0.0.1", port))
        u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::1", port))
        break
    except OSError:
        lis.close()
cli = socket.create_connection(("127.0.0.1", port)); srv, _ = lis.accept()
keep += [lis, six, u4, u6, cli, srv]
print(port, flush=True)
sys.stdin.read()
"""
LISTENER = """
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
sys.stdin.read()
"""


@dataclass
class Child:
    proc: subprocess.Popen[str]
    port: int


def _spawn(code: str, user: int | None = None) -> Child:
    exe = sys.executable if user is None else SYSTEM_PY or sys.executable
    proc = subprocess.Popen(
        [exe, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, user=user
    )
    assert proc.stdout is not None
    return Child(proc=proc, port=int(proc.stdout.readline()))


def _stop(child: Child) -> None:
    child.proc.kill()
    child.proc.wait(5)


@pytest.fixture(scope="module")
def holder() -> Iterator[Child]:
    child = _spawn(HOLDER)
    yield child
    _stop(child)


@pytest.fixture(scope="module")
def nobody() -> Iterator[Child]:
    if os.geteuid() != 0 or SYSTEM_PY is None:
        pytest.skip("needs root and a system python3 to start a child as uid 65534")
    child = _spawn(LISTENER, user=65534)
    yield child
    _stop(child)


def _view(socks: list[Socket] | tuple[Socket, ...]) -> set[tuple[object, ...]]:
    return {(*s.key(), s.state, s.pid) for s in socks}


def _oracle(port: int) -> set[tuple[object, ...]]:
    """Plain psutil, as a user would write it."""
    out = set()
    for c in psutil.net_connections("inet"):
        if not c.laddr or c.laddr.port != port:
            continue
        tcp = c.type == socket.SOCK_STREAM
        fam = "ipv6" if c.family == socket.AF_INET6 else "ipv4"
        raddr = (canonical(c.raddr.ip), c.raddr.port) if c.raddr else (None, None)
        out.add(("tcp" if tcp else "udp", fam, canonical(c.laddr.ip), port, *raddr,
                 c.status if tcp else None, c.pid))  # fmt: skip
    return out


@pytest.mark.parametrize("use_netlink", [True, False], ids=["netlink", "proc-fallback"])
def test_same_sockets_and_owners_as_psutil(holder: Child, use_netlink: bool) -> None:
    answer = netlink.NetlinkBackend(use_netlink=use_netlink).collect(
        Query(ports=frozenset({holder.port}))
    )
    expected = _oracle(holder.port)
    assert len(expected) == 5  # the fixture really holds what it claims
    assert _view(answer.sockets) == expected
    assert {s.pid for s in answer.sockets} == {holder.proc.pid}
    assert {s.process for s in answer.sockets} == {psutil.Process(holder.proc.pid).name()}
    assert answer.complete
    assert ("netlink:" in answer.detail) == use_netlink
    assert ("/proc/net:" in answer.detail) != use_netlink


@pytest.mark.parametrize("use_netlink", [True, False], ids=["netlink", "proc-fallback"])
def test_other_users_listener(nobody: Child, use_netlink: bool) -> None:
    tcp: frozenset[Protocol] = frozenset({"tcp"})  # the port may be in use in UDP as well
    answer = netlink.NetlinkBackend(use_netlink=use_netlink).collect(
        Query(ports=frozenset({nobody.port}), protocols=tcp)
    )
    assert _view(answer.sockets) == {v for v in _oracle(nobody.port) if v[0] == "tcp"}
    assert [(s.pid, s.uid, s.state) for s in answer.sockets] == [(nobody.proc.pid, 65534, "LISTEN")]


def test_unprivileged_reader_sees_socket_but_not_owner(holder: Child) -> None:
    """As uid 65534, root's fd tables are closed: the socket is there, the owner is hidden."""
    if os.geteuid() != 0 or SYSTEM_PY is None:
        pytest.skip("needs root and a system python3 to drop privileges")
    code = (
        "import json, sys; from portwho.backends.netlink.backend import BACKEND;"
        "from portwho.model import Query;"
        f"a = BACKEND.collect(Query(ports=frozenset({{{holder.port}}})));"
        "print(json.dumps([a.complete, [[s.state, s.pid] for s in a.sockets]]))"
    )
    out = subprocess.run(
        [SYSTEM_PY, "-c", code], capture_output=True, text=True, user=65534,
        cwd=world_readable_package(), check=True, timeout=30,
    )  # fmt: skip
    complete, rows = json.loads(out.stdout)
    assert complete is False
    assert len(rows) == 5 and all(pid is None for _, pid in rows)


def test_listening_only_keeps_listeners_and_unconnected_udp(holder: Child) -> None:
    query = Query(ports=frozenset({holder.port}), listening_only=True)
    answer = netlink.BACKEND.collect(query)
    assert {(s.protocol, s.family, s.state) for s in answer.sockets} == {
        ("tcp", "ipv4", "LISTEN"), ("tcp", "ipv6", "LISTEN"), ("udp", "ipv4", None),
        ("udp", "ipv6", None)}  # fmt: skip


def _free_port() -> int:
    """A port no socket of any protocol uses right now. The OS's pick is free in TCP only: UDP
    has its own numbers, which another process (a load on this machine) may hold."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
        if not _oracle(port):
            return port
    raise AssertionError("no port free in both TCP and UDP in 100 tries")


def test_free_port_is_empty_and_fast() -> None:
    port = _free_port()
    answer = netlink.BACKEND.collect(Query(ports=frozenset({port})))
    assert answer.sockets == () and answer.complete
    # the cost is measured by make bench; here, the proof that a free port scans no process
    assert "0 processes scanned" in answer.detail


def _all_tcp4() -> list[Socket]:
    return netlink_diag.dump("tcp", "ipv4")


#: runs in a network namespace of its own, where the only sockets are the ones it opens, so
#: the kernel's filtered dump can be compared with Python's filter of the full dump exactly
#: (on the shared machine, other processes open and close sockets between two dumps)
PRIVATE_NETNS = """
import json, socket, subprocess, sys
from portwho.backends.netlink import diag
subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=10)
held = []
for port in (1, 2000, 2001, 3000, 40000, 65535):
    s = socket.socket(); s.bind(("127.0.0.1", port)); s.listen(); held.append(s)
peer = socket.create_connection(("127.0.0.1", 3000)); held += [peer, held[3].accept()[0]]
every = diag.dump("tcp", "ipv4")
result = []
for runs in json.loads(sys.stdin.read()):
    runs = [tuple(r) for r in runs]
    got = diag.dump("tcp", "ipv4", bytecode=diag.port_filter(runs))
    want = [s for s in every if any(lo <= s.local_port <= hi for lo, hi in runs)]
    result.append([sorted(map(repr, got)) == sorted(map(repr, want)), len(got)])
print(json.dumps(result))
"""


def _in_private_netns(cases: list[list[tuple[int, int]]]) -> list[list[Any]]:
    if os.geteuid() != 0:
        pytest.skip("a private network namespace needs root")
    need("unshare")
    done = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", PRIVATE_NETNS],
        input=json.dumps(cases), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    answer: list[list[Any]] = json.loads(done.stdout)
    return answer


def test_filter_ranges_and_several_ports() -> None:
    cases = [[(2000, 2000)], [(2000, 3000)], [(2000, 2000), (3000, 3000)],
             [(1, 1999), (3000, 3000)], [(2001, 2999)], [(1, 1)], [(65535, 65535)],
             [(1, 65535)], [(3001, 32767)]]  # fmt: skip
    answers = _in_private_netns(cases)
    assert all(same for same, _ in answers), list(zip(cases, answers, strict=True))
    counts = [n for _, n in answers]
    # 3000 has its listener and the accepted end (the client end has an ephemeral port)
    assert counts == [1, 4, 3, 3, 1, 1, 1, 8, 0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 65535), min_size=1, max_size=40))
def test_filter_matches_python_for_any_port_set(ports: list[int]) -> None:
    (answer,) = _in_private_netns([port_runs(ports)])
    assert answer[0], ports


def test_port_ranges_collapse_runs() -> None:
    assert port_runs([8002, 8000, 8001, 9000, 8001]) == [(8000, 8002), (9000, 9000)]


def test_probe_rank_prefers_uid_then_bracket_then_narrow() -> None:
    from portwho.backends.netlink.owners import _Probe

    wanted = [100, 5000]
    probes = [
        _Probe(1, True, None, None),
        _Probe(2, False, 90, 110),
        _Probe(3, True, 200, 300),
        _Probe(4, True, 4000, 6000),
        _Probe(5, True, 4990, 5010),
    ]
    order = [p.pid for p in sorted(probes, key=lambda p: p.rank(wanted))]
    assert order == [5, 4, 3, 1, 2]


def test_owner_found_even_when_every_probe_misleads(holder: Child) -> None:
    """The ranking only orders the scan: an inode no probe brackets is still found."""
    from portwho.backends.netlink import owners as proc_owners

    (listener,) = [
        s for s in netlink_diag.dump("tcp", "ipv4", sport=holder.port) if s.state == "LISTEN"
    ]
    assert listener.inode is not None
    owners = proc_owners.find_owners({listener.inode}, uids={424242})
    assert owners.pids == {listener.inode: (holder.proc.pid,)}


def test_the_search_stops_at_the_newest_process_that_holds_it(
    holder: Child, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Processes are probed newest first and the holder, whose fds bracket its listener, is
    scanned at once: no process older than the holder is even probed."""
    from portwho.backends.netlink import owners as proc_owners

    (listener,) = [
        s for s in netlink_diag.dump("tcp", "ipv4", sport=holder.port) if s.state == "LISTEN"
    ]
    assert listener.inode is not None and listener.uid is not None
    probed: list[int] = []
    real_probe = proc_owners._probe

    def probe(pid: int, uids: set[int]) -> object:
        probed.append(pid)
        return real_probe(pid, uids)

    monkeypatch.setattr(proc_owners, "_probe", probe)
    owners = proc_owners.find_owners({listener.inode}, uids={listener.uid})
    assert owners.pids == {listener.inode: (holder.proc.pid,)}
    assert holder.proc.pid in probed
    assert all(pid >= holder.proc.pid for pid in probed), sorted(probed)[:5]


def test_fd_links_survive_an_fd_closed_mid_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """One readlink failing (its fd closed between listing and reading) drops that fd only."""
    from portwho.backends.netlink import owners as proc_owners

    with socket.socket() as held:
        link = f"socket:[{os.fstat(held.fileno()).st_ino}]"
        assert link in proc_owners._links(os.getpid())
        real = os.readlink
        gone = str(held.fileno())

        def flaky(path: str, *, dir_fd: int | None = None) -> str:
            if path == gone:
                raise FileNotFoundError(path)
            return real(path, dir_fd=dir_fd)

        monkeypatch.setattr(os, "readlink", flaky)
        links = proc_owners._links(os.getpid())
    assert link not in links
    assert any(t.startswith("pipe:[") or t.startswith("/") for t in links)
    assert proc_owners._held(os.getpid(), {link: 1}) == []


def test_a_dump_sent_early_is_the_one_dump_reads() -> None:
    """diag.early sends a request from a thread; dump() of the same request reads that
    socket's answer (the same sockets a dump of its own finds) and no other dump takes it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        code = netlink_diag.port_filter([(port, port)])
        asked = ("tcp", None, netlink_diag.ALL_STATES, code, port)
        netlink_diag.early([asked])  # type: ignore[list-item]
        message = netlink_diag.request(*asked)  # type: ignore[arg-type]
        assert message in netlink_diag._EARLY
        netlink_diag.dump("udp", "ipv4", netlink_diag.ALL_STATES, code, port)
        assert message in netlink_diag._EARLY  # another request's dump does not take it
        early = netlink_diag.dump("tcp", None, netlink_diag.ALL_STATES, code, port)
        assert message not in netlink_diag._EARLY
        again = netlink_diag.dump("tcp", None, netlink_diag.ALL_STATES, code, port)
    assert [(s.local_port, s.state) for s in early] == [(port, "LISTEN")]
    assert early == again


@pytest.mark.parametrize(
    ("argv", "env", "sent"),
    [
        (["3000"], {}, True),
        (["3000", "--json"], {}, True),
        (["-q", "3000", "--debug"], {}, True),
        (["3000", "-l"], {}, False),  # another request: the backend asks it itself
        (["3000", "3001"], {}, False),
        (["watch", "3000"], {}, False),
        (["3000"], {"PORTWHO_BACKEND": "ss"}, False),
        (["70000"], {}, False),
        (["٣٠٠٠"], {}, False),  # Arabic-Indic digits: refused by the CLI, so never sent
    ],
    ids=str,
)
def test_a_plain_port_sends_the_backends_dumps_before_the_imports(
    argv: list[str], env: dict[str, str], sent: bool
) -> None:
    """`portwho PORT` (with output flags only) sends exactly the three dumps the netlink
    backend then reads for that port; anything else sends none."""
    from portwho.__main__ import early_dump
    from portwho.backends.netlink import backend
    from portwho.model import Query

    netlink_diag._EARLY.clear()
    early_dump(argv, env)
    if not sent:
        assert not netlink_diag._EARLY
        return
    assert len(netlink_diag._EARLY) == 3
    backend.find_sockets(Query(ports=frozenset({3000})))
    assert not netlink_diag._EARLY  # each was taken by the dump that asks it


def test_the_early_tcp_dump_is_on_its_way_when_early_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The thread that sends the TCP dump has started before early() returns: otherwise the
    importing main thread, which takes the interpreter lock back after every file it reads,
    keeps it from starting until the imports are done (the walk then overlapped nothing)."""
    import _thread

    started: list[int] = []
    first = netlink_diag._send_first

    def send_first(*args: object) -> None:
        started.append(_thread.get_ident())
        first(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(netlink_diag, "_send_first", send_first)
    netlink_diag._EARLY.clear()
    netlink_diag.early_port(3000)
    assert started and started[0] != _thread.get_ident()
    for sent, done in netlink_diag._EARLY.values():
        assert done.acquire(True, 5.0)
        for sock in sent:
            sock.close()
    netlink_diag._EARLY.clear()


def test_no_thread_to_be_had_leaves_the_tcp_dump_to_the_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A thread that cannot be started leaves no request behind that dump() would wait 5 s
    for: the backend sends it itself, and still answers."""
    import _thread

    def no_thread(*args: object) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(_thread, "start_new_thread", no_thread)
    netlink_diag._EARLY.clear()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        netlink_diag.early_port(port)
        code = netlink_diag.port_filter([(port, port)])
        asked = netlink_diag.request("tcp", None, netlink_diag.ALL_STATES, code, port)
        assert asked not in netlink_diag._EARLY
        assert len(netlink_diag._EARLY) == 2  # the UDP ones, sent at once
        found = netlink_diag.dump("tcp", None, netlink_diag.ALL_STATES, code, port)
    assert [s.state for s in found] == ["LISTEN"]
    for sent, _done in netlink_diag._EARLY.values():
        for sock in sent:
            sock.close()
    netlink_diag._EARLY.clear()
