"""The hot paths' import budget, held deterministically (a list of modules, not a timing).

Each path runs in a fresh interpreter exactly as the console script runs it; the modules it
loaded beyond what the interpreter had at start are compared with what it may not load. Every
name below was measured (`python -X importtime`) to cost a share of a lookup that matters when
the whole lookup is meant to cost little more than starting Python: typer and rich (tens of
ms), dataclasses (it brings inspect, ast, dis and re), typing, socket.py (selectors, enum),
json (its decoder brings re), pathlib, enum (functools, collections), and the IANA table when
nothing shows it.
"""

from __future__ import annotations

import os
import site
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the budget is for the Linux netlink path"
)

REPO = Path(__file__).resolve().parents[2]
#: -S: no site, so no .pth file runs (an editable install's import hook loads pathlib and re,
#: which would hide them); the checkout and site-packages are put on the path instead
PATH = os.pathsep.join([str(REPO), *site.getsitepackages()])
RUN = """
import os, sys
before = set(sys.modules)
from portwho.__main__ import handle
assert handle(sys.argv[1:], os.environ) is not None, "not answered by the fast paths"
sys.stdout.flush()
with open(os.environ["BUDGET_OUT"], "w") as fh:
    fh.write("\\n".join(sorted(set(sys.modules) - before)))
"""
#: never on a lookup, a Tab press or --version
HEAVY = {"typer", "click", "rich", "dataclasses", "inspect", "typing", "psutil", "pathlib"}
#: the lookup's own work needs none of these either (enum brings functools and collections);
#: nor the command spec (its flags are written out in cli/fast) nor the tool runner (netlink
#: starts no tool: backends.base.Deadline imports it when one starts)
LOOKUP_NEVER = HEAVY | {"socket", "selectors", "importlib", "shlex", "platformdirs", "enum", "re",
                        "bisect", "portwho.spec", "portwho._run"}  # fmt: skip
#: -q asks for no context either; a port query as root may look into other network namespaces
#: (portwho.context.netns: a thread, and contextlib, when there are any), which bring these
PIDS_NEVER = LOOKUP_NEVER | {"functools", "collections"}


def loaded(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    out = tmp_path / "modules.txt"
    full = {**os.environ, **(env or {}), "BUDGET_OUT": str(out), "PORTWHO_BACKEND": ""}
    full["PYTHONPATH"] = PATH
    done = subprocess.run(
        [sys.executable, "-S", "-c", RUN, *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=60,
        check=False,
    )
    assert out.exists(), done.stderr
    return set(out.read_text().split())


@pytest.fixture
def held_port() -> object:
    """A loopback listener of this test process: the lookup finds an owner and enriches it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield str(sock.getsockname()[1])


def test_version_loads_nothing_but_the_entry(tmp_path: Path) -> None:
    new = loaded(tmp_path, "--version")
    assert {m for m in new if m != "__future__"} <= {
        "portwho",
        "portwho.__main__",
        "portwho.cli",
        "portwho.cli.fast",
    }


def test_pids_lookup(tmp_path: Path, held_port: str) -> None:
    new = loaded(tmp_path, "-q", held_port)
    assert "portwho.backends.netlink.backend" in new  # it did look
    assert new.isdisjoint(PIDS_NEVER | {"json", "portwho.registry", "portwho.views.text"})
    assert "portwho.system.procfs" not in new  # pids need no owner details


def test_text_lookup(tmp_path: Path, held_port: str) -> None:
    new = loaded(tmp_path, held_port)
    assert {"portwho.views.text", "portwho.registry"} <= new  # the IANA line is shown
    assert new.isdisjoint(LOOKUP_NEVER | {"json", "portwho.views.jsondoc"})


def test_text_lookup_of_a_free_port(tmp_path: Path) -> None:
    with socket.socket() as sock:  # bound, not listening, then closed: a port nobody holds
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    new = loaded(tmp_path, port)
    assert new.isdisjoint(LOOKUP_NEVER | {"json"})


def test_json_lookup(tmp_path: Path, held_port: str) -> None:
    new = loaded(tmp_path, held_port, "--json")
    assert "portwho.views.jsondoc" in new
    # _json too: json's C accelerator is a shared library, loaded for 0.3 ms
    assert new.isdisjoint(LOOKUP_NEVER | {"json", "_json", "portwho.views.text"})


def test_warm_tab_press(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    env = {"PORTWHO_CACHE_DIR": str(cache), "PORTWHO_PROMPT_TTL": "3600"}
    refresh = [sys.executable, "-m", "portwho", "prompt", "--refresh"]
    subprocess.run(refresh, env={**os.environ, **env}, capture_output=True, timeout=60, check=True)
    tab = {**env, "_PORTWHO_COMPLETE": "complete_bash", "COMP_WORDS": "portwho ", "COMP_CWORD": "1"}
    new = loaded(tmp_path, env=tab)
    assert "portwho.shell.cache" in new  # answered from the cache
    assert new.isdisjoint(
        HEAVY | {"json", "portwho.core", "portwho.registry", "socket", "enum", "re"}
    )


def test_watch_imports_no_typer(tmp_path: Path, held_port: str) -> None:
    new = loaded(tmp_path, "watch", held_port, "--count", "1")
    assert "portwho.poll" in new  # it did watch
    assert new.isdisjoint({"typer", "click", "rich", "portwho.cli.app"})
    # nor what the lookup goes without but the spec (watch's options are read from it):
    # poll's records are plain classes, and kill's planner (enum, dataclasses) is not
    # imported for the one predicate poll asks
    never = (LOOKUP_NEVER - {"portwho.spec"}) | {"json", "portwho.kill.plan", "collections"}
    assert new.isdisjoint(never)
