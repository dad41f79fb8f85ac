"""Refresh the prompt widget's cache: one lookup of every listening socket, written atomically
by one refresher at a time. Runs in the background (started by a stale prompt) or on demand
(`portwho prompt --refresh`); the only part of the widget that imports core and psutil."""

from __future__ import annotations

import getpass
import time
from pathlib import Path

from portwho.errors import CacheUnwritable
from portwho.shell import cache as promptcache
from portwho.shell import config as promptconfig
from portwho.shell.config import Busy


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
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return None


def refresh(path: Path | None = None) -> bool:
    """Rewrite the cache; False when another refresh holds the lock (nothing to do then).
    Raises CacheUnwritable when the folder cannot be created or written."""
    path = path or promptcache.cache_path()
    lock = path.with_name(promptcache.LOCK_NAME)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not promptcache.take_lock(lock):
            return False
    except OSError as exc:
        raise unwritable(path, exc) from None
    try:
        config = promptconfig.load_config()
        busy = collect()
        text = promptconfig.render_cache(int(time.time()), config, busy, current_user())
        promptcache.write_atomic(path, text)
    except OSError as exc:
        raise unwritable(path, exc) from None
    finally:
        lock.unlink(missing_ok=True)
    return True


def unwritable(path: Path, exc: OSError) -> CacheUnwritable:
    why = exc.strerror or str(exc)
    return CacheUnwritable(
        f"cannot write the prompt cache in {path.parent}: {why}; "
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
