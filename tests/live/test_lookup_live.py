"""`portwho PORT` end to end against real sockets held by a real child process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from portwho.model import Verdict
from tests.live.helpers import spawn_holder, world_readable_package

pytestmark = pytest.mark.live


def portwho(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portwho", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_kind_of_socket_is_found_with_its_owner() -> None:
    with spawn_holder(comm="holder") as h:
        ports = [str(h.ports[k]) for k in ("tcp4", "tcp6", "udp4", "udp6")]
        proc = portwho(*ports, "--json")
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        assert doc["schema"] == 1
        assert {p["verdict"] for p in doc["ports"]} == {"in-use"}
        wanted = {
            ("tcp", "ipv4", h.ports["tcp4"], "LISTEN"),
            ("tcp", "ipv6", h.ports["tcp6"], "LISTEN"),
            ("udp", "ipv4", h.ports["udp4"], None),
            ("udp", "ipv6", h.ports["udp6"], None),
        }
        # Other processes may hold the same numbers for another protocol: keep the holder's own.
        mine = [
            s
            for s in doc["sockets"]
            if (s["protocol"], s["family"], s["local_port"], s["state"]) in wanted
        ]
        assert {(s["protocol"], s["family"], s["local_port"], s["state"]) for s in mine} == wanted
        assert {s["pid"] for s in mine} == {h.pid}
        sock = mine[0]
        assert sock["process"] == "holder"
        assert sock["cmdline"] and sock["cwd"] == "/" and sock["started"]


def test_an_established_connection_is_marked_with_its_peer() -> None:
    with spawn_holder() as h:
        proc = portwho(str(h.ports["conn"]))
        assert proc.returncode == 0, proc.stderr
        assert f"connected to 127.0.0.1:{h.ports['tcp4']}" in proc.stdout
        assert f"pid {h.pid}" in proc.stdout


def test_several_sockets_of_one_process_are_grouped() -> None:
    with spawn_holder() as h:
        proc = portwho(str(h.ports["tcp4"]))
        assert proc.stdout.count(f"  pid {h.pid}") == 1  # one owner block
        assert "listening" in proc.stdout and "connected to" in proc.stdout


def test_pids_only_for_scripts() -> None:
    with spawn_holder() as h:
        proc = portwho(str(h.ports["tcp4"]), "-q", "--tcp", "-4")
        assert proc.stdout == f"{h.pid}\n"


def test_a_free_port_is_explained_with_exit_1() -> None:
    # Another process may take a just-freed port between our check and portwho's: retry.
    for _ in range(5):
        port = free_port()
        proc = portwho(str(port), "--tcp", "-4")
        if proc.returncode != 0:
            break
    assert proc.returncode == 1, proc.stdout
    assert f"Port {port} is free." in proc.stdout


def test_listing_shows_listeners_only() -> None:
    with spawn_holder() as h:
        proc = portwho()
        assert proc.returncode == 0
        lines = proc.stdout.splitlines()
        assert lines[0].split()[:4] == ["PORT", "PROTO", "ADDRESS", "PID"]
        rows = {(*line.split()[:2], line.split()[3]) for line in lines[1:]}
        pid = str(h.pid)
        assert (str(h.ports["tcp4"]), "tcp4", pid) in rows
        assert (str(h.ports["udp6"]), "udp6", pid) in rows
        assert (str(h.ports["conn"]), "tcp4", pid) not in rows  # a connection is no listener


def test_debug_prints_the_trail() -> None:
    port = free_port()
    proc = portwho(str(port), "--debug")
    assert "debug: " in proc.stderr and " in " in proc.stderr and " ms" in proc.stderr


SYSTEM_PY = shutil.which("python3", path="/usr/bin:/bin")


def _lookup_as(uid: int, port: int) -> tuple[str, int]:
    """Run core.lookup as `uid`, in the system's python3 on a world-readable copy of the
    package (the venv's interpreter and the checkout may sit where other users cannot go). It
    has no psutil: the chain then runs netlink, ss, netstat and lsof, as an unprivileged user's
    would on a machine without psutil."""
    code = (
        "from portwho import core; from portwho.model import Query;"
        f"r = core.lookup(Query(ports=frozenset({{{port}}})), platform='linux');"
        "print(r.ports[0].verdict.value, int(core.exit_code(r)))"
    )
    proc = subprocess.run(
        [SYSTEM_PY or "python3", "-c", code],
        capture_output=True, text=True, timeout=60, check=True,
        user=uid, group=uid, extra_groups=[], cwd=world_readable_package(),
    )  # fmt: skip
    verdict, code_text = proc.stdout.split()
    return verdict, int(code_text)


@pytest.mark.skipif(
    os.geteuid() != 0 or SYSTEM_PY is None, reason="needs root and a system python3 to switch users"
)
def test_another_users_port_is_hidden_or_owned_never_free() -> None:
    with spawn_holder(uid=65534) as h:
        verdict, code = _lookup_as(65533, h.ports["tcp4"])
    assert verdict in (Verdict.HIDDEN.value, Verdict.IN_USE.value)
    assert code in (0, 3)
