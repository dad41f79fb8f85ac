"""A cache folder this user cannot write (root-owned ~/.cache/portwho, left by `sudo portwho`):
real shells run as user nobody must start no refresher there, and a refresher must never start
another (it used to: 3 new processes a second, forever, from one stale prompt). Every `execve`
of a refresher is counted with strace -f, which also outlives anything they start: strace
ending within its timeout is the proof that no chain of refreshers goes on."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from portwho.shell import snippets
from tests.nobody import NOBODY, PYTHON, SITE, need_python
from tests.tools import need

from .conftest import REPO

pytestmark = pytest.mark.live

PROMPTS = 10
#: the shell's own code for N prompts (each one runs the widget's hook, as a real prompt does)
HOOKS = {
    "bash": (["bash", "--noprofile", "--norc", "-i", "-c"], "__portwho_prompt_hook"),
    "zsh": (["zsh", "-f", "-i", "-c"], "__portwho_precmd"),
    "fish": (["fish", "--no-config", "-i", "-c"], "fish_prompt >/dev/null"),
}


@pytest.fixture
def place() -> Iterator[Path]:
    """A root-owned folder (mode 755) nobody may read but not write, with a home for nobody."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to own a folder and run the shells as nobody")
    need("setpriv", "strace")
    root = Path(tempfile.mkdtemp(prefix="portwho-unwritable-"))
    root.chmod(0o755)
    home = root / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    if PYTHON is None:
        shutil.rmtree(root)
        need_python()
    yield root
    shutil.rmtree(root, ignore_errors=True)


def kill_marked(mark: str) -> int:
    """Kill every process whose environment carries `mark` (a chain, if the fix regressed)."""
    killed = 0
    for _ in range(50):
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdecimal() and mark.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
        killed += len(found)
        if not found:
            break
    return killed


def refreshers_started(place: Path, argv: list[str]) -> int:
    token = str(uuid.uuid4())
    mark = f"PORTWHO_TEST_MARK={token}"
    trace = place / "trace"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(place / "home"),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "PYTHONPATH": SITE,
        "PORTWHO_CACHE_DIR": str(place / "cache"),
        "PORTWHO_CONFIG": str(place / "none.ini"),
        "PORTWHO_TEST_MARK": token,
    }
    strace = subprocess.Popen(
        ["strace", "-f", "-qq", "-e", "trace=execve", "-o", str(trace), *NOBODY, *argv],
        env=env, cwd=place / "home", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        strace.wait(timeout=30)
    except subprocess.TimeoutExpired:
        strace.kill()
        strace.wait()
        pytest.fail(f"refreshers kept starting refreshers ({kill_marked(mark)} killed)")
    finally:
        kill_marked(mark)
    calls = [line for line in trace.read_text().splitlines() if "execve(" in line]
    return sum('"--refresh"' in line and '"setpriv"' not in line for line in calls)


@pytest.mark.parametrize("shell", sorted(HOOKS))
def test_shell_starts_no_refresher_in_a_folder_it_cannot_write(shell: str, place: Path) -> None:
    need(shell)
    (place / "cache").mkdir(mode=0o755)  # root's: nobody can read it, not write it
    init = place / "init"
    text = snippets.script(
        shell,
        words=[str(PYTHON), "-m", "portwho"],
        cache=str(place / "cache" / "prompt-v1.tsv"),
        completion=False,
    )
    init.write_text(text)
    init.chmod(0o644)
    argv, hook = HOOKS[shell]
    loop = (
        f"for i in (seq {PROMPTS}); {hook}; sleep 0.2; end"
        if shell == "fish"
        else f"for i in $(seq {PROMPTS}); do {hook}; sleep 0.2; done"
    )
    assert refreshers_started(place, [*argv, f"source {init}; {loop}"]) == 0


def test_portwho_prompt_starts_no_refresher_there(place: Path) -> None:
    (place / "cache").mkdir(mode=0o755)
    loop = "; ".join(["import subprocess, sys"] + [
        "subprocess.run([sys.executable, '-m', 'portwho', 'prompt'], check=True)"
    ] * 5)  # fmt: skip
    assert refreshers_started(place, [str(PYTHON), "-c", loop]) == 0


def test_a_refresher_that_cannot_write_starts_nothing_and_says_why(place: Path) -> None:
    (place / "cache").mkdir(mode=0o755)
    argv = [str(PYTHON), "-m", "portwho", "prompt", "--refresh"]
    assert refreshers_started(place, argv) == 1  # itself, and nothing after it
    env = {**os.environ, "PYTHONPATH": SITE, "PORTWHO_CACHE_DIR": str(place / "cache")}
    out = subprocess.run(
        [*NOBODY, *argv], env=env, capture_output=True, text=True, timeout=60, check=False,
        cwd="/",
    )  # fmt: skip
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out
    assert "cannot write the prompt cache" in out.stderr and "Permission denied" in out.stderr


def test_refresh_cannot_create_the_folder(tmp_path: Path) -> None:
    """Runs as any user: a file where a parent folder should be."""
    (tmp_path / "file").write_text("")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PORTWHO_CACHE_DIR": str(tmp_path / "file" / "cache"),
        "PORTWHO_CONFIG": str(tmp_path / "none.ini"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "portwho", "prompt", "--refresh"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out
    assert "Traceback" not in out.stderr and "cannot write the prompt cache" in out.stderr
