"""Address spelling shared by the Linux text parsers (ss, netstat), on top of backends.addr."""

from __future__ import annotations

from portwho.backends import addr
from portwho.model import Family


def host(text: str, family: Family) -> str:
    """addr.canonical, plus one net-tools quirk: on a tcp6 row netstat prints an IPv4-mapped
    address as plain `127.0.0.1`; the family says it is really `::ffff:127.0.0.1`."""
    value = addr.canonical(text, family)
    if family == "ipv6" and "." in value and ":" not in value and value != "0.0.0.0":
        return f"::ffff:{value}"
    return value
