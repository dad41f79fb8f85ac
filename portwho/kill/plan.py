"""`portwho kill`, the decisions: who may be signalled, with what, and what the exit code is.

Everything here reads records only (Socket in, Target/Refusal out), so every refusal rule is
unit-testable without a process. The side effects live in portwho.kill.execute.
"""

from __future__ import annotations

import enum
import signal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.context.forwarders import forwarder_refusal, protected_reason
from portwho.errors import ExitCode, UsageError
from portwho.kill import holds
from portwho.model import OWNERLESS_STATES, Socket

if TYPE_CHECKING:
    from portwho.context.record import Context


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A process portwho intends to signal, as it was when the plan was made."""

    pid: int
    process: str | None
    user: str | None
    cmdline: tuple[str, ...] | None
    started: float | None  # psutil create_time when planned: the identity re-checked later
    ports: tuple[int, ...]
    listening: bool  # False: it only has connections to the port (--include-clients)


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """A holder of the port that portwho will not signal, why, and what to do instead."""

    pid: int | None
    process: str | None
    ports: tuple[int, ...]
    reason: str
    advice: str | None = None
    override: str | None = None  # the flag that lifts it ("--force", "--include-clients")


def plan_kill(
    sockets: Sequence[Socket],
    *,
    ports: Iterable[int],
    self_pid: int,
    parent_pids: Iterable[int] = (),
    include_clients: bool = False,
    force: bool = False,
    platform: str = "linux",
    contexts: Mapping[int, Context] | None = None,
) -> list[Target | Refusal]:
    """One entry per owning process (and one for hidden owners), in pid order."""
    wanted = tuple(sorted(set(ports)))
    groups: dict[int | None, list[Socket]] = {}
    for sock in sockets:
        if sock.state not in OWNERLESS_STATES:
            groups.setdefault(sock.pid, []).append(sock)
    parents = set(parent_pids)
    plan: list[Target | Refusal] = []
    for pid in sorted(groups, key=lambda p: -1 if p is None else p):
        if pid is None:
            plan.append(_hidden(groups[pid], wanted, platform))
            continue
        plan.append(
            _decide(
                pid,
                groups[pid],
                wanted=wanted,
                self_pid=self_pid,
                parents=parents,
                include_clients=include_clients,
                force=force,
                ctx=(contexts or {}).get(pid),
            )
        )
    return plan


def _decide(
    pid: int,
    socks: list[Socket],
    *,
    wanted: tuple[int, ...],
    self_pid: int,
    parents: set[int],
    include_clients: bool,
    force: bool,
    ctx: Context | None = None,
) -> Target | Refusal:
    first = socks[0]
    held = tuple(sorted({s.local_port for s in socks if holds(s, wanted)}))
    ends = {s.local_port for s in socks} | {s.remote_port for s in socks if s.remote_port}
    touched = held or tuple(sorted(ends & set(wanted)))
    name = first.process

    def refuse(reason: str, advice: str | None = None, override: str | None = None) -> Refusal:
        return Refusal(
            pid=pid, process=name, ports=touched, reason=reason, advice=advice, override=override
        )

    if not held and not include_clients:
        return refuse(
            "only has a connection to the port (a client); left alone", None, "--include-clients"
        )
    why = protected_reason(pid, name, self_pid=self_pid, parents=parents)
    if why is not None:  # pid 1 holding a port: its .socket unit, when the context found it
        found = f"stop it where it lives: {ctx.stop}" if ctx is not None and ctx.stop else None
        return refuse(why[0], found or why[1])
    if ctx is not None and ctx.supervised and not force:
        return refuse(_where(name, ctx), f"stop it where it lives: {ctx.stop}", "--force")
    forwarded = forwarder_refusal(name, first.cmdline, touched)
    if forwarded is not None and not force:
        return refuse(forwarded[0], forwarded[1], "--force")
    return Target(
        pid=pid,
        process=name,
        user=first.user,
        cmdline=first.cmdline,
        started=first.started,
        ports=touched,
        listening=bool(held),
    )


def _where(name: str | None, ctx: Context) -> str:
    """Why killing it would not last: what holds it and starts it again."""
    who = name or "it"
    if ctx.container is not None:
        forwarder = "forwarder" in (ctx.container.via or "")
        role = " is the port forwarder of " if forwarder else " runs in "
        return f"{who}{role}{ctx.container.words()}; the container outlives a kill"
    assert ctx.unit is not None
    return f"{who} runs under {ctx.unit.words()}, which may start it again"


def _hidden(socks: list[Socket], wanted: tuple[int, ...], platform: str) -> Refusal:
    ports = tuple(sorted({s.local_port for s in socks} & set(wanted))) or wanted
    return Refusal(
        pid=None,
        process=None,
        ports=ports,
        reason="a socket holds the port but its owner is hidden from this user",
        advice=elevated(ports, platform),
    )


def elevated(ports: Sequence[int], platform: str) -> str:
    """The command that would be permitted to do what was just denied (none, for root)."""
    words = " ".join(str(p) for p in ports)
    if platform == "win32":
        return f"run from an elevated prompt: portwho kill {words}"
    from portwho.system.host import is_root

    if is_root():  # sudo would change nothing
        return "even root cannot see its owner: another PID namespace (a container) or the kernel"
    return f"sudo portwho kill {words}"


# -- signals ----------------------------------------------------------------------------------


def parse_signal(text: str) -> int:
    """TERM, SIGTERM, term or 15 -> the signal number; UsageError with the valid names."""
    word = text.strip().upper()
    if word.isdecimal():
        number = int(word)
        if number in {int(s) for s in signal.Signals}:
            return number
    else:
        name = word if word.startswith("SIG") else "SIG" + word
        if name in signal.Signals.__members__:
            return int(signal.Signals[name])
    names = ", ".join(sorted(s.name[3:] for s in signal.Signals if not s.name.startswith("SIG_")))
    raise UsageError(f"unknown signal {text!r}; use a number or one of: {names}")


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


class Status(str, enum.Enum):
    EXITED = "exited"  # it exited after the signal
    KILLED = "killed"  # it needed SIGKILL (--force)
    STILL_RUNNING = "still-running"  # it ignored the signal; no --force
    DENIED = "denied"  # not permitted to signal it
    GONE = "gone"  # already exited before we signalled
    CHANGED = "changed"  # pid reused, or it no longer holds the port: not signalled


@dataclass(frozen=True, slots=True, kw_only=True)
class KillOutcome:
    target: Target
    status: Status
    detail: str = ""


def kill_exit_code(
    plan: Sequence[Target | Refusal], outcomes: Sequence[KillOutcome], held: bool
) -> ExitCode:
    """0 when the ports ended free; 7 when something was refused or denied; 6 otherwise."""
    if not held:
        return ExitCode.IN_USE  # plain success
    blocked = any(isinstance(e, Refusal) and e.override != "--include-clients" for e in plan)
    if blocked or any(o.status is Status.DENIED for o in outcomes):
        return ExitCode.REFUSED
    return ExitCode.TIMEOUT
