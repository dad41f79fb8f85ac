"""The macOS ephemeral port range, from sysctl.

`sysctl -n net.inet.ip.portrange.first net.inet.ip.portrange.last` prints two numbers, one a
line. The macOS default is 49152-65535 (IANA's dynamic range); administrators can change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portwho.errors import BackendFailed, ParseError

if TYPE_CHECKING:
    from portwho._run import Runner

MACOS_DEFAULT = (49152, 65535)
ARGV = ("sysctl", "-n", "net.inet.ip.portrange.first", "net.inet.ip.portrange.last")
_TIMEOUT = 3.0


def parse_range(text: str) -> tuple[int, int]:
    """Two port numbers, first <= last, else ParseError."""
    values = text.split()
    if len(values) != 2 or not all(v.isdecimal() and v.isascii() for v in values):
        raise ParseError(f"expected two port numbers from sysctl, got {text.strip()[:80]!r}")
    first, last = int(values[0]), int(values[1])
    if not 0 < first <= last <= 65535:
        raise ParseError(f"not a port range: {first}-{last}")
    return first, last


def ephemeral_range(runner: Runner) -> tuple[int, int]:
    """The range this Mac hands out; raises ToolMissing / ToolTimeout / BackendFailed.

    The caller decides whether to fall back to MACOS_DEFAULT (and should say so).
    """
    done = runner(list(ARGV), _TIMEOUT)
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[:1] or [""]
        raise BackendFailed(f"sysctl exited with status {done.returncode}: {reason[0]}")
    return parse_range(done.stdout)
