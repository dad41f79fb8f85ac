"""Colour as people ask for it: --color auto|always|never, NO_COLOR, FORCE_COLOR,
CLICOLOR_FORCE; through the real command, piped and on a pty."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from portwho.views.output import color_wanted

ESC = "\x1b["
SS = os.path.join(
    os.path.dirname(__file__), "..", "fixtures", "ss", "debian-12__ss-Hnatupe-root.txt"
)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "mode", "tty", "expected"),
    [
        ({}, "auto", False, False),
        ({}, "auto", True, True),
        ({"NO_COLOR": "1"}, "auto", True, False),
        ({"FORCE_COLOR": "1"}, "auto", False, True),
        ({"CLICOLOR_FORCE": "1"}, "auto", False, True),
        ({"FORCE_COLOR": "0"}, "auto", False, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, "auto", False, False),  # NO_COLOR wins auto
        ({"NO_COLOR": "1"}, "always", False, True),  # the flag wins over the environment
        ({"FORCE_COLOR": "1"}, "never", True, False),
    ],
)
def test_the_rule(env: dict[str, str], mode: str, tty: bool, expected: bool) -> None:
    stream = Tty() if tty else io.StringIO()
    assert color_wanted(stream, env, mode) is expected


def run(*args: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR",
             "CLICOLOR_FORCE")}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "portwho", "60714", "--from", SS, *args],
                          capture_output=True, text=True, env={**clean, **env}, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 1, done.stderr  # 60714 is free in that capture
    return done.stdout


def test_piped_output_is_plain_unless_forced() -> None:
    assert ESC not in run()
    assert ESC in run(FORCE_COLOR="1")
    assert ESC in run(CLICOLOR_FORCE="1")
    assert ESC not in run(FORCE_COLOR="1", NO_COLOR="1")
    assert ESC in run("--color", "always", NO_COLOR="1")
    assert ESC not in run("--color", "never", FORCE_COLOR="1")
    import re

    styled = run("--color", "always")
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled) == run()  # the same words, only styled


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pty")
def test_a_terminal_gets_colour_unless_no_color() -> None:
    import pty

    def on_pty(*args: str, **env: str) -> str:
        main, child = pty.openpty()
        clean = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        argv = [sys.executable, "-m", "portwho", "60714", "--from", SS, *args]
        env = {**clean, "TERM": "xterm", **env}
        proc = subprocess.Popen(argv, stdout=child, stderr=child, env=env)
        os.close(child)
        out = b""
        try:
            while chunk := os.read(main, 65536):
                out += chunk
        except OSError:  # the child closed its end
            pass
        proc.wait(30)
        os.close(main)
        return out.decode()

    assert ESC in on_pty()
    assert ESC not in on_pty(NO_COLOR="1")
    assert ESC not in on_pty("--color", "never")


def test_a_bad_value_is_one_line() -> None:
    done = subprocess.run([sys.executable, "-m", "portwho", "80", "--color", "sometimes"],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--color" in done.stderr
