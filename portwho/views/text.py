"""Text and table views of a LookupResult (JSON: portwho.views.jsondoc). The only module that
imports rich.

Every view is built as lines of (text, style) segments; plain output joins the text, a terminal
gets the same lines styled by rich. So piped output and terminal output never drift apart.
"""

from __future__ import annotations

from portwho.model import Verdict
from portwho.views.context import context_headline, context_lines, owner_groups
from portwho.views.words import (
    command_text,
    endpoint,
    hint,
    proto_label,
    range_words,
    role,
    started_at,
    uptime,
)

TYPE_CHECKING = False  # not typing's: `portwho PORT` imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from portwho.context.record import Context
    from portwho.facts import PortFacts
    from portwho.model import Attempt, LookupResult, PortReport, Socket, Spec

Segment = tuple[str, str]  # (text, rich style; "" for none)
Line = list[Segment]


# -- small words ------------------------------------------------------------------------------


def facts_lines(f: PortFacts, *, with_range: bool = True) -> list[Line]:
    lines: list[Line] = [[("  " + range_words(f), "dim")]] if with_range else []
    if f.services:
        regs = "; ".join(
            f"{name} {'/'.join(protos)}" + (f" ({desc})" if desc and desc != name else "")
            for (name, desc), protos in _by_name(f.services).items()
        )
        lines.append([("  IANA: ", "dim"), (regs, "")])
    else:
        lines.append([("  IANA: no service registered on this port", "dim")])
    lines.extend([[("  note: ", "yellow"), (note, "")] for note in f.notes])
    return lines


# -- lookup view ------------------------------------------------------------------------------


def owner_lines(pid: int | None, socks: Sequence[Socket], ctx: Context | None = None) -> list[Line]:
    first = socks[0]
    if pid is None and not any(s.needs_owner for s in socks):
        head: Line = [
            ("  (no process: closing connections the kernel keeps for up to 60 s)", "dim")
        ]
    elif pid is None:
        head = [("  (owner not visible)", "bold red")]
    else:
        head = [(f"  {first.process or '?'}", "bold cyan"), (f"  pid {pid}", "")]
        if first.user:
            head.append((f"  user {first.user}", ""))
        up = uptime(first.started)
        if up:
            head.append((f"  started {started_at(first.started)} (up {up})", "dim"))
    lines = [head]
    if first.cmdline:
        lines.append([("    command  ", "dim"), (command_text(first.cmdline), "")])
    if first.cwd:
        lines.append([("    cwd      ", "dim"), (first.cwd, "")])
    lines.extend(context_lines(ctx))
    width = max(len(endpoint(s.local_address, s.local_port)) for s in socks)
    for sock in socks:
        local = endpoint(sock.local_address, sock.local_port).ljust(width)
        style = "green" if sock.listening else ""
        lines.append([(f"    {proto_label(sock)}  {local}  ", ""), (role(sock), style)])
    return lines


def headline(
    report: PortReport,
    f: PortFacts,
    socks: Sequence[Socket],
    platform: str,
    host: str | None = None,
) -> list[Line]:
    port = report.port
    advice = hint(report, platform, host)
    if report.verdict is Verdict.IN_USE:
        owners = {s.pid: s.process or "?" for s in socks if s.pid is not None}
        who = (
            f"{next(iter(owners.values()))} (pid {next(iter(owners))})"
            if len(owners) == 1
            else f"{len(owners)} processes"
        )
        return [[(f"Port {port}", "bold"), (" is in use", "bold yellow"), (f" by {who}", "")]]
    if report.verdict is Verdict.HIDDEN:
        return [
            [(f"Port {port}", "bold"), (" is in use, owner hidden", "bold red")],
            [("  a socket holds it, but its owning process is not visible to portwho", "")],
            [("  " + (advice or ""), "bold")],
        ]
    if report.verdict is Verdict.OTHERS:
        return [
            [(f"Port {port}", "bold"), (" is in use, but not by an owner you asked for", "")],
            [(f"  {advice}", "")],
        ]
    if report.verdict is Verdict.UNKNOWN:
        return unknown_lines(port, advice)
    if report.verdict is Verdict.RESERVED:
        return [
            [(f"Port {port} is reserved by Windows", "bold red"), (" (excluded port range)", "")],
            [("  ", ""), (advice or "", "")],
        ]
    return free_lines(report, f, advice)


def unknown_lines(port: int, advice: str | None) -> list[Line]:
    if advice:
        return [
            [(f"Port {port}: nothing seen, but not every socket was visible", "bold red")],
            [("  " + advice, "bold")],
        ]
    return [[(f"Port {port}: no backend could answer", "bold red"), (" (see --debug)", "")]]


def free_lines(report: PortReport, f: PortFacts, advice: str | None) -> list[Line]:
    lines: list[Line] = [[(f"Port {report.port}", "bold"), (" is free.", "bold green")]]
    if f.in_os_range and f.os_range:
        low, high = f.os_range
        lines.append(
            [
                (
                    f"  It is in the IANA {f.port_class.name} range and in this machine's"
                    f" ephemeral range ({low}-{high}), so the OS may lend it to an outgoing"
                    " connection for a few seconds at any time.",
                    "",
                )
            ]
        )
    if advice:
        lines.append([("  " + advice, "dim")])
    return lines


def lookup_lines(result: LookupResult, facts: dict[int, PortFacts]) -> list[Line]:
    lines: list[Line] = []
    for report in result.ports:
        if lines:
            lines.append([])
        socks = result.for_port(report.port)
        inside = [s for s in result.inside if s.local_port == report.port]
        head = headline(report, facts[report.port], socks, result.platform, result.host)
        free = report.verdict is Verdict.FREE
        lines.extend(context_headline(head, report, socks, inside, result))
        explained = free and bool(facts[report.port].in_os_range)
        lines.extend(facts_lines(facts[report.port], with_range=not explained))
        if free and not socks:
            lines.extend([[("  note: ", "yellow"), (note, "")] for note in result.notes])
        for pid, group, heading in owner_groups(socks, inside, result.netns):
            lines.extend([[], *heading])
            ctx = result.contexts.get(pid) if pid is not None else None
            lines.extend(owner_lines(pid, group, ctx))
    return lines


def busy_reports(result: LookupResult, also: Iterable[int] = ()) -> list[PortReport]:
    """The ports not free, the free ones that have sockets (closing connections), and `also`,
    in one pass over the reports (a range has 65,535)."""
    held = {s.local_port for s in result.sockets}
    held.update(also)
    free = Verdict.FREE
    return [r for r in result.ports if r.port in held or r.verdict is not free]


def summary_lines(
    result: LookupResult,
    shown: Sequence[PortReport],
    facts: dict[int, PortFacts],
    ranges: Sequence[Spec] = (),
) -> list[Line]:
    """Many ports asked, or a range: the busy ones in full, the free ones counted."""
    lines = lookup_lines(result.but(ports=tuple(shown)), facts)
    if lines:
        lines.append([])
    return lines + count_lines(result, shown, ranges)


def count_lines(
    result: LookupResult, shown: Sequence[PortReport], ranges: Sequence[Spec] = ()
) -> list[Line]:
    """One line per range typed (how many of its ports are in use), then the other ports
    asked that are free. Set operations on port numbers, not a step per port: a range is
    65,535 of them."""
    lines: list[Line] = []
    ports = result.query.ports  # what was asked is what the reports are about
    asked = frozenset([r.port for r in result.ports]) if ports is None else ports
    held: list[int] = []  # in port order
    unknown: set[int] = set()  # neither held nor free
    free_verdict, unknown_verdict = Verdict.FREE, Verdict.UNKNOWN
    for r in shown:  # one pass: a range's shown ports may be tens of thousands
        if r.verdict is unknown_verdict:
            unknown.add(r.port)
        elif r.verdict is not free_verdict:
            held.append(r.port)
    for spec in ranges:
        mine = [p for p in held if p in spec.ports]
        summary = range_summary(spec.text, len(spec.ports & asked), mine, len(unknown & spec.ports))
        lines.append([(summary, "bold")])
    rest = asked.difference(*(s.ports for s in ranges))
    free = rest.difference(r.port for r in shown)
    if free:
        other = " other" if ranges else ""
        lines.append([(f"{len(free)} of the {len(rest)}{other} ports asked are free.", "bold")])
    return lines


def table_tail(
    result: LookupResult,
    shown: Sequence[PortReport],
    ranges: Sequence[Spec] = (),
    *,
    after_table: bool = True,
) -> list[Line]:
    """What follows a table of many ports' sockets (a blank line after it; no table when none
    of the ports had a socket to show): what the table cannot say (views.table.advice_lines),
    the counts."""
    from portwho.views.table import advice_lines

    advice: list[Line] = [[(line, "")] for line in advice_lines(result, shown)]
    return ([[]] if after_table else []) + advice + count_lines(result, shown, ranges)


def range_summary(text: str, total: int, held: Sequence[int], unknown: int = 0) -> str:
    """`unknown`: ports that could be neither called free nor found held (said apart)."""
    free = total - len(held) - unknown
    if not held and not unknown:
        return f"{text}: all {total} ports are free."
    busy = ", ".join(map(str, held[:10])) + (", ..." if len(held) > 10 else "")
    used = f"{len(held)} of {total} ports in use" + (f" ({busy})" if held else "")
    return f"{text}: {used}, " + (f"{unknown} unknown, " if unknown else "") + f"{free} free."


def _by_name(services: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], list[str]]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for name, proto, desc in services:
        grouped.setdefault((name, desc), []).append(proto)
    return grouped


def explain_lines(f: PortFacts, native_commands: Sequence[str]) -> list[Line]:
    lines: list[Line] = [[(f"Port {f.port}", "bold")], [("  " + range_words(f), "")]]
    if f.in_os_range:
        lines.append([("  The OS lends ports in its ephemeral range to outgoing connections.", "")])
    lines.append([("  IANA registrations:", "bold")])
    if not f.services:
        lines.append([("    none", "dim")])
    for (name, desc), protos in _by_name(f.services).items():
        label = f"    {name or '(reserved)'} {'/'.join(protos)}"
        lines.append([(label, "cyan"), (f"  {desc}" if desc and desc != name else "", "")])
    if f.notes:
        lines.append([("  Everyday users:", "bold")])
        lines.extend([[("    " + note, "")] for note in f.notes])
    lines.append([("  Ask this OS directly:", "bold")])
    lines.extend([[("    " + cmd, "green")] for cmd in native_commands])
    lines.append([])
    return lines


def reading_lines(result: LookupResult) -> list[str]:
    """What --from could not read exactly, one line each: the skipped rows, then the notes."""
    out = [f"portwho: {a.detail}; the rest was read" for a in result.trail if a.skipped]
    return out + note_lines(result)


def note_lines(result: LookupResult) -> list[str]:
    return [f"portwho: {result.origin}: note: {note}" for note in result.notes]


def trail_lines(trail: Iterable[Attempt]) -> list[str]:
    out = []
    for a in trail:
        if a.outcome.value == "skipped":
            out.append(f"debug: {a.backend:<16} skipped: an earlier backend answered completely")
            continue
        detail = f": {a.detail}" if a.detail else ""
        count = f", {a.count} socket(s)" if a.outcome.value in ("answered", "partial") else ""
        out.append(f"debug: {a.backend:<16} {a.outcome.value}{count} in {a.ms:.1f} ms{detail}")
    return out
