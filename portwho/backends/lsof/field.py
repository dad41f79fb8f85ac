"""The `lsof -F` field form: one field per line, the first character naming the field.

A `p` line starts a process set (followed by `c`, `u`, `L`, ...), an `f` line starts a file set
(followed by `t`, `P`, `n`, `T...`). Fields portwho does not use (`g`, `R`, `a`, `l`, `d`, `G`,
`o`, ...) are skipped, so plain `lsof -F` parses too.
"""

from __future__ import annotations

import dataclasses
import re

from portwho.backends import addr
from portwho.backends.lsof import _common as lsof
from portwho.errors import ParseError
from portwho.model import Socket

_PROCESS_START = re.compile(r"p\d+")


def looks_like(text: str) -> bool:
    for line in text.splitlines():
        if line.strip():
            return _PROCESS_START.fullmatch(line.strip()) is not None
    return False


class _Reader:
    """Accumulates the current process and file set; emits a Socket when a file set closes."""

    def __init__(self) -> None:
        self.owner: lsof.Owner | None = None
        self.file: dict[str, str] = {}
        self.sockets: list[Socket] = []

    def process_field(self, tag: str, value: str) -> None:
        if tag == "p":
            self.close_file()
            self.owner = lsof.Owner(pid=_int(value, "pid"))
            return
        owner = self._owner()
        if tag == "c":
            self.owner = dataclasses.replace(owner, process=lsof.unescape(value))
        elif tag == "u":
            self.owner = dataclasses.replace(owner, uid=_int(value, "uid"))
        elif tag == "L":
            self.owner = dataclasses.replace(owner, user=lsof.unescape(value))

    def file_field(self, tag: str, value: str) -> None:
        if tag == "f":
            self.close_file()
            self._owner()
            self.file = {"f": value}
        elif self.file:
            if tag == "T":
                key, _, state = value.partition("=")
                if key == "ST":
                    self.file["state"] = state
            else:
                self.file[tag] = value

    def close_file(self) -> None:
        if self.file and self.owner is not None:
            sock = _file_socket(self.owner, self.file)
            if sock is not None:
                self.sockets.append(sock)
        self.file = {}

    def _owner(self) -> lsof.Owner:
        if self.owner is None:
            raise ParseError("lsof field output: a field before the first process (p) line")
        return self.owner


def _int(value: str, what: str) -> int:
    if not (value.isdecimal() and value.isascii()):
        raise ParseError(f"lsof field output: bad {what} {value!r}")
    return int(value)


def _file_socket(owner: lsof.Owner, file: dict[str, str]) -> Socket | None:
    protocol = lsof.protocol_of(file.get("P", ""))
    name = file.get("n")
    if protocol is None or not name:
        return None  # not an internet socket (or -F without P/n): nothing to say about ports
    local = name.partition("->")[0].rpartition(":")[0]
    family = lsof.family_of(file.get("t", "")) or addr.family_of(local.strip("[]*"))
    return lsof.make_socket(
        owner=owner, protocol=protocol, family=family, name=name, state=file.get("state")
    )


_PROCESS_TAGS = frozenset("pcuLgRK")


def parse_fields(text: str) -> list[Socket]:
    reader = _Reader()
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        tag, value = line[0], line[1:]
        if tag in _PROCESS_TAGS:
            reader.process_field(tag, value)
        else:
            reader.file_field(tag, value)
    reader.close_file()
    if reader.owner is None and text.strip():
        raise ParseError("not lsof -F output: no process (p) line")
    return reader.sockets
