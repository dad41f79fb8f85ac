"""The --host probe: its one fixed command, the split of what a host printed, and the parse of
real captures (tests/fixtures/remote, from scripts/capture_remote_probe.py)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho.commands import hosts as commands
from portwho.errors import ExitCode, ParseError
from portwho.model import Query, Reason, Verdict
from portwho.remote import ask, parse, probe
from portwho.remote.hosts import Host
from portwho.views.hosts import block_lines, host_doc
from portwho.views.jsondoc import socket_json
from portwho.views.words import remote_hint

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "remote"
NONCE = "0123456789ab"  # the capture script's
CAPTURES = sorted(p.stem for p in FIXTURES.glob("*.txt"))


def captured(name: str) -> dict[str, str]:
    text = (FIXTURES / f"{name}.txt").read_text()
    return probe.sections(text, probe.Probe(nonce=NONCE, command=""))


@pytest.mark.parametrize("name", CAPTURES)
def test_a_captured_probe_parses_to_its_oracle(name: str) -> None:
    reply = parse.read(captured(name), 1.0)
    expected = json.loads((FIXTURES / f"{name}.json").read_text())
    assert reply.platform == expected["platform"] == "linux"
    assert list(reply.os_range or ()) == expected["os_range"]
    assert [socket_json(s) for s in reply.sockets] == expected["sockets"]


def test_the_captures_cover_ss_as_root_as_nobody_and_the_proc_fallback() -> None:
    assert CAPTURES == [
        "debian-12__probe-proc-root",
        "debian-12__probe-ss-nobody",
        "debian-12__probe-ss-root",
    ]
    assert parse.read(captured("debian-12__probe-proc-root"), 0).trail[0].backend == "proc-net"


def answered(name: str, ports: set[int] | None) -> commands.HostResult:
    query = Query(ports=frozenset(ports) if ports else None, listening_only=not ports)
    reply = parse.read(captured(name), 1.0)
    return commands.host_result(ask.HostAnswer(host=Host("web1", "web1"), reply=reply), query)


def test_an_owner_hidden_from_the_login_user_gets_the_ssh_sudo_hint() -> None:
    each = answered("debian-12__probe-ss-nobody", {8000})
    assert each.result is not None and each.code is ExitCode.HIDDEN
    [report] = each.result.ports
    assert (report.verdict, report.reason) == (Verdict.HIDDEN, Reason.OWNER_NEEDS_PRIVILEGE)
    [port] = host_doc(each)["ports"]
    assert port["hint"] == (
        "to see it: ssh web1 sudo portwho 8000   (or: ssh web1 \"sudo ss -tulpn 'sport = :8000'\")"
    )
    text = ["".join(words for words, _ in line) for line in block_lines(each)]
    assert "  " + port["hint"] in text


def test_root_there_still_blind_means_another_namespace_there() -> None:
    found = captured("debian-12__probe-ss-nobody")
    found["uid"] = "0\n"
    query = Query(ports=frozenset({8000}))
    reply = parse.read(found, 1.0)
    each = commands.host_result(ask.HostAnswer(host=Host("web1", "web1"), reply=reply), query)
    assert each.result is not None
    assert each.result.ports[0].reason is Reason.OWNER_OUT_OF_REACH


def test_the_host_range_and_pid_come_from_the_host() -> None:
    each = answered("debian-12__probe-ss-root", {8000, 5353})
    assert each.result is not None and each.code is ExitCode.IN_USE
    assert each.facts[8000].os_range == (32768, 60999)
    assert {s.pid for s in each.result.sockets} == {3}  # the namespace's pid, not one of ours


def test_the_probes_own_ssh_session_is_left_out() -> None:
    found = captured("debian-12__probe-ss-root")
    found["conn"] = "10.9.9.1 50000 127.0.0.1 8000\n"
    found["ss"] += (
        "tcp   ESTAB  0      0          127.0.0.1:8000     10.9.9.1:50000 "
        'users:(("sshd",pid=9,fd=4)) ino:1 sk:1 <->\n'
    )
    ports = [(s.local_port, s.remote_port) for s in parse.read(found, 0).sockets]
    assert (8000, 50000) not in ports and (8000, None) in ports


def test_the_probe_is_one_line_for_sh_without_quotes_inside() -> None:
    sent = probe.build(Query(ports=frozenset({22, 8000, 8001, 8002})), nonce="abc")
    words = shlex.split(sent.command)
    assert words[:2] == ["sh", "-c"] and len(words) == 3
    assert "\n" not in sent.command and "'" not in words[2]
    assert "portwho --json 22 8000-8002 2>/dev/null" in words[2]
    assert "M=@@portwho-abc;" in words[2]


def test_portwho_args_carry_the_filters_never_user_text() -> None:
    query = Query(
        ports=frozenset({53}),
        protocols=frozenset({"udp"}),
        families=frozenset({"ipv6"}),
        listening_only=True,
    )
    assert probe.portwho_args(query) == ["--json", "--udp", "-6", "--listening", "53"]
    assert probe.portwho_args(Query(listening_only=True)) == ["--json"]


def test_sections_split_only_on_this_runs_marker() -> None:
    sent = probe.Probe(nonce="aaaa", command="")
    text = "motd line\n@@portwho-aaaa:os\nLinux\n@@portwho-bbbb:ss\nforged\n@@portwho-aaaa:end\n"
    assert probe.sections(text, sent) == {"os": "Linux\n@@portwho-bbbb:ss\nforged\n", "end": ""}


def test_a_system_without_a_known_tool_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="SunOS: no socket tool"):
        parse.read({"os": "SunOS\n", "end": ""}, 0)
    with pytest.raises(ParseError, match="no socket table"):
        parse.read({"os": "Linux\n", "end": ""}, 0)


def test_a_windows_answer_is_read_by_the_powershell_parser() -> None:
    path = "powershell/ps74-win11__get-nettcpconnection-localport-3000-select-convertto-json.txt"
    reply = parse.read({"powershell": (FIXTURES.parent / path).read_text()}, 0)
    assert reply.platform == "win32" and reply.sockets
    assert {s.local_port for s in reply.sockets} == {3000}


def test_a_macos_answer_names_owners_from_the_hosts_ps() -> None:
    table = FIXTURES.parent / "netstat-macos" / "macos14-sonoma__netstat_-anvW_-p_tcp+udp.txt"
    found = {
        "os": "Darwin\n",
        "now": "1700000000\n",
        "range": "49152\n65535\n",
        "netstat-macos": table.read_text(),
        # ps -axww -o pid=,uid=,user=,etime=,args= and ps -ax -o pid=,comm= (macOS layout)
        "ps": "  611   501 alice      01:02:03 /opt/homebrew/opt/postgresql@16/bin/postgres -D x\n",
        "comm": "  611 /opt/homebrew/opt/postgresql@16/bin/postgres\n",
        "end": "",
    }
    reply = parse.read(found, 0)
    assert (reply.platform, reply.os_range) == ("darwin", (49152, 65535))
    [pg] = [s for s in reply.sockets if s.local_port == 5432]
    assert (pg.pid, pg.process, pg.user, pg.uid) == (611, "postgres", "alice", 501)
    assert pg.started == 1700000000.0 - 3723


def test_a_freebsd_answer_is_read_from_sockstat_and_ps() -> None:
    table = FIXTURES.parent / "sockstat" / "modelled-on-published-freebsd__sockstat_-46.txt"
    found = {
        "os": "FreeBSD\n",
        "now": "1700000000\n",
        "range": "49152\n65535\n",  # sysctl -n prints one value a line
        "sockstat": table.read_text(),
        "ps": "1570     0 root        3-01:00:00 /usr/sbin/sshd\n",
        "end": "",
    }
    reply = parse.read(found, 0)
    assert (reply.platform, reply.os_range) == ("freebsd", (49152, 65535))
    sshd = [s for s in reply.sockets if s.pid == 1570]
    assert {s.cmdline for s in sshd} == {("/usr/sbin/sshd",)}
    assert {s.started for s in sshd} == {1700000000.0 - 3 * 86400 - 3600}
    hint = remote_hint("fw1", 22, "freebsd")
    assert hint.endswith("(or: ssh fw1 sudo sockstat -46 -p 22)")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("17", 17), ("05:06", 306), ("02:03:04", 7384), ("1-02:03:04", 93784), ("x1:2", None)],
)
def test_elapsed_times_as_ps_prints_them(text: str, seconds: int | None) -> None:
    assert parse.elapsed_seconds(text) == seconds


names = st.sampled_from(["os", "now", "conn", "range", "ss", "ps", "comm", "proc-tcp", "fds"])


@given(st.dictionaries(names, st.text(max_size=300), max_size=6))
def test_any_text_from_a_host_is_a_reply_or_a_parse_error(found: dict[str, str]) -> None:
    try:
        reply = parse.read(found, 0)
    except ParseError:
        return
    assert isinstance(reply, parse.Reply)


def test_a_host_with_many_busy_ports_shows_one_table_of_their_sockets() -> None:
    from portwho import core
    from portwho.model import Socket
    from portwho.views.table import MANY_COLUMNS

    socks = [
        Socket(protocol="tcp", family="ipv4", local_address="0.0.0.0", local_port=port,
               state="LISTEN", pid=700, process="nginx", user="www")
        for port in range(8000, 8010)
    ]  # fmt: skip
    query = Query(ports=frozenset(range(8000, 8100)))
    result = core.from_sockets(query, socks, [], platform="linux", origin="web1")
    each = commands.HostResult(host=Host("web1", "web1"), code=ExitCode.IN_USE, result=result,
                               facts={}, platform="linux", error=None, seconds=0.1)  # fmt: skip
    text = ["".join(words for words, _ in line) for line in block_lines(each)]
    assert text[0].startswith("web1  (Linux")
    assert text[1].split() == list(MANY_COLUMNS)
    assert [row.split()[:4] for row in text[2:12]] == [
        [str(p), "tcp4", "0.0.0.0", "listening"] for p in range(8000, 8010)
    ]
    assert text[-1] == "90 of the 100 ports asked are free."


def test_a_host_whose_busy_ports_have_no_socket_to_show_prints_no_empty_table() -> None:
    """Ports that are not free and hold no socket (unknown: nothing could be read for them)
    are counted, with no table header over no rows, as a local lookup shows them."""
    from portwho import core
    from portwho.model import new_report
    from portwho.views.table import MANY_COLUMNS

    query = Query(ports=frozenset(range(8000, 8020)))
    result = core.from_sockets(query, [], [], platform="linux", origin="web1")
    unknown = tuple(new_report(r.port, Verdict.UNKNOWN, Reason.NO_BACKEND) for r in result.ports)
    each = commands.HostResult(host=Host("web1", "web1"), code=ExitCode.NO_BACKEND,
                               result=result.but(ports=unknown), facts={}, platform="linux",
                               error=None, seconds=0.1)  # fmt: skip
    text = ["".join(words for words, _ in line) for line in block_lines(each)]
    assert all(line.split() != list(MANY_COLUMNS) for line in text)
    assert text[1] != ""  # straight after the headline: no blank line for a table not shown
