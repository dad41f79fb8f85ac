"""portwho.system.procfs must say what psutil.Process says, for real processes."""

from __future__ import annotations

import os
import sys

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
