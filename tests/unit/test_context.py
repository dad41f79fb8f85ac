"""portwho.context decisions on records: supervisors, stop commands, engine endpoints, the
project of a directory, and kill's refusal of what lives in a container or under a manager."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from portwho.context import engine, gather, project, supervisors
from portwho.context.ancestry import stat_fields
from portwho.context.record import Container, Context, Parent, Unit
from portwho.kill import plan as act
from portwho.kill.plan import Refusal, Target
from portwho.model import Socket
from tests.fakes import FakeRunner
from tests.tools import need


def _chain(*names: str) -> tuple[Parent, ...]:
    return tuple(Parent(pid=100 + i, process=n, started=None) for i, n in enumerate(names))


@pytest.mark.parametrize(
    ("names", "env", "unit", "stop"),
    [
        (("node", "PM2 v5.3.0: God"), {"name": "api"}, ("pm2", "api"), "pm2 stop api"),
        (
            ("sh", "supervisord"),
            {"SUPERVISOR_PROCESS_NAME": "web_01", "SUPERVISOR_GROUP_NAME": "web"},
            ("supervisord", "web:web_01"),
            "supervisorctl stop web:web_01",
        ),
        (
            ("bash", "tmux: server"),
            {"TMUX": "/tmp/tmux-0/default,123,0", "TMUX_PANE": "%3"},
            ("tmux", "pane %3"),
            "tmux -S /tmp/tmux-0/default kill-pane -t %3",
        ),
        (("bash", "screen"), {"STY": "42.pts-0.host"}, ("screen", "42.pts-0.host"),
         "screen -S 42.pts-0.host -X quit"),
        (("bash", "supervisord"), {}, ("supervisord", "?"), None),
    ],
)  # fmt: skip
def test_supervisor_in_chain(
    names: tuple[str, ...], env: dict[str, str], unit: tuple[str, str], stop: str | None
) -> None:
    found = supervisors.from_chain(_chain(*names), lambda: env)
    assert isinstance(found, tuple)
    assert (found[0].manager, found[0].name) == unit and found[1] == stop


def test_session_marker_comes_first() -> None:
    """sshd before any supervisor: the process was started from a login, not managed."""
    assert supervisors.from_chain(_chain("bash", "sshd", "supervisord"), dict) is False
    assert supervisors.from_chain(_chain("bash", "init"), dict) is None


def test_environment_read_only_when_a_supervisor_is_seen() -> None:
    def boom() -> dict[str, str]:
        raise AssertionError("environ read without a supervisor in the chain")

    assert supervisors.from_chain(_chain("bash", "sshd", "systemd"), boom) is False


@pytest.mark.parametrize(
    ("name", "user", "restarts", "stop"),
    [
        ("demo.service", False, True, "systemctl stop demo.service"),
        ("api.service", True, True, "systemctl --user stop api.service"),
        ("run-r1.scope", False, False, "systemctl stop run-r1.scope"),
        ("session-3.scope", False, False, None),
    ],
)
def test_systemd_units(name: str, user: bool, restarts: bool, stop: str | None) -> None:
    unit, command = supervisors.systemd(name, user)
    assert unit.restarts is restarts and command == stop


def test_stat_fields_with_parentheses_in_comm() -> None:
    stat = "4242 (a (weird) name) S 17 4242 4242 0 -1 4194560 " + " ".join(["0"] * 12) + " 987 0"
    assert stat_fields(stat) == ("a (weird) name", 17, 987)


# -- engine endpoints -------------------------------------------------------------------------


def test_endpoints_order(tmp_path: Path) -> None:
    """DOCKER_HOST, then the current context, then the rootless and podman sockets: only
    those that exist (no connect is tried on a missing path)."""
    run = tmp_path / "run"
    (run / "podman").mkdir(parents=True)
    host_sock, ctx_sock = tmp_path / "host.sock", tmp_path / "ctx.sock"
    for path in (host_sock, ctx_sock, run / "docker.sock", run / "podman" / "podman.sock"):
        path.write_text("")
    config = tmp_path / "config"
    meta = config / "contexts" / "meta" / hashlib.sha256(b"colima").hexdigest()
    meta.mkdir(parents=True)
    (config / "config.json").write_text(json.dumps({"currentContext": "colima"}))
    (meta / "meta.json").write_text(
        json.dumps({"Name": "colima", "Endpoints": {"docker": {"Host": f"unix://{ctx_sock}"}}})
    )
    env = {
        "DOCKER_HOST": f"unix://{host_sock}",
        "DOCKER_CONFIG": str(config),
        "XDG_RUNTIME_DIR": str(run),
    }
    found = [p for _, p in engine.endpoints(env, str(tmp_path)) if p != "/var/run/docker.sock"]
    assert found == [str(host_sock), str(ctx_sock), str(run / "docker.sock"),
                     str(run / "podman" / "podman.sock")]  # fmt: skip
    first = engine.endpoints(env, str(tmp_path), prefer="podman")[0]
    assert first == ("podman", str(run / "podman" / "podman.sock"))


@pytest.mark.parametrize(
    ("host", "address"),
    [("tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375"), ("tcp://10.0.0.5", "tcp://10.0.0.5:2375"),
     ("tcp://[::1]:2385/", "tcp://[::1]:2385"), ("tcp://[fd00::5]", "tcp://[fd00::5]:2375")],
)  # fmt: skip
def test_a_plain_tcp_host_comes_first_and_missing_paths_never(
    tmp_path: Path, host: str, address: str
) -> None:
    env = {"DOCKER_HOST": host, "XDG_RUNTIME_DIR": str(tmp_path)}
    found = engine.endpoints(env, str(tmp_path))
    assert found[0] == ("docker", address)
    assert all(p == "/var/run/docker.sock" for _, p in found[1:])
    skipped: list[str] = []
    engine.endpoints(env, str(tmp_path), skipped=skipped)
    assert skipped == []


@pytest.mark.parametrize(
    ("env", "why"),
    [({"DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1"}, "tcp://h:2376 needs TLS"),
     ({"DOCKER_HOST": "ssh://me@h"}, "ssh://me@h is not asked")],
)  # fmt: skip
def test_hosts_it_cannot_ask_are_said_not_tried(
    tmp_path: Path, env: dict[str, str], why: str
) -> None:
    env = {**env, "XDG_RUNTIME_DIR": str(tmp_path)}
    assert all(not p.startswith(("tcp://", "ssh://")) for _, p in engine.endpoints(env, "/"))
    skipped: list[str] = []
    engine.endpoints(env, str(tmp_path), skipped=skipped)
    (said,) = skipped
    assert said.startswith(why)


# -- project ----------------------------------------------------------------------------------


def test_project_plain_git_folder(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/feature/x\n")
    (tmp_path / "src" / "app").mkdir(parents=True)
    found = project.find(str(tmp_path / "src" / "app"))
    assert found is not None and (found.root, found.vcs, found.branch) == (
        str(tmp_path),
        "git",
        "feature/x",
    )


def test_project_detached_and_hg_and_none(tmp_path: Path) -> None:
    (tmp_path / "a" / ".git").mkdir(parents=True)
    (tmp_path / "a" / ".git" / "HEAD").write_text("0123456789abcdef0123456789abcdef01234567\n")
    (tmp_path / "b" / ".hg").mkdir(parents=True)
    (tmp_path / "b" / ".hg" / "branch").write_text("stable\n")
    a, b = project.find(str(tmp_path / "a")), project.find(str(tmp_path / "b"))
    assert a is not None and a.branch is None
    assert b is not None and (b.vcs, b.branch) == ("hg", "stable")
    assert project.find("/") is None or project.find("/").root == "/"  # type: ignore[union-attr]


def test_project_in_a_real_worktree(tmp_path: Path) -> None:
    need("git")
    repo = tmp_path / "repo"
    git = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    tree = tmp_path / "tree"
    subprocess.run([*git, "-C", str(repo), "worktree", "add", "-q", "-b", "side", str(tree)],
                   check=True)  # fmt: skip
    found = project.find(str(tree))
    assert found is not None and (found.root, found.branch) == (str(tree), "side")


# -- gather: launchd and Windows services from recorded tool output ---------------------------


def _owner(pid: int, process: str, parents: tuple[Parent, ...], uid: int = 501) -> gather.Owner:
    sock = Socket(protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=8000,
                  state="LISTEN", pid=pid, process=process, uid=uid)  # fmt: skip
    owner = gather.Owner(pid, sock)
    owner.parents = parents
    return owner


def test_launchd_job_named_from_launchctl_list() -> None:
    text = (Path(__file__).parents[1] / "fixtures/launchctl/macos__launchctl-list.txt").read_text()
    runner = FakeRunner(launchctl=text)
    owner = _owner(1234, "api", (Parent(pid=1, process="launchd", started=None),))
    gather._unit(owner, "darwin", runner, {})
    assert owner.unit == Unit(manager="launchd", name="com.example.api")
    assert owner.stop == "launchctl bootout gui/501/com.example.api"
    shell_child = _owner(1234, "api", (Parent(pid=300, process="zsh", started=None),))
    gather._unit(shell_child, "darwin", runner, {})
    assert shell_child.unit is None and len(runner.calls) == 1  # not asked for a shell's child


def test_windows_service_from_tasklist_svc() -> None:
    text = Path(__file__).parents[1] / "fixtures/tasklist-svc/win__tasklist-svc-fo-csv-nh.txt"
    runner = FakeRunner(tasklist=text.read_text())
    services_exe = (Parent(pid=572, process="services.exe", started=None),)
    owner = _owner(3312, "postgres.exe", services_exe)
    gather._unit(owner, "win32", runner, {})
    assert owner.unit is not None and owner.unit.name == "postgresql-x64-16"
    assert owner.stop == "Stop-Service -Name postgresql-x64-16"
    shared = _owner(920, "svchost.exe", services_exe)
    gather._unit(shared, "win32", runner, {})
    assert shared.unit is not None and shared.unit.name == "Dnscache"


def test_missing_tool_leaves_no_unit() -> None:
    owner = _owner(1234, "api", (Parent(pid=1, process="launchd", started=None),))
    gather._unit(owner, "darwin", FakeRunner(), {})
    assert owner.unit is None and owner.stop is None


# -- kill -------------------------------------------------------------------------------------


def _listener(pid: int) -> Socket:
    return Socket(protocol="tcp", family="ipv4", local_address="0.0.0.0", local_port=8080,
                  state="LISTEN", pid=pid, process="httpd")  # fmt: skip


@pytest.mark.parametrize(
    ("ctx", "refused"),
    [
        (Context(container=Container(engine="docker", name="web1", via="cgroup"),
                 stop="docker stop web1"), True),
        (Context(unit=Unit(manager="systemd", name="demo.service"),
                 stop="systemctl stop demo.service"), True),
        (Context(unit=Unit(manager="tmux", name="pane %1", restarts=False),
                 stop="tmux kill-pane -t %1"), False),
        (Context(unit=Unit(manager="systemd", name="session-2.scope", restarts=False)), False),
        (Context(), False),
    ],
)  # fmt: skip
def test_kill_refuses_what_lives_elsewhere(ctx: Context, refused: bool) -> None:
    plan = act.plan_kill([_listener(4000)], ports=[8080], self_pid=1234, contexts={4000: ctx})
    (entry,) = plan
    assert isinstance(entry, Refusal) is refused
    if isinstance(entry, Refusal):
        assert entry.advice == f"stop it where it lives: {ctx.stop}"
        assert entry.override == "--force"
    forced = act.plan_kill(
        [_listener(4000)], ports=[8080], self_pid=1234, contexts={4000: ctx}, force=True
    )
    assert isinstance(forced[0], Target)


def test_context_json_shape() -> None:
    ctx = Context(
        container=Container(engine="docker", id="c" * 64, name="web1", image="nginx:1.27",
                            compose_project="shop", compose_service="web", via="api"),
        parents=(Parent(pid=1, process="init", started=0.0),),
        stop="docker stop web1",
    )  # fmt: skip
    doc = ctx.to_json()
    assert set(doc) == {"container", "unit", "parents", "project", "stop", "tunnels"}
    assert doc["container"]["compose_project"] == "shop" and doc["unit"] is None
    assert doc["tunnels"] == []
    assert ctx.container is not None
    assert ctx.container.words() == "docker container web1 (image nginx:1.27, compose shop/web)"


def test_no_engine_no_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Owners with no forwarder and no container cgroup: the engine is never asked."""

    def refuse(*_: object) -> str:
        raise AssertionError("the engine was asked")

    monkeypatch.setattr(engine, "fetch", refuse)
    me = Socket(protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=1,
                state="LISTEN", pid=os.getpid(), process="python", cwd=os.getcwd())  # fmt: skip
    found, trail = gather.contexts([me], "linux", FakeRunner())
    assert trail == [] and found[os.getpid()].container is None
    assert found[os.getpid()].parents  # pytest has a parent


def test_git_is_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The project comes from reading .git, never from running git."""
    monkeypatch.setattr(shutil, "which", lambda *_: None)
    assert project.find(os.getcwd()) is not None


def test_pid_1_socket_unit_is_the_advice() -> None:
    init = Socket(protocol="tcp", family="ipv6", local_address="::", local_port=22,
                  state="LISTEN", pid=1, process="systemd")  # fmt: skip
    ctx = Context(unit=Unit(manager="systemd", name="ssh.socket"), stop="systemctl stop ssh.socket")
    (entry,) = act.plan_kill([init], ports=[22], self_pid=1234, contexts={1: ctx}, force=True)
    assert (
        isinstance(entry, Refusal)
        and entry.advice == "stop it where it lives: systemctl stop ssh.socket"
    )


def test_socket_activation_names_the_socket_unit(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:  # fmt: skip
    from portwho.context import services

    (tmp_path / "demo.socket").write_text("[Socket]\nListenStream=0.0.0.0:8022\n")
    monkeypatch.setattr(services, "UNIT_DIRS", (str(tmp_path),))
    owner = _owner(1, "systemd", ())
    owner.ports = {("tcp", 8022)}
    owner.cgroup = "0::/init.scope\n"
    gather._unit(owner, "linux", FakeRunner(), {})
    assert owner.unit == Unit(manager="systemd", name="demo.socket")
    assert owner.stop == "systemctl stop demo.socket"


def test_without_root_the_namespaces_are_not_looked_into(monkeypatch: pytest.MonkeyPatch) -> None:
    from portwho import core
    from portwho.context import netns
    from portwho.model import LookupResult, Query

    monkeypatch.setattr(core, "is_root", lambda: False)
    result = core.with_context(
        LookupResult(query=Query(ports=frozenset({9}))), "linux", FakeRunner()
    )
    assert result.notes == (netns.NOT_ROOT,) and result.inside == ()
