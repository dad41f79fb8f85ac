"""`portwho kill`, the side effects: re-check, signal, wait, escalate only when forced.

Just before signalling, `kill_one` re-checks that the pid is still the same process (same start
time) and still holds the port, so pid reuse never kills a stranger. On Linux it pins the
process with a pidfd first, which closes the window between that check and the signal.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from portwho.kill import holds
from portwho.kill.plan import KillOutcome, Status, Target, signal_name
from portwho.model import Socket

# -- the side effects -------------------------------------------------------------------------

#: create_time is boot time + start ticks: two reads of one process agree far closer than this
SAME_START = 0.05


def kill_one(
    target: Target,
    *,
    sig: int,
    timeout: float,
    force: bool,
    still_holds: Callable[[Target], bool],
    before_signal: Callable[[Target], None] | None = None,
) -> KillOutcome:
    """Re-check identity and ownership, signal, wait, and escalate only when forced."""
    import psutil

    if before_signal is not None:
        before_signal(target)  # test seam: lets a test swap the process between plan and signal
    pin = _pidfd(target.pid)
    try:
        proc = psutil.Process(target.pid)
        changed = _changed(proc, target, still_holds)
        if changed:
            return KillOutcome(target=target, status=Status.CHANGED, detail=changed)
        return _signal_and_wait(proc, pin, target, sig=sig, timeout=timeout, force=force)
    except psutil.NoSuchProcess:
        return KillOutcome(
            target=target, status=Status.GONE, detail="exited before it was signalled"
        )
    except (psutil.AccessDenied, PermissionError):
        return KillOutcome(target=target, status=Status.DENIED, detail="permission denied")
    finally:
        if pin is not None:
            os.close(pin)


def _changed(proc: Any, target: Target, still_holds: Callable[[Target], bool]) -> str | None:
    started = proc.create_time()
    if target.started is None or abs(started - target.started) > SAME_START:
        return (
            f"pid {target.pid} is now a different process (started {started:.2f}, "
            f"planned {target.started}); not signalled"
        )
    if not still_holds(target):
        return f"pid {target.pid} no longer holds the port; not signalled"
    return None


def _pidfd(pid: int) -> int | None:
    """A Linux pidfd pins the process: a signal sent through it can never reach a reused pid."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        fd: int = opener(pid)
    except OSError:
        return None  # gone (psutil will say so) or an old kernel: fall back to psutil
    return fd


def _send(proc: Any, pin: int | None, sig: int) -> None:
    if pin is not None:
        signal.pidfd_send_signal(pin, sig)
    elif sys.platform == "win32":
        _windows_stop(proc, hard=sig == int(getattr(signal, "SIGKILL", 9)))
    else:
        proc.send_signal(sig)  # psutil refuses if the pid was reused since Process() was built


def _windows_stop(proc: Any, *, hard: bool) -> None:
    """Windows has no TERM: ask politely (taskkill without /F posts WM_CLOSE), else terminate.
    The outcome is read from whether the process exits, never from taskkill's words."""
    if hard:
        proc.kill()
        return
    from portwho._run import run
    from portwho.errors import BackendFailed, BackendUnavailable

    try:
        run(["taskkill", "/PID", str(proc.pid)], 5.0)
    except (BackendFailed, BackendUnavailable):
        proc.terminate()


def _signal_and_wait(
    proc: Any, pin: int | None, target: Target, *, sig: int, timeout: float, force: bool
) -> KillOutcome:
    _send(proc, pin, sig)
    if wait_exit(proc, timeout):
        return KillOutcome(
            target=target, status=Status.EXITED, detail=f"exited after {signal_name(sig)}"
        )
    if not force:
        return KillOutcome(
            target=target,
            status=Status.STILL_RUNNING,
            detail=f"still running {timeout:g} s after {signal_name(sig)}",
        )
    hard = int(getattr(signal, "SIGKILL", 9))
    _send(proc, pin, hard)
    if wait_exit(proc, max(timeout, 2.0)):
        return KillOutcome(
            target=target, status=Status.KILLED, detail="killed (SIGKILL after timeout)"
        )
    return KillOutcome(target=target, status=Status.STILL_RUNNING, detail="survived SIGKILL")


def wait_exit(proc: Any, timeout: float, step: float = 0.02) -> bool:
    """True once the process is gone or a zombie (its sockets are closed either way)."""
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        try:
            if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


# -- gathering and re-checking ----------------------------------------------------------------


def gather(ports: Sequence[int], *, include_clients: bool) -> list[Socket]:
    """The sockets on the ports, with owners; with --include-clients also the local processes
    connected to them (their local port is an ephemeral one, so a port query misses them)."""
    return gather_with_context(ports, include_clients=include_clients, context=False)[0]


def gather_with_context(
    ports: Sequence[int], *, include_clients: bool, context: bool = True
) -> tuple[list[Socket], Mapping[int, Any]]:
    """gather(), and each holder's portwho.context Context (its container, unit, stop)."""
    from portwho import core
    from portwho.model import Query

    result = core.lookup(Query(ports=frozenset(ports)), context=context)
    socks = list(result.sockets)
    if include_clients:
        every = core.lookup(Query(listening_only=False)).sockets
        socks += [s for s in every if s.remote_port in ports and _is_local(s.remote_address)]
    return socks, result.contexts


def _is_local(address: str | None) -> bool:
    import ipaddress

    import psutil

    if address is None:
        return False
    if ipaddress.ip_address(address).is_loopback:
        return True
    mine = {a.address.split("%")[0] for addrs in psutil.net_if_addrs().values() for a in addrs}
    return address in mine


def still_holds(target: Target) -> bool:
    """Fresh look at the socket table: does the pid still hold (or touch) its ports?"""
    from portwho import core
    from portwho.model import Query

    result = core.lookup(Query(ports=frozenset(target.ports)), enrich=False)
    if not target.listening:
        return True  # a client's sockets sit on other ports; its start time was checked
    return any(s.pid == target.pid and holds(s, target.ports) for s in result.sockets)


def ancestors() -> frozenset[int]:
    """portwho's parent chain (the shell, a terminal, a tmux server): never signalled."""
    import psutil

    try:
        return frozenset(p.pid for p in psutil.Process().parents())
    except psutil.Error:
        return frozenset({os.getppid()})
