"""The prompt widget's cache: which busy ports to show, and the small file shells read.

The file is line-based so that bash, zsh, fish and PowerShell can read it with builtins:

    v1<TAB>EPOCH<TAB>TTL<TAB>SGR<TAB>SEGMENT      refresh time, its TTL, colour ("-": none), text
    p<TAB>PORT<TAB>PROCESS                        every listening port seen (for completion)

(Verbs and options are not cached: completion reads them from portwho/spec.py. Lines of other
kinds, such as the `c` and `o` lines older versions wrote, are ignored.)

No field before SEGMENT is ever empty: shells split on tabs, and `read` collapses empty
fields. This module imports only the standard library (and platformdirs when it needs a path):
`portwho prompt` and a Tab press run it without Typer, rich or psutil.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False  # not typing's: a Tab press imports no typing at run time
if TYPE_CHECKING:
    from pathlib import Path

VERSION = "v1"
CACHE_NAME = "prompt-v1.tsv"
LOCK_NAME = "refresh.lock"
LOCK_STALE_S = 30.0
#: a cache older than this many TTLs (and a minute) is not shown: it may be plain wrong
TRUST_TTLS = 10
#: what a reader takes from the cache at most: the first line (a prompt), or the whole file (a
#: Tab press; 40,000 busy ports fit); the shell snippets read the same first-line bound
HEAD_MAX = 4096
FILE_MAX = 4 * 1024 * 1024


class Cache:
    """The cache file's content. A plain slotted class, not a dataclass: importing dataclasses
    (and inspect with it) costs more than the whole `portwho prompt` answer."""

    __slots__ = ("color", "ports", "segment", "stamp", "ttl")

    def __init__(
        self,
        *,
        stamp: int,
        ttl: int,
        color: str,
        segment: str,
        ports: tuple[tuple[int, str], ...] = (),
    ) -> None:
        self.stamp, self.ttl, self.color, self.segment = stamp, ttl, color, segment
        self.ports = ports

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.stamp

    @property
    def fresh(self) -> bool:
        return self.age() < self.ttl

    @property
    def trusted(self) -> bool:
        return self.age() < max(60, TRUST_TTLS * self.ttl)


# The readers (a Tab press, a prompt) use plain strings: pathlib's import (fnmatch, re,
# urllib) costs more than their whole answer; the writer (refresh) gets Paths.


def cache_location() -> str:
    """The cache directory. The snippets pass it in PORTWHO_CACHE_DIR (init knows it): the
    platformdirs import that finds it otherwise costs several times a Tab press."""
    override = os.environ.get("PORTWHO_CACHE_DIR")
    if override:
        return override
    from platformdirs import user_cache_dir

    return user_cache_dir("portwho", appauthor=False)


def cache_dir() -> Path:
    from pathlib import Path

    return Path(cache_location())


def cache_path() -> Path:
    return cache_dir() / CACHE_NAME


def config_path() -> Path:
    from pathlib import Path

    override = os.environ.get("PORTWHO_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("portwho", appauthor=False)) / "config.ini"


def parse_cache(text: str) -> Cache | None:
    """The cache file's content, or None when it is missing, foreign or garbled."""
    lines = text.split("\n")
    head = lines[0].split("\t", 4)
    if len(head) != 5 or head[0] != VERSION or not (head[1].isdecimal() and head[2].isdecimal()):
        return None
    ports: list[tuple[int, str]] = []
    for line in lines[1:]:
        kind, _, rest = line.partition("\t")
        first, _, second = rest.partition("\t")
        if kind == "p" and first.isdecimal():
            ports.append((int(first), second))
    return Cache(
        stamp=int(head[1]), ttl=max(1, int(head[2])), color=head[3], segment=head[4],
        ports=tuple(ports),
    )  # fmt: skip


def read_cache(path: Path | str | None = None, *, head_only: bool = False) -> Cache | None:
    """The cache, or None. `head_only` reads the first line alone (all a prompt needs; the
    port list may hold thousands of lines on a busy server).

    Only a regular file is read, and only so far (HEAD_MAX, FILE_MAX): whatever sits at the
    path (a named pipe, a link to /dev/zero, a directory, one endless line) costs one open and
    one bounded read, never a hang or all the memory. The open does not block on a pipe."""
    import stat

    try:
        where = path or os.path.join(cache_location(), CACHE_NAME)  # noqa: PTH118 - see above
        fd = os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, HEAD_MAX if head_only else FILE_MAX)
    except OSError:
        return None
    finally:
        os.close(fd)
    text = data.decode("utf-8", "replace")
    return parse_cache(text.partition("\n")[0] if head_only else text)


def writable_dir(folder: Path) -> bool:
    """Could a refresher write the cache in `folder` (or create it)? A folder left root-owned
    by `sudo portwho ...` cannot be: starting refreshers there only makes processes."""
    for place in (folder, *folder.parents):
        if place.exists():
            return place.is_dir() and os.access(place, os.W_OK)
    return False


# --- writing: one refresher at a time, atomic replace ---------------------------------------


def lock_held(lock: Path | str) -> bool:
    try:
        return time.time() - os.stat(lock).st_mtime < LOCK_STALE_S  # noqa: PTH116
    except OSError:
        return False


def take_lock(lock: Path | str) -> bool:
    """Create the lock file or report that a refresh is already running (a stale lock, left by
    a killed refresher, is taken over after LOCK_STALE_S). A folder that refuses the lock
    raises OSError: that is not "busy", and the caller must not try again at once."""
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                if time.time() - os.stat(lock).st_mtime < LOCK_STALE_S:  # noqa: PTH116
                    return False
                os.unlink(lock)  # noqa: PTH108
            except OSError:
                return False
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        return True
    return False


def write_atomic(path: Path | str, text: str) -> None:
    """Write beside the target and rename over it: a reader never sees half a file."""
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")  # noqa: PTH118
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)  # noqa: PTH105
    finally:
        remove(tmp)


def remove(path: Path | str) -> None:
    """Delete `path` when it is there (contextlib.suppress, without importing contextlib)."""
    try:
        os.unlink(path)  # noqa: PTH108
    except FileNotFoundError:
        return
