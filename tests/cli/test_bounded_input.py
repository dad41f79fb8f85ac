"""--from with inputs that have no end or no text: refused early, in one line, exit 2, in
bounded time and memory (before: a MemoryError traceback after 2.6 GB for /dev/zero)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def portwho(
    *args: str, stdin: IO[bytes] | int = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portwho", *args],
        env=ENV, stdin=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def one_line_error(out: subprocess.CompletedProcess[str], words: str) -> None:
    assert out.returncode == 2, out
    assert out.stderr.count("\n") == 1 and words in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_dev_zero_as_a_file_and_as_stdin(json_flag: list[str]) -> None:
    start = time.monotonic()
    one_line_error(portwho("--from", "/dev/zero"), "binary data")
    with open("/dev/zero", "rb") as zero:
        out = portwho("--from", "-", *json_flag, stdin=zero)
    if json_flag:
        assert out.returncode == 2 and out.stderr == "", out
        assert "binary data" in json.loads(out.stdout)["error"]["message"]
    else:
        one_line_error(out, "binary data")
    assert time.monotonic() - start < 10


def test_random_bytes_are_refused_at_once(tmp_path: Path) -> None:
    noise = tmp_path / "noise"
    noise.write_bytes(os.urandom(8 << 20))
    one_line_error(portwho("--from", str(noise)), "binary data")


def test_text_past_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    line = b"tcp   LISTEN 0      128    127.0.0.1:8080    0.0.0.0:*\n"
    with big.open("wb") as handle:
        for _ in range(65 * 1024 * 1024 // (len(line) * 4096) + 1):
            handle.write(line * 4096)
    one_line_error(portwho("--from", str(big)), "larger than 64 MiB")


def test_a_directory_is_one_line() -> None:
    one_line_error(portwho("--from", "/"), "cannot read --from /")
