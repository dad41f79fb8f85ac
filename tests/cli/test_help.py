"""Help as people ask for it: `--help`, `-h`, `help`, `help VERB`, `VERB --help`, written from
cli/spec.py and wrapped between words at any width."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from portwho import spec
from portwho.cli import helptext
from tests.cli.helpers import run


@pytest.mark.parametrize(
    ("asked", "same_as"),
    [
        (["help"], ["--help"]),
        (["-h"], ["--help"]),
        (["lookup", "--help"], ["--help"]),
        (["help", "kill"], ["kill", "--help"]),
        (["kill", "-h"], ["kill", "--help"]),
        (["8000", "--help"], ["--help"]),
    ],
    ids=str,
)
def test_every_way_of_asking_gives_the_same_page(
    asked: list[str], same_as: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(asked, capsys) == run(same_as, capsys)
    assert run(asked, capsys)[0] == 0


def test_kill_help_names_its_argument_port(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["kill", "--help"], capsys)
    assert out.startswith("Usage: portwho kill [OPTIONS] PORT...\n")
    assert "{" not in out


def test_every_verb_and_option_is_on_its_page(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in spec.VERBS:
        _, out, _ = run(["help", verb.name], capsys)
        for opt in verb.opts:
            assert helptext.option_term(opt) in out, (verb.name, opt.names)


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_descriptions_break_between_words(width: int) -> None:
    for verb in (None, *[v.name for v in spec.VERBS]):
        page = helptext.top_page() if verb is None else helptext.verb_page(verb)
        text = helptext.render(page, width)
        assert all(len(line) <= width for line in text.splitlines()), (verb, width)
        words = {w for line in text.splitlines() for w in line.split()}
        for _, rows in page.sections:
            for _, description in rows:  # every word of every description survives whole
                assert set(description.split()) <= words, description


def test_help_of_an_unknown_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["help", "frobnicate"], capsys)
    assert (code, out) == (2, "") and err.count("\n") == 1 and "kill" in err


@pytest.mark.parametrize(
    ("args", "says", "never"),
    [
        (["--port", "8000"], "a port is given as is, as in portwho 8000", "--format"),
        (["kill", "--port", "8000"], "portwho kill 8000", "--format"),
        (["--jsn", "80"], "did you mean --json?", "--format"),
        (["kill", "--dry", "80"], "did you mean --dry-run?", "--format"),
        (["--colour", "80"], "no such option: --colour", "Possible options"),
    ],
    ids=str,
)
def test_an_unknown_option_suggests_only_a_close_one(
    args: list[str], says: str, never: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(args, capsys)
    assert code == 2 and says in err and never not in err


def test_the_installed_command_prints_the_same_help() -> None:
    env = {**os.environ, "COLUMNS": "72"}
    done = subprocess.run([sys.executable, "-m", "portwho", "--help"], capture_output=True,
                          text=True, env=env, timeout=60, check=True)  # fmt: skip
    assert done.stdout == helptext.render(helptext.top_page(), 72)
