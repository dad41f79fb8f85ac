"""Real interactive shells in tmux with real listeners: the widget shows the port within the
TTL, Tab offers it with its process; and a steady-state render starts no process (strace)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tools import need

from .conftest import init_text

pytestmark = pytest.mark.live


def tmux(sock: str, *args: str) -> str:
    out = subprocess.run(
        ["tmux", "-S", sock, *args], capture_output=True, text=True, timeout=10, check=False
    )
    return out.stdout


def wait_for(sock: str, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux(sock, "capture-pane", "-p", "-t", "t")
        if needle in screen:
            return screen
        time.sleep(0.3)
    return screen


SHELLS = {
    "bash": (["bash", "--noprofile", "--rcfile", "{rc}", "-i"], 'eval "$(cat {init})"\nPS1="$ "\n'),
    "zsh": (
        ["zsh", "-d", "-f", "-i"],
        "autoload -Uz compinit && compinit -u\nPROMPT='%% '\nsource {init}\n",
    ),
    "fish": (["fish", "--no-config", "-i", "-C", "source {rc}"], "source {init}\n"),
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_prompt_and_tab_show_a_real_listener(
    shell: str, env: dict[str, str], listeners: int, tmp_path: Path
) -> None:
    need("tmux", shell)
    port = listeners
    env = {**env, "PORTWHO_PROMPT_WATCH": str(port), "PORTWHO_PROMPT_TTL": "1", "TERM": "xterm"}
    init = tmp_path / "init"
    init.write_text(init_text(shell, env).replace("'portwho'", "'portwho'"))
    argv, rc_text = SHELLS[shell]
    rc = tmp_path / "rc"
    rc.write_text(rc_text.format(init=init))
    # zsh reads ZDOTDIR/.zshrc with -d? no: -f skips rc files, so source the rc explicitly
    argv = [a.format(rc=rc) for a in argv]
    sock = str(tmp_path / "tmux.sock")
    env_args = [f"{k}={v}" for k, v in env.items() if k.startswith(("PORTWHO", "PYTHON", "HOME"))]
    command = ["env", *env_args, "PATH=" + os.environ["PATH"], *argv]
    subprocess.run(
        ["tmux", "-S", sock, "new-session", "-d", "-s", "t", "-x", "200", "-y", "50", *command],
        check=True, timeout=10,
    )  # fmt: skip
    try:
        if shell == "zsh":
            tmux(sock, "send-keys", "-t", "t", f"source {rc}", "Enter")
        # the first prompt starts the refresh; Enter a few times until a render shows it
        screen = ""
        for _ in range(20):
            tmux(sock, "send-keys", "-t", "t", "Enter")
            screen = wait_for(sock, f"⚡{port}", 1.0)
            if f"⚡{port}" in screen:
                break
        assert f"⚡{port}" in screen, screen
        tmux(sock, "send-keys", "-t", "t", f"portwho {str(port)[:-1]}", "Tab")
        if shell == "bash":
            tmux(sock, "send-keys", "-t", "t", "Tab")
        screen = wait_for(sock, f"{port + 1}", 10)
        assert str(port) in screen and str(port + 1) in screen, screen
        assert "python" in screen, screen
    finally:
        tmux(sock, "kill-server")


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_steady_state_render_starts_no_process(
    shell: str, env: dict[str, str], tmp_path: Path
) -> None:
    need("strace", shell)
    subprocess.run(
        [sys.executable, "-m", "portwho", "prompt", "--refresh"], env=env, check=True, timeout=120
    )
    init = tmp_path / "init"
    init.write_text(init_text(shell, env))
    hook = "__portwho_prompt_hook" if shell == "bash" else "__portwho_precmd"
    interactive = (
        ["bash", "--noprofile", "--norc", "-i"] if shell == "bash" else ["zsh", "-f", "-i"]
    )
    code = f"source {init}; {hook}; {hook}; {hook}; echo rendered"
    trace = tmp_path / "trace"
    out = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=execve,clone,clone3,fork,vfork", "-o", str(trace),
         *interactive, "-c", code],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "rendered" in out.stdout, out.stderr
    calls = [
        line
        for line in trace.read_text().splitlines()
        if "execve(" in line or "clone" in line or "fork(" in line
    ]
    # the only execve is the shell itself: three renders of a fresh cache start nothing
    assert len(calls) == 1 and "execve(" in calls[0], calls


def start_shell(shell: str, env: dict[str, str], tmp_path: Path) -> str:
    """An interactive `shell` with portwho's snippet in a tmux session of its own."""
    init = tmp_path / "init"
    init.write_text(init_text(shell, env))
    argv, rc_text = SHELLS[shell]
    rc = tmp_path / "rc"
    rc.write_text(rc_text.format(init=init))
    sock = str(tmp_path / "tmux.sock")
    env_args = [f"{k}={v}" for k, v in env.items() if k.startswith(("PORTWHO", "PYTHON", "HOME"))]
    command = ["env", *env_args, "PATH=" + os.environ["PATH"], *[a.format(rc=rc) for a in argv]]
    subprocess.run(
        ["tmux", "-S", sock, "new-session", "-d", "-s", "t", "-x", "200", "-y", "50", *command],
        check=True, timeout=10,
    )  # fmt: skip
    if shell == "zsh":
        tmux(sock, "send-keys", "-t", "t", f"source {rc}", "Enter")
    return sock


@pytest.mark.parametrize(
    ("shell", "verb"),
    [
        *[("bash", v) for v in ("kill", "wait", "watch", "explain")],
        ("zsh", "kill"),
        ("zsh", "wait"),
        ("fish", "kill"),
        ("fish", "watch"),
    ],
)
def test_tab_offers_busy_ports_after_every_verb_that_takes_ports(
    shell: str, verb: str, env: dict[str, str], listeners: int, tmp_path: Path
) -> None:
    need("tmux", shell)
    port = listeners
    env = {**env, "PORTWHO_PROMPT_TTL": "600", "TERM": "xterm"}
    subprocess.run(
        [sys.executable, "-m", "portwho", "prompt", "--refresh"], env=env, check=True, timeout=120
    )
    sock = start_shell(shell, env, tmp_path)
    try:
        wait_for(sock, "$ " if shell == "bash" else "", 5)
        tmux(sock, "send-keys", "-t", "t", f"portwho {verb} {str(port)[:-1]}", "Tab")
        if shell == "bash":
            tmux(sock, "send-keys", "-t", "t", "Tab")
        screen = wait_for(sock, f"{port + 1}", 10)
        assert str(port) in screen and str(port + 1) in screen, screen
    finally:
        tmux(sock, "kill-server")
