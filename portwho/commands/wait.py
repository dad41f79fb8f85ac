"""`portwho wait PORT`: return as soon as the port is free (or busy), saying who holds it."""

from __future__ import annotations

import sys

from portwho.errors import ExitCode, UsageError
from portwho.ports import parse_spec


def one_port(spec: str) -> int:
    found = parse_spec(spec)
    if len(found) != 1:
        raise UsageError(f"{spec!r} names {len(found)} ports; wait takes exactly one")
    return found[0]


def wait(spec: str, *, want_busy: bool, timeout: float | None, interval: float) -> ExitCode:
    from portwho import poll as act_poll
    from portwho.views import live as watch_view

    port = one_port(spec)
    status = watch_view.StatusLine(sys.stderr, want_busy=want_busy)
    met = act_poll.wait_for(
        port, want_busy=want_busy, timeout=timeout, interval=interval, show=status.show
    )
    status.finish(met, timeout)
    return ExitCode.IN_USE if met else ExitCode.TIMEOUT
