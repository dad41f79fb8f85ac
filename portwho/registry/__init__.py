"""What a port is: IANA service registrations, everyday aliases and curated notes.

Nothing is read at import time, and no index is ever built for the IANA table (iana.tsv, built
by scripts/build_registry.py, sorted by port). `services()` binary-searches it on disk for a
run's first few ports (a dozen preads: reading and decoding all 470 KB costs a tenth of a whole
`portwho PORT --json`), then in memory; a name lookup is a `bytes.find` for "<TAB>proto<TAB>
name<TAB>" in a lower-cased copy. Aliases and notes are tiny, parsed on first use.
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


def _read(filename: str) -> bytes:
    """Its bytes, newlines translated as a text read does (CR LF), in fewer system calls."""
    fd, chunks = os.open(_path(filename), os.O_RDONLY | getattr(os, "O_BINARY", 0)), []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in data else data


@once
def _iana_table() -> bytes:
    return _read("iana.tsv")


def _data_lines(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


#: bytes per probe of the table: more than most lines (a longer one takes a longer read)
PROBE = 512
#: ports searched on disk before the table is read whole: a range's summary may show thousands
#: of ports, where one read and a search in memory each cost less than a dozen preads
ON_DISK_MAX = 8
_on_disk: list[int] = []


def services(port: int, protocol: str | None = None) -> list[Service]:
    """Every IANA registration of `port` for `protocol` ("tcp"/"udp"), or both when None."""
    lines = None
    if len(_on_disk) < ON_DISK_MAX and not _iana_table.loaded:  # type: ignore[attr-defined]
        _on_disk.append(port)
        lines = lines_on_disk(_path("iana.tsv"), port)
    if lines is None:
        table = _iana_table()
        lines = port_lines(lambda at, count: table[at : at + count], len(table), port)
    rows = [line.split("\t") for line in lines]
    return [Service(name=name, port=port, protocol=proto, description=description)
            for _, proto, name, description in rows
            if protocol is None or proto == protocol.lower()]  # fmt: skip


def lines_on_disk(path: str, port: int) -> list[str] | None:
    """port_lines() of the file, read with preads; None when it cannot be read so, or has CR LF
    line ends (the whole table is read then, its newlines translated), or where there is no
    pread (Windows)."""
    if not hasattr(os, "pread"):
        return None
    try:
        with open(path, "rb", buffering=0) as raw:  # no buffer: each read is one pread
            fd, size = raw.fileno(), os.fstat(raw.fileno()).st_size
            lines = port_lines(lambda at, count: os.pread(fd, count, at), size, port)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return None if any("\r" in line for line in lines) else lines


def port_lines(read: Callable[[int, int], bytes], size: int, port: int) -> list[str]:
    """The lines of `port` in a table sorted by port after one header line, `read(offset,
    count)` giving its bytes: a binary search, then one read from a line start just before
    them. Every line starting before `lo` holds a smaller port, every one from `hi` on not."""
    lo, hi = (_next_line(read, 0, size) or (size, b""))[0], size  # lo: past the header line
    while hi - lo > 2 * PROBE:
        mid = (lo + hi) // 2
        line = _next_line(read, mid, hi)
        if line is None:  # no line starts in (mid, hi)
            hi = mid + 1
        elif _port_of(read, *line) < port:
            lo = line[0]
        else:
            hi = line[0]
    return _lines_from(read, lo, port)


def _next_line(read: Callable[[int, int], bytes], at: int, limit: int) -> tuple[int, bytes] | None:
    """The first line start after `at` and before `limit`, and the bytes read from there."""
    count = PROBE
    chunk = read(at, count)
    while b"\n" not in chunk:  # a line longer than the probe
        if len(chunk) < count or at + count >= limit:
            return None
        count *= 4
        chunk = read(at, count)
    start = at + chunk.index(b"\n") + 1
    return (start, chunk[start - at :]) if start < limit else None


def _port_of(read: Callable[[int, int], bytes], start: int, head: bytes) -> int:
    field = head[:8] if b"\t" in head[:8] else read(start, 8)  # 5 digits at most, and a tab
    return int(field[: field.index(b"\t")])


def _lines_from(read: Callable[[int, int], bytes], at: int, port: int) -> list[str]:
    """The lines of `port` from line start `at` on (every line before them holds a smaller one)."""
    found: list[str] = []
    count = 8 * PROBE
    while block := read(at, count):
        end = len(block) if len(block) < count else block.rfind(b"\n") + 1
        if not end:  # a line longer than the block
            count *= 4
            continue
        for line in block[:end].split(b"\n"):
            if line:
                here = int(line[: line.index(b"\t")])
                if here > port:
                    return found
                if here == port:
                    found.append(line.decode("utf-8"))
        at += end
    return found


@once
def _iana_lower() -> bytes:
    # bytes.lower() touches ASCII only, and is ~30x faster than str.lower() on this text
    # (whose descriptions hold a few non-ASCII letters); service names are ASCII (RFC 6335).
    return _read("iana.tsv").lower()


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
    for alias, port, protocols in _data_lines(_read("aliases.tsv").decode("utf-8")):
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
def _notes() -> list[tuple[int, int, str, str]]:
    """(first port, last port, platforms, text): a Note is made only for a port shown."""
    table: list[tuple[int, int, str, str]] = []
    for ports, platforms, text in _data_lines(_read("notes.tsv").decode("utf-8")):
        first, _, last = ports.partition("-")
        table.append((int(first), int(last or first), platforms, text))
    return table


def notes(port: int, platform: str | None = None, *, all_platforms: bool = False) -> list[Note]:
    """Curated notes for `port`: notes for every platform, plus those for `platform`
    (default: this one, sys.platform). `all_platforms=True` shows every OS's notes."""
    here = _platform_key(platform or sys.platform)
    found = [
        Note(text=text, platforms=() if where == "*" else tuple(where.split(",")))
        for first, last, where, text in _notes()
        if first <= port <= last
    ]
    return [n for n in found if all_platforms or not n.platforms or here in n.platforms]


def _platform_key(platform: str) -> str:
    """ "linux2", "cygwin" and friends -> the keys the notes file uses."""
    for key, prefixes in (("linux", ("linux",)), ("win32", ("win", "cygwin", "msys"))):
        if platform.startswith(prefixes):
            return key
    return platform
