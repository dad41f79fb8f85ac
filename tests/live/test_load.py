"""scripts/load.py: holds what it reports, and leaves no process behind however it ends."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess  # the load is a long-lived child; portwho._run only runs to completion
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from portwho.backends.netlink import backend as netlink
from portwho.model import Query

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux only")]
LOAD = Path(__file__).resolve().parents[2] / "scripts" / "load.py"


def _free_window(kind: int, size: int, low: int, high: int) -> int:
    """The first of `size` consecutive ports nobody holds, so this test never races a load (a
    benchmark's, another suite's) already holding load.py's default blocks."""
    for first in range(low, high, size):
        socks = []
        try:
            for port in range(first, first + size):
                s = socket.socket(socket.AF_INET, kind)
                socks.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        return first
    # A 400-process load holds 12000-31999 (and UDP from 33000): load.py then lets the OS pick
    # the ports its block cannot have, which is what this test checks it reports.
    return low


def _start() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    tcp = _free_window(socket.SOCK_STREAM, 12, 20000, 32000)
    udp = _free_window(socket.SOCK_DGRAM, 6, 33000, 40000)
    proc = subprocess.Popen(
        [sys.executable, str(LOAD), "--procs", "3", "--tcp", "4", "--udp", "2", "--conns", "2",
         "--tcp-base", str(tcp), "--udp-base", str(udp)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def _gone(pids: list[int], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("end", ["stdin", "sigterm", "sigint", "sigkill"])
def test_load_holds_its_ports_and_cleans_up(end: str) -> None:
    proc, info = _start()
    children = [c.pid for c in psutil.Process(proc.pid).children()]
    assert len(children) == 3
    answer = netlink.BACKEND.collect(Query(ports=frozenset(info["busy"])))
    owners = {s.local_port: s.pid for s in answer.sockets if s.state == "LISTEN"}
    assert owners == dict(zip(info["busy"], info["pids"], strict=True))
    assert not netlink.BACKEND.collect(Query(ports=frozenset({info["free"]}))).sockets
    assert proc.stdin is not None
    if end == "stdin":
        proc.stdin.close()
    else:
        sig = {"sigterm": signal.SIGTERM, "sigint": signal.SIGINT, "sigkill": signal.SIGKILL}
        os.kill(proc.pid, sig[end])
    proc.wait(10)
    assert _gone(children)
