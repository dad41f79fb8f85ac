"""The port ranges this OS sets aside: its ephemeral (outgoing) range, and on Windows the
excluded port ranges that nobody can bind. The one reader of both."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable

    from portwho._run import Runner

Span = tuple[int, int]

LINUX_RANGE_FILE = "/proc/sys/net/ipv4/ip_local_port_range"
#: platform -> module with `ephemeral_range(runner) -> tuple[int, int]`
_READERS = {"darwin": "portwho.system.sysctl", "win32": "portwho.system.netsh"}


def parse_linux_range(text: str) -> tuple[int, int]:
    fields = text.split()
    if len(fields) != 2 or not all(f.isdecimal() for f in fields):
        raise ValueError(f"unexpected ip_local_port_range: {text!r}")
    return int(fields[0]), int(fields[1])


def ephemeral_range(platform: str, runner: Runner | None = None) -> tuple[int, int] | None:
    """This machine's ephemeral (outgoing) port range, or None when it cannot be read."""
    if platform == "linux":
        try:  # one raw read: the file is two numbers, and a text file object costs 5 syscalls more
            fd = os.open(LINUX_RANGE_FILE, os.O_RDONLY)
            try:
                return parse_linux_range(os.read(fd, 256).decode("ascii"))
            finally:
                os.close(fd)
        except (OSError, ValueError):
            return None
    if platform not in _READERS:
        return None
    import importlib

    from portwho._run import run
    from portwho.errors import BackendFailed, BackendUnavailable

    try:
        module = importlib.import_module(_READERS[platform])
        reader: Callable[[Runner], tuple[int, int]] = module.ephemeral_range
        return reader(runner or run)
    except (ImportError, AttributeError, BackendFailed, BackendUnavailable):
        return None


def excluded_ranges(platform: str, runner: Runner | None = None) -> list[Span]:
    """Windows excluded port ranges (netsh), or [] elsewhere or when they cannot be read."""
    if platform != "win32":
        return []
    import importlib

    from portwho._run import run
    from portwho.errors import BackendFailed, BackendUnavailable

    try:
        module = importlib.import_module("portwho.system.netsh")
        return [(int(a), int(b)) for a, b in module.excluded_ranges(runner or run)]
    except (ImportError, AttributeError, TypeError, ValueError, BackendFailed, BackendUnavailable):
        return []
