"""Ask one host: run the probe over ssh within its deadline, split and parse what came back.
Every way a host can fail ends here as a one-line error for that host, never an exception."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.errors import BackendFailed, BackendUnavailable, ParseError, ToolTimeout
from portwho.model import Query
from portwho.remote import parse, probe, ssh
from portwho.remote.hosts import Host

if TYPE_CHECKING:
    from portwho._run import Completed


@dataclass(frozen=True, slots=True, kw_only=True)
class HostAnswer:
    host: Host
    reply: parse.Reply | None = None
    error: str | None = None
    seconds: float = 0.0


def ask(host: Host, query: Query, *, deadline: float, base: list[str]) -> HostAnswer:
    start = time.monotonic()
    try:
        reply = _ask(host, query, deadline, base, start)
    except ToolTimeout:
        error = f"did not answer within {deadline:g} s; ssh was stopped"
        return HostAnswer(host=host, error=error, seconds=time.monotonic() - start)
    except (BackendFailed, BackendUnavailable) as exc:
        return HostAnswer(host=host, error=str(exc), seconds=time.monotonic() - start)
    return HostAnswer(host=host, reply=reply, seconds=time.monotonic() - start)


def _ask(host: Host, query: Query, deadline: float, base: list[str], start: float) -> parse.Reply:
    sent = probe.build(query)
    done = ssh.run(host.target, sent.command, deadline=deadline, base=base)
    if done.returncode == ssh.SSH_FAILED:
        raise BackendFailed(ssh.failure(done))
    if done.returncode < 0:
        raise BackendFailed(f"ssh was killed by signal {-done.returncode}")
    found = probe.sections(done.stdout, sent)
    if not found or parse.platform_of(found.get("os", "")) == "win32":
        # no sh there (cmd.exe or PowerShell as the login shell), or Git Bash: ask PowerShell
        found = {"powershell": _powershell(host, done, deadline - (time.monotonic() - start), base)}
    elif "end" not in found:
        raise BackendFailed("the host's answer stopped short: " + _garbage(done.stderr, ""))
    ms = round((time.monotonic() - start) * 1000, 2)
    try:
        return parse.read(found, ms)
    except ParseError as exc:
        raise BackendFailed(f"cannot read the host's answer: {exc}") from None


def _powershell(host: Host, first: Completed, left: float, base: list[str]) -> str:
    if left <= 0.5:
        raise BackendFailed(_garbage(first.stdout, first.stderr))
    again = ssh.run(host.target, probe.powershell_command(), deadline=left, base=base)
    if again.returncode == ssh.SSH_FAILED:
        raise BackendFailed(ssh.failure(again))
    if again.stdout.lstrip("\ufeff \r\n")[:1] not in ("[", "{"):
        raise BackendFailed(_garbage(first.stdout, first.stderr))
    return again.stdout


def _garbage(stdout: str, stderr: str) -> str:
    line = probe.first_line([stdout, stderr])
    if not line:
        return "the host printed nothing"
    return f"the host printed something portwho cannot read: {line!r}"
