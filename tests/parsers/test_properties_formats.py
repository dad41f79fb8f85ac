"""Any text into `--from`, detected or forced to any format: sockets or one UsageError (the one
clear line the CLI prints), never another exception. The texts are built from real fixture
lines, cut, shuffled and mixed with noise, which is what a bad paste looks like."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portwho.backends import formats
from portwho.backends.rows import Parsed
from portwho.errors import UsageError
from tests.fakes import FIXTURES

LINES = sorted(
    {
        line
        for path in FIXTURES.glob("*/*.txt")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[:40]
    }
)
LINE = st.one_of(
    st.sampled_from(LINES),
    st.sampled_from(LINES).map(lambda line: line[: len(line) // 2]),
    st.sampled_from(LINES).map(lambda line: " ".join(reversed(line.split()))),
    st.text(max_size=60),
)
FORMAT = st.sampled_from([None, *formats.FORMATS])


def _check(text: str, fmt: str | None) -> None:
    try:
        name, parsed = formats.parse(text, fmt)
    except UsageError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert isinstance(parsed, Parsed) and name in formats.FORMATS
    assert all(0 <= s.local_port <= 65535 for s in parsed)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=12), FORMAT)
def test_pasted_lines_give_sockets_or_one_usage_error(lines: list[str], fmt: str | None) -> None:
    _check("\n".join(lines), fmt)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), FORMAT)
def test_any_text_gives_sockets_or_one_usage_error(text: str, fmt: str | None) -> None:
    _check(text, fmt)
