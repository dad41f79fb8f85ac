"""`wait` and `watch` views: a status line, events, a Live table (rich only inside LiveView)."""

from __future__ import annotations

import sys
import time

from portwho.views.jsondoc import socket_json
from portwho.views.words import command_text, endpoint, proto_label, role

TYPE_CHECKING = False  # not typing's: watch's first frame is a listing, and typing a tenth of it
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO, Any

    from portwho.model import Socket
    from portwho.poll import Event, PortState, Watcher


def owner(sock: Socket) -> str:
    if sock.pid is None:
        from portwho.system.host import is_root

        return "an owner out of reach" if is_root() else "a hidden owner (try sudo)"
    user = f", user {sock.user}" if sock.user else ""
    return f"{sock.process or '?'} (pid {sock.pid}{user})"


def clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at)) + f".{int(at % 1 * 1000):03d}"


class StatusLine:
    """`wait`'s one updating line on a terminal; a line per change otherwise (on stderr)."""

    def __init__(self, stream: IO[str], *, want_busy: bool) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.want_busy = want_busy
        self.state: PortState | None = None
        self.elapsed = 0.0

    def text(self, state: PortState, elapsed: float) -> str:
        goal = "something listens" if self.want_busy else "it is free"
        if state.busy:
            who = ", ".join(dict.fromkeys(owner(s) for s in state.holders))
            now = f"port {state.port} is held by {who}"
        else:
            now = f"port {state.port}: nothing listens"
        return f"{now}; waiting until {goal} ({elapsed:.1f} s)"

    def show(self, state: PortState, elapsed: float, changed: bool) -> None:
        self.state, self.elapsed = state, elapsed
        if state.busy == self.want_busy:
            return  # met: finish() says so; a "waiting until" line would contradict it
        if self.tty:
            self.stream.write("\r\x1b[K" + self.text(state, elapsed))
        elif changed:
            self.stream.write(f"{clock(time.time())} {self.text(state, elapsed)}\n")
        self.stream.flush()

    def finish(self, met: bool, timeout: float | None, *, quiet: bool = False) -> None:
        """Say how it ended; `quiet` only clears the status line (the JSON document says it)."""
        if self.tty:
            self.stream.write("\r\x1b[K")
        if quiet:
            self.stream.flush()
            return
        state = self.state
        port = state.port if state else "?"
        if met:
            what = "has a listener" if self.want_busy else "is free"
            self.stream.write(f"port {port} {what} (after {self.elapsed:.2f} s)\n")
        elif state is not None:
            now = self.text(state, timeout or self.elapsed)
            self.stream.write(f"portwho: gave up after {timeout:g} s: {now}\n")
        self.stream.flush()


# -- watch: piped ------------------------------------------------------------------------------

MARKS = {"present": "=", "appeared": "+", "vanished": "-"}


def event_line(ev: Event, words: dict[object, str] | None = None) -> str:
    """`words`: the clock and owner texts of one poll's lines, each worded once (a first poll
    holds every listener: tens of thousands of sockets, a few hundred owners)."""
    s, words = ev.socket, {} if words is None else words
    if ev.at not in words:  # a float key: never equal to an owner's tuple
        words[ev.at] = clock(ev.at)
    who = (s.pid, s.process, s.user, s.cmdline)
    if who not in words:
        words[who] = owner(s) + (f"  {command_text(s.cmdline)}" if s.cmdline else "")
    at, where = words[ev.at], endpoint(s.local_address, s.local_port)
    return f"{at} {MARKS[ev.kind]} {proto_label(s)} {where} {role(s)}  {words[who]}"


def event_json(ev: Event) -> str:
    import json  # only for --json (its decoder brings re)

    doc = {"schema": 1, "event": ev.kind, "time": ev.at, "socket": socket_json(ev.socket)}
    return json.dumps(doc, ensure_ascii=False)


def sleep_unless_closed(stream: IO[str], seconds: float) -> None:
    """Sleep, but raise BrokenPipeError as soon as the reader of `stream` goes away: a quiet
    `portwho watch PORT | head -1` would otherwise notice only at its next write (maybe never)."""
    import select

    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        fd = -1
    if fd < 0 or not hasattr(select, "poll"):  # Windows: no poll(); noticed at the next write
        time.sleep(seconds)
        return
    poller = select.poll()
    poller.register(fd, 0)  # no events asked: only POLLERR / POLLHUP / POLLNVAL come back
    if poller.poll(seconds * 1000):
        raise BrokenPipeError(32, "stdout was closed")  # 32: EPIPE


class Loop:
    """Poll every `interval` until `count` polls or `duration` seconds; subclasses draw."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def run(self, *, interval: float, count: int | None, duration: float | None) -> None:
        start = time.monotonic()
        done = 0
        while True:
            began = time.monotonic()
            self.draw(self.watcher.poll())
            done += 1
            if count is not None and done >= count:
                break
            if duration is not None and time.monotonic() - start >= duration:
                break
            if self.pause(max(0.0, interval - (time.monotonic() - began))):
                break
        self.stop()

    def pause(self, seconds: float) -> bool:
        """Wait until the next poll; True when the user asked to quit meanwhile. A pipe has no
        keys to press, but its reader may go away: that ends the loop too (BrokenPipeError)."""
        sleep_unless_closed(sys.stdout, seconds)
        return False

    def draw(self, events: list[Event]) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        return None


class EventPrinter(Loop):
    def __init__(self, watcher: Watcher, stream: IO[str], as_json: bool) -> None:
        super().__init__(watcher)
        self.stream = stream
        self.as_json = as_json

    def draw(self, events: list[Event]) -> None:
        words: dict[object, str] = {}
        for ev in events:
            self.stream.write((event_json(ev) if self.as_json else event_line(ev, words)) + "\n")
        self.stream.flush()


# -- watch: on a terminal -----------------------------------------------------------------------

#: how long an appeared / vanished socket stays highlighted
HIGHLIGHT = 3.0


class LiveView(Loop):
    """A table redrawn in place under a header; `q` (or Ctrl-C) quits."""

    def __init__(
        self, watcher: Watcher, *, specs: Sequence[str] = (), interval: float = 0.5
    ) -> None:
        super().__init__(watcher)
        from rich.live import Live

        self.recent: dict[tuple[object, ...], tuple[str, float, Socket]] = {}
        self.header = header_text(specs, interval)
        self.keys = Keys(sys.stdin)
        self.live = Live(auto_refresh=False, transient=False)
        self.live.start()

    def pause(self, seconds: float) -> bool:
        return self.keys.quit_within(seconds)

    def draw(self, events: list[Event]) -> None:
        from portwho.poll import sock_id

        now = time.time()
        for ev in events:
            if ev.kind != "present":
                self.recent[sock_id(ev.socket)] = (ev.kind, ev.at, ev.socket)
        self.recent = {k: v for k, v in self.recent.items() if now - v[1] < HIGHLIGHT}
        self.live.update(self.render(now), refresh=True)

    def render(self, now: float) -> Any:
        from rich.console import Group
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False, title_justify="left")
        for name in ("", "PROTO", "ADDRESS", "ROLE", "OWNER", "COMMAND"):
            table.add_column(name, overflow="fold" if name == "COMMAND" else "ellipsis")
        rows = dict(self.watcher.current)
        rows.update({k: v[2] for k, v in self.recent.items() if v[0] == "vanished"})
        for key, s in sorted(rows.items(), key=lambda kv: kv[1].local_port):
            kind = self.recent.get(key, ("", 0.0, s))[0]
            style = {"appeared": "bold green", "vanished": "red strike"}.get(kind, "")
            cmd = command_text(s.cmdline) if s.cmdline else ""
            where = endpoint(s.local_address, s.local_port)
            mark = MARKS.get(kind, " ") if kind else " "
            table.add_row(mark, proto_label(s), where, role(s), owner(s), cmd, style=style)
        from rich.text import Text

        return Group(Text(self.header, style="bold"), table, self.history_table(now))

    def history_table(self, now: float) -> Any:
        from rich.table import Table

        table = Table(box=None, title="owners seen", title_justify="left", pad_edge=False)
        for name in ("PORT", "OWNER", "SEEN", "FOR", "COMMAND"):
            table.add_column(name, overflow="fold" if name == "COMMAND" else "ellipsis")
        for seen in reversed(self.watcher.history.entries):
            who = f"{seen.process or '?'} (pid {seen.pid})" if seen.pid else "hidden"
            span = f"{seen.last - seen.first:.1f} s" + ("" if seen.gone else " (still)")
            cmd = command_text(seen.cmdline) if seen.cmdline else ""
            table.add_row(
                str(seen.port), who, clock(seen.first), span, cmd, style="dim" if seen.gone else ""
            )
        return table

    def stop(self) -> None:
        self.live.stop()
        self.keys.close()


def header_text(specs: Sequence[str], interval: float) -> str:
    what = "ports " + " ".join(specs) if specs else "every listening socket"
    return f"portwho watch: {what}, every {interval:g} s. Press q (or Ctrl-C) to quit."


class Keys:
    """Single key presses from the terminal, without Enter (cbreak mode while the view runs;
    the terminal's settings are restored on close). No terminal: never a key."""

    def __init__(self, stream: IO[str]) -> None:
        self.fd: int | None = None
        self.saved: Any = None
        if sys.platform == "win32" or not stream.isatty():
            return
        import termios
        import tty

        self.fd = stream.fileno()
        self.saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)

    def quit_within(self, seconds: float) -> bool:
        """Wait up to `seconds`; True as soon as q is pressed (other keys are ignored)."""
        if sys.platform == "win32":
            return _windows_quit_within(seconds)
        if self.fd is None:
            time.sleep(seconds)
            return False
        import os
        import select

        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready and os.read(self.fd, 1) in (b"q", b"Q"):
                return True
        return False

    def close(self) -> None:
        if self.fd is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            self.fd = None


def _windows_quit_within(seconds: float) -> bool:
    import msvcrt  # type: ignore[import-not-found,unused-ignore]

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if msvcrt.kbhit() and msvcrt.getwch() in ("q", "Q"):  # type: ignore[attr-defined,unused-ignore]
            return True
        time.sleep(0.02)
    return False
