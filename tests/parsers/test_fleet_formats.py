"""--from for facts a fleet already collects: osquery's listening_ports (joined with processes)
and Ansible's listen_ports_facts. No capture of either was made here (neither tool is
installed); the fixtures are modelled line by line on published output: the osquery rows on a
`select * from listening_ports` row quoted in a CTF write-up and on an osqueryd result-log line
from a monitoring guide (same column set, the joined columns from the `processes` schema), the
Ansible output on the module documentation's sample values (docs.ansible.com,
community.general.listen_ports_facts, "Returned Facts") in the `HOST | SUCCESS => {...}` shape
ansible prints."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho.backends import formats, listen_ports_facts, osquery
from portwho.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CASES = [
    (tool, p.stem)
    for tool in ("osquery", "listen-ports-facts")
    for p in sorted((FIXTURES / tool).glob("*.txt"))
    # the ones with a list oracle; those with a full account (skipped rows, notes) are
    # checked by test_captures
    if isinstance(json.loads(p.with_suffix(".json").read_text()), list)
]


def as_json(text: str, tool: str) -> list[dict[str, Any]]:
    out = [s.as_dict() for s in formats.parse(text, tool)[1]]
    for row in out:
        row["cmdline"] = list(row["cmdline"]) if row["cmdline"] is not None else None
    return out


@pytest.mark.parametrize(("tool", "name"), CASES)
def test_fixture_parses_to_its_oracle_and_is_detected(tool: str, name: str) -> None:
    text = (FIXTURES / tool / f"{name}.txt").read_text()
    expected = json.loads((FIXTURES / tool / f"{name}.json").read_text())
    assert formats.detect(text) == tool
    assert as_json(text, tool) == expected


def test_osquery_hidden_owners_and_unix_sockets() -> None:
    stem = "modelled-on-published__osqueryi_--json_select_lp.star_p.name_p.cmdline_p.uid_from_"
    text = (FIXTURES / "osquery" / f"{stem}listening_ports_join_processes.txt").read_text()
    socks = {s.local_port: s for s in osquery.parse(text)}
    assert 0 not in socks  # the UNIX socket row (path, port 0) is no port
    assert socks[514].pid is None and socks[514].needs_owner  # osquery's pid -1
    assert (socks[53].protocol, socks[53].uid, socks[22].family) == ("udp", 101, "ipv6")


def test_listen_ports_facts_bare_facts_and_connections() -> None:
    facts = {
        "tcp_listen": [
            {"address": "10.0.0.5", "name": "python3", "pid": 9, "port": 8000, "protocol": "tcp",
             "state": "ESTABLISHED", "foreign_address": "10.0.0.9:51000", "user": "app"},
        ],
    }  # fmt: skip
    [sock] = listen_ports_facts.parse(json.dumps(facts))
    assert (sock.state, sock.remote_address, sock.remote_port) == ("ESTABLISHED", "10.0.0.9", 51000)
    bad = listen_ports_facts.parse(json.dumps({"tcp_listen": [{"port": "x"}]}))
    assert (list(bad), bad.skipped, bad.skip_reason) == ([], 1, "not a port: 'x'")


def sockets_or_parse_error(text: str) -> None:
    for module in (osquery, listen_ports_facts):
        with contextlib.suppress(ParseError):
            assert isinstance(module.parse(text), list)


@given(st.text(max_size=400))
def test_any_text_is_sockets_or_a_parse_error(text: str) -> None:
    sockets_or_parse_error(text)


@given(st.recursive(st.none() | st.integers() | st.text(max_size=8),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
                        st.sampled_from(["port", "protocol", "family", "address", "pid",
                                         "tcp_listen", "udp_listen", "columns", "ansible_facts"]),
                        kids, max_size=5), max_leaves=20))  # fmt: skip
def test_any_json_is_sockets_or_a_parse_error(data: object) -> None:
    sockets_or_parse_error(json.dumps(data))
