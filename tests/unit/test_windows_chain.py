"""core.lookup() on the Windows chain with fake runners replaying recorded output.

psutil is left out of the chain (backend_names=...) because on this Linux machine it would
answer truthfully about Linux sockets; leaving it out is what "psutil unavailable" looks like to
the rest of the chain. enrich=False: procinfo would look the Windows pids up on this machine.
"""

from __future__ import annotations

from pathlib import Path

from portwho.core import exit_code, lookup
from portwho.errors import ExitCode, ToolTimeout
from portwho.model import Outcome, Query, Verdict
from portwho.views.words import hint
from tests.fakes import FakeRunner
from tests.unit.test_windows_backends import ok

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NETSTAT = (FIXTURES / "netstat-windows/win10-en__netstat-ano.txt").read_bytes().decode()
TASKLIST = (FIXTURES / "tasklist/win10-en__tasklist-fo-csv-nh.txt").read_bytes().decode()
PS = (FIXTURES / "powershell/ps74-win11__portwho-script-localport-3000-5353.txt").read_bytes()
CHAIN = ("powershell", "netstat-windows")


def _lookup(runner: FakeRunner, *ports: int):  # type: ignore[no-untyped-def]
    query = Query(ports=frozenset(ports))
    return lookup(query, backend_names=CHAIN, runner=runner, platform="win32", enrich=False)


def test_powershell_answers_first() -> None:
    result = _lookup(FakeRunner(powershell_exe=ok(PS.decode("utf-8")), netstat=ok(NETSTAT)), 3000)
    assert [a.outcome for a in result.trail] == [Outcome.ANSWERED, Outcome.SKIPPED]
    assert result.ports[0].verdict is Verdict.IN_USE
    assert {s.pid for s in result.sockets} == {15880}


def test_powershell_missing_then_netstat() -> None:
    result = _lookup(FakeRunner(netstat=ok(NETSTAT), tasklist=ok(TASKLIST)), 3000)
    assert [a.outcome for a in result.trail] == [Outcome.UNAVAILABLE, Outcome.ANSWERED]
    assert {s.process for s in result.sockets if s.listening} == {"node.exe"}
    assert exit_code(result) is ExitCode.IN_USE


def test_powershell_hangs_then_netstat() -> None:
    runner = FakeRunner(powershell_exe=ToolTimeout("hung"), netstat=ok(NETSTAT))
    result = _lookup(runner, 3000)
    assert [a.outcome for a in result.trail] == [Outcome.FAILED, Outcome.ANSWERED]
    assert result.ports[0].verdict is Verdict.IN_USE


def test_everything_garbled_is_unknown_never_free() -> None:
    runner = FakeRunner(powershell_exe=ok("garbage"), netstat=ok("garbage"), pwsh=ok(""))
    result = _lookup(runner, 3000)
    assert [a.outcome for a in result.trail] == [Outcome.FAILED, Outcome.FAILED]
    assert result.ports[0].verdict is Verdict.UNKNOWN
    assert exit_code(result) is ExitCode.NO_BACKEND


def test_everything_hangs_is_unknown() -> None:
    runner = FakeRunner(powershell_exe=ToolTimeout("hung"), netstat=ToolTimeout("hung"))
    assert _lookup(runner, 3000).ports[0].verdict is Verdict.UNKNOWN


def test_time_wait_only_is_free_with_a_note_not_pid_zero() -> None:
    result = _lookup(FakeRunner(netstat=ok(NETSTAT), tasklist=ok(TASKLIST)), 51530)
    (report,) = result.ports
    advice = hint(report, "win32")
    assert report.verdict is Verdict.FREE and advice and "TIME_WAIT" in advice
    assert all(s.process != "System Idle Process" for s in result.sockets)


def test_owner_hidden_file_rows_are_not_free() -> None:
    # netstat -anb without -o: rows but no pids; as a live answer that is "hidden", not "free"
    text = "  TCP    0.0.0.0:445    0.0.0.0:0    LISTENING\n Can not obtain ownership information\n"
    result = _lookup(FakeRunner(netstat=ok(text)), 445)
    assert result.ports[0].verdict is Verdict.HIDDEN


EXCLUDED = FIXTURES / "netsh/win11-en__netsh-int-ipv4-show-excludedportrange-protocol-tcp.txt"


def test_a_free_port_in_an_excluded_range_is_reserved_with_the_fix() -> None:
    runner = FakeRunner(
        netstat=ok(NETSTAT), tasklist=ok(TASKLIST), netsh=ok(EXCLUDED.read_text("utf-8"))
    )
    result = _lookup(runner, 50010, 3000, 50500)
    verdicts = {r.port: r.verdict for r in result.ports}
    assert verdicts == {50010: Verdict.RESERVED, 3000: Verdict.IN_USE, 50500: Verdict.FREE}
    reserved = result.ports[1]
    advice = hint(reserved, "win32")
    assert advice and "50000-50059" in advice and "winnat" in advice
    assert exit_code(result) is ExitCode.RESERVED


def test_without_netsh_a_free_port_stays_free() -> None:
    result = _lookup(FakeRunner(netstat=ok(NETSTAT), tasklist=ok(TASKLIST)), 50010)
    assert result.ports[0].verdict is Verdict.FREE
