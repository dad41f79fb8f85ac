"""The scan of other network namespaces (portwho.context.netns), as root, against a process
this test starts in a namespace of its own (`unshare --net`) holding a listener there."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from portwho.commands.lookup import build_query
from portwho.context import netns
from tests.tools import need

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux only")]
#: binds 0.0.0.0 (its namespace's loopback is down; nothing outside can reach it), says the port
LISTENER = (
    "import socket, sys; s = socket.socket(); s.bind(('0.0.0.0', 0)); s.listen();"
    " print(s.getsockname()[1], flush=True); sys.stdin.read()"
)


def test_a_listener_in_a_namespace_of_its_own_is_found_with_its_owner() -> None:
    if os.geteuid() != 0:
        pytest.skip("other network namespaces are read as root only")
    need("unshare")
    child = subprocess.Popen(
        ["unshare", "--net", sys.executable, "-c", LISTENER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        port = int(child.stdout.readline())
        host = netns._link("/proc/self/ns/net")
        ns = netns._link(f"/proc/{child.pid}/ns/net")
        assert ns is not None and ns != host
        groups = netns.by_namespace()
        assert groups[ns] == [child.pid] and host not in groups
        query = build_query([str(port)], tcp=True, udp=False, ipv4=False, ipv6=False,
                            listening=False)  # fmt: skip
        found, where = netns.inside(query)
        mine = [s for s in found if s.pid == child.pid]
        assert [(s.local_port, s.state) for s in mine] == [(port, "LISTEN")]
        assert where[mine[0].inode or -1] == ns
    finally:
        child.stdin.close()
        child.wait(10)
