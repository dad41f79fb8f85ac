"""`portwho PORT` end to end against real sockets held by a real child process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from portwho import core
from portwho.model import Query, Verdict
from tests.live.helpers import spawn_holder

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
        proc = portwho(str(h.ports["tcp4"]), "-q")
        assert proc.stdout == f"{h.pid}\n"


def test_a_free_port_is_explained_with_exit_1() -> None:
    port = free_port()
    proc = portwho(str(port))
    assert proc.returncode == 1
    assert f"Port {port} is free." in proc.stdout


def test_listing_shows_listeners_only() -> None:
    with spawn_holder() as h:
        proc = portwho()
        assert proc.returncode == 0
        lines = proc.stdout.splitlines()
        assert lines[0].split()[:4] == ["PORT", "PROTO", "ADDRESS", "PID"]
        ports = {line.split()[0] for line in lines[1:]}
        assert str(h.ports["tcp4"]) in ports and str(h.ports["udp6"]) in ports
        assert str(h.ports["conn"]) not in ports  # a connection is not a listener


def test_debug_prints_the_trail() -> None:
    port = free_port()
    proc = portwho(str(port), "--debug")
    assert "debug: " in proc.stderr and " in " in proc.stderr and " ms" in proc.stderr


def _lookup_as(uid: int, port: int) -> tuple[str, int]:
    """Run core.lookup in a forked child that dropped to `uid` (the interpreter under /root is
    not reachable by other users, so this forks the already-loaded one instead of exec)."""
    import portwho.procinfo  # noqa: F401 - load before dropping privileges
    from portwho import backends

    for name in backends.chain("linux"):
        backends.load(name)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            result = core.lookup(Query(ports=frozenset({port})), platform="linux")
            payload = f"{result.ports[0].verdict.value} {int(core.exit_code(result))}"
            os.write(write, payload.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        verdict, code = fh.read().split()
    os.waitpid(pid, 0)
    return verdict, int(code)


@pytest.mark.skipif(
    not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to switch users"
)
def test_another_users_port_is_hidden_or_owned_never_free() -> None:
    with spawn_holder(uid=65534) as h:
        verdict, code = _lookup_as(65533, h.ports["tcp4"])
    assert verdict in (Verdict.HIDDEN.value, Verdict.IN_USE.value)
    assert code in (0, 3)
