"""`portwho watch [PORT...]`: a live view of sockets appearing and vanishing."""

from __future__ import annotations

import sys

from portwho.errors import ExitCode
from portwho.ports import parse_specs


def watch(
    specs: list[str],
    *,
    interval: float,
    count: int | None,
    duration: float | None,
    as_json: bool,
    live: bool,
) -> ExitCode:
    from portwho import poll as act_poll
    from portwho.views import live as watch_view

    watcher = act_poll.Watcher(parse_specs(specs) if specs else None)
    view = (
        watch_view.LiveView(watcher, specs=specs, interval=interval)
        if live
        else watch_view.EventPrinter(watcher, sys.stdout, as_json)
    )
    try:
        view.run(interval=interval, count=count, duration=duration)
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a watch ends: exit 0, no traceback
    finally:
        view.stop()  # whatever ended it, the terminal gets its settings back
    return ExitCode.IN_USE
