"""Units that are not in the cgroup: a systemd `.socket` (a port held by pid 1 is socket
activation), launchd jobs (`launchctl list`) and Windows services (`tasklist /svc`).

Parsers are pure; the two tools run only when an owner's parent is launchd, or the owner is a
service host on Windows, never on a plain lookup.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from portwho.errors import BackendFailed, BackendUnavailable

if TYPE_CHECKING:
    from portwho._run import Runner

#: systemd's unit search path, highest precedence first (systemd.unit(5))
UNIT_DIRS: tuple[str, ...] = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)
_LISTEN = {"ListenStream": "tcp", "ListenDatagram": "udp"}
LAUNCHCTL_ARGV = ("launchctl", "list")
TASKLIST_SVC_ARGV = ("tasklist", "/SVC", "/FO", "CSV", "/NH")


def socket_ports(text: str) -> set[tuple[str, int]]:
    """(protocol, port) of every ListenStream= / ListenDatagram= in a .socket unit."""
    found: set[tuple[str, int]] = set()
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line
            continue
        key, _, value = line.partition("=")
        if section != "[Socket]" or key.strip() not in _LISTEN:
            continue
        port = value.strip().rsplit(":", 1)[-1]  # "22", "0.0.0.0:22", "[::]:22"; paths fail
        if port.isascii() and port.isdecimal():
            found.add((_LISTEN[key.strip()], int(port)))
    return found


def socket_unit(protocol: str, port: int, dirs: Iterable[str] | None = None) -> str | None:
    """The .socket unit that listens on the port (first by systemd's precedence), or None."""
    seen: set[str] = set()
    for folder in UNIT_DIRS if dirs is None else dirs:
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".socket"))
        except OSError:
            continue
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            try:
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            if (protocol, port) in socket_ports(text):
                return name
    return None


def launchd_labels(text: str) -> dict[int, str]:
    """`launchctl list`: PID, last exit status, label, tab-separated; "-" for no pid."""
    found: dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].isascii() and parts[0].isdecimal():
            found[int(parts[0])] = parts[2].strip()
    return found


def windows_services(text: str) -> dict[int, tuple[str, ...]]:
    """`tasklist /SVC /FO CSV /NH`: image, pid, services ("A,B" or "N/A")."""
    found: dict[int, tuple[str, ...]] = {}
    for row in csv.reader(text.lstrip("\ufeff").splitlines()):
        if len(row) >= 3 and row[1].isascii() and row[1].isdecimal() and row[2] != "N/A":
            found[int(row[1])] = tuple(s.strip() for s in row[2].split(",") if s.strip())
    return found


def ask(runner: Runner, argv: tuple[str, ...]) -> str | None:
    """The tool's output, or None when it is missing, fails or hangs (context is optional)."""
    try:
        done = runner(argv, 3.0)
    except (BackendUnavailable, BackendFailed):
        return None
    return done.stdout if done.returncode == 0 else None
