"""Every capture with an `account` oracle (sockets + skipped + notes) reads back exactly, through
detection as `--from` does it. The Linux ones were captured here by
scripts/capture_parser_fixtures.py; the others were modelled line by line on published captures
(see the README beside them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portwho.backends import formats
from portwho.backends.rows import Parsed
from portwho.errors import UsageError
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
    assert [s.as_dict() for s in parsed] == expected["sockets"]
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


NOT_SOCKETS = sorted((FIXTURES / "not-sockets").glob("*.txt"))


@pytest.mark.parametrize("path", NOT_SOCKETS, ids=lambda p: p.name)
def test_routing_and_interface_tables_are_refused_detected_or_forced(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text())
    text = path.read_text()
    for fmt in (None, expected["tool"]):
        with pytest.raises(UsageError) as caught:
            formats.parse(text, fmt)
        assert str(caught.value) == expected["error"]
    assert "table, not a socket list" in expected["error"]


def test_macos_cut_endpoints_are_kept_as_printed_and_flagged() -> None:
    parsed = _load("netstat-macos", "macos10.14-mojave__netstat_-Abn.txt")
    v6 = [s for s in parsed if s.family == "ipv6" and s.protocol == "tcp"]
    # `2600:1700:bab0:d.5`: netstat cut host and port; nothing is repaired
    assert ("2600:1700:bab0:d", 5) in {(s.local_address, s.local_port) for s in v6}
    assert any("may be cut" in n and "18-column" in n for n in parsed.notes)
    w = _load("netstat-macos", "macos14-sonoma__netstat_-anvW_-p_tcp+udp.txt")
    assert not w.notes  # -W: no field is cut


def test_cut_service_name_skips_the_row_and_says_which() -> None:
    parsed = _load("netstat-macos", "macos10.14-mojave__netstat_-A.txt")
    assert parsed.skipped == 1 and "'netbi'" in parsed.skip_reason
    assert {s.local_port for s in parsed} == {631, 5353, 54780, 54861}
    imaps = next(s for s in parsed if s.local_port == 54780)
    assert (imaps.remote_address, imaps.remote_port) == ("ec2-52-1-2-3", 993)


def test_old_iproute2_star_is_ipv4_next_to_bracketed_v6() -> None:
    parsed = _load("ss", "centos7-iproute-3.10__ss_-tlnp.txt")
    ssh = sorted((s.family, s.local_address) for s in parsed if s.local_port == 22)
    assert ssh == [("ipv4", "0.0.0.0"), ("ipv6", "::")]
    assert len({s.key() for s in parsed}) == len(parsed) == 6


def test_other_netids_are_counted_not_fatal() -> None:
    parsed = _load("ss", "ubuntu22-iproute2-5.15__ss_-a_mixed_netids.txt")
    assert parsed.skipped == 7  # nl, u_str, icmp6, raw, mptcp, sctp, v_str
    dns = {(s.protocol, s.local_address, s.local_port) for s in parsed if s.local_port == 53}
    assert dns == {("udp", "127.0.0.53", 53), ("tcp", "127.0.0.53", 53)}
    assert any(s.remote_port == 443 and s.remote_address == "40.77.18.167" for s in parsed)


def test_net_tools_1_60_ipv6_rows_labelled_tcp() -> None:
    parsed = _load("netstat-linux", "redhat9-net-tools-1.60__netstat_-tlnp.txt")
    by_port = {s.local_port: s for s in parsed}
    assert (by_port[80].family, by_port[80].local_address, by_port[80].pid) == ("ipv6", "::", 2578)
    assert (by_port[111].family, by_port[111].local_address) == ("ipv4", "0.0.0.0")
    assert (by_port[8005].family, by_port[8005].local_address) == ("ipv6", "::ffff:127.0.0.1")


def test_freebsd_column_sets_read_the_same_sockets() -> None:
    keys = {}
    for name in ("-a", "-Aa", "-aT", "-Aax"):
        parsed = _load("netstat-freebsd", f"freebsd12__netstat_{name}.txt")
        keys[name] = sorted((s.protocol, s.family, s.local_address, s.local_port) for s in parsed)
    assert keys["-Aa"] == keys["-aT"] == keys["-Aax"]
    assert ("tcp", "ipv6", "::", 80) in keys["-a"]  # tcp46 *.http: one dual-stack socket


def test_sockstat_names_owners_and_skips_unix_rows() -> None:
    parsed = _load("sockstat", "freebsd13__sockstat_-46u.txt")
    ntp = {(s.family, s.local_address) for s in parsed if s.local_port == 123}
    assert ntp == {("ipv6", "fe80::1"), ("ipv6", "::1"), ("ipv4", "127.0.0.1")}
    orphan = next(s for s in parsed if s.remote_port == 31744)
    assert (orphan.pid, orphan.process, orphan.user) == (None, None, None)
    assert parsed.skipped == 2 and "stream" in parsed.skip_reason


def test_powershell_paste_with_get_process_names_the_pid() -> None:
    parsed = _load("powershell", "ps51-win10__get-nettcpconnection-then-get-process-list.txt")
    assert {(s.pid, s.process) for s in parsed} == {(18908, "xp.cn_cgi")}
    assert len(parsed) == 3 and parsed.skipped == 0


def test_osquery_and_ansible_fields() -> None:
    plain = _load("osquery", "linux-osquery5__osqueryi_--json_select_from_listening_ports.txt")
    cups = next(s for s in plain if s.local_port == 631)
    assert (cups.pid, cups.state, cups.inode) == (None, "LISTEN", 24410)  # pid -1: unknown
    joined = _load("osquery", "linux-osquery5__osqueryi_--json_join_processes.txt")
    assert {(s.local_port, s.process, s.uid) for s in joined if s.local_port == 5432} == {
        (5432, "postgres", 114)
    }
    facts = _load(
        "listen-ports-facts",
        "ubuntu24-community.general-9-ss__listen_ports_facts_include_non_listening.txt",
    )
    conn = next(s for s in facts if s.remote_port is not None)
    assert (conn.remote_address, conn.remote_port, conn.state, conn.user) == (
        "10.0.2.2",
        50421,
        "ESTABLISHED",
        "alice",
    )
    mdns = next(s for s in facts if s.protocol == "udp")
    assert (mdns.family, mdns.local_address, mdns.pid, mdns.process) == ("ipv6", "::", None, None)


def test_sockstat_dotted_endpoints_and_bare_labels() -> None:
    # NetBSD prints `*.22` and labels without a family digit: the address form decides.
    text = (
        "USER     COMMAND    PID   FD PROTO  LOCAL ADDRESS         FOREIGN ADDRESS\n"
        "root     sshd       401   3  tcp    *.22                  *.*\n"
        "root     sshd       401   4  tcp6   ::1.22                *.*\n"
        "root     named      388   20 udp    127.0.0.1.53          *.*\n"
        "root     ntpd       390   21 udp6   ::1.ntp               *.*\n"
    )
    name, parsed = formats.parse(text, None)
    assert name == "sockstat"
    got = [(s.protocol, s.family, s.local_address, s.local_port, s.pid) for s in parsed]
    assert got == [
        ("tcp", "ipv4", "0.0.0.0", 22, 401),
        ("tcp", "ipv6", "::1", 22, 401),
        ("udp", "ipv4", "127.0.0.1", 53, 388),
        ("udp", "ipv6", "::1", 123, 390),  # NetBSD without -n: a service name
    ]


def test_tasklist_rows_pasted_after_netstat_name_the_pids() -> None:
    parsed = _load("netstat-windows", "win10-en__netstat-ano-findstr-then-tasklist-findstr.txt")
    assert {(s.local_port, s.pid, s.process) for s in parsed} == {
        (3000, 8124, "node.exe"),
        (51544, 10644, "chrome.exe"),
    }
    assert len(parsed) == 4 and parsed.skipped == 0


def test_net_tools_without_w_cut_ipv6_is_kept_and_flagged() -> None:
    # net-tools (no -W) cuts the host so that host:port fits 23 columns (lib/inet6 + netstat.c:
    # `local_addr[22 - strlen(port)] = '\0'`): `2001:db8:4f:12:9a:1c:22` is what is left of
    # 2001:db8:4f:12:9a:1c05::7 port 22.
    text = (
        "Active Internet connections (only servers)\n"
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
        "tcp6       0      0 2001:db8:4f:12:9a:1c:22 :::*                    LISTEN\n"
        "tcp6       0      0 :::80                   :::*                    LISTEN\n"
    )
    parsed = formats.parse(text, None)[1]
    assert [(s.local_address, s.local_port) for s in parsed] == [
        ("2001:db8:4f:12:9a:1c", 22),
        ("::", 80),
    ]
    assert any("23-column field and may be cut" in n for n in parsed.notes)
    wide = text.replace(":::80                  ", "2001:db8:4f:12:9a:1c05::7:80")
    assert not formats.parse(wide, None)[1].notes  # a wider endpoint: -W, nothing cut
