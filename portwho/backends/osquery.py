"""osquery's `listening_ports` table (joined or not with `processes`), as `osqueryi --json`
prints it or as osqueryd's result log writes it: a `--from` format for a fleet that already
collects these facts.

Every value is a string ("port": "22", "protocol": "6", "family": "2", "pid": "-1"). A row of
`SELECT * FROM listening_ports` has address, family, fd, net_namespace, path, pid, port,
protocol, socket; a query that joins `processes` adds its columns (name, cmdline, uid, ...).
The result log wraps each row as {"name": QUERY, "columns": {...}, "action": "added"}, one JSON
object a line. pid -1 is osquery's word for an owner it could not see; a row with a path and
port 0 is a UNIX socket.
"""

from __future__ import annotations

import json
from typing import Any

from portwho.backends.addr import canonical
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

NAME = "osquery"
_PROTOCOLS: dict[str, Protocol] = {"6": "tcp", "17": "udp"}
_FAMILIES: dict[str, Family] = {"2": "ipv4", "10": "ipv6", "30": "ipv6"}  # 30: AF_INET6, macOS
_KEYS = ('"port"', '"protocol"', '"family"', '"address"')


def sniff(text: str) -> bool:
    body = text.lstrip("\ufeff \t\r\n")
    return body[:1] in ("[", "{") and all(k in body[:4000] for k in _KEYS)


def parse(text: str) -> list[Socket]:
    rows: list[Any] = []
    body = text.lstrip("\ufeff \t\r\n")
    try:
        if body.startswith("["):
            rows = list(json.loads(body))
        else:  # the result log: one object a line
            rows = [json.loads(line) for line in body.splitlines() if line.strip()]
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not osquery JSON: {exc}") from None
    sockets = []
    for row in rows:
        columns = row.get("columns", row) if isinstance(row, dict) else None
        if not isinstance(columns, dict):
            raise ParseError(f"an osquery row is an object, not {type(row).__name__}")
        sock = _socket(columns)
        if sock is not None:
            sockets.append(sock)
    return sockets


def _socket(row: dict[str, Any]) -> Socket | None:
    protocol = _PROTOCOLS.get(str(row.get("protocol", "")))
    family = _FAMILIES.get(str(row.get("family", "")))
    port = _number(row.get("port"))
    if protocol is None or family is None or not port:
        return None  # a UNIX socket (path, port 0) or another protocol
    pid = _number(row.get("pid"))
    cmdline = str(row.get("cmdline") or "").split()
    return Socket(
        protocol=protocol,
        family=family,
        local_address=canonical(str(row.get("address") or ""), family),
        local_port=port,
        state="LISTEN" if protocol == "tcp" else None,
        pid=pid if pid is not None and pid > 0 else None,
        process=str(row["name"]) if row.get("name") else None,
        user=str(row["username"]) if row.get("username") else None,
        uid=_number(row.get("uid")),
        inode=_number(row.get("socket")),
        cmdline=tuple(cmdline) or None,
        cwd=str(row["cwd"]) if row.get("cwd") else None,
        source=NAME,
    )


def _number(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    if text.lstrip("-").isdecimal():
        return int(text)
    return None
