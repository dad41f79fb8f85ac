"""Which OS tools a test needs. Missing ones skip the test on a developer's machine; with
PORTWHO_REQUIRE_TOOLS=1 (set by .ci/run, which installs them) a missing tool fails it."""

from __future__ import annotations

import os
import shutil

import pytest


def need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is not None:
            continue
        if os.environ.get("PORTWHO_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{tool} is required (PORTWHO_REQUIRE_TOOLS=1) but not installed")
        pytest.skip(f"{tool} is not installed")
