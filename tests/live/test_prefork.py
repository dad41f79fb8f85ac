"""A pre-fork server (a master that listens, 4 workers that inherit the listener): `ss -p`
shows 5 holders, so portwho must too, and `-q` and `kill` must see all 5 (before, the /proc
scan stopped at the first holder: 1 owner, and kill missed the workers)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tools import need

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux")]
REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}

PREFORK = r"""
import ctypes, os, socket, sys, time
def bind():
    # the UDP port of the same number taken too: kill frees a port of both protocols, and must
    # find no other test's process on it
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
    udp = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
           socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)]
    udp[1].setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    try:
        udp[0].bind(("0.0.0.0", s.getsockname()[1])); udp[1].bind(("::", s.getsockname()[1]))
    except OSError:
        return None
    return s, udp
found = None
while found is None:
    found = bind()
s, udp = found
workers = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG: SIGKILL with the master
        while True:
            conn, _ = s.accept()
            conn.close()
    workers.append(pid)
print(s.getsockname()[1], *workers, flush=True)
sys.stdin.read()
"""


@pytest.fixture
def prefork() -> Iterator[tuple[int, set[int]]]:
    master = subprocess.Popen(
        [sys.executable, "-c", PREFORK], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    assert master.stdout is not None
    port, *workers = (int(w) for w in master.stdout.readline().split())
    yield port, {master.pid, *workers}
    os.killpg(master.pid, signal.SIGKILL)
    master.wait()


def portwho(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portwho", *args],
        env=ENV, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_every_holder_of_a_shared_listener(prefork: tuple[int, set[int]]) -> None:
    need("ss")
    port, family = prefork
    ss = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    )
    assert {int(p) for p in re.findall(r"pid=(\d+)", ss.stdout)} == family  # the oracle
    out = portwho(str(port), "-t", "-q", "--backend", "netlink")
    assert {int(p) for p in out.stdout.split()} == family, out
    out = portwho(str(port), "-t", "-q")  # the default chain
    assert {int(p) for p in out.stdout.split()} == family, out


def test_kill_sees_every_holder(prefork: tuple[int, set[int]]) -> None:
    port, family = prefork
    plan = portwho("kill", str(port), "--dry-run")
    assert plan.returncode == 0, plan
    assert {int(p) for p in re.findall(r"pid (\d+)", plan.stdout + plan.stderr)} == family, plan
    done = portwho("kill", str(port), "--yes")
    assert done.returncode == 0, done
    assert portwho(str(port), "-t", "-q").stdout == ""


def test_listing_scan_finds_every_holder(prefork: tuple[int, set[int]]) -> None:
    """A listing reads every fd table once (no probe, no family search): the shared listener
    still has all five holders, once each, in pid order, and the listing shows all five."""
    from portwho.backends.netlink import backend as netlink
    from portwho.model import Query

    port, family = prefork
    found, _ = netlink.find_sockets(Query(listening_only=True))
    socks, owners = netlink.attach_owners(found, every_process=True)
    (listener,) = [s for s in found if s.local_port == port and s.protocol == "tcp"]
    assert listener.inode is not None
    assert owners.pids[listener.inode] == tuple(sorted(family))
    assert {s.pid for s in socks if s.inode == listener.inode} == family
    assert owners.scanned >= len(family)
    listing = portwho("--json", "-t")
    rows = [s for s in json.loads(listing.stdout)["sockets"] if s["local_port"] == port]
    assert {s["pid"] for s in rows} == family, listing
