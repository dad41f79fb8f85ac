"""portwho.context.read_text reads what a text file object reads, in fewer system calls."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from portwho.context import read_text


def _opened(path: Path, errors: str) -> str:
    with open(path, encoding="utf-8", errors=errors) as fh:
        return fh.read()


@pytest.mark.parametrize("errors", ["strict", "replace", "surrogateescape"])
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"plain\n",
        b"ref: refs/heads/main\r\n",
        b"a\rb\r\nc\n\r\r\n",
        "caf\u00e9 \u2028 \U0001f600\n".encode(),
        b"x" * 70000 + b"\r\n" + b"y" * 70000,  # past one read, a CR LF across it
    ],
)
def test_read_text_is_a_text_read(tmp_path: Path, data: bytes, errors: str) -> None:
    path = tmp_path / "file"
    path.write_bytes(data)
    assert read_text(str(path), errors) == _opened(path, errors)


@pytest.mark.parametrize("errors", ["replace", "surrogateescape"])
def test_read_text_decodes_bad_bytes_as_a_text_read(tmp_path: Path, errors: str) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"ok\xff\xfe\x00end\x80\r")
    assert read_text(str(path), errors) == _opened(path, errors)
    with pytest.raises(UnicodeDecodeError):
        read_text(str(path))


def test_read_text_of_what_cannot_be_read_is_none(tmp_path: Path) -> None:
    assert read_text(str(tmp_path / "missing")) is None
    assert read_text(str(tmp_path)) is None  # a directory opens, but reads EISDIR


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_read_text_of_proc_files() -> None:
    for name in ("cmdline", "cgroup", "environ"):
        path = Path(f"/proc/{os.getpid()}/{name}")
        assert read_text(str(path), "surrogateescape") == _opened(path, "surrogateescape")
