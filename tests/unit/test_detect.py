"""`--from` detection over every project fixture and every shared sample: each text is claimed
by the format that printed it, and by no earlier one in the detection order."""

from __future__ import annotations

from pathlib import Path

import pytest

from portwho.backends import formats
from tests.fakes import FIXTURES
from tests.parsers._linux_fixtures import SAMPLES

#: fixture folder -> the format that must claim its files
FOLDERS = {
    "ss": "ss",
    "netstat-linux": "netstat-linux",
    "fuser": "fuser",
    "lsof": "lsof",
    "netstat-macos": "netstat-macos",
    "netstat-windows": "netstat-windows",
    "powershell": "powershell",
    "proc-net": "proc-net",
    "netstat-freebsd": "netstat-freebsd",
    "sockstat": "sockstat",
    "osquery": "osquery",
    "listen-ports-facts": "listen-ports-facts",
}
#: shared sample name prefix -> format
SAMPLE_FORMATS = {
    "linux-netstat": "netstat-linux",
    "linux-ss": "ss",
    "linux-proc-net": "proc-net",
    "macos-lsof": "lsof",
    "macos-netstat": "netstat-macos",
    "windows-netstat": "netstat-windows",
}

CASES = [
    pytest.param(path, fmt, id=path.name)
    for folder, fmt in FOLDERS.items()
    for path in sorted((FIXTURES / folder).glob("*.txt"))
]


@pytest.mark.parametrize(("path", "fmt"), CASES)
def test_every_fixture_is_detected_as_its_format(path: Path, fmt: str) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    assert formats.detect(text) == fmt


def test_every_shared_sample_is_detected_as_its_format() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples is not here")
    seen = 0
    for path in sorted(SAMPLES.glob("*.txt")):
        fmt = next(f for prefix, f in SAMPLE_FORMATS.items() if path.name.startswith(prefix))
        assert formats.detect(path.read_bytes().decode("utf-8", "replace")) == fmt, path.name
        seen += 1
    assert seen >= 10
