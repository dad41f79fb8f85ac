"""Helpers for the shell tests: a private cache dir, the env that runs this checkout, a real
listener in a child process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PORTWHO_CACHE_DIR": str(tmp_path / "cache"),
        "PORTWHO_CONFIG": str(tmp_path / "none.ini"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        # an interactive fish with no TERM (CI, env -i) warns on stderr that it guessed one
        "TERM": os.environ.get("TERM") or "dumb",
    }


def init_text(shell: str, env: dict[str, str], *flags: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "portwho", "init", shell, *flags],
        env=env, capture_output=True, text=True, check=True, cwd="/",
    )  # fmt: skip
    assert out.stderr == ""
    return out.stdout


def free_pair() -> int:
    """A port p ending in 0 with p and p+1 free (two candidates sharing a prefix)."""
    for base in range(4100, 6500):
        port = base * 10
        try:
            for p in (port, port + 1):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    raise RuntimeError("no free pair of ports")


LISTEN = (
    "import socket,sys,time\ns=socket.socket();s.bind(('127.0.0.1',int(sys.argv[1])))\n"
    "s.listen();print('ok',flush=True);time.sleep(300)"
)


@pytest.fixture
def listeners() -> Iterator[int]:
    port = free_pair()
    procs = [
        subprocess.Popen([sys.executable, "-c", LISTEN, str(p)], stdout=subprocess.PIPE, text=True)
        for p in (port, port + 1)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ok"
    yield port
    for proc in procs:
        proc.kill()
        proc.wait()
