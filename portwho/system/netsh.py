"""Windows `netsh`: the dynamic (ephemeral) port range and the excluded port ranges.

Hyper-V, WSL 2, Docker Desktop and WinNAT reserve blocks of ports ("excluded port ranges"):
nobody listens on them, yet bind() fails with WSAEACCES. portwho reports such a port as RESERVED
rather than free. netsh localizes its labels, so only the numbers are read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from portwho._run import check_ok
from portwho.errors import ParseError

if TYPE_CHECKING:
    from portwho._run import Runner

TIMEOUT = 5.0
_LABELLED_NUMBER = re.compile(r"^\s*[^\s:][^:]*:\s*(\d+)\s*$")  # "Start Port      : 49152"
_RANGE_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s*(\*)?\s*$")  # "     50000       50059     *"
_SEPARATOR = re.compile(r"^\s*-{3,}[\s-]*$")


def parse_dynamicport(text: str) -> tuple[int, int]:
    """`netsh int ipv4 show dynamicport tcp` -> (first, last) port of the ephemeral range."""
    numbers = [int(m[1]) for m in map(_LABELLED_NUMBER.match, text.splitlines()) if m]
    if len(numbers) != 2:
        raise ParseError(f"expected a start port and a count, found {len(numbers)} numbers")
    start, count = numbers
    if not (1 <= start <= 65535 and count >= 1 and start + count - 1 <= 65535):
        raise ParseError(f"not a port range: start {start}, {count} ports")
    return start, start + count - 1


def parse_excluded(text: str) -> list[tuple[int, int, bool]]:
    """`netsh int ipv4 show excludedportrange protocol=tcp` -> (start, end, administered).

    `administered` is the trailing `*`: a range an administrator added (persistent), as opposed
    to one a service such as WinNAT reserved at boot.
    """
    lines = text.splitlines()
    if not any(_SEPARATOR.match(line) for line in lines):
        raise ParseError("no table separator: not netsh excludedportrange output")
    ranges = []
    for match in filter(None, map(_RANGE_ROW.match, lines)):
        start, end = int(match[1]), int(match[2])
        if not 0 <= start <= end <= 65535:
            raise ParseError(f"not a port range: {start}-{end}")
        ranges.append((start, end, match[3] is not None))
    return ranges


def ephemeral_range(runner: Runner, protocol: str = "tcp") -> tuple[int, int]:
    argv = ("netsh", "int", "ipv4", "show", "dynamicport", _checked(protocol))
    done = runner(argv, TIMEOUT)
    return parse_dynamicport(check_ok(done.stdout, done.returncode, "netsh"))


def excluded_ranges(runner: Runner, protocol: str = "tcp") -> list[tuple[int, int]]:
    argv = ("netsh", "int", "ipv4", "show", "excludedportrange", f"protocol={_checked(protocol)}")
    done = runner(argv, TIMEOUT)
    text = check_ok(done.stdout, done.returncode, "netsh")
    return [(start, end) for start, end, _ in parse_excluded(text)]


def _checked(protocol: str) -> str:
    if protocol not in ("tcp", "udp"):
        raise ValueError(f"protocol must be tcp or udp, not {protocol!r}")
    return protocol


def excluded_span(port: int, ranges: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The excluded range that holds `port`, or None."""
    return next(((start, end) for start, end in ranges if start <= port <= end), None)


def reserved_hint(port: int, ranges: list[tuple[int, int]]) -> str | None:
    """The fix for a port inside an excluded range, or None when the port is not excluded."""
    hit = excluded_span(port, ranges)
    if hit is None:
        return None
    start, end = hit
    return (
        f"port {port} is inside the range {start}-{end} that Windows excluded "
        "(usually Hyper-V/WSL/Docker through WinNAT). To release it, in an elevated shell: "
        "`net stop winnat` then `net start winnat`. To keep the port for yourself, run "
        f"`netsh int ipv4 add excludedportrange protocol=tcp startport={port} numberofports=1` "
        "while winnat is stopped. Or move the dynamic range out of the way: "
        "`netsh int ipv4 set dynamicport tcp start=49152 num=16384`."
    )
