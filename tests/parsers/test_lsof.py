"""lsof parsers: real Linux captures, modelled macOS files, the shared macOS samples."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from portwho._run import Completed, Runner
from portwho.backends import formats, lsof
from portwho.backends.lsof import field as lsof_field
from portwho.errors import BackendFailed, ParseError
from portwho.model import Query, Socket
from tests.parsers._linux_fixtures import SAMPLES

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "lsof"


def _dump(sock: Socket) -> dict[str, object]:
    fields = sock.as_dict()
    return {k: v for k, v in fields.items() if v is not None and k != "source"}


def _expected(txt: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(txt.with_suffix(".json").read_text())
    return data


@pytest.mark.parametrize("txt", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_fixture_matches_expected_json(txt: Path) -> None:
    text = txt.read_text()
    assert lsof.sniff(text)
    assert [_dump(s) for s in lsof.parse(text)] == _expected(txt)["sockets"]
    assert formats.detect(text) == "lsof"


def _linux(who: str, form: str) -> tuple[list[Socket], dict[str, dict[str, int]]]:
    suffix = "_-F_pcuLftPnT.txt" if form == "F" else "-iUDP47801-47815.txt"
    (txt,) = [p for p in FIXTURES.glob(f"debian12-*as-{who}__*") if p.name.endswith(suffix)]
    meta = _expected(txt)["meta"]
    assert isinstance(meta, dict)
    return lsof.parse(txt.read_text()), meta["holders"]


@pytest.mark.parametrize("form", ["F", "table"])
def test_root_capture_sees_both_holders_every_socket_once(form: str) -> None:
    sockets, holders = _linux("root", form)
    for who, uid in (("root", 0), ("nobody", 65534)):
        h = holders[who]
        mine = [s for s in sockets if s.pid == h["pid"]]
        assert all(s.uid == uid or s.user == who for s in mine)
        assert all(s.process == "python3" for s in mine)
        by_port = {(s.protocol, s.family, s.local_port, s.state) for s in mine}
        assert ("tcp", "ipv4", h["tcp4"], "LISTEN") in by_port
        assert ("tcp", "ipv6", h["tcp6"], "LISTEN") in by_port
        assert ("udp", "ipv4", h["udp4"], None) in by_port
        assert ("udp", "ipv6", h["udp6"], None) in by_port
        # the v4 listener is on two fds (dup): one socket, not two
        assert len([s for s in mine if s.local_port == h["tcp4"]]) == 1
        client = [s for s in mine if s.local_port == h["client"]]
        assert [(c.remote_address, c.remote_port, c.state) for c in client] == [
            ("127.0.0.1", h["server"], "ESTABLISHED")
        ]
        assert len(mine) == 7


@pytest.mark.parametrize("form", ["F", "table"])
def test_unprivileged_capture_sees_only_its_own_processes(form: str) -> None:
    sockets, holders = _linux("nobody", form)
    assert {s.pid for s in sockets} == {holders["nobody"]["pid"]}
    assert [s for s in sockets if s.local_port == holders["root"]["tcp4"]] == []


def test_field_and_table_forms_agree() -> None:
    for who in ("root", "nobody"):
        field, _ = _linux(who, "F")
        table, _ = _linux(who, "table")
        assert [(*s.key(), s.pid, s.state) for s in field] == [
            (*s.key(), s.pid, s.state) for s in table
        ]


def test_macos_table_escapes_dups_and_closed() -> None:
    text = (FIXTURES / "macos14-sonoma__lsof_-nP_-iTCP_-iUDP.txt").read_text()
    sockets = lsof.parse(text)
    code = [s for s in sockets if s.pid == 84517]
    assert {s.process for s in code} == {"Code H"}
    assert len([s for s in code if s.local_port == 58312]) == 1  # fds 41u and 42u
    brave = next(s for s in sockets if s.pid == 7187)
    assert (brave.process, brave.state, brave.local_address) == ("Brave B", "CLOSE", "::1")
    assert not [s for s in sockets if s.pid == 701 and s.protocol == "udp"]  # UDP *:* unbound
    py = [s for s in sockets if s.pid == 27328]
    assert (py[0].local_address, py[0].listening) == ("fe80::1", True)
    assert (py[1].remote_port, py[1].listening) == (53, False)


def test_unescape() -> None:
    assert lsof.unescape(r"Code\x20H") == "Code H"
    assert lsof.unescape(r"a\\b\tc") == "a\\b\tc"
    assert lsof.unescape(r"\xe5\x93\x94") == "哔"
    assert lsof.unescape(r"?\x93\x94") == "?\ufffd\ufffd"


def test_unknown_service_name_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="unknown service"):
        lsof.parse("p1\ncx\nf3\ntIPv4\nPTCP\nn*:no-such-service\n")


def test_field_before_process_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="before the first process"):
        lsof_field.parse_fields("f3\nn*:80\n")


def test_nul_separated_field_output() -> None:
    text = "p5\0cpy\0u0\0Lroot\0\nf3\0tIPv4\0PTCP\0n127.0.0.1:80\0TST=LISTEN\0\n"
    (sock,) = lsof.parse(text)
    assert (sock.pid, sock.user, sock.local_port, sock.state) == (5, "root", 80, "LISTEN")


def _sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{SAMPLES} is not beside the checkout")
    return path.read_text()


def test_shared_macos_field_sample() -> None:
    (sock,) = lsof.parse(_sample("macos-lsof-F-i443-sikyblog.txt"))
    assert sock == Socket(
        protocol="tcp",
        family="ipv4",
        local_address="siky-mac-mini",
        local_port=61472,
        remote_address="221.229.52.145",
        remote_port=443,
        state="ESTABLISHED",
        pid=1190,
        process="Google Chrome Helper",
        user="siky",
        uid=501,
        source="lsof",
    )


def test_shared_macos_table_sample() -> None:
    first, second = lsof.parse(_sample("macos-lsof-i443-sikyblog.txt"))
    assert (first.process, first.pid, first.user, first.remote_port) == (
        "Code H",
        94659,
        "siky",
        443,
    )
    assert (first.local_address, first.local_port) == ("siky-mac-mini", 53734)
    assert (second.pid, second.remote_address, second.state) == (
        97161,
        "111.170.130.241",
        "ESTABLISHED",
    )
    assert second.process is not None and second.process.startswith("?")


@pytest.mark.parametrize(
    "name",
    [
        "linux-netstat-lnp-centos77-jc.txt",
        "linux-ss-tulpen-ubuntu1804-jc.txt",
        "macos-netstat-anv-ptcp-findprocess.txt",
        "windows-netstat-aon-win10-jc.txt",
        "linux-proc-net-tcp-jc.txt",
    ],
)
def test_other_tools_are_not_sniffed_as_lsof(name: str) -> None:
    assert not lsof.sniff(_sample(name))


def test_argv_for_ports_ranges_and_listeners() -> None:
    (one,) = lsof.argvs(Query(ports=frozenset({3000, 8000, 8001, 8002})))
    assert one == [
        "lsof",
        "-nP",
        "-w",
        "-iTCP:3000",
        "-iUDP:3000",
        "-iTCP:8000-8002",
        "-iUDP:8000-8002",
        "-F",
        "pcuLftPnT",
    ]
    tcp, udp = lsof.argvs(Query(listening_only=True))
    assert tcp[3:5] == ["-iTCP", "-sTCP:LISTEN"] and udp[3] == "-iUDP"


def _runner(rc: int, out: str, err: str = "") -> Runner:
    def run(argv: Sequence[str], timeout: float) -> Completed:
        return Completed(argv=tuple(argv), returncode=rc, stdout=out, stderr=err)

    return run


def test_backend_status_1_without_output_is_nothing_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lsof, "_is_root", lambda: True)
    answer = lsof.BACKEND.collect(Query(ports=frozenset({1})), _runner(1, ""))
    assert answer.sockets == () and answer.complete


def test_backend_status_1_with_error_fails() -> None:
    with pytest.raises(BackendFailed, match="unknown service"):
        lsof.BACKEND.collect(Query(), _runner(1, "", "lsof: unknown service abc for tcp"))


def test_backend_filters_and_is_incomplete_unless_root(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (FIXTURES / "macos14-sonoma__lsof_-nP_-iTCP_-iUDP.txt").read_text()
    monkeypatch.setattr(lsof, "_is_root", lambda: False)
    answer = lsof.BACKEND.collect(Query(ports=frozenset({3000})), _runner(0, text))
    assert {s.local_port for s in answer.sockets} == {3000}
    assert not answer.complete and "this user" in answer.detail
