"""A reader that goes away: portwho ends quietly with 141 (128 + SIGPIPE), no traceback, on
every path (fast lookup, JSON, the listing, the full CLI), and `watch` notices while idle."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def closed_at_once(*args: str) -> subprocess.CompletedProcess[str]:
    """Run portwho with a stdout pipe whose only reader is closed before portwho writes."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "portwho", *args],
            env=ENV, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60,
            check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        ["1"],
        ["1", "--json"],
        [],
        ["--json"],
        ["lookup", "1", "--backend", "psutil", "--json"],
        ["explain", "80"],
        ["init", "bash"],
    ],
)
def test_closed_stdout_is_quiet(args: list[str]) -> None:
    out = closed_at_once(*args)
    assert (out.returncode, out.stderr) == (141, ""), out


@pytest.mark.live
def test_watch_notices_a_closed_stdout_while_idle() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "portwho", "watch", str(port), "--interval", "0.2"],
            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        assert f":{port}" in proc.stdout.readline()  # the listener, present at start
        proc.stdout.close()  # what `head -1` does next; the port stays steady: nothing to write
        start = time.monotonic()
        try:
            code = proc.wait(timeout=10)
        finally:
            proc.kill()
        assert time.monotonic() - start < 3
        assert (code, proc.stderr.read()) == (141, "")
