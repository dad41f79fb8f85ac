"""What the prompt widget shows: its settings (config file and environment), the choice of
ports and the segment text, and the cache file's content. Used by the refresher, which runs in
the background; the fast read side lives in portwho.shell.cache."""

from __future__ import annotations

import os

from portwho.model.record import Record
from portwho.shell.cache import VERSION, config_path

# Not typing's TYPE_CHECKING, no dataclasses, configparser only when a config file exists: the
# refresher runs behind every stale prompt, and those imports were a third of its time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

_set = object.__setattr__

COLORS = {
    "black": "30", "red": "31", "green": "32", "yellow": "33",
    "blue": "34", "magenta": "35", "cyan": "36", "white": "37",
    "gray": "90", "grey": "90", "bright-red": "91", "bright-green": "92",
    "bright-yellow": "93", "bright-blue": "94", "bright-magenta": "95", "bright-cyan": "96",
}  # fmt: skip


_NONE: frozenset[int] = frozenset()


class PromptConfig(Record):
    """What the widget shows. Defaults: the current user's TCP listeners, three at most."""

    __slots__ = (
        "all_users", "color", "enabled", "exclude", "include", "max_shown", "symbol", "ttl",
        "watch",
    )  # fmt: skip
    FIELDS = (
        "enabled", "ttl", "max_shown", "symbol", "color", "all_users", "watch", "include",
        "exclude",
    )  # fmt: skip
    enabled: bool
    ttl: int
    max_shown: int
    symbol: str
    color: str  # an SGR code, or "-" for none
    all_users: bool
    watch: frozenset[int]  # when set: show only these, when busy
    include: frozenset[int]  # shown whoever owns them
    exclude: frozenset[int]

    def __init__(
        self,
        *,
        enabled: bool = True,
        ttl: int = 5,
        max_shown: int = 3,
        symbol: str = "⚡",
        color: str = "33",
        all_users: bool = False,
        watch: frozenset[int] = _NONE,
        include: frozenset[int] = _NONE,
        exclude: frozenset[int] = _NONE,
    ) -> None:
        values = (enabled, ttl, max_shown, symbol, color, all_users, watch, include, exclude)
        for name, value in zip(self.FIELDS, values, strict=True):
            _set(self, name, value)


class Busy(Record):
    """One listening port as the refresher saw it."""

    __slots__ = ("port", "process", "protocol", "user")
    FIELDS = ("port", "process", "user", "protocol")
    port: int
    process: str | None
    user: str | None
    protocol: str

    def __init__(
        self,
        *,
        port: int,
        process: str | None = None,
        user: str | None = None,
        protocol: str = "tcp",
    ) -> None:
        _set(self, "port", port)
        _set(self, "process", process)
        _set(self, "user", user)
        _set(self, "protocol", protocol)


def port_set(text: str) -> frozenset[int]:
    """'5432, 6379 8000-8002' -> ports; anything unreadable is skipped (a prompt never fails)."""
    ports: set[int] = set()
    for word in text.replace(",", " ").split():
        low, _, high = word.partition("-")
        if not low.isdecimal() or (high and not high.isdecimal()):
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
    if name.isdecimal() and int(name) < 256:
        return f"38;5;{name}"
    return COLORS.get(name, "33")


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def _number(text: str, default: int, low: int) -> int:
    return max(low, int(text)) if text.strip().isdecimal() else default


def settings(env: Mapping[str, str], path: Path | None = None) -> dict[str, str]:
    """The [prompt] section of the config file, then PORTWHO_PROMPT_<KEY> variables on top."""
    values: dict[str, str] = {}
    where = path or config_path()
    if os.path.exists(where):  # noqa: PTH110 - read() skips a missing file; so does this
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(where, encoding="utf-8")
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
    me: str | None,
) -> str:
    busy = list(busy)
    seg = segment(shown_ports(busy, config, me), config)
    lines = [f"{VERSION}\t{stamp}\t{config.ttl}\t{config.color}\t{seg}"]
    names: dict[int, str] = {}
    # this user's listeners first, then the rest, each by port: Tab offers them in this order
    # and stops at a screenful (portwho.shell.completion)
    for b in sorted(busy, key=lambda b: (not same_user(b.user, me), b.port, b.protocol != "tcp")):
        names.setdefault(b.port, _clean(b.process or "?"))
    lines += [f"p\t{port}\t{name}" for port, name in names.items()]
    return "".join(line + "\n" for line in lines)
