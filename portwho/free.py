"""`portwho free`: the next port(s) a dev server could bind, proven by binding them.

A socket listing alone is not proof (Windows excluded ranges, sockets hidden from this user,
TIME_WAIT), so every candidate that the listing calls free is bound for real on the IPv4 and
IPv6 wildcards, without SO_REUSEADDR, and closed at once.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from portwho.errors import UsageError
from portwho.model import Protocol, Query
from portwho.ports import MAX_PORT

if TYPE_CHECKING:
    pass

#: the first port tried: 8000 is the everyday dev-server default (Django, http.server, uvicorn
#: on 8000; many others on 8080); below it sit 3000/5000/5432 that users already know by heart
DEFAULT_START = 8000

Span = tuple[int, int]


def skipped_spans(
    search: Span, *, explicit: bool, os_range: Span | None, excluded: Sequence[Span]
) -> list[Span]:
    """Spans never offered: Windows exclusions always; the ephemeral range unless the user
    asked for a --range (then they chose where to look)."""
    spans = list(excluded)
    if os_range is not None and not explicit:
        spans.append(os_range)
    return spans


def candidates(search: Span, skip: Sequence[Span], busy: set[int]) -> Iterator[int]:
    low, high = search
    for port in range(low, high + 1):
        if port in busy or any(a <= port <= b for a, b in skip):
            continue
        yield port


def search_span(start: int | None, span: Span | None) -> Span:
    if span is None:
        low = DEFAULT_START if start is None else start
        return low, MAX_PORT
    low, high = span
    if start is not None:
        if not low <= start <= high:
            raise UsageError(f"START {start} is outside --range {low}-{high}")
        low = start
    return low, high


def bindable(port: int, protocol: Protocol) -> bool:
    """Can a server bind 0.0.0.0:port and [::]:port right now (no SO_REUSEADDR)?"""
    kind = socket.SOCK_STREAM if protocol == "tcp" else socket.SOCK_DGRAM
    for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        try:
            sock = socket.socket(family, kind)
        except OSError:
            continue  # no IPv6 on this machine: nothing can hold the port there
        try:
            _strict(sock, family)
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                continue
            return False
        finally:
            sock.close()
    return True


def _strict(sock: socket.socket, family: int) -> None:
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # test IPv6 on its own
    exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
    if exclusive is not None:  # Windows: otherwise a bind may succeed beside a listener
        sock.setsockopt(socket.SOL_SOCKET, exclusive, 1)


def busy_ports(protocols: Sequence[Protocol]) -> set[int]:
    """Every local port the socket table shows for these protocols (one read, no enrichment):
    what `portwho PORT` would call in use, so free never offers one of them."""
    from portwho import core

    result = core.lookup(Query(protocols=frozenset(protocols)), enrich=False)
    return {s.local_port for s in result.sockets}


def find_free(
    start: int | None,
    *,
    count: int = 1,
    span: Span | None = None,
    protocols: Sequence[Protocol] = ("tcp", "udp"),
    platform: str = "linux",
) -> list[int]:
    """Ports no socket of `protocols` holds (so a lookup calls them free) and that bind now,
    in each of those protocols."""
    from portwho.system.ranges import ephemeral_range, excluded_ranges

    search = search_span(start, span)
    skip = skipped_spans(
        search,
        explicit=span is not None,
        os_range=ephemeral_range(platform),
        excluded=excluded_ranges(platform),
    )
    found: list[int] = []
    for port in candidates(search, skip, busy_ports(protocols)):
        if all(bindable(port, protocol) for protocol in protocols):
            found.append(port)
            if len(found) == count:
                break
    return found
