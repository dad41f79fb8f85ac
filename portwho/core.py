"""lookup(): run the backend chain, merge what it saw, decide a verdict per port. No printing."""

from __future__ import annotations

import time

from portwho import backends
from portwho.backends.base import Answer, Deadline, merge
from portwho.errors import BackendFailed, BackendUnavailable, ExitCode
from portwho.model import (
    Attempt,
    LookupResult,
    Outcome,
    PortReport,
    Query,
    Reason,
    Socket,
    Verdict,
    by_port,
    new_report,
)
from portwho.model import socket_order as _order
from portwho.model.build import sort_sockets
from portwho.system.host import is_root, platform_key

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence
    from typing import Literal

    from portwho._run import Runner

    #: what the backends that answered could see: no answer, only this user's sockets, or all
    View = Literal["nothing", "own", "all"]
LOOKUP_TIMEOUT = 10.0  # `lookup --timeout`: the chain's one deadline (backends.base.Deadline)


def _attempt(name: str, query: Query, deadline: Deadline) -> tuple[Attempt, Answer | None]:
    """Run one backend: its trail entry, and its answer (None when it could not answer)."""
    start = time.perf_counter()

    def done(outcome: Outcome, detail: str, count: int = 0) -> Attempt:
        ms = (time.perf_counter() - start) * 1000
        return Attempt(backend=name, outcome=outcome, detail=detail, ms=round(ms, 2), count=count)

    if deadline.left() <= 0:
        return done(Outcome.FAILED, deadline.spent()), None
    try:
        answer = backends.load(name).collect(query, deadline.run)
    except BackendUnavailable as exc:
        return done(Outcome.UNAVAILABLE, str(exc)), None
    except BackendFailed as exc:
        return done(Outcome.FAILED, str(exc)), None
    socks = query.select(answer.sockets, answer.exact)
    outcome = Outcome.ANSWERED if answer.complete else Outcome.PARTIAL
    return done(outcome, answer.detail, len(socks)), answer.but(sockets=socks)


def lookup(
    query: Query,
    *,
    backend_names: Sequence[str] | None = None,
    runner: Runner | None = None,
    platform: str | None = None,
    enrich: bool = True,
    context: bool = False,
    timeout: float = LOOKUP_TIMEOUT,
) -> LookupResult:
    """Ask the backends in order until one answers completely and no owner stays hidden.
    `runner` starts the OS tools (default: portwho._run.run); `timeout` bounds the chain in
    seconds, context included. `context`: each owner's container, unit, parents, project."""
    plat = platform_key(platform)
    deadline = Deadline(timeout, runner)
    names = tuple(backend_names) if backend_names else backends.chain(plat)
    trail: list[Attempt] = []
    socks: list[Socket] = []
    view: View = "nothing"
    finished = False
    for name in names:
        if finished:
            trail.append(Attempt(backend=name, outcome=Outcome.SKIPPED))
            continue
        attempt, answer = _attempt(name, query, deadline)
        trail.append(attempt)
        if answer is not None:
            view = "all" if view == "all" or answer.all_sockets else "own"
            # the answer let go: socks alone holds its records, and enrich replaces them in it
            socks, finished, answer = merge(socks, answer.sockets), answer.complete, None
    from portwho import enrich as procinfo

    socks = procinfo.attribute_queued(socks)
    if enrich:
        socks = procinfo.enrich(socks, plat, in_place=True)
    sort_sockets(socks)
    result = finish(query, socks, trail, view=view, platform=plat)
    if context and enrich:
        result = with_context(result, plat, deadline.run)
    if plat == "win32":
        result = reserved_by_windows(result, deadline.run)
    return result


def with_context(result: LookupResult, plat: str, runner: Runner) -> LookupResult:
    """Each owner's context; for a port query on Linux, also the sockets on those ports in
    other network namespaces (root only: otherwise a note says they were not looked into)."""
    inside: list[Socket] = []
    where: dict[int, str] = {}
    notes = list(result.notes)
    if result.query.ports is not None and plat == "linux":
        from portwho.context import netns

        if is_root():
            from portwho import enrich as procinfo

            found_inside, where = netns.inside(result.query)
            inside = sorted(procinfo.enrich(found_inside, plat), key=_order)
        else:
            notes.append(netns.NOT_ROOT)
    owned = [s for s in (*result.sockets, *inside) if s.pid is not None]
    if not owned:
        return result.but(inside=tuple(inside), netns=where, notes=tuple(notes))
    from portwho.context.gather import contexts

    found, asked = contexts(owned, plat, runner)
    return result.but(
        contexts=found,
        inside=tuple(inside),
        netns=where,
        notes=tuple(notes),
        trail=(*result.trail, *asked),
    )


def reserved_by_windows(result: LookupResult, runner: Runner) -> LookupResult:
    """A free port inside a Windows excluded range (Hyper-V, WinNAT) still cannot be bound."""
    if not any(r.verdict is Verdict.FREE for r in result.ports):
        return result
    from portwho.system import netsh, ranges

    spans = ranges.excluded_ranges("win32", runner)

    def mark(r: PortReport) -> PortReport:
        span = netsh.excluded_span(r.port, spans) if r.verdict is Verdict.FREE else None
        if span is None:
            return r
        return PortReport(
            port=r.port, verdict=Verdict.RESERVED, reason=Reason.EXCLUDED_RANGE, detail=span
        )

    return result.but(ports=tuple(mark(r) for r in result.ports))


def from_text(query: Query, text: str, fmt: str | None, origin: str) -> LookupResult:
    """Sockets parsed from saved tool output (--from): never enriched from this machine. Rows
    the parser skipped are counted in the trail; what it read but not exactly is in `notes`."""
    from portwho.backends import formats

    start = time.perf_counter()
    name, parsed = formats.parse(text, fmt)
    socks = sorted((s for s in parsed if query.wants(s)), key=_order)
    ms = round((time.perf_counter() - start) * 1000, 2)
    attempt = Attempt(backend=name, outcome=Outcome.ANSWERED, ms=ms, count=len(socks),
                      detail="; ".join(filter(None, (origin, parsed.summary()))),
                      skipped=parsed.skipped, first_skipped=parsed.first_skipped)  # fmt: skip
    result = finish(query, socks, [attempt], view="all", platform=None, origin=origin, saved=True)
    if parsed.unnamed:  # a row whose port is a name nothing here knows may be on any port
        unread = (parsed.unnamed,)
        result = result.but(ports=tuple(
            new_report(r.port, Verdict.UNKNOWN, Reason.UNKNOWN_NAMES, unread)
            if r.verdict is Verdict.FREE else r for r in result.ports))  # fmt: skip
    return result.but(notes=tuple(parsed.notes))


def from_sockets(
    query: Query, parsed: Iterable[Socket], trail: Sequence[Attempt], *, platform: str | None,
    origin: str,
) -> LookupResult:  # fmt: skip
    """Sockets another machine reported (--host): filtered and ordered as a lookup's, verdicts
    decided with every socket visible, never enriched from this machine."""
    socks = sorted((s for s in parsed if query.wants(s)), key=_order)
    return finish(query, socks, list(trail), view="all", platform=platform, origin=origin)


def finish(
    query: Query,
    socks: list[Socket],
    trail: list[Attempt],
    *,
    view: View,
    platform: str | None,
    origin: str = "live",
    saved: bool = False,
) -> LookupResult:
    """`saved`: from a file (--from), where an owner missing from the text is missing for good."""
    ports = sorted(query.ports) if query.ports is not None else []
    kept = [s for s in socks if query.owners.keep(s)] if query.owners.active else socks
    groups = by_port(kept) if ports else {}  # one walk of the table, whatever the ports
    seen = by_port(socks) if ports and kept is not socks else None  # what filters dropped too
    empty, where = unowned(0, (), view=view, platform=platform, saved=saved), seen or groups
    owned = {s.local_port for s in kept if s.pid is not None} if ports else ()  # in use
    used, found, nobody, why = Verdict.IN_USE, Reason.OWNER_FOUND, empty.verdict, empty.reason
    reports = tuple([  # a list, with the constants in locals: a range is 65,535 ports
        new_report(p, used, found) if p in owned
        else verdict(
            p, groups.get(p, ()), view=view, platform=platform, saved=saved,
            every=None if seen is None else seen.get(p, ()),
        ) if p in where
        else new_report(p, nobody, why)  # nobody on it (most of a range)
        for p in ports
    ])  # fmt: skip
    return LookupResult(
        query=query,
        sockets=tuple(kept),
        ports=reports,
        trail=tuple(trail),
        origin=origin,
        platform=platform or platform_key(),
    )


def verdict(
    port: int,
    socks: Sequence[Socket],
    *,
    view: View,
    platform: str | None,
    saved: bool = False,
    every: Sequence[Socket] | None = None,
) -> PortReport:
    """The verdict on `port` from `socks`, the sockets on it the owner filters kept; `every`,
    when filters dropped some, all the sockets on it that were seen."""
    mine = socks
    for s in mine:  # a loop, not any(): a range decides tens of thousands of these
        if s.pid is not None:
            return PortReport(port=port, verdict=Verdict.IN_USE, reason=Reason.OWNER_FOUND)
    if every is not None and every is not socks:
        mine = every
        others = sorted({s.pid for s in mine if s.pid is not None})
        if others and not any(s.needs_owner for s in mine):
            why = Reason.HELD_BY_OTHERS
            return PortReport(port=port, verdict=Verdict.OTHERS, reason=why, detail=tuple(others))
    return unowned(port, mine, view=view, platform=platform, saved=saved)


def unowned(
    port: int, mine: Sequence[Socket], *, view: View, platform: str | None, saved: bool
) -> PortReport:
    """The port's sockets (if any) have no visible owner: hidden, closing, free or unknown."""
    if any(s.needs_owner for s in mine):
        plat = platform or platform_key()
        root = plat != "win32" and is_root()
        why = Reason.OWNER_OUT_OF_REACH if root else Reason.OWNER_NEEDS_PRIVILEGE
        why = Reason.OWNER_NOT_IN_INPUT if saved else why
        return PortReport(port=port, verdict=Verdict.HIDDEN, reason=why)
    if view == "nothing":
        return PortReport(port=port, verdict=Verdict.UNKNOWN, reason=Reason.NO_BACKEND)
    if mine:
        return PortReport(
            port=port, verdict=Verdict.FREE, reason=Reason.CLOSING_ONLY, detail=(len(mine),)
        )
    if view == "own":
        return PortReport(port=port, verdict=Verdict.UNKNOWN, reason=Reason.ONLY_OWN_SOCKETS)
    return PortReport(port=port, verdict=Verdict.FREE, reason=Reason.NOTHING_BOUND)


_SEVERITY = {
    Verdict.IN_USE: (0, ExitCode.IN_USE),
    Verdict.FREE: (1, ExitCode.FREE),
    Verdict.OTHERS: (1, ExitCode.FREE),  # like grep: nothing matched the owner filters
    Verdict.RESERVED: (2, ExitCode.RESERVED),
    Verdict.HIDDEN: (3, ExitCode.HIDDEN),
    Verdict.UNKNOWN: (4, ExitCode.NO_BACKEND),
}


def exit_code(result: LookupResult) -> ExitCode:
    """One answer per spec as typed; between specs the worst wins: unknown > hidden >
    reserved > free > in use. A range (or a service on several ports) is in use when any of
    its ports is, as `lsof -i :8000-8010` answers."""
    if not result.ports:
        answered = any(a.outcome in (Outcome.ANSWERED, Outcome.PARTIAL) for a in result.trail)
        if not answered:
            return ExitCode.NO_BACKEND
        matched = result.sockets or not result.query.owners.active
        return ExitCode.IN_USE if matched else ExitCode.FREE
    specs = result.query.specs
    if len(specs) == 1:  # its ports are the reports' (a range: 65,535 of them, not walked twice)
        return spec_severity({r.verdict for r in result.ports})[1]
    by_port = {r.port: r.verdict for r in result.ports}
    groups = [{by_port[p] for p in s.ports if p in by_port} for s in specs]
    groups = [g for g in groups if g] or [{v} for v in by_port.values()]
    return max((spec_severity(g) for g in groups), key=lambda s: s[0])[1]


def spec_severity(verdicts: Collection[Verdict]) -> tuple[int, ExitCode]:
    """One spec's answer: in use when any port is (visibly, then hidden), else its worst."""
    for held in (Verdict.IN_USE, Verdict.HIDDEN):
        if held in verdicts:
            return _SEVERITY[held]
    return max((_SEVERITY[v] for v in verdicts), key=lambda s: s[0])
