"""The verbs that act on ports: kill, wait, watch, free. Registered on portwho.cli.app.

Import-light on purpose (every `portwho` start imports this module): the work lives in
portwho.kill.plan*, imported inside each command.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from portwho.cli.common import arg, errors, fail, opt
from portwho.cli.fast import MIN_INTERVAL
from portwho.errors import ExitCode, UsageError


def kill_cmd(
    ports: Annotated[list[str], arg("kill", "ports")],
    sig: Annotated[str, opt("kill", "sig")] = "TERM",
    timeout: Annotated[float, opt("kill", "timeout")] = 5.0,
    force: Annotated[bool, opt("kill", "force")] = False,
    yes: Annotated[bool, opt("kill", "yes")] = False,
    dry_run: Annotated[bool, opt("kill", "dry_run")] = False,
    include_clients: Annotated[bool, opt("kill", "include_clients")] = False,
    as_json: Annotated[bool, opt("kill", "as_json")] = False,
) -> None:
    """Free a port: stop the process listening on it (never mere clients), safely."""
    from portwho.commands import kill as command

    with errors(as_json):
        code = command.kill(
            ports,
            sig=sig,
            timeout=_positive(timeout, "--timeout"),
            force=force,
            yes=yes,
            dry_run=dry_run,
            include_clients=include_clients,
            as_json=as_json,
        )
    raise typer.Exit(int(code))


def wait_cmd(
    port: Annotated[str, arg("wait", "port")],
    free: Annotated[bool, opt("wait", "free")] = False,
    busy: Annotated[bool, opt("wait", "busy")] = False,
    timeout: Annotated[float | None, opt("wait", "timeout")] = None,
    interval: Annotated[float, opt("wait", "interval")] = 0.25,
    as_json: Annotated[bool, opt("wait", "as_json")] = False,
) -> None:
    """Wait until PORT is free (or busy), showing who holds it meanwhile."""
    from portwho.commands import wait as command

    with errors(as_json):
        if free and busy:
            raise UsageError("--free and --busy contradict each other; give one")
        code = command.wait(
            port,
            want_busy=busy,
            timeout=None if timeout is None else _positive(timeout, "--timeout", zero=True),
            interval=_interval(interval),
            as_json=as_json,
        )
    raise typer.Exit(int(code))


def watch_cmd(
    ports: Annotated[list[str] | None, arg("watch", "ports")] = None,
    interval: Annotated[float | None, opt("watch", "interval")] = None,
    count: Annotated[int | None, opt("watch", "count")] = None,
    duration: Annotated[float | None, opt("watch", "duration")] = None,
    as_json: Annotated[bool, opt("watch", "as_json")] = False,
) -> None:
    """A live view of the sockets on PORTS: what appeared, what vanished, who held them."""
    from portwho.commands import watch as command

    with errors(as_json):
        if count is not None and count < 1:
            raise UsageError("--count must be 1 or more")
        tty = sys.stdout.isatty() and not as_json
        code = command.watch(
            ports or [],
            interval=_interval(interval if interval is not None else 0.5 if tty else 0.1),
            count=count,
            duration=None if duration is None else _positive(duration, "--duration"),
            as_json=as_json,
            live=tty,
        )
    raise typer.Exit(int(code))


def free_cmd(
    start: Annotated[str | None, arg("free", "start", show_default=False)] = None,
    count: Annotated[int, opt("free", "count")] = 1,
    span: Annotated[str | None, opt("free", "span")] = None,
    udp: Annotated[bool, opt("free", "udp")] = False,
    as_json: Annotated[bool, opt("free", "as_json")] = False,
) -> None:
    """Print the next free port(s) at or above START, proven by a real bind."""
    from portwho.commands import free as command

    with errors(as_json):
        if count < 1:
            raise UsageError("--count must be 1 or more")
        code = command.free(start, count=count, span=span, udp=udp, as_json=as_json)
    raise typer.Exit(int(code))


def _positive(value: float, flag: str, *, zero: bool = False) -> float:
    if value < 0 or (value == 0 and not zero):
        fail(f"{flag} must be a positive number of seconds", ExitCode.USAGE)
    return value


def _interval(value: float) -> float:
    if value < MIN_INTERVAL:
        fail(f"--interval must be at least {MIN_INTERVAL} s", ExitCode.USAGE)
    return value
