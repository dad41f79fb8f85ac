"""`--host` / `--hosts` bad input and bad hosts, with no real host: usage errors come before any
ssh runs, and a fake ssh (PORTWHO_SSH_COMMAND) plays a host that prints garbage or hangs."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.live.sshd_lab import leftover

posix_only = pytest.mark.skipif(sys.platform != "linux", reason="a /bin/sh fake ssh; /proc")


def portwho(*args: str, ssh: str = "ssh", stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTWHO_SSH_COMMAND": ssh}
    return subprocess.run(
        [sys.executable, "-m", "portwho", *args],
        capture_output=True, text=True, timeout=60, env=env, input=stdin, check=False,
    )  # fmt: skip


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.stdout == "" and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    return line


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["22", "--host", "-oProxyCommand=x"], "host '-oProxyCommand=x' starts with '-'"),
        (["22", "--host", "-host"], "host '-host' starts with '-'"),
        (["22", "--hosts", "EMPTY"], "no hosts in EMPTY: write one host a line"),
        (["22", "--hosts", "/nonexistent/h"], "cannot read --hosts /nonexistent/h"),
        (["22", "--host", "a", "--parallel", "0"], "--parallel 0: ask at least 1 host"),
        (["22", "--host", "a", "--timeout", "0"], "--timeout 0: give a number of seconds"),
        (["22", "--host", "a", "--sort", "size"], "unknown --sort 'size'"),
        (["22", "--host", "a", "--from", "x"], "--from cannot be combined with --host"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], words: str, tmp_path: Path) -> None:
    empty = tmp_path / "hosts.txt"
    empty.write_text("# nobody yet\n")
    done = portwho(*[str(empty) if a == "EMPTY" else a for a in args])
    assert done.returncode == 2
    assert words in one_line(done).replace(str(empty), "EMPTY")


def test_a_bad_ssh_command_is_a_usage_error_as_json() -> None:
    done = portwho("22", "--host", "a", "--json", ssh="ssh -F 'unclosed")
    doc: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == 2 and doc["error"]["code"] == "usage"
    assert "PORTWHO_SSH_COMMAND does not split into words" in doc["error"]["message"]


def test_hosts_from_stdin() -> None:
    done = portwho("22", "--hosts", "-", stdin="# none\n\n")
    assert done.returncode == 2 and "no hosts in <stdin>" in one_line(done)


def fake_ssh(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-ssh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


@posix_only
def test_a_host_that_prints_garbage_gets_one_line_and_4(tmp_path: Path) -> None:
    fake = fake_ssh(tmp_path, "echo 'Welcome to the jungle'; echo '%%%% not a socket table'\n")
    done = portwho("22", "--host", "junk", ssh=fake)
    assert done.returncode == 4
    assert done.stderr == ""
    [line] = done.stdout.splitlines()
    assert re.fullmatch(
        r"junk: no answer \(\d+\.\d\d s\): the host printed something portwho cannot read:"
        r" 'Welcome to the jungle'",
        line,
    ), line


@posix_only
def test_a_hanging_host_is_killed_with_its_children_at_the_deadline(tmp_path: Path) -> None:
    marker = f"{3000 + time.time_ns() % 997}"
    fake = fake_ssh(tmp_path, f"sleep {marker}.1 &\nsleep {marker}.2\n")
    start = time.monotonic()
    done = portwho("22", "--host", "stuck", "--host", "other", "--timeout", "2", "--json", ssh=fake)
    took = time.monotonic() - start
    assert "Traceback" not in done.stderr
    doc = json.loads(done.stdout)
    assert done.returncode == 4 and took < 4
    assert [h["error"] for h in doc["hosts"]] == 2 * ["did not answer within 2 s; ssh was stopped"]
    assert leftover(f"sleep {marker}") == []


def test_json_lines_without_a_host_is_a_usage_error() -> None:
    done = portwho("22", "--json-lines")
    assert done.returncode == 2 and "--json-lines goes with --host" in one_line(done)


FOREGROUND = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'portwho'; runpy.run_module('portwho', run_name='__main__')"
)


@posix_only
def test_ctrl_c_stops_every_ssh_at_once(tmp_path: Path) -> None:
    marker = f"{4000 + time.time_ns() % 997}"
    fake = fake_ssh(tmp_path, f"sleep {marker}.1 &\nsleep {marker}.2\n")
    env = {**os.environ, "PORTWHO_SSH_COMMAND": fake}
    args = ["22", "--host", "a", "--host", "b", "--timeout", "30"]
    # A suite run as a background job inherits SIGINT ignored, and so would portwho: give the
    # child the default disposition a terminal's foreground job has.
    proc = subprocess.Popen([sys.executable, "-c", FOREGROUND, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 10
    while len(leftover(f"sleep {marker}.2")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
        stragglers = leftover(f"sleep {marker}")
    finally:
        proc.kill()
        # a failed run must not leave its fake ssh sessions behind for the next tests
        for line in leftover(f"sleep {marker}") + leftover(fake):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split(":", 1)[0]), signal.SIGKILL)
    assert proc.returncode == 130 and time.monotonic() - start < 3
    assert "Traceback" not in err
    assert stragglers == []
