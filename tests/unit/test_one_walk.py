"""One walk of the socket table per lookup or poll, whatever the number of ports. Counted, not
timed: a list that counts how often it is walked. Before, `portwho 1-65535` walked the table
once per port in core.verdict and again per port in the view (149 s under scripts/load.py
--procs 400), and watch's first poll compared every new socket with every earlier one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from portwho import core
from portwho.model import LookupResult, Query, Socket
from portwho.poll import Event, History
from portwho.views import text as render


class Walks(list[Any]):
    """A list that counts the times it is iterated."""

    walks = 0

    def __iter__(self) -> Iterator[Any]:
        type(self).walks += 1
        return super().__iter__()


class WalkedTuple(tuple[Any, ...]):
    walks = 0

    def __iter__(self) -> Iterator[Any]:
        type(self).walks += 1
        return super().__iter__()


def sockets(count: int) -> list[Socket]:
    return [
        Socket(protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=1000 + i,
               state="LISTEN", pid=100 + i % 7, process="srv")
        for i in range(count)
    ]  # fmt: skip


def test_verdicts_for_every_port_walk_the_table_once() -> None:
    socks = Walks(sockets(300))
    Walks.walks = 0
    query = Query(ports=frozenset(range(1, 65536)))
    result = core.finish(query, socks, [], view="all", platform="linux")
    assert Walks.walks <= 3  # by port, the ports in use, the result's tuple: not once per port
    assert sum(r.verdict.value == "in-use" for r in result.ports) == 300


def test_the_view_of_many_ports_walks_the_table_once() -> None:
    plain = sockets(300)
    result = core.finish(
        Query(ports=frozenset(range(1, 5000))), plain, [], view="all", platform="linux"
    )
    counted = LookupResult(query=result.query, sockets=WalkedTuple(plain), ports=result.ports)
    WalkedTuple.walks = 0
    busy = render.busy_reports(counted)
    assert len(busy) == 300
    for report in busy:
        counted.for_port(report.port)
    assert WalkedTuple.walks <= 2  # the ports that have sockets, and for_port's index: not per port


class WalkedList(list[Any]):
    walks = 0

    def __iter__(self) -> Iterator[Any]:
        type(self).walks += 1
        return super().__iter__()


def test_watch_history_walks_its_entries_a_fixed_number_of_times() -> None:
    history = History()
    history.entries = WalkedList()
    socks = sockets(2000)
    events = [Event(kind="present", at=0.0, socket=s) for s in socks]
    WalkedList.walks = 0
    history.record(events, socks, 0.0)
    assert WalkedList.walks <= 3  # not once per event
    assert len(history.entries) == history.limit
    history.record(events, socks, 1.0)  # and it stays bounded
    assert len(history.entries) == history.limit
