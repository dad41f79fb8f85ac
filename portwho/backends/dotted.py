"""Endpoints as the BSD tools print them: host and port joined by a dot.

`127.0.0.1.8080`, `fe80::1%lo0.49152`, `*.443`, `*.*`, and without -n `localhost.smtp`,
`40.77.18.167.https` (service names go back to numbers through the IANA table and the services
file, per protocol). A dotted quad alone (`127.0.0.1`) has no port. Used by macOS and FreeBSD
netstat and NetBSD sockstat; the family is the caller's (its label or the address form).

Without -W, netstat prints each endpoint in a fixed-width column and cuts what does not fit
(`2600:1700:bab0:d.5` for `2600:1700:bab0:d...:443.54861`): such a value is kept as printed and
the caller flags it (`cut_at`), never repaired by guessing.
"""

from __future__ import annotations

import re

from portwho.backends import addr
from portwho.backends.rows import Parsed, port_or_note
from portwho.errors import ParseError
from portwho.model import Family, Protocol

ENDPOINT = re.compile(r"(.+)\.(\d+|\*|[A-Za-z][\w-]*)")
_DOTTED = re.compile(r"[\d.]+")


def split(text: str) -> tuple[str, str]:
    match = ENDPOINT.fullmatch(text)
    if match is None:
        raise ParseError(f"address without a port: {text!r}")
    host, port = match.groups()
    if _DOTTED.fullmatch(host) and host.count(".") != 3:
        raise ParseError(f"address without a port: {text!r}")  # "127.0.0.1" alone
    return host, port


def local(
    text: str, family: Family, protocol: Protocol, parsed: Parsed | None = None
) -> tuple[str, int]:
    host, port = split(text)
    if port == "*":
        raise ParseError(f"local address without a port: {text!r}")
    return addr.canonical(host, family), port_or_note(port, protocol, parsed, text)


def remote(
    text: str, family: Family, protocol: Protocol, parsed: Parsed | None = None
) -> tuple[str | None, int | None]:
    host, port = split(text)
    if port == "*":
        return None, None
    number = port_or_note(port, protocol, parsed, text)
    return addr.remote_or_none(addr.canonical(host, family), number)


def family_from(label_family: Family | None, host_text: str) -> Family:
    """The label's family when it has one (tcp4, tcp6, tcp46); else the address form."""
    if label_family is not None:
        return label_family
    host = split(host_text)[0]
    return "ipv6" if ":" in host else "ipv4"


def cut_at(words: list[str], width: int | None) -> bool:
    """True when an endpoint fills its whole column: netstat may have cut it there."""
    return width is not None and any(len(w) >= width for w in words)


def cut_note(width: int) -> str:
    return (
        f"some addresses fill netstat's {width}-column field and may be cut (rerun netstat "
        "with -W): they are kept as printed"
    )
