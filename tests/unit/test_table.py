"""The table views: columns padded as plain rows of cells would be, and what a table of many
ports says besides its rows (hidden owners, counts)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho import core
from portwho.commands import lookup as command
from portwho.model import Socket
from portwho.views import table
from portwho.views import text as render


def naive(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> list[str]:
    """Rows of cells formatted one by one: what the tables printed before they were columns."""
    every = [header, *rows]
    widths = [max(len(row[i]) for row in every) for i in range(len(header) - 1)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in every
    ]


cell = st.text(alphabet="ab :[]-.", max_size=6)


@given(
    st.lists(st.tuples(cell, cell, st.integers(0, 3)), max_size=20),
    st.dictionaries(st.integers(0, 3), st.tuples(cell, cell, cell, cell), min_size=4, max_size=4),
)
def test_columns_with_shared_owner_cells_print_as_rows_of_cells(
    leads: list[tuple[str, str, int]], owners: dict[int, tuple[str, str, str, str]]
) -> None:
    header = ("PORT", "ADDRESS", "PID", "USER", "PROCESS", "COMMAND")
    keys: list[int | None] = [k for _, _, k in leads]
    used: dict[int | None, tuple[str, ...]] = {
        k: owners[k] for k in dict.fromkeys(keys) if k is not None
    }
    grid = table.Table(header, [[a for a, _, _ in leads], [b for _, b, _ in leads]], keys, used)
    rows: list[tuple[str, ...]] = [(a, b, *owners[k]) for a, b, k in leads]
    assert grid.lines() == naive(rows, header)
    assert [line for block in grid.blocks(size=3) for line in block] == grid.lines()
    assert grid.rows() == rows


def sock(port: int, pid: int | None, state: str = "LISTEN", **more: object) -> Socket:
    more.setdefault("inode", port)
    return Socket(protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=port,
                  state=state, pid=pid, process="srv" if pid else None, **more)  # type: ignore[arg-type]  # fmt: skip


def test_a_table_of_many_ports_names_hidden_owners_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    socks = [sock(p, 100 + p % 3) for p in range(1000, 1010)]
    socks.append(sock(1010, None))  # owner hidden from this user
    socks.append(sock(1011, None, "TIME_WAIT", inode=None, remote_address="127.0.0.1",
                      remote_port=40000))  # fmt: skip
    query = command.build_query(
        ["1000-1099"], tcp=False, udp=False, ipv4=False, ipv6=False, listening=False
    )
    result = core.finish(query, socks, [], view="all", platform="linux")
    command.text_view(result, query, [])
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == list(table.MANY_COLUMNS)
    assert [line.split()[0] for line in out[1:13]] == [str(p) for p in range(1000, 1012)]
    assert "hidden" in out[11].split()
    assert out[12].split()[-1] == "-"  # TIME_WAIT: nobody holds it, nothing is hidden
    assert out[14].startswith("1 port(s) in use, owner hidden (1010): ")  # and what to do
    assert out[15].startswith("1000-1099: 11 of 100 ports in use (1000, 1001,")
    assert out[15].endswith(", ...), 89 free.")


def test_the_counts_say_each_range_then_the_other_ports_asked() -> None:
    singles = [str(p) for p in range(9000, 9010)]  # more than the full view shows
    query = command.build_query(
        ["8000-8009", *singles], tcp=False, udp=False, ipv4=False, ipv6=False, listening=False
    )
    socks = [sock(p, 100) for p in (8001, 8003, 9000)]
    result = core.finish(query, socks, [], view="all", platform="linux")
    shown = command.shown_reports(result, query)
    assert [r.port for r in shown] == [8001, 8003, 9000]
    ranges = [s for s in query.specs if len(s.ports) > 1]
    lines = ["".join(t for t, _ in line) for line in render.count_lines(result, shown, ranges)]
    assert lines == [
        "8000-8009: 2 of 10 ports in use (8001, 8003), 8 free.",
        "9 of the 10 other ports asked are free.",
    ]
