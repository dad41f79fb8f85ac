"""macOS netstat -anv: one modelled fixture per layout, headerless rows, the shared sample."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from portwho._run import Completed, Runner
from portwho.backends import formats, netstat_macos
from portwho.errors import BackendFailed, UsageError
from portwho.model import Query, Socket
from tests.parsers._linux_fixtures import SAMPLES

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "netstat-macos"
#: the -anvW layouts of four macOS versions, all holding the same sockets (the other fixtures
#: here, -a / -A / -Abn, are checked by tests/parsers/test_captures.py)
LAYOUTS = sorted(FIXTURES.glob("*__netstat_-anvW_*.txt"))


def _dump(sock: Socket) -> dict[str, object]:
    fields = sock.as_dict()
    return {k: v for k, v in fields.items() if v is not None and k != "source"}


def _fixture(layout: str) -> str:
    (path,) = [p for p in LAYOUTS if layout in p.name]
    return path.read_text()


@pytest.mark.parametrize("txt", LAYOUTS, ids=lambda p: p.name)
def test_fixture_matches_expected_json(txt: Path) -> None:
    text = txt.read_text()
    expected = json.loads(txt.with_suffix(".json").read_text())["sockets"]
    assert [_dump(s) for s in netstat_macos.parse(text)] == expected
    assert netstat_macos.sniff(text)
    assert formats.detect(text) == "netstat-macos"


@pytest.mark.parametrize("txt", LAYOUTS, ids=lambda p: p.name)
def test_headerless_rows_parse_the_same(txt: Path) -> None:
    text = txt.read_text()
    rows = "\n".join(line for line in text.splitlines() if line.startswith(("tcp", "udp")))
    assert netstat_macos.parse(rows) == netstat_macos.parse(text)


def test_every_layout_gives_the_same_sockets_and_pids() -> None:
    keys = {
        txt.name: [(s.key(), s.state, s.pid) for s in netstat_macos.parse(txt.read_text())]
        for txt in LAYOUTS
    }
    assert len({json.dumps(v) for v in keys.values()}) == 1, keys


def test_tahoe_process_names_with_spaces() -> None:
    sockets = netstat_macos.parse(_fixture("tahoe"))
    names = {s.pid: s.process for s in sockets}
    assert names[22712] == "Autodesk Fusion"
    assert names[84517] == "Code Helper (Plu"  # cut to 16 by netstat itself
    assert names[1] == "launchd"


def test_sonoma_state_header_and_dual_stack_and_zone() -> None:
    sockets = netstat_macos.parse(_fixture("sonoma"))
    dual = next(s for s in sockets if s.local_port == 3000 and s.state == "LISTEN")
    assert (dual.family, dual.local_address, dual.pid) == ("ipv6", "::", 48213)
    zoned = next(s for s in sockets if s.local_port == 49152)
    assert (zoned.local_address, zoned.remote_address, zoned.remote_port) == (
        "fe80::1",
        "fe80::1",
        631,
    )
    fin = next(s for s in sockets if s.local_port == 49515)
    assert fin.state == "FIN_WAIT2"
    udp = [s for s in sockets if s.protocol == "udp"]
    assert [(s.local_port, s.state, s.listening) for s in udp] == [
        (5353, None, True),
        (5000, None, True),
        (53, None, True),
        (61234, None, False),
    ]
    assert next(s for s in udp if s.local_port == 5000).family == "ipv6"


def test_headerless_tahoe_row_as_wide_as_sequoia_is_not_misread() -> None:
    # 14 fields after the state, like Sequoia; a Sequoia reading would take "Autodesk" as a pid.
    row = (
        "tcp6       0      0  ::1.8080               *.*                    LISTEN"
        "                 0            0  131072  131072  Autodesk Fusion:22712  00102 00000006"
        " 0000000000010cb9 00000000 00000900      1      0 000000"
    )
    (sock,) = netstat_macos.parse(row)
    assert (sock.pid, sock.process, sock.local_port) == (22712, "Autodesk Fusion", 8080)


def test_plain_netstat_an_has_no_owners() -> None:
    text = (
        "Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n"
        "tcp4       0      0  *.22                   *.*                    LISTEN\n"
        "udp4       0      0  *.5353                 *.*\n"
    )
    sockets = netstat_macos.parse(text)
    assert [(s.local_port, s.pid) for s in sockets] == [(22, None), (5353, None)]


def test_pid_zero_is_unknown_owner() -> None:
    row = "tcp4  0 0  127.0.0.1.1  127.0.0.1.2  TIME_WAIT  131072 131072  0  0"
    (sock,) = netstat_macos.parse(row)
    assert sock.pid is None and sock.state == "TIME_WAIT"


def test_unbound_socket_holds_no_port() -> None:
    parsed = netstat_macos.parse("udp4 0 0 *.* *.*\nudp4 0 0 *.5353 *.*\n")
    assert [s.local_port for s in parsed] == [5353] and parsed.skipped == 0


@pytest.mark.parametrize(
    "bad",
    [
        "tcp4 0 0 127.0.0.1 *.* LISTEN 1 2 3 4",  # no port
        "tcp4 0 0 127.0.0.1.99999 *.* LISTEN 1 2 3 4",  # port out of range
        "tcp4 0 0 *.80 *.* LISTEN x y z",  # no layout fits
        "hello world",
    ],
)
def test_garbage_is_skipped_and_the_file_refused(bad: str) -> None:
    parsed = netstat_macos.parse(bad)
    assert list(parsed) == [] and parsed.skipped == (0 if bad == "hello world" else 1)
    with pytest.raises(UsageError, match="does not parse as netstat-macos"):
        formats.parse(bad, "netstat-macos")


def _sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{SAMPLES} is not beside the checkout")
    return path.read_text()


def test_shared_sample_old_layout() -> None:
    sockets = netstat_macos.parse(_sample("macos-netstat-anv-ptcp-findprocess.txt"))
    assert [(s.local_port, s.remote_port, s.state, s.pid) for s in sockets] == [
        (55669, 8000, "ESTABLISHED", 422),
        (55663, 80, "CLOSE_WAIT", 36843),
        (55661, 80, "ESTABLISHED", 40517),
        (443, None, "LISTEN", 61044),
        (8888, None, "LISTEN", 61044),
    ]
    assert sockets[3].family == "ipv6" and sockets[3].local_address == "::"
    assert sockets[0].local_address == "10.16.43.243"


@pytest.mark.parametrize(
    "name",
    [
        "linux-netstat-lnp-centos77-jc.txt",
        "linux-netstat-lnp-space-ubuntu1804-jc.txt",
        "linux-netstat-nlp-ubuntu-findprocess.txt",
        "linux-netstat-aeep-names-centos77-jc-inet-section.txt",
        "windows-netstat-aon-win10-jc.txt",
        "windows-netstat-ano-ptcp-zh-findprocess.txt",
        "linux-ss-tulpen-ubuntu1804-jc.txt",
        "macos-lsof-i443-sikyblog.txt",
    ],
)
def test_linux_and_windows_netstat_are_not_sniffed_as_macos(name: str) -> None:
    assert not netstat_macos.sniff(_sample(name))


def _runner(outputs: dict[str, str], rc: int = 0) -> Runner:
    def run(argv: Sequence[str], timeout: float) -> Completed:
        return Completed(argv=tuple(argv), returncode=rc, stdout=outputs[argv[-1]], stderr="")

    return run


def _split_runs(text: str) -> dict[str, str]:
    tcp, _, udp = text.partition(
        "Active Internet connections (including servers)\n",
    )[2].partition("Active Internet connections (including servers)\n")
    return {"tcp": tcp, "udp": udp}


def test_backend_runs_tcp_and_udp_and_is_complete() -> None:
    runs = _split_runs(_fixture("tahoe"))
    answer = netstat_macos.BACKEND.collect(Query(ports=frozenset({5000, 3000})), _runner(runs))
    assert sorted((s.protocol, s.local_port, s.pid) for s in answer.sockets) == [
        ("tcp", 3000, 48213),
        ("udp", 5000, 48213),
    ]
    assert answer.complete


def test_backend_fails_on_non_zero_exit() -> None:
    with pytest.raises(BackendFailed):
        netstat_macos.BACKEND.collect(Query(), _runner({"tcp": "", "udp": ""}, rc=1))


def test_rows_for_other_ports_are_dropped_before_parsing() -> None:
    text = _fixture("sequoia") + "\ntcp4 0 0 garbage-row-for-another-port.1 *.* LISTEN"
    kept = netstat_macos._only_ports(text, Query(ports=frozenset({3000})))
    assert [s.local_port for s in netstat_macos.parse(kept)] == [3000]
    assert "garbage" not in kept
