"""What a port is: IANA service registrations, everyday aliases and curated notes.

Nothing is read at import time. The IANA table (iana.tsv, built by scripts/build_registry.py)
is read on the first lookup and kept; because it is sorted by port, `services()` finds a port
with one `str.find` instead of building an index. The name index, the aliases and the notes are
built only when a name or note lookup first needs them.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources

PROTOCOLS = ("tcp", "udp")


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    name: str  # "" for a Reserved registration
    port: int
    protocol: str
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    text: str
    platforms: tuple[str, ...] = ()  # sys.platform values; empty = every platform


def _read(filename: str) -> str:
    return resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")


@cache
def _iana_text() -> str:
    return _read("iana.tsv")


def _data_lines(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def services(port: int, protocol: str | None = None) -> list[Service]:
    """Every IANA registration of `port` for `protocol` ("tcp"/"udp"), or both when None."""
    text = _iana_text()
    prefix = f"\n{port}\t"
    start = text.find(prefix)
    found: list[Service] = []
    while start != -1:
        end = text.find("\n", start + 1)
        _, proto, name, description = text[start + 1 : end].split("\t")
        if protocol is None or proto == protocol.lower():
            found.append(Service(name=name, port=port, protocol=proto, description=description))
        start = end if text.startswith(prefix, end) else -1
    return found


@cache
def _name_index() -> dict[str, list[tuple[int, str]]]:
    """lower-case IANA name -> [(port, protocol)] in table order (port, then protocol)."""
    index: dict[str, list[tuple[int, str]]] = {}
    for port, proto, name, _ in _data_lines(_iana_text()):
        if name:
            index.setdefault(name.lower(), []).append((int(port), proto))
    return index


@cache
def _aliases() -> dict[str, list[tuple[int, str]]]:
    aliases: dict[str, list[tuple[int, str]]] = {}
    for alias, port, protocols in _data_lines(_read("aliases.tsv")):
        entries = aliases.setdefault(alias.lower(), [])
        entries.extend((int(port), proto) for proto in protocols.split(","))
    return aliases


def _system_services(name: str) -> list[tuple[int, str]]:
    """Last resort: the machine's services database (/etc/services via NSS)."""
    found: list[tuple[int, str]] = []
    for proto in PROTOCOLS:
        try:
            found.append((socket.getservbyname(name, proto), proto))
        except (OSError, ValueError, UnicodeError):
            continue  # unknown name for this protocol, or a name the C library rejects
    return found


def ports_for_name(name: str) -> list[tuple[int, str]]:
    """Case-insensitive service name or everyday alias -> [(port, protocol)], sorted.

    IANA names and curated aliases are merged; the system services file is asked only when
    neither knows the name. [] means nobody knows it.
    """
    key = name.strip().lower()
    found = {*_name_index().get(key, ()), *_aliases().get(key, ())}
    if not found and key:
        found.update(_system_services(key))
    return sorted(found)


def port_for_service(name: str, protocol: str) -> int | None:
    """Map a service name printed by lsof/netstat (from that machine's /etc/services) back to
    its port. A curated alias wins (it settles names IANA gives several ports, like http-alt);
    then an IANA registration for `protocol`, then for any protocol (old services files list
    udp twins that IANA no longer does), the lowest port first; then this machine's file."""
    key, proto = name.strip().lower(), protocol.lower()
    for candidates in (_aliases().get(key, []), _name_index().get(key, [])):
        same = [port for port, p in candidates if p == proto]
        if same or candidates:
            return min(same) if same else min(port for port, _ in candidates)
    system = _system_services(key) if key else []
    same = [port for port, p in system if p == proto]
    return same[0] if same else (system[0][0] if system else None)


@cache
def _notes() -> list[tuple[int, int, Note]]:
    table: list[tuple[int, int, Note]] = []
    for ports, platforms, text in _data_lines(_read("notes.tsv")):
        first, _, last = ports.partition("-")
        where = () if platforms == "*" else tuple(platforms.split(","))
        table.append((int(first), int(last or first), Note(text=text, platforms=where)))
    return table


def notes(port: int, platform: str | None = None, *, all_platforms: bool = False) -> list[Note]:
    """Curated notes for `port`: notes for every platform, plus those for `platform`
    (default: this one, sys.platform). `all_platforms=True` shows every OS's notes."""
    here = _platform_key(platform or sys.platform)
    return [
        note
        for first, last, note in _notes()
        if first <= port <= last and (all_platforms or not note.platforms or here in note.platforms)
    ]


def _platform_key(platform: str) -> str:
    """ "linux2", "cygwin" and friends -> the keys the notes file uses."""
    for key, prefixes in (("linux", ("linux",)), ("win32", ("win", "cygwin", "msys"))):
        if platform.startswith(prefixes):
            return key
    return platform
