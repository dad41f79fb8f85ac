"""Spawn a child process that holds real sockets, for live tests of any backend.

    from tests.live.helpers import spawn_holder

    with spawn_holder() as holder:
        holder.pid      # the child's pid
        holder.ports    # {"tcp4": .., "tcp6": .., "udp4": .., "udp6": .., "conn": ..}
        holder.inodes   # the six sockets' inode numbers (tell them from others on the same port)

- "tcp4" / "tcp6": TCP listeners on 127.0.0.1 / ::1
- "udp4" / "udp6": UDP sockets bound on 127.0.0.1 / ::1
- "conn": local port of the client end of an established connection to the tcp4 listener; the
  child accepts it, so both ends are ESTABLISHED and owned by the child
  (127.0.0.1:conn -> 127.0.0.1:tcp4 and 127.0.0.1:tcp4 -> 127.0.0.1:conn).

Options: `comm` sets the kernel's process name (what ss, fuser and psutil.name() show; cut to 15
bytes by the kernel), `argv0` the argv[0] (what netstat -p shows), `uid` runs the child as that
user (the gid is set to the same number; needs root; the child then runs /usr/bin/python3,
as other users cannot reach an interpreter under /root). The child exits when the context ends, or
when the test process dies (it waits on its stdin).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_CHILD = r"""
import ctypes, json, socket, sys
if sys.argv[1]:
    ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)  # PR_SET_NAME
def bound(family, kind, host):
    s = socket.socket(family, kind)
    s.bind((host, 0))
    return s
t4 = bound(socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1"); t4.listen()
t6 = bound(socket.AF_INET6, socket.SOCK_STREAM, "::1"); t6.listen()
u4 = bound(socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")
u6 = bound(socket.AF_INET6, socket.SOCK_DGRAM, "::1")
client = socket.create_connection(t4.getsockname())
server, _ = t4.accept()
ports = {"tcp4": t4.getsockname()[1], "tcp6": t6.getsockname()[1], "udp4": u4.getsockname()[1],
         "udp6": u6.getsockname()[1], "conn": client.getsockname()[1]}
import os
inodes = [os.fstat(s.fileno()).st_ino for s in (t4, t6, u4, u6, client, server)]
print(json.dumps({"ports": ports, "inodes": inodes}), flush=True)
sys.stdin.read()
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Holder:
    pid: int
    ports: dict[str, int]
    inodes: frozenset[int]  # of the six sockets: what ss ino: / netstat Inode print


@contextmanager
def spawn_holder(
    *, comm: str | None = None, argv0: str | None = None, uid: int | None = None
) -> Iterator[Holder]:
    """Start the socket-holding child, yield its pid and ports, and stop it afterwards."""
    # Another user may not reach this interpreter (e.g. under /root/.pyenv): use the system one.
    python = (
        sys.executable
        if uid is None
        else (shutil.which("python3", path="/usr/bin:/bin") or sys.executable)
    )
    proc = subprocess.Popen(
        [argv0 or python, "-c", _CHILD, comm or ""],
        executable=python,
        cwd="/",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        user=uid,
        group=uid,
        extra_groups=[] if uid is not None and os.geteuid() == 0 else None,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"socket holder exited early with {proc.wait(5)}")
        info = json.loads(line)
        yield Holder(pid=proc.pid, ports=info["ports"], inodes=frozenset(info["inodes"]))
    finally:
        proc.kill()
        proc.wait(5)


@functools.cache
def world_readable_package() -> str:
    """A copy of the `portwho` package that any user can import, for tests that drop to another
    uid: the checkout itself may sit in a folder only its owner can enter (CI clones into a
    mktemp folder). Returns the folder to put on sys.path (or use as cwd)."""
    import shutil
    import tempfile
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "portwho"
    top = Path(tempfile.mkdtemp(prefix="portwho-readable-"))
    shutil.copytree(source, top / "portwho", ignore=shutil.ignore_patterns("__pycache__"))
    for path in [top, *top.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return str(top)
