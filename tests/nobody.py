"""Running portwho as user nobody from a root test run: the setpriv prefix, and an interpreter
nobody may start (and start again from itself, as a prompt refresher does)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def _requirements(name: str, seen: set[str]) -> set[str]:
    """`name` and every distribution it needs (no extras), by the installed metadata."""
    import importlib.metadata as md
    import re

    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return seen
    key = dist.metadata["Name"].lower()
    if key not in seen:
        seen.add(key)
        for req in dist.requires or []:
            if "extra ==" not in req:
                _requirements(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0], seen)
    return seen


def readable_site() -> str:
    """A folder any user may read holding portwho and the files of every distribution it
    needs: the checkout and its venv may sit in a folder only root can enter (CI clones into
    a mktemp folder, mode 700), where user nobody could import neither."""
    import atexit
    import importlib.metadata as md
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="portwho-nobody-site-"))
    atexit.register(shutil.rmtree, top, ignore_errors=True)
    shutil.copytree(REPO / "portwho", top / "portwho", ignore=shutil.ignore_patterns("__pycache__"))
    for name in sorted(_requirements("portwho", set()) - {"portwho"}):
        dist = md.distribution(name)
        for file in dist.files or []:
            source = Path(str(dist.locate_file(file)))
            if source.is_file() and not str(file).startswith(".."):
                (top / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, top / file)
    for folder in [top, *top.rglob("*")]:
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    return str(top)


#: where another interpreter finds portwho, typer, psutil and platformdirs (root runs only)
SITE = (
    readable_site()
    if os.geteuid() == 0
    else ":".join(dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib")))
)
PROBE = (
    "import os, sys\n"
    "if len(sys.argv) == 1: os.execv(sys.executable, [sys.executable, '-c', __doc__, 'again'])\n"
    "import typer, psutil, platformdirs"
)


def nobody_python() -> str | None:
    """An interpreter user nobody can start, and start again from itself (what a refresher
    does), importing portwho's dependencies: this one, unless its path runs through a folder
    nobody may not enter (a venv over pyenv under /root), else the system's of the same
    version, with this one's site-packages."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    for exe in (sys.executable, f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}"):
        code = f'"""{PROBE}"""\n{PROBE}'
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": SITE}
        probe = subprocess.run(
            [*NOBODY, exe, "-c", code], env=env, capture_output=True, timeout=30, check=False,
            cwd="/",
        )  # fmt: skip
        if probe.returncode == 0:
            return exe
    return None


PYTHON = nobody_python()


def env() -> dict[str, str]:
    """What portwho run by PYTHON as nobody needs to find itself and its dependencies."""
    return {"PATH": os.environ["PATH"], "PYTHONPATH": SITE, "LANG": "C.UTF-8"}


def need_python() -> None:
    """Go on when PYTHON is set; else skip, or fail under PORTWHO_REQUIRE_TOOLS=1 (as CI
    runs): there the test that needs it must run, not vanish."""
    import pytest

    if PYTHON is not None:
        return
    message = "user nobody cannot run a python that imports portwho's dependencies"
    if os.environ.get("PORTWHO_REQUIRE_TOOLS") == "1":
        pytest.fail(message + " (PORTWHO_REQUIRE_TOOLS=1)")
    pytest.skip(message)
