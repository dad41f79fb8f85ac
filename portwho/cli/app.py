"""The command line: arguments in, core out, render, exit code. No parsing of tool output,
no merging, no formatting here.

`portwho 3000` runs the default command (`lookup`); `portwho explain 3000` a verb. Dispatch is a
TyperGroup that routes any first word that is not a verb to `lookup`, so a port or service name
is never mistaken for a verb and `portwho --help` lists the default and the verbs together.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any, Literal

import typer
from typer.core import TyperGroup

from portwho import __version__, spec
from portwho.cli.common import arg, errors, opt
from portwho.cli.usage import (
    usage_error,
    usage_text,
)
from portwho.errors import ExitCode, PortwhoError, StdoutClosed, UsageError
from portwho.model import Owners
from portwho.ports import parse_spec

GROUP_OPTIONS = {"--help", "-h", "--version", "-V"}


class DefaultGroup(TyperGroup):
    """A group whose first argument, when it is not a verb, belongs to `lookup`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in GROUP_OPTIONS):
            args = ["lookup", *args]
        for word in args:
            # Click would call "-1" an unknown option; the port parser says what is wrong.
            if word.startswith("-") and word[1:].isdecimal() and word not in ("-4", "-6"):
                parse_spec(word)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise StdoutClosed from None  # Click would exit 1 ("free") on EPIPE


app = typer.Typer(
    cls=DefaultGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Who is holding this port, and what is this port anyway?\n\n"
    "portwho [PORT|RANGE|SERVICE]... runs `lookup` (the default); with no port it lists every "
    "listening socket with its owner.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"portwho {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Who is holding this port, and what is this port anyway?"""


def lookup_cmd(
    ports: Annotated[list[str] | None, arg("lookup", "ports")] = None,
    tcp: Annotated[bool, opt("lookup", "tcp")] = False,
    udp: Annotated[bool, opt("lookup", "udp")] = False,
    ipv4: Annotated[bool, opt("lookup", "ipv4")] = False,
    ipv6: Annotated[bool, opt("lookup", "ipv6")] = False,
    listening: Annotated[bool, opt("lookup", "listening")] = False,
    as_json: Annotated[bool, opt("lookup", "as_json")] = False,
    pids: Annotated[bool, opt("lookup", "pids")] = False,
    debug: Annotated[bool, opt("lookup", "debug")] = False,
    backend: Annotated[str | None, opt("lookup", "backend")] = None,
    from_file: Annotated[str | None, opt("lookup", "from_file")] = None,
    fmt: Annotated[str | None, opt("lookup", "fmt")] = None,
    host: Annotated[list[str] | None, opt("lookup", "host")] = None,
    hosts_file: Annotated[list[str] | None, opt("lookup", "hosts_file")] = None,
    parallel: Annotated[int, opt("lookup", "parallel")] = 8,
    timeout: Annotated[float, opt("lookup", "timeout")] = 10.0,
    json_lines: Annotated[bool, opt("lookup", "json_lines")] = False,
    pid: Annotated[list[int] | None, opt("lookup", "pid")] = None,
    process: Annotated[list[str] | None, opt("lookup", "process")] = None,
    user: Annotated[list[str] | None, opt("lookup", "user")] = None,
    sort: Annotated[str, opt("lookup", "sort")] = "port",
    color: Annotated[str, opt("lookup", "color")] = "auto",
) -> None:
    """Who holds PORT, and what the port is (the default command)."""
    from portwho.commands import lookup as commands

    if host or hosts_file:
        with errors(as_json or json_lines):
            code = _remote(
                ports or [],
                (tcp, udp, ipv4, ipv6, listening),
                (host or [], hosts_file or []),
                (parallel, timeout),
                "json-lines" if json_lines else "json" if as_json else "pids" if pids else "text",
                refused={"--from": from_file is not None},
                owners=commands.owner_filters(pid or [], process or [], user or []),
                debug=debug,
                sort=sort,
            )
        raise typer.Exit(int(code))
    with errors(as_json):
        if json_lines:
            raise UsageError("--json-lines goes with --host or --hosts; for one machine use --json")
        query = commands.build_query(
            ports or [],
            tcp=tcp,
            udp=udp,
            ipv4=ipv4,
            ipv6=ipv6,
            listening=listening,
            saved=from_file is not None,
            owners=commands.owner_filters(pid or [], process or [], user or []),
        )
        code = commands.run_lookup(
            query,
            backend=backend,
            source=from_file,
            fmt=fmt,
            output="json" if as_json else "pids" if pids else "text",
            debug=debug,
            sort=sort,
            color=color,
            timeout=timeout,
        )
    raise typer.Exit(int(code))


def _remote(
    specs: list[str],
    filters: tuple[bool, bool, bool, bool, bool],
    sources: tuple[list[str], list[str]],
    limits: tuple[int, float],
    output: Literal["text", "json", "json-lines", "pids"],
    *,
    refused: dict[str, bool],
    owners: Owners,
    debug: bool,
    sort: str,
) -> ExitCode:
    from portwho.commands import hosts as remote
    from portwho.commands.lookup import build_query
    from portwho.remote.hosts import gather

    for flag, given in refused.items():
        if given:
            raise UsageError(f"{flag} cannot be combined with --host/--hosts")
    tcp, udp, ipv4, ipv6, listening = filters
    query = build_query(
        specs, tcp=tcp, udp=udp, ipv4=ipv4, ipv6=ipv6, listening=listening, owners=owners
    )
    remote.check_settings(*limits)
    chosen = gather(*sources)
    parallel, timeout = limits
    return remote.run_hosts(
        query, chosen, parallel=parallel, timeout=timeout, output=output, debug=debug, sort=sort
    )


def explain_cmd(
    ports: Annotated[list[str], arg("explain", "ports")],
    as_json: Annotated[bool, opt("explain", "as_json")] = False,
    color: Annotated[str, opt("explain", "color")] = "auto",
) -> None:
    """The full account of what a port is: every IANA registration, the OS range, the notes,
    and the native commands that answer the same question on this OS."""
    from portwho.commands import explain as commands

    with errors(as_json):
        commands.explain(ports, as_json=as_json, color=color)


def help_cmd(verb: Annotated[str | None, arg("help", "verb")] = None) -> None:
    """Show the help of portwho, or of one command."""
    with errors(False):
        typer.echo(help_for(["help", *([verb] if verb else [])]) or "", nl=False)


def help_for(args: list[str]) -> str | None:
    """The help text `args` ask for (`help [VERB]`, `[VERB] --help`), or None."""
    from portwho.cli import helptext

    if args[:1] == ["help"]:
        if len(args) > 1 and args[1] not in spec.BY_NAME:
            known = ", ".join(v.name for v in spec.VERBS)
            raise UsageError(f"no command {args[1]!r}; the commands are: {known}")
        return helptext.help_text(args[1] if len(args) > 1 else None)
    words = args[: args.index("--")] if "--" in args else args
    if "--help" not in words and "-h" not in words:
        return None
    verb = args[0] if args and args[0] in spec.BY_NAME else None
    return helptext.help_text(verb)


def why_cmd(
    text: Annotated[str, arg("why", "text")],
    as_json: Annotated[bool, opt("why", "as_json")] = False,
    debug: Annotated[bool, opt("why", "debug")] = False,
) -> None:
    from portwho.commands import why

    with errors(as_json):
        code = why.why(text, output="json" if as_json else "text", debug=debug)
    raise typer.Exit(int(code))


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one funnel where expected errors become a line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        page = help_for(args)
        if page is not None:
            sys.stdout.write(page)
            sys.exit(0)
        code = app(args=args, prog_name="portwho", standalone_mode=False)
    except PortwhoError as exc:  # raised outside a command (e.g. while parsing)
        code = usage_error(str(exc), exc.code, int(exc.exit_code), args)
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # the CLI's one error funnel: Click usage errors, else re-raise
        text = usage_text(exc)
        if text is None:
            raise
        code = usage_error(f"{text} (see portwho --help)", "usage", int(ExitCode.USAGE), args)
    sys.exit(code if isinstance(code, int) else 0)


def _register() -> None:
    """Every verb, in the order `--help` lists them (no module registers itself on import)."""
    from portwho.cli import act, shell

    commands: list[tuple[str, Callable[..., None]]] = [
        ("lookup", lookup_cmd),
        ("explain", explain_cmd),
        ("why", why_cmd),
        ("kill", act.kill_cmd),
        ("wait", act.wait_cmd),
        ("watch", act.watch_cmd),
        ("free", act.free_cmd),
        ("init", shell.init_cmd),
        ("prompt", shell.prompt_cmd),
        ("help", help_cmd),
    ]
    for name, func in commands:
        entry = spec.verb(name)
        app.command(name, help=entry.doc, short_help=entry.summary)(func)


_register()
