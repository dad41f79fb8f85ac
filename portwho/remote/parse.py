"""What a host's probe printed -> sockets with owners, by the same parsers as --from.

Pure: text in, a Reply or a ParseError out. Owners come from the host's own `ps` (pids belong
to that host, so nothing is looked up on this machine); start times from the host's clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portwho.errors import ParseError, UsageError
from portwho.model import Attempt, Outcome, PortReport, Socket

#: `uname -s` -> platform key; Git Bash, MSYS and Cygwin on Windows print their own names
_SYSTEMS = {"Linux": "linux", "Darwin": "darwin", "FreeBSD": "freebsd"}
#: sections holding a socket table, in the order the probe prefers them
TABLES = ("ss", "netstat-linux", "netstat-macos", "sockstat", "powershell")
_PS_ROW = re.compile(r"\s*(\d+)\s+(\d+)\s+(\S+)\s+([\d:.-]+)(?:\s+(.*?))?\s*")
_FD_DIR = re.compile(r"/proc/(\d+)/fd:")
_FD_SOCKET = re.compile(r".*\s\d+ -> socket:\[(\d+)\]\s*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """One host's answer. `reports` are a remote portwho's own verdicts (None: decide here)."""

    platform: str | None
    sockets: tuple[Socket, ...]
    os_range: tuple[int, int] | None = None
    reports: tuple[PortReport, ...] | None = None
    trail: tuple[Attempt, ...] = ()
    login_uid: int | None = None  # `id -u` there: root still blind to an owner means a container


def platform_of(uname: str) -> str | None:
    name = uname.strip()
    if name.startswith(("MINGW", "MSYS", "CYGWIN")):
        return "win32"
    return _SYSTEMS.get(name)


def read(found: dict[str, str], ms: float) -> Reply:
    """The sections of one probe run -> a Reply; ParseError says what was wrong."""
    platform = platform_of(found.get("os", "")) if "os" in found else "win32"
    if "portwho" in found:
        from portwho.remote import answer

        socks, reports, trail, span = answer.from_portwho(found["portwho"], ms)
        return Reply(
            platform=platform,
            sockets=socks,
            os_range=span,
            reports=reports,
            trail=trail,
            login_uid=_number(found.get("uid")),
        )
    if platform is None:
        system = found.get("os", "").strip() or "an unknown system"
        raise ParseError(f"{system}: no socket tool portwho can read over ssh there yet")
    name, table = _table(found)
    owners = owner_table(found.get("ps", ""), found.get("comm", ""), _number(found.get("now")))
    own = own_session(found.get("conn", ""))
    owned = [_with_owner(s, owners) for s in table if not _is_session(s, own)]
    attempt = Attempt(
        backend=name, outcome=Outcome.ANSWERED, detail="over ssh", ms=ms, count=len(owned)
    )
    return Reply(
        platform=platform,
        sockets=tuple(owned),
        os_range=os_range(found.get("range", "")),
        trail=(attempt,),
        login_uid=_number(found.get("uid")),
    )


def _table(found: dict[str, str]) -> tuple[str, list[Socket]]:
    from portwho.backends import formats, proc_net

    try:
        for name in TABLES:
            if name in found:
                return name, formats.parse(found[name], name)[1]
    except UsageError as exc:  # formats words a bad text as the user's input
        raise ParseError(str(exc)) from None
    tables = [t for t in ("tcp", "tcp6", "udp", "udp6") if f"proc-{t}" in found]
    if not tables:
        raise ParseError("no socket table in the host's answer")
    pids = fd_owners(found.get("fds", ""))
    socks = [
        s.but(pid=pids.get(s.inode or 0))
        for t in tables
        for s in proc_net.parse(found[f"proc-{t}"], "udp" if t.startswith("udp") else "tcp")
    ]
    return "proc-net", socks


def own_session(text: str) -> tuple[str, int, str, int] | None:
    """$SSH_CONNECTION (client address, port, server address, port): the probe's own login,
    which is not an answer to the question."""
    words = text.split()
    if len(words) != 4 or not (words[1].isdecimal() and words[3].isdecimal()):
        return None
    return words[2], int(words[3]), words[0], int(words[1])


def _is_session(sock: Socket, own: tuple[str, int, str, int] | None) -> bool:
    if own is None or sock.protocol != "tcp":
        return False
    mapped = (sock.local_address.removeprefix("::ffff:"), sock.local_port)
    peer = ((sock.remote_address or "").removeprefix("::ffff:"), sock.remote_port)
    return (*mapped, *peer) == own


def fd_owners(text: str) -> dict[int, int]:
    """`ls -l /proc/[0-9]*/fd` -> socket inode -> pid (only the processes the login user may
    read: the rest stay hidden, as with ss)."""
    owners: dict[int, int] = {}
    pid = None
    for line in text.splitlines():
        head = _FD_DIR.fullmatch(line.strip())
        if head:
            pid = int(head.group(1))
            continue
        match = _FD_SOCKET.fullmatch(line)
        if match and pid is not None:
            owners.setdefault(int(match.group(1)), pid)
    return owners


Owner = tuple[int, str, float | None, tuple[str, ...] | None, str | None]


def owner_table(ps_text: str, comm_text: str, now: int | None) -> dict[int, Owner]:
    """pid -> (uid, user, started, cmdline, name) from the host's ps; bad rows are skipped
    (a process may exit between the socket table and ps)."""
    from portwho.system import ps

    try:
        names = ps.parse_comm(comm_text)
    except ParseError:
        names = {}
    owners: dict[int, Owner] = {}
    for line in ps_text.splitlines():
        match = _PS_ROW.fullmatch(line)
        if not match:
            continue
        pid, uid, user, elapsed, args = match.groups()
        seconds = elapsed_seconds(elapsed)
        started = float(now - seconds) if now is not None and seconds is not None else None
        cmdline = tuple(args.split()) if args else None
        owners[int(pid)] = (int(uid), user, started, cmdline, names.get(int(pid)))
    return owners


def elapsed_seconds(text: str) -> int | None:
    """ps etimes (seconds) or etime ([[dd-]hh:]mm:ss)."""
    if text.isdecimal():
        return int(text)
    days, _, clock = text.rpartition("-")
    parts = clock.split(":")
    if not (days == "" or days.isdecimal()) or not all(p.isdecimal() for p in parts):
        return None
    if not 2 <= len(parts) <= 3:
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds + int(days or 0) * 86400


def _with_owner(sock: Socket, owners: dict[int, Owner]) -> Socket:
    if sock.pid is None or sock.pid not in owners:
        return sock
    uid, user, started, cmdline, name = owners[sock.pid]
    process = sock.process or name or (cmdline[0].rpartition("/")[2] if cmdline else None)
    return sock.but(
        uid=uid, user=user, started=started, cmdline=cmdline or sock.cmdline, process=process
    )


def os_range(text: str) -> tuple[int, int] | None:
    fields = text.split()
    if len(fields) != 2 or not all(f.isdecimal() for f in fields):
        return None
    low, high = int(fields[0]), int(fields[1])
    return (low, high) if 0 < low <= high <= 65535 else None


def _number(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isdecimal() else None
