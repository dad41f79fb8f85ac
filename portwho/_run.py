"""The only place portwho starts processes.

Argv lists only (never a shell), a deadline on every call, LC_ALL=C so that tools print the
format the parsers know, and typed failures the backend chain understands.

A tool is started in a process group of its own (a session on POSIX), and on a timeout the
whole group is killed and the tool reaped: a hung `lsof` that forked a helper leaves nothing
behind. What a tool prints is read in chunks and capped at MAX_OUTPUT bytes (the same cap as
`--from`): a tool that prints without end is stopped, not buffered until memory runs out."""

from __future__ import annotations

import os
import sys
import time

from portwho.errors import BackendFailed, ToolMissing, ToolTimeout

# subprocess, shutil, signal, contextlib where a tool starts; this module itself is imported
# only then (backends.base.Deadline): most lookups start no tool (netlink).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Sequence

DEFAULT_TIMEOUT = 5.0
#: the most bytes portwho reads from one tool's output or one --from input (64 MiB): a socket
#: table of 100,000 sockets prints about 15 MB, so this is room to spare and a bound on memory
MAX_OUTPUT = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class Completed:
    """What a tool printed and how it ended. Frozen, compared and shown by field."""

    __slots__ = ("argv", "returncode", "stderr", "stdout")
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def __init__(self, *, argv: tuple[str, ...], returncode: int, stdout: str, stderr: str) -> None:
        for name, value in (("argv", argv), ("returncode", returncode), ("stdout", stdout),
                            ("stderr", stderr)):  # fmt: skip
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of frozen Completed")

    def _fields(self) -> tuple[object, ...]:
        return (self.argv, self.returncode, self.stdout, self.stderr)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Completed:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"Completed(argv={self.argv!r}, returncode={self.returncode!r}, "
                f"stdout={self.stdout!r}, stderr={self.stderr!r})")  # fmt: skip


if TYPE_CHECKING:
    #: A runner takes an argv and a timeout and returns what the process printed. Backends take
    #: one as a parameter so tests can hand them recorded output instead of patching subprocess.
    Runner = Callable[[Sequence[str], float], Completed]
else:
    Runner = object  # at run time only a name others import


class TooMuchOutput(BackendFailed):
    """The tool printed more than MAX_OUTPUT bytes."""


def run(argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT) -> Completed:
    """Run argv (resolved on PATH) and return its output; never raises for a non-zero exit."""
    return _run(argv, timeout, {**os.environ, "LC_ALL": "C", "LANG": "C"})


def run_group(argv: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> Completed:
    """Like run(), for ssh (which starts children of its own: ProxyCommand, ProxyJump): the
    environment is passed as given (ssh must keep the user's SSH_AUTH_SOCK and locale), and the
    child is tracked, so that stop_groups() can end it on Ctrl-C."""
    if _STOPPING:
        raise BackendFailed(f"{argv[0]} not started: portwho is stopping")
    return _run(argv, timeout, env, track=True)


def _run(
    argv: Sequence[str], timeout: float, env: dict[str, str] | None, *, track: bool = False
) -> Completed:
    import shutil
    import subprocess

    exe = shutil.which(argv[0])
    if exe is None:
        raise ToolMissing(f"{argv[0]} is not installed (not found on PATH)")
    try:
        proc = subprocess.Popen(  # argv list, never a shell
            [exe, *argv[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=os.name != "nt",
            creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
    except OSError as exc:
        raise BackendFailed(f"{argv[0]} could not be started: {exc}") from exc
    if track:
        _GROUPS.add(proc)
    try:
        out, err = _collect(proc, time.monotonic() + max(timeout, 0.0))
    except subprocess.TimeoutExpired:
        raise ToolTimeout(f"{argv[0]} did not answer within {timeout:.2g} s") from None
    except TooMuchOutput:
        raise TooMuchOutput(f"{argv[0]} printed more than {MAX_OUTPUT >> 20} MiB") from None
    finally:
        _GROUPS.discard(proc)
        _kill_group(proc)
    return Completed(argv=tuple(argv), returncode=proc.returncode, stdout=out, stderr=err)


#: select() works on pipes (not on Windows): one loop reads both; else a thread reads each
SELECTS = os.name != "nt"


def _collect(proc: subprocess.Popen[bytes], deadline: float) -> tuple[str, str]:
    """Both pipes read to their end (or the cap), then the exit status, all by the deadline."""
    piped = (_read_pipes if SELECTS else _read_pipes_threads)(proc, deadline)
    _exited(proc, deadline)
    return decode(piped[0]), decode(piped[1])


def _read_pipes_threads(
    proc: subprocess.Popen[bytes], deadline: float
) -> tuple[bytearray, bytearray]:
    """_read_pipes with a thread a pipe, each on its own copy of the pipe's fd (the caller's
    close cannot hand its number to another file), stopping at the cap or the deadline; the
    caller then kills the tool, ending the readers. (communicate() read it all, however much.)"""
    import subprocess
    import threading

    assert proc.stdout is not None and proc.stderr is not None
    buffers = (bytearray(), bytearray())
    over = threading.Event()

    def drain(fd: int, into: bytearray) -> None:
        try:
            while chunk := os.read(fd, CHUNK):
                into.extend(chunk)
                if len(buffers[0]) + len(buffers[1]) > MAX_OUTPUT:
                    over.set()
                    return
        except OSError:
            return
        finally:
            os.close(fd)

    pipes = (proc.stdout, proc.stderr)
    readers = [threading.Thread(target=drain, args=(os.dup(p.fileno()), b), daemon=True)
               for p, b in zip(pipes, buffers, strict=True)]  # fmt: skip
    for reader in readers:
        reader.start()
    while any(r.is_alive() for r in readers) and not over.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            raise subprocess.TimeoutExpired(proc.args, 0)
        over.wait(min(left, 0.05))
    if over.is_set():
        raise TooMuchOutput
    return buffers


def _exited(proc: subprocess.Popen[bytes], deadline: float) -> None:
    """Wait for the tool to exit but leave it unreaped (WNOWAIT): while its zombie holds the
    pid, its process group id cannot be reused, so killing that group cannot hit a stranger."""
    import subprocess

    waitid = getattr(os, "waitid", None)  # not on macOS: reap, and skip the group kill
    if waitid is None:
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        return
    flags = os.WEXITED | os.WNOWAIT | os.WNOHANG
    while waitid(os.P_PID, proc.pid, flags) is None:
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(proc.args, 0)
        time.sleep(0.001)


def _read_pipes(proc: subprocess.Popen[bytes], deadline: float) -> tuple[bytearray, bytearray]:
    """Each pipe into one growing buffer: a pipe hands over 64 KiB a read at most, a few KiB
    when the tool writes slowly, and each chunk kept cost whole pages (64 MiB peaked at 235)."""
    import selectors
    import subprocess

    assert proc.stdout is not None and proc.stderr is not None
    buffers = (bytearray(), bytearray())
    total = 0
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ, buffers[0])
        sel.register(proc.stderr, selectors.EVENT_READ, buffers[1])
        while sel.get_map():
            left = deadline - time.monotonic()
            ready = sel.select(left) if left > 0 else []
            if not ready:
                raise subprocess.TimeoutExpired(proc.args, 0)
            for key, _ in ready:
                chunk = os.read(key.fd, CHUNK)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                key.data.extend(chunk)
                total += len(chunk)
                if total > MAX_OUTPUT:
                    raise TooMuchOutput
    return buffers


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the tool's process group, close the pipes, reap the tool.

    Also after a normal exit: a helper the tool forked into its group, still holding a pipe or
    running on, is not ours to leave behind. The tool is not reaped yet (see _exited)."""
    import contextlib
    import signal

    if os.name == "nt":
        if proc.poll() is None:
            proc.kill()
    elif proc.returncode is None:
        with contextlib.suppress(OSError):  # the group is gone already: nothing to kill
            os.killpg(proc.pid, signal.SIGKILL)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    proc.wait()


#: run_group's children still running (threads run several at once: --host)
_GROUPS: set[subprocess.Popen[bytes]] = set()
#: set by stop_groups: no thread starts another child after that
_STOPPING: list[bool] = []


def stop_groups() -> None:
    """Kill every run_group child still running and its group, now (Ctrl-C while threads wait
    on them: in sessions of their own, SIGINT missed them); the waiting threads return at once."""
    import contextlib
    import signal

    _STOPPING.append(True)
    for proc in list(_GROUPS):
        with contextlib.suppress(OSError):
            if os.name != "nt":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()


def decode(data: bytes | bytearray) -> str:
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
    import contextlib
    import subprocess

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
