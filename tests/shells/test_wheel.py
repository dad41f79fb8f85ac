"""The snippets ship in the wheel: build it, install it in a fresh venv, run `init`."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
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
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # The wheel's dependencies come from the test's own venv (what the Makefile installed), not
    # from the base interpreter, which on a fresh machine has only the standard library. A path
    # added by a .pth file does not run that folder's own .pth files, so the editable portwho
    # there stays out and the wheel's copy is the one imported.
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = venv / "bin" / "pip"
    wheel = next(wheels.glob("*.whl"))
    import zipfile

    with zipfile.ZipFile(wheel) as zipped:
        man = [n for n in zipped.namelist() if n.endswith(".data/data/share/man/man1/portwho.1")]
        assert man, "the man page is not in the wheel"
        assert zipped.read(man[0]).decode() == (REPO / "portwho.1").read_text()
    subprocess.run([str(pip), "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    exe = venv / "bin" / "portwho"
    for shell in ("bash", "zsh", "fish", "powershell", "starship", "tmux"):
        out = subprocess.run(
            [str(exe), "init", shell], capture_output=True, text=True, cwd="/", check=True
        )
        assert str(exe) in out.stdout and "::PORTWHO::" not in out.stdout, shell
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import portwho; print(portwho.__file__)"],
        capture_output=True, text=True, check=True, cwd="/", timeout=60,
    )  # fmt: skip
    assert where.stdout.startswith(str(venv)), where.stdout
