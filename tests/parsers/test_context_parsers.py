"""The pure parsers of portwho.context and portwho.context.errortext against recorded text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho.context import cgroup, engine, errortext, services

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _cases(folder: str) -> list[Path]:
    return sorted((FIXTURES / folder).glob("*.txt"))


@pytest.mark.parametrize("path", _cases("cgroup"), ids=lambda p: p.stem)
def test_cgroup_fixture(path: Path) -> None:
    text = path.read_text()
    expected = json.loads(path.with_suffix(".json").read_text())
    container, unit = cgroup.container_of(text), cgroup.unit_of(text)
    assert [list(container) if container else None, list(unit) if unit else None] == [
        expected["container"],
        expected["unit"],
    ]


def test_cgroup_v1_systemd_line_wins_over_v2() -> None:
    text = (
        "9:name=systemd:/system.slice/demo.service\n0::/user.slice/user-0.slice/session-1.scope\n"
    )
    assert cgroup.unit_of(text) == ("demo.service", False)


@pytest.mark.parametrize("text", ["", "garbage", "0::relative/path", "1:cpu"])
def test_cgroup_nonsense_is_nothing(text: str) -> None:
    assert cgroup.container_of(text) is None and cgroup.unit_of(text) is None


def test_docker_api_fixture() -> None:
    path = FIXTURES / "docker-api" / "docker20.10__get-containers-json.txt"
    listed = engine.parse(path.read_text())
    got = [
        {
            "container": c.container.to_json(),
            "ips": sorted(c.ips),
            "published": sorted(map(list, c.published)),
            "private": sorted(map(list, c.private)),
        }
        for c in listed
    ]
    assert got == json.loads(path.with_suffix(".json").read_text())


@pytest.mark.parametrize("text", ["{}", "null", "[1, 2]", '[{"Names": ["/x"]}]'])
def test_docker_api_odd_answers(text: str) -> None:
    if text in ("{}", "null"):
        with pytest.raises(ValueError):
            engine.parse(text)
    else:
        assert engine.parse(text) == []


def test_socket_unit_from_this_machine() -> None:
    text = (FIXTURES / "systemd" / "debian12__lib-systemd-system-ssh.socket.txt").read_text()
    assert services.socket_ports(text) == {("tcp", 22)}


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("ListenStream=0.0.0.0:8080", {("tcp", 8080)}),
        ("ListenStream=[::]:8080", {("tcp", 8080)}),
        ("ListenDatagram=5353", {("udp", 5353)}),
        ("ListenStream=/run/demo.sock", set()),
        ("ListenFIFO=/run/demo.fifo", set()),
    ],
)
def test_socket_unit_listen_forms(line: str, found: set[tuple[str, int]]) -> None:
    assert services.socket_ports(f"[Socket]\n{line}\n") == found
    assert services.socket_ports(f"[Service]\n{line}\n") == set()  # only [Socket] counts


def test_socket_unit_search(tmp_path: Path) -> None:
    high, low = tmp_path / "etc", tmp_path / "lib"
    high.mkdir()
    low.mkdir()
    (low / "demo.socket").write_text("[Socket]\nListenStream=9000\n")
    (high / "demo.socket").write_text("[Socket]\nListenStream=9001\n")  # overrides lib's
    assert services.socket_unit("tcp", 9001, [str(high), str(low)]) == "demo.socket"
    assert services.socket_unit("tcp", 9000, [str(high), str(low)]) is None
    assert services.socket_unit("udp", 9001, [str(high), str(low)]) is None


def test_launchctl_list() -> None:
    text = (FIXTURES / "launchctl" / "macos__launchctl-list.txt").read_text()
    assert services.launchd_labels(text) == {1234: "com.example.api", 0: "com.apple.other.service"}


def test_tasklist_svc() -> None:
    text = (FIXTURES / "tasklist-svc" / "win__tasklist-svc-fo-csv-nh.txt").read_text()
    assert services.windows_services(text) == {
        572: ("Eventlog", "PlugPlay"),
        748: ("RpcSs",),
        920: ("Dnscache",),
        3312: ("postgresql-x64-16",),
    }


# -- pasted errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", _cases("errors"), ids=lambda p: p.stem)
def test_error_fixture(path: Path) -> None:
    found = errortext.parse(path.read_text())
    expected = json.loads(path.with_suffix(".json").read_text())
    got = found and {k: v for k, v in found.to_json().items() if k != "meaning"}
    assert got == expected


#: the brief's examples, one line each: (text, kind, source, port)
TABLE = [
    ("Error: listen EADDRINUSE: address already in use :::3000", "in-use", "node", 3000),
    ("Error: listen EADDRINUSE 127.0.0.1:3000", "in-use", "node", 3000),
    ("listen tcp :8080: bind: address already in use", "in-use", "go", 8080),
    ("listen tcp6 [::1]:8080: bind: address already in use", "in-use", "go", 8080),
    ("listen tcp 0.0.0.0:80: bind: permission denied", "access", "go", 80),
    (
        "OSError: [Errno 98] error while attempting to bind on address ('127.0.0.1', 8000)",
        "in-use",
        "python",
        8000,
    ),
    ("OSError: [Errno 48] Address already in use", "in-use", "python", None),
    ("java.net.BindException: Address already in use", "in-use", "java", None),
    (
        "java.net.BindException: Address already in use\n  Web server failed to start. "
        "Port 8080 was already in use.",
        "in-use",
        "java",
        8080,
    ),
    ("Web server failed to start. Port 8081 was already in use.", "in-use", "spring", 8081),
    ("Bind for 0.0.0.0:5432 failed: port is already allocated", "docker-allocated", "docker", 5432),
    ("dial tcp 127.0.0.1:5432: connect: connection refused", "refused", "go", 5432),
    ("Error: connect ECONNREFUSED 127.0.0.1:6379", "refused", "node", 6379),
    ("error: [Errno 10013] An attempt was made to access a socket", "reserved", "python", None),
    ("bind() to 0.0.0.0:80 failed (98: Address already in use)", "in-use", "nginx", 80),
    ("bind() to 0.0.0.0:80 failed (13: Permission denied)", "access", "nginx", 80),
    (
        'could not bind IPv4 address "127.0.0.1": Address already in use\n'
        "HINT:  Is another postmaster already running on port 5432?",
        "in-use",
        "postgres",
        5432,
    ),
    ("something odd happened on port 7000", "unknown", "generic", 7000),
]


@pytest.mark.parametrize(("text", "kind", "source", "port"), TABLE)
def test_error_table(text: str, kind: str, source: str, port: int | None) -> None:
    found = errortext.parse(text)
    assert found is not None
    assert (found.kind, found.source, found.port) == (kind, source, port)
    assert found.meaning  # every kind is worded


@pytest.mark.parametrize("text", ["", "hello", "all good", "listen tcp :99999: bind: in use"])
def test_error_without_a_port(text: str) -> None:
    found = errortext.parse(text)
    assert found is None or found.port is None


def test_eacces_above_1024_is_not_about_privileged_ports() -> None:
    low, high = (
        errortext.parse("listen EACCES 0.0.0.0:81"),
        errortext.parse("listen EACCES 0.0.0.0:8081"),
    )
    assert low is not None and high is not None
    assert "below 1024" in low.meaning and "needs no root" in high.meaning


@given(st.text(max_size=300))
def test_any_text_parses_or_not(text: str) -> None:
    found = errortext.parse(text)
    assert found is None or found.port is None or 0 < found.port <= 65535
