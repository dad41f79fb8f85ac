"""What `--from` says about a paste it could not read whole: one stderr line for the skipped
rows, the notes, the same in --debug and in the JSON trail; a table that is not a socket list
is one line and exit 2 (a JSON error object under --json)."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import run
from tests.fakes import FIXTURES

MIXED = FIXTURES / "ss" / "ubuntu22-iproute2-5.15__ss_-a_mixed_netids.txt"
CUT = FIXTURES / "netstat-macos" / "macos10.14-mojave__netstat_-A.txt"
ROUTES = FIXTURES / "not-sockets" / "debian-12-net-tools-2.10__netstat_-rn.txt"


def test_skipped_rows_are_one_stderr_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["22", "--from", str(MIXED)], capsys)
    assert code == 3  # the sockets are there; this ss ran without -p, so no owner is named
    lines = err.splitlines()
    assert len(lines) == 1 and "skipped 7 rows" in lines[0] and "the rest was read" in lines[0]
    assert "rtnl:kernel" in lines[0]
    assert "10.0.2.15:22" in out


def test_json_trail_carries_the_count_and_first_row(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--from", str(CUT), "--json"], capsys)
    doc = json.loads(out)
    assert code == 0
    assert doc["trail"][0]["skipped"] == {
        "count": 1,
        "first": "7fa1c2b94b25de99 dbe59bf1 tcp4 0 0 192.168.1.22.54781 a104-96-153-.netbi "
        "ESTABLISHED",
    }
    assert any("'netbi'" in note for note in doc["notes"])
    assert any("may be cut" in note for note in doc["notes"])


def test_debug_shows_the_skips_and_notes(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(["--from", str(CUT), "--debug"], capsys)
    assert "debug: netstat-macos" in err and "skipped 1 row" in err
    assert "note: some addresses fill netstat's 18-column field" in err


def test_routing_table_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--from", str(ROUTES), "--format", "netstat-linux"], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "portwho: this is a routing table, not a socket list (netstat -r / -i); save a socket "
        "listing instead (ss -tunap, netstat -anp, netstat -ano, lsof -i)"
    ]
    code, out, _ = run(["--from", str(ROUTES), "--json"], capsys)
    assert code == 2 and json.loads(out)["error"]["code"] == "usage"
