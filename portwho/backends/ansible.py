"""Ansible's `listen_ports_facts` (community.general; Windows: win_listen_ports_facts, same
shape) as JSON: `ansible HOST -m community.general.listen_ports_facts`, a playbook's debug of
`ansible_facts`, or the facts themselves.

`tcp_listen` and `udp_listen` are lists of {address, port, pid, name, user, protocol, stime};
with include_non_listening also {state, foreign_address}. The text around the JSON (`host |
SUCCESS =>`, `ok: [web1] =>`) is ignored; only the first host's document is read. The module
(checked against community.general's source) runs `netstat -plunt` or, without net-tools,
`ss -plunt`, and keeps the tool's address spelling with the port cut off: `protocol` is always
`tcp`/`udp`, so family comes from the address form: `::` is IPv6, `0.0.0.0` IPv4, and `*` (only
ss prints it, and the module needs an ss new enough to print `pid=`) a dual-stack IPv6 socket.
`foreign_address` keeps its port (`10.0.2.2:50421`, `0.0.0.0:*`); `state` is the tool's word
(LISTEN, ESTABLISHED or ss's ESTAB / UNCONN). pid 0 and name "" mean the owner was hidden.
"""

from __future__ import annotations

from typing import Any

from portwho.backends import addr, jsonrows
from portwho.backends.rows import Parsed
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

NAME = "ansible"
_LISTS: dict[str, Protocol] = {"tcp_listen": "tcp", "udp_listen": "udp"}
_STATES = {"ESTAB": "ESTABLISHED", "UNCONN": None, "UCONN": None}


def locate(text: str) -> int | None:
    """The line where the JSON holding `tcp_listen` / `udp_listen` starts."""
    if '"tcp_listen"' not in text and '"udp_listen"' not in text:
        return None
    lines = text.lstrip("\ufeff").splitlines()
    return next((i for i, line in enumerate(lines) if "{" in line), None)


def sniff(text: str) -> bool:
    return locate(text) is not None


def _facts(data: Any) -> dict[str, Any]:
    for key in ("ansible_facts", "facts"):
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            data = data[key]
    if not isinstance(data, dict) or not any(k in data for k in _LISTS):
        raise ParseError("no tcp_listen / udp_listen in the JSON")
    return data


def parse(text: str) -> Parsed:
    facts = _facts(jsonrows.document(text))
    parsed = Parsed()
    for key, proto in _LISTS.items():
        rows = facts.get(key) or []
        if not isinstance(rows, list):
            raise ParseError(f"{key} is not a list")
        for item in rows:
            parsed.row(repr(item)[:200], _socket, item, proto)
    return parsed


def _socket(item: Any, proto: Protocol) -> Socket:
    if not isinstance(item, dict):
        raise ParseError("not an object")
    address = jsonrows.text_field(item, "address")
    port = jsonrows.number(item, "port", high=65535)
    if address is None or port is None:
        raise ParseError("address or port missing")
    label = str(item.get("protocol", ""))
    bare = address.strip("[]")
    family: Family = "ipv6" if label.endswith("6") or bare == "*" else addr.family_of(bare)
    remote, remote_port = _peer(jsonrows.text_field(item, "foreign_address"), family)
    state = str(item.get("state", "LISTEN" if remote_port is None else "")).upper()
    pid = jsonrows.number(item, "pid")
    return Socket(
        protocol=proto,
        family=family,
        local_address=addr.canonical(address, family),
        local_port=port,
        remote_address=remote,
        remote_port=remote_port,
        state=_STATES.get(state, state or None) if proto == "tcp" else None,
        pid=pid or None,
        process=jsonrows.text_field(item, "name"),
        user=jsonrows.text_field(item, "user"),
        source=NAME,
    )


def _peer(text: str | None, family: Family) -> tuple[str | None, int | None]:
    if text is None:
        return None, None
    host, port = addr.split_host_port(text)
    return (None, None) if port in (None, 0) else (addr.canonical(host, family), port)
