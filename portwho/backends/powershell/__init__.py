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

from portwho.backends.base import Answer
from portwho.backends.rows import Parsed
from portwho.errors import BackendFailed, BackendUnavailable, ParseError, ToolMissing

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portwho._run import Runner
    from portwho.model import Query
from portwho.backends.powershell._common import NAME
from portwho.backends.powershell._common import from_record as from_record

EXECUTABLES = ("powershell.exe", "pwsh")  # Windows PowerShell 5.1 everywhere; pwsh if removed
TIMEOUT = 15.0  # a cold PowerShell start alone can take several seconds
EXIT_NO_CMDLETS = 3  # the script's own code: the NetTCPIP module is missing (Windows 7)
EXIT_ERROR = 4
MAX_PORTS_IN_SCRIPT = 1000  # a cmdlet failed for another reason than "nothing matches"


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


def locate(text: str) -> int | None:
    """JSON naming LocalPort (line 0), or the first table header anywhere."""
    from portwho.backends.powershell import table as powershell_table

    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in ("[", "{"):
        return 0 if '"LocalPort"' in body else None
    return powershell_table.locate(text)


def sniff(text: str) -> bool:
    return locate(text) is not None


def parse(text: str) -> Parsed:
    """JSON from ConvertTo-Json, or the default table; detected by the first character."""
    from portwho.backends.powershell import table as powershell_table

    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in ("[", "{") or body.rstrip() == "null":
        return parse_json(body)
    return powershell_table.parse(text)


def parse_json(text: str) -> Parsed:
    """Every object that reads as a connection; the others are skipped and counted."""
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON: {exc}") from None
    parsed = Parsed()
    for item in _items(data):
        parsed.row(repr(item), from_record, item)
    return parsed.unique()


def _items(data: Any) -> list[Any]:
    if data is None:
        return []
    if isinstance(data, dict) and isinstance(data.get("value"), list) and "Count" in data:
        return list(data["value"])  # 5.1's ETS wrapper around an array
    return list(data) if isinstance(data, list) else [data]


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
        if not done.stdout.strip():  # the script prints '[]' for "no socket", never nothing
            raise BackendFailed(f"{exe} printed nothing")
        return done.stdout
    raise ToolMissing("neither powershell.exe nor pwsh is installed")


class PowerShellBackend:
    """Get-NetTCPConnection sees every user's OwningProcess without elevation."""

    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        out = _run_script(runner, script(query.ports))
        if not out.strip():
            raise BackendFailed("PowerShell printed nothing (the script always prints JSON)")
        parsed = parse_json(out)
        if parsed.skipped and not parsed:
            raise ParseError(f"PowerShell printed no connection: {parsed.summary()}")
        found = tuple(s for s in parsed if query.wants(s))
        return Answer(found, complete=not any(s.needs_owner for s in found))


BACKEND = PowerShellBackend()
