"""A plain lookup (`portwho 3000 --json`) and `watch` answered before Typer is imported.

Lookups run in scripts, wait loops and prompts, and Typer's import and command building cost
several times what the lookup itself does. The flags answered here are the lookup's flags in
portwho/spec.py; anything else (an option that takes a value, --help, a bad port) returns None and
goes to the full CLI, which gives the same answers (tests hold both paths to the same output)
and owns every usage error. `watch` is here because its first frame is a whole listing, and
Typer's import was a third of it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from portwho.spec import Verb

#: every flag of lookup (options that take a value go to the full CLI), and its parameter:
#: spec.LOOKUP's, written out (tests/cli/test_fastpath_lookup.py holds the two equal) so that
#: `portwho 3000` need not import and build the whole command spec (a tenth of its imports)
FLAGS = {"--tcp": "tcp", "-t": "tcp", "--udp": "udp", "-u": "udp", "-4": "ipv4", "-6": "ipv6",
         "--listening": "listening", "-l": "listening", "--json": "as_json", "--pids": "pids",
         "-q": "pids", "--debug": "debug", "--json-lines": "json_lines"}  # fmt: skip


def lookup(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """`portwho [lookup] [PORT...] [flags]`; None for anything else or any error."""
    args = list(argv[1:] if argv[:1] == ["lookup"] else argv)
    if args and args[0][:1].isalpha():  # a flag, a port or "[::1]:80" never names a command
        from portwho import spec

        if args[0] in spec.BY_NAME:
            return None
    on = {FLAGS[a] for a in args if a in FLAGS}
    specs = [a for a in args if a not in FLAGS]
    if any(not s or s.startswith("-") for s in specs) or "json_lines" in on:
        return None  # --json-lines belongs to --host, which the full CLI answers
    import gc

    # A lookup runs once and exits: the cycle collector's passes over its tens of thousands of
    # records found nothing to free (0 cycles after a listing) and cost a tenth of a lookup.
    gc.disable()
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


def parse(verb: Verb, argv: Sequence[str]) -> dict[str, object] | None:
    """`argv` of `verb` as {dest: value} (flags True, options their text, the positional
    argument a list); None for anything the full CLI must answer: an unknown option, --help,
    an option without its value, a flag given a value, `--`."""
    got: dict[str, object] = {}
    words = iter(argv)
    rest: list[str] = []
    for word in words:
        if not word.startswith("-") or word == "-":
            rest.append(word)
            continue
        name, eq, text = word.partition("=")
        opt = verb.option(name)
        if opt is None or (opt.flag and eq):
            return None
        if opt.flag:
            got[opt.dest] = True
            continue
        value = text if eq else next(words, None)
        if value is None:
            return None
        got[opt.dest] = value
    many = [a for a in verb.args if a.many]
    if not many and rest:
        return None
    if many:
        got[many[0].dest] = rest
    return got


#: below this a poll loop mostly measures itself (cli/act.py says so to the user)
MIN_INTERVAL = 0.02


def watch(argv: Sequence[str]) -> int | None:
    """`portwho watch [PORT...] [--interval S] [--count N] [--duration S] [--json]`; None for
    anything else, or any value the full CLI would refuse (it says why)."""
    from portwho import spec

    got = parse(spec.WATCH, argv)
    if got is None:
        return None
    try:
        interval = float(str(got["interval"])) if "interval" in got else None
        count = int(str(got["count"])) if "count" in got else None
        duration = float(str(got["duration"])) if "duration" in got else None
    except ValueError:
        return None
    if interval is not None and not interval >= MIN_INTERVAL:
        return None
    if (count is not None and count < 1) or (duration is not None and not duration > 0):
        return None
    ports = got.get("ports")
    specs = [str(p) for p in ports] if isinstance(ports, list) else []
    import sys

    from portwho.commands import watch as command
    from portwho.errors import PortwhoError
    from portwho.ports import parse_specs

    try:
        parse_specs(specs) if specs else None
    except PortwhoError:
        return None
    as_json = bool(got.get("as_json"))
    tty = sys.stdout.isatty() and not as_json
    return int(
        command.watch(
            specs,
            interval=interval if interval is not None else 0.5 if tty else 0.1,
            count=count,
            duration=duration,
            as_json=as_json,
            live=tty,
        )
    )
