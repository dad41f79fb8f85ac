"""What the PowerShell JSON and table parsers share: state names, and one record to a Socket.

Family is the LocalAddress form (a colon: IPv6); PowerShell prints `0.0.0.0` and `::` for the
two wildcards, so no wildcard is ambiguous."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portwho.backends.addr import canonical, family_of
from portwho.errors import ParseError
from portwho.model import Protocol, Socket

if TYPE_CHECKING:
    pass


#: MSFT_NetTCPConnection.State, as numbers (5.1) and as names (casts, -EnumsAsStrings, tables)
NAME = "powershell"

STATE_NUMBERS = {
    1: "CLOSE",
    2: "LISTEN",
    3: "SYN_SENT",
    4: "SYN_RECV",
    5: "ESTABLISHED",
    6: "FIN_WAIT1",
    7: "FIN_WAIT2",
    8: "CLOSE_WAIT",
    9: "CLOSING",
    10: "LAST_ACK",
    11: "TIME_WAIT",
    12: "CLOSE",  # DeleteTCB: the connection is being torn down
    100: "BOUND",
}


STATE_NAMES = {
    "closed": "CLOSE",
    "listen": "LISTEN",
    "synsent": "SYN_SENT",
    "synreceived": "SYN_RECV",
    "established": "ESTABLISHED",
    "finwait1": "FIN_WAIT1",
    "finwait2": "FIN_WAIT2",
    "closewait": "CLOSE_WAIT",
    "closing": "CLOSING",
    "lastack": "LAST_ACK",
    "timewait": "TIME_WAIT",
    "deletetcb": "CLOSE",
    "bound": "BOUND",
}


def from_record(item: Any) -> Socket:
    """One connection/endpoint object (from JSON or a table row) -> Socket, fields by name."""
    if not isinstance(item, dict):
        raise ParseError(f"expected an object, got {type(item).__name__}")
    protocol = _protocol(item)
    local = canonical(_text(item, "LocalAddress"))
    local_port = _number(item, "LocalPort")
    if local_port is None:
        raise ParseError("LocalPort missing")
    remote, remote_port = _peer(item) if protocol == "tcp" else (None, None)
    return Socket(
        protocol=protocol,
        family=family_of(local),
        local_address=local,
        local_port=local_port,
        remote_address=remote,
        remote_port=remote_port,
        state=_state(item.get("State")) if protocol == "tcp" else None,
        pid=_number(item, "OwningProcess") or None,  # 0: the idle-process placeholder
        process=item.get("ProcessName") if isinstance(item.get("ProcessName"), str) else None,
        source=NAME,
    )


def _protocol(item: dict[str, Any]) -> Protocol:
    named = str(item.get("Protocol", "")).lower()
    if named in ("tcp", "udp"):
        return "tcp" if named == "tcp" else "udp"
    return "tcp" if "State" in item or "RemotePort" in item else "udp"


def _peer(item: dict[str, Any]) -> tuple[str | None, int | None]:
    port = _number(item, "RemotePort")
    if not port:
        return None, None
    return canonical(_text(item, "RemoteAddress")), port


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise ParseError(f"{key} missing or not text: {value!r}")
    return value


def _number(item: dict[str, Any], key: str) -> int | None:
    value = item.get(key)
    if isinstance(value, str) and value.isascii() and value.isdecimal():
        value = int(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParseError(f"{key} is not a number: {value!r}")
    if key.endswith("Port") and value > 65535:
        raise ParseError(f"{key} out of range: {value}")
    return value


def _state(value: Any) -> str:
    state = None
    if isinstance(value, int) and not isinstance(value, bool):
        state = STATE_NUMBERS.get(value)
    elif isinstance(value, str):
        state = STATE_NUMBERS.get(int(value)) if value.isascii() and value.isdecimal() else None
        state = state or STATE_NAMES.get(value.lower())
    if state is None:
        raise ParseError(f"unknown TCP state {value!r}")
    return state
