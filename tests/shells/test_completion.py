"""Tab through portwho's own protocol, as the snippets call it: a cold press (no cache yet)
finds a real listener, and every verb that takes ports offers it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live.helpers import spawn_holder

pytestmark = pytest.mark.live


def tab(env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "portwho"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return out.stdout.splitlines()


@pytest.mark.parametrize("verb", ["", "kill", "wait", "watch", "explain"])
def test_a_cold_tab_offers_a_real_listener(verb: str, tmp_path: Path) -> None:
    with spawn_holder() as h:
        port = str(h.ports["tcp4"])
        words = " ".join(w for w in ("portwho", verb, port[:-1]) if w)
        lines = tab({
            "PORTWHO_CACHE_DIR": str(tmp_path), "_PORTWHO_COMPLETE": "complete_bash",
            "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1),
        })  # fmt: skip
    assert any(line.split("\t")[0] == port for line in lines), lines
    assert (tmp_path / "prompt-v1.tsv").is_file()  # the cold press left a cache for the next


def test_zsh_and_fish_read_the_line_up_to_the_cursor(tmp_path: Path) -> None:
    env = {"PORTWHO_CACHE_DIR": str(tmp_path), "_PORTWHO_COMPLETE_ARGS": "portwho init z"}
    assert tab({**env, "_PORTWHO_COMPLETE": "complete_zsh"}) == ["zsh"]
    assert tab({**env, "_PORTWHO_COMPLETE": "complete_fish"}) == ["zsh"]
    fish_opts = tab({
        **env, "_PORTWHO_COMPLETE": "complete_fish", "_PORTWHO_COMPLETE_ARGS": "portwho kill --dr",
    })  # fmt: skip
    assert fish_opts == ["--dry-run\tShow the plan only."]


def test_garbage_in_the_protocol_offers_nothing(tmp_path: Path) -> None:
    env = {"PORTWHO_CACHE_DIR": str(tmp_path), "_PORTWHO_COMPLETE": "complete_bash"}
    assert tab({**env, "COMP_WORDS": "portwho 'unclosed", "COMP_CWORD": "x"}) == []
    assert tab({**env, "_PORTWHO_COMPLETE": "complete_tcsh"}) == []
