"""The snippets ship in the wheel: build it, install it in a fresh venv, run `init`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow


def test_init_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        check=True, timeout=300,
    )  # fmt: skip
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    wheel = next(wheels.glob("*.whl"))
    subprocess.run([str(pip), "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    exe = venv / "bin" / "portwho"
    for shell in ("bash", "zsh", "fish", "powershell", "starship", "tmux"):
        out = subprocess.run(
            [str(exe), "init", shell], capture_output=True, text=True, cwd="/", check=True
        )
        assert str(exe) in out.stdout and "::PORTWHO::" not in out.stdout, shell
