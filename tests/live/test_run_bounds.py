"""_run under hostile tools: a tool that hangs (and forks a helper that hangs too) is killed
with its whole process group and reaped; a lookup whose every tool hangs ends by its one
deadline; a tool that prints without end is cut off at the cap, in bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from portwho import _run, core
from portwho.errors import ToolTimeout
from portwho.model import Outcome, Query

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parents[2]

#: a tool that starts a grandchild (both sleep) and writes the grandchild's pid where told
HANG = """#!/bin/sh
sleep 300 &
echo $! >> "$PIDS"
echo $$ >> "$PIDS"
sleep 300
"""


def fake_tools(tmp_path: Path, names: list[str], body: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in names:
        tool = bin_dir / name
        tool.write_text(body)
        tool.chmod(0o755)
    pids = tmp_path / "pids"
    pids.touch()
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "PIDS": str(pids)}


def alive(pid: int) -> bool:
    """Running, or a zombie nobody reaps (a zombie that init will reap soon is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def no_orphans(pids_file: Path) -> list[int]:
    pids = [int(p) for p in pids_file.read_text().split()]
    assert pids, "the fake tool never ran"
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


@pytest.fixture(params=["select", "threads"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both pipe readers: select() (POSIX), and the thread a pipe that Windows uses (it has no
    select() on pipes), which runs the same here."""
    monkeypatch.setattr(_run, "SELECTS", request.param == "select")
    return str(request.param)


def test_a_hung_tool_and_its_helper_are_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    env = fake_tools(tmp_path, ["hang"], HANG)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    start = time.monotonic()
    with pytest.raises(ToolTimeout):
        _run.run(["hang"], 0.5)
    assert time.monotonic() - start < 2.5
    assert no_orphans(Path(env["PIDS"])) == []


def test_a_tool_that_exits_leaves_no_helper_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    body = '#!/bin/sh\nsleep 300 >/dev/null 2>&1 &\necho $! >> "$PIDS"\necho done\necho oh >&2\n'
    env = fake_tools(tmp_path, ["quick"], body)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    done = _run.run(["quick"], 5)
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "oh\n")
    assert no_orphans(Path(env["PIDS"])) == []


def test_one_deadline_for_the_whole_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = ["ss", "netstat", "lsof", "fuser"]
    env = fake_tools(tmp_path, tools, HANG)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    start = time.monotonic()
    result = core.lookup(Query(ports=frozenset({80})), backend_names=tools, timeout=1.5)
    took = time.monotonic() - start
    # each of them alone would wait 5 or 10 s: 25 s in all without the shared deadline
    assert took < 3.0, took
    assert [a.outcome for a in result.trail] == [Outcome.FAILED] * 4
    assert "spent" in result.trail[-1].detail
    assert core.exit_code(result) == 4  # nobody answered: unknown, never "free"
    assert no_orphans(Path(env["PIDS"])) == []


def test_lookup_timeout_flag(tmp_path: Path) -> None:
    env = {**os.environ, **fake_tools(tmp_path, ["ss"], HANG), "PYTHONPATH": str(REPO)}
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "portwho", "80", "--backend", "ss", "--timeout", "0.8"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert time.monotonic() - start < 4
    assert out.returncode == 4, out
    assert "Traceback" not in out.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "portwho", "80", "--timeout", "0"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad


def capped_peak(tmp_path: Path, tool: str, script: str, reader: str) -> tuple[str, int]:
    """What _run.run said of `tool` (the script, on PATH) printing past the cap, and the peak
    memory of the process that read it, in MiB."""
    env = fake_tools(tmp_path, [tool], script)
    code = textwrap.dedent(f"""
        import resource
        from portwho import _run
        _run.SELECTS = {reader == "select"}
        try:
            _run.run([{tool!r}], 60)
        except _run.TooMuchOutput as exc:
            print("capped:", exc)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=90, check=True,
    )  # fmt: skip
    said, peak = out.stdout.splitlines()
    return said, int(peak)


def test_endless_output_is_cut_off_in_bounded_memory(tmp_path: Path, reader: str) -> None:
    # 100 MB on stdout; the cap stops reading at 64 MiB, and the peak memory shows it
    script = "#!/bin/sh\nexec head -c 100000000 /dev/urandom\n"
    said, peak = capped_peak(tmp_path, "chatty", script, reader)
    assert said == "capped: chatty printed more than 64 MiB"
    assert peak < 120, f"peak {peak} MiB"


def test_output_in_small_writes_is_bounded_like_output_in_big_ones(
    tmp_path: Path, reader: str
) -> None:
    """A tool writing a few KiB at a time (as a busy machine hands a pipe reader): each piece
    read used to be kept with whole pages of its own, 109 MiB for the 64 MiB read here."""
    writer = (
        f"#!{sys.executable}\nimport os, time\nb = b'x' * 2048\n"
        "for i in range(36000):\n    os.write(1, b)\n    if i % 4 == 0: time.sleep(0.00002)\n"
    )
    said, peak = capped_peak(tmp_path, "trickle", writer, reader)
    assert said == "capped: trickle printed more than 64 MiB"
    assert peak < 100, f"peak {peak} MiB"
