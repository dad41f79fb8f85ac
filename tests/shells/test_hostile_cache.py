"""The prompt widget in real bash, zsh (with and without prompt_subst) and fish, with hostile
things at the cache path: a named pipe, a link to /dev/zero, a folder, one endless line, and
cache text written to run commands or send escapes. Every render must return at once, print
no error, run nothing, and put only inert text in the prompt. `portwho prompt` too."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from portwho.shell import snippets
from tests.tools import need

from .conftest import REPO

pytestmark = pytest.mark.live

#: how each shell draws its prompt N times from `-c`: the widget's hook, then the expansion the
#: shell applies when it prints the prompt (bash ${PS1@P}; zsh print -P, which honours
#: prompt_subst; fish calls fish_prompt)
DRAW = {
    "bash": (
        ["bash", "--noprofile", "--norc", "-i", "-c"],
        'source {init}; PS1="$ "; for i in 1 2 3; do __portwho_prompt_hook; '
        'printf "<%s>\\n" "${{PS1@P}}"; done',
    ),
    "zsh": (
        ["zsh", "-f", "-i", "-c"],
        "source {init}; PROMPT='% '; for i in 1 2 3; do __portwho_precmd; "
        'print -r -- "<${{(%)PROMPT}}>"; print -P -- "<$PROMPT>"; done',
    ),
    "zsh-subst": (
        ["zsh", "-f", "-i", "-c"],
        "setopt prompt_subst; source {init}; PROMPT='% '; for i in 1 2 3; do __portwho_precmd; "
        'print -P -- "<$PROMPT>"; done',
    ),
    "fish": (
        ["fish", "--no-config", "-i", "-c"],
        "source {init}; for i in 1 2 3; printf '<%s>\\n' (fish_prompt); end",
    ),
}

Make = Callable[[Path, Path], None]


def fifo(path: Path, _: Path) -> None:
    os.mkfifo(path)


def zero_link(path: Path, _: Path) -> None:
    path.symlink_to("/dev/zero")


def folder(path: Path, _: Path) -> None:
    path.mkdir()


def endless_line(path: Path, _: Path) -> None:
    with path.open("w") as handle:  # 32 MB with no newline: v1 + tabs, then one endless field
        handle.write(f"v1\t{int(time.time())}\t60\t-\t")
        handle.write("x" * (32 << 20))


def injection(path: Path, tmp: Path) -> None:
    pwn = tmp / "pwned"
    text = (
        f"⚡$(touch {pwn}-1) `touch {pwn}-2` ${{HOME}} $((6*7)) %n \\u \\w\x1b]0;title\x07\x1b[2J"
    )
    path.write_text(f"v1\t{int(time.time())}\t60\t32;$(touch {pwn}-3)\t{text}\n")


HOSTILE: dict[str, Make] = {
    "fifo": fifo,
    "dev-zero": zero_link,
    "folder": folder,
    "endless-line": endless_line,
    "injection": injection,
}


def stub(tmp: Path) -> Path:
    """What the snippet starts for a refresh: logs and exits (the hostile file stays put)."""
    exe = tmp / "refresher"
    exe.write_text(f'#!/bin/sh\necho "$@" >> {tmp / "spawned"}\n')
    exe.chmod(0o755)
    return exe


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("shell", sorted(DRAW))
def test_hostile_cache_in_real_shells(shell: str, kind: str, tmp_path: Path) -> None:
    binary = shell.partition("-")[0]
    need(binary)
    cache = tmp_path / "cache" / "prompt-v1.tsv"
    cache.parent.mkdir()
    HOSTILE[kind](cache, tmp_path)
    init = tmp_path / "init"
    text = snippets.script(binary, words=[str(stub(tmp_path))], cache=str(cache), completion=False)
    init.write_text(text)
    argv, code = DRAW[shell]
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "dumb", "LANG": "C.UTF-8"}
    start = time.monotonic()
    out = subprocess.run(
        [*argv, code.format(init=init)],
        env=env, capture_output=True, timeout=20, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert time.monotonic() - start < 10
    stdout, stderr = out.stdout.decode(), out.stderr.decode()
    assert out.returncode == 0, stderr
    assert "error" not in stderr.lower() and "denied" not in stderr.lower(), stderr
    assert not list(tmp_path.glob("pwned*")), "the cache text ran a command"
    lines = [line for line in stdout.splitlines() if line.startswith("<")]
    assert len(lines) >= 3, stdout
    assert all(len(line) < 5000 for line in lines)
    assert "\x1b]" not in stdout and "\x1b[2J" not in stdout and "\x07" not in stdout
    if kind == "injection":
        # shown as the text it is, not expanded
        assert "$(touch" in lines[-1] and "%n" in lines[-1] and "$((6*7))" in lines[-1], lines


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_cache_with_portwho_prompt(kind: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "prompt-v1.tsv"
    cache.parent.mkdir()
    HOSTILE[kind](cache, tmp_path)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PORTWHO_CACHE_DIR": str(cache.parent),
        "PORTWHO_CONFIG": str(tmp_path / "none.ini"),
    }
    for fmt in ("plain", "ansi", "tmux"):
        out = subprocess.run(
            [sys.executable, "-m", "portwho", "prompt", "--format", fmt],
            env=env, capture_output=True, text=True, timeout=20, check=False,
        )  # fmt: skip
        assert (out.returncode, out.stderr) == (0, ""), out
        assert len(out.stdout) < 5000 and "\x1b]" not in out.stdout and "\x07" not in out.stdout
        if kind == "injection" and fmt == "tmux":
            assert "#(" not in out.stdout.replace("##", "")


@pytest.mark.parametrize("shell", ["zsh", "bash"])
def test_injection_drawn_by_a_real_terminal(shell: str, tmp_path: Path) -> None:
    """The same cache text in a real interactive shell in tmux (zsh with prompt_subst, as
    oh-my-zsh sets it): the prompt shows the text, and nothing runs."""
    need("tmux", shell)
    from .test_live_shells import tmux, wait_for

    cache = tmp_path / "cache" / "prompt-v1.tsv"
    cache.parent.mkdir()
    injection(cache, tmp_path)
    init = tmp_path / "init"
    words = [str(stub(tmp_path))]
    init.write_text(snippets.script(shell, words=words, cache=str(cache), completion=False))
    setup = (
        f"setopt prompt_subst; PROMPT='%% '; source {init}"
        if shell == "zsh"
        else f"source {init}; PS1='$ '"
    )
    argv = ["zsh", "-f", "-i"] if shell == "zsh" else ["bash", "--noprofile", "--norc", "-i"]
    sock = str(tmp_path / "tmux.sock")
    command = ["env", f"HOME={tmp_path}", "TERM=xterm", "LANG=C.UTF-8", *argv]
    subprocess.run(
        ["tmux", "-S", sock, "new-session", "-d", "-s", "t", "-x", "200", "-y", "20", *command],
        check=True, timeout=10,
    )  # fmt: skip
    try:
        tmux(sock, "send-keys", "-t", "t", setup, "Enter")
        tmux(sock, "send-keys", "-t", "t", "Enter")
        screen = wait_for(sock, "$(touch", 10)
    finally:
        tmux(sock, "kill-server")
    assert "$(touch" in screen and "$((6*7))" in screen, screen
    assert not list(tmp_path.glob("pwned*")), "the prompt ran the cache's text"
