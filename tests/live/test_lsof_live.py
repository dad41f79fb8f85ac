"""Real sockets in a real child process, found by the real lsof and described by the real ps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portwho._run import run
from portwho.backends import lsof
from portwho.errors import BackendFailed
from portwho.model import Query
from portwho.system import ps, sysctl
from tests.tools import need

pytestmark = pytest.mark.live
HOLDER = Path(__file__).with_name("holder.py")


@pytest.fixture(scope="module")
def holder() -> Iterator[dict[str, int]]:
    child = subprocess.Popen(
        [sys.executable, str(HOLDER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdin is not None
    ports: dict[str, int] = json.loads(child.stdout.readline())
    assert ports["pid"] == child.pid
    yield ports
    child.stdin.close()
    child.wait(timeout=10)


def test_lsof_finds_every_socket_of_the_child(holder: dict[str, int]) -> None:
    need("lsof")
    names = ("tcp4", "tcp6", "udp4", "udp6", "server", "client")
    query = Query(ports=frozenset(holder[n] for n in names))
    answer = lsof.BACKEND.collect(query, run)
    mine = [s for s in answer.sockets if s.pid == holder["pid"]]
    seen = {(s.protocol, s.family, s.local_port, s.state) for s in mine}
    assert ("tcp", "ipv4", holder["tcp4"], "LISTEN") in seen
    assert ("tcp", "ipv6", holder["tcp6"], "LISTEN") in seen
    assert ("udp", "ipv4", holder["udp4"], None) in seen
    assert ("udp", "ipv6", holder["udp6"], None) in seen
    assert ("tcp", "ipv4", holder["client"], "ESTABLISHED") in seen
    assert ("tcp", "ipv4", holder["server"], "ESTABLISHED") in seen
    assert len(mine) == 7  # the dup'd listener fd is the same socket
    assert answer.complete == (os.geteuid() == 0)


def test_lsof_listing_listeners_keeps_udp(holder: dict[str, int]) -> None:
    need("lsof")
    answer = lsof.BACKEND.collect(Query(listening_only=True), run)
    mine = {(s.protocol, s.local_port) for s in answer.sockets if s.pid == holder["pid"]}
    assert mine == {
        ("tcp", holder["tcp4"]),
        ("tcp", holder["tcp6"]),
        ("tcp", holder["server"]),
        ("udp", holder["udp4"]),
        ("udp", holder["udp6"]),
    }


def test_lsof_on_a_free_port_is_nothing_not_failure() -> None:
    need("lsof")
    answer = lsof.BACKEND.collect(Query(ports=frozenset({1})), run)
    assert answer.sockets == ()


def test_ps_describes_the_child(holder: dict[str, int]) -> None:
    need("ps")
    info = ps.describe([holder["pid"], 2**22 + 12345], run)
    assert set(info) == {holder["pid"]}
    mine = info[holder["pid"]]
    assert mine.uid == os.geteuid()
    assert mine.cmdline is not None and mine.cmdline[-1] == str(HOLDER)
    assert mine.process is not None and mine.process.startswith("python")


@pytest.mark.skipif(sys.platform == "darwin", reason="checks the failure path off macOS")
def test_sysctl_without_the_macos_keys_fails_typed() -> None:
    need("sysctl")
    with pytest.raises(BackendFailed):
        sysctl.ephemeral_range(run)
