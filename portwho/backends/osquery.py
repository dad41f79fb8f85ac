"""osquery's `listening_ports` table (joined or not with `processes`), as `osqueryi --json`
prints it or as osqueryd's result log writes it: a `--from` format for a fleet that already
collects these facts.

Every value is a string ("port": "22", "protocol": "6", "family": "2", "pid": "-1"). A row of
`SELECT * FROM listening_ports` has address, family, fd, net_namespace, path, pid, port,
protocol, socket; a query that joins `processes` adds its columns (name, cmdline, uid, ...).
The result log wraps each row as {"name": QUERY, "columns": {...}, "action": "added"}, one JSON
object a line. pid -1 is osquery's word for an owner it could not see; a row with a path and
port 0 is a UNIX socket. Rows that are not TCP/UDP Internet sockets (UNIX, raw, another
protocol) and rows that do not read are skipped and counted (backends.rows); the JSON may come
after the shell prompt and command line that were pasted with it.
"""

from __future__ import annotations

import json
from typing import Any

from portwho.backends.addr import canonical
from portwho.backends.rows import Parsed
from portwho.errors import ParseError
from portwho.model import Family, Protocol, Socket

NAME = "osquery"
_PROTOCOLS: dict[str, Protocol] = {"6": "tcp", "17": "udp"}
_FAMILIES: dict[str, Family] = {"2": "ipv4", "10": "ipv6", "30": "ipv6"}  # 30: AF_INET6, macOS
_KEYS = ('"port"', '"protocol"', '"family"', '"address"')


def locate(text: str) -> int | None:
    """The line where the JSON starts: a `[` list of rows or the result log's first `{`."""
    head = text[:4000]
    if not all(k in head for k in _KEYS):
        return None
    lines = text.lstrip("\ufeff").splitlines()
    return next((i for i, line in enumerate(lines) if line.lstrip()[:1] in ("[", "{")), None)


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    rows: list[Any] = []
    lines = text.lstrip("\ufeff").splitlines()
    body = "\n".join(lines[locate(text) or 0 :]).strip()
    try:
        if body.startswith("["):
            rows = list(json.loads(body))
        else:  # the result log: one object a line
            rows = [json.loads(line) for line in body.splitlines() if line.strip()]
    except (ValueError, RecursionError, TypeError) as exc:
        raise ParseError(f"not osquery JSON: {exc}") from None
    parsed = Parsed()
    for row in rows:
        parsed.row(repr(row)[:160], _row, row)
    return parsed


def _row(row: Any) -> Socket | None:
    columns = row.get("columns", row) if isinstance(row, dict) else None
    if not isinstance(columns, dict):
        raise ParseError(f"an osquery row is an object, not {type(row).__name__}")
    sock = _socket(columns)
    if sock is None:
        raise ParseError(f"not a TCP/UDP Internet socket (protocol {columns.get('protocol')!r})")
    return sock


def _socket(row: dict[str, Any]) -> Socket | None:
    protocol = _PROTOCOLS.get(str(row.get("protocol", "")))
    family = _FAMILIES.get(str(row.get("family", "")))
    port = _number(row.get("port"))
    if protocol is None or family is None or not port:
        return None  # a UNIX socket (path, port 0) or another protocol
    if not 0 < port <= 65535:
        raise ParseError(f"port out of range: {port}")
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
