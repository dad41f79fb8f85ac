"""What a port is: IANA service registrations, everyday aliases and curated notes.

Nothing is read at import time, and no index is ever built for the IANA table (iana.tsv, built
by scripts/build_registry.py, sorted by port). `services()` binary-searches it on disk for the
first few ports a run asks (a dozen small preads: reading and decoding the whole 470 KB costs a
tenth of a whole `portwho PORT --json`), then reads it once and searches the text; a name
lookup is a `bytes.find` for "<TAB>proto<TAB>name<TAB>" in a lower-cased copy. Aliases and notes
are tiny, parsed on first use.
"""

from __future__ import annotations

import os
import sys

from portwho.model.record import Record

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

PROTOCOLS = ("tcp", "udp")
#: os.path, not pathlib: pathlib's import (with fnmatch, re and urllib) costs more than a lookup
_HERE = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120
_set = object.__setattr__


class Service(Record):
    __slots__ = ("description", "name", "port", "protocol")
    FIELDS = ("name", "port", "protocol", "description")
    name: str  # "" for a Reserved registration
    port: int
    protocol: str
    description: str

    def __init__(self, *, name: str, port: int, protocol: str, description: str) -> None:
        _set(self, "name", name)
        _set(self, "port", port)
        _set(self, "protocol", protocol)
        _set(self, "description", description)


class Note(Record):
    __slots__ = ("platforms", "text")
    FIELDS = ("text", "platforms")
    text: str
    platforms: tuple[str, ...]  # sys.platform values; empty = every platform

    def __init__(self, *, text: str, platforms: tuple[str, ...] = ()) -> None:
        _set(self, "text", text)
        _set(self, "platforms", platforms)


def once(read: Callable[[], T]) -> Callable[[], T]:
    """`read()` on the first call, its value ever after (functools.cache without importing
    functools, which brings collections: a lookup that shows no registry data loads neither).
    `.loaded` holds the value once read."""
    box: list[T] = []

    def get() -> T:
        if not box:
            box.append(read())
        return box[0]

    get.loaded = box  # type: ignore[attr-defined]
    return get


def _path(filename: str) -> str:
    return os.path.join(_HERE, filename)  # noqa: PTH118


def _read(filename: str) -> str:
    with open(_path(filename), encoding="utf-8") as handle:
        return handle.read()


@once
def _iana_text() -> str:
    return _read("iana.tsv")


def _data_lines(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _port_at(text: str, line_start: int) -> int:
    return int(text[line_start : text.find("\t", line_start)])


def _seek(text: str, port: int) -> int:
    """Offset of the first line whose port is >= `port` (len(text) when there is none). `lo`
    and `hi` are always line starts; the header line guarantees text[lo - 1] == "\n"."""
    lo, hi = text.find("\n") + 1, len(text)
    while lo < hi:
        line = text.rfind("\n", lo - 1, (lo + hi) // 2) + 1  # a line start in [lo, mid]
        if _port_at(text, line) < port:
            lo = text.find("\n", line) + 1
        else:
            hi = line
    return lo


def _lines_in_text(port: int) -> list[str]:
    text, found = _iana_text(), []
    start = _seek(text, port)
    while start < len(text) and _port_at(text, start) == port:
        found.append(text[start : text.find("\n", start)])
        start += len(found[-1]) + 1
    return found


#: bytes per probe of the table on disk: more than its longest line (a test holds it so)
PROBE = 512
#: ports searched on disk before the table is read whole: a range's summary may show thousands
#: of ports, where one read and a search in memory each cost less than a dozen preads
ON_DISK_MAX = 8
_on_disk: list[int] = []


def services(port: int, protocol: str | None = None) -> list[Service]:
    """Every IANA registration of `port` for `protocol` ("tcp"/"udp"), or both when None."""
    lines = None
    if len(_on_disk) < ON_DISK_MAX and not _iana_text.loaded:  # type: ignore[attr-defined]
        _on_disk.append(port)
        lines = lines_on_disk(_path("iana.tsv"), port)
    rows = [line.split("\t") for line in (_lines_in_text(port) if lines is None else lines)]
    return [Service(name=name, port=port, protocol=proto, description=description)
            for _, proto, name, description in rows
            if protocol is None or proto == protocol.lower()]  # fmt: skip


def lines_on_disk(path: str, port: int) -> list[str] | None:
    """The lines of `port` in a table sorted by port, found by binary search with preads; None
    when it cannot be searched so (unreadable, or a line longer than PROBE)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        start = _seek_fd(fd, os.fstat(fd).st_size, port)
        return None if start is None else _read_port(fd, start, port)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    finally:
        os.close(fd)


def _seek_fd(fd: int, size: int, port: int) -> int | None:
    """A line start at most 2 * PROBE bytes before the first line whose port is >= `port`.
    Every line before `lo` holds a smaller port, every line from `hi` on a port >= `port`."""
    lo, hi = os.pread(fd, PROBE, 0).find(b"\n") + 1, size  # past the header line
    while lo and hi - lo > 2 * PROBE:
        mid = (lo + hi) // 2
        chunk = os.pread(fd, PROBE + 8, mid)  # + the next line's port (5 digits) and its tab
        newline = chunk.find(b"\n", 0, PROBE)
        if newline < 0:
            return None
        line = mid + newline + 1  # in (mid, mid + PROBE]: strictly inside (lo, hi)
        if int(chunk[newline + 1 : chunk.index(b"\t", newline)]) < port:
            lo = line
        else:
            hi = line
    return lo or None


def _read_port(fd: int, at: int, port: int) -> list[str] | None:
    """The lines of `port` from line start `at` on (every line before them holds a smaller one)."""
    found: list[str] = []
    while True:
        block = os.pread(fd, 8 * PROBE, at)
        end = len(block) if len(block) < 8 * PROBE else block.rfind(b"\n") + 1
        if not end:
            return found if not block else None
        for line in block[:end].split(b"\n"):
            if line:
                here = int(line[: line.index(b"\t")])
                if here > port:
                    return found
                if here == port:
                    found.append(line.decode("utf-8"))
        at += end


@once
def _iana_lower() -> bytes:
    # bytes.lower() touches ASCII only, and is ~30x faster than str.lower() on this text
    # (whose descriptions hold a few non-ASCII letters); service names are ASCII (RFC 6335).
    with open(_path("iana.tsv"), "rb") as handle:
        return handle.read().lower()


_BY_NAME: dict[str, tuple[tuple[int, str], ...]] = {}
_BY_NAME_MAX = 1024  # a parser maps the same few printed names on every line


def _iana_ports(key: str) -> tuple[tuple[int, str], ...]:
    """IANA registrations of a lower-case name: ((port, protocol), ...) sorted."""
    found = _BY_NAME.get(key)
    if found is None:
        if len(_BY_NAME) >= _BY_NAME_MAX:
            _BY_NAME.clear()
        found = _BY_NAME[key] = _search_name(key)
    return found


def _search_name(key: str) -> tuple[tuple[int, str], ...]:
    if not key or not key.isascii() or "\t" in key or "\n" in key:
        return ()
    text, found = _iana_lower(), []
    for proto in PROTOCOLS:
        needle = f"\t{proto}\t{key}\t".encode()  # only the name column sits between these
        at = text.find(needle)
        while at != -1:
            found.append((int(text[text.rfind(b"\n", 0, at) + 1 : at]), proto))
            at = text.find(needle, at + len(needle))
    return tuple(sorted(found))


@once
def _aliases() -> dict[str, list[tuple[int, str]]]:
    aliases: dict[str, list[tuple[int, str]]] = {}
    for alias, port, protocols in _data_lines(_read("aliases.tsv")):
        entries = aliases.setdefault(alias.lower(), [])
        entries.extend((int(port), proto) for proto in protocols.split(","))
    return aliases


def _system_services(name: str) -> list[tuple[int, str]]:
    """Last resort: the machine's services database (/etc/services via NSS)."""
    import socket  # only here: most lookups never get this far

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
    found = {*_iana_ports(key), *_aliases().get(key, ())}
    if not found and key:
        found.update(_system_services(key))
    return sorted(found)


def port_for_service(name: str, protocol: str) -> int | None:
    """Map a service name printed by lsof/netstat (from that machine's /etc/services) back to
    its port. A curated alias wins (it settles names IANA gives several ports, like http-alt);
    then an IANA registration for `protocol`, then for any protocol (old services files list
    udp twins that IANA no longer does), the lowest port first; then this machine's file."""
    key, proto = name.strip().lower(), protocol.lower()
    for candidates in (_aliases().get(key, ()), _iana_ports(key)):
        same = [port for port, p in candidates if p == proto]
        if same or candidates:
            return min(same) if same else min(port for port, _ in candidates)
    system = _system_services(key) if key else []
    same = [port for port, p in system if p == proto]
    return same[0] if same else (system[0][0] if system else None)


@once
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
