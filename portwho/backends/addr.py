"""Address helpers shared by the parsers: canonical wildcards, families, host:port splitting."""

from __future__ import annotations

import ipaddress
import re

from portwho.errors import ParseError
from portwho.model import Family

_V4_WILDCARDS = {"*", "0.0.0.0", ""}
_V6_WILDCARDS = {"::", "[::]", "*"}
_ZONE = re.compile(r"%[^\]]*")


def family_of(address: str) -> Family:
    return "ipv6" if ":" in address else "ipv4"


def canonical(address: str, family: Family | None = None) -> str:
    """One spelling per address, so records from every backend share one key.

    Brackets and zone ids go wherever the tool put them (`[fe80::1%11]`, `[fe80::1]%eth0`,
    `127.0.0.53%lo`); wildcards become "0.0.0.0" / "::"; an IPv4-mapped IPv6 address keeps its
    dotted tail (`::ffff:127.0.0.1`, as inet_ntop and psutil print it, where Python's ipaddress
    would say `::ffff:7f00:1`).
    """
    addr = _ZONE.sub("", address.strip())
    if addr.startswith("[") and addr.endswith("]"):
        addr = addr[1:-1]
    if family is None:
        family = family_of(addr)
    if addr in _V4_WILDCARDS or (family == "ipv6" and addr in _V6_WILDCARDS):
        return "::" if family == "ipv6" else "0.0.0.0"
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr  # a host name (lsof/netstat without -n): keep it as printed
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def remote_or_none(address: str, port: int | None) -> tuple[str | None, int | None]:
    """A wildcard peer ("*:*", "0.0.0.0:0", "[::]:0") becomes (None, None)."""
    if port in (None, 0):
        return None, None
    return canonical(address), port


def split_host_port(text: str) -> tuple[str, int | None]:
    """Split "1.2.3.4:80", "[::1]:80", "*:80", ":::80" (netstat v6) or "*:*" at the last colon.

    The port is None for "*". Raises ParseError when there is no port part.
    """
    host, sep, port = text.rpartition(":")
    if not sep:
        raise ParseError(f"no port in address {text!r}")
    if port == "*":
        return host, None
    if not port.isdecimal() or not port.isascii():
        raise ParseError(f"bad port in address {text!r}")
    value = int(port)
    if value > 65535:
        raise ParseError(f"port out of range in address {text!r}")
    return host, value


def service_port(name: str, protocol: str) -> int | None:
    """Map a service name printed instead of a port (lsof without -P, netstat without -n) back
    to its number through the shipped IANA table, or None when nobody knows the name."""
    if name.isdecimal() and name.isascii():
        return int(name)
    from portwho import registry

    return registry.port_for_service(name, protocol)


def host(text: str, family: Family) -> str:
    """canonical(), plus one net-tools quirk: on a tcp6 row netstat prints an IPv4-mapped
    address as plain `127.0.0.1`; the family says it is really `::ffff:127.0.0.1`."""
    value = canonical(text, family)
    if family == "ipv6" and "." in value and ":" not in value and value != "0.0.0.0":
        return f"::ffff:{value}"
    return value
