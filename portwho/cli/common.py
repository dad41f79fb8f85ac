"""What every Typer command shares: the output options and the one place an expected failure
becomes a line (or a JSON object) and its exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from portwho.errors import ExitCode, PortwhoError


class Opts:
    """Output options shared by the commands that print a lookup."""

    json = typer.Option("--json", help="One JSON object (schema 1) on stdout.")
    debug = typer.Option("--debug", help="Print each backend tried, its outcome and time.")


@contextmanager
def errors(as_json: bool) -> Iterator[None]:
    """Turn expected failures into one line (or one JSON object) and their exit code."""
    try:
        yield
    except PortwhoError as exc:
        fail(str(exc), exc.exit_code, exc.code, as_json=as_json)


def fail(message: str, code: ExitCode, name: str = "usage", *, as_json: bool = False) -> None:
    if as_json:
        from portwho.views.jsondoc import error_json

        typer.echo(error_json(name, message, int(code)))
    else:
        typer.echo(f"portwho: {message}", err=True)
    raise typer.Exit(int(code))
