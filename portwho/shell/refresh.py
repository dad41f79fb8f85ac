"""Refresh the prompt widget's cache: one lookup of every listening socket, written atomically
by one refresher at a time. Runs in the background (started by a stale prompt) or on demand
(`portwho prompt --refresh`); the only part of the widget that imports core and psutil."""

from __future__ import annotations

import os
import time

from portwho.errors import CacheUnwritable
from portwho.shell import cache as promptcache
from portwho.shell import config as promptconfig
from portwho.shell.config import Busy

# os.path, not pathlib, and getpass's rule written out: this runs behind every stale prompt,
# and those imports (re, fnmatch, urllib, termios) cost more than its lookup at rest.
TYPE_CHECKING = False  # not typing's, for the same reason
if TYPE_CHECKING:
    from pathlib import Path


def collect() -> list[Busy]:
    """Every listening socket with its owner, by the fastest backend chain this OS has."""
    from portwho import core
    from portwho.model import Query

    result = core.lookup(Query(ports=None, listening_only=True))
    return [
        Busy(port=s.local_port, process=s.process, user=s.user, protocol=s.protocol)
        for s in result.sockets
    ]


def current_user() -> str | None:
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # getpass.getuser()'s order
        user = os.environ.get(name)
        if user:
            return user
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):  # no name for this uid (containers), no pwd
        return None


def refresh(path: Path | str | None = None) -> bool:
    """Rewrite the cache; False when another refresh holds the lock (nothing to do then).
    Raises CacheUnwritable when the folder cannot be created or written."""
    where = str(path or os.path.join(promptcache.cache_location(), promptcache.CACHE_NAME))  # noqa: PTH118
    folder = os.path.dirname(where)  # noqa: PTH120
    lock = os.path.join(folder, promptcache.LOCK_NAME)  # noqa: PTH118
    try:
        os.makedirs(folder, exist_ok=True)  # noqa: PTH103
        if not promptcache.take_lock(lock):
            return False
    except OSError as exc:
        raise unwritable(folder, exc) from None
    try:
        config = promptconfig.load_config()
        busy = collect()
        text = promptconfig.render_cache(int(time.time()), config, busy, current_user())
        promptcache.write_atomic(where, text)
    except OSError as exc:
        raise unwritable(folder, exc) from None
    finally:
        promptcache.remove(lock)
    return True


def unwritable(folder: str, exc: OSError) -> CacheUnwritable:
    why = exc.strerror or str(exc)
    return CacheUnwritable(
        f"cannot write the prompt cache in {folder}: {why}; "
        "fix its owner or set PORTWHO_CACHE_DIR to a folder of yours"
    )


def fresh_cache() -> promptcache.Cache | None:
    """The cache, refreshed first when stale (for a Tab press the fast path could not serve)."""
    cache = promptcache.read_cache()
    if cache is not None and cache.fresh:
        return cache
    try:
        if refresh():
            return promptcache.read_cache()
    except CacheUnwritable:
        pass  # Tab still completes the verbs and options, from Typer
    return cache
