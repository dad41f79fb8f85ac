"""`portwho kill`: plan, show, confirm, signal, and say whether the port is free afterwards.
The decisions live in portwho.kill.plan, the side effects in portwho.kill.execute."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from portwho.errors import ExitCode, UsageError
from portwho.kill import execute as act_kill
from portwho.kill import plan as act
from portwho.kill.plan import KillOutcome, Refusal, Status, Target
from portwho.model import Socket
from portwho.ports import parse_specs
from portwho.system.host import platform_key

# -- kill -------------------------------------------------------------------------------------


def kill(
    specs: list[str],
    *,
    sig: str,
    timeout: float,
    force: bool,
    yes: bool,
    dry_run: bool,
    include_clients: bool,
) -> ExitCode:
    number = act.parse_signal(sig)
    ports = sorted(parse_specs(specs))
    socks, contexts = act_kill.gather_with_context(ports, include_clients=include_clients)
    plan = act.plan_kill(
        socks,
        ports=ports,
        self_pid=os.getpid(),
        parent_pids=act_kill.ancestors(),
        include_clients=include_clients,
        force=force,
        platform=platform_key(),
        contexts=contexts,
    )
    held = any(act.holds(s, ports) for s in socks)
    targets = [e for e in plan if isinstance(e, Target)]
    say(plan_lines(plan, ports, act.signal_name(number)))
    if dry_run:
        return ExitCode.IN_USE if targets or not held else ExitCode.REFUSED
    if not targets:
        return act.kill_exit_code(plan, [], held)
    if not yes and not _confirm(len(targets)):
        return ExitCode.REFUSED
    outcomes = [
        act_kill.kill_one(
            t, sig=number, timeout=timeout, force=force, still_holds=act_kill.still_holds
        )
        for t in targets
    ]
    say([outcome_line(o, ports) for o in outcomes])
    left = [s for s in act_kill.gather(ports, include_clients=False) if act.holds(s, ports)]
    say(after_lines(ports, left))
    return act.kill_exit_code(plan, outcomes, bool(left))


def _confirm(n: int) -> bool:
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise _NotATerminal()
    what = "this process" if n == 1 else f"these {n} processes"
    sys.stderr.write(f"Kill {what}? [y/N]: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


class _NotATerminal(UsageError):
    exit_code = ExitCode.REFUSED
    code = "refused"

    def __init__(self) -> None:
        super().__init__(
            "not killing without confirmation: no terminal to ask on; pass --yes"
            " (or --dry-run to see the plan)"
        )


def _who(pid: int | None, process: str | None) -> str:
    return f"{process or '?'} (pid {pid})" if pid is not None else "a hidden owner"


def plan_lines(plan: Sequence[Target | Refusal], ports: Sequence[int], sig: str) -> list[str]:
    from portwho.views.words import command_text

    if not plan:
        return [f"{_ports(ports).capitalize()}: nothing holds it; nothing to kill."]
    lines: list[str] = []
    for entry in plan:
        if isinstance(entry, Target):
            role = "listening on" if entry.listening else "connected to"
            user = f", user {entry.user}" if entry.user else ""
            lines.append(
                f"{sig} -> {_who(entry.pid, entry.process)}{user}, {role} {_ports(entry.ports)}"
            )
            if entry.cmdline:
                lines.append(f"    command  {command_text(entry.cmdline)}")
            continue
        lines.append(f"not touching {_who(entry.pid, entry.process)}: {entry.reason}")
        if entry.advice:
            lines.append(f"    {entry.advice}")
        if entry.override == "--force":
            lines.append("    (--force kills it anyway)")
    return lines


def _ports(ports: Sequence[int]) -> str:
    return ("port " if len(ports) == 1 else "ports ") + ", ".join(map(str, ports))


def outcome_line(o: KillOutcome, ports: Sequence[int]) -> str:
    who = _who(o.target.pid, o.target.process)
    if o.status is Status.DENIED:
        return f"{who}: permission denied; run: {act.elevated(ports, platform_key())}"
    if o.status is Status.STILL_RUNNING:
        hint = "" if "SIGKILL" in o.detail else "; add --force to SIGKILL it"
        return f"{who}: {o.detail}{hint}"
    return f"{who}: {o.detail}"


def after_lines(ports: Sequence[int], left: Sequence[Socket]) -> list[str]:
    lines = []
    for port in ports:
        holders = {s.pid: s.process for s in left if s.local_port == port}
        if holders:
            names = ", ".join(_who(pid, name) for pid, name in holders.items())
            lines.append(f"Port {port} is still held by {names}.")
        else:
            lines.append(f"Port {port} is free now.")
    return lines


def say(lines: Sequence[str]) -> None:
    sys.stderr.write("".join(line + "\n" for line in lines if line))
    sys.stderr.flush()
