"""Any text into any parser of this branch: a result or a ParseError, never another exception."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portwho.backends import lsof, netstat_macos
from portwho.errors import ParseError
from portwho.system import ps, sysctl

PARSERS: dict[str, Callable[[str], object]] = {
    "lsof": lsof.parse,
    "netstat-macos": netstat_macos.parse,
    "ps": ps.parse_ps,
    "ps-comm": ps.parse_comm,
    "sysctl": sysctl.parse_range,
    "lsof-sniff": lsof.sniff,
    "netstat-macos-sniff": netstat_macos.sniff,
}

# Lines built from the pieces real output is made of, so the search reaches deep branches.
PIECES = [
    "p12",
    "cpy",
    "u0",
    "Lroot",
    "f3",
    "tIPv4",
    "tIPv6",
    "PTCP",
    "PUDP",
    "n*:80",
    "n[::1]:8080->[::1]:9",
    "TST=LISTEN",
    "nhost:https",
    "tcp4",
    "tcp46",
    "udp6",
    "0",
    "*.*",
    "*.443",
    "::1.8080",
    "fe80::1%lo0.5",
    "LISTEN",
    "ESTABLISHED",
    "131072",
    "node:48213",
    "Autodesk Fusion:1",
    "(state)",
    "Proto Recv-Q Send-Q  Local Address"
    "          Foreign Address        (State)      rhiwat  shiwat    pid   epid",
    "COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME",
    "IPv4",
    "TCP",
    "UDP",
    "(LISTEN)",
    "Code\\x20H",
    "\\x9",
    "99999",
    "-1",
    "\0",
    "\t",
    "\r",
]
line = st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=14).map(" ".join)
structured = st.lists(line, max_size=12).map("\n".join)
field_lines = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=30).map("\n".join)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=200, deadline=None)
@given(text=st.text() | structured | field_lines)
def test_any_text_gives_a_result_or_parse_error(name: str, text: str) -> None:
    with contextlib.suppress(ParseError):
        PARSERS[name](text)
