"""Name processes with ps when psutil is denied (macOS, other users' processes).

Two runs, because a column that may hold spaces is only safe as the LAST column:
`ps -o pid=,uid=,args= -p …` (the command line) and `ps -o pid=,comm= -p …` (the executable:
a full path with spaces on macOS, `/Applications/Google Chrome.app/…`). The same -o syntax
works on macOS ps and Linux procps. The uid, not `user`, because procps cuts names longer
than 8 characters (`systemd+`); the name is looked up locally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.errors import BackendFailed, ParseError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho._run import Runner

_TIMEOUT = 5.0
_ROW = re.compile(r"\s*(\d+)\s+(\d+)(?:\s+(.*?))?\s*")
_COMM_ROW = re.compile(r"\s*(\d+)(?:\s+(.*?))?\s*")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcInfo:
    process: str | None = None
    user: str | None = None
    uid: int | None = None
    cmdline: tuple[str, ...] | None = None  # split on spaces: ps does not keep the quoting


def _cmdline(args: str | None) -> tuple[str, ...] | None:
    # macOS ps prints "(name)" when it may not read another user's arguments.
    if not args or (args.startswith("(") and args.endswith(")")):
        return None
    return tuple(args.split())


def _lines(text: str) -> Iterable[str]:
    return (line for line in text.splitlines() if line.strip())


def parse_ps(text: str) -> dict[int, ProcInfo]:
    """Parse `ps -o pid=,uid=,args=`: pid -> uid and command line (process and user unset)."""
    found: dict[int, ProcInfo] = {}
    for line in _lines(text):
        match = _ROW.fullmatch(line)
        if match is None:
            raise ParseError(f"not `ps -o pid=,uid=,args=` output: {line!r}")
        pid, uid, args = match.groups()
        found[int(pid)] = ProcInfo(uid=int(uid), cmdline=_cmdline(args))
    return found


def parse_comm(text: str) -> dict[int, str]:
    """Parse `ps -o pid=,comm=`: pid -> process name (the last path part of comm)."""
    found: dict[int, str] = {}
    for line in _lines(text):
        match = _COMM_ROW.fullmatch(line)
        if match is None:
            raise ParseError(f"not `ps -o pid=,comm=` output: {line!r}")
        pid, comm = match.groups()
        name = (comm or "").rstrip("/").rpartition("/")[2]
        if name:
            found[int(pid)] = name
    return found


def _user_name(uid: int | None) -> str | None:
    if uid is None:
        return None
    try:
        import pwd
    except ImportError:  # Windows: there is no ps to ask anyway
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _ps(runner: Runner, columns: str, pids: list[int]) -> str:
    argv = ["ps", "-o", columns, "-p", ",".join(map(str, pids))]
    done = runner(argv, _TIMEOUT)
    if done.returncode == 1 and not done.stdout.strip():
        return ""  # none of the pids exists any more
    if done.returncode != 0:
        raise BackendFailed(f"ps exited with status {done.returncode}")
    return done.stdout


def describe(pids: Iterable[int], runner: Runner) -> dict[int, ProcInfo]:
    """Process name, user and command line for each live pid (dead ones are left out).

    Raises ToolMissing / ToolTimeout / BackendFailed / ParseError like any backend.
    """
    wanted = sorted({pid for pid in pids if pid > 0})
    if not wanted:
        return {}
    infos = parse_ps(_ps(runner, "pid=,uid=,args=", wanted))
    names = parse_comm(_ps(runner, "pid=,comm=", wanted))
    return {
        pid: ProcInfo(
            process=names.get(pid), user=_user_name(info.uid), uid=info.uid, cmdline=info.cmdline
        )
        for pid, info in infos.items()
    }
