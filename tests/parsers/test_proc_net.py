"""The /proc/net/{tcp,udp}[6] parser against real captures, jc's samples and random text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho.backends import formats, proc_net
from portwho.errors import ParseError, UsageError
from tests.parsers._linux_fixtures import SAMPLES

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "proc-net"
FIELDS = ("protocol", "family", "local_address", "local_port", "remote_address", "remote_port",
          "state", "uid", "inode")  # fmt: skip


def _sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path.read_text()


@pytest.mark.parametrize("txt", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_own_captures_match_ss(txt: Path) -> None:
    expected = json.loads(txt.with_suffix(".json").read_text())["sockets"]
    got = [{k: s.as_dict()[k] for k in FIELDS} for s in proc_net.parse(txt.read_text())]
    key = lambda d: json.dumps(d, sort_keys=True)  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)


def test_udp_header_sets_protocol() -> None:
    text = (FIXTURES / "debian12__cat_proc_net_udp.txt").read_text()
    assert {s.protocol for s in proc_net.parse(text)} == {"udp"}
    assert {s.protocol for s in proc_net.parse(text, "tcp")} == {"tcp"}


def test_concatenated_tables_switch_protocol_at_each_header() -> None:
    tcp = (FIXTURES / "debian12__cat_proc_net_tcp.txt").read_text()
    udp = (FIXTURES / "debian12__cat_proc_net_udp6.txt").read_text()
    socks = proc_net.parse(tcp + udp)
    assert [s.protocol for s in socks] == sorted(s.protocol for s in socks)
    assert {(s.protocol, s.family) for s in socks} == {("tcp", "ipv4"), ("udp", "ipv6")}


def test_jc_tcp_sample_padding_and_short_time_wait_rows() -> None:
    socks = proc_net.parse(_sample("linux-proc-net-tcp-jc.txt"))
    assert len(socks) == 4 + 23
    # 0100007F:89E7 ... uid 1000 inode 140054, decoded by hand: 127.0.0.1:35303
    second = socks[1]
    assert (second.local_address, second.local_port, second.state) == ("127.0.0.1", 35303, "LISTEN")
    assert (second.uid, second.inode, second.remote_port) == (1000, 140054, None)
    # 802AA8C0:D450 -> 2104C798:01BB, CLOSE_WAIT: 192.168.42.128:54352 -> 152.199.4.33:443
    fourth = socks[3]
    assert (fourth.local_address, fourth.remote_address, fourth.remote_port, fourth.state) == (
        "192.168.42.128", "152.199.4.33", 443, "CLOSE_WAIT")  # fmt: skip
    time_wait = [s for s in socks if s.state == "TIME_WAIT"]
    assert time_wait and all(s.inode is None and s.uid is None for s in time_wait)


def test_jc_tcp6_sample_little_endian_groups() -> None:
    socks = proc_net.parse(_sample("linux-proc-net-tcp6-jc.txt"))
    assert len(socks) == 8
    assert (socks[0].local_address, socks[0].local_port, socks[0].state) == ("::", 22, "LISTEN")
    # 4606012600F1019E000000004C3A0000:E700 -> groups 26010646 9E01F100 00000000 00003A4C;
    # the peer 8028032A830031F10CB0CEFADE250000 -> 2A032880 F1310083 FACEB00C 000025DE
    row = socks[1]
    assert (row.family, row.local_address, row.local_port) == (
        "ipv6",
        "2601:646:9e01:f100::3a4c",
        59136,
    )
    assert (row.remote_address, row.remote_port, row.state) == (
        "2a03:2880:f131:83:face:b00c:0:25de",
        80,
        "TIME_WAIT",
    )


def test_v4_mapped_address_spelled_like_addr_canonical() -> None:
    mapped, wildcard = "0000000000000000FFFF00000100007F", "0" * 32
    line = f"   0: {mapped}:1F90 {wildcard}:0000 0A 0 0 0 0 0 7"
    (sock,) = proc_net.parse(line)
    from portwho.backends.addr import canonical

    assert sock.local_address == canonical("::ffff:127.0.0.1")


def test_sniff_and_formats_table() -> None:
    text = (FIXTURES / "debian12__cat_proc_net_tcp.txt").read_text()
    assert proc_net.sniff(text)
    assert not proc_net.sniff("Netid State Recv-Q\n")
    assert formats.FORMATS["proc-net"] == "portwho.backends.proc_net"


@pytest.mark.parametrize(
    "bad",
    [
        "   0: 0100007F:0035 00000000:0000 0A",  # cut short
        "   0: 0100007F:0035 00000000000000000000000000000000:0000 0A 0 0 0 0 0 1",  # mixed
        "   0: 0100007F:0035 00000000:0000 0D 0 0 0 0 0 1",  # no such state
        "   0: 0100007G:0035 00000000:0000 0A 0 0 0 0 0 1",  # not hex
        "Proto Recv-Q Send-Q Local Address",
    ],
)
def test_garbage_rows_are_skipped_and_the_text_refused(bad: str) -> None:
    parsed = proc_net.parse(bad)
    assert (list(parsed), parsed.skipped) == ([], 1)
    with pytest.raises(UsageError, match="does not parse as proc-net"):
        formats.parse(bad, "proc-net")


ROWISH = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(["   0:", "0100007F:0035", "00000000:0000", "0A", "06", "1000", " ", ":"]),
    ),
    max_size=14,
).map(" ".join)


@given(st.lists(st.one_of(st.text(), ROWISH), max_size=5).map("\n".join))
def test_any_text_gives_sockets_or_parse_error(text: str) -> None:
    try:
        result = proc_net.parse(text)
    except ParseError:
        return
    assert isinstance(result, list)
    assert all(0 <= s.local_port <= 65535 for s in result)
