"""`portwho wait PORT`: return as soon as the port is free (or busy), saying who holds it."""

from __future__ import annotations

import sys

from portwho.errors import ExitCode, UsageError
from portwho.model import Spec
from portwho.ports import one_spec


def one_port(spec: str) -> int:
    return one_spec_port(spec)[1]


def one_spec_port(text: str) -> tuple[Spec, int]:
    """The spec (`8000`, `8000/tcp`, `127.0.0.1:8000`) and the one port it names."""
    spec = one_spec(text)
    if len(spec.ports) != 1:
        raise UsageError(f"{text!r} names {len(spec.ports)} ports; give exactly one")
    return spec, next(iter(spec.ports))


def wait(
    spec: str, *, want_busy: bool, timeout: float | None, interval: float, as_json: bool = False
) -> ExitCode:
    from portwho import poll as act_poll
    from portwho.views import live as watch_view

    typed, port = one_spec_port(spec)
    status = watch_view.StatusLine(sys.stderr, want_busy=want_busy)
    met = act_poll.wait_for(
        port,
        want_busy=want_busy,
        timeout=timeout,
        interval=interval,
        show=status.show,
        spec=typed if typed.narrows else None,
    )
    code = ExitCode.IN_USE if met else ExitCode.TIMEOUT
    if as_json:
        status.finish(met, timeout, quiet=True)
        from portwho.views.jsonacts import wait_json

        state = status.state
        doc = wait_json(port=port, want="busy" if want_busy else "free", met=met,
                        elapsed=status.elapsed, holders=state.holders if state else (),
                        exit_code=int(code))  # fmt: skip
        sys.stdout.write(doc + "\n")
        return code
    status.finish(met, timeout)
    return code
