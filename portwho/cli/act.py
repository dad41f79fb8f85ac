"""The verbs that act on ports: kill, wait, watch, free. Registered on portwho.cli.app.

Import-light on purpose (every `portwho` start imports this module): the work lives in
portwho.kill.plan*, imported inside each command.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from portwho.cli.common import errors, fail
from portwho.errors import ExitCode, UsageError


def kill_cmd(
    ports: Annotated[list[str], typer.Argument(help="Ports, ranges or service names.")],
    sig: Annotated[
        str, typer.Option("--signal", "-s", help="Signal to send first (name or number).")
    ] = "TERM",
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for each process to exit.")
    ] = 5.0,
    force: Annotated[
        bool,
        typer.Option("--force", help="SIGKILL what ignores the signal; also kill forwarders."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask (for scripts).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="Show the plan only.")] = False,
    include_clients: Annotated[
        bool,
        typer.Option("--include-clients", help="Also kill local processes connected to it."),
    ] = False,
) -> None:
    """Free a port: stop the process listening on it (never mere clients), safely."""
    from portwho.commands import kill as command

    with errors(False):
        code = command.kill(
            ports,
            sig=sig,
            timeout=_positive(timeout, "--timeout"),
            force=force,
            yes=yes,
            dry_run=dry_run,
            include_clients=include_clients,
        )
    raise typer.Exit(int(code))


def wait_cmd(
    port: Annotated[str, typer.Argument(help="One port or service name.")],
    free: Annotated[bool, typer.Option("--free", help="Wait until it is free (default).")] = False,
    busy: Annotated[bool, typer.Option("--busy", help="Wait until something listens.")] = False,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Give up after S seconds (exit 6).")
    ] = None,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between polls.")] = 0.25,
) -> None:
    """Wait until PORT is free (or busy), showing who holds it meanwhile."""
    from portwho.commands import wait as command

    with errors(False):
        if free and busy:
            raise UsageError("--free and --busy contradict each other; give one")
        code = command.wait(
            port,
            want_busy=busy,
            timeout=None if timeout is None else _positive(timeout, "--timeout", zero=True),
            interval=_interval(interval),
        )
    raise typer.Exit(int(code))


def watch_cmd(
    ports: Annotated[
        list[str] | None, typer.Argument(help="Ports to watch (default: every listener).")
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option("--interval", help="Seconds between refreshes (0.5 on a terminal, else 0.1)."),
    ] = None,
    count: Annotated[int | None, typer.Option("--count", help="Stop after N refreshes.")] = None,
    duration: Annotated[
        float | None, typer.Option("--duration", help="Stop after S seconds.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per change (piped output).")
    ] = False,
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
    start: Annotated[
        str | None, typer.Argument(help="First port to try (default 8000).", show_default=False)
    ] = None,
    count: Annotated[int, typer.Option("--count", "-c", help="How many ports.")] = 1,
    span: Annotated[
        str | None,
        typer.Option("--range", help="Search only A-B (may lie in the ephemeral range)."),
    ] = None,
    udp: Annotated[bool, typer.Option("--udp", "-u", help="A free UDP port.")] = False,
) -> None:
    """Print the next free port(s) at or above START, proven by a real bind."""
    from portwho.commands import free as command

    with errors(False):
        if count < 1:
            raise UsageError("--count must be 1 or more")
        code = command.free(start, count=count, span=span, udp=udp)
    raise typer.Exit(int(code))


def _positive(value: float, flag: str, *, zero: bool = False) -> float:
    if value < 0 or (value == 0 and not zero):
        fail(f"{flag} must be a positive number of seconds", ExitCode.USAGE)
    return value


#: below this a poll loop mostly measures itself
MIN_INTERVAL = 0.02


def _interval(value: float) -> float:
    if value < MIN_INTERVAL:
        fail(f"--interval must be at least {MIN_INTERVAL} s", ExitCode.USAGE)
    return value
