"""How a usage error is worded: Click's messages, a close option suggested (never a far
one), and the JSON error object under --json wherever the flag stands."""

from __future__ import annotations

import typer

from portwho import spec


def usage_text(exc: Exception) -> str | None:
    """The message of a vendored-Click usage error (typer does not re-export its classes)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "ClickException" not in names:
        return None
    option = getattr(exc, "option_name", None)
    if "NoSuchOption" in names and isinstance(option, str):
        return unknown_option(option, getattr(getattr(exc, "ctx", None), "info_name", None))
    message = str(getattr(exc, "format_message", lambda: str(exc))())
    return " ".join(message.split())


def unknown_option(option: str, verb: str | None) -> str:
    """Click suggests any option a few letters away (`--port` -> `--format`); this suggests
    only a close one, and says where a port goes."""
    import difflib

    entry = spec.BY_NAME.get(verb or "", spec.LOOKUP)
    names = [n for o in entry.opts for n in o.names if n.startswith("--")]
    if option.lstrip("-").lower() in ("port", "ports", "p"):
        where = f"portwho {entry.name} 8000" if entry is not spec.LOOKUP else "portwho 8000"
        return f"no such option: {option}; a port is given as is, as in {where}"
    close = [n for n in names if n.startswith(option)] if len(option) > 3 else []
    close = close if len(close) == 1 else difflib.get_close_matches(option, names, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"no such option: {option}{hint}"


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
