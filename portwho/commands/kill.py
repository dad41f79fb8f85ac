"""`portwho kill`: plan, show, confirm, signal, and say whether the port is free afterwards.
The decisions live in portwho.kill.plan, the side effects in portwho.kill.execute."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from portwho.errors import ExitCode, UsageError
from portwho.kill import execute as act_kill
from portwho.kill import holds
from portwho.kill import plan as act
from portwho.kill.plan import KillOutcome, Refusal, Status, Target
from portwho.model import Socket, Spec
from portwho.ports import port_specs
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
    as_json: bool = False,
) -> ExitCode:
    number = act.parse_signal(sig)
    name = act.signal_name(number)
    typed = port_specs(specs)
    ports = sorted({p for spec in typed for p in spec.ports})
    socks, contexts = act_kill.gather_with_context(ports, include_clients=include_clients)
    socks = narrowed(socks, typed, ports)
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
    held = any(holds(s, ports) for s in socks)
    targets = [e for e in plan if isinstance(e, Target)]
    report = Report(ports=ports, signal=name, plan=plan, as_json=as_json)
    if dry_run or (not targets and not held):
        code = dry_run_code(plan, held) if targets or held else ExitCode.FREE
        report.plan_only(code, dry_run=dry_run)
        return code
    report.progress(plan_lines(plan, ports, name))
    if not targets:
        return report.done([], [], act.kill_exit_code(plan, [], held))
    if not yes and not _confirm(len(targets)):
        return ExitCode.REFUSED
    outcomes = [
        act_kill.kill_one(
            t, sig=number, timeout=timeout, force=force, still_holds=act_kill.still_holds
        )
        for t in targets
    ]
    report.progress([outcome_line(o, ports) for o in outcomes])
    after = narrowed(act_kill.gather(ports, include_clients=False), typed, ports)
    left = [s for s in after if holds(s, ports)]
    return report.done(outcomes, left, act.kill_exit_code(plan, outcomes, bool(left)))


def narrowed(socks: Sequence[Socket], typed: Sequence[Spec], ports: Sequence[int]) -> list[Socket]:
    """The sockets the specs name (`8000/udp`, `127.0.0.1:8000`); clients connected to the
    ports (--include-clients) sit on other local ports and stay."""
    on = set(ports)
    return [s for s in socks if s.local_port not in on or any(t.matches(s) for t in typed)]


def dry_run_code(plan: Sequence[Target | Refusal], held: bool) -> ExitCode:
    """0 when the plan would free the ports; 7 when a refusal would leave them held."""
    if any(isinstance(e, Target) for e in plan) or not held:
        return ExitCode.IN_USE
    return ExitCode.REFUSED


class Report:
    """Where kill's words go: the plan on stdout for --dry-run (it is the answer), on stderr
    as progress otherwise; under --json one document on stdout at the end instead."""

    def __init__(
        self, *, ports: list[int], signal: str, plan: Sequence[Target | Refusal], as_json: bool
    ) -> None:
        self.ports, self.signal, self.plan, self.as_json = ports, signal, plan, as_json

    def progress(self, lines: Sequence[str]) -> None:
        if not self.as_json:
            say(lines)

    def plan_only(self, code: ExitCode, *, dry_run: bool) -> None:
        if self.as_json:
            self._json(None if dry_run else [], None if dry_run else [], code)
            return
        lines = dry_run_lines(self.plan, self.ports, self.signal)
        if dry_run:
            sys.stdout.write("".join(f"{line}\n" for line in lines))
        else:
            say(plan_lines(self.plan, self.ports, self.signal))

    def done(
        self, outcomes: Sequence[KillOutcome], left: Sequence[Socket], code: ExitCode
    ) -> ExitCode:
        if self.as_json:
            self._json(outcomes, left, code)
        elif outcomes:
            say(after_lines(self.ports, left))
        return code

    def _json(
        self, outcomes: Sequence[KillOutcome] | None, left: Sequence[Socket] | None, code: ExitCode
    ) -> None:
        from portwho.views.jsonacts import kill_json

        doc = kill_json(ports=self.ports, signal=self.signal, plan=self.plan,
                        outcomes=outcomes, left=left, exit_code=int(code))  # fmt: skip
        sys.stdout.write(doc + "\n")


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


def dry_run_lines(plan: Sequence[Target | Refusal], ports: Sequence[int], sig: str) -> list[str]:
    """The plan worded as a plan: what a run without --dry-run would do."""
    if not plan:
        return [f"{_ports(ports).capitalize()}: nothing holds it; nothing would be killed."]
    return [_as_planned(line, sig) for line in plan_lines(plan, ports, sig)]


def _as_planned(line: str, sig: str) -> str:
    if line.startswith(f"{sig} -> "):
        return f"would send {sig} to {line.removeprefix(f'{sig} -> ')}"
    if line.startswith("not touching "):
        return "would not touch " + line.removeprefix("not touching ")
    return line


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
