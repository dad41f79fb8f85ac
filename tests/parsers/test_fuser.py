from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho._run import Completed
from portwho.backends import formats, fuser
from portwho.errors import BackendFailed, BackendUnavailable, ParseError, UsageError
from portwho.model import Query

from ._linux_fixtures import as_dicts, fixture_names, load


@pytest.mark.parametrize("name", fixture_names("fuser"))
def test_fixture(name: str) -> None:
    text, expected = load("fuser", name)
    assert fuser.sniff(text)
    sockets = fuser.parse(text)
    assert as_dicts(sockets) == expected["sockets"]
    assert [s.pid for s in sockets] == [expected["holder_pid"]]


def test_verbose_fixture_names_user_and_command() -> None:
    (sock,) = fuser.parse(load("fuser", "debian-12__fuser-v-n-tcp")[0])
    assert (sock.user, sock.process, sock.local_address, sock.family) == (
        "nobody", "next-server (v1", "*", "ipv4",
    )  # fmt: skip


def test_pasted_forms() -> None:
    text = (
        "3000/tcp:             1234  5678\n"
        "53/udp:   99(systemd-resolve)\n"
        "                     USER        PID ACCESS COMMAND\n"
        "8080/tcp:            alice      4321 F.... node server.js\n"
        "                     bob        4322 F.... python3\n"
        "9090/tcp:            root      F.... no pid (stderr only)\n"
    )
    got = [(s.local_port, s.protocol, s.pid, s.user, s.process) for s in fuser.parse(text)]
    assert got == [
        (3000, "tcp", 1234, None, None),
        (3000, "tcp", 5678, None, None),
        (53, "udp", 99, "systemd-resolve", None),
        (8080, "tcp", 4321, "alice", "node server.js"),
        (8080, "tcp", 4322, "bob", "python3"),
        (9090, "tcp", None, "root", "no pid (stderr only)"),
    ]


@pytest.mark.parametrize("bad", ["1234 5678", "3000/tcp: abc", "99999/tcp: 1"])
def test_garbage_is_skipped_and_the_text_refused(bad: str) -> None:
    parsed = fuser.parse(bad)
    assert (list(parsed), parsed.skipped) == ([], 1)
    with pytest.raises(UsageError, match="does not parse as fuser"):
        formats.parse(bad, "fuser")


def test_sniff() -> None:
    assert fuser.sniff("3000/tcp:  1\n")
    assert not fuser.sniff("tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN 1/sshd\n")


@given(st.text())
def test_any_text(text: str) -> None:
    with contextlib.suppress(ParseError):
        assert isinstance(fuser.parse(text), list)


@given(st.lists(st.from_regex(r"\d{1,6}/(tcp|udp):[ \w().-]{0,30}", fullmatch=True), max_size=4))
def test_label_shaped_text(lines: list[str]) -> None:
    with contextlib.suppress(ParseError):
        fuser.parse("\n".join(lines))


def test_backend_runs_one_scan_per_port_and_protocol() -> None:
    seen: list[list[str]] = []

    def run(argv, timeout):  # type: ignore[no-untyped-def]
        seen.append(list(argv))
        out = "  41  41  42" if argv[2] == "tcp" else ""
        return Completed(argv=tuple(argv), returncode=0 if out else 1, stdout=out, stderr="")

    answer = fuser.BACKEND.collect(Query(ports=frozenset({3000})), run)
    assert seen == [["fuser", "-n", "tcp", "3000"], ["fuser", "-n", "udp", "3000"]]
    assert [s.pid for s in answer.sockets] == [41, 42]
    assert not answer.complete


def test_backend_declines_and_fails() -> None:
    def run(argv, timeout):  # type: ignore[no-untyped-def]
        return Completed(argv=tuple(argv), returncode=2, stdout="", stderr="")

    with pytest.raises(BackendUnavailable):
        fuser.BACKEND.collect(Query(), run)
    with pytest.raises(BackendUnavailable):
        fuser.BACKEND.collect(Query(ports=frozenset(range(8000, 8010))), run)
    with pytest.raises(BackendFailed):
        fuser.BACKEND.collect(Query(ports=frozenset({1})), run)
