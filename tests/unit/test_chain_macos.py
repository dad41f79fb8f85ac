"""core.lookup() on the macOS story, with fake runners replaying the macOS fixtures.

psutil is left out of the chain: on this Linux machine it would answer about Linux sockets, and
leaving it out is what "psutil denied / unavailable" looks like to the rest of the chain.
enrich=False: procinfo would look the Mac pids up on this machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portwho.backends import lsof
from portwho.core import exit_code, lookup
from portwho.errors import ExitCode, ToolTimeout
from portwho.model import LookupResult, Outcome, Query, Verdict
from portwho.views.words import hint
from tests.fakes import FakeRunner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TAHOE = (FIXTURES / "netstat-macos/macos26-tahoe__netstat_-anvW_-p_tcp+udp.txt").read_text()
LSOF = (FIXTURES / "lsof/macos14-sonoma__lsof_-nP_-iTCP_-iUDP.txt").read_text()
CHAIN = ("netstat-macos", "lsof")
BANNER = "Active Internet connections (including servers)\n"


def _runs(text: str) -> dict[str, str]:
    _, tcp, udp = text.split(BANNER)
    return {"tcp": BANNER + tcp, "udp": BANNER + udp}


def _lookup(runner: FakeRunner, *ports: int) -> LookupResult:
    query = Query(ports=frozenset(ports))
    return lookup(query, backend_names=CHAIN, runner=runner, platform="darwin", enrich=False)


@pytest.fixture(autouse=True)
def _not_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lsof, "_is_root", lambda: False)


def test_netstat_names_other_users_pids_without_root() -> None:
    runner = FakeRunner(netstat=_runs(TAHOE), lsof=LSOF)
    result = _lookup(runner, 5432, 3000)
    assert [a.outcome for a in result.trail] == [Outcome.ANSWERED, Outcome.SKIPPED]
    assert {s.pid for s in result.sockets if s.local_port == 5432} == {611}
    assert [r.verdict for r in result.ports] == [Verdict.IN_USE, Verdict.IN_USE]
    assert not [c for c in runner.calls if c[0] == "lsof"]


def test_pid_zero_row_makes_netstat_partial_and_lsof_names_it() -> None:
    row = "tcp4  0  0  *.7000  *.*  LISTEN  0  0  131072  131072  :0  00100 00000006 0 0 0 1 0 0\n"
    head = TAHOE.split(BANNER)[1].split("\n", 1)[0] + "\n"
    netstat = {"tcp": head + row, "udp": head}  # the header comes even with no socket
    runner = FakeRunner(netstat=netstat, lsof=LSOF)
    result = _lookup(runner, 7000)
    assert [a.outcome for a in result.trail] == [Outcome.PARTIAL, Outcome.PARTIAL]
    owners = {(s.pid, s.process) for s in result.for_port(7000)}
    assert (701, "ControlCe") in owners and (None, None) not in owners
    assert result.ports[0].verdict is Verdict.IN_USE


def test_netstat_missing_then_lsof_answers_for_own_processes() -> None:
    result = _lookup(FakeRunner(lsof=LSOF), 3000)
    assert [a.outcome for a in result.trail] == [Outcome.UNAVAILABLE, Outcome.PARTIAL]
    assert {s.process for s in result.sockets if s.listening} == {"node"}
    assert exit_code(result) is ExitCode.IN_USE


def test_netstat_hangs_then_lsof() -> None:
    result = _lookup(FakeRunner(netstat=ToolTimeout("hung"), lsof=LSOF), 3000)
    assert [a.outcome for a in result.trail] == [Outcome.FAILED, Outcome.PARTIAL]
    assert result.ports[0].verdict is Verdict.IN_USE


def test_only_non_root_lsof_and_nothing_seen_is_not_free() -> None:
    result = _lookup(
        FakeRunner(netstat=ToolTimeout("hung"), lsof=("", 1)), 5432
    )  # status 1: lsof found nothing
    assert result.ports[0].verdict is Verdict.UNKNOWN
    advice = hint(result.ports[0], result.platform)
    assert advice and "sudo portwho 5432" in advice


def test_everything_garbled_is_unknown_never_free() -> None:
    runner = FakeRunner(netstat={"tcp": "garbage", "udp": "garbage"}, lsof="garbage")
    result = _lookup(runner, 3000)
    assert [a.outcome for a in result.trail] == [Outcome.FAILED, Outcome.FAILED]
    assert result.ports[0].verdict is Verdict.UNKNOWN
    assert exit_code(result) is ExitCode.NO_BACKEND


def test_everything_missing_or_hanging_is_unknown() -> None:
    assert _lookup(FakeRunner(), 3000).ports[0].verdict is Verdict.UNKNOWN
    hung = FakeRunner(netstat=ToolTimeout("hung"), lsof=ToolTimeout("hung"))
    assert _lookup(hung, 3000).ports[0].verdict is Verdict.UNKNOWN


def test_root_lsof_that_sees_nothing_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lsof, "_is_root", lambda: True)
    result = _lookup(
        FakeRunner(netstat=ToolTimeout("hung"), lsof=("", 1)), 5432
    )  # status 1: lsof found nothing
    assert [a.outcome for a in result.trail] == [Outcome.FAILED, Outcome.ANSWERED]
    assert result.ports[0].verdict is Verdict.FREE
