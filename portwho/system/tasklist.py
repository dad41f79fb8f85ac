"""Windows `tasklist /FO CSV /NH`: pid -> image name, for netstat rows that only carry a pid.

The CSV columns are fixed (image, pid, session name, session number, memory) but the memory is
a localized number ("12,345 K", "12.345 K", "12 345 Ko"), so it is read digit by digit.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portwho.errors import BackendFailed, BackendUnavailable, ParseError

if TYPE_CHECKING:
    from portwho._run import Runner

ARGV = ("tasklist", "/FO", "CSV", "/NH")
TIMEOUT = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    image: str
    pid: int
    session: str | None = None
    memory_kib: int | None = None


def parse(text: str) -> list[Task]:
    """One Task per CSV row; ParseError for anything that is not tasklist's CSV."""
    try:
        rows = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    except csv.Error as exc:  # a NUL byte, say
        raise ParseError(f"not tasklist CSV: {exc}") from None
    tasks = [_task(row) for row in rows if row]
    if not tasks:
        raise ParseError("tasklist printed no processes")
    return tasks


def names(text: str) -> dict[int, str]:
    return {task.pid: task.image for task in parse(text)}


def _task(row: list[str]) -> Task:
    if len(row) < 2 or not (row[1].isascii() and row[1].isdecimal()):
        raise ParseError(f"not a tasklist CSV row: {row!r}")
    return Task(
        image=row[0],
        pid=int(row[1]),
        session=row[2] if len(row) > 2 else None,
        memory_kib=_memory(row[4]) if len(row) > 4 else None,
    )


def _memory(text: str) -> int | None:
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdecimal())
    return int(digits) if digits else None


def names_or_reason(runner: Runner) -> tuple[dict[int, str], str]:
    """Names when tasklist works; otherwise no names and why (the pids are still worth having)."""
    try:
        done = runner(ARGV, TIMEOUT)
        if done.returncode != 0:
            return {}, f"tasklist exited with status {done.returncode}"
        return names(done.stdout), ""
    except (BackendUnavailable, BackendFailed) as exc:
        return {}, f"no process names: {exc}"
