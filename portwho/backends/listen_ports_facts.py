"""Ansible's `listen_ports_facts` module (community.general): its facts as a `--from` format,
for a fleet whose facts Ansible already gathers.

What `ansible HOST -m community.general.listen_ports_facts` prints: `HOST | SUCCESS => {...}`
with {"ansible_facts": {"tcp_listen": [...], "udp_listen": [...]}}; a saved `ansible_facts`
object or the bare facts are read too. Each entry has address, name, pid, port, protocol,
stime, user (and, with include_non_listening, state and foreign_address). Several hosts'
answers in one text are several hosts' sockets: --from mixes them, so save one host a file.
A playbook's `ok: [web1] => {...}` (a debug of ansible_facts) is read like the ad-hoc form.

The module (community.general's source) runs `netstat -plunt` or, without net-tools, `ss
-plunt`, keeps the tool's address with the port cut off, and normalises `protocol` to tcp/udp,
so family comes from the address form: a colon is IPv6, and `*` (only ss prints it, and the
module needs an ss new enough to print `pid=`) is a dual-stack IPv6 socket. An entry that does
not read is skipped and counted (backends.rows).
"""

from __future__ import annotations

import json
import re
from typing import Any

from portwho.backends.addr import canonical, family_of, split_host_port
from portwho.backends.rows import Parsed
from portwho.errors import ParseError
from portwho.model import Protocol, Socket

NAME = "listen-ports-facts"
_HEADER = re.compile(r"^(?:\S+ \| [A-Z]+|ok: \[[^\]]+\]) => ", re.M)
_LISTS: tuple[tuple[str, Protocol], ...] = (("tcp_listen", "tcp"), ("udp_listen", "udp"))
_STATES = {"LISTEN": "LISTEN", "ESTAB": "ESTABLISHED", "ESTABLISHED": "ESTABLISHED"}


def locate(text: str) -> int | None:
    """The first line of the answer: `HOST | SUCCESS =>`, `ok: [HOST] =>`, or the JSON."""
    head = text[:4000]
    if '"tcp_listen"' not in head and '"udp_listen"' not in head:
        return None
    lines = text.lstrip("\ufeff").splitlines()
    return next((i for i, line in enumerate(lines) if _HEADER.match(line) or "{" in line), None)


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    parsed = Parsed()
    lines = text.lstrip("\ufeff").splitlines()
    for facts in _documents("\n".join(lines[locate(text) or 0 :])):
        for key, protocol in _LISTS:
            entries = facts.get(key, [])
            if not isinstance(entries, list):
                raise ParseError(f"{key} is not a list")
            for entry in entries:
                parsed.row(repr(entry)[:160], _socket, entry, protocol)
    return parsed


def _documents(text: str) -> list[dict[str, Any]]:
    body = text.lstrip("\ufeff \t\r\n")
    parts = _HEADER.split(body)[1:] if _HEADER.match(body) else [body]
    docs = []
    for part in parts:
        try:
            doc = json.loads(part)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"not listen_ports_facts JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise ParseError("listen_ports_facts output is an object")
        facts = doc.get("ansible_facts", doc)
        docs.append(facts if isinstance(facts, dict) else {})
    return docs


def _socket(entry: Any, protocol: Protocol) -> Socket:
    if not isinstance(entry, dict):
        raise ParseError(f"a {protocol}_listen entry is an object, not {type(entry).__name__}")
    port = entry.get("port")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ParseError(f"not a port: {port!r}")
    address = str(entry.get("address") or "0.0.0.0")
    family = "ipv6" if address.strip("[]") == "*" else family_of(address)
    pid = entry.get("pid")
    remote, remote_port = _peer(str(entry.get("foreign_address") or ""))
    state = _STATES.get(str(entry.get("state") or "LISTEN").upper(), "LISTEN")
    return Socket(
        protocol=protocol,
        family=family,
        local_address=canonical(address, family),
        local_port=port,
        remote_address=remote,
        remote_port=remote_port,
        state=state if protocol == "tcp" else None,
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else None,
        process=str(entry["name"]) if entry.get("name") else None,
        user=str(entry["user"]) if entry.get("user") else None,
        started=_started(entry.get("stime")),
        source=NAME,
    )


def _started(stime: Any) -> float | None:
    """ps's lstart ("Thu Feb  2 13:29:45 2017") in the host's zone, which the facts do not
    name: read as UTC, so the same text gives the same time everywhere (off by the zone)."""
    import calendar
    import time

    try:
        parsed = time.strptime(" ".join(str(stime).split()), "%a %b %d %H:%M:%S %Y")
        return float(calendar.timegm(parsed))
    except (ValueError, OverflowError):
        return None


def _peer(text: str) -> tuple[str | None, int | None]:
    host, port = split_host_port(text) if text and text not in ("*:*", "0.0.0.0:*") else ("", None)
    if not port:
        return None, None
    return canonical(host, family_of(host)), port
