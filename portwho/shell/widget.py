"""`portwho prompt`: print the prompt segment (⚡3000 5173) from the cache, and start one
background refresh when it is stale; `--refresh` rebuilds the cache first. Runs at every
prompt of starship and tmux users, so it never imports Typer, rich or psutil on the way."""

from __future__ import annotations

import sys

from portwho.spec import PROMPT_FORMATS

TYPE_CHECKING = False  # not typing's: the prompt imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def parse_args(args: Sequence[str]) -> tuple[str, bool] | None:
    """(format, refresh) for `[--format FORMAT] [--refresh]`; None for anything else."""
    fmt, refresh = "plain", False
    words = list(args)
    while words:
        word = words.pop(0)
        if word == "--refresh":
            refresh = True
        elif word == "--format" and words and words[0] in PROMPT_FORMATS:
            fmt = words.pop(0)
        elif word.startswith("--format=") and word[9:] in PROMPT_FORMATS:
            fmt = word[9:]
        else:
            return None
    return fmt, refresh


def inert(segment: str) -> str:
    """The segment without control characters: a cache is a file, and whoever wrote it must
    not get to send escape sequences to the terminal."""
    return "".join(c for c in segment if c.isprintable())


def styled(segment: str, color: str, fmt: str) -> str:
    segment = inert(segment)
    if fmt == "tmux":
        segment = segment.replace("#", "##")  # tmux reads #[...] and #(...) in a status line
    if not all(part.isascii() and part.isdigit() for part in color.split(";")):
        color = "-"  # not an SGR code: shown without colour rather than sent to the terminal
    if not segment or color == "-" or fmt == "plain":
        return segment
    if fmt == "tmux":
        code = color.rsplit(";", maxsplit=1)[-1]
        name = (
            f"colour{code}"
            if ";" in color
            else f"colour{int(code) % 10 + (8 if int(code) >= 90 else 0)}"
        )
        return f"#[fg={name}]{segment}#[default]"
    return f"\x1b[{color}m{segment}\x1b[0m"


def main(args: Sequence[str], env: Mapping[str, str]) -> int | None:
    """Print the segment; None when the arguments are not ours (the full CLI words the error)."""
    from portwho.shell import cache as promptcache

    parsed = parse_args(args)
    if parsed is None:
        return None
    fmt, refresh = parsed
    if refresh:
        from portwho.errors import CacheUnwritable
        from portwho.shell import refresh as promptrefresh

        try:
            promptrefresh.refresh()
        except CacheUnwritable as exc:
            sys.stderr.write(f"portwho: {exc}\n")
            return int(exc.exit_code)
    cache = promptcache.read_cache(head_only=True)
    # a refresher never starts another one: when its own refresh could not run, the next would
    # not either (this is how one stale prompt used to become 3 processes a second, forever)
    if not refresh and (cache is None or not cache.fresh):
        spawn_refresh()
    if cache is not None and cache.trusted and env.get("PORTWHO_PROMPT") != "0":
        text = styled(cache.segment, cache.color, fmt)
        if text:
            sys.stdout.write(text + "\n")
    return 0


def spawn_refresh() -> None:
    """Start `portwho prompt --refresh` detached, unless one is visibly running already."""
    from portwho.shell import cache as promptcache

    folder = promptcache.cache_dir()
    if promptcache.lock_held(folder / promptcache.LOCK_NAME):
        return
    if not promptcache.writable_dir(folder):
        return  # a refresher could only fail there
    from portwho._run import spawn_detached

    spawn_detached([sys.executable, "-m", "portwho", "prompt", "--refresh"])
