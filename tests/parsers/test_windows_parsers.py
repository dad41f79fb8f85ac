"""Windows parsers against the fixtures (expected JSON beside each) and the shared real samples."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portwho.backends import formats, netstat_windows, powershell
from portwho.backends.powershell import table as powershell_table
from portwho.errors import ParseError, UsageError
from portwho.model import Socket
from portwho.system import netsh, tasklist
from tests.parsers._linux_fixtures import SAMPLES

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def _sockets(socks: list[Socket]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in s.as_dict().items() if v is not None and k != "source"} for s in socks
    ]


def _expected(path: Path) -> Any:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["expected"]


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _old_style(folder: str) -> list[Path]:
    """Fixtures with an `expected` list (those with a full account are in test_captures)."""
    paths = sorted((FIXTURES / folder).glob("*.txt"))
    return [p for p in paths if "expected" in json.loads(p.with_suffix(".json").read_text())]


@pytest.mark.parametrize("path", _old_style("netstat-windows"), ids=str)
def test_netstat_fixtures(path: Path) -> None:
    assert netstat_windows.sniff(_text(path))
    assert _sockets(netstat_windows.parse(_text(path))) == _expected(path)


@pytest.mark.parametrize("path", _old_style("powershell"), ids=str)
def test_powershell_fixtures(path: Path) -> None:
    assert powershell.sniff(_text(path))
    assert not netstat_windows.sniff(_text(path))
    assert _sockets(powershell.parse(_text(path))) == _expected(path)


@pytest.mark.parametrize("path", sorted((FIXTURES / "netsh").glob("*dynamicport*.txt")), ids=str)
def test_netsh_dynamicport_fixtures(path: Path) -> None:
    assert list(netsh.parse_dynamicport(_text(path))) == _expected(path)


@pytest.mark.parametrize("path", sorted((FIXTURES / "netsh").glob("*excluded*.txt")), ids=str)
def test_netsh_excluded_fixtures(path: Path) -> None:
    assert [list(r) for r in netsh.parse_excluded(_text(path))] == _expected(path)


@pytest.mark.parametrize("path", sorted((FIXTURES / "tasklist").glob("*.txt")), ids=str)
def test_tasklist_fixtures(path: Path) -> None:
    assert [dataclasses.asdict(t) for t in tasklist.parse(_text(path))] == _expected(path)


def test_netstat_rows_by_hand() -> None:
    socks = netstat_windows.parse(_text(FIXTURES / "netstat-windows/win10-en__netstat-ano.txt"))
    by_port = {(s.protocol, s.local_address, s.local_port, s.pid): s for s in socks}
    assert by_port["tcp", "0.0.0.0", 3000, 8124].listening
    assert by_port["tcp", "192.168.1.20", 51611, 9328].state == "FIN_WAIT1"
    assert by_port["tcp", "192.168.1.20", 51612, 9328].state == "FIN_WAIT2"
    assert by_port["tcp", "192.168.1.20", 51700, 4420].state == "BOUND"
    zone = by_port["udp", "fe80::244e:2f1e:2096:62b2", 1900, 8844]
    assert zone.family == "ipv6" and zone.listening and zone.state is None
    # two 0.0.0.0:53 rows are one socket; two pids on 5353 stay two records
    assert sum(1 for s in socks if s.local_port == 53) == 1
    assert {s.pid for s in socks if s.local_port == 5353 and s.family == "ipv4"} == {14156, 27696}


def test_netstat_crlf_and_lf_agree() -> None:
    text = _text(FIXTURES / "netstat-windows/win10-en__netstat-anob.txt")
    assert "\r\n" in text
    assert netstat_windows.parse(text) == netstat_windows.parse(text.replace("\r\n", "\n"))


def test_netstat_unknown_state_word_read_by_structure() -> None:
    text = (
        "  TCP    0.0.0.0:3000    0.0.0.0:0        ABHÖREN      812\n"
        "  TCP    10.0.0.2:51000  10.0.0.9:443     HERGESTELLT  812\n"
    )
    listen, conn = netstat_windows.parse(text)
    assert listen.state == "LISTEN" and listen.listening
    assert conn.state == "HERGESTELLT" and not conn.listening


@pytest.mark.parametrize(
    "text",
    [
        "tcp        0      0 0.0.0.0:22   0.0.0.0:*   LISTEN      1/sshd\n",
        "tcp4       0      0  *.22                   *.*                    LISTEN\n",
        "udp6       0      0 :::5353     :::*      643/avahi\n",
    ],
)
def test_netstat_sniff_refuses_unix_netstat(text: str) -> None:
    assert not netstat_windows.sniff(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Active Connections\n\n  Proto  Local Address  Foreign Address  State  PID\n",
        "  TCP    0.0.0.0:99999    0.0.0.0:0    LISTENING    1\n",
        "  TCP    0.0.0.0:80    0.0.0.0:0    LISTENING    1    extra\n",
        "  UDP    0.0.0.0:53    *:*    LISTENING    1\n",
        "  TCP    0.0.0.0:80    0.0.0.0:0\n",
        "  TCP    nocolon    0.0.0.0:0    LISTENING    1\n",
    ],
)
def test_netstat_garbage_is_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        netstat_windows.parse(text)


def test_powershell_json_traps() -> None:
    wrapped = (
        '{"value":[{"LocalAddress":"::","LocalPort":80,"State":2,"OwningProcess":4}],"Count":1}'
    )
    (sock,) = powershell.parse(wrapped)
    assert (sock.protocol, sock.state, sock.pid) == ("tcp", "LISTEN", 4)
    assert powershell.parse("\ufeff[]") == []
    assert powershell.parse("null") == []
    udp = powershell.parse('{"LocalAddress":"0.0.0.0","LocalPort":5353,"OwningProcess":7}')
    assert udp[0].protocol == "udp" and udp[0].listening
    for state, name in (
        (3, "SYN_SENT"),
        (8, "CLOSE_WAIT"),
        ("FinWait2", "FIN_WAIT2"),
        ("100", "BOUND"),
    ):
        item = {"LocalAddress": "::", "LocalPort": 1, "State": state, "RemotePort": 0}
        assert powershell.from_record(item).state == name


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "[1]",
        '[{"LocalAddress":"::","LocalPort":70000,"State":2}]',
        '[{"LocalAddress":"::","LocalPort":80,"State":77}]',
        '[{"LocalAddress":"::","LocalPort":true,"State":2}]',
        '[{"LocalPort":80,"State":2}]',
        "LocalAddress LocalPort\n------------ ---------\n:: notaport\n",
        "no table here\n",
    ],
)
def test_powershell_garbage_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match="does not parse as powershell"):
        formats.parse(text, "powershell")


def test_powershell_table_with_ansi_header_and_two_tables() -> None:
    tcp = _text(FIXTURES / "powershell/ps51-win10__get-nettcpconnection-localport-3000-table.txt")
    udp = _text(FIXTURES / "powershell/ps51-win10__get-netudpendpoint-localport-5353-table.txt")
    coloured = tcp.replace("LocalAddress ", "\x1b[32;1mLocalAddress\x1b[0m ", 1)
    socks = powershell.parse(coloured + udp)
    assert {s.protocol for s in socks} == {"tcp", "udp"}
    assert len(socks) == 8


def test_powershell_script_takes_only_ports() -> None:
    text = powershell.script([3000, 80, 3000])
    assert "-LocalPort 80,3000 " in text and "ConvertTo-Json -Compress" in text
    assert "-LocalPort" not in powershell.script(None)
    assert "-LocalPort" not in powershell.script(range(1, 5000))  # too long for a command line
    for bad in ("80; rm -r C:\\", -1, 65536, True):
        with pytest.raises(ValueError):
            powershell.script([bad])  # type: ignore[list-item]


def test_reserved_hint() -> None:
    text = _text(
        FIXTURES / "netsh/win11-en__netsh-int-ipv4-show-excludedportrange-protocol-tcp.txt"
    )
    spans = [(a, b) for a, b, _ in netsh.parse_excluded(text)]
    hint = netsh.reserved_hint(50010, spans)
    assert hint is not None and "50000-50059" in hint and "net stop winnat" in hint
    assert "startport=50010" in hint
    assert netsh.reserved_hint(3000, spans) is None
    assert netsh.reserved_hint(1179, spans) is not None  # ranges are inclusive


@pytest.mark.parametrize(
    "text", ["", "Start Port : 49152\n", "A : 60000\nB : 10000\n", "no numbers\n"]
)
def test_netsh_dynamicport_garbage(text: str) -> None:
    with pytest.raises(ParseError):
        netsh.parse_dynamicport(text)


def test_netsh_excluded_needs_a_table() -> None:
    with pytest.raises(ParseError):
        netsh.parse_excluded("The requested operation requires elevation.\n")


@pytest.mark.parametrize("text", ["", "ERROR: Access denied\n", '"a","b"\n', "\x00"])
def test_tasklist_garbage(text: str) -> None:
    with pytest.raises(ParseError):
        tasklist.parse(text)


# --- the real captures in ../shared/samples --------------------------------------------------


def _sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path.read_bytes().decode("utf-8")


def test_sample_aon_win10() -> None:
    text = _sample("windows-netstat-aon-win10-jc.txt")
    socks = netstat_windows.parse(text)
    rows = [ln for ln in text.splitlines() if ln.split()[:1] in (["TCP"], ["UDP"])]
    assert len(socks) == len(set(rows)) == 161
    first = socks[0]
    assert (first.local_address, first.local_port, first.state, first.pid) == (
        "0.0.0.0",
        135,
        "LISTEN",
        1712,
    )
    (last,) = [s for s in socks if s.local_address == "fe80::f5d1:8bf7:c410:e325"]
    assert (last.local_port, last.pid, last.protocol) == (52284, 8844, "udp")
    assert all(s.pid is not None for s in socks)


def test_sample_aonb_win10() -> None:
    socks = netstat_windows.parse(_sample("windows-netstat-aonb-win10-jc.txt"))
    by = {(s.protocol, s.local_address, s.local_port, s.pid): s for s in socks}
    assert by["tcp", "0.0.0.0", 135, 1712].process == "svchost.exe"
    assert by["tcp", "0.0.0.0", 445, 4].process is None  # "Can not obtain ownership information"
    assert by["tcp", "0.0.0.0", 1134, 27696].process == "Spotify.exe"
    assert "NVIDIA Web Helper.exe" in {s.process for s in socks}
    assert all(s.process is None for s in socks if s.state == "TIME_WAIT")


def test_sample_zh() -> None:
    socks = netstat_windows.parse(_sample("windows-netstat-ano-ptcp-zh-findprocess.txt"))
    assert len(socks) == 15 and all(s.protocol == "tcp" for s in socks)
    cw = [s for s in socks if s.state == "CLOSE_WAIT"]
    assert [(s.local_port, s.remote_address, s.remote_port, s.pid) for s in cw] == [
        (50506, "183.136.138.140", 80, 3020)
    ]


def test_sample_fr_anb() -> None:
    socks = netstat_windows.parse(_sample("windows-netstat-anb-fr-danyghassan-excerpt.txt"))
    assert all(s.pid is None for s in socks)  # no -o
    quic = [s for s in socks if s.protocol == "udp" and s.local_port == 49195]
    assert [(q.remote_address, q.remote_port, q.process, q.listening) for q in quic] == [
        ("172.217.20.170", 443, "chrome.exe", False)
    ]
    assert {"LAST_ACK", "SYN_SENT", "TIME_WAIT", "ESTABLISHED", "LISTEN"} <= {
        s.state for s in socks
    }
    assert [s.process for s in socks if s.local_port == 445] == [None, None]


def test_samples_of_other_systems_are_not_claimed() -> None:
    if not SAMPLES.exists():
        pytest.skip("no shared samples")
    for path in SAMPLES.glob("*.txt"):
        text = path.read_bytes().decode("utf-8")
        windows = path.name.startswith("windows-")
        assert netstat_windows.sniff(text) == windows, path.name
        assert not powershell.sniff(text), path.name


# --- any text in: a list or a ParseError out -----------------------------------------------

_ROWISH = st.lists(
    st.sampled_from(
        [
            "TCP",
            "UDP",
            "0.0.0.0:80",
            "[::]:0",
            "*:*",
            "[fe80::1%9]:1900",
            "LISTENING",
            "123",
            " [a b.exe]",
            "\n",
            "  ",
            "99999",
            ":",
            "[",
            "LocalAddress",
            "LocalPort",
            "-----",
            "{",
            "}",
        ]
    ).map(lambda s: s + " ")
).map("".join)
_TEXT = st.one_of(st.text(), _ROWISH)


def _list_or_parse_error(func: Any, text: str) -> None:
    try:
        result = func(text)
    except ParseError:
        return
    assert isinstance(result, (list, tuple, dict))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_any_text_netstat(text: str) -> None:
    _list_or_parse_error(netstat_windows.parse, text)
    netstat_windows.sniff(text)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _TEXT,
        st.recursive(
            st.none() | st.integers() | st.text() | st.booleans(),
            lambda c: (
                st.lists(c)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "LocalAddress",
                            "LocalPort",
                            "RemoteAddress",
                            "RemotePort",
                            "State",
                            "OwningProcess",
                            "Protocol",
                            "value",
                            "Count",
                        ]
                    ),
                    c,
                )
            ),
            max_leaves=8,
        ).map(json.dumps),
    )
)
def test_any_text_powershell(text: str) -> None:
    _list_or_parse_error(powershell.parse, text)
    _list_or_parse_error(powershell_table.parse, text)
    powershell.sniff(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_any_text_netsh_and_tasklist(text: str) -> None:
    _list_or_parse_error(netsh.parse_dynamicport, text)
    _list_or_parse_error(netsh.parse_excluded, text)
    _list_or_parse_error(tasklist.parse, text)
