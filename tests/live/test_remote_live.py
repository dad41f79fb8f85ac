"""`portwho --host` against real sshd's in network namespaces (tests/live/sshd_lab.py), over the
real ssh client, with nothing of portwho on those hosts except where a test puts it there."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .sshd_lab import Lab, leftover, require_lab, sshd_lab

pytestmark = [pytest.mark.live, pytest.mark.skipif(sys.platform != "linux", reason="Linux only")]
HOSTS = ["h1", "h2", "h3", "h4", "h5", "h6"]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    require_lab()
    with sshd_lab(
        [*HOSTS, "hp", "hn"], with_portwho=frozenset({"hp"}), as_nobody=frozenset({"hn"})
    ) as made:
        yield made


def portwho(
    lab: Lab, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portwho", *args],
        capture_output=True, text=True, timeout=60, env=env or lab.env, check=False,
    )  # fmt: skip


def as_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in done.stderr, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def timed(lab: Lab, *args: str) -> float:
    start = time.monotonic()
    done = portwho(lab, *args)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - start


def test_a_listener_in_a_namespace_is_reported_for_that_host(lab: Lab) -> None:
    port, pid = lab.listen("h2")
    done = portwho(lab, str(port), "--host", "h1", "--host", "h2", "--json")
    doc = as_json(done)
    assert done.returncode == 1  # free on h1, in use on h2: the worst is "free"
    by_host = {h["host"]: h for h in doc["hosts"]}
    h1, h2 = by_host["h1"], by_host["h2"]
    assert (h1["exit_code"], h1["ports"][0]["verdict"], h1["sockets"]) == (1, "free", [])
    assert h2["exit_code"] == 0 and h2["error"] is None
    [sock] = h2["sockets"]
    assert (sock["local_address"], sock["local_port"], sock["state"]) == (
        lab.address["h2"],
        port,
        "LISTEN",
    )
    assert (sock["pid"], sock["user"]) == (pid, "root")
    assert sock["process"].startswith("python")
    assert sock["cmdline"][0] == sys.executable and sock["started"] is not None
    assert h2["trail"][0]["backend"] == "ss"
    assert h2["ports"][0]["ephemeral_range"] == [
        int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    ]


def test_local_sockets_never_appear_in_a_remote_answer(lab: Lab) -> None:
    here = socket.socket()
    here.bind(("127.0.0.1", 0))
    here.listen()
    port = here.getsockname()[1]
    with here:
        doc = as_json(portwho(lab, str(port), "--host", "h3", "--json"))
        listing = as_json(portwho(lab, "--host", "h3", "--json"))
    [h3] = doc["hosts"]
    assert (h3["ports"][0]["verdict"], h3["sockets"]) == ("free", [])
    [listed] = listing["hosts"]
    inside = lab.pids_inside("h3")
    assert listed["sockets"], "the host's sshd at least listens"
    for sock in listed["sockets"]:
        assert sock["pid"] in inside, sock
        assert sock["local_address"] in (lab.address["h3"], "0.0.0.0", "::"), sock


def test_text_has_one_block_per_host_named_in_its_headline(lab: Lab) -> None:
    port, pid = lab.listen("h4")
    done = portwho(lab, str(port), "--host", "h4", "--host", "h5")
    assert done.returncode == 1, done.stderr
    blocks = done.stdout.split("\n\n" + "h5  (")
    assert blocks[0].startswith("h4  (Linux, ss over ssh, ")
    assert f"Port {port} is in use by python" in blocks[0] and f"pid {pid}" in blocks[0]
    assert f"Port {port} is free." in blocks[1]
    assert "h4's ephemeral range" in done.stdout


def test_a_portwho_on_the_remote_path_answers_itself(lab: Lab) -> None:
    port, pid = lab.listen("hp")
    doc = as_json(portwho(lab, str(port), "--host", "hp", "--json"))
    [hp] = doc["hosts"]
    assert hp["error"] is None and hp["exit_code"] == 0
    assert hp["trail"][0] == hp["trail"][0] | {"backend": "portwho", "detail": "over ssh"}
    assert len(hp["trail"]) > 1  # the host's own chain follows
    assert [(s["pid"], s["local_port"]) for s in hp["sockets"]] == [(pid, port)]
    assert hp["ports"][0]["verdict"] == "in-use"


def test_an_owner_hidden_from_the_login_user_says_how_to_see_it_there(lab: Lab) -> None:
    port, _ = lab.listen("hn")  # root's; the session there runs as uid 65534
    done = portwho(lab, str(port), "--host", "hn")
    assert done.returncode == 3, done.stderr
    assert f"Port {port} is in use, owner hidden" in done.stdout
    assert (
        f"  to see it: ssh hn sudo portwho {port}"
        f"   (or: ssh hn \"sudo ss -tulpn 'sport = :{port}'\")"
    ) in done.stdout.splitlines()
    [hn] = as_json(portwho(lab, str(port), "--host", "hn", "--json"))["hosts"]
    assert (
        hn["ports"][0] | {"verdict": "in-use-owner-hidden", "reason": "owner-needs-privilege"}
        == hn["ports"][0]
    )
    assert [s["pid"] for s in hn["sockets"]] == [None]


#: the ssh of one session, for the test below: it waits (up to 5 s) until every host's session
#: has started, then runs the real ssh. Asked one after another, the first would wait in vain.
BARRIER = """#!/bin/sh
: > "$STARTED/$$"
i=0
while [ "$(ls "$STARTED" | wc -l)" -lt "$HOSTS" ]; do
    i=$((i + 1))
    if [ "$i" -gt 50 ]; then : > "$LATE/$$"; break; fi
    sleep 0.1
done
exec ssh "$@"
"""


def test_every_host_is_asked_at_once(lab: Lab, tmp_path: Path) -> None:
    """Not a timing (the 1-vs-6 figure is measured, not tested): each session's ssh waits for
    all the others to start, which only happens when they run side by side."""
    started, late = tmp_path / "started", tmp_path / "late"
    started.mkdir()
    late.mkdir()
    wrapper = tmp_path / "ssh"
    wrapper.write_text(BARRIER)
    wrapper.chmod(0o755)
    env = {**lab.env, "PORTWHO_SSH_COMMAND": f"{wrapper} -F {lab.config}",
           "STARTED": str(started), "LATE": str(late), "HOSTS": str(len(HOSTS))}  # fmt: skip
    many = [w for h in HOSTS for w in ("--host", h)]
    done = portwho(lab, "22", *many, "--tcp", "--json", env=env)
    assert done.returncode == 0, done.stderr  # every host's sshd holds 22
    assert len(list(started.iterdir())) == len(HOSTS)
    assert list(late.iterdir()) == []
    assert [h["exit_code"] for h in as_json(done)["hosts"]] == [0] * len(HOSTS)


def test_an_unreachable_host_costs_at_most_the_connect_timeout(lab: Lab) -> None:
    start = time.monotonic()
    done = portwho(lab, "22", "--host", "h1-dead", "--host", "h1", "--host", "h2-refused",
                   "--timeout", "4", "--json-lines")  # fmt: skip
    took = time.monotonic() - start
    print(f"\nunreachable host: whole run {took:.2f} s (ConnectTimeout=2)")
    assert done.returncode == 4, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["host"] for d in lines][-1] == "h1-dead"  # printed as each finished
    by_host = {d["host"]: d for d in lines}
    assert by_host["h1"]["exit_code"] == 0 and by_host["h1"]["seconds"] < 1.5
    assert "Connection refused" in by_host["h2-refused"]["error"]
    dead = by_host["h1-dead"]
    assert dead["exit_code"] == 4 and "timed out" in dead["error"], dead
    assert 1.5 < dead["seconds"] < 3.0 and took < 4.0
    assert leftover(str(lab.config)) == []


def test_the_worst_exit_code_wins_and_every_other_host_is_answered(lab: Lab) -> None:
    doc = as_json(portwho(lab, "22", "--host", "h1", "--host", "h5-refused", "--json"))
    assert doc["exit_code"] == 4
    assert [(h["host"], h["exit_code"]) for h in doc["hosts"]] == [("h1", 0), ("h5-refused", 4)]


@pytest.mark.parametrize("host", ["h6", "hp"])  # the host's own tools; a portwho on the host
def test_owner_filters_narrow_each_hosts_answer(lab: Lab, host: str) -> None:
    port, pid = lab.listen(host)
    doc = as_json(portwho(lab, str(port), "--host", host, "--pid", str(pid), "--json"))
    [mine] = doc["hosts"]
    assert mine["exit_code"] == 0 and [s["pid"] for s in mine["sockets"]] == [pid]
    doc = as_json(portwho(lab, str(port), "--host", host, "--process", "no-such-name", "--json"))
    [others] = doc["hosts"]
    assert (others["exit_code"], others["sockets"]) == (1, [])
    assert others["ports"][0]["verdict"] == "in-use-by-others"
    assert str(pid) in others["ports"][0]["hint"]


def test_pids_of_each_host_one_line_each(lab: Lab) -> None:
    """`-q` over hosts: "HOST PID" lines in the hosts' order; a host that cannot be asked
    says so on stderr and gives its exit code, and the others still answer."""
    port1, pid1 = lab.listen("h3")
    port2, pid2 = lab.listen("hp")
    specs = f"{port1},{port2}"
    done = portwho(lab, specs, "-t", "--host", "h3", "--host", "h5-refused", "--host", "hp", "-q")
    assert done.stdout.splitlines() == [f"h3 {pid1}", f"hp {pid2}"]
    assert done.stderr.startswith("portwho: h5-refused: ")
    assert done.returncode == 4


def test_sort_orders_each_hosts_sockets(lab: Lab) -> None:
    """`--sort pid` over a host orders that host's sockets as it orders a local lookup's."""
    # two listeners whose port order is not their pid order: pids grow with each listener
    # and the kernel picks ports at random, so a later one soon has a lower port than an
    # earlier one (ten in increasing port order: one chance in 3.6 million)
    listeners = [lab.listen("h4")]
    while len(listeners) < 10:
        listeners.append(lab.listen("h4"))
        if listeners[-1][0] < max(port for port, _ in listeners[:-1]):
            break
    (b, pid_b) = listeners[-1]
    (a, pid_a) = next(x for x in listeners[:-1] if x[0] > b)
    assert (a < b) != (pid_a < pid_b)
    doc = as_json(portwho(lab, f"{a},{b}", "-t", "-4", "--host", "h4", "--sort", "pid", "--json"))
    assert [s["pid"] for s in doc["hosts"][0]["sockets"]] == sorted([pid_a, pid_b])
    ports = as_json(portwho(lab, f"{a},{b}", "-t", "-4", "--host", "h4", "--json"))
    assert [s["local_port"] for s in ports["hosts"][0]["sockets"]] == sorted([a, b])
