"""Port specs from the command line, IANA range classes, and this OS's ephemeral range."""

from __future__ import annotations

from portwho.errors import UsageError
from portwho.model import Protocol, Spec
from portwho.model.record import Record

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


MAX_PORT = 65535
WELL_KNOWN = (0, 1023)
REGISTERED = (1024, 49151)
DYNAMIC = (49152, 65535)
_HINT = (
    "give a port (1-65535), a range like 8000-8100, a service name like http, or"
    " ADDRESS:PORT, PORT/udp"
)


class PortClass(Record):
    __slots__ = ("high", "low", "name")
    FIELDS = ("name", "low", "high")
    name: str  # "well-known" | "registered" | "dynamic"
    low: int
    high: int

    def __init__(self, name: str, low: int, high: int) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def describe(self) -> str:
        return f"IANA {self.name} range ({self.low}-{self.high})"


def port_class(port: int) -> PortClass:
    for name, (low, high) in (
        ("well-known", WELL_KNOWN),
        ("registered", REGISTERED),
        ("dynamic", DYNAMIC),
    ):
        if low <= port <= high:
            return PortClass(name, low, high)
    raise ValueError(f"not a port: {port}")


def _check_port(value: int, text: str) -> int:
    if value == 0:
        raise UsageError(
            ("port 0" if text == "0" else f"port 0 in {text!r}")
            + " is not a real port: binding to 0 asks the OS for any free port,"
            " so nothing ever listens on 0; give a port from 1 to 65535"
        )
    if value > MAX_PORT:
        raise UsageError(f"port {value} is out of range: ports are 1-65535")
    return value


def _number(text: str) -> int | None:
    if text.isdecimal() and not text.isascii():
        raise UsageError(f"{text!r} uses non-ASCII digits; type the port with 0-9")
    return int(text) if text.isdecimal() else None


def parse_spec(text: str, names: Callable[[str], list[int]] | None = None) -> list[int]:
    """One command-line word -> the ports it names. Raises UsageError with the fix."""
    spec = text.strip()
    if not spec:
        raise UsageError(f"empty port argument; {_HINT}")
    if spec.startswith("-") and spec[1:].isdecimal():
        raise UsageError(f"{spec} is not a port: ports are 1-65535")
    number = _number(spec)
    if number is not None:
        return [_check_port(number, spec)]
    parts = _range_parts(spec)
    if parts and parts[0].isascii() and parts[1].isascii():
        low, high = (_check_port(int(g), spec) for g in parts)
        if low > high:
            raise UsageError(f"range {spec} is backwards; write {high}-{low}")
        return list(range(low, high + 1))
    found = (names or service_ports)(spec)
    if not found:
        raise UsageError(f"unknown port or service name {spec!r}; {_HINT}")
    return found


def parse_specs(texts: Iterable[str]) -> frozenset[int]:
    """Every port the words name (addresses and /tcp, /udp ignored): for verbs that act on
    whole ports."""
    return frozenset(p for spec in port_specs(texts) for p in spec.ports)


def port_specs(texts: Iterable[str]) -> tuple[Spec, ...]:
    """The words as typed -> one Spec each; commas separate specs inside a word."""
    return tuple(one_spec(part, text) for text in texts for part in text.split(","))


def one_spec(text: str, word: str | None = None) -> Spec:
    """`8000`, `:8000`, `localhost:8000`, `127.0.0.1:8000`, `[::1]:8000`, `8000/udp`, ranges
    and service names, each optionally with an address and a /tcp or /udp suffix."""
    spec = text.strip()
    if not spec and word is not None and word.strip():
        raise UsageError(f"empty port between commas in {word!r}; write 8000,8001")
    rest, protocol = _protocol(spec)
    addresses, rest = _address(rest, spec)
    return Spec(
        text=spec, ports=frozenset(parse_spec(rest)), addresses=addresses, protocol=protocol
    )


def _protocol(spec: str) -> tuple[str, Protocol | None]:
    head, sep, tail = spec.rpartition("/")
    if not sep:
        return spec, None
    if tail.lower() == "tcp":
        return head, "tcp"
    if tail.lower() == "udp":
        return head, "udp"
    raise UsageError(f"unknown protocol {tail!r} in {spec!r}; write PORT/tcp or PORT/udp")


def _range_parts(spec: str) -> tuple[str, str] | None:
    """`8000-8100`, `8000:8100` (spaces around the dash or colon allowed) -> the two numbers'
    texts, any digits; None for anything else. String methods, not re: importing re (and
    enum under it) was most of what `portwho 8000-8100` spent before its lookup."""
    for sep in "-:":
        low, found, high = spec.partition(sep)
        if found and low.rstrip().isdecimal() and high.lstrip().isdecimal():
            return low.rstrip(), high.lstrip()
    return None


def _address(spec: str, whole: str) -> tuple[frozenset[str] | None, str]:
    """(the addresses a socket may be bound to for `spec`, the port part)."""
    if spec.startswith("["):
        host, sep, rest = spec[1:].partition("]:")
        if not sep:
            raise UsageError(f"{whole!r}: write an IPv6 address and port as [::1]:8000")
        return _served_by(host, whole), rest
    if ":" not in spec or _range_parts(spec):
        return None, spec
    host, _, rest = spec.rpartition(":")
    if ":" in host:
        raise UsageError(f"{whole!r}: put an IPv6 address in brackets, as in [::1]:8000")
    if host in ("", "*"):
        return None, rest  # lsof's :8000 and *:8000: any address
    return _served_by(host, whole), rest


def _served_by(host: str, whole: str) -> frozenset[str]:
    """The address and the wildcards whose sockets also answer on it."""
    if host.lower() == "localhost":
        return frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0", "::"})
    import ipaddress

    try:
        ip = ipaddress.ip_address(host.split("%", maxsplit=1)[0])
    except ValueError:
        raise UsageError(
            f"{host!r} in {whole!r} is not an IP address; give 127.0.0.1:8000, [::1]:8000 or"
            " localhost:8000"
        ) from None
    if ip.version == 4:
        return frozenset({str(ip), f"::ffff:{ip}", "0.0.0.0", "::"})
    return frozenset({str(ip), "::"})


def service_ports(name: str) -> list[int]:
    """Ports of a service name (IANA table, everyday aliases); [] when unknown."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.+-]*", name):
        return []
    from portwho import registry

    return sorted({port for port, _proto in registry.ports_for_name(name)})
