"""The command line in-process: dispatch, bad input, exit codes, JSON shape."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import run

SOCKET_FIELDS = {
    "protocol",
    "family",
    "local_address",
    "local_port",
    "remote_address",
    "remote_port",
    "state",
    "pid",
    "process",
    "user",
    "cmdline",
    "source",
}


@pytest.mark.parametrize(
    ("arg", "words"),
    [
        ("-1", "-1 is not a port"),
        ("0", "port 0 is not a real port"),
        ("65536", "out of range"),
        ("abc", "unknown port or service name 'abc'"),
        ("", "empty port argument"),
        ("9000-8000", "backwards"),
        ("１２３", "non-ASCII digits"),
        ("nosuchservicexyz", "unknown port or service name"),
        ("1-100000", "out of range"),
        ("--bogus", "no such option: --bogus"),
        ("::1:8000", "in brackets"),
        ("myhost:8000", "not an IP address"),
        ("8000/sctp", "unknown protocol"),
        ("8000,,8001", "empty port between commas"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    arg: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([arg], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("portwho: ")
    assert words in err
    assert "Traceback" not in err


def test_bad_input_in_json_mode_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["abc", "--json"], capsys)
    assert code == 2
    doc = json.loads(out)
    assert doc["schema"] == 1
    assert doc["error"]["code"] == "usage"
    assert "abc" in doc["error"]["message"]


def test_unknown_backend_and_unreadable_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["80", "--backend", "nope"], capsys)
    assert code == 2 and "unknown backend 'nope'" in err
    code, _, err = run(["80", "--from", "/nonexistent/file"], capsys)
    assert code == 2 and "cannot read --from /nonexistent/file" in err


def test_help_lists_the_default_and_the_verbs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for option in ("--json", "-q, --pids", "-l, --listening", "--pid PID", "--sort KEY"):
        assert f"  {option}  " in out, option  # the lookup's own options, on the top page
    commands = out.split("Commands:\n")[1]
    assert all(f"  {verb}  " in commands for verb in ("explain", "kill", "wait", "help"))


def test_a_verb_is_a_verb_and_a_port_is_a_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "5432"], capsys)
    assert code == 0 and "Ask this OS directly" in out and "postgresql" in out
    code, out, _ = run(["5432", "--json", "--backend", "psutil"], capsys)
    assert code in (0, 1, 3)
    assert json.loads(out)["query"]["ports"] == [5432]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.startswith("portwho ")


def test_explain_json_has_registrations_and_native_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["explain", "80", "--json"], capsys)
    port = json.loads(out)["ports"][0]
    assert code == 0
    assert {"name": "http", "protocol": "tcp", "description": "World Wide Web HTTP"} in port[
        "services"
    ]
    assert port["class"] == "well-known"
    assert any("80" in cmd for cmd in port["native_commands"])


def test_from_file_reads_saved_output_without_enrichment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.fakes import FIXTURES

    path = FIXTURES / "netstat-linux" / "debian-12__netstat-natupeW-root.txt"
    code, out, _ = run(["38007", "--from", str(path), "--json"], capsys)
    doc = json.loads(out)
    assert code == 0
    assert doc["origin"] == str(path)
    assert doc["trail"][0]["backend"] == "netstat-linux"
    sock = doc["sockets"][0]
    assert set(sock) >= SOCKET_FIELDS
    assert sock["pid"] == 31421 and sock["process"] == "my server (v1"
    assert sock["cwd"] is None  # never enriched from this machine


def test_from_stdin_as_in_ssh_host_ss_pipe() -> None:
    import subprocess
    import sys

    from tests.fakes import fixture

    text = fixture("ss/debian-12__ss-Hnatupe-root.txt")
    proc = subprocess.run(
        [sys.executable, "-m", "portwho", "35147", "--from", "-", "--json"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert doc["origin"] == "<stdin>"
    assert doc["trail"][0]["backend"] == "ss"
    assert {s["pid"] for s in doc["sockets"]} == {9185}


def test_backend_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTWHO_BACKEND", "psutil")
    code, out, _ = run(["9", "--json"], capsys)
    trail = json.loads(out)["trail"]
    assert [a["backend"] for a in trail] == ["psutil"]
    assert code in (0, 1)


def test_from_without_a_port_lists_every_socket_in_the_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.fakes import FIXTURES

    path = FIXTURES / "netstat-linux" / "debian-12__netstat-natupeW-root.txt"
    code, out, _ = run(["--from", str(path), "--json"], capsys)
    states = {s["state"] for s in json.loads(out)["sockets"]}
    assert code == 0
    assert {"LISTEN", "ESTABLISHED", None} <= states  # connections too, not only listeners
    code, out, _ = run(["--from", str(path), "--json", "--listening"], capsys)
    assert {s["state"] for s in json.loads(out)["sockets"]} <= {"LISTEN", None}


def test_json_carries_the_specs_and_filters_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.fakes import FIXTURES

    capture = str(FIXTURES / "ss" / "debian-12__ss-Hnatupe-root.txt")
    args = ["127.0.0.1:35147/tcp", "35140-35150", "--from", capture, "--pid", "9185", "--json"]
    code, out, _ = run(args, capsys)
    doc = json.loads(out)
    assert code == doc["exit_code"] == 0
    first, second = doc["query"]["specs"]
    assert (first["text"], first["protocol"], first["low"], first["high"]) == (
        "127.0.0.1:35147/tcp", "tcp", 35147, 35147)  # fmt: skip
    assert "127.0.0.1" in first["addresses"] and "0.0.0.0" in first["addresses"]
    assert (second["low"], second["high"], second["addresses"]) == (35140, 35150, None)
    assert doc["query"]["owners"]["pids"] == [9185]
    assert {s["pid"] for s in doc["sockets"]} == {9185}


def test_a_range_read_from_a_file_gets_no_context_from_this_machine(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    """The pids of a saved output are the other machine's: a range of many ports with few busy
    ones (each shown in full) must not be given this machine's parents or project for them,
    even when a pid of the file is one of this machine's."""
    import os
    from pathlib import Path

    from tests.fakes import FIXTURES

    capture = (FIXTURES / "ss" / "debian-12-iproute2-6.1-as-root__ss_a_t_u_p.txt").read_text()
    path = Path(str(tmp_path)) / "ss.txt"
    path.write_text(capture.replace("pid=11318", f"pid={os.getpid()}"))
    code, out, _ = run(["1-1024", "--from", str(path)], capsys)
    assert code == 0 and f"pid {os.getpid()}" in out
    assert "parents" not in out and "project" not in out
