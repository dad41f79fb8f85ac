"""The only place portwho starts processes.

Argv lists only (never a shell), a timeout on every call, LC_ALL=C so that tools print the
format the parsers know, and typed failures the backend chain understands.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from portwho.errors import BackendFailed, ToolMissing, ToolTimeout

DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


#: A runner takes an argv and a timeout and returns what the process printed. Backends take one
#: as a parameter so tests can hand them recorded output instead of patching subprocess.
Runner = Callable[[Sequence[str], float], Completed]


def run(argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> Completed:
    """Run argv (resolved on PATH) and return its output; never raises for a non-zero exit."""
    exe = shutil.which(argv[0])
    if exe is None:
        raise ToolMissing(f"{argv[0]} is not installed (not found on PATH)")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        proc = subprocess.run(  # argv list, never a shell
            [exe, *argv[1:]],
            capture_output=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolTimeout(f"{argv[0]} did not answer within {timeout:g} s") from exc
    except OSError as exc:
        raise BackendFailed(f"{argv[0]} could not be started: {exc}") from exc
    return Completed(
        argv=tuple(argv),
        returncode=proc.returncode,
        stdout=decode(proc.stdout),
        stderr=decode(proc.stderr),
    )


def run_group(argv: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> Completed:
    """Like run(), for a tool that starts children of its own (ssh: ProxyCommand, ProxyJump):
    it runs in a new session, and at the deadline the whole process group is killed and the
    child reaped, so nothing is left behind. The environment is passed as given (ssh must keep
    the user's SSH_AUTH_SOCK and locale)."""
    exe = shutil.which(argv[0])
    if exe is None:
        raise ToolMissing(f"{argv[0]} is not installed (not found on PATH)")
    if _STOPPING:
        raise BackendFailed(f"{argv[0]} not started: portwho is stopping")
    posix = os.name != "nt"
    try:
        proc = subprocess.Popen(  # argv list, never a shell
            [exe, *argv[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=posix,
            creationflags=0 if posix else getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
    except OSError as exc:
        raise BackendFailed(f"{argv[0]} could not be started: {exc}") from exc
    _GROUPS.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ToolTimeout(f"{argv[0]} did not answer within {timeout:g} s") from None
    finally:
        _GROUPS.discard(proc)
        if proc.poll() is None:  # KeyboardInterrupt, or any other way out of communicate
            _kill_group(proc)
    return Completed(tuple(argv), proc.returncode, decode(out), decode(err))


#: run_group's children still running (threads run several at once: --host)
_GROUPS: set[subprocess.Popen[bytes]] = set()
#: set by stop_groups: no thread starts another child after that
_STOPPING: list[bool] = []


def stop_groups() -> None:
    """Kill every run_group child still running and its group, now (Ctrl-C while threads wait
    on them: the children are in sessions of their own, so the terminal's SIGINT missed them).
    The waiting threads then return at once."""
    _STOPPING.append(True)
    for proc in list(_GROUPS):
        with contextlib.suppress(OSError):
            if os.name != "nt":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the child's process group (the child alone on Windows), then reap it. A child
    that left the group and kept our pipes open must not hold us: the pipes are closed."""
    with contextlib.suppress(OSError):
        if os.name != "nt":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    proc.wait()


def decode(data: bytes) -> str:
    """UTF-8 when it is (PowerShell is told to print it); else, on Windows, the console's OEM
    code page that netstat, tasklist and netsh print in (cp437, cp850, cp866, cp936, ...)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "oem" if sys.platform == "win32" else "utf-8"
        return data.decode(encoding, "replace")


def spawn_detached(argv: Sequence[str]) -> None:
    """Start argv in the background, detached from our terminal and session, and do not wait
    (the prompt widget's cache refresh). A failure to start is ignored: nothing waits on it."""
    # Windows-only constants, read by name so the module type-checks everywhere
    flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(
        subprocess, "CREATE_NO_WINDOW", 0
    )
    with contextlib.suppress(OSError):
        subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=os.name != "nt",
            creationflags=flags if os.name == "nt" else 0,
        )


def check_ok(text: str, returncode: int, tool: str, ok_codes: tuple[int, ...] = (0,)) -> str:
    """Return `text` when the exit code is expected, else raise BackendFailed with the reason."""
    if returncode not in ok_codes:
        raise BackendFailed(f"{tool} exited with status {returncode}")
    return text
