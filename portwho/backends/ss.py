"""The `ss` backend (iproute2): argv, a pure parser and the tiny backend class.

`ss -H -n -a -t -u -p -e FILTER` lists TCP and UDP sockets with their owners (`users:`) and, with
-e, `uid:` and `ino:`. As non-root, ss names only the caller's own processes: the rest come back
with pid None, which makes the answer incomplete so the chain goes on.

Family comes from the address form, never from the Netid. The wildcard rules, per era:
  iproute2 >= 4.17 (6.1 checked here with real binds): `0.0.0.0:P` IPv4, `[::]:P` an IPv6-only
    socket, a bare `*:P` a dual-stack IPv6 socket (v6only:0).
  iproute2 3.x: `*:P` IPv4, `:::P` IPv6 (no brackets).
  CentOS 7 era (iproute 3.10 with backports, 4.11): `*:P` IPv4 next to `[::]:P` IPv6.
So `*` is IPv6 only where the text shows the modern era (an IPv4 wildcard spelled `0.0.0.0`, a
`v6only:` field, or the `Process` header column); otherwise it is IPv4. A `*:P` with a `[::]:P`
twin of the same protocol and port is IPv4 in every era (the two could not both be bound
otherwise), and a `v6only:` field on the row settles it.

Without -n, ports are service names (`*:bootpc`, `127.0.0.53%lo:domain`), mapped back through the
IANA table and /etc/services. Rows of other netids (raw, icmp6, u_str, mptcp, sctp, p_raw, ...)
and rows that do not read are skipped and counted (backends.rows), never the whole text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from portwho._run import check_ok
from portwho.backends.addr import host
from portwho.backends.base import Answer, port_runs
from portwho.backends.rows import Parsed, first_line, port_or_note
from portwho.errors import BackendFailed, ParseError
from portwho.model import Family, Protocol, Socket

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho._run import Runner
    from portwho.model import Query

NAME = "ss"
TIMEOUT = 5.0
#: no -H: the header is how an empty table ("nothing on these ports": free) is told from an ss
#: that printed nothing at all (which proves nothing)
BASE_ARGV = ("ss", "-n", "-a", "-t", "-u", "-p", "-e")

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
# Old ss (before 3.19) printed users:(("name",1234,3)); newer prints pid= and fd=.
_USER = re.compile(r'\("(.*?)",(?:pid=)?(\d+),(?:fd=)?\d+\)')
_FIELD = re.compile(r"(?:^|\s)(uid|ino|v6only):(\d+)")
_HEADER = re.compile(r"^\s*(Netid\s+)?(State\s+)?Recv-Q\s+Send-Q\s+Local\s+Address:Port")
_PROCESS_HEADER = re.compile(r"Peer Address:Port\s*Process")
_V6_ROW = re.compile(r"(?m)^(tcp|udp)?\s*\S+\s+\d+\s+\d+\s+\[::\]:(\S+)\s")
_NETID = r"(?:tcp|udp|raw|icmp6?|u_\w+|nl|p_\w+|mptcp|sctp|dccp|v_\w+|tipc|xdp|\?\?\?)"
_ROW = re.compile(
    r"^(?:" + _NETID + r"\s+)?(" + "|".join(re.escape(s) for s in STATES) + r")\s+\d+\s+\d+\s+\S+\s"
)


def _recognise(line: str) -> bool:
    return bool(_HEADER.match(line) or _ROW.match(line))


def locate(text: str) -> int | None:
    """The first `Local Address:Port` header or `tcp LISTEN 0 128 a:p` row, anywhere."""
    return first_line(text, _recognise)


def sniff(text: str) -> bool:
    return locate(text) is not None


class _Era:
    """What the whole text says about how this ss spells wildcards (see the module doc)."""

    def __init__(self, text: str) -> None:
        # plain substring tests first: a regex over a 30k-row listing costs a quarter second
        self.modern = (
            "0.0.0.0:" in text
            or "0.0.0.0%" in text
            or "v6only:" in text
            or bool(_PROCESS_HEADER.search(text))
        )
        self.v6_twins: set[tuple[str, str]] = set()
        if "[::]:" in text and "*:" in text:
            self.v6_twins = set(_V6_ROW.findall(text))
            self.v6_twins |= {("", port) for _, port in self.v6_twins}

    def star_family(self, netid: str, port: str) -> Family:
        if (netid, port) in self.v6_twins or not self.modern:
            return "ipv4"
        return "ipv6"


def parse(text: str) -> Parsed:
    """Parse ss output (with or without header, Netid or State columns) into sockets."""
    if not isinstance(text, str):
        raise ParseError("ss output must be text")
    era = _Era(text)
    parsed = Parsed()
    lines = text.splitlines()
    for line in lines[locate(text) or 0 :]:  # what comes before is a warning or a prompt
        if not line.strip() or _HEADER.match(line) or line[0].isspace():
            continue  # blank, header, or an -i/-m continuation line
        parsed.row(line, _parse_row, line, era, parsed)
    return parsed


def _parse_row(line: str, era: _Era, parsed: Parsed) -> list[Socket]:
    words = [(m.group(), m.end()) for m in re.finditer(r"\S+", line)]
    i, protocol = 0, None
    if words[0][0] in _NETIDS:
        protocol, i = _NETIDS[words[0][0]], 1
    elif words[0][0] not in STATES:
        raise ParseError(f"not a TCP/UDP socket ({words[0][0]})")
    state = None
    if i < len(words) and words[i][0] in STATES:
        state, i = STATES[words[i][0]], i + 1
    if len(words) < i + 4 or not (words[i][0].isdecimal() and words[i + 1][0].isdecimal()):
        raise ParseError("not an ss row")
    # Without a Netid column (ss -t or ss -u alone) the state tells: UDP sockets print UNCONN.
    proto: Protocol = protocol or ("udp" if state == "CLOSE" else "tcp")
    rest = line[words[i + 3][1] :]
    ends = (words[i + 2][0], words[i + 3][0])
    return _sockets(
        proto,
        state,
        ends,
        rest,
        era.star_family(words[0][0] if protocol else "", ends[0].rpartition(":")[2]),
        parsed,
    )


def _endpoint(text: str, proto: Protocol, parsed: Parsed) -> tuple[str, int | None]:
    hostpart, sep, port = text.rpartition(":")
    if not sep:
        raise ParseError(f"no port in address {text!r}")
    return hostpart, None if port == "*" else port_or_note(port, proto, parsed, text)


def _sockets(
    proto: Protocol,
    state: str | None,
    ends: tuple[str, str],
    rest: str,
    star: Family,
    parsed: Parsed,
) -> list[Socket]:
    fields = {k: int(v) for k, v in _FIELD.findall(_USER.sub("", rest))}
    lhost, lport = _endpoint(ends[0], proto, parsed)
    if lport is None:
        raise ParseError(f"no local port in {ends[0]!r}")
    family = _family(lhost, fields.get("v6only"), star)
    rhost, rport = _endpoint(ends[1], proto, parsed)
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
    return [bare.but(pid=int(pid), process=name) for name, pid in owners] or [bare]


def _family(host: str, v6only: int | None, star: Family) -> Family:
    if v6only is not None or host.startswith("[") or ":" in host:
        return "ipv6"
    if host == "*":
        return star
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
        if not any(_HEADER.match(line) for line in text.splitlines()[:1]):
            raise BackendFailed("ss printed no table (not even its header)")
        parsed = parse(text)
        if not parsed and parsed.skipped:
            raise BackendFailed(f"ss printed something unexpected: {parsed.summary()}")
        sockets = [s for s in parsed if query.wants(s)]
        whole = complete(sockets)
        detail = "" if whole else "some owners are hidden from this user (run as root)"
        detail = "; ".join(filter(None, (detail, parsed.summary())))
        return Answer(sockets=tuple(sockets), complete=whole, detail=detail)


BACKEND = SsBackend()
