"""Real child processes for the kill/wait/watch/free tests: listeners and clients on loopback.

Every child binds port 0 (or a port the test chose) on 127.0.0.1 and prints the port it got, so
a test only ever signals processes it started itself.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from portwho.model import LookupResult, Query

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import ctypes, signal, socket, sys, time
mode, port, name, life = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
if name:
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME: what psutil calls name()
if "ignore-term" in mode:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode.startswith("client"):
    s = socket.create_connection(("127.0.0.1", port))
else:
    kind = socket.SOCK_DGRAM if "udp" in mode else socket.SOCK_STREAM
    s = socket.socket(socket.AF_INET, kind)
    if port:  # rebinding a port a test chose; with port 0, SO_REUSEADDR lets two UDP sockets
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # share the port the OS picks
    s.bind(("127.0.0.1", port))
    if kind == socket.SOCK_STREAM:
        s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(life)
"""


class Child:
    def __init__(
        self,
        mode: str = "listen",
        port: int = 0,
        *,
        name: str = "",
        life: float = 60.0,
        extra: tuple[str, ...] = (),
    ) -> None:
        argv = [sys.executable, "-c", CHILD, mode, str(port), name, str(life), *extra]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.pid = self.proc.pid
        self.udp = "udp" in mode

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait(5)


def portwho(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a child process, stdin not a terminal."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "portwho", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=REPO,
        check=False,
    )


def spawn_portwho(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "portwho", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=REPO,
    )


@contextlib.contextmanager
def reserved_port() -> Iterator[int]:
    """A TCP port the OS picked and keeps for this test: bound on 0.0.0.0 (SO_REUSEADDR), never
    listening, so no socket table shows it and no other process gets it for IPv4 TCP, while a
    child of this test may still bind it with SO_REUSEADDR and listen. (UDP and IPv6 have their
    own port numbers: look at IPv4 TCP only, see `ipv4_tcp_lookup`.)"""
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 0))
        yield int(s.getsockname()[1])


def wait_until(check: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def ipv4_tcp_lookup(query: Query, *, enrich: bool = False) -> LookupResult:
    """core.lookup narrowed to IPv4 TCP: what a `reserved_port` keeps to this test."""
    from portwho import core

    narrowed = query.but(protocols=frozenset({"tcp"}), families=frozenset({"ipv4"}))
    return core.lookup(narrowed, enrich=enrich)
