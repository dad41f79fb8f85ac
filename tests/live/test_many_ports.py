"""Many busy ports are one table of their sockets; a few are each shown in full. Real sockets
held by this test process, asked through the real command (`python -m portwho`)."""

from __future__ import annotations

import contextlib
import os
import random
import socket
from collections.abc import Iterator

import pytest

from portwho.model import FULL_VIEW_MAX
from portwho.views.table import MANY_COLUMNS
from tests.live.act_procs import portwho

pytestmark = pytest.mark.live


@contextlib.contextmanager
def block(size: int, held: int) -> Iterator[tuple[int, list[socket.socket]]]:
    """`held` TCP listeners on the first ports of a block of `size` ports far below the
    ephemeral range, all of it bindable by us right now (so no other test's listener is in it;
    no outgoing connection takes a port there; scripts/load.py binds from 12000 up). Yields
    (first port, listeners)."""
    for _ in range(200):
        first = random.randrange(5000, 11900 - size)
        socks: list[socket.socket] = []
        try:
            for port in range(first, first + size):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            for s in socks:
                s.close()
            continue
        for s in socks[held:]:
            s.close()  # checked bindable: now free for the lookup to find free
        for s in socks[:held]:
            s.listen()
        try:
            yield first, socks[:held]
        finally:
            for s in socks[:held]:
                s.close()
        return
    pytest.skip("no free block of ports below the ephemeral range")


def test_more_busy_ports_than_the_full_view_shows_are_one_table_of_sockets() -> None:
    held = FULL_VIEW_MAX + 2
    with block(held + 5, held) as (first, socks):
        client = socket.create_connection(("127.0.0.1", first))
        server, _ = socks[0].accept()
        last = first + held + 4
        with client, server:
            proc = portwho(f"{first}-{last}", "--tcp")
            peer = f"connected to 127.0.0.1:{client.getsockname()[1]}"
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == list(MANY_COLUMNS)
    rows = [line.split(None, 4) for line in lines[1:] if line and line[0].isdigit()]
    me = str(os.getpid())
    listening = {int(r[0]) for r in rows if r[3] == "listening" and r[4].startswith(me)}
    assert listening == set(range(first, first + held))
    assert any(r[0] == str(first) and peer in " ".join(r) for r in rows)
    assert "Port " not in proc.stdout  # no port in full
    busy = ", ".join(map(str, range(first, first + held)))
    assert lines[-1] == f"{first}-{last}: {held} of {held + 5} ports in use ({busy}), 5 free."


def test_a_range_with_few_busy_ports_shows_each_in_full() -> None:
    with block(12, 3) as (first, _):
        proc = portwho(f"{first}-{first + 11}", "--tcp")
    assert proc.returncode == 0, proc.stderr
    for port in range(first, first + 3):
        assert f"Port {port} is in use by " in proc.stdout
    assert "STATE" not in proc.stdout
    busy = ", ".join(map(str, range(first, first + 3)))
    assert (
        proc.stdout.splitlines()[-1]
        == f"{first}-{first + 11}: 3 of 12 ports in use ({busy}), 9 free."
    )
