"""A backend that did not see every user's sockets, or whose tool said nothing at all, never
makes a port "free" (before: `--backend fuser` as an ordinary user, and any forced backend
whose tool printed nothing with status 0, said free for a held port)."""

from __future__ import annotations

import pytest

from portwho import core
from portwho.backends import fuser, lsof
from portwho.model import Outcome, Query, Verdict
from tests.fakes import FakeRunner

#: (backend, platform, the tool(s) it runs): each tool prints nothing, with status 0
SILENT = [
    ("ss", "linux", ["ss"]),
    ("netstat", "linux", ["netstat"]),
    ("lsof", "linux", ["lsof"]),
    ("fuser", "linux", ["fuser"]),
    ("lsof", "darwin", ["lsof"]),
    ("netstat-macos", "darwin", ["netstat"]),
    ("netstat-windows", "win32", ["netstat", "tasklist"]),
    ("powershell", "win32", ["powershell.exe", "pwsh"]),
]


@pytest.mark.parametrize(("name", "platform", "tools"), SILENT)
def test_a_tool_that_prints_nothing_proves_nothing(
    name: str, platform: str, tools: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lsof, "_is_root", lambda: True)  # even root's lsof must say something
    monkeypatch.setattr(fuser, "is_root", lambda: True)
    runner = FakeRunner(dict.fromkeys(tools, ""))
    result = core.lookup(
        Query(ports=frozenset({8080})), backend_names=[name], runner=runner, platform=platform
    )
    assert result.trail[0].outcome is Outcome.FAILED, result.trail
    assert result.ports[0].verdict is Verdict.UNKNOWN
    assert core.exit_code(result) == 4


@pytest.mark.parametrize(("root", "verdict"), [(False, Verdict.UNKNOWN), (True, Verdict.FREE)])
def test_fuser_without_root_cannot_say_free(
    root: bool, verdict: Verdict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fuser, "is_root", lambda: root)
    runner = FakeRunner(fuser=("", 1))  # status 1: no process of those it may read holds it
    result = core.lookup(
        Query(ports=frozenset({8080}), protocols=frozenset({"tcp"})),
        backend_names=["fuser"], runner=runner, platform="linux",
    )  # fmt: skip
    assert result.ports[0].verdict is verdict
