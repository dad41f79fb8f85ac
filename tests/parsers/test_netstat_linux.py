# ruff: noqa: E501 - netstat headers below are kept verbatim
from __future__ import annotations

import contextlib
import sys
import types

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho._run import Completed
from portwho.backends import netstat_linux as ns
from portwho.errors import BackendFailed, ParseError
from portwho.model import Query

from ._linux_fixtures import as_dicts, fixture_names, load, sample


@pytest.mark.parametrize("name", fixture_names("netstat-linux"))
def test_fixture(name: str) -> None:
    text, expected = load("netstat-linux", name)
    assert ns.sniff(text)
    assert as_dicts(ns.parse(text)) == expected["sockets"]


def test_fixture_root_and_nonroot() -> None:
    root = ns.parse(load("netstat-linux", "debian-12__netstat-natupeW-root")[0])
    assert {(s.process, s.uid, s.user) for s in root} == {
        ("my server (v1", 65534, None)
    }  # cut to the column: a 5-digit pid
    hidden = ns.parse(load("netstat-linux", "debian-12__netstat-natupeW-nonroot")[0])
    assert len(hidden) == 6
    assert all(s.pid is None and s.inode for s in hidden)


def test_samples_cut_names() -> None:
    spaced = ns.parse(sample("linux-netstat-lnp-space-ubuntu1804-jc.txt"))
    ssh = [s for s in spaced if s.local_port == 22 and s.pid == 600]
    assert {(s.family, s.local_address, s.process) for s in ssh} == {
        ("ipv4", "0.0.0.0", "sshd: /usr/sbin"),
        ("ipv6", "::", "sshd: /usr/sbin"),
    }
    assert any(s.process == "pgpool: heartb" and s.protocol == "udp" for s in spaced)
    php = next(
        s
        for s in ns.parse(sample("linux-netstat-nlp-ubuntu-findprocess.txt"))
        if s.local_port == 9000
    )
    assert (php.pid, php.process, php.local_address) == (1705, "php-fpm.conf)", "127.0.0.1")


def test_sample_skips_raw_and_unix_sections() -> None:
    sockets = ns.parse(sample("linux-netstat-lnp-centos77-jc.txt"))
    assert len(sockets) == 7
    assert {s.protocol for s in sockets} == {"tcp", "udp"}
    assert not any(s.process == "dockerd-curren" for s in sockets)  # only in the unix section
    v6 = [s for s in sockets if s.family == "ipv6"]
    assert {(s.local_address, s.local_port) for s in v6} == {("::1", 25), ("::", 22), ("::1", 323)}


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tiny stand-in for portwho.registry (built in parallel by the registry engineer)."""
    table = {("smtp", "tcp"): 25, ("ssh", "tcp"): 22, ("bootpc", "udp"): 68}
    module = types.ModuleType("portwho.registry")
    module.port_for_service = lambda name, proto: table.get((name, proto))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "portwho.registry", module)
    import portwho

    monkeypatch.setattr(portwho, "registry", module, raising=False)


@pytest.mark.usefixtures("registry")
def test_sample_names_not_numbers() -> None:
    sockets = ns.parse(sample("linux-netstat-aeep-names-centos77-jc-inet-section.txt"))
    assert len(sockets) == 9  # the raw6 row is skipped
    smtp = sockets[0]
    assert (smtp.local_address, smtp.local_port, smtp.user, smtp.inode, smtp.pid) == (
        "localhost", 25, "root", 22606, 1489,
    )  # fmt: skip
    ssh6 = sockets[3]
    assert (ssh6.family, ssh6.local_address, ssh6.local_port, ssh6.remote_address) == (
        "ipv6", "::", 22, None,
    )  # fmt: skip
    est = sockets[4]
    assert (est.remote_address, est.remote_port, est.state, est.process) == (
        "localhost", 38134, "ESTABLISHED", "sshd: kbrazil",
    )  # fmt: skip
    assert sockets[6].local_port == 68 and sockets[6].protocol == "udp"


def test_unknown_service_name_skips_the_row_and_says_so() -> None:
    parsed = ns.parse(
        "tcp 0 0 localhost:no-such-service-xyz 0.0.0.0:* LISTEN 1/x\n"
        "tcp 0 0 localhost:ssh 0.0.0.0:* LISTEN 2/sshd\n"
    )
    assert [(s.local_port, s.pid) for s in parsed] == [(22, 2)]
    assert parsed.skipped == 1 and "no-such-service-xyz" in parsed.skip_reason
    assert any("'no-such-service-xyz'" in n and "port is unknown" in n for n in parsed.notes)


def test_mapped_v4_on_tcp6_row() -> None:
    (sock,) = ns.parse("tcp6 0 0 127.0.0.1:47006 :::* LISTEN 0 7523 5624/python\n")
    assert (sock.family, sock.local_address, sock.uid, sock.inode) == (
        "ipv6", "::ffff:127.0.0.1", 0, 7523,
    )  # fmt: skip


def test_sniff_is_linux_only() -> None:
    mac = "Active Internet connections (including servers)\nProto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n"
    assert not ns.sniff(mac)
    assert not ns.sniff(
        "tcp46      0      0  *.443                  *.*                    LISTEN\n"
    )
    assert not ns.sniff(
        "\nActive Connections\n\n  Proto  Local Address  Foreign Address  State  PID\n"
    )
    assert not ns.sniff("udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*\n")  # that is ss


@given(st.text())
def test_any_text_gives_list_or_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        assert isinstance(ns.parse(text), list)


ROW = st.builds(
    lambda p, a, b, tail: f"{p} 0 0 {a} {b} {tail}",
    st.sampled_from(["tcp", "tcp6", "udp", "udp6"]),
    st.from_regex(r"[0-9.:a-z*\[\]]{1,20}", fullmatch=True),
    st.from_regex(r"[0-9.:a-z*\[\]]{1,20}", fullmatch=True),
    st.text(max_size=40),
)


@given(st.lists(ROW, max_size=5))
def test_row_shaped_text_gives_list_or_parse_error(rows: list[str]) -> None:
    with contextlib.suppress(ParseError):
        ns.parse("\n".join(rows))


def _runner(stdout: str, rc: int = 0):  # type: ignore[no-untyped-def]
    return lambda argv, timeout: Completed(
        argv=tuple(argv), returncode=rc, stdout=stdout, stderr=""
    )


def test_backend() -> None:
    text, expected = load("netstat-linux", "debian-12__netstat-natupeW-root")
    port = expected["sockets"][0]["local_port"]
    answer = ns.BACKEND.collect(Query(ports=frozenset({port})), _runner(text))
    assert answer.complete and {s.local_port for s in answer.sockets} == {port}
    hidden = ns.BACKEND.collect(
        Query(), _runner(load("netstat-linux", "debian-12__netstat-natupeW-nonroot")[0])
    )
    assert not hidden.complete and len(hidden.sockets) == 6
    with pytest.raises(BackendFailed):
        ns.BACKEND.collect(Query(), _runner("", rc=3))
    with pytest.raises(BackendFailed):
        ns.BACKEND.collect(
            Query(), _runner("netstat: no support for `AF INET (tcp)' on this system.\n")
        )
