# ruff: noqa: E501 - ss rows below are kept verbatim as the tool printed them
from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho._run import Completed
from portwho.backends import ss
from portwho.errors import BackendFailed, ParseError
from portwho.model import Query

from ._linux_fixtures import as_dicts, fixture_names, load, sample


@pytest.mark.parametrize("name", fixture_names("ss"))
def test_fixture(name: str) -> None:
    text, expected = load("ss", name)
    assert ss.sniff(text)
    assert as_dicts(ss.parse(text)) == expected["sockets"]


def test_fixture_owners_hidden_as_other_user() -> None:
    text, _expected = load("ss", "debian-12__ss-Hnatupe-nonroot")
    sockets = ss.parse(text)
    assert len(sockets) == 6
    assert all(s.pid is None and s.uid == 65534 for s in sockets)
    assert not ss.complete(sockets)


def test_fixture_name_with_spaces_and_parens() -> None:
    text, expected = load("ss", "debian-12__ss-Hnatupe-root")
    sockets = ss.parse(text)
    assert {s.process for s in sockets} == {"next-server (v1"}
    assert {s.pid for s in sockets} == {expected["holder_pid"]}
    assert ss.complete(sockets)


def test_jc_ubuntu_sample() -> None:
    sockets = ss.parse(sample("linux-ss-tulpen-ubuntu1804-jc.txt"))
    http = [s for s in sockets if s.local_port == 80]
    assert [s.pid for s in http] == [24795, 2157, 2156, 2155, 2154, 2153, 2079]
    assert {s.process for s in http} == {"/usr/sbin/apach"}
    assert {s.inode for s in http} == {40480}
    resolved = [s for s in sockets if s.local_port == 53 and s.local_address == "127.0.0.53"]
    assert {(s.protocol, s.process, s.uid) for s in resolved} == {
        ("udp", "systemd-resolve", 101),
        ("tcp", "systemd-resolve", 101),
    }
    dhcp = next(s for s in sockets if s.local_port == 67)
    assert (dhcp.local_address, dhcp.family, dhcp.state) == ("0.0.0.0", "ipv4", None)
    vxlan = next(s for s in sockets if s.local_port == 4789)
    assert (vxlan.pid, vxlan.inode, vxlan.uid) == (None, 58296, 0)
    assert ss.sniff(sample("linux-ss-tulpen-ubuntu1804-jc.txt"))


# Lines printed by iproute2 6.1 here for real wildcard binds (dual-stack "::", v6only "::",
# "0.0.0.0", a v4-mapped address, and a connection from a v6 socket to an IPv4 listener).
NEW_WILDCARDS = """\
udp   UNCONN 0      0                       *:47004                  *:*     users:(("next-server (v1",pid=5624,fd=6)) ino:7521 sk:1 cgroup:/ v6only:0 <->
udp   UNCONN 0      0                    [::]:47005               [::]:*     users:(("next-server (v1",pid=5624,fd=7)) ino:7522 sk:2 cgroup:/ v6only:1 <->
tcp   LISTEN 1      128               0.0.0.0:47003            0.0.0.0:*     users:(("next-server (v1",pid=5624,fd=5)) ino:7520 sk:4 cgroup:/ <->
tcp   ESTAB  0      0               127.0.0.1:47003          127.0.0.1:59978 ino:0 sk:5 cgroup:/ <->
tcp   LISTEN 0      128    [::ffff:127.0.0.1]:47006                  *:*     users:(("next-server (v1",pid=5624,fd=8)) ino:7523 sk:6 cgroup:/ v6only:0 <->
tcp   LISTEN 0      128                     *:47001                  *:*     users:(("next-server (v1",pid=5624,fd=3)) ino:7518 sk:8 cgroup:/ v6only:0 <->
tcp   ESTAB  0      0      [::ffff:127.0.0.1]:59978 [::ffff:127.0.0.1]:47003 users:(("next-server (v1",pid=5624,fd=9)) ino:7524 sk:9 cgroup:/ <->
"""


def test_wildcards_as_iproute2_6_prints_them() -> None:
    got = {s.local_port: s for s in ss.parse(NEW_WILDCARDS) if s.state != "ESTABLISHED"}
    assert (got[47004].family, got[47004].local_address) == ("ipv6", "::")  # dual-stack
    assert (got[47005].family, got[47005].local_address) == ("ipv6", "::")
    assert (got[47003].family, got[47003].local_address) == ("ipv4", "0.0.0.0")
    assert (got[47006].family, got[47006].local_address) == ("ipv6", "::ffff:127.0.0.1")
    assert (got[47001].family, got[47001].local_address) == ("ipv6", "::")
    conn = next(s for s in ss.parse(NEW_WILDCARDS) if s.local_port == 59978)
    assert (conn.remote_address, conn.remote_port) == ("::ffff:127.0.0.1", 47003)


def test_unaccepted_connection_does_not_make_answer_incomplete() -> None:
    # The ESTAB row with ino:0 sits in the accept queue: no process can own it yet.
    assert ss.complete(ss.parse(NEW_WILDCARDS))


def test_old_iproute2_star_is_ipv4() -> None:
    old = (
        "State      Recv-Q Send-Q Local Address:Port               Peer Address:Port\n"
        'LISTEN     0      128          *:22                       *:*                   users:(("sshd",1206,3))\n'
        'LISTEN     0      128         :::22                      :::*                   users:(("sshd",1206,4))\n'
    )
    first, second = ss.parse(old)
    assert (first.family, first.local_address, first.pid, first.process) == (
        "ipv4",
        "0.0.0.0",
        1206,
        "sshd",
    )
    assert (second.family, second.local_address, second.state) == ("ipv6", "::", "LISTEN")


def test_states_and_zone_ids() -> None:
    text = (
        "tcp TIME-WAIT 0 0 127.0.0.1:5 127.0.0.1:6\n"
        "tcp SYN-SENT 0 1 10.0.0.1:7 10.0.0.2:80\n"
        "tcp FIN-WAIT-1 0 0 10.0.0.1:8 10.0.0.2:80\n"
        "tcp CLOSE-WAIT 1 0 [fe80::1]%eth0:9 [fe80::2%eth0]:80\n"
        "udp ESTAB 0 0 10.0.0.1:53 10.0.0.2:5353\n"
        "u_str ESTAB 0 0 /run/x 123 * 456\n"
    )
    socks = ss.parse(text)
    assert [s.state for s in socks] == ["TIME_WAIT", "SYN_SENT", "FIN_WAIT1", "CLOSE_WAIT", None]
    assert (socks[3].local_address, socks[3].remote_address) == ("fe80::1", "fe80::2")
    assert (socks[4].protocol, socks[4].remote_port) == ("udp", 5353)
    assert ss.complete(socks[:1])  # TIME_WAIT never has an owner
    assert not ss.complete(socks[1:2])


def test_port_filter_words() -> None:
    assert ss.port_filter([3000]) == ["(", "sport", "=", ":3000", ")"]
    words = ss.port_filter([8002, 8000, 8001, 22])
    assert words == ["(", "sport", "=", ":22", "or",
                     "(", "sport", ">=", ":8000", "and", "sport", "<=", ":8002", ")", ")"]  # fmt: skip
    assert ss.port_filter([]) == []


def test_sniff_rejects_netstat_and_junk() -> None:
    assert not ss.sniff("Active Internet connections (only servers)\n")
    assert not ss.sniff("tcp        0      0 0.0.0.0:22   0.0.0.0:*   LISTEN  1/sshd\n")
    assert not ss.sniff("")


@pytest.mark.parametrize(
    "bad", ["garbage line", "tcp LISTEN x y a:1 b:2", "LISTEN 0 0 a:99999 b:*"]
)
def test_garbage_is_skipped_and_counted(bad: str) -> None:
    parsed = ss.parse(bad)
    assert (list(parsed), parsed.skipped, parsed.first_skipped) == ([], 1, bad)


@given(st.text())
def test_any_text_gives_list_or_parse_error(text: str) -> None:
    try:
        result = ss.parse(text)
    except ParseError:
        return
    assert isinstance(result, list)


ROW = st.builds(
    lambda net, state, lp, users: f"{net} {state} 0 0 127.0.0.1:{lp} 0.0.0.0:* {users}",
    st.sampled_from(["tcp", "udp", ""]),
    st.sampled_from(list(ss.STATES)),
    st.integers(0, 70000),
    st.text(max_size=40),
)


@given(st.lists(ROW, max_size=5))
def test_row_shaped_text_gives_list_or_parse_error(rows: list[str]) -> None:
    with contextlib.suppress(ParseError):
        ss.parse("\n".join(rows))


def _runner(stdout: str, rc: int = 0, seen: list[list[str]] | None = None):  # type: ignore[no-untyped-def]
    def run(argv, timeout):  # type: ignore[no-untyped-def]
        if seen is not None:
            seen.append(list(argv))
        return Completed(argv=tuple(argv), returncode=rc, stdout=stdout, stderr="")

    return run


def test_backend_with_recorded_output() -> None:
    text, expected = load("ss", "debian-12__ss-natupe-root")
    seen: list[list[str]] = []
    port = expected["sockets"][2]["local_port"]
    answer = ss.BACKEND.collect(Query(ports=frozenset({port})), _runner(text, seen=seen))
    assert seen == [[*ss.BASE_ARGV, "(", "sport", "=", f":{port}", ")"]]
    assert answer.complete
    assert {s.local_port for s in answer.sockets} == {port}


def test_backend_incomplete_when_owners_hidden() -> None:
    text, _ = load("ss", "debian-12__ss-natupe-nonroot")
    answer = ss.BACKEND.collect(Query(), _runner(text))
    assert len(answer.sockets) == 6
    assert not answer.complete


def test_backend_failures() -> None:
    with pytest.raises(BackendFailed):
        ss.BACKEND.collect(Query(), _runner("", rc=1))
    with pytest.raises(BackendFailed):
        ss.BACKEND.collect(Query(), _runner("Segmentation fault\n"))
