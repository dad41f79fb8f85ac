"""ps and sysctl parsers (pure text) and their fake-runner edges."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from portwho._run import Completed, Runner
from portwho.errors import BackendFailed, ParseError
from portwho.system import ps, sysctl

# Shaped like macOS ps: comm is the executable's full path, spaces included; a process whose
# arguments another user may not read shows as "(name)".
HELPER = (
    "/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Helper.app"
    "/Contents/MacOS/Google Chrome Helper"
)
MAC_ARGS = f"""\
  612   501 /usr/libexec/rapportd
 1190   501 {HELPER} --type=utility --lang=en-US
   88     0 (mDNSResponder)
"""
MAC_COMM = f"""\
  612 /usr/libexec/rapportd
 1190 {HELPER}
   88 /usr/sbin/mDNSResponder
"""


def test_parse_ps_macos_shapes() -> None:
    infos = ps.parse_ps(MAC_ARGS)
    assert infos[612] == ps.ProcInfo(uid=501, cmdline=("/usr/libexec/rapportd",))
    assert infos[1190].cmdline is not None and infos[1190].cmdline[-1] == "--lang=en-US"
    assert infos[88] == ps.ProcInfo(uid=0, cmdline=None)


def test_parse_comm_keeps_spaces_and_takes_the_last_path_part() -> None:
    assert ps.parse_comm(MAC_COMM) == {
        612: "rapportd",
        1190: "Google Chrome Helper",
        88: "mDNSResponder",
    }


@pytest.mark.parametrize("bad", ["abc 1 x", "12", "-1 0 x"])
def test_parse_ps_rejects_garbage(bad: str) -> None:
    with pytest.raises(ParseError):
        ps.parse_ps(bad)


def _runner(outputs: dict[str, tuple[int, str]]) -> Runner:
    def run(argv: Sequence[str], timeout: float) -> Completed:
        assert argv[0] == "ps" and argv[3] == "-p"
        rc, out = outputs[argv[2]]
        return Completed(argv=tuple(argv), returncode=rc, stdout=out, stderr="")

    return run


def test_describe_merges_the_two_runs() -> None:
    runner = _runner({"pid=,uid=,args=": (0, MAC_ARGS), "pid=,comm=": (0, MAC_COMM)})
    got = ps.describe([1190, 612, 88], runner)
    assert got[1190].process == "Google Chrome Helper"
    assert got[0 + 88].user == "root"  # uid 0 is root on every POSIX system
    assert got[612].uid == 501


def test_describe_gone_pids_and_failures() -> None:
    assert ps.describe([0, -3], _runner({})) == {}
    gone = _runner({"pid=,uid=,args=": (1, ""), "pid=,comm=": (1, "")})
    assert ps.describe([999999], gone) == {}
    with pytest.raises(BackendFailed):
        ps.describe([1], _runner({"pid=,uid=,args=": (2, ""), "pid=,comm=": (2, "")}))


def test_sysctl_parse_range() -> None:
    assert sysctl.parse_range("49152\n65535\n") == (49152, 65535)
    assert sysctl.parse_range("10000\n20000") == (10000, 20000)
    for bad in ["", "49152", "65535\n49152", "1 2 3", "0\n10", "1\n70000", "a\nb"]:
        with pytest.raises(ParseError):
            sysctl.parse_range(bad)


def test_sysctl_ephemeral_range_through_a_runner() -> None:
    def ok(argv: Sequence[str], timeout: float) -> Completed:
        assert tuple(argv) == sysctl.ARGV
        return Completed(argv=tuple(argv), returncode=0, stdout="49152\n65535\n", stderr="")

    assert sysctl.ephemeral_range(ok) == sysctl.MACOS_DEFAULT
