"""What a fresh clone promises: declared dependencies, a licence, a `make run` that treats
"free" as an answer, and a README that never points at the unrelated PyPI project."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SS_CAPTURE = REPO / "tests" / "fixtures" / "ss" / "debian-12__ss-Hnatupe-root.txt"


def pyproject() -> Any:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_rich_is_declared_since_views_import_it() -> None:
    deps = pyproject()["project"]["dependencies"]
    assert any(re.match(r"rich\b", d) for d in deps)


def test_licence_file_and_spdx_expression() -> None:
    project = pyproject()["project"]
    assert project["license"] == "MIT"
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_readme_never_says_pip_install_portwho() -> None:
    """The PyPI name portwho belongs to an unrelated project."""
    readme = (REPO / "README.md").read_text()
    assert not re.search(r"pip3? install (--user )?portwho\b", readme)
    assert "pipx install" in readme and "uv tool install" in readme


def make_run(port: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -o install: use this test's interpreter as it is, never rebuild the venv
    argv = ["make", "-s", "-o", "install", "run", f"PORT={port}"]
    return subprocess.run(
        [*argv, f"BIN={Path(sys.executable).parent}"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_make_run_on_a_free_port_is_no_error() -> None:
    # the answer comes from a captured ss output, where 60714 is free: no live port assumed
    done = make_run(f"60714 --from {SS_CAPTURE}")
    assert done.returncode == 0, done.stderr
    assert "Port 60714 is free." in done.stdout and "Error" not in done.stderr


def test_make_run_still_fails_on_a_usage_error() -> None:
    done = make_run("0")
    assert done.returncode == 2
    assert "not a real port" in done.stderr
