"""Every capture with an `account` oracle (sockets + skipped + notes) reads back exactly, through
detection as `--from` does it. The Linux ones were captured here by
scripts/capture_parser_fixtures.py; the others were modelled line by line on published captures
(see the README beside them)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from portwho.backends import formats
from portwho.backends.rows import Parsed
from tests.fakes import FIXTURES


def _accounted() -> list[Path]:
    found = []
    for path in sorted(FIXTURES.glob("*/*.txt")):
        oracle = path.with_suffix(".json")
        if oracle.exists() and "skipped" in json.loads(oracle.read_text()):
            found.append(path)
    return found


CASES = [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in _accounted()]


@pytest.mark.parametrize("path", CASES)
def test_capture_reads_back_exactly(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text())
    name, parsed = formats.parse(path.read_text(encoding="utf-8"), None)
    assert name == expected["tool"]
    assert [asdict(s) for s in parsed] == expected["sockets"]
    assert (parsed.skipped, parsed.first_skipped) == (
        expected["skipped"],
        expected["first_skipped"],
    )
    assert parsed.notes == expected["notes"]


def test_there_are_captures_of_every_new_kind() -> None:
    names = {p.name for p in _accounted()}
    for part in ("busybox", "ss_a_p", "netstat_tlp", "as-nobody", "as-root"):
        assert any(part in n for n in names), part


def _load(folder: str, name: str) -> Parsed:
    return formats.parse((FIXTURES / folder / name).read_text(), None)[1]


def test_busybox_labels_ipv6_rows_tcp_and_the_address_says_ipv6() -> None:
    parsed = _load("netstat-linux", "debian-12-busybox-1.35-as-root__busybox_netstat_a.txt")
    text = FIXTURES / "netstat-linux/debian-12-busybox-1.35-as-root__busybox_netstat_a.txt"
    assert "tcp        0      0 ::1:postgresql" in text.read_text()
    pg = next(s for s in parsed if s.local_port == 5432)
    assert (pg.protocol, pg.family, pg.local_address, pg.state) == ("tcp", "ipv6", "::1", "LISTEN")
    ntp6 = next(s for s in parsed if s.local_port == 123 and s.family == "ipv6")
    assert (ntp6.protocol, ntp6.local_address, ntp6.state) == ("udp", "::1", None)


def test_service_names_without_n_become_ports() -> None:
    parsed = _load("ss", "debian-12-iproute2-6.1-as-root__ss_a_p.txt")
    ipp = [s for s in parsed if s.local_port == 631]
    assert {(s.state, s.remote_address) for s in ipp} == {
        ("LISTEN", None),
        ("ESTABLISHED", "127.0.0.1"),
    }
    # the server side of the loopback connection was never accept()ed: no process holds it
    unowned = [s for s in parsed if s.pid is None]
    assert [(s.local_port, s.state) for s in unowned] == [(631, "ESTABLISHED")]
    assert len({s.pid for s in parsed if s.pid is not None}) == 1
    assert parsed.skipped == 1 and (parsed.first_skipped or "").startswith("raw")


def test_nonroot_preamble_is_read_past() -> None:
    parsed = _load("netstat-linux", "debian-12-net-tools-2.10-as-nobody__netstat_tlp.txt")
    assert len(parsed) == 3 and all(s.pid is None for s in parsed)
    assert {s.local_port for s in parsed} >= {631, 5432}
