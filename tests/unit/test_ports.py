from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portwho.errors import UsageError
from portwho.ports import parse_spec, parse_specs, port_class
from portwho.system.ranges import LINUX_RANGE_FILE, ephemeral_range, parse_linux_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60714", [60714]),
        (" 22 ", [22]),
        ("8000-8002", [8000, 8001, 8002]),
        ("1-1", [1]),
        ("65535", [65535]),
    ],
)
def test_numbers_and_ranges(text: str, expected: list[int]) -> None:
    assert parse_spec(text) == expected


def test_service_names_through_the_registry() -> None:
    assert 80 in parse_spec("http")
    assert parse_spec("HTTPS") == [443]
    assert parse_spec("postgres") == [5432]  # everyday alias
    assert parse_spec("postgresql") == [5432]  # IANA name


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-1", "not a port"),
        ("0", "not a real port"),
        ("65536", "out of range"),
        ("abc", "unknown port or service name"),
        ("", "empty port argument"),
        ("9000-8000", "backwards"),
        ("１２３", "non-ASCII digits"),
        ("²", "unknown port or service name"),  # a digit to str.isdigit, not to int()
        ("1-100000", "out of range"),
        ("8000-", "unknown port or service name"),
        ("http;rm -rf /", "unknown port or service name"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse_spec(text)


def test_specs_union() -> None:
    assert parse_specs(["80", "79-81", "http"]) >= {79, 80, 81}


@pytest.mark.parametrize(
    ("port", "name"),
    [
        (1, "well-known"),
        (1023, "well-known"),
        (1024, "registered"),
        (49151, "registered"),
        (49152, "dynamic"),
        (65535, "dynamic"),
    ],
)
def test_iana_classes_at_their_edges(port: int, name: str) -> None:
    assert port_class(port).name == name


def test_linux_range_parser() -> None:
    assert parse_linux_range("32768\t60999\n") == (32768, 60999)
    with pytest.raises(ValueError, match="unexpected"):
        parse_linux_range("garbage")


@pytest.mark.skipif(not Path(LINUX_RANGE_FILE).exists(), reason="not Linux")
def test_linux_range_is_read_from_proc() -> None:
    expected = tuple(int(x) for x in Path(LINUX_RANGE_FILE).read_text().split())
    assert ephemeral_range("linux") == expected


def test_unknown_platform_has_no_range() -> None:
    assert ephemeral_range("plan9") is None


#: what ports.py matched ranges with before it stopped importing re for them
OLD_RANGE = r"^(\d+)\s*[-:]\s*(\d+)$"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789٣-: \t:x", max_size=14))
def test_ranges_are_read_as_the_regex_read_them(text: str) -> None:
    import re

    from portwho.ports import _range_parts

    match = re.match(OLD_RANGE, text)
    assert _range_parts(text) == (match.groups() if match else None)


def test_a_range_imports_no_re() -> None:
    import subprocess
    import sys

    code = "import sys; from portwho.ports import port_specs; port_specs(['1-65535', '80:90']);"
    code += " print('re' in sys.modules)"
    # -S: no site, so no .pth file (an editable install's hook) imports re before we look
    repo = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                          check=True, env={"PYTHONPATH": repo})  # fmt: skip
    assert done.stdout.strip() == "False"
