"""The only place portwho starts processes.

Argv lists only (never a shell), a timeout on every call, LC_ALL=C so that tools print the
format the parsers know, and typed failures the backend chain understands.
"""

from __future__ import annotations

import contextlib
import os
import shutil
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
