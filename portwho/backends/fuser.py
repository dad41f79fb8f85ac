"""`fuser` (psmisc): which processes hold a port. A --from format and a late-fallback backend.

`fuser -n tcp 3000` prints the pids on stdout and `3000/tcp:` on stderr; in a terminal the two
interleave as `3000/tcp:   1234  5678`. `fuser -v` adds a USER/PID/ACCESS/COMMAND table on
stderr (the pids still go to stdout, so a stderr-only capture has rows without a PID).

Limitation: fuser reports neither address nor family, nor whether a socket listens or is
connected. Every record it yields has local_address "*" and family "ipv4" and no state; it can
name owners of a port, never describe the sockets. So the backend never answers completely: it is
a late fallback that fills in pids when ss/netstat/psutil could not, and it needs explicit ports
(one fuser run per port and protocol, each a full /proc scan).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from portwho.backends.base import Answer
from portwho.backends.rows import Parsed
from portwho.errors import BackendFailed, BackendUnavailable, ParseError
from portwho.model import Protocol, Socket
from portwho.system.host import is_root

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query

NAME = "fuser"
TIMEOUT = 5.0
#: Each port costs one /proc scan; beyond this many runs the backend declines.
MAX_RUNS = 8
_PORT_LABEL = re.compile(r"^\s*(\d{1,5})/(tcp|udp):(.*)$")
_TABLE_HEAD = re.compile(r"^\s*USER\s+PID\s+ACCESS\s+COMMAND\s*$")
# -v row after the label: USER [PID] ACCESS COMMAND (ACCESS is 5 flags such as "F....").
_VROW = re.compile(r"^\s*(\S+)\s+(?:(\d+)\s+)?([cefFrm.]{5})\s+(.*?)\s*$")
# plain form: "1234", "1234F", "1234(alice)" with -u.
_PID = re.compile(r"^(\d+)[cefFrm]*(?:\(([^)]*)\))?$")


def sniff(text: str) -> bool:
    for line in text.splitlines():
        # fuser warns about every /proc/PID/fd it cannot read before it prints anything else.
        if line.strip() and not line.startswith("Cannot stat"):
            return bool(_PORT_LABEL.match(line) or _TABLE_HEAD.match(line))
    return False


def parse(text: str) -> Parsed:
    """Parse pasted fuser output (plain or -v) into one socket record per (port, pid)."""
    if not isinstance(text, str):
        raise ParseError("fuser output must be text")
    parsed = Parsed()
    current: tuple[int, Protocol] | None = None
    for line in text.splitlines():
        if not line.strip() or _TABLE_HEAD.match(line) or line.startswith("Cannot stat"):
            continue
        body, label = line, _PORT_LABEL.match(line)
        if label:
            try:
                current = (_port(label.group(1)), "tcp" if label.group(2) == "tcp" else "udp")
            except ParseError as exc:
                current = None
                parsed.skip(line, str(exc))
                continue
            body = label.group(3)
            if not body.strip():
                continue
        if current is None:
            parsed.skip(line, "fuser row before any PORT/proto: label")
            continue
        parsed.row(body, _row, body, *current)
    return parsed


def _port(text: str) -> int:
    value = int(text)
    if value > 65535:
        raise ParseError(f"port out of range: {text}")
    return value


def _row(text: str, port: int, protocol: Protocol) -> list[Socket]:
    vrow = _VROW.match(text)
    if vrow:
        user, pid, _, command = vrow.groups()
        return [_socket(port, protocol, int(pid) if pid else None, user, command or None)]
    out = []
    for word in text.split():
        match = _PID.match(word)
        if match is None:
            raise ParseError(f"not a pid in fuser output: {word!r}")
        out.append(_socket(port, protocol, int(match.group(1)), match.group(2), None))
    return out


def _socket(
    port: int, protocol: Protocol, pid: int | None, user: str | None, process: str | None
) -> Socket:
    return Socket(
        protocol=protocol,
        family="ipv4",  # unknown: fuser does not say (see the module docstring)
        local_address="*",
        local_port=port,
        pid=pid,
        process=process,
        user=user,
        source=NAME,
    )


def pids(stdout: str) -> list[int]:
    """The pids fuser printed on stdout, once each, in order."""
    seen: dict[int, None] = {}
    for word in stdout.split():
        match = _PID.match(word)
        if match is None:
            raise BackendFailed(f"fuser printed something that is not a pid: {word!r}")
        seen[int(match.group(1))] = None
    return list(seen)


class FuserBackend:
    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        if query.ports is None:
            raise BackendUnavailable("fuser needs explicit ports; it cannot list every socket")
        runs = [(p, proto) for p in sorted(query.ports) for proto in sorted(query.protocols)]
        if len(runs) > MAX_RUNS:
            raise BackendUnavailable(f"fuser would need {len(runs)} /proc scans; too many")
        sockets: list[Socket] = []
        for port, proto in runs:
            done = runner(["fuser", "-n", proto, str(port)], TIMEOUT)
            # Exit 1 means no process was found; anything else is a failure.
            if done.returncode not in (0, 1):
                raise BackendFailed(f"fuser exited with status {done.returncode}")
            if done.returncode == 0 and not done.stdout.strip():  # 0 means "found some"
                raise BackendFailed("fuser printed no pid with status 0")
            sockets += [_socket(port, proto, pid, None, None) for pid in pids(done.stdout)]
        return Answer(
            sockets=tuple(sockets),
            complete=False,
            detail="fuser names pids only: no addresses, family or state",
            # it reads the fd tables it may read: without root, only this user's, so finding
            # nobody on a port does not make it free
            all_sockets=is_root(),
        )


BACKEND = FuserBackend()
