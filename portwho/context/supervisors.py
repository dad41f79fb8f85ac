"""Which manager runs a process, and the command that stops it there.

Pure decisions on records: the parent chain (pm2, supervisord, tmux, screen are found there),
the systemd unit from the cgroup, and the environment the supervisor gave its child.
"""

from __future__ import annotations

from portwho.context.record import Parent, Unit

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    Finder = Callable[[Mapping[str, str]], tuple[Unit, "str | None"]]

#: an ancestor that marks an interactive session: a .service above it is sshd's or getty's,
#: not the program's (machines without logind leave session processes in ssh.service)
SESSION_MARKERS = frozenset({"sshd", "sshd-session", "login", "agetty"})


def _base(process: str | None) -> str:
    return (process or "").rsplit("/", 1)[-1].lower()


def _pm2(env: Mapping[str, str]) -> tuple[Unit, str | None]:
    name = env.get("name") or env.get("pm_id")
    if not name:
        return Unit(manager="pm2", name="?"), None
    return Unit(manager="pm2", name=name), f"pm2 stop {_quote(name)}"


def _supervisord(env: Mapping[str, str]) -> tuple[Unit, str | None]:
    name = env.get("SUPERVISOR_PROCESS_NAME")
    if not name:
        return Unit(manager="supervisord", name="?"), None
    group = env.get("SUPERVISOR_GROUP_NAME") or name
    full = name if group == name else f"{group}:{name}"
    return Unit(manager="supervisord", name=full), f"supervisorctl stop {_quote(full)}"


def _tmux(env: Mapping[str, str]) -> tuple[Unit, str | None]:
    pane = env.get("TMUX_PANE")
    server = env.get("TMUX", "").split(",")[0]
    if not pane:
        return Unit(manager="tmux", name="?", restarts=False), None
    where = f"-S {_quote(server)} " if server else ""
    return Unit(manager="tmux", name=f"pane {pane}", restarts=False), (
        f"tmux {where}kill-pane -t {pane}"
    )


def _screen(env: Mapping[str, str]) -> tuple[Unit, str | None]:
    session = env.get("STY")
    if not session:
        return Unit(manager="screen", name="?", restarts=False), None
    return Unit(manager="screen", name=session, restarts=False), (
        f"screen -S {_quote(session)} -X quit"
    )


def _kind(process: str | None) -> Finder | None:
    base = _base(process)
    if base.startswith("pm2 ") or base == "pm2":  # the daemon titles itself "PM2 v5.3.0: God"
        return _pm2
    if base == "supervisord":
        return _supervisord
    if base.startswith("tmux"):  # the server titles itself "tmux: server"
        return _tmux
    if base == "screen":
        return _screen
    return None


def from_chain(
    parents: Sequence[Parent], environ: Callable[[], Mapping[str, str]]
) -> tuple[Unit, str | None] | bool | None:
    """The nearest supervisor in the chain; False when an interactive session comes first
    (then no .service above it counts); None when neither is there."""
    for parent in parents:
        finder = _kind(parent.process)
        if finder is not None:
            return finder(environ())
        if _base(parent.process) in SESSION_MARKERS:
            return False
    return None


def systemd(name: str, user: bool) -> tuple[Unit, str | None]:
    """A unit from the cgroup. Scopes are not restarted; a login session is not stopped."""
    restarts = name.endswith(".service")
    unit = Unit(manager="systemd", name=name, restarts=restarts)
    if name.startswith("session-") and name.endswith(".scope"):
        return unit, None
    return unit, f"systemctl {'--user ' if user else ''}stop {_quote(name)}"


def _quote(word: str) -> str:
    """shlex.quote, imported only when a supervisor is named (shlex brings re)."""
    import shlex

    return shlex.quote(word)
