"""The chain: real backends and parsers, fed recorded output through a fake runner."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho import core
from portwho.backends.base import merge
from portwho.errors import ExitCode, ToolTimeout
from portwho.model import (
    LookupResult,
    Outcome,
    Protocol,
    Query,
    Socket,
    Verdict,
    socket_order,
)
from portwho.model.build import sort_sockets
from portwho.system import native
from portwho.views.words import hint
from tests.fakes import FakeRunner, fixture

SS_NONROOT = fixture("ss/debian-12__ss-natupe-nonroot.txt")
SS_ROOT = fixture("ss/debian-12__ss-natupe-root.txt")
NETSTAT_ROOT = fixture("netstat-linux/debian-12__netstat-natupeW-root.txt")
PORT = 38007  # the listener in those captures (held by pid 31421)


def run_chain(answers: dict[str, object], names: tuple[str, ...], port: int = PORT) -> LookupResult:
    runner = FakeRunner(answers)  # type: ignore[arg-type]
    query = Query(ports=frozenset({port}))
    return core.lookup(query, backend_names=names, runner=runner, platform="linux", enrich=False)


def test_hidden_owner_is_filled_in_by_the_next_backend() -> None:
    result = run_chain({"ss": SS_NONROOT, "netstat": NETSTAT_ROOT}, ("ss", "netstat"))
    assert [a.outcome for a in result.trail] == [Outcome.PARTIAL, Outcome.ANSWERED]
    assert result.ports[0].verdict is Verdict.IN_USE
    assert {s.pid for s in result.sockets} == {31421}
    assert core.exit_code(result) is ExitCode.IN_USE


def test_a_complete_answer_stops_the_chain() -> None:
    result = run_chain({"ss": SS_ROOT, "netstat": NETSTAT_ROOT}, ("ss", "netstat"))
    assert [a.outcome for a in result.trail] == [Outcome.ANSWERED, Outcome.SKIPPED]


def test_hidden_everywhere_is_never_free() -> None:
    result = run_chain({"ss": SS_NONROOT}, ("ss", "netstat"))
    report = result.ports[0]
    assert report.verdict is Verdict.HIDDEN
    root = os.geteuid() == 0
    assert hint(report, "linux") == native.reveal_hint(PORT, "linux", privileged=root)
    assert core.exit_code(result) is ExitCode.HIDDEN
    assert result.trail[1].outcome is Outcome.UNAVAILABLE  # netstat "not installed"


@pytest.mark.parametrize(
    "broken",
    [ToolTimeout("ss did not answer within 5 s"), ("garbage\x00 \n not ss at all {{", 0), ("", 1)],
    ids=["hanging", "garbled", "failing"],
)
def test_a_broken_tool_moves_on_and_says_why(broken: object) -> None:
    result = run_chain({"ss": broken, "netstat": NETSTAT_ROOT}, ("ss", "netstat"))
    assert result.trail[0].outcome is Outcome.FAILED
    assert result.trail[0].detail
    assert result.ports[0].verdict is Verdict.IN_USE


def test_no_backend_means_unknown_not_free() -> None:
    result = run_chain({}, ("ss", "netstat"))
    assert result.ports[0].verdict is Verdict.UNKNOWN
    assert core.exit_code(result) is ExitCode.NO_BACKEND


def test_free_when_a_backend_answers_with_nothing() -> None:
    result = run_chain({"ss": SS_ROOT}, ("ss",), port=9)
    assert result.ports[0].verdict is Verdict.FREE
    assert core.exit_code(result) is ExitCode.FREE


def sock(pid: int | None, state: str = "LISTEN", port: int = 80) -> Socket:
    return Socket(
        protocol="tcp",
        family="ipv4",
        local_address="0.0.0.0",
        local_port=port,
        state=state,
        pid=pid,
    )


def test_merge_never_overwrites_a_known_pid() -> None:
    merged = merge([sock(7)], [sock(None)])
    assert [s.pid for s in merged] == [7]
    merged = merge([sock(None)], [sock(7), sock(8)])
    assert sorted(s.pid or 0 for s in merged) == [7, 8]


def test_time_wait_is_ownerless_not_hidden() -> None:
    report = core.verdict(80, [sock(None, "TIME_WAIT")], view="all", platform="linux")
    assert report.verdict is Verdict.FREE
    advice = hint(report, "linux")
    assert advice and "TIME_WAIT" in advice


def test_worst_verdict_wins() -> None:
    query = Query(ports=frozenset({80, 81, 82}))
    socks = [sock(5, port=80), sock(None, port=81)]
    result = core.finish(query, socks, [], view="all", platform="linux")
    verdicts = [r.verdict for r in result.ports]
    assert verdicts == [Verdict.IN_USE, Verdict.HIDDEN, Verdict.FREE]
    assert core.exit_code(result) is ExitCode.HIDDEN


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_the_hint_names_the_privileged_command(platform: str) -> None:
    hint = native.reveal_hint(3000, platform)
    assert "portwho 3000" in hint
    assert ("sudo" in hint) != (platform == "win32")
    assert "namespace" in native.reveal_hint(3000, platform, privileged=True)


def test_a_later_backend_fills_in_what_an_earlier_left_unknown() -> None:
    bare = sock(7)
    named = Socket(
        protocol="tcp",
        family="ipv4",
        local_address="0.0.0.0",
        local_port=80,
        state="LISTEN",
        pid=7,
        process="nginx",
        user="www",
        source="lsof",
    )
    (merged,) = merge([bare], [named])
    assert (merged.pid, merged.process, merged.user) == (7, "nginx", "www")


def test_a_view_of_only_our_own_sockets_never_says_free() -> None:
    report = core.verdict(5432, [], view="own", platform="darwin")
    assert report.verdict is Verdict.UNKNOWN
    advice = hint(report, "darwin")
    assert advice and "sudo portwho 5432" in advice


def test_but_is_replace() -> None:
    base = sock(None)
    changed = base.but(pid=3, process="x")
    assert changed == Socket(**(base.as_dict() | {"pid": 3, "process": "x"}))
    assert base.pid is None  # the original is untouched
    with pytest.raises(TypeError, match="no field"):
        base.but(nonsense=1)


def test_a_saved_output_without_owners_says_so_not_sudo() -> None:
    text = (
        "State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
        "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n"
    )
    result = core.from_text(Query(ports=frozenset({22})), text, None, "saved.txt")
    (report,) = result.ports
    assert report.verdict is Verdict.HIDDEN and core.exit_code(result) is ExitCode.HIDDEN
    advice = hint(report, result.platform)
    assert advice and "saved output names no owner" in advice
    assert "sudo portwho" not in advice and "namespace" not in advice


@given(
    st.lists(
        st.tuples(
            st.integers(1, 4),
            st.sampled_from(["tcp", "udp"]),
            st.booleans(),
            st.sampled_from(["LISTEN", "ESTABLISHED", None]),
            st.integers(0, 3),
        ),
        max_size=40,
    )
)
def test_sockets_sort_as_socket_order_sorts_them(
    specs: list[tuple[int, Protocol, bool, str | None, int]],
) -> None:
    socks = [
        Socket(protocol=proto, family="ipv6" if v6 else "ipv4",
               local_address="::" if v6 else "0.0.0.0", local_port=port, state=state,
               remote_port=peer or None, pid=peer or None)
        for port, proto, v6, state, peer in specs
    ]  # fmt: skip
    expected = sorted(socks, key=socket_order)
    sort_sockets(socks)
    assert [id(s) for s in socks] == [id(s) for s in expected]  # the same order, ties kept


@given(
    st.sampled_from([None, frozenset(range(1, 65536)), frozenset({1, 2})]),
    st.sampled_from([frozenset({"tcp", "udp"}), frozenset({"tcp"})]),
    st.booleans(),
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from(["tcp", "udp"]), st.booleans()), max_size=12
    ),
)
def test_select_keeps_what_wants_keeps(
    ports: frozenset[int] | None,
    protocols: frozenset[Protocol],
    listening: bool,
    specs: list[tuple[int, Protocol, bool]],
) -> None:
    query = Query(ports=ports, protocols=protocols, listening_only=listening)
    socks = [
        Socket(protocol=proto, family="ipv4", local_address="127.0.0.1", local_port=port,
               state="LISTEN" if listens else "ESTABLISHED",
               remote_port=None if listens else 40000)
        for port, proto, listens in specs
    ]  # fmt: skip
    assert query.select(socks) == tuple(s for s in socks if query.wants(s))


def test_an_exact_answer_is_kept_whole_unless_a_spec_names_an_address() -> None:
    """A backend that asked for exactly the query (netlink's kernel filter) is not asked
    again per socket; a spec's address the kernel did not filter on still is."""
    from portwho.ports import port_specs

    local = Socket(protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=80,
                   state="LISTEN")  # fmt: skip
    other = local.but(local_address="10.0.0.1")
    listening = Query(listening_only=True)
    assert listening.select([local, other], exact=True) == (local, other)
    assert listening.select([local.but(state="ESTABLISHED")]) == ()  # not exact: checked
    narrowed = Query(ports=frozenset({80}), specs=port_specs(["127.0.0.1:80"]))
    assert narrowed.select([local, other], exact=True) == (local,)
