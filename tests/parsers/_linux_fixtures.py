"""Fixture loading for the Linux tool parsers (ss, netstat-linux, fuser)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from portwho.model import Socket

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
#: real captures published by others (never copied here); PORTWHO_SAMPLES points elsewhere
#: (a worktree sits one folder deeper than the checkout the samples sit beside)
SAMPLES = Path(os.environ.get("PORTWHO_SAMPLES") or REPO_ROOT.parent / "shared" / "samples")


def fixture_names(tool: str) -> list[str]:
    return sorted(p.stem for p in (FIXTURES / tool).glob("*.txt"))


def load(tool: str, name: str) -> tuple[str, dict[str, Any]]:
    text = (FIXTURES / tool / f"{name}.txt").read_text()
    expected = json.loads((FIXTURES / tool / f"{name}.json").read_text())
    return text, expected


def as_dicts(sockets: list[Socket]) -> list[dict[str, Any]]:
    return [s.as_dict() for s in sockets]


def sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"shared samples not present ({path})")
    return path.read_text()
