"""Views of a lookup on several hosts: one text block per host under a headline naming it, one
JSON document ({"schema", "exit_code", "hosts": [...]}) or one JSON object a line."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from portwho.model import FULL_VIEW_MAX
from portwho.views import jsondoc, table
from portwho.views import output as printer
from portwho.views import text as render

if TYPE_CHECKING:
    from portwho.commands.hosts import HostResult

_SYSTEM_NAMES = {"linux": "Linux", "darwin": "macOS", "win32": "Windows"}


def headline(each: HostResult) -> render.Line:
    took = f"{each.seconds:.2f} s"
    if each.result is None:
        return [
            (each.host.name, "bold"),
            (f": no answer ({took}): ", "bold red"),
            (each.error or "", ""),
        ]
    tool = each.result.trail[0].backend if each.result.trail else "?"
    system = _SYSTEM_NAMES.get(each.platform or "", each.platform or "unknown system")
    return [(each.host.name, "bold"), (f"  ({system}, {tool} over ssh, {took})", "dim")]


def block_lines(each: HostResult) -> list[render.Line]:
    result = each.result
    if result is None or result.query.ports is None:
        return [headline(each)]
    busy = render.busy_reports(result) if len(result.ports) > FULL_VIEW_MAX else []
    if len(busy) > FULL_VIEW_MAX:  # a table of their sockets, as a local lookup shows them
        socks = table.shown_sockets(result, busy)
        grid = table.many_table(socks).lines() if socks else []
        body = [[(line, "")] for line in grid]
        body += render.table_tail(result, busy, after_table=bool(socks))
    elif len(result.ports) > FULL_VIEW_MAX:
        body = render.summary_lines(result, busy, each.facts)
    else:
        body = render.lookup_lines(result, each.facts)
    # the facts speak of "this machine"; here they are the host's (its range, read there)
    whose = f"{each.host.name}'s"
    return [
        headline(each),
        *[[(t.replace("this machine's", whose), s) for t, s in line] for line in body],
    ]


def write_text(each: HostResult, *, first: bool) -> None:
    lines = block_lines(each)
    printer.emit([] if first else [[]])
    printer.emit(lines)
    if each.result is not None and each.result.query.ports is None:
        printer.emit_table(table.list_table(each.result))


def host_doc(each: HostResult) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "host": each.host.name,
        "target": each.host.target,
        "platform": each.platform,
        "exit_code": int(each.code),
        "error": each.error,
        "seconds": round(each.seconds, 3),
    }
    if each.result is None:
        return doc | {"ports": [], "sockets": [], "trail": []}
    whole = jsondoc.result_doc(each.result, each.facts, int(each.code))
    return doc | {k: whole[k] for k in ("ports", "sockets", "trail")}


def write_json(done: list[HostResult], exit_code: int, out: IO[str]) -> None:
    doc = {"schema": jsondoc.SCHEMA, "exit_code": exit_code, "hosts": [host_doc(h) for h in done]}
    out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def write_pids(each: HostResult, out: IO[str], err: IO[str]) -> None:
    """`--host … -q`: "HOST PID" for each owner pid of the host, sorted; a host that could
    not be asked says why on `err`."""
    if each.result is None:
        err.write(f"portwho: {each.host.name}: {each.error or 'not asked'}\n")
        return
    pids = sorted({s.pid for s in each.result.sockets if s.pid is not None})
    out.write("".join(f"{each.host.name} {pid}\n" for pid in pids))
    out.flush()


def write_json_line(each: HostResult, out: IO[str]) -> None:
    out.write(json.dumps(host_doc(each), ensure_ascii=False) + "\n")
    out.flush()


def write_trail(each: HostResult, out: IO[str]) -> None:
    trail = each.result.trail if each.result is not None else ()
    out.write("".join(f"{each.host.name}: {line}\n" for line in render.trail_lines(trail)))
