"""The pure decisions of kill / watch / free: records in, decisions out."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho import free as act_free
from portwho import poll as act_poll
from portwho.errors import ExitCode, UsageError
from portwho.kill import plan as act
from portwho.kill.plan import KillOutcome, Refusal, Status, Target
from portwho.model import Socket


def listener(
    pid: int | None, port: int = 3000, name: str = "node", cmdline: tuple[str, ...] | None = None
) -> Socket:
    return Socket(
        protocol="tcp",
        family="ipv4",
        local_address="127.0.0.1",
        local_port=port,
        state="LISTEN",
        pid=pid,
        process=name,
        started=100.0,
        cmdline=cmdline,
    )


def accepted(pid: int, port: int = 3000) -> Socket:
    return Socket(
        protocol="tcp",
        family="ipv4",
        local_address="127.0.0.1",
        local_port=port,
        remote_address="127.0.0.1",
        remote_port=50000,
        state="ESTABLISHED",
        pid=pid,
        process="worker",
    )


def plan(*socks: Socket, **kw: object) -> list[Target | Refusal]:
    args: dict[str, object] = {"ports": [3000], "self_pid": 999, "parent_pids": {998}}
    args.update(kw)
    return act.plan_kill(list(socks), **args)  # type: ignore[arg-type]


def test_listener_is_a_target_and_mere_connection_is_left_alone() -> None:
    out = plan(listener(10), accepted(11))
    assert isinstance(out[0], Target) and out[0].pid == 10 and out[0].listening
    assert isinstance(out[1], Refusal) and out[1].override == "--include-clients"
    with_clients = plan(listener(10), accepted(11), include_clients=True)
    assert all(isinstance(e, Target) for e in with_clients)


@pytest.mark.parametrize("pid", [0, 1, 4, 999, 998])
def test_reserved_self_and_parent_never_targets_even_forced(pid: int) -> None:
    (out,) = plan(listener(pid), force=True)
    assert isinstance(out, Refusal) and out.override is None


@pytest.mark.parametrize("name", ["systemd", "launchd", "svchost.exe", "System"])
def test_os_processes_refused(name: str) -> None:
    (out,) = plan(listener(500, name=name), force=True)
    assert isinstance(out, Refusal)


def test_docker_proxy_refused_with_container_and_how_to_stop() -> None:
    argv = (
        "/usr/bin/docker-proxy",
        "-proto",
        "tcp",
        "-host-ip",
        "0.0.0.0",
        "-host-port",
        "3000",
        "-container-ip",
        "172.17.0.2",
        "-container-port",
        "80",
    )
    (out,) = plan(listener(700, name="docker-proxy", cmdline=argv))
    assert isinstance(out, Refusal) and out.override == "--force"
    assert "172.17.0.2:80" in out.reason
    assert out.advice is not None and "docker ps --filter publish=3000" in out.advice
    (forced,) = plan(listener(700, name="docker-proxy", cmdline=argv), force=True)
    assert isinstance(forced, Target)


@pytest.mark.parametrize(
    "name", ["OrbStack Helper", "wslrelay.exe", "gvproxy", "com.docker.backend"]
)
def test_other_forwarders(name: str) -> None:
    (out,) = plan(listener(700, name=name))
    assert isinstance(out, Refusal) and out.override == "--force" and out.advice


def test_hidden_owner_gets_the_elevated_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from portwho.system import host

    monkeypatch.setattr(host, "is_root", lambda: False)
    (out,) = plan(listener(None))
    assert isinstance(out, Refusal) and out.pid is None
    assert out.advice == "sudo portwho kill 3000"
    monkeypatch.setattr(host, "is_root", lambda: True)  # sudo would change nothing for root
    (out,) = plan(listener(None))
    assert isinstance(out, Refusal) and "sudo" not in (out.advice or "")
    (win,) = plan(listener(None), platform="win32")
    assert isinstance(win, Refusal) and "elevated" in (win.advice or "")


def test_time_wait_is_nobody() -> None:
    tw = Socket(
        protocol="tcp",
        family="ipv4",
        local_address="127.0.0.1",
        local_port=3000,
        remote_address="127.0.0.1",
        remote_port=5,
        state="TIME_WAIT",
    )
    assert plan(tw) == []


def test_exit_codes() -> None:
    target = plan(listener(10))[0]
    assert isinstance(target, Target)
    still = KillOutcome(target=target, status=Status.STILL_RUNNING)
    denied = KillOutcome(target=target, status=Status.DENIED)
    assert act.kill_exit_code([target], [still], held=False) is ExitCode.IN_USE
    assert act.kill_exit_code([target], [still], held=True) is ExitCode.TIMEOUT
    assert act.kill_exit_code([target], [denied], held=True) is ExitCode.REFUSED
    refused = plan(listener(1))
    assert act.kill_exit_code(refused, [], held=True) is ExitCode.REFUSED


def test_parse_signal() -> None:
    assert act.parse_signal("term") == act.parse_signal("SIGTERM") == act.parse_signal("15") == 15
    assert act.parse_signal("KILL") == 9
    with pytest.raises(UsageError):
        act.parse_signal("SIGNOPE")


@given(st.text())
def test_parse_signal_any_text_is_a_signal_or_usage_error(text: str) -> None:
    with contextlib.suppress(UsageError):
        assert act.parse_signal(text) > 0


def test_watch_diff_and_history() -> None:
    a, b = listener(10), listener(11, port=3001)
    before = {act_poll.sock_id(a): a}
    after = {act_poll.sock_id(b): b}
    events = act_poll.diff(before, after, now=5.0)
    assert [(e.kind, e.socket.pid) for e in events] == [("vanished", 10), ("appeared", 11)]
    hist = act_poll.History()
    hist.record([act_poll.Event(kind="appeared", at=1.0, socket=a)], [a], now=1.0)
    hist.record([], [a], now=1.2)
    hist.record([act_poll.Event(kind="vanished", at=1.4, socket=a)], [], now=1.4)
    (seen,) = hist.entries
    assert seen.gone and seen.first == 1.0 and seen.last == 1.2


def test_a_first_poll_of_many_owners_keeps_the_last_ones_seen() -> None:
    socks = [listener(100 + i, port=3000 + i) for i in range(60)]
    socks += [listener(100, port=3000)]  # the same owner of the same port again: one entry
    hist = act_poll.History(limit=20)
    hist.record([act_poll.Event(kind="present", at=1.0, socket=s) for s in socks], socks, 1.0)
    assert [(e.port, e.pid) for e in hist.entries] == [(3000 + i, 100 + i) for i in range(40, 60)]
    still = [s for s in socks if s.local_port % 2]  # the even ports closed
    hist.record([], still, 2.0)
    assert [e.gone for e in hist.entries] == [e.port % 2 == 0 for e in hist.entries]
    assert {e.last for e in hist.entries if not e.gone} == {2.0}


def test_free_search_skips_ephemeral_unless_a_range_is_asked() -> None:
    skip = act_free.skipped_spans(
        (40000, 65535), explicit=False, os_range=(32768, 60999), excluded=[(8000, 8001)]
    )
    assert list(act_free.candidates((7999, 8003), skip, busy={8002})) == [7999, 8003]
    assert next(act_free.candidates((40000, 65535), skip, busy=set())) == 61000
    asked = act_free.skipped_spans(
        (40000, 40010), explicit=True, os_range=(32768, 60999), excluded=[]
    )
    assert next(act_free.candidates((40000, 40010), asked, busy=set())) == 40000
    assert act_free.search_span(None, None) == (act_free.DEFAULT_START, 65535)
    with pytest.raises(UsageError):
        act_free.search_span(9000, (8000, 8100))


def test_the_wait_status_never_says_waiting_once_the_wish_is_met() -> None:
    import io

    from portwho.model import Socket
    from portwho.poll import PortState
    from portwho.views.live import StatusLine

    out = io.StringIO()
    status = StatusLine(out, want_busy=True)
    status.show(PortState(port=8765), 0.0, True)
    assert "waiting until something listens" in out.getvalue()
    held = Socket(protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=8765,
                  state="LISTEN", pid=7, process="python3")  # fmt: skip
    lines = out.getvalue().count("\n")
    status.show(PortState(port=8765, holders=(held,)), 2.0, True)
    status.finish(True, 30)
    assert out.getvalue().count("\n") == lines + 1
    assert out.getvalue().endswith("port 8765 has a listener (after 2.00 s)\n")


# -- kill's words and exit codes around the plan ---------------------------------------------


def run_kill(
    monkeypatch: pytest.MonkeyPatch, socks: list[Socket], *args: str, **kw: bool
) -> ExitCode:
    """commands.kill over given sockets (the socket table is not read; nothing is signalled)."""
    from portwho.commands import kill as command
    from portwho.kill import execute

    monkeypatch.setattr(execute, "gather_with_context", lambda ports, include_clients: (socks, {}))
    monkeypatch.setattr(execute, "ancestors", frozenset)
    opts = {"yes": False, "dry_run": True, "as_json": False} | kw
    return command.kill(list(args), sig="TERM", timeout=1, force=False,
                        include_clients=False, **opts)  # fmt: skip


def test_kill_on_a_port_nothing_holds_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_kill(monkeypatch, [], "3000") is ExitCode.FREE
    assert capsys.readouterr().out == "Port 3000: nothing holds it; nothing would be killed.\n"
    assert run_kill(monkeypatch, [], "3000", dry_run=False, yes=True) is ExitCode.FREE
    assert "nothing to kill" in capsys.readouterr().err


def test_dry_run_is_worded_as_a_plan_on_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_kill(monkeypatch, [listener(4242, cmdline=("node", "server.js"))], "3000")
    out, err = capsys.readouterr()
    assert code is ExitCode.IN_USE and err == ""
    assert out.splitlines() == [
        "would send SIGTERM to node (pid 4242), listening on port 3000",
        "    command  node server.js",
    ]


def test_a_spec_narrows_what_kill_touches(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """3000/udp: the TCP listener on 3000 is not the one asked about."""
    assert run_kill(monkeypatch, [listener(4242)], "3000/udp") is ExitCode.FREE
    assert "nothing holds it" in capsys.readouterr().out


def test_dry_run_json_holds_the_plan_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    assert run_kill(monkeypatch, [listener(4242)], "3000", as_json=True) is ExitCode.IN_USE
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == 1 and doc["dry_run"] is True and "outcomes" not in doc
    assert [(e["action"], e["pid"], e["ports"]) for e in doc["plan"]] == [("signal", 4242, [3000])]


def test_the_owners_seen_history_is_bounded() -> None:
    hist = act_poll.History()
    for i in range(500):
        sock = listener(1000 + i, port=2000 + i)
        hist.record([act_poll.Event(kind="appeared", at=float(i), socket=sock)], [sock], now=i)
    assert len(hist.entries) == hist.limit
    assert hist.entries[-1].pid == 1499  # the newest kept
