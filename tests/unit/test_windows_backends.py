"""The Windows backends driven by fake runners that return recorded output (no Windows here).

core.lookup() had not landed when these were written, so they test each backend's collect()
and the chain rule it relies on: a missing tool is BackendUnavailable, a hanging or garbled one
is BackendFailed, and nothing ever returns an empty answer for output it could not read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portwho._run import Completed
from portwho.backends import load, netstat_windows, powershell
from portwho.errors import BackendFailed, BackendUnavailable, ParseError, ToolTimeout
from portwho.model import Query
from portwho.system import netsh
from tests.fakes import FakeRunner, Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NETSTAT = (FIXTURES / "netstat-windows/win10-en__netstat-ano.txt").read_bytes().decode()
TASKLIST = (FIXTURES / "tasklist/win10-en__tasklist-fo-csv-nh.txt").read_bytes().decode()
PS_JSON = (FIXTURES / "powershell/ps74-win11__portwho-script-localport-3000-5353.txt").read_bytes()


def ok(stdout: str, code: int = 0, stderr: str = "") -> Completed:
    return Completed(argv=(), returncode=code, stdout=stdout, stderr=stderr)


PORT_3000 = Query(ports=frozenset({3000}))


def test_netstat_backend_names_owners_with_tasklist() -> None:
    runner = FakeRunner(netstat=ok(NETSTAT), tasklist=ok(TASKLIST))
    answer = load("netstat-windows").collect(PORT_3000, runner)
    assert runner.calls[0] == ("netstat", "-ano")
    assert runner.calls[1] == ("tasklist", "/FO", "CSV", "/NH")
    listeners = {(s.local_address, s.pid, s.process) for s in answer.sockets if s.listening}
    assert listeners == {("0.0.0.0", 8124, "node.exe"), ("::", 8124, "node.exe")}
    assert answer.complete and {s.local_port for s in answer.sockets} == {3000}


@pytest.mark.parametrize("failure", [None, ToolTimeout("hung"), ok("ERROR: Access denied")])
def test_netstat_backend_keeps_pids_when_tasklist_fails(
    failure: Completed | Exception | None,
) -> None:
    replies: dict[str, Reply] = {"netstat": ok(NETSTAT)}
    if failure is not None:
        replies["tasklist"] = failure
    answer = netstat_windows.BACKEND.collect(PORT_3000, FakeRunner(replies))
    assert answer.sockets and all(s.pid is not None and s.process is None for s in answer.sockets)
    assert answer.detail


def test_netstat_backend_failures() -> None:
    with pytest.raises(BackendUnavailable):
        netstat_windows.BACKEND.collect(PORT_3000, FakeRunner())
    with pytest.raises(BackendFailed):
        netstat_windows.BACKEND.collect(PORT_3000, FakeRunner(netstat=ToolTimeout("hung")))
    with pytest.raises(ParseError):
        netstat_windows.BACKEND.collect(PORT_3000, FakeRunner(netstat=ok("\x00garbage\n")))
    with pytest.raises(BackendFailed):
        netstat_windows.BACKEND.collect(PORT_3000, FakeRunner(netstat=ok(NETSTAT, code=1)))


def test_powershell_backend_answers_and_sends_only_ports() -> None:
    runner = FakeRunner(powershell_exe=ok(PS_JSON.decode("utf-8")))
    query = Query(ports=frozenset({3000, 5353}))
    answer = load("powershell").collect(query, runner)
    exe, *flags, script = runner.calls[0]
    assert (exe, flags) == ("powershell.exe", ["-NoProfile", "-NonInteractive", "-Command"])
    assert "-LocalPort 3000,5353 " in script
    assert {(s.protocol, s.local_port, s.pid) for s in answer.sockets} == {
        ("tcp", 3000, 15880),
        ("udp", 5353, 2740),
        ("udp", 5353, 11020),
    }
    assert answer.complete


def test_powershell_falls_back_to_pwsh_and_treats_no_match_as_empty() -> None:
    runner = FakeRunner(pwsh=ok("[]\r\n"))
    answer = powershell.BACKEND.collect(PORT_3000, runner)
    assert [c[0] for c in runner.calls] == ["powershell.exe", "pwsh"]
    assert answer.sockets == () and answer.complete


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (None, BackendUnavailable),
        (ok("", code=3), BackendUnavailable),
        (ok("", code=4, stderr="Access is denied.\r\n"), BackendFailed),
        (ToolTimeout("hung"), BackendFailed),
        (ok(""), BackendFailed),  # the script always prints JSON, so nothing is not "free"
        (ok("Get-NetTCPConnection : garbage"), ParseError),
        (ok('[{"LocalAddress":"::","LocalPort":3000,"State":42}]'), ParseError),
    ],
)
def test_powershell_backend_never_mistakes_failure_for_free(
    reply: Completed | Exception | None, error: type[Exception]
) -> None:
    runner = FakeRunner(powershell_exe=reply) if reply is not None else FakeRunner()
    with pytest.raises(error):
        powershell.BACKEND.collect(PORT_3000, runner)


def test_netsh_runner_functions() -> None:
    dyn = (FIXTURES / "netsh/win10-de__netsh-int-ipv4-show-dynamicport-tcp.txt").read_bytes()
    exc = FIXTURES / "netsh/win11-en__netsh-int-ipv4-show-excludedportrange-protocol-tcp.txt"
    runner = FakeRunner(netsh=ok(dyn.decode()))
    assert netsh.ephemeral_range(runner) == (49152, 65535)
    assert runner.calls == [("netsh", "int", "ipv4", "show", "dynamicport", "tcp")]
    runner = FakeRunner(netsh=ok(exc.read_bytes().decode()))
    ranges = netsh.excluded_ranges(runner)
    assert runner.calls == [("netsh", "int", "ipv4", "show", "excludedportrange", "protocol=tcp")]
    assert (50000, 50059) in ranges and len(ranges) == 7
    with pytest.raises(BackendUnavailable):
        netsh.ephemeral_range(FakeRunner())
    with pytest.raises(BackendFailed):
        netsh.excluded_ranges(FakeRunner(netsh=ok("", code=1)))
    with pytest.raises(ValueError):
        netsh.excluded_ranges(runner, protocol="tcp; calc")


def test_windows_chain_order_and_formats() -> None:
    from portwho.backends import chain, formats

    assert chain("win32")[1:] == ("powershell", "netstat-windows")
    table = FIXTURES / "powershell/ps51-win10__get-netudpendpoint-localport-5353-table.txt"
    assert formats.detect(table.read_bytes().decode()) == "powershell"
    assert formats.detect(NETSTAT) == "netstat-windows"
    assert formats.detect(PS_JSON.decode("utf-8")) == "powershell"
