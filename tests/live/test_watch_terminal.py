"""`portwho watch` on a real terminal (a pty): the header says what is shown and how to leave,
and `q` quits at once, leaving the terminal as it was."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import pytest

from tests.live.act_procs import REPO, Child

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pty"),
]


def read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_q_quits_the_live_view() -> None:
    import termios

    server = Child("listen")
    main, child = os.openpty()
    before = termios.tcgetattr(child)
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120", "LINES": "40"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "portwho", "watch", str(server.port), "--interval", "0.1"],
        stdin=child, stdout=child, stderr=child, env=env, cwd=REPO, close_fds=True,
    )  # fmt: skip
    try:
        screen = read_until(main, b"to quit", 30)
        assert f"portwho watch: ports {server.port}".encode() in screen
        assert b"Press q" in screen
        read_until(main, str(server.pid).encode(), 10)
        os.write(main, b"q")
        start = time.monotonic()
        assert proc.wait(10) == 0
        assert time.monotonic() - start < 2
        assert termios.tcgetattr(child) == before  # cbreak undone
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        server.stop()
        os.close(main)
        os.close(child)
