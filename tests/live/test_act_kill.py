"""`portwho kill` against real processes on loopback (each test kills only its own children)."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator

import psutil
import pytest

from portwho.kill import execute as act_kill
from portwho.kill import plan as act
from portwho.kill.plan import Refusal, Status, Target
from tests.live.act_procs import Child, portwho, wait_until

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(sys.platform != "linux", reason="Linux children"),
]


@pytest.fixture
def children() -> Iterator[list[Child]]:
    made: list[Child] = []
    yield made
    for child in made:
        child.stop()


def own(child: Child) -> str:
    """The spec of exactly the child's socket: the port number is the OS's pick for it, but
    another process may hold the same number in the other protocol, and must not be killed."""
    return f"127.0.0.1:{child.port}/{'udp' if child.udp else 'tcp'}"


def start(children: list[Child], *args: object, **kw: object) -> Child:
    child = Child(*args, **kw)  # type: ignore[arg-type]
    children.append(child)
    return child


def test_term_frees_the_port(children: list[Child]) -> None:
    server = start(children)
    done = portwho("kill", own(server), "--yes", "--timeout", "3")
    assert done.returncode == 0, done.stderr
    assert wait_until(lambda: not server.alive())
    assert f"pid {server.pid}" in done.stderr
    assert f"Port {server.port} is free now." in done.stderr


def test_term_ignored_needs_force(children: list[Child]) -> None:
    server = start(children, "listen-ignore-term")
    done = portwho("kill", own(server), "--yes", "--timeout", "0.5")
    assert done.returncode == 6, done.stderr
    assert server.alive()
    assert "still running" in done.stderr and "--force" in done.stderr
    forced = portwho("kill", own(server), "--yes", "--timeout", "0.5", "--force")
    assert forced.returncode == 0, forced.stderr
    assert wait_until(lambda: not server.alive())
    assert "SIGKILL" in forced.stderr


def test_client_survives(children: list[Child]) -> None:
    server = start(children)
    client = start(children, "client", server.port)
    done = portwho("kill", own(server), "--yes")
    assert done.returncode == 0, done.stderr
    assert wait_until(lambda: not server.alive())
    assert client.alive()


def test_udp_bound_socket_is_a_target(children: list[Child]) -> None:
    server = start(children, "listen-udp")
    done = portwho("kill", own(server), "--yes")
    assert done.returncode == 0, done.stderr
    assert wait_until(lambda: not server.alive())


def test_no_terminal_without_yes_refuses(children: list[Child]) -> None:
    server = start(children)
    done = portwho("kill", str(server.port))
    assert done.returncode == 7
    assert "--yes" in done.stderr
    assert server.alive()


def test_dry_run_touches_nothing(children: list[Child]) -> None:
    server = start(children)
    done = portwho("kill", own(server), "--dry-run")
    assert done.returncode == 0
    assert done.stdout.startswith(f"would send SIGTERM to python (pid {server.pid})")
    assert server.alive()


def test_dry_run_json_is_the_plan_only(children: list[Child]) -> None:
    server = start(children)
    done = portwho("kill", own(server), "--dry-run", "--json")
    doc = json.loads(done.stdout)
    assert (doc["schema"], doc["command"], doc["dry_run"], doc["exit_code"]) == (1, "kill", True, 0)
    assert [(e["action"], e["pid"]) for e in doc["plan"]] == [("signal", server.pid)]
    assert "outcomes" not in doc and server.alive()


def test_json_says_each_outcome(children: list[Child]) -> None:
    server = start(children)
    done = portwho("kill", own(server), "--yes", "--json")
    doc = json.loads(done.stdout)
    assert done.returncode == doc["exit_code"] == 0, done.stderr
    assert [(o["pid"], o["status"]) for o in doc["outcomes"]] == [(server.pid, "exited")]
    assert doc["still_held"] == [] and done.stderr == ""


def test_forwarder_refused_and_explained(children: list[Child]) -> None:
    fwd = start(
        children,
        name="docker-proxy",
        extra=("-container-ip", "172.17.0.2", "-container-port", "80"),
    )
    done = portwho("kill", own(fwd), "--yes")
    assert done.returncode == 7, done.stderr
    assert fwd.alive()
    assert "forwards to container 172.17.0.2:80" in done.stderr
    assert f"docker ps --filter publish={fwd.port}" in done.stderr
    forced = portwho("kill", own(fwd), "--yes", "--force")
    assert forced.returncode == 0, forced.stderr
    assert wait_until(lambda: not fwd.alive())


def test_parent_is_refused() -> None:
    """This pytest process listens; portwho, its child, must not kill its own parent."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = portwho("kill", f"127.0.0.1:{port}/tcp", "--yes")
    assert done.returncode == 7
    assert "parent" in done.stderr


def test_self_is_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        socks = act_kill.gather([port], include_clients=False)
    socks = [s for s in socks if s.protocol == "tcp"]  # another suite's UDP may share the number
    plan = act.plan_kill(socks, ports=[port], self_pid=os.getpid())
    assert [type(e) for e in plan] == [Refusal]
    assert "portwho itself" in plan[0].reason  # type: ignore[union-attr]


def _target(children: list[Child], mode: str = "listen") -> tuple[Child, Target]:
    server = start(children, mode)
    socks = act_kill.gather([server.port], include_clients=False)
    # another suite's UDP socket may share the port number (seen here: scripts/load.py)
    socks = [s for s in socks if s.protocol == "tcp"]
    plan = act.plan_kill(
        socks, ports=[server.port], self_pid=os.getpid(), parent_pids={os.getppid()}
    )
    (target,) = plan
    assert isinstance(target, Target) and target.pid == server.pid
    return server, target


def test_reused_pid_is_not_signalled(children: list[Child]) -> None:
    """Same pid, different start time: the planned process is not the one running now."""
    server, target = _target(children)
    import dataclasses

    stale = dataclasses.replace(target, started=(target.started or 0) - 5.0)
    outcome = act_kill.kill_one(
        stale, sig=15, timeout=1, force=True, still_holds=act_kill.still_holds
    )
    assert outcome.status is Status.CHANGED
    assert server.alive()


def test_restarted_server_is_not_signalled(children: list[Child]) -> None:
    """Between plan and signal the server is restarted on the same port: the new one lives."""
    server, target = _target(children)
    replaced: list[Child] = []

    def restart(_: Target) -> None:
        server.stop()
        replaced.append(start(children, "listen", server.port))

    outcome = act_kill.kill_one(
        target,
        sig=15,
        timeout=1,
        force=True,
        still_holds=act_kill.still_holds,
        before_signal=restart,
    )
    assert outcome.status in (Status.GONE, Status.CHANGED)
    assert replaced[0].alive()
    assert psutil.Process(replaced[0].pid).is_running()
