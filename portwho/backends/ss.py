"""The `ss` backend (iproute2): argv, a pure parser and the tiny backend class.

`ss -H -n -a -t -u -p -e FILTER` lists TCP and UDP sockets with their owners (`users:`) and, with
-e, `uid:` and `ino:`. As non-root, ss names only the caller's own processes: the rest come back
with pid None, which makes the answer incomplete so the chain goes on.

Wildcards, found with real binds on iproute2 6.1: `0.0.0.0:P` is IPv4, `[::]:P` an IPv6-only
socket, and a bare `*:P` a dual-stack IPv6 socket (v6only:0). Old iproute2 (3.x, before the
bracketed form) printed `*:P` for IPv4 and `:::P` for IPv6, so a text that spells IPv6 the old
way reads `*` as IPv4. A `v6only:` field, when present, settles it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from portwho._run import check_ok
from portwho.backends import addr
from portwho.backends.addr import host
from portwho.backends.base import Answer, port_runs
from portwho.errors import BackendFailed, ParseError
from portwho.model import Family, Protocol, Socket

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho._run import Runner
    from portwho.model import Query

NAME = "ss"
TIMEOUT = 5.0
BASE_ARGV = ("ss", "-H", "-n", "-a", "-t", "-u", "-p", "-e")

#: ss spells TCP states with dashes and short forms; the model uses the kernel's names.
STATES = {
    "ESTAB": "ESTABLISHED",
    "SYN-SENT": "SYN_SENT",
    "SYN-RECV": "SYN_RECV",
    "FIN-WAIT-1": "FIN_WAIT1",
    "FIN-WAIT-2": "FIN_WAIT2",
    "TIME-WAIT": "TIME_WAIT",
    "UNCONN": "CLOSE",
    "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK",
    "LISTEN": "LISTEN",
    "CLOSING": "CLOSING",
}
_NETIDS: dict[str, Protocol] = {"tcp": "tcp", "udp": "udp"}
_OTHER_NETIDS = {"raw", "u_str", "u_dgr", "u_seq", "nl", "p_raw", "p_dgr", "mptcp", "sctp",
                 "dccp", "v_str", "v_dgr", "tipc", "xdp", "???"}  # fmt: skip
# Old ss (before 3.19) printed users:(("name",1234,3)); newer prints pid= and fd=.
_USER = re.compile(r'\("(.*?)",(?:pid=)?(\d+),(?:fd=)?\d+\)')
_FIELD = re.compile(r"(?:^|\s)(uid|ino|v6only):(\d+)")
_HEADER = re.compile(r"^\s*(Netid\s+)?(State\s+)?Recv-Q\s+Send-Q\s+Local Address:Port")
_OLD_V6 = re.compile(r"(?:^|\s):::\d+\s")
_ROW = re.compile(
    r"^(?:(tcp|udp)\s+)?(" + "|".join(re.escape(s) for s in STATES) + r")\s+\d+\s+\d+\s+\S+:\S+\s"
)


def sniff(text: str) -> bool:
    """A header with `Local Address:Port`, or a first row shaped like `tcp LISTEN 0 128 a:p`."""
    for line in text.splitlines():
        if line.strip():
            return bool(_HEADER.match(line) or _ROW.match(line))
    return False


def parse(text: str) -> list[Socket]:
    """Parse ss output (with or without header, Netid or State columns) into sockets."""
    if not isinstance(text, str):
        raise ParseError("ss output must be text")
    old_style = bool(_OLD_V6.search(text))
    sockets: list[Socket] = []
    for line in text.splitlines():
        if not line.strip() or _HEADER.match(line) or line[0].isspace():
            continue  # blank, header, or an -i/-m continuation line
        sockets.extend(_parse_row(line, old_style))
    return sockets


def _parse_row(line: str, old_style: bool) -> list[Socket]:
    words = [(m.group(), m.end()) for m in re.finditer(r"\S+", line)]
    i, protocol = 0, None
    if words[0][0] in _OTHER_NETIDS:
        return []
    if words[0][0] in _NETIDS:
        protocol, i = _NETIDS[words[0][0]], 1
    state = None
    if i < len(words) and words[i][0] in STATES:
        state, i = STATES[words[i][0]], i + 1
    if len(words) < i + 4 or not (words[i][0].isdecimal() and words[i + 1][0].isdecimal()):
        raise ParseError(f"not an ss row: {line!r}")
    # Without a Netid column (ss -t or ss -u alone) the state tells: UDP sockets print UNCONN.
    proto: Protocol = protocol or ("udp" if state == "CLOSE" else "tcp")
    rest = line[words[i + 3][1] :]
    return _sockets(proto, state, words[i + 2][0], words[i + 3][0], rest, old_style=old_style)


def _sockets(
    proto: Protocol, state: str | None, local: str, peer: str, rest: str, *, old_style: bool
) -> list[Socket]:
    fields = {k: int(v) for k, v in _FIELD.findall(_USER.sub("", rest))}
    lhost, lport = addr.split_host_port(local)
    if lport is None:
        raise ParseError(f"no local port in {local!r}")
    family = _family(lhost, fields.get("v6only"), old_style)
    rhost, rport = addr.split_host_port(peer)
    remote, remote_port = (None, None) if rport in (None, 0) else (host(rhost, family), rport)
    bare = Socket(
        protocol=proto,
        family=family,
        local_address=host(lhost, family),
        local_port=lport,
        remote_address=remote,
        remote_port=remote_port,
        state=state if proto == "tcp" else None,
        inode=fields.get("ino"),
        # -e prints uid: only when it is not 0, so in -e output (ino: present) no uid means root.
        uid=fields.get("uid", 0 if "ino" in fields else None),
        source=NAME,
    )
    owners = _USER.findall(rest)
    return [replace(bare, pid=int(pid), process=name) for name, pid in owners] or [bare]


def _family(host: str, v6only: int | None, old_style: bool) -> Family:
    if v6only is not None or host.startswith("[") or ":" in host:
        return "ipv6"
    if host == "*":
        return "ipv4" if old_style else "ipv6"
    return "ipv4"


def port_filter(ports: Iterable[int]) -> list[str]:
    """ss filter words for `ports`: one `sport = :P` per port, `>=`/`<=` for runs of ports."""
    words: list[str] = []
    for lo, hi in port_runs(ports):
        if words:
            words.append("or")
        if lo == hi:
            words += ["sport", "=", f":{lo}"]
        else:
            words += ["(", "sport", ">=", f":{lo}", "and", "sport", "<=", f":{hi}", ")"]
    return ["(", *words, ")"] if words else []


def argv(query: Query) -> list[str]:
    return [*BASE_ARGV, *port_filter(query.ports or ())]


def complete(sockets: Iterable[Socket]) -> bool:
    """Every socket a process can hold has a pid. TIME_WAIT sockets and unaccepted connections
    (inode 0: no file exists yet) never have an owner, so they do not count."""
    return all(s.pid is not None for s in sockets if s.state != "TIME_WAIT" and s.inode != 0)


class SsBackend:
    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        done = runner(argv(query), TIMEOUT)
        text = check_ok(done.stdout, done.returncode, NAME)
        try:
            sockets = [s for s in parse(text) if query.wants(s)]
        except ParseError as exc:
            raise BackendFailed(f"ss printed something unexpected: {exc}") from exc
        whole = complete(sockets)
        detail = "" if whole else "some owners are hidden from this user (run as root)"
        return Answer(sockets=tuple(sockets), complete=whole, detail=detail)


BACKEND = SsBackend()
