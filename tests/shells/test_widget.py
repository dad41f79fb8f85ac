"""The widget's choice of ports, its segment, the cache format, and the fast-path answers."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from portwho import spec
from portwho.shell import cache as promptcache
from portwho.shell import completion
from portwho.shell import config as promptconfig
from portwho.shell.config import Busy, PromptConfig

BUSY = [
    Busy(port=3000, process="node", user="me"),
    Busy(port=5173, process="vite", user="me"),
    Busy(port=5432, process="postgres", user="postgres"),
    Busy(port=8080, process="java", user="me"),
    Busy(port=9000, process="php", user="me"),
    Busy(port=53, process="dnsmasq", user="root", protocol="udp"),
]


def test_default_is_my_tcp_listeners_capped() -> None:
    ports = promptconfig.shown_ports(BUSY, PromptConfig(), "me")
    assert ports == [3000, 5173, 8080, 9000]
    assert promptconfig.segment(ports, PromptConfig()) == "⚡3000 5173 8080 +1"


def test_watch_list_shows_only_watched_busy_ports() -> None:
    cfg = PromptConfig(watch=frozenset({5432, 6379}))
    assert promptconfig.shown_ports(BUSY, cfg, "me") == [5432]


def test_all_include_exclude() -> None:
    cfg = PromptConfig(all_users=True, exclude=frozenset({9000}), max_shown=9)
    assert promptconfig.shown_ports(BUSY, cfg, "me") == [3000, 5173, 5432, 8080]
    cfg = PromptConfig(include=frozenset({5432}))
    assert 5432 in promptconfig.shown_ports(BUSY, cfg, "me")
    assert promptconfig.same_user("DESKTOP\\Me", "me")


def test_config_file_then_env(tmp_path: Path) -> None:
    ini = tmp_path / "config.ini"
    ini.write_text("[prompt]\nwatch = 5432, 8000-8002\nmax = 2\ncolor = cyan\nsymbol = >\n")
    cfg = promptconfig.load_config({"PORTWHO_PROMPT_MAX": "5"}, ini)
    assert cfg.watch == {5432, 8000, 8001, 8002}
    assert (cfg.max_shown, cfg.color, cfg.symbol) == (5, "36", ">")
    assert not promptconfig.load_config({"PORTWHO_PROMPT": "0"}, ini).enabled
    ini.write_text("garbage [[[")
    assert promptconfig.load_config({}, ini) == PromptConfig()


def test_cache_round_trip_and_fast_completion(tmp_path: Path) -> None:
    text = promptconfig.render_cache(int(time.time()), PromptConfig(), BUSY, "me")
    cache = promptcache.parse_cache(text)
    assert cache is not None and cache.fresh
    assert cache.segment == "⚡3000 5173 8080 +1"
    assert (3000, "node") in cache.ports and (53, "dnsmasq") in cache.ports

    def busy() -> tuple[tuple[int, str], ...]:
        return cache.ports

    lookup_help = "Who holds PORT, and what the port is (the default command)."
    assert completion.candidates([], "30", busy) == [("3000", "node")]
    assert completion.candidates([], "lo", busy) == [("lookup", lookup_help)]
    assert completion.candidates(["lookup"], "517", busy) == [("5173", "vite")]
    assert completion.candidates(["lookup", "-t"], "517", busy) == [("5173", "vite")]
    assert completion.candidates(["kill"], "517", busy) == [("5173", "vite")]
    assert completion.candidates(["init"], "fi", busy) == [("fish", "")]
    assert completion.candidates(["help"], "ki", busy) == [("kill", spec.KILL.summary)]
    assert completion.candidates(["help", "kill"], "", busy) == []  # one command at most
    assert completion.candidates(["prompt", "--format"], "t", busy) == [("tmux", "")]
    assert ("ss", "") in completion.candidates(["3000", "--backend"], "", busy)
    assert completion.format_item("zsh", "a:b", "x") == "a\\:b:x"


@given(st.text())
def test_parse_cache_never_raises(text: str) -> None:
    cache = promptcache.parse_cache(text)
    assert cache is None or cache.ttl >= 1


@given(st.text())
@example("²")  # str.isdigit() says yes, int() says no: found by this test
def test_port_set_never_raises(text: str) -> None:
    assert all(0 < p < 65536 for p in promptconfig.port_set(text))


def test_lock_is_exclusive_and_stale_lock_is_taken(tmp_path: Path) -> None:
    lock = tmp_path / "refresh.lock"
    assert promptcache.take_lock(lock)
    assert not promptcache.take_lock(lock)
    old = time.time() - promptcache.LOCK_STALE_S - 5
    import os

    os.utime(lock, (old, old))
    assert promptcache.take_lock(lock)


def test_options_offered_are_the_full_clis_options() -> None:
    import typer

    from portwho.cli.app import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        typer_opts = {
            o for p in command.params for o in [*p.opts, *p.secondary_opts] if o.startswith("-")
        }
        offered = {v for v, _ in completion.candidates([name], "-", lambda: ())}
        assert offered == typer_opts, name
    kill = completion.candidates(["kill"], "--s", lambda: ())
    assert kill == [("--signal", "Signal to send first, by name or number (default TERM).")]
    assert ("--tcp", "TCP only.") in completion.candidates([], "--", lambda: ())


def test_tab_offers_own_listeners_first_then_the_rest_at_most_a_screenful() -> None:
    many = [Busy(port=20000 + i, process="load", user="other") for i in range(20_000)]
    mine = [Busy(port=40001, process="vite", user="me"), Busy(port=9000, process="php", user="me")]
    text = promptconfig.render_cache(int(time.time()), PromptConfig(), [*many, *mine], "me")
    cache = promptcache.parse_cache(text)
    assert cache is not None

    def busy() -> tuple[tuple[int, str], ...]:
        return cache.ports

    offered = completion.candidates(["kill"], "", busy)
    assert len(offered) == completion.SCREENFUL
    assert offered[:3] == [("9000", "php"), ("40001", "vite"), ("20000", "load")]
    assert [int(p) for p, _ in offered[2:]] == sorted(int(p) for p, _ in offered[2:])
    # the prefix narrows first, then the screenful applies
    assert completion.candidates(["wait"], "2999", busy, limit=5) == [
        ("29990", "load"), ("29991", "load"), ("29992", "load"), ("29993", "load"),
        ("29994", "load")]  # fmt: skip
    assert completion.screenful({"LINES": "30"}) == 26
    assert completion.screenful({}) == completion.SCREENFUL
