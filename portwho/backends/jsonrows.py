"""Shared reading of JSON that other tools print (osquery, Ansible): find the document in the
text, and read scalar fields that may be numbers or strings of digits."""

from __future__ import annotations

import json
from typing import Any

from portwho.errors import ParseError


def document(text: str) -> Any:
    """The first JSON value in the text: output may come after a banner (`host | SUCCESS =>`,
    `ok: [web1] =>`) or a prompt. Raises ParseError when there is none."""
    body = text.lstrip("\ufeff")
    decoder = json.JSONDecoder()
    for at, char in enumerate(body):
        if char in "[{":
            try:
                return decoder.raw_decode(body, at)[0]
            except (ValueError, RecursionError):
                continue
    raise ParseError("no JSON document in the input")


def number(item: dict[str, Any], key: str, *, high: int | None = None) -> int | None:
    """An integer field (osquery prints every column as a string); None when absent or empty."""
    value = item.get(key)
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if value.lstrip("-").isdecimal() and value.isascii():
            value = int(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(f"{key} is not a number: {value!r}")
    if high is not None and not 0 <= value <= high:
        raise ParseError(f"{key} out of range: {value}")
    return value


def text_field(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value.strip() else None
