"""The snippets in real shells: linted, sourced in rc-less strict shells, hooks installed once,
`$?` kept, the user's own hook still running, quoting that survives hostile paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portwho.shell import snippets as shellinit
from tests.tools import need

from .conftest import REPO, init_text

SH = REPO / "shell"


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=30, cwd="/", check=False
    )


@pytest.mark.parametrize(
    ("tool", "argv"),
    [
        ("bash", ["bash", "-n", str(SH / "portwho.bash")]),
        ("zsh", ["zsh", "-n", str(SH / "portwho.zsh")]),
        ("fish", ["fish", "--no-execute", str(SH / "portwho.fish")]),
        ("shellcheck", ["shellcheck", str(SH / "portwho.bash")]),
    ],
)
def test_static(tool: str, argv: list[str], env: dict[str, str]) -> None:
    need(tool)
    out = run(argv, env)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("flags", [(), ("--no-prompt",), ("--no-completion",)])
def test_generated_bash_passes_shellcheck(
    flags: tuple[str, ...], env: dict[str, str], tmp_path: Path
) -> None:
    need("shellcheck")
    script = tmp_path / "init.bash"
    script.write_text(init_text("bash", env, *flags))
    out = run(["shellcheck", "--shell=bash", str(script)], env)
    assert out.returncode == 0, out.stdout


def test_sections_are_dropped(env: dict[str, str]) -> None:
    assert "__portwho_prompt_hook" not in init_text("bash", env, "--no-prompt")
    assert "complete -F" in init_text("bash", env, "--no-prompt")
    assert "compdef" not in init_text("zsh", env, "--no-completion")
    assert "fish_prompt" in init_text("fish", env, "--no-completion")


def strip_job_noise(text: str) -> str:
    """bash -i without a terminal says so; that is the test harness, not the snippet."""
    noise = ("cannot set terminal process group", "no job control in this shell")
    return "".join(line for line in text.splitlines(True) if not any(n in line for n in noise))


BASH_STRICT = ["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c"]


def test_bash_noninteractive_is_untouched(env: dict[str, str]) -> None:
    code = 'eval "$(portwho_init)"; echo "[${PROMPT_COMMAND-unset}][${__portwho_loaded-unset}]"'
    code = code.replace("portwho_init", f"{sys.executable} -m portwho init bash")
    out = run([*BASH_STRICT, code], env)
    assert (out.returncode, out.stderr, out.stdout) == (0, "", "[unset][unset]\n")


def test_bash_interactive_strict_hook_once_status_kept(env: dict[str, str]) -> None:
    init = f"{sys.executable} -m portwho init bash"
    code = (
        "mine() { echo mine-ran; }; PROMPT_COMMAND=mine; "
        f'eval "$({init})"; eval "$({init})"; '
        'printf "%s\\n" "$PROMPT_COMMAND"; '
        "false || { __portwho_prompt_hook && echo status=0 || echo status=$?; }; "
        "mine; (exit 7) || { __portwho_prompt_hook && echo status=0 || echo status=$?; }; "
        "case $PS1 in *__portwho_ps1*) echo ps1-ok;; esac"
    )
    out = run(["bash", "--noprofile", "--norc", "-i", "-euo", "pipefail", "-c", code], env)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[:2] == ["mine", "__portwho_prompt_hook"]  # one hook, the user's first
    assert "status=1" in lines and "status=7" in lines and "mine-ran" in lines
    assert "ps1-ok" in lines
    assert strip_job_noise(out.stderr) == ""


def test_zsh_rcless_hook_once_status_kept(env: dict[str, str]) -> None:
    need("zsh")
    init = f"{sys.executable} -m portwho init zsh"
    code = (
        "mine() { echo mine-ran }; precmd_functions=(mine); "
        f'eval "$({init})"; eval "$({init})"; print -l -- $precmd_functions; '
        "false || { __portwho_precmd && echo status=0 || echo status=$?; }"
    )
    out = run(["zsh", "-f", "-i", "-e", "-u", "-c", code], env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["mine", "__portwho_precmd"]
    assert "status=1" in out.stdout
    assert out.stderr == ""
    plain = run(["zsh", "-f", "-c", f'eval "$({init})"; echo ${{+__portwho_loaded}}'], env)
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, "0\n", "")


def test_fish_rcless_wraps_prompt_once_status_kept(env: dict[str, str]) -> None:
    need("fish")
    init = f"{sys.executable} -m portwho init fish"
    code = (
        "function fish_prompt; echo mine-ran status=$status; end; "
        f"{init} | source; {init} | source; "
        "functions -q __portwho_orig_fish_prompt; and echo wrapped; "
        "false; fish_prompt"
    )
    out = run(["fish", "--no-config", "-i", "-c", code], env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("wrapped") == 1
    assert "mine-ran status=1" in out.stdout
    assert out.stderr == ""


def test_failure_shows_nothing(env: dict[str, str], tmp_path: Path) -> None:
    """No portwho where the snippet points and a garbled cache: empty widget, no output."""
    text = init_text("bash", env).replace(sys.executable, "/nonexistent/python")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "prompt-v1.tsv").write_text("v1\tgarbage;$(touch /tmp/pw-x)\n")
    script = tmp_path / "s.bash"
    script.write_text(text)
    code = f'source {script}; __portwho_prompt_hook; echo "[$__portwho_ps1]"'
    out = run(["bash", "--noprofile", "--norc", "-i", "-c", code], env)
    assert (out.returncode, out.stdout, strip_job_noise(out.stderr)) == (0, "[]\n", "")


HOSTILE = '/tmp/it\'s a "path" with $HOME `x` \\back\\slash/portwho'


@pytest.mark.parametrize(
    ("shell", "style"), [("bash", "posix"), ("zsh", "posix"), ("fish", "fish")]
)
def test_quoting_round_trips_in_the_real_shell(shell: str, style: str, env: dict[str, str]) -> None:
    need(shell)
    quoted = shellinit.quote(HOSTILE, style)
    code = (
        f"set x {quoted}; printf '%s' $x" if shell == "fish" else f"x={quoted}; printf '%s' \"$x\""
    )
    out = run([shell, "-c", code], env)
    assert out.stdout == HOSTILE


def test_powershell_quoting_doubles_every_single_quote() -> None:
    word = "C:\\Program Files\\it's \u2019here\u2019\\portwho.exe"
    assert shellinit.quote(word, "powershell") == (
        "'C:\\Program Files\\it''s \u2019\u2019here\u2019\u2019\\portwho.exe'"
    )


def test_powershell_init_fills_the_placeholders(env: dict[str, str]) -> None:
    text = shellinit.script(
        "powershell", words=["C:\\Users\\O'Neil\\portwho.exe"], cache="C:\\c\\prompt-v1.tsv"
    )
    assert "$global:__portwho_exe = @('C:\\Users\\O''Neil\\portwho.exe')" in text
    assert "$global:__portwho_cache = 'C:\\c\\prompt-v1.tsv'" in text
    assert "::" not in text.replace(":::", "").replace("]::", "")


def test_tmux_snippet_sourced_twice_adds_one_segment(tmp_path: Path, env: dict[str, str]) -> None:
    """A tmux server of its own: the segment goes into status-right once, however often the
    snippet is sourced, and the user's status-interval stays theirs."""
    need("tmux")
    conf = tmp_path / "portwho.tmux"
    conf.write_text(init_text("tmux", env))
    sock = str(tmp_path / "tmux.sock")

    def tmux(*args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", sock, "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    tmux("new-session", "-d", "-s", "t")
    try:
        tmux("set", "-g", "status-interval", "7")
        tmux("source-file", str(conf))
        tmux("source-file", str(conf))
        right = tmux("show", "-gv", "status-right")
        interval = tmux("show", "-gv", "status-interval")
    finally:
        subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True, check=False)
    assert right.count("prompt --format tmux") == 1
    assert interval == "7"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_refresher_gets_the_paths_init_resolved(
    shell: str, env: dict[str, str], tmp_path: Path
) -> None:
    """The snippet hands `prompt --refresh` the cache directory it reads and the config
    file init found, so neither looks them up again (platformdirs' import); a PORTWHO_CONFIG
    set later in the shell still wins."""
    need(shell)
    seen = tmp_path / "seen"
    fake = tmp_path / "portwho"
    fake.write_text(f'#!/bin/sh\necho "$PORTWHO_CACHE_DIR|$PORTWHO_CONFIG|$1" >> {seen}\n')
    fake.chmod(0o755)
    text = shellinit.script(
        shell, words=[str(fake)], cache=str(tmp_path / "c" / "prompt-v1.tsv"), config="/cfg.ini"
    )
    script = tmp_path / f"s.{shell}"
    script.write_text(text)
    spawn = {"bash": "__portwho_spawn 100 5", "zsh": "__portwho_spawn 100 5",
             "fish": "__portwho_spawn"}[shell]  # fmt: skip
    argv = {
        "bash": ["bash", "--noprofile", "--norc", "-i", "-c"],
        "zsh": ["zsh", "-f", "-i", "-c"],
        "fish": ["fish", "--no-config", "-i", "-c"],
    }[shell]
    bare = {k: v for k, v in env.items() if k != "PORTWHO_CONFIG"}
    run([*argv, f"source {script}; {spawn}; sleep 1"], bare)
    assert seen.read_text().splitlines() == [f"{tmp_path / 'c'}|/cfg.ini|prompt"]
    seen.unlink()
    run([*argv, f"source {script}; export PORTWHO_CONFIG=/mine.ini; {spawn}; sleep 1"], bare)
    assert seen.read_text().splitlines() == [f"{tmp_path / 'c'}|/mine.ini|prompt"]
