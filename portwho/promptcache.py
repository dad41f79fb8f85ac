"""The prompt widget's cache: which busy ports to show, and the small file shells read.

The file is line-based so that bash, zsh, fish and PowerShell can read it with builtins:

    v1<TAB>EPOCH<TAB>TTL<TAB>SGR<TAB>SEGMENT      refresh time, its TTL, colour ("-": none), text
    p<TAB>PORT<TAB>PROCESS                        every listening port seen (for completion)
    c<TAB>VERB<TAB>HELP                           the CLI's verbs (for first-word completion)

No field before SEGMENT is ever empty: shells split on tabs, and `read` collapses empty
fields. This module imports only the standard library (and platformdirs when it needs a path):
`portwho prompt` and a Tab press run it without Typer, rich or psutil.
"""

from __future__ import annotations

import configparser
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

VERSION = "v1"
CACHE_NAME = "prompt-v1.tsv"
LOCK_NAME = "refresh.lock"
LOCK_STALE_S = 30.0
#: a cache older than this many TTLs (and a minute) is not shown: it may be plain wrong
TRUST_TTLS = 10
COLORS = {
    "black": "30", "red": "31", "green": "32", "yellow": "33",
    "blue": "34", "magenta": "35", "cyan": "36", "white": "37",
    "gray": "90", "grey": "90", "bright-red": "91", "bright-green": "92",
    "bright-yellow": "93", "bright-blue": "94", "bright-magenta": "95", "bright-cyan": "96",
}  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptConfig:
    """What the widget shows. Defaults: the current user's TCP listeners, three at most."""

    enabled: bool = True
    ttl: int = 5
    max_shown: int = 3
    symbol: str = "⚡"
    color: str = "33"  # an SGR code, or "-" for none
    all_users: bool = False
    watch: frozenset[int] = frozenset()  # when set: show only these, when busy
    include: frozenset[int] = frozenset()  # shown whoever owns them
    exclude: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Busy:
    """One listening port as the refresher saw it."""

    port: int
    process: str | None = None
    user: str | None = None
    protocol: str = "tcp"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cache:
    stamp: int
    ttl: int
    color: str
    segment: str
    ports: tuple[tuple[int, str], ...] = ()
    verbs: tuple[tuple[str, str], ...] = field(default=())

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.stamp

    @property
    def fresh(self) -> bool:
        return self.age() < self.ttl

    @property
    def trusted(self) -> bool:
        return self.age() < max(60, TRUST_TTLS * self.ttl)


def cache_dir() -> Path:
    override = os.environ.get("PORTWHO_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("portwho", appauthor=False))


def cache_path() -> Path:
    return cache_dir() / CACHE_NAME


def config_path() -> Path:
    override = os.environ.get("PORTWHO_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("portwho", appauthor=False)) / "config.ini"


# --- configuration -------------------------------------------------------------------------


def port_set(text: str) -> frozenset[int]:
    """'5432, 6379 8000-8002' -> ports; anything unreadable is skipped (a prompt never fails)."""
    ports: set[int] = set()
    for word in text.replace(",", " ").split():
        low, _, high = word.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            continue
        start, end = int(low), int(high or low)
        if 0 < start <= end <= 65535 and end - start < 65536:
            ports.update(range(start, end + 1))
    return frozenset(ports)


def sgr(color: str) -> str:
    """A colour name, an xterm-256 number, or none -> the SGR code the shells wrap around."""
    name = color.strip().lower()
    if name in ("", "-", "none", "off"):
        return "-"
    if name.isdigit() and int(name) < 256:
        return f"38;5;{name}"
    return COLORS.get(name, "33")


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _number(text: str, default: int, low: int) -> int:
    return max(low, int(text)) if text.strip().isdigit() else default


def settings(env: Mapping[str, str], path: Path | None = None) -> dict[str, str]:
    """The [prompt] section of the config file, then PORTWHO_PROMPT_<KEY> variables on top."""
    values: dict[str, str] = {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path or config_path(), encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        pass  # a broken config file shows the defaults, never an error in the prompt
    else:
        if parser.has_section("prompt"):
            values.update(parser.items("prompt"))
    keys = ("ttl", "max", "symbol", "color", "all", "watch", "include", "exclude")
    values.update(
        {
            k: env[f"PORTWHO_PROMPT_{k.upper()}"]
            for k in keys
            if f"PORTWHO_PROMPT_{k.upper()}" in env
        }
    )
    if "PORTWHO_PROMPT" in env:
        values["enabled"] = env["PORTWHO_PROMPT"]
    return values


def load_config(env: Mapping[str, str] | None = None, path: Path | None = None) -> PromptConfig:
    values = settings(os.environ if env is None else env, path)
    base = PromptConfig()
    return PromptConfig(
        enabled=values.get("enabled", "1").strip() not in ("0", "false", "no", "off"),
        ttl=_number(values.get("ttl", ""), base.ttl, 1),
        max_shown=_number(values.get("max", ""), base.max_shown, 1),
        symbol=values.get("symbol", base.symbol).replace("\t", " ").replace("\n", " "),
        color=sgr(values["color"]) if "color" in values else base.color,
        all_users=_flag(values.get("all", "")),
        watch=port_set(values.get("watch", "")),
        include=port_set(values.get("include", "")),
        exclude=port_set(values.get("exclude", "")),
    )


# --- the segment ---------------------------------------------------------------------------


def shown_ports(busy: Iterable[Busy], config: PromptConfig, me: str | None) -> list[int]:
    """The TCP listening ports the widget shows, in order."""
    tcp = [b for b in busy if b.protocol == "tcp"]
    ports = {b.port for b in tcp}
    if config.watch:
        chosen = ports & config.watch
    else:
        chosen = {b.port for b in tcp if config.all_users or same_user(b.user, me)}
        chosen |= ports & config.include
    return sorted(chosen - config.exclude)


def same_user(owner: str | None, me: str | None) -> bool:
    """Windows names owners DOMAIN\\user; getpass gives the bare user name."""
    if owner is None or me is None:
        return False
    return owner.rsplit("\\", 1)[-1].lower() == me.rsplit("\\", 1)[-1].lower()


def segment(ports: list[int], config: PromptConfig) -> str:
    """`⚡3000 5173 8080 +2`, or "" when nothing is worth showing."""
    if not ports or not config.enabled:
        return ""
    head = " ".join(str(p) for p in ports[: config.max_shown])
    more = len(ports) - config.max_shown
    return f"{config.symbol}{head}{f' +{more}' if more > 0 else ''}"


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split()) or "?"


def render_cache(
    stamp: int,
    config: PromptConfig,
    busy: Iterable[Busy],
    verbs: Iterable[tuple[str, str]],
    me: str | None,
) -> str:
    busy = list(busy)
    seg = segment(shown_ports(busy, config, me), config)
    lines = [f"{VERSION}\t{stamp}\t{config.ttl}\t{config.color}\t{seg}"]
    names: dict[int, str] = {}
    for b in sorted(busy, key=lambda b: (b.port, b.protocol != "tcp")):
        names.setdefault(b.port, _clean(b.process or "?"))
    lines += [f"p\t{port}\t{name}" for port, name in names.items()]
    lines += [f"c\t{_clean(verb)}\t{_clean(text)}" for verb, text in verbs]
    return "".join(line + "\n" for line in lines)


def parse_cache(text: str) -> Cache | None:
    """The cache file's content, or None when it is missing, foreign or garbled."""
    lines = text.split("\n")
    head = lines[0].split("\t", 4)
    if len(head) != 5 or head[0] != VERSION or not (head[1].isdigit() and head[2].isdigit()):
        return None
    ports: list[tuple[int, str]] = []
    verbs: list[tuple[str, str]] = []
    for line in lines[1:]:
        kind, _, rest = line.partition("\t")
        first, _, second = rest.partition("\t")
        if kind == "p" and first.isdigit():
            ports.append((int(first), second))
        elif kind == "c" and first:
            verbs.append((first, second))
    return Cache(
        stamp=int(head[1]), ttl=max(1, int(head[2])), color=head[3], segment=head[4],
        ports=tuple(ports), verbs=tuple(verbs),
    )  # fmt: skip


def read_cache(path: Path | None = None) -> Cache | None:
    try:
        text = (path or cache_path()).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return parse_cache(text)


# --- writing: one refresher at a time, atomic replace ---------------------------------------


def lock_held(lock: Path) -> bool:
    try:
        return time.time() - lock.stat().st_mtime < LOCK_STALE_S
    except OSError:
        return False


def take_lock(lock: Path) -> bool:
    """Create the lock file or report that a refresh is already running (a stale lock, left by
    a killed refresher, is taken over after LOCK_STALE_S)."""
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                if time.time() - lock.stat().st_mtime < LOCK_STALE_S:
                    return False
                lock.unlink()
            except OSError:
                return False
            continue
        except OSError:
            return False
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        return True
    return False


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename over it: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
