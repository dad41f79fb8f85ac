"""Process details read straight from Linux /proc: what psutil.Process would say, without
importing psutil or pathlib (psutil's import is a third of a whole `portwho PORT` when the
lookup itself is one netlink round trip).

Each field follows psutil's Linux rules, and a live test holds the two to the same answers.
A field this user may not read stays None; a process that is gone gives {}.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from typing import Any

PROC = "/proc"
_COMM_MAX = 15  # the kernel cuts /proc/PID/comm to 15 bytes
_CHUNK = 1 << 16


def _read(pid: int, name: str) -> str | None:
    """The file as open(encoding="utf-8", errors="surrogateescape").read() gives it (newlines
    translated as text mode does, as psutil reads it) at half the cost: the same reads
    without a text-mode file's three objects, and a listing reads four files a process."""
    try:
        fd = os.open(f"{PROC}/{pid}/{name}", os.O_RDONLY)
    except PermissionError:
        return None
    try:
        chunks = [os.read(fd, _CHUNK)]
        # The three files read here (cmdline, stat, status) answer whole in one read
        # when they fit: a short read is their end, with no second read to find it out.
        while len(chunks[-1]) == _CHUNK:
            chunks.append(os.read(fd, _CHUNK))
    finally:
        os.close(fd)
    text = b"".join(chunks).decode("utf-8", "surrogateescape")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def cmdline(data: str) -> tuple[str, ...] | None:
    """NUL-separated; a process that rewrote its title may use spaces (psutil's rule)."""
    if not data:
        return None
    sep = "\x00" if data.endswith("\x00") else " "
    args = data.removesuffix(sep).split(sep)
    if sep == "\x00" and len(args) == 1 and " " in data:
        args = data.removesuffix(sep).split(" ")
    return tuple(args)


def comm_of(stat: str) -> str:
    """/proc/PID/comm, from the stat line that holds it in parentheses (both print it through
    the kernel's one proc_task_name): one file less to read a process."""
    return stat[stat.index("(") + 1 : stat.rindex(")")]


def name(comm: str, args: tuple[str, ...] | None) -> str:
    """comm, or the full executable name when the kernel cut comm short."""
    comm = comm.rstrip("\n")
    if len(comm) >= _COMM_MAX and args:
        exe = args[0].rpartition("/")[2]
        if exe.startswith(comm):
            return exe
    return comm


def _uid(status: str) -> int | None:
    for line in status.splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])  # the real uid, as psutil.username() uses
    return None


_users: dict[int, str] = {}  # uid -> name: a listing describes hundreds of one user's processes


def user(uid: int | None) -> str | None:
    if uid is None:
        return None
    if uid not in _users:
        import pwd

        try:
            _users[uid] = pwd.getpwuid(uid).pw_name
        except KeyError:
            _users[uid] = str(uid)
    return _users[uid]


_boot: list[float] = []  # read once a run: a listing describes hundreds of processes


def _boot_time() -> float:
    if not _boot:
        with open(f"{PROC}/stat", "rb") as fh:
            for line in fh:
                if line.startswith(b"btime"):
                    _boot.append(float(line.split()[1]))
                    break
            else:
                raise OSError("no btime in /proc/stat")
    return _boot[0]


def started(stat: str) -> float:
    """Field 22 of /proc/PID/stat (after the parenthesised comm), in clock ticks since boot."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return _boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def describe(pid: int) -> dict[str, Any]:
    try:
        args = cmdline(_read(pid, "cmdline") or "")
        status, stat = _read(pid, "status"), _read(pid, "stat")
        try:
            cwd: str | None = os.readlink(f"{PROC}/{pid}/cwd")  # noqa: PTH115 - no pathlib here
        except PermissionError:
            cwd = None
    except (FileNotFoundError, ProcessLookupError):
        return {}  # exited mid-lookup
    return {
        "process": name(comm_of(stat), args) if stat is not None else None,
        "user": user(_uid(status)) if status else None,
        "cmdline": args,
        "cwd": cwd,
        "started": started(stat) if stat else None,
    }
