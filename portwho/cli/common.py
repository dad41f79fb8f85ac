"""What every Typer command shares: the output options and the one place an expected failure
becomes a line (or a JSON object) and its exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from portwho import spec
from portwho.errors import ExitCode, PortwhoError


def opt(verb: str, dest: str) -> Any:
    """The Typer option for parameter `dest` of `verb`, built from its entry in portwho/spec.py."""
    found = [o for o in spec.verb(verb).opts if o.dest == dest]
    if not found:
        raise LookupError(f"portwho/spec.py declares no option {dest!r} for {verb!r}")
    entry = found[0]
    return typer.Option(*entry.names, help=entry.help, metavar=entry.value, envvar=entry.envvar)


def arg(verb: str, dest: str, **extra: Any) -> Any:
    """The Typer argument for parameter `dest` of `verb`, from portwho/spec.py."""
    found = [a for a in spec.verb(verb).args if a.dest == dest]
    if not found:
        raise LookupError(f"portwho/spec.py declares no argument {dest!r} for {verb!r}")
    entry = found[0]
    metavar = entry.metavar + ("..." if entry.many else "")
    return typer.Argument(help=entry.help, metavar=metavar, **extra)


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
