"""The hot paths' light stand-ins give the standard library's answers.

`views.jsondoc.dumps` writes the JSON document without importing json, and Tab splits a
quote-free command line without importing shlex (each import brings `re`); both are held to the
modules they stand in for on any input hypothesis finds.
"""

from __future__ import annotations

import json
import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho.model.record import Record
from portwho.shell.completion import split_words
from portwho.views.jsondoc import json_string
from portwho.views.jsondoc import write_json as dumps
from portwho.views.words import command_text, quote

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(documents)
def test_dumps_is_json_dumps(doc: object) -> None:
    assert dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)


def test_every_character_is_quoted_as_json_quotes_it() -> None:
    # one by one, surrogates and controls included (hypothesis's text() leaves surrogates out),
    # then all of them in one string, which takes the escaping path
    for code in range(0x110000):
        char = chr(code)
        assert json_string(char) == json.dumps(char, ensure_ascii=False), hex(code)
    every = "".join(map(chr, range(0x3000)))
    assert json_string(every) == json.dumps(every, ensure_ascii=False)


class Name(str):
    pass


def test_str_subclasses_and_nested_containers_are_written_as_json_writes_them() -> None:
    doc: dict[str, object] = {
        "a": Name("x\ny"),
        "b": [True, 1, 2.5, None, (Name(""), {})],
        "c": {"d": []},
    }
    assert dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
    assert dumps(doc, indent="    ") == json.dumps(doc, indent=4, ensure_ascii=False)


def test_dumps_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        dumps({"a": {1, 2}})
    with pytest.raises(TypeError):
        dumps({1: "int key"})  # json would write "1"; a document's keys are all str


@given(st.text(alphabet=st.characters(blacklist_characters="\"'\\")))
def test_quote_free_split_is_shlex(line: str) -> None:
    assert split_words(line) == shlex.split(line, posix=True)


@given(st.text(alphabet=" \t\"'\\ab-="))
def test_split_with_quotes_still_goes_through_shlex(line: str) -> None:
    try:
        expected: list[str] | None = shlex.split(line, posix=True)
    except ValueError:
        try:
            expected = shlex.split(line + '"', posix=True)
        except ValueError:
            expected = None
    assert split_words(line) == expected


@given(st.text())
def test_quote_is_shlex_quote(arg: str) -> None:
    assert quote(arg) == shlex.quote(arg)


@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), min_size=0), min_size=1))
def test_a_command_line_with_blanks_is_shlex_joined(args: list[str]) -> None:
    joined = shlex.join(args)
    if any(a == "" or " " in a for a in args) and joined.isprintable():
        assert command_text(args) == joined


class Pair(Record):
    __slots__ = ("left", "right")
    FIELDS = ("left", "right")
    left: int
    right: str

    def __init__(self, *, left: int, right: str = "") -> None:
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)


def test_a_record_is_frozen_hashable_and_copyable() -> None:
    import copy
    import pickle

    pair = Pair(left=1, right="x")
    with pytest.raises(AttributeError):
        pair.left = 2  # refused at run time (mypy sees a plain attribute)
    assert pair == Pair(left=1, right="x") and pair != Pair(left=2, right="x")
    assert hash(pair) == hash(Pair(left=1, right="x"))
    assert repr(pair) == "Pair(left=1, right='x')"
    assert copy.copy(pair) == pair and pickle.loads(pickle.dumps(pair)) == pair
    assert pair.as_dict() == {"left": 1, "right": "x"}


def test_the_json_view_skips_exactly_the_reasons_words_give_no_hint() -> None:
    from portwho.model import PortReport, Reason, Verdict
    from portwho.views import jsondoc, words

    every = {v for k, v in vars(Reason).items() if k.isupper() and isinstance(v, Reason)}
    assert every - set(words._HINTS) == jsondoc.UNHINTED
    for reason in jsondoc.UNHINTED:  # and words agrees there is nothing to say
        report = PortReport(port=80, verdict=Verdict.FREE, reason=reason)
        assert words.hint(report, "linux") is None
