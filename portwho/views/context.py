"""The context lines under an owner in the text view: container, unit, project, parents."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portwho.context.record import Context

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
    if ctx.project is not None:
        p = ctx.project
        branch = f", branch {p.branch}" if p.branch else ", detached"
        lines.append([("    project  ", "dim"), (f"{p.root} ({p.vcs}{branch})", "")])
    if ctx.parents:
        shown = [f"{p.process or '?'} ({p.pid})" for p in ctx.parents[:PARENTS_SHOWN]]
        more = " < …" if len(ctx.parents) > PARENTS_SHOWN else ""
        lines.append([("    parents  ", "dim"), (" < ".join(shown) + more, "dim")])
    return lines
