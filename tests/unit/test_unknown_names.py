"""A saved output whose rows give a port as a service name nothing here knows (lsof without
-P, netstat or ss without -n, captured where /etc/services named it): that row's port is
unknown, so no port the text leaves empty is called free."""

from __future__ import annotations

import pytest

from portwho import core
from portwho.backends import formats
from portwho.commands.lookup import build_query
from portwho.model import Reason, Verdict
from portwho.views.text import range_summary
from portwho.views.words import hint

LSOF = """COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME
node    12345 me   21u  IPv4 0x1234      0t0  TCP *:myweirdsvc (LISTEN)
nginx     222 me    6u  IPv4 0x1235      0t0  TCP *:http (LISTEN)
"""
NETSTAT = """Proto Recv-Q Send-Q Local Address           Foreign Address         State
tcp        0      0 0.0.0.0:myweirdsvc      0.0.0.0:*               LISTEN
tcp        0      0 0.0.0.0:http            0.0.0.0:*               LISTEN
"""
WINDOWS = """
Active Connections

  Proto  Local Address          Foreign Address        State
  TCP    0.0.0.0:myweirdsvc     DESKTOP-1:0            LISTENING
  TCP    0.0.0.0:http           DESKTOP-1:0            LISTENING
"""


@pytest.mark.parametrize("text", [LSOF, NETSTAT, WINDOWS], ids=["lsof", "netstat", "windows"])
def test_the_row_is_counted_and_no_port_is_called_free(text: str) -> None:
    _, parsed = formats.parse(text, None)
    assert parsed.unnamed == 1 and parsed.skipped == 1
    query = build_query(["7777", "80"], tcp=False, udp=False, ipv4=False, ipv6=False,
                        listening=False, saved=True)  # fmt: skip
    result = core.from_text(query, text, None, "capture.txt")
    by_port = {r.port: r for r in result.ports}
    assert by_port[80].verdict in (Verdict.IN_USE, Verdict.HIDDEN)  # netstat names no pid here
    unread = by_port[7777]
    assert (unread.verdict, unread.reason, unread.detail) == (
        Verdict.UNKNOWN,
        Reason.UNKNOWN_NAMES,
        (1,),
    )
    assert core.exit_code(result) == 4
    words = hint(unread, "linux")
    assert words is not None and words.startswith("1 row(s) of the saved output")


def test_a_text_whose_names_are_all_known_still_says_free() -> None:
    text = LSOF.replace("myweirdsvc", "https")
    query = build_query(["7777"], tcp=False, udp=False, ipv4=False, ipv6=False,
                        listening=False, saved=True)  # fmt: skip
    (report,) = core.from_text(query, text, None, "capture.txt").ports
    assert report.verdict is Verdict.FREE


def test_a_range_counts_unknown_ports_apart() -> None:
    assert range_summary("75-85", 11, [80], unknown=10) == (
        "75-85: 1 of 11 ports in use (80), 10 unknown, 0 free."
    )
    assert range_summary("1-9", 9, [], unknown=9) == "1-9: 0 of 9 ports in use, 9 unknown, 0 free."
    assert range_summary("1-9", 9, [3]) == "1-9: 1 of 9 ports in use (3), 8 free."
    assert range_summary("1-9", 9, []) == "1-9: all 9 ports are free."
