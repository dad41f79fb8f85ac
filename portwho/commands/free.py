"""`portwho free [START]`: the next free ports, each proven by a real bind."""

from __future__ import annotations

import sys

from portwho.commands.kill import say
from portwho.commands.wait import one_port
from portwho.errors import ExitCode
from portwho.ports import parse_spec
from portwho.system.host import platform_key


def free(start: str | None, *, count: int, span: str | None, udp: bool) -> ExitCode:
    from portwho import free as act_free

    first = one_port(start) if start is not None else None
    bounds = None
    if span is not None:
        found = parse_spec(span)
        bounds = (min(found), max(found))
    plat = platform_key()
    ports = act_free.find_free(
        first, count=count, span=bounds, protocol="udp" if udp else "tcp", platform=plat
    )
    sys.stdout.write("".join(f"{p}\n" for p in ports))
    if len(ports) < count:
        low, high = act_free.search_span(first, bounds)
        say([f"portwho: only {len(ports)} of {count} free port(s) found in {low}-{high}"])
        return ExitCode.FREE  # exit 1: "not found" (the FREE code's number, not its meaning)
    return ExitCode.IN_USE
