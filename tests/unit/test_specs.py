"""Port specs as people type them, ranges as one answer, and the owner filters: the real ss
backend and parser fed a captured `ss` output (tests/fixtures/ss), so only the words differ."""

from __future__ import annotations

import pytest

from portwho import core
from portwho.commands import lookup as commands
from portwho.errors import ExitCode, UsageError
from portwho.model import LookupResult, Verdict
from portwho.ports import port_specs
from portwho.views import words
from tests.fakes import FakeRunner, fixture

# The backend runs ss without -H (its header tells an empty table from silence): the header
# line of the same ss without -H, over the rows of the -H capture.
SS_HEADER = fixture("ss/debian-12__ss-natupe-root.txt").splitlines()[0]
SS_ROOT = SS_HEADER + "\n" + fixture("ss/debian-12__ss-Hnatupe-root.txt")
# in that capture, all held by pid 9185 ("next-server (v1"):
TCP4 = 35147  # tcp 127.0.0.1 listener (and a connection to it)
TCP6 = 42087  # tcp ::1 listener
UDP4 = 43611  # udp 127.0.0.1


def ask(*specs: str, **filters: list[str] | list[int]) -> LookupResult:
    owners = commands.owner_filters(
        filters.get("pid", []),  # type: ignore[arg-type]
        filters.get("process", []),  # type: ignore[arg-type]
        filters.get("user", []),  # type: ignore[arg-type]
    )
    query = commands.build_query(
        list(specs), tcp=False, udp=False, ipv4=False, ipv6=False, listening=False, owners=owners
    )
    runner = FakeRunner({"ss": SS_ROOT})
    return core.lookup(query, backend_names=["ss"], runner=runner, platform="linux", enrich=False)


def verdicts(result: LookupResult) -> dict[int, Verdict]:
    return {r.port: r.verdict for r in result.ports}


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        (f":{TCP4}", ExitCode.IN_USE),  # lsof's spelling
        (f"*:{TCP4}", ExitCode.IN_USE),
        (f"127.0.0.1:{TCP4}", ExitCode.IN_USE),
        (f"localhost:{TCP4}", ExitCode.IN_USE),
        (f"localhost:{TCP6}", ExitCode.IN_USE),
        (f"[::1]:{TCP6}", ExitCode.IN_USE),
        (f"[::1]:{TCP4}", ExitCode.FREE),  # only 127.0.0.1 is bound there
        (f"127.0.0.2:{TCP4}", ExitCode.FREE),
        (f"10.1.2.3:{TCP4}", ExitCode.FREE),
        (f"{TCP4}/tcp", ExitCode.IN_USE),
        (f"{TCP4}/udp", ExitCode.FREE),
        (f"{UDP4}/udp", ExitCode.IN_USE),
        (f"{UDP4}/UDP", ExitCode.IN_USE),
        (f"{UDP4}/tcp", ExitCode.FREE),
        (f"127.0.0.1:{UDP4}/udp", ExitCode.IN_USE),
        (f"{TCP4},{UDP4}", ExitCode.IN_USE),
        (f"{TCP4},{TCP4 + 1}", ExitCode.FREE),  # two specs: the worst wins
    ],
)
def test_specs_people_type(spec: str, code: ExitCode) -> None:
    assert core.exit_code(ask(spec)) is code


def test_an_address_keeps_only_sockets_it_reaches() -> None:
    result = ask(f"[::1]:{TCP4}", f"127.0.0.1:{TCP6}")
    assert result.sockets == ()
    assert set(verdicts(result).values()) == {Verdict.FREE}


def test_a_wildcard_listener_serves_any_address() -> None:
    wildcard = SS_ROOT.replace(f"127.0.0.1:{TCP4}   0.0.0.0:*", f"0.0.0.0:{TCP4}   0.0.0.0:*")
    query = commands.build_query(
        [f"192.0.2.7:{TCP4}"], tcp=False, udp=False, ipv4=False, ipv6=False, listening=True
    )
    result = core.lookup(
        query, backend_names=["ss"], runner=FakeRunner({"ss": wildcard}), platform="linux",
        enrich=False,
    )  # fmt: skip
    assert [s.local_address for s in result.sockets] == ["0.0.0.0"]
    assert core.exit_code(result) is ExitCode.IN_USE


def test_commas_make_separate_specs() -> None:
    assert [s.text for s in port_specs(["8000,8001", "http"])] == ["8000", "8001", "http"]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("::1:8000", "brackets"),
        ("[::1]8000", r"\[::1\]:8000"),
        ("myhost:8000", "not an IP address"),
        ("8000/sctp", "unknown protocol"),
        ("8000,", "empty port between commas"),
        ("127.0.0.1:0", "not a real port"),
        ("127.0.0.1:", "empty port argument"),
    ],
)
def test_bad_specs_get_one_line(spec: str, words: str) -> None:
    with pytest.raises(UsageError, match=words) as caught:
        port_specs([spec])
    assert "\n" not in str(caught.value)


def test_a_range_is_one_spec_in_use_when_any_port_is() -> None:
    result = ask(f"{TCP4 - 3}-{TCP4 + 3}")
    assert list(verdicts(result).values()).count(Verdict.IN_USE) == 1
    assert core.exit_code(result) is ExitCode.IN_USE
    # a range and a free port: worst-wins between the two specs
    assert core.exit_code(ask(f"{TCP4 - 3}-{TCP4 + 3}", str(TCP4 + 10))) is ExitCode.FREE
    assert core.exit_code(ask(f"{TCP4 + 1}-{TCP4 + 9}")) is ExitCode.FREE


def test_contradicting_protocols_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="contradicts"):
        commands.build_query(
            ["8000/udp"], tcp=True, udp=False, ipv4=False, ipv6=False, listening=False
        )


def test_pid_filter_keeps_its_owner_and_names_the_others() -> None:
    assert core.exit_code(ask(str(TCP4), pid=[9185])) is ExitCode.IN_USE
    other = ask(str(TCP4), pid=[1])
    assert other.sockets == ()
    (report,) = other.ports
    assert report.verdict is Verdict.OTHERS and report.detail == (9185,)
    assert words.hint(report, "linux") == (
        "held by pid 9185, which the --pid/--process/--user filters leave out"
    )
    assert core.exit_code(other) is ExitCode.FREE


def test_process_filter_is_case_blind_and_narrows_a_listing() -> None:
    assert {s.pid for s in ask(process=["NEXT-SERVER (V1"]).sockets} == {9185}
    assert {s.pid for s in ask(process=["next-server"]).sockets} == {9185}  # a part, as pgrep
    listing = ask(process=["nginx"])
    assert listing.sockets == ()
    assert core.exit_code(listing) is ExitCode.FREE  # like grep: nothing matched


def test_bad_pid_is_refused() -> None:
    with pytest.raises(UsageError, match="--pid"):
        commands.owner_filters([0], [], [])


def test_sort_orders_the_listing() -> None:
    result = ask()
    assert [s.local_port for s in result.sockets] == sorted(s.local_port for s in result.sockets)
    by_proto = commands.sorted_result(result, "pid")
    assert {s.pid for s in by_proto.sockets} == {9185}
    with pytest.raises(UsageError, match="--sort"):
        commands.sorted_result(result, "size")
