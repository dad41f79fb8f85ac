"""The tools' own output, printed now, read back by `--from`'s detection: BusyBox netstat (IPv6
rows labelled `tcp`), net-tools and ss without -n, as root and as nobody. This process holds a
TCP listener on 127.0.0.1 and one on ::1 (port 0: the OS picks free ones); only rows for those
ports are looked at, so other tests' sockets do not matter."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from portwho.backends import formats
from tests.tools import need

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux only")]
AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def listeners() -> Iterator[dict[int, tuple[str, str]]]:
    held = []
    ports: dict[int, tuple[str, str]] = {}
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.bind((host, 0))
        sock.listen()
        held.append(sock)
        ports[sock.getsockname()[1]] = ("ipv4" if family == socket.AF_INET else "ipv6", host)
    yield ports
    for sock in held:
        sock.close()


def _output(argv: list[str]) -> str:
    env = {"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=60, env=env, check=False
    )  # stderr merged as a terminal shows it: net-tools' non-root preamble goes there
    return done.stderr + done.stdout


# BusyBox without -n resolves every peer address (seconds each without DNS): its -tl capture
# is a fixture (scripts/capture_parser_fixtures.py), not a test that may run for minutes.
@pytest.mark.parametrize(
    ("argv", "fmt"),
    [
        pytest.param(["busybox", "netstat", "-tln"], "netstat-linux", id="busybox-netstat-tln"),
        pytest.param(["netstat", "-tlp"], "netstat-linux", id="netstat-tlp"),
        pytest.param(["ss", "-tlp"], "ss", id="ss-tlp"),
    ],
)
@pytest.mark.parametrize("nobody", [False, True], ids=["root", "nobody"])
def test_tool_output_reads_back(
    argv: list[str], fmt: str, nobody: bool, listeners: dict[int, tuple[str, str]]
) -> None:
    need(argv[0], *(["setpriv"] if nobody else []))
    if nobody and os.geteuid() != 0:
        pytest.skip("running the tool as nobody needs root")
    text = _output([*AS_NOBODY, *argv] if nobody else argv)
    name, parsed = formats.parse(text, None)
    assert name == fmt
    mine = {s.local_port: s for s in parsed if s.local_port in listeners}
    assert set(mine) == set(listeners), text
    for port, (family, host) in listeners.items():
        sock = mine[port]
        assert (sock.protocol, sock.family, sock.state) == ("tcp", family, "LISTEN")
        assert sock.local_address in (host, "localhost", "ip6-localhost", "localhost6")
        if argv[-1].endswith("p"):  # -p: this process, unless nobody may not see it
            assert sock.pid == (None if nobody else os.getpid())
