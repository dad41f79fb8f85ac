"""The context lines under an owner in the text view: container, unit, tunnels, project,
parents."""

from __future__ import annotations

from portwho.model import Verdict

TYPE_CHECKING = False  # not typing's: `portwho PORT` imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from portwho.context.record import Context
    from portwho.model import LookupResult, PortReport, Socket

Segment = tuple[str, str]
Line = list[Segment]
#: ancestors shown; the JSON carries them all
PARENTS_SHOWN = 4


def _stop(ctx: Context) -> Segment:
    return (f" — stop: {ctx.stop}", "bold") if ctx.stop else ("", "")


def context_lines(ctx: Context | None) -> list[Line]:
    if ctx is None:
        return []
    lines: list[Line] = []
    if ctx.container is not None:
        words = ctx.container.words()
        lines.append([("    in       ", "dim"), (words, "magenta"), _stop(ctx)])
    if ctx.unit is not None:
        stop = _stop(ctx) if ctx.container is None else ("", "")
        lines.append([("    unit     ", "dim"), (ctx.unit.words(), "magenta"), stop])
    for tunnel in ctx.tunnels:
        port = f"port {tunnel.port}: " if len(ctx.tunnels) > 1 else ""
        lines.append([("    tunnel   ", "dim"), (port + tunnel.words(), "magenta")])
    if ctx.project is not None:
        p = ctx.project
        branch = f", branch {p.branch}" if p.branch else ", detached"
        lines.append([("    project  ", "dim"), (f"{p.root} ({p.vcs}{branch})", "")])
    if ctx.parents:
        shown = [f"{p.process or '?'} ({p.pid})" for p in ctx.parents[:PARENTS_SHOWN]]
        more = " < …" if len(ctx.parents) > PARENTS_SHOWN else ""
        lines.append([("    parents  ", "dim"), (" < ".join(shown) + more, "dim")])
    return lines


def _who(sock: Socket, ctx: Context | None, ns: str) -> str:
    found = ctx.container if ctx is not None else None
    name = (found.name or (found.id or "")[:12]) if found is not None else ""
    where = f"container {name}" if name else f"network namespace {ns}"
    owner = f"{sock.process or '?'} (pid {sock.pid})" if sock.pid is not None else "a hidden owner"
    role = "listens on" if sock.listening else "uses"
    return f"inside {where}, {owner} {role} {sock.local_port}"


def free_here(
    port: int, inside: Sequence[Socket], contexts: Mapping[int, Any], netns: Mapping[int, str]
) -> Line:
    """The headline of a port free on this host but held in another network namespace."""
    first = inside[0]
    ctx = contexts.get(first.pid) if first.pid is not None else None
    more = f" (and {len(inside) - 1} more socket(s))" if len(inside) > 1 else ""
    return [
        (f"Port {port}", "bold"),
        (" is free on this host", "bold green"),
        (f"; {_who(first, ctx, netns.get(first.inode or -1, '?'))}{more}", ""),
    ]


def inside_heading(ns: str) -> Line:
    return [(f"  in network namespace {ns}", "dim")]


def context_headline(
    head: list[Line],
    report: PortReport,
    socks: Sequence[Socket],
    inside: Sequence[Socket],
    result: LookupResult,
) -> list[Line]:
    """The lookup headline, told by the context when it knows better: free on this host but
    held in a container, or held for one named container."""
    if report.verdict is Verdict.FREE and inside:
        return [free_here(report.port, inside, result.contexts, result.netns), *head[1:]]
    if report.verdict is Verdict.IN_USE:
        better = held_by_container(report.port, socks, result.contexts)
        return [better, *head[1:]] if better else head
    return head


def owner_groups(
    socks: Sequence[Socket], inside: Sequence[Socket], netns: Mapping[int, str]
) -> list[tuple[int | None, list[Socket], list[Line]]]:
    """(pid, its sockets, heading lines) for this host's owners (the ownerless last), then
    those elsewhere, each under the namespace it is in."""
    out: list[tuple[int | None, list[Socket], list[Line]]] = []
    for elsewhere, found in ((False, socks), (True, inside)):
        groups: dict[int | None, list[Socket]] = {}
        for sock in found:
            groups.setdefault(sock.pid, []).append(sock)
        if None in groups:
            groups[None] = groups.pop(None)
        for pid, group in groups.items():
            ns = netns.get(group[0].inode or -1, "?")
            out.append((pid, group, [inside_heading(ns)] if elsewhere else []))
    return out


def held_by_container(
    port: int, socks: Sequence[Socket], contexts: Mapping[int, Any]
) -> Line | None:
    """`Port 18080 is in use by docker container web1 (via 2 docker-proxy processes)` when
    every owner works for one named container; None otherwise."""
    pids = {s.pid for s in socks if s.pid is not None}
    found = {getattr(contexts.get(pid), "container", None) for pid in pids}
    if len(found) != 1 or None in found:
        return None
    (container,) = found
    if container is None or not container.name:
        return None
    names = sorted({s.process or "?" for s in socks if s.pid is not None})
    via = (
        f"{len(pids)} {'/'.join(names)} processes"
        if len(pids) > 1
        else f"{names[0]} (pid {min(pids)})"
    )
    return [
        (f"Port {port}", "bold"),
        (" is in use", "bold yellow"),
        (f" by {container.engine} container {container.name}", "magenta"),
        (f" (via {via})", ""),
    ]
