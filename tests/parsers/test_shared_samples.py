"""Every real capture in ../shared/samples (published by other projects; read here, never copied)
parses through detection as `--from` does it, and spot-checked rows say the right protocol,
family, address, port, state and pid. Skips when the folder is not there."""

from __future__ import annotations

from typing import Any

import pytest

from portwho.backends import formats
from portwho.model import Socket
from tests.parsers._linux_fixtures import SAMPLES

#: file -> (format, sockets, skipped, rows that must be among the sockets)
#: a row: (protocol, family, local_address, local_port, state, pid)
EXPECTED: dict[str, tuple[str, int, int, list[tuple[Any, ...]]]] = {
    "linux-netstat-aeep-names-centos77-jc-inet-section.txt": ("netstat-linux", 9, 1, [
        ("tcp", "ipv4", "localhost", 25, "LISTEN", 1489),
        ("tcp", "ipv6", "::", 22, "LISTEN", 1215),
        ("tcp", "ipv6", "localhost", 22, "ESTABLISHED", 6492),
    ]),
    "linux-netstat-lnp-centos77-jc.txt": ("netstat-linux", 7, 1, [
        ("tcp", "ipv4", "0.0.0.0", 22, "LISTEN", 1206),
        ("tcp", "ipv6", "::", 22, "LISTEN", 1206),
    ]),
    "linux-netstat-lnp-space-ubuntu1804-jc.txt": ("netstat-linux", 25, 1, [
        ("tcp", "ipv4", "0.0.0.0", 9898, "LISTEN", 1178),
        ("tcp", "ipv4", "192.168.68.116", 9102, "LISTEN", 584),
    ]),
    "linux-netstat-nlp-ubuntu-findprocess.txt": ("netstat-linux", 14, 0, [
        ("tcp", "ipv4", "127.0.0.1", 3306, "LISTEN", 830),
        ("tcp", "ipv4", "0.0.0.0", 80, "LISTEN", 1668),
    ]),
    "linux-proc-net-tcp-jc.txt": ("proc-net", 27, 0, [
        ("tcp", "ipv4", "127.0.0.53", 53, "LISTEN", None),
    ]),
    "linux-proc-net-tcp6-jc.txt": ("proc-net", 8, 0, [
        ("tcp", "ipv6", "::", 22, "LISTEN", None),
    ]),
    "linux-ss-tulpen-ubuntu1804-jc.txt": ("ss", 85, 0, [
        ("udp", "ipv4", "0.0.0.0", 5353, None, 1510),
        ("udp", "ipv4", "0.0.0.0", 4789, None, None),
    ]),
    "macos-lsof-F-i443-sikyblog.txt": ("lsof", 1, 0, []),
    "macos-lsof-i443-sikyblog.txt": ("lsof", 2, 0, [
        ("tcp", "ipv4", "siky-mac-mini", 53734, "ESTABLISHED", 94659),
    ]),
    "macos-netstat-anv-ptcp-findprocess.txt": ("netstat-macos", 5, 0, [
        ("tcp", "ipv6", "::", 443, "LISTEN", 61044),
        ("tcp", "ipv4", "10.16.43.243", 55663, "CLOSE_WAIT", 36843),
    ]),
    "windows-netstat-anb-fr-danyghassan-excerpt.txt": ("netstat-windows", 196, 0, [
        ("tcp", "ipv4", "10.33.51.143", 60807, "TIME_WAIT", None),
    ]),
    "windows-netstat-ano-ptcp-zh-findprocess.txt": ("netstat-windows", 15, 0, [
        ("tcp", "ipv4", "0.0.0.0", 80, "LISTEN", 2288),
        ("tcp", "ipv4", "0.0.0.0", 135, "LISTEN", 736),
    ]),
    "windows-netstat-aon-win10-jc.txt": ("netstat-windows", 161, 0, [
        ("udp", "ipv4", "0.0.0.0", 1900, None, 27696),
    ]),
    "windows-netstat-aonb-win10-jc.txt": ("netstat-windows", 248, 0, []),
}  # fmt: skip


def _row(s: Socket) -> tuple[Any, ...]:
    return (s.protocol, s.family, s.local_address, s.local_port, s.state, s.pid)


def _samples() -> list[str]:
    return sorted(p.name for p in SAMPLES.glob("*.txt")) if SAMPLES.is_dir() else []


@pytest.mark.parametrize("name", _samples() or ["(no samples)"])
def test_every_shared_sample_parses(name: str) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples is not here (PORTWHO_SAMPLES points elsewhere)")
    assert name in EXPECTED, f"a new shared sample: add what {name} must parse to"
    fmt, count, skipped, rows = EXPECTED[name]
    text = (SAMPLES / name).read_bytes().decode("utf-8", "replace")
    got, parsed = formats.parse(text, None)
    assert (got, len(parsed), parsed.skipped) == (fmt, count, skipped)
    have = {_row(s) for s in parsed}
    for row in rows:
        assert row in have, (row, sorted(r for r in have if r[3] == row[3]))
