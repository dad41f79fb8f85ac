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


#: where this interpreter finds typer, psutil and platformdirs (for another interpreter)
SITE = ":".join(dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib")))
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
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": f"{REPO}:{SITE}"}
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
    return {"PATH": os.environ["PATH"], "PYTHONPATH": f"{REPO}:{SITE}", "LANG": "C.UTF-8"}
