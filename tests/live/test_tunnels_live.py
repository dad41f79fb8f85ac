"""A real ssh tunnel, to a real sshd in a network namespace: portwho names where it goes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from portwho.backends.netlink import diag
from tests.live.sshd_lab import Lab, require_lab, sshd_lab

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux only")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int, pid: int) -> bool:
    from portwho.backends.netlink.owners import find_owners

    found = [s for s in diag.dump("tcp", "ipv4", sport=port) if s.state == "LISTEN"]
    if not found or found[0].inode is None:
        return False
    owners = find_owners({found[0].inode}, {0})
    return owners.pids.get(found[0].inode) == (pid,)


@pytest.fixture(scope="module")
def tunnel() -> Iterator[tuple[Lab, subprocess.Popen[bytes], int, int]]:
    """ssh -N with a local forward to the host's sshd and a SOCKS port, both listening here.
    The ports are picked free and ssh is told to fail rather than start without them: another
    test taking one in between costs a retry, never a wrong answer."""
    require_lab()
    with sshd_lab(["t1"]) as lab:
        for _ in range(5):
            local, socks = _free_port(), _free_port()
            argv = ["ssh", "-F", str(lab.config), "-N", "-o", "ExitOnForwardFailure=yes",
                    "-L", f"127.0.0.1:{local}:{lab.address['t1']}:22", f"-D127.0.0.1:{socks}",
                    "t1"]  # fmt: skip
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 20
            while proc.poll() is None and time.monotonic() < deadline:
                if _listening(local, proc.pid) and _listening(socks, proc.pid):
                    break
                time.sleep(0.05)
            if proc.poll() is None and _listening(local, proc.pid):
                try:
                    yield lab, proc, local, socks
                finally:
                    proc.kill()
                    proc.wait(10)
                return
            proc.kill()
            proc.wait(10)
        pytest.fail("ssh never held its forwards")


def _portwho(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "portwho", *args], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip


def test_a_local_forward_says_where_it_goes_and_through_which_host(
    tunnel: tuple[Lab, subprocess.Popen[bytes], int, int],
) -> None:
    lab, proc, local, socks = tunnel
    forward = {"port": local, "tool": "ssh -L", "target": f"{lab.address['t1']}:22", "via": "t1"}
    done = _portwho(str(local), "-t", "--json")
    assert done.returncode == 0, done.stderr
    (sock,) = [s for s in json.loads(done.stdout)["sockets"] if s["family"] == "ipv4"]
    assert sock["pid"] == proc.pid and sock["process"] == "ssh"
    assert sock["context"]["tunnels"] == [forward]  # the ports asked about, not the SOCKS one
    text = _portwho(str(local), "-t")
    assert f"tunnel   ssh -L to {lab.address['t1']}:22 through t1" in text.stdout
    both = json.loads(_portwho(f"{local},{socks}", "-t", "-4", "--json").stdout)
    dynamic = {"port": socks, "tool": "ssh -D", "target": None, "via": "t1"}
    tunnels = both["sockets"][0]["context"]["tunnels"]
    assert tunnels == ([dynamic, forward] if socks < local else [forward, dynamic])  # by port
    text = _portwho(f"{local},{socks}", "-t")
    assert f"port {socks}: ssh -D, a SOCKS proxy through t1" in text.stdout


def test_the_tunnel_really_goes_there(
    tunnel: tuple[Lab, subprocess.Popen[bytes], int, int],
) -> None:
    """What portwho says is where the bytes go: the far end answers as the host's sshd."""
    _, _, local, _ = tunnel
    with socket.create_connection(("127.0.0.1", local), timeout=10) as conn:
        assert conn.recv(64).startswith(b"SSH-2.0-")
