"""Address spelling shared by the Linux text parsers (ss, netstat), on top of backends.addr."""

from __future__ import annotations

import ipaddress
import re

from portwho.backends import addr
from portwho.model import Family

_ZONE = re.compile(r"%[^\]]*")


def host(text: str, family: Family) -> str:
    """Canonical address as psutil spells it, so records from every backend share one key.

    Zone ids are dropped wherever the tool put them (`[fe80::1]%eth0`, `127.0.0.53%lo`), and an
    IPv4-mapped IPv6 address keeps its dotted tail (`::ffff:127.0.0.1`, as inet_ntop prints it,
    where Python's ipaddress would say `::ffff:7f00:1`). net-tools prints a mapped address on a
    tcp6 row as plain `127.0.0.1`; the family says it is really `::ffff:127.0.0.1`.
    """
    value = addr.canonical(_ZONE.sub("", text), family)
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return value  # a host name (netstat without -n): keep it as printed
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    if family == "ipv6" and isinstance(ip, ipaddress.IPv4Address) and not ip.is_unspecified:
        return f"::ffff:{ip}"
    return value
