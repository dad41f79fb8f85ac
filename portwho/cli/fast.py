"""A plain lookup (`portwho 3000 --json`) answered before Typer is imported.

Lookups run in scripts, wait loops and prompts, and Typer's import and command building cost
several times what the lookup itself does. The flags answered here are the lookup's flags in
portwho/spec.py; anything else (an option that takes a value, --help, a bad port) returns None and
goes to the full CLI, which gives the same answers (tests hold both paths to the same output)
and owns every usage error.
"""

from __future__ import annotations

from portwho import spec

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

#: every flag of lookup (options that take a value go to the full CLI), and its parameter
FLAGS = {name: o.dest for o in spec.LOOKUP.opts if o.flag for name in o.names}


def lookup(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """`portwho [lookup] [PORT...] [flags]`; None for anything else or any error."""
    args = list(argv[1:] if argv[:1] == ["lookup"] else argv)
    if args and args[0] in spec.BY_NAME:
        return None
    on = {FLAGS[a] for a in args if a in FLAGS}
    specs = [a for a in args if a not in FLAGS]
    if any(not s or s.startswith("-") for s in specs) or "json_lines" in on:
        return None  # --json-lines belongs to --host, which the full CLI answers
    from portwho.commands import lookup as command
    from portwho.errors import PortwhoError

    try:
        query = command.build_query(
            specs,
            tcp="tcp" in on,
            udp="udp" in on,
            ipv4="ipv4" in on,
            ipv6="ipv6" in on,
            listening="listening" in on,
        )
        output: command.Output = "json" if "as_json" in on else "pids" if "pids" in on else "text"
        backend = env.get("PORTWHO_BACKEND") or None
        return int(
            command.run_lookup(
                query, backend=backend, source=None, fmt=None, output=output, debug="debug" in on
            )
        )
    except PortwhoError:
        return None  # the full CLI says it, in the one place errors are worded
