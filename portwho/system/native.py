"""The OS's own commands for the same question: shown by `explain`, and as the sudo hint when
an owner is hidden. Text only; nothing here runs anything."""

from __future__ import annotations


def commands(port: int, platform: str) -> list[str]:
    if platform == "darwin":
        return [
            f"lsof -nP -iTCP:{port} -iUDP:{port}",
            f"netstat -anv -p tcp | grep '\\.{port} '",
        ]
    if platform == "win32":
        return [
            f"Get-NetTCPConnection -LocalPort {port}",
            f"Get-NetUDPEndpoint -LocalPort {port}",
            f'netstat -ano | findstr ":{port}"',
        ]
    return [
        f"ss -tulpn 'sport = :{port}'",
        f"lsof -nP -i :{port}",
        f"fuser -v -n tcp {port}",
    ]


def reveal_hint(port: int, platform: str, *, privileged: bool = False) -> str:
    """The command that would name a hidden owner."""
    if privileged:
        return (
            "even root cannot read its owner's file table from here: the process lives in"
            " another PID namespace or container (ask on the host, or enter it with nsenter),"
            " or is protected from inspection"
        )
    if platform == "win32":
        return (
            f"to see it, from an elevated prompt: portwho {port}"
            f"   (or: netstat -ano | findstr :{port})"
        )
    if platform == "darwin":
        return f"to see it: sudo portwho {port}   (or: sudo lsof -nP -iTCP:{port} -iUDP:{port})"
    return f"to see it: sudo portwho {port}   (or: sudo ss -tulpn 'sport = :{port}')"
