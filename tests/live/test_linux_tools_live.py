"""The ss, netstat and fuser backends against the real tools and a real socket-holding child."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

import pytest

from portwho._run import Completed, run
from portwho.backends import fuser, netstat_linux, ss
from portwho.model import Query, Socket
from tests.tools import need

from .helpers import Holder, spawn_holder

pytestmark = pytest.mark.live
OTHER_UID = 65533  # neither root nor the holder's 65534


def expected(h: Holder) -> set[tuple[object, ...]]:
    p, lo4, lo6 = h.ports, "127.0.0.1", "::1"
    return {
        ("tcp", "ipv4", lo4, p["tcp4"], None, None),
        ("tcp", "ipv6", lo6, p["tcp6"], None, None),
        ("udp", "ipv4", lo4, p["udp4"], None, None),
        ("udp", "ipv6", lo6, p["udp6"], None, None),
        ("tcp", "ipv4", lo4, p["conn"], lo4, p["tcp4"]),
        ("tcp", "ipv4", lo4, p["tcp4"], lo4, p["conn"]),
    }


def mine(sockets: Sequence[Socket], h: Holder) -> list[Socket]:
    """The holder's sockets: a port number alone may also be someone else's (other protocol or
    address, on a busy machine), the inode is not."""
    return [s for s in sockets if s.inode in h.inodes]


def as_other_user(argv: Sequence[str], timeout: float) -> Completed:
    """A runner that runs the tool as OTHER_UID (tests run as root; the package never does)."""
    full = ["setpriv", f"--reuid={OTHER_UID}", f"--regid={OTHER_UID}", "--clear-groups", *argv]
    done = subprocess.run(full, capture_output=True, text=True, timeout=timeout, check=False,
                          env={"LC_ALL": "C", "PATH": os.environ["PATH"]})  # fmt: skip
    return Completed(
        argv=tuple(argv), returncode=done.returncode, stdout=done.stdout, stderr=done.stderr
    )


@pytest.mark.parametrize("module", [ss, netstat_linux], ids=["ss", "netstat"])
def test_finds_own_child_with_pid(module: object) -> None:
    backend = module.BACKEND  # type: ignore[attr-defined]
    need("netstat" if module is netstat_linux else "ss")
    with spawn_holder(comm="live holder (1)") as h:
        answer = backend.collect(Query(ports=frozenset(h.ports.values())), run)
    found = mine(answer.sockets, h)
    assert {s.key() for s in found} == expected(h)
    assert {s.pid for s in found} == {h.pid}
    assert all(s.inode for s in found)
    if module is ss:
        assert {s.process for s in found} == {"live holder (1"}  # the kernel cuts comm to 15


@pytest.mark.parametrize("module", [ss, netstat_linux], ids=["ss", "netstat"])
def test_other_users_socket_is_reported_hidden_not_missing(module: object) -> None:
    need("netstat" if module is netstat_linux else "ss")
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the holder and the tool as two other users")
    backend = module.BACKEND  # type: ignore[attr-defined]
    with spawn_holder(uid=65534) as h:
        answer = backend.collect(Query(ports=frozenset(h.ports.values())), as_other_user)
        as_root = backend.collect(Query(ports=frozenset(h.ports.values())), run)
    hidden = mine(answer.sockets, h)
    assert {s.key() for s in hidden} == expected(h)
    assert all(s.pid is None for s in hidden)
    assert not answer.complete
    assert {s.pid for s in mine(as_root.sockets, h)} == {h.pid}


def test_fuser_names_the_child() -> None:
    need("fuser")
    with spawn_holder() as h:
        ports = frozenset({h.ports["tcp4"], h.ports["udp6"]})
        answer = fuser.BACKEND.collect(Query(ports=ports), run)
    got = {(s.local_port, s.protocol, s.pid) for s in answer.sockets}
    # Other processes may hold the same numbers on another protocol: require the child's own.
    assert got >= {(h.ports["tcp4"], "tcp", h.pid), (h.ports["udp6"], "udp", h.pid)}
    assert not answer.complete


def test_fuser_finds_nothing_on_a_free_port() -> None:
    need("fuser")
    with spawn_holder() as h:
        port = h.ports["tcp4"]
    answer = fuser.BACKEND.collect(
        Query(ports=frozenset({port}), protocols=frozenset({"tcp"})), run
    )
    assert answer.sockets == ()
