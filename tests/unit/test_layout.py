"""The house's shape, held by tests (the import layers are held by import-linter in make lint)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "portwho"
MAX_TOP_MODULES = 12
MAX_LINES = 300


def test_few_modules_sit_directly_in_the_package() -> None:
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


def test_no_module_is_over_the_size_limit() -> None:
    big = {
        str(p.relative_to(ROOT)): n
        for p in PKG.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, big


def test_no_private_typer_names() -> None:
    private = re.compile(r"typer\._|_TYPER_")
    hits = [
        str(p.relative_to(ROOT))
        for p in [*PKG.rglob("*.py"), *(ROOT / "shell").iterdir()]
        if p.is_file() and private.search(p.read_text(encoding="utf-8"))
    ]
    assert not hits, hits


def test_no_import_cycles_and_the_documented_graph_is_current() -> None:
    script = str(ROOT / "scripts" / "import_graph.py")
    for flag in ("--cycles", "--check"):
        done = subprocess.run(
            [sys.executable, script, flag], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
