"""What a port IS, independent of who holds it: IANA class, the OS's ephemeral range, the IANA
services registered on it and the curated notes. Loaded only when shown."""

from __future__ import annotations

from portwho.model.record import Record
from portwho.ports import PortClass, port_class

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from typing import Any

_set = object.__setattr__


class PortFacts(Record):
    __slots__ = ("notes", "os_range", "port", "port_class", "services")
    FIELDS = ("port", "port_class", "os_range", "services", "notes")
    port: int
    port_class: PortClass
    os_range: tuple[int, int] | None
    services: tuple[tuple[str, str, str], ...]  # (name, protocol, description)
    notes: tuple[str, ...]

    def __init__(
        self,
        *,
        port: int,
        port_class: PortClass,
        os_range: tuple[int, int] | None,
        services: tuple[tuple[str, str, str], ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        _set(self, "port", port)
        _set(self, "port_class", port_class)
        _set(self, "os_range", os_range)
        _set(self, "services", services)
        _set(self, "notes", notes)

    @property
    def in_os_range(self) -> bool | None:
        if self.os_range is None:
            return None
        return self.os_range[0] <= self.port <= self.os_range[1]

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.port_class.name,
            "ephemeral_range": list(self.os_range) if self.os_range else None,
            "in_ephemeral_range": self.in_os_range,
            "services": [{"name": n, "protocol": p, "description": d} for n, p, d in self.services],
            "notes": list(self.notes),
        }


_OS_NAMES = {"darwin": "macOS", "linux": "Linux", "win32": "Windows"}


def facts_for(
    port: int,
    *,
    platform: str,
    os_range: tuple[int, int] | None,
    protocols: frozenset[str] = frozenset({"tcp", "udp"}),
    all_platforms: bool = False,
) -> PortFacts:
    from portwho import registry

    services = tuple(
        (s.name, s.protocol, s.description)
        for s in registry.services(port)
        if s.protocol in protocols
    )
    notes = tuple(
        f"({', '.join(_OS_NAMES.get(p, p) for p in n.platforms)}) {n.text}"
        if all_platforms and n.platforms
        else n.text
        for n in registry.notes(port, platform, all_platforms=all_platforms)
    )
    return PortFacts(
        port=port,
        port_class=port_class(port),
        os_range=os_range,
        services=services,
        notes=notes,
    )
