"""portwho.system.procfs must say what psutil.Process says, for real processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest

from portwho import enrich as procinfo
from portwho.system import procfs
from tests.live.helpers import spawn_holder

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc"),
]


def test_same_answers_as_psutil_for_a_child_and_for_ourselves() -> None:
    with spawn_holder(comm="a-rather-long-process-name") as h:
        for pid in (h.pid, os.getpid(), 1):
            ours, theirs = procfs.describe(pid), procinfo.describe_psutil(pid)
            for key in ("process", "user", "cmdline", "cwd"):
                assert ours[key] == theirs[key], (pid, key)
            if theirs["started"] is not None:
                assert ours["started"] == pytest.approx(theirs["started"], abs=0.02)


def test_a_gone_process_is_empty() -> None:
    with spawn_holder() as h:
        pid = h.pid
    assert not psutil.pid_exists(pid)  # spawn_holder reaps its child on exit
    assert procfs.describe(pid) == {}


def test_title_rewritten_with_spaces_splits_like_psutil() -> None:
    assert procfs.cmdline("nginx: worker process") == ("nginx:", "worker", "process")
    assert procfs.cmdline("a\x00b c\x00") == ("a", "b c")
    assert procfs.cmdline("a b\x00") == ("a", "b")
    assert procfs.cmdline("") is None


def test_a_cut_name_is_completed_from_the_command_line() -> None:
    assert procfs.name("gnome-shell-cal\n", ("/usr/bin/gnome-shell-calendar-server",)) == (
        "gnome-shell-calendar-server"
    )
    assert procfs.name("python3\n", ("/usr/bin/python3.11",)) == "python3"


def test_the_parents_chain_says_what_psutil_says() -> None:
    from portwho.context import ancestry

    with spawn_holder() as h:
        for pid in (h.pid, os.getpid()):
            ours, theirs = ancestry.parents_linux(pid, {}), ancestry.parents_psutil(pid)
            assert [(p.pid, p.process) for p in ours] == [(p.pid, p.process) for p in theirs]
            for mine, psutil_says in zip(ours, theirs, strict=True):
                assert mine.started == pytest.approx(psutil_says.started, abs=0.02), mine


def test_read_gives_what_a_text_mode_read_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The raw reads return what open(..., errors="surrogateescape").read() returned: newlines
    translated the same way, undecodable bytes kept, a file longer than one read whole."""
    (tmp_path / "7").mkdir()
    contents = [b"a\r\nb\rc\r\r\nd\n\x00", b"caf\xc3\xa9 \xff\xfe\x00", b"x\x00" * 70_000, b""]
    monkeypatch.setattr(procfs, "PROC", str(tmp_path))
    for data in contents:
        path = tmp_path / "7" / "cmdline"
        path.write_bytes(data)
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            assert procfs._read(7, "cmdline") == fh.read()


def test_enrich_in_place_replaces_the_records_of_the_given_list() -> None:
    from portwho.model import Socket

    mine = Socket(protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=1,
                  pid=os.getpid(), process="backend-name")  # fmt: skip
    nobody = mine.but(pid=None, process=None)
    given = [mine, nobody]
    copied = procinfo.enrich(given, "linux")
    assert given == [mine, nobody] and copied is not given  # the caller's list untouched
    assert procinfo.enrich(given, "linux", in_place=True) is given
    assert given == copied
    assert given[0].cwd == os.getcwd() and given[0].user and given[1] is nobody


def test_the_name_in_stat_is_the_comm_file_for_every_process() -> None:
    """describe() takes the name from /proc/PID/stat, not /proc/PID/comm: the same text for
    every process here, kernel threads included, and for a name with parentheses in it."""
    with spawn_holder(comm="x) (y z") as h:
        seen = 0
        for entry in os.listdir("/proc"):
            if not entry.isdecimal():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text(errors="surrogateescape")
                comm = Path(f"/proc/{entry}/comm").read_text(errors="surrogateescape")
            except OSError:  # exited meanwhile
                continue
            assert procfs.comm_of(stat) == comm.rstrip("\n"), entry
            seen += 1
        assert seen > 10
        assert procfs.describe(h.pid)["process"] == procinfo.describe_psutil(h.pid)["process"]
        assert procfs.describe(h.pid)["process"] == "x) (y z"
