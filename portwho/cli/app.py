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
from portwho.errors import ExitCode, PortwhoError, StdoutClosed, UsageError
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
                "json-lines" if json_lines else "json" if as_json else "text",
                refused={"--from": from_file is not None, "--pids": pids},
                debug=debug,
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
        )
        code = commands.run_lookup(
            query,
            backend=backend,
            source=from_file,
            fmt=fmt,
            output="json" if as_json else "pids" if pids else "text",
            debug=debug,
            timeout=timeout,
        )
    raise typer.Exit(int(code))


def _remote(
    specs: list[str],
    filters: tuple[bool, bool, bool, bool, bool],
    sources: tuple[list[str], list[str]],
    limits: tuple[int, float],
    output: Literal["text", "json", "json-lines"],
    *,
    refused: dict[str, bool],
    debug: bool,
) -> ExitCode:
    from portwho.commands import hosts as remote
    from portwho.commands.lookup import build_query
    from portwho.remote.hosts import gather

    for flag, given in refused.items():
        if given:
            raise UsageError(f"{flag} cannot be combined with --host/--hosts")
    tcp, udp, ipv4, ipv6, listening = filters
    query = build_query(specs, tcp=tcp, udp=udp, ipv4=ipv4, ipv6=ipv6, listening=listening)
    remote.check_settings(*limits)
    chosen = gather(*sources)
    parallel, timeout = limits
    return remote.run_hosts(
        query, chosen, parallel=parallel, timeout=timeout, output=output, debug=debug
    )


def explain_cmd(
    ports: Annotated[list[str], arg("explain", "ports")],
    as_json: Annotated[bool, opt("explain", "as_json")] = False,
) -> None:
    """The full account of what a port is: every IANA registration, the OS range, the notes,
    and the native commands that answer the same question on this OS."""
    from portwho.commands import explain as commands

    with errors(as_json):
        commands.explain(ports, as_json=as_json)


def why_cmd(
    text: Annotated[str, arg("why", "text")],
    as_json: Annotated[bool, opt("why", "as_json")] = False,
    debug: Annotated[bool, opt("why", "debug")] = False,
) -> None:
    from portwho.commands import why

    with errors(as_json):
        code = why.why(text, output="json" if as_json else "text", debug=debug)
    raise typer.Exit(int(code))


def _usage_text(exc: Exception) -> str | None:
    """The message of a vendored-Click usage error (typer does not re-export its classes)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "ClickException" not in names:
        return None
    message = str(getattr(exc, "format_message", lambda: str(exc))())
    return " ".join(message.split())


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one funnel where expected errors become a line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = app(args=args, prog_name="portwho", standalone_mode=False)
    except PortwhoError as exc:  # raised outside a command (e.g. while parsing)
        code = usage_error(str(exc), exc.code, int(exc.exit_code), args)
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # the CLI's one error funnel: Click usage errors, else re-raise
        text = _usage_text(exc)
        if text is None:
            raise
        code = usage_error(f"{text} (see portwho --help)", "usage", int(ExitCode.USAGE), args)
    sys.exit(code if isinstance(code, int) else 0)


def wants_json(args: list[str]) -> bool:
    """--json (or --json-lines) anywhere before a `--`: the caller reads JSON, errors too,
    even when the flag stands where the parser had not reached it, or on a verb without it."""
    words = args[: args.index("--")] if "--" in args else args
    return "--json" in words or "--json-lines" in words


def usage_error(message: str, name: str, code: int, args: list[str]) -> int:
    if wants_json(args):
        from portwho.views.jsondoc import error_json

        typer.echo(error_json(name, message, code))
    else:
        typer.echo(f"portwho: {message}", err=True)
    return code


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
    ]
    for name, func in commands:
        entry = spec.verb(name)
        app.command(name, help=entry.doc, short_help=entry.summary)(func)


_register()
