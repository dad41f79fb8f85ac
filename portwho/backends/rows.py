"""What every parser returns: the sockets it could read, and an account of what it could not.

One odd row never rejects a whole capture. A parser hands each candidate row to `Parsed.row`;
a row that raises ParseError is counted (the first one is kept as the example) and the rest of
the text is still read. The caller decides what an all-skipped text means: `formats.parse`
refuses a file only when nothing in it is a socket row. `notes` carry what was read but is not
exact (a field cut by the tool, a service name nobody knows), once each.

`Parsed` is a list of sockets, so code that only wants the sockets needs no change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from portwho.errors import ParseError, UnknownServiceName
from portwho.model import Socket


class Parsed(list[Socket]):
    """The sockets read, plus `skipped` rows (count, first example and why) and `notes`."""

    __slots__ = ("first_skipped", "notes", "skip_reason", "skipped", "unnamed")

    def __init__(self, sockets: Iterable[Socket] = ()) -> None:
        super().__init__(sockets)
        self.skipped = 0
        self.first_skipped: str | None = None
        self.skip_reason = ""
        self.notes: list[str] = []
        self.unnamed = 0  # rows skipped for a port given as a name that maps to no number

    def skip(self, line: str, reason: str) -> None:
        self.skipped += 1
        if self.first_skipped is None:
            # runs of padding squeezed: the example is for a one-line message
            self.first_skipped, self.skip_reason = " ".join(line.split())[:160], reason

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def row(
        self, line: str, read: Callable[..., Iterable[Socket] | Socket | None], *args: object
    ) -> None:
        """Read one candidate row `line` with `read(*args)` (default: `read(line)`); a
        ParseError skips and counts the row instead of refusing the text."""
        try:
            got = read(*args) if args else read(line)
        except ParseError as exc:
            self.skip(line, str(exc))
            self.unnamed += isinstance(exc, UnknownServiceName)
            return
        if isinstance(got, Socket):
            self.append(got)
        elif got is not None:
            self.extend(got)

    def absorb(self, other: Parsed) -> None:
        """Add another part's sockets, skips and notes (a capture read part by part)."""
        self.extend(other)
        if other.skipped:
            if self.first_skipped is None:
                self.first_skipped, self.skip_reason = other.first_skipped, other.skip_reason
            self.skipped += other.skipped
            self.unnamed += other.unnamed
        for text in other.notes:
            self.note(text)

    def replaced(self, sockets: Iterable[Socket]) -> Parsed:
        """Other sockets (deduplicated, renamed) with this account of skips and notes."""
        out = Parsed(sockets)
        out.skipped, out.first_skipped, out.skip_reason = (
            self.skipped,
            self.first_skipped,
            self.skip_reason,
        )
        out.notes, out.unnamed = list(self.notes), self.unnamed
        return out

    def unique(self) -> Parsed:
        """The same socket printed twice (Windows, lsof's two fds) is one: order kept."""
        return self.replaced(dict.fromkeys(self))

    def summary(self) -> str:
        """One line for --debug, the JSON trail and stderr ("" when nothing was skipped)."""
        if not self.skipped:
            return ""
        rows = "row" if self.skipped == 1 else "rows"
        return f"skipped {self.skipped} {rows} ({self.skip_reason}); first: {self.first_skipped!r}"


def as_parsed(sockets: Iterable[Socket]) -> Parsed:
    return sockets if isinstance(sockets, Parsed) else Parsed(sockets)


def first_line(text: str, recognise: Callable[[str], bool], limit: int = 0) -> int | None:
    """Index of the first line `recognise` accepts (a header or a row), anywhere in the text:
    captures start with preambles, warnings and prompts. `limit` > 0 looks at that many lines."""
    for index, line in enumerate(text.splitlines()):
        if limit and index >= limit:
            break
        if line.strip() and recognise(line):
            return index
    return None


def service_port(name: str, protocol: str) -> int | None:
    """A port printed as a service name (no -n): the IANA table, then /etc/services, per
    protocol. None when nobody knows the name (or the registry is not installed)."""
    from portwho.backends import addr

    try:
        return addr.service_port(name, protocol)
    except ImportError:
        return None


def port_or_note(name: str, protocol: str, parsed: Parsed | None, where: str) -> int:
    """A decimal port, or a service name mapped back; an unknown name raises ParseError (the
    row is skipped and counted, the file is kept) and leaves a note saying which name."""
    if name.isascii() and name.isdecimal():
        value = int(name)
        if value > 65535:
            raise ParseError(f"port out of range in {where!r}")
        return value
    port = service_port(name, protocol)
    if port is None:
        if parsed is not None:
            parsed.note(
                f"service name {name!r} is in neither the IANA table nor /etc/services: "
                "its port is unknown (rerun the tool with -n)"
            )
        raise UnknownServiceName(f"unknown service name {name!r} in {where!r}")
    return port
