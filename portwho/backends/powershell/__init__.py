"""Windows PowerShell: Get-NetTCPConnection / Get-NetUDPEndpoint as JSON, and the parser for
that JSON and for the default table a user pastes (`--from`).

The JSON traps this parser handles: Windows PowerShell 5.1 writes enums as integers (State 2)
where a `-EnumsAsStrings` or `[string]` cast gives names ("Listen"); one result is an object,
not an array; 5.1 may wrap an array as {"value": [...], "Count": n}; dates are "/Date(ms)/" in
5.1 and ISO strings in 7 (ignored: CreationTime is the socket's, not the process's, start); the
output may start with a UTF-8 BOM.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from portwho.backends.addr import canonical, family_of
from portwho.backends.base import Answer
from portwho.errors import BackendFailed, BackendUnavailable, ParseError, ToolMissing
from portwho.model import Protocol, Socket

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho._run import Runner
    from portwho.model import Query

NAME = "powershell"
EXECUTABLES = ("powershell.exe", "pwsh")  # Windows PowerShell 5.1 everywhere; pwsh if removed
TIMEOUT = 15.0  # a cold PowerShell start alone can take several seconds
EXIT_NO_CMDLETS = 3  # the script's own code: the NetTCPIP module is missing (Windows 7)
EXIT_ERROR = 4
MAX_PORTS_IN_SCRIPT = 1000  # a cmdlet failed for another reason than "nothing matches"

#: MSFT_NetTCPConnection.State, as numbers (5.1) and as names (casts, -EnumsAsStrings, tables)
_STATE_NUMBERS = {
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
_STATE_NAMES = {
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

_SCRIPT = """\
[Console]::OutputEncoding = [Text.Encoding]::UTF8
if (-not (Get-Command Get-NetTCPConnection -ErrorAction SilentlyContinue)) { exit 3 }
$errs = @()
$names = @{}
Get-Process | ForEach-Object { $names[[int]$_.Id] = $_.ProcessName }
$pn = @{n='ProcessName'; e={ $names[[int]$_.OwningProcess] }}
$tcp = @(Get-NetTCPConnection PORTS-ErrorAction SilentlyContinue -ErrorVariable +errs |
  Select-Object @{n='Protocol'; e={'TCP'}}, LocalAddress, LocalPort, RemoteAddress, RemotePort,
    @{n='State'; e={[string]$_.State}}, OwningProcess, $pn)
$udp = @(Get-NetUDPEndpoint PORTS-ErrorAction SilentlyContinue -ErrorVariable +errs |
  Select-Object @{n='Protocol'; e={'UDP'}}, LocalAddress, LocalPort, OwningProcess, $pn)
$bad = @($errs | Where-Object { $_.CategoryInfo.Category -ne 'ObjectNotFound' })
if ($bad.Count -gt 0) { [Console]::Error.WriteLine($bad[0].ToString()); exit 4 }
$all = @($tcp) + @($udp)
if ($all.Count -eq 0) { '[]' } else { ConvertTo-Json -Compress -Depth 3 -InputObject $all }
"""


def script(ports: Iterable[int] | None) -> str:
    """The PowerShell script; ports are validated integers, never user text. Many ports (a wide
    range) would overflow Windows' 32 KiB command line, so those list everything instead."""
    wanted = None if ports is None else sorted({_checked_port(p) for p in ports})
    if wanted is None or len(wanted) > MAX_PORTS_IN_SCRIPT:
        return _SCRIPT.replace("PORTS", "")
    if not wanted:
        raise ValueError("an empty port list would list every socket; pass None for that")
    return _SCRIPT.replace("PORTS", f"-LocalPort {','.join(map(str, wanted))} ")


def _checked_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"not a port number: {port!r}")
    return port


def sniff(text: str) -> bool:
    from portwho.backends.powershell import table as powershell_table

    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in ("[", "{"):
        return '"LocalPort"' in body
    return powershell_table.sniff(text)


def parse(text: str) -> list[Socket]:
    """JSON from ConvertTo-Json, or the default table; detected by the first character."""
    from portwho.backends.powershell import table as powershell_table

    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in ("[", "{") or body.rstrip() == "null":
        return parse_json(body)
    return powershell_table.parse(text)


def parse_json(text: str) -> list[Socket]:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON: {exc}") from None
    return list(dict.fromkeys(from_record(item) for item in _items(data)))


def _items(data: Any) -> list[Any]:
    if data is None:
        return []
    if isinstance(data, dict) and isinstance(data.get("value"), list) and "Count" in data:
        return list(data["value"])  # 5.1's ETS wrapper around an array
    return list(data) if isinstance(data, list) else [data]


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
        state = _STATE_NUMBERS.get(value)
    elif isinstance(value, str):
        state = _STATE_NUMBERS.get(int(value)) if value.isascii() and value.isdecimal() else None
        state = state or _STATE_NAMES.get(value.lower())
    if state is None:
        raise ParseError(f"unknown TCP state {value!r}")
    return state


def _run_script(runner: Runner, text: str) -> str:
    for exe in EXECUTABLES:
        try:
            done = runner((exe, "-NoProfile", "-NonInteractive", "-Command", text), TIMEOUT)
        except ToolMissing:
            continue
        if done.returncode == EXIT_NO_CMDLETS:
            raise BackendUnavailable("Get-NetTCPConnection is missing (Windows 7 or older)")
        if done.returncode != 0:
            reason = done.stderr.strip().splitlines()[:1] or [f"status {done.returncode}"]
            raise BackendFailed(f"{exe}: {reason[0]}")
        return done.stdout
    raise ToolMissing("neither powershell.exe nor pwsh is installed")


class PowerShellBackend:
    """Get-NetTCPConnection sees every user's OwningProcess without elevation."""

    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        out = _run_script(runner, script(query.ports))
        if not out.strip():
            raise BackendFailed("PowerShell printed nothing (the script always prints JSON)")
        found = tuple(s for s in parse_json(out) if query.wants(s))
        return Answer(found, complete=not any(s.needs_owner for s in found))


BACKEND = PowerShellBackend()
