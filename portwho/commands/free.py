"""`portwho free [START]`: the next free ports, each proven by a real bind."""

from __future__ import annotations

import sys

from portwho.commands.kill import say
from portwho.commands.wait import one_port
from portwho.errors import ExitCode
from portwho.model import Protocol
from portwho.ports import parse_spec
from portwho.system.host import platform_key


def free(
    start: str | None, *, count: int, span: str | None, udp: bool, as_json: bool = False
) -> ExitCode:
    from portwho import free as act_free

    first = one_port(start) if start is not None else None
    bounds = None
    if span is not None:
        found = parse_spec(span)
        bounds = (min(found), max(found))
    plat = platform_key()
    protocols: tuple[Protocol, ...] = ("udp",) if udp else ("tcp", "udp")
    ports = act_free.find_free(first, count=count, span=bounds, protocols=protocols, platform=plat)
    # exit 1 when fewer were found: "not found" (the FREE code's number, not its meaning)
    code = ExitCode.FREE if len(ports) < count else ExitCode.IN_USE
    low, high = act_free.search_span(first, bounds)
    if as_json:
        from portwho.views.jsonacts import free_json

        doc = free_json(ports=ports, count=count, searched=(low, high), protocols=protocols,
                        exit_code=int(code))  # fmt: skip
        sys.stdout.write(doc + "\n")
        return code
    sys.stdout.write("".join(f"{p}\n" for p in ports))
    if code is ExitCode.FREE:
        say([f"portwho: only {len(ports)} of {count} free port(s) found in {low}-{high}"])
    return code
