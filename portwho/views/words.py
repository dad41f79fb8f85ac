"""Wording every view shares: endpoints, roles, ages, command lines, the port's range."""

from __future__ import annotations

import time

from portwho.model import Reason

TYPE_CHECKING = False  # not typing's: `portwho PORT` imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import ModuleType

    from portwho.facts import PortFacts
    from portwho.model import PortReport, Socket


def bracketed(address: str) -> str:
    """An address as it is printed before a port: IPv6 in brackets."""
    return f"[{address}]" if ":" in address else address


def endpoint(address: str, port: int | None) -> str:
    return f"{bracketed(address)}:{port if port is not None else '*'}"


def proto_label(sock: Socket) -> str:
    return sock.protocol + ("6" if sock.family == "ipv6" else "4")


def role(sock: Socket) -> str:
    if sock.protocol == "udp":
        if sock.remote_address is None:
            return "bound (udp)"
        return f"udp to {endpoint(sock.remote_address, sock.remote_port)}"
    if sock.state == "LISTEN":
        return "listening"
    peer = endpoint(sock.remote_address or "?", sock.remote_port)
    if sock.state == "ESTABLISHED":
        return f"connected to {peer}"
    return f"{sock.state or 'unknown state'} with {peer}"


def uptime(started: float | None, now: float | None = None) -> str | None:
    if started is None:
        return None
    secs = max(0, int((now or time.time()) - started))
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    mins, secs = divmod(rem, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins}m"
    return f"{mins}m {secs}s" if mins else f"{secs}s"


def started_at(started: float | None) -> str | None:
    if started is None:
        return None
    fmt = "%H:%M" if time.time() - started < 86400 else "%Y-%m-%d %H:%M"
    return time.strftime(fmt, time.localtime(started))


def command_text(cmdline: Sequence[str]) -> str:
    """A command line as a shell would show it, on one line (control characters escaped)."""
    blank = any(a == "" or " " in a for a in cmdline)
    text = " ".join(map(quote, cmdline)) if blank else " ".join(cmdline)
    return text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text


#: what shlex.quote leaves bare (`[\w@%+=:,./-]` with re.ASCII)
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def quote(arg: str) -> str:
    """shlex.quote without importing shlex (it brings re); a test holds the two equal."""
    if not arg:
        return "''"
    if _SAFE.issuperset(arg):
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def _native() -> ModuleType:
    """portwho.system.native, imported only for the verdicts that need advice."""
    from portwho.system import native

    return native


def range_words(f: PortFacts) -> str:
    text = f.port_class.describe()
    if f.os_range is None:
        return text
    low, high = f.os_range
    where = "inside" if f.in_os_range else "outside"
    return f"{text}, {where} this machine's ephemeral range ({low}-{high})"


def hint(report: PortReport, platform: str, host: str | None = None) -> str | None:
    """What to do about a port's verdict, in words: the command that reveals a hidden owner,
    what a Windows excluded range means, why "free" is only "free here". For another machine
    (`host`), the command to run there."""
    words = _HINTS.get(report.reason)
    return words(report, platform, host) if words else None


def _closing(report: PortReport, platform: str, host: str | None) -> str:
    count = report.detail[0] if report.detail else 0
    return f"{count} closing connection(s) in TIME_WAIT; no process owns them"


def _excluded(report: PortReport, platform: str, host: str | None) -> str | None:
    if len(report.detail) != 2:
        return None
    from portwho.system import netsh  # only here: it imports re and _run

    return netsh.reserved_hint(report.port, [(report.detail[0], report.detail[1])])


_HINTS: dict[Reason, Callable[[PortReport, str, str | None], str | None]] = {
    Reason.OWNER_NEEDS_PRIVILEGE: lambda r, plat, host: _reveal(r.port, plat, host),
    Reason.OWNER_OUT_OF_REACH: lambda r, plat, host: _native().reveal_hint(
        r.port, plat, privileged=True
    ),
    Reason.OWNER_NOT_IN_INPUT: lambda r, plat, host: (
        "the saved output names no owner for it: capture it again as root with the owner"
        " option (ss -tulpn, netstat -tulpn, lsof -nP -i, netstat -ano on Windows)"
    ),
    Reason.ONLY_OWN_SOCKETS: lambda r, plat, host: (
        "only this user's sockets could be seen; " + _native().reveal_hint(r.port, plat)
    ),
    Reason.CLOSING_ONLY: _closing,
    Reason.EXCLUDED_RANGE: _excluded,
    Reason.UNKNOWN_NAMES: lambda r, plat, host: (
        f"{r.detail[0] if r.detail else 'some'} row(s) of the saved output give their port as a"
        " service name this machine does not know, so any port may be theirs: save it with"
        " numeric ports (lsof -nP, ss -n, netstat -n) and ask again"
    ),
    Reason.HELD_BY_OTHERS: lambda r, plat, host: (
        f"held by pid {', '.join(map(str, r.detail))}, which the --pid/--process/--user"
        " filters leave out"
    ),
}


def _reveal(port: int, platform: str, host: str | None) -> str:
    if host is None:
        return str(_native().reveal_hint(port, platform))
    return remote_hint(host, port, platform)


def remote_hint(host: str, port: int, platform: str) -> str:
    """How to name a hidden owner on another machine: the same question, as root, over ssh."""
    import shlex

    quoted = shlex.quote(host)
    if platform == "win32":
        return f"to see it: ask from an elevated session on {host}: portwho {port}"
    native_cmd = {
        "darwin": f"sudo lsof -nP -iTCP:{port} -iUDP:{port}",
        "freebsd": f"sudo sockstat -46 -p {port}",
    }.get(platform, f"\"sudo ss -tulpn 'sport = :{port}'\"")
    return f"to see it: ssh {quoted} sudo portwho {port}   (or: ssh {quoted} {native_cmd})"
