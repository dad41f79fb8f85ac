"""Under --json every usage error is the JSON error object on stdout, wherever the flag stands
(before, `portwho -1 --json`, `-80 --json` and `--bogus --json` printed text); and a port with
surrounding whitespace is accepted (decided: `portwho "$(wc -l < f)"` gets "      80" on macOS),
inner whitespace is not."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import run


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-1", "--json"], "-1 is not a port"),
        (["-80", "--json"], "-80 is not a port"),
        (["--json", "-80"], "-80 is not a port"),
        (["--bogus", "--json"], "no such option: --bogus"),
        (["--json", "--bogus"], "no such option: --bogus"),
        (["80", "--timeout", "abc", "--json"], "--timeout"),
        (["80", "--timeout", "0", "--json"], "--timeout must be"),
        (["explain", "--json"], "Missing argument"),
        (["kill", "--json"], "Missing argument"),
        (["wait", "--bogus", "--json"], "no such option: --bogus"),
        (["abc", "--json"], "unknown port or service name 'abc'"),
        (["8 0", "--json"], "unknown port or service name '8 0'"),
    ],
)
def test_usage_errors_are_json_under_json(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2 and err == "", (out, err)
    doc = json.loads(out)
    assert doc["schema"] == 1 and doc["error"]["exit_code"] == 2
    assert words in doc["error"]["message"]


def test_after_double_dash_json_is_a_word(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["80", "--", "--json"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1


@pytest.mark.parametrize("word", [" 80", "80 ", "\t80\n", "  80  "])
def test_surrounding_whitespace_is_accepted(word: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([word, "--json", "--backend", "netlink"], capsys)
    assert code in (0, 1, 3)
    assert [p["port"] for p in json.loads(out)["ports"]] == [80]
