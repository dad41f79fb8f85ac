"""What each command does once its arguments are parsed: build the query, ask core, pick the
view, return the exit code. Imported only when a command runs."""

from __future__ import annotations

import sys

from portwho import backends, core
from portwho.errors import ExitCode, UsageError
from portwho.model import (
    FAMILIES,
    FULL_VIEW_MAX,
    PROTOCOLS,
    Family,
    LookupResult,
    Owners,
    PortReport,
    Protocol,
    Query,
    Socket,
)
from portwho.ports import port_specs
from portwho.system.host import platform_key
from portwho.system.ranges import ephemeral_range

# Each output imports only what it shows: -q no view at all, text no json, neither the IANA
# table unless a port's facts are printed. Not typing's TYPE_CHECKING: no typing at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Literal
    from typing import Protocol as Interface

    from portwho.facts import PortFacts
    from portwho.views import text as render

    Output = Literal["text", "json", "pids"]

    class WhyHook(Interface):
        """What `portwho why` adds to a lookup's output (commands/why.py)."""

        def json(self, result: LookupResult) -> dict[str, Any]: ...
        def lines(self, result: LookupResult) -> list[render.Line]: ...


def build_query(
    specs: list[str],
    *,
    tcp: bool,
    udp: bool,
    ipv4: bool,
    ipv6: bool,
    listening: bool,
    saved: bool = False,
    owners: Owners | None = None,
) -> Query:
    """With no port: every listener of this machine, or every socket of a saved output."""
    chosen_p: list[Protocol] = [p for p, on in zip(PROTOCOLS, (tcp, udp), strict=True) if on]
    chosen_f: list[Family] = [f for f, on in zip(FAMILIES, (ipv4, ipv6), strict=True) if on]
    protocols = frozenset(chosen_p or PROTOCOLS)
    families = frozenset(chosen_f or FAMILIES)
    typed = port_specs(specs) if specs else ()
    if typed and all(s.protocol for s in typed):  # every spec says /tcp or /udp: ask only those
        protocols &= frozenset(s.protocol for s in typed if s.protocol)
        if not protocols:
            raise UsageError("the /tcp or /udp of the ports contradicts --tcp/--udp; give one")
    # one union of the specs' sets, not a step per port: `1-65535` is 65,535 of them
    ports = frozenset().union(*(s.ports for s in typed)) if typed else None
    return Query(
        ports=ports,
        protocols=protocols,
        families=families,
        listening_only=listening or (ports is None and not saved),
        specs=typed,
        owners=owners or Owners(),
    )


def owner_filters(pids: list[int], processes: list[str], users: list[str]) -> Owners:
    """--pid, --process, --user (each may repeat; a process name matches case-blind)."""
    if any(p < 1 for p in pids):
        raise UsageError("--pid takes a process id (1 or more)")
    return Owners(
        pids=frozenset(pids) or None,
        processes=frozenset(p.lower() for p in processes) or None,
        users=frozenset(users) or None,
    )


def read_source(path: str) -> tuple[str, str]:
    """Text and a display name of --from FILE ('-' for stdin)."""
    from pathlib import Path

    if path == "-":
        data = read_bounded(sys.stdin.buffer.read, "--from - (stdin)")
        return data.decode("utf-8", "replace"), "<stdin>"
    try:
        with Path(path).open("rb") as handle:
            data = read_bounded(handle.read, f"--from {path}")
    except OSError as exc:
        raise UsageError(f"cannot read --from {path}: {exc.strerror or exc}") from None
    return data.decode("utf-8", "replace"), path


def read_bounded(read: Callable[[int], bytes], what: str) -> bytes:
    """All of a file or stream, read in chunks, refused past MAX_OUTPUT bytes or at a NUL byte
    (tool output is text: a NUL means a binary file or a device such as /dev/zero)."""
    from portwho._run import CHUNK, MAX_OUTPUT

    chunks: list[bytes] = []
    total = 0
    while chunk := read(CHUNK):
        if b"\0" in chunk:
            raise UsageError(f"{what} holds binary data (a NUL byte), not a tool's text output")
        total += len(chunk)
        if total > MAX_OUTPUT:
            raise UsageError(f"{what} is larger than {MAX_OUTPUT >> 20} MiB; pass a smaller file")
        chunks.append(chunk)
    return b"".join(chunks)


def do_lookup(
    query: Query,
    *,
    backend: str | None,
    source: str | None,
    fmt: str | None,
    context: bool = False,
    timeout: float = core.LOOKUP_TIMEOUT,
    enrich: bool = True,
) -> LookupResult:
    if source is not None:
        text, origin = read_source(source)
        return core.from_text(query, text, fmt, origin)
    if backend is not None and backend not in backends.MODULES:
        known = ", ".join(sorted(backends.MODULES))
        raise UsageError(f"unknown backend {backend!r}; use one of: {known}")
    if not 0 < timeout < 1e6:  # NaN and inf fail this too
        raise UsageError(f"--timeout must be a number of seconds above 0, not {timeout:g}")
    names = [backend] if backend else None
    return core.lookup(query, backend_names=names, context=context, timeout=timeout, enrich=enrich)


def port_facts(ports: list[int], protocols: frozenset[Protocol]) -> dict[int, PortFacts]:
    from portwho.facts import facts_for

    plat = platform_key()
    os_range = ephemeral_range(plat)
    return {p: facts_for(p, platform=plat, os_range=os_range, protocols=protocols) for p in ports}


#: --sort: the listing's order (ties by port); owners hidden from this user sort last
SORTS: dict[str, Callable[[Socket], tuple[object, ...]]] = {
    "port": lambda s: (s.local_port,),
    "pid": lambda s: (s.pid is None, s.pid or 0, s.local_port),
    "process": lambda s: (s.process is None, (s.process or "").lower(), s.local_port),
    "user": lambda s: (s.user is None, s.user or "", s.local_port),
}


def check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise UsageError(f"unknown --sort {sort!r}; use one of: {', '.join(SORTS)}")


def sorted_result(result: LookupResult, sort: str) -> LookupResult:
    check_sort(sort)
    if sort == "port":
        return result  # core's order already
    return result.but(sockets=tuple(sorted(result.sockets, key=SORTS[sort])))


def run_lookup(
    query: Query,
    *,
    backend: str | None,
    source: str | None,
    fmt: str | None,
    output: Output,
    debug: bool,
    why: WhyHook | None = None,
    sort: str = "port",
    color: str = "auto",
    timeout: float = core.LOOKUP_TIMEOUT,
) -> ExitCode:
    """`why` (portwho why): adds the error's meaning to the same output and exit code."""
    if color != "auto" or output == "text":  # "auto" is the default: -q and JSON need no views
        from portwho.views import output as printer

        printer.use_color(color)
    # the list view's table shows no context; JSON and a port query in full do. A text query
    # of many ports may turn out to be a table: its context is found once that is known.
    few = query.ports is not None and len(query.ports) <= FULL_VIEW_MAX
    wants_context = output == "json" or (output == "text" and few)
    # -q prints pids only: owner details (names, command lines) would be read for nothing,
    # unless --pid/--process/--user need them to choose
    enrich = output != "pids" or query.owners.active
    found = do_lookup(query, backend=backend, source=source, fmt=fmt, context=wants_context,
                      timeout=timeout, enrich=enrich)  # fmt: skip
    shown = shown_reports(found, query) if output == "text" and query.ports is not None else []
    if not few and shown and len(shown) <= FULL_VIEW_MAX and enrich and source is None:
        found = with_context(found, timeout)  # never for --from: its pids are not this machine's
    result = sorted_result(found, sort)
    code = core.exit_code(result)
    if debug or source is not None:
        from portwho.views import text as trail_view

        if debug:
            lines = trail_view.trail_lines(result.trail) + trail_view.note_lines(result)
        else:  # a paste that was not read whole says so, once
            lines = trail_view.reading_lines(result)
        sys.stderr.write("".join(line + "\n" for line in lines))
    if output == "pids":
        pids = sorted({s.pid for s in result.sockets if s.pid is not None})
        sys.stdout.write("".join(f"{pid}\n" for pid in pids))
        return code
    if output == "json":
        from portwho.views import jsondoc as jsonview

        facts = port_facts([r.port for r in result.ports], query.protocols)
        extra = why.json(result) if why else None
        sys.stdout.write(jsonview.result_json(result, facts, int(code), extra) + "\n")
        return code
    from portwho.views import output as printer

    if query.ports is None:
        from portwho.views import table

        printer.emit_table(table.list_table(result))
    else:
        text_view(result, query, why.lines(result) if why else [], shown)
    return code


def with_context(result: LookupResult, timeout: float) -> LookupResult:
    """core.with_context() for a lookup made without it, under a deadline of its own."""
    from portwho.backends.base import Deadline

    return core.with_context(result, result.platform, Deadline(timeout).run)


def shown_reports(result: LookupResult, query: Query) -> list[PortReport]:
    """The ports a text view shows: every port asked, when few are; otherwise the busy ones
    (and the single ports typed, when few are), the rest being counted."""
    ranges = [s for s in query.specs if len(s.ports) > 1]
    if not ranges and len(result.ports) <= FULL_VIEW_MAX:
        return list(result.ports)
    from portwho.views import text as render

    singles = {p for s in query.specs if len(s.ports) == 1 for p in s.ports}
    return render.busy_reports(result, singles if len(singles) <= FULL_VIEW_MAX else ())


def text_view(
    result: LookupResult,
    query: Query,
    head: list[render.Line],
    shown: list[PortReport] | None = None,
) -> None:
    """Each port in full; but a range's free ports (and, past FULL_VIEW_MAX ports, every free
    port) are counted, not explained one by one, and more than FULL_VIEW_MAX busy ports are
    one table of their sockets. `head`: what `portwho why` says first; `shown`: shown_reports()
    when the caller has it."""
    from portwho.views import output as printer
    from portwho.views import table
    from portwho.views import text as render

    ranges = [s for s in query.specs if len(s.ports) > 1]
    shown = shown_reports(result, query) if shown is None else shown
    if len(shown) > FULL_VIEW_MAX:
        printer.emit(head)
        socks = table.shown_sockets(result, shown)
        if socks:  # ports none could be read for (unknown) have no rows
            printer.emit_table(table.many_table(socks))
        printer.emit(render.table_tail(result, shown, ranges, after_table=bool(socks)))
        return
    facts = port_facts([r.port for r in shown], query.protocols)
    if not ranges and len(result.ports) <= FULL_VIEW_MAX:
        printer.emit(head + render.lookup_lines(result, facts))
        return
    printer.emit(head + render.summary_lines(result, shown, facts, ranges))
