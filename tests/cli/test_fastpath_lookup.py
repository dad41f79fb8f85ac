"""The Typer-free lookup path must answer exactly as the full CLI does, or hand over."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from portwho.cli import app as cli
from portwho.cli import fast as fastpath
from tests.live.helpers import spawn_holder

FULL_CLI = "import sys; from portwho.cli.app import main; main(sys.argv[1:])"


def both(*args: str) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    env = {**os.environ, "PORTWHO_BACKEND": ""}
    fast = [sys.executable, "-m", "portwho", *args]
    full = [sys.executable, "-c", FULL_CLI, *args]
    return tuple(  # type: ignore[return-value]
        subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, check=False)
        for argv in (fast, full)
    )


def comparable(text: str, pid: int) -> object:
    """The parts of a lookup's JSON that only this test's holder decides: other processes on
    this machine may use the same port numbers (a UDP client's port, another protocol) and
    come and go between the two runs."""
    doc = json.loads(text)
    doc["sockets"] = [s for s in doc["sockets"] if s["pid"] == pid]
    held = {s["local_port"] for s in doc["sockets"]}
    doc["ports"] = [p for p in doc["ports"] if p["port"] in held]
    if len(doc["ports"]) < len(doc["query"]["ports"]):
        doc.pop("exit_code")  # a port the holder does not hold here is anyone's
    for attempt in doc.get("trail", []):
        for key in ("ms", "count", "detail"):  # the detail counts every process scanned
            attempt.pop(key)
    return doc


def test_the_verbs_it_knows_are_the_cli_verbs() -> None:
    import typer

    from portwho import spec

    group = typer.main.get_command(cli.app)
    assert set(group.commands) == set(spec.BY_NAME)  # type: ignore[attr-defined]
    assert set(fastpath.FLAGS) == {n for o in spec.LOOKUP.opts if o.value is None for n in o.names}


def test_the_written_out_flags_are_the_specs() -> None:
    """fast.FLAGS and __main__.EARLY_FLAGS are spec.LOOKUP's flags, written out so that a
    plain lookup need not import the spec: each name with its parameter, and the early dump's
    flags only those that leave the netlink dumps as a plain port asks them."""
    from portwho import spec
    from portwho.__main__ import EARLY_FLAGS

    assert {n: o.dest for o in spec.LOOKUP.opts if o.flag for n in o.names} == fastpath.FLAGS
    assert {fastpath.FLAGS[f] for f in EARLY_FLAGS} == {"as_json", "pids", "debug"}


@pytest.mark.live
@pytest.mark.parametrize(
    "extra", [[], ["--tcp"], ["-4", "--listening"], ["lookup"], ["--udp", "-6"]], ids=str
)
def test_fast_and_full_lookups_agree(extra: list[str]) -> None:
    with spawn_holder() as h:
        ports = [str(h.ports["tcp4"]), str(h.ports["udp6"])]
        args = [*extra, *ports] if extra[:1] == ["lookup"] else [*ports, *extra]
        fast, full = both(*args, "--json")
    assert comparable(fast.stdout, h.pid) == comparable(full.stdout, h.pid)
    if "exit_code" in comparable(fast.stdout, h.pid):  # type: ignore[operator]
        assert fast.returncode == full.returncode


@pytest.mark.parametrize(
    "args",
    [["abc"], ["0"], ["-1"], ["--bogus"], ["80", "--from", "/nonexistent"], ["--help"], [""]],
    ids=str,
)
def test_what_it_does_not_answer_goes_to_the_full_cli(args: list[str]) -> None:
    assert fastpath.lookup(args, {}) is None
    fast, full = both(*args)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        full.returncode,
        full.stdout,
        full.stderr,
    )


@pytest.mark.live
@pytest.mark.parametrize("extra", [[], ["--json"], ["--interval=0.05", "--count", "2"]], ids=str)
def test_fast_and_full_watches_agree(extra: list[str]) -> None:
    with spawn_holder() as h:
        port = str(h.ports["tcp4"])
        fast, full = both("watch", port, "--count", "1", *extra)
    assert (fast.returncode, fast.stderr) == (full.returncode, full.stderr) == (0, "")

    def mine(text: str) -> list[object]:  # this holder's events, without their times
        if "--json" in extra:
            docs = [json.loads(line) for line in text.splitlines()]
            return [d | {"time": 0} for d in docs if d["socket"]["pid"] == h.pid]
        return [line.split(" ", 1)[1] for line in text.splitlines() if f"pid {h.pid}," in line]

    assert mine(fast.stdout) == mine(full.stdout) != []


@pytest.mark.parametrize(
    ("argv", "got"),
    [
        (["80", "--count", "2"], {"ports": ["80"], "count": "2"}),
        (["--interval=0.5", "--json"], {"ports": [], "interval": "0.5", "as_json": True}),
        (["--count", "-1"], {"ports": [], "count": "-1"}),  # a value, refused later
        (["--count"], None),  # no value
        (["--json=yes"], None),  # a flag given a value
        (["--help"], None),
        (["--frobnicate"], None),
        (["--", "80"], None),
    ],
    ids=str,
)
def test_the_fast_parser_reads_what_the_spec_declares(
    argv: list[str], got: dict[str, object] | None
) -> None:
    from portwho import spec

    assert fastpath.parse(spec.WATCH, argv) == got
