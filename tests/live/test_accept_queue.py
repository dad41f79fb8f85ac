"""A connection waiting in a listener's accept queue (the kernel completed it, no process has
accepted it: inode 0, no pid) belongs to the listener's owner. Before: "owner not visible"
even for root, and `kill` told root to use sudo."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux")]
REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
NEVER_ACCEPTS = (
    "import socket, sys\ns = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)\n"
    "print(s.getsockname()[1], flush=True)\nsys.stdin.read()\n"
)


@pytest.fixture
def queued() -> Iterator[tuple[int, int]]:
    server = subprocess.Popen(
        [sys.executable, "-c", NEVER_ACCEPTS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert server.stdout is not None
    port = int(server.stdout.readline())
    client = socket.create_connection(("127.0.0.1", port))
    yield port, server.pid
    client.close()
    server.kill()
    server.wait()


def portwho(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portwho", *args],
        env=ENV, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["netlink", "ss"])
def test_a_queued_connection_is_the_listeners(queued: tuple[int, int], backend: str) -> None:
    port, server = queued
    out = portwho(str(port), "--tcp", "--json", "--backend", backend)
    doc = json.loads(out.stdout)
    mine = [s for s in doc["sockets"] if s["local_port"] == port]
    assert {s["state"] for s in mine} == {"LISTEN", "ESTABLISHED"}, mine
    assert {s["pid"] for s in mine} == {server}, mine
    text = portwho(str(port), "--tcp", "--backend", backend).stdout
    assert "not visible" not in text and "sudo" not in text, text


@pytest.mark.skipif(os.geteuid() != 0, reason="root is who must not be told to use sudo")
def test_kill_never_tells_root_to_use_sudo(queued: tuple[int, int]) -> None:
    port, server = queued
    plan = portwho("kill", str(port), "--dry-run")
    assert "sudo" not in plan.stdout + plan.stderr, plan
    assert f"pid {server}" in plan.stdout + plan.stderr, plan
