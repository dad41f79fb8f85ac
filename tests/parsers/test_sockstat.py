"""FreeBSD sockstat -46. No FreeBSD here: the fixture is modelled line by line on published
output: a FreeBSD administration guide's `sockstat -4` and `sockstat -6` on a workstation
(sshd, sendmail, syslogd, an unbound wpa_supplicant socket), a FreeNAS CrashPlan jail's
`sockstat -4` (a user name wider than its column), the pid that runs into the command from
saltstack/salt's network tests (FREEBSD_SOCKSTAT_WITH_FAT_PID), a `?` row for an owner sockstat
could not name, and an icmp6 row as sockstat prints the kernel's."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portwho.backends import formats, sockstat
from portwho.errors import ParseError, UsageError

STEM = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "sockstat"
    / ("modelled-on-published-freebsd__sockstat_-46")
)


def test_the_fixture_parses_to_its_oracle_and_is_detected() -> None:
    text = STEM.with_suffix(".txt").read_text()
    assert formats.detect(text) == "sockstat"
    expected = json.loads(STEM.with_suffix(".json").read_text())
    assert [s.as_dict() for s in sockstat.parse(text)] == expected


def test_wide_columns_fat_pids_and_unknown_owners() -> None:
    socks = sockstat.parse(STEM.with_suffix(".txt").read_text())
    by_pid = {s.pid: s for s in socks}
    assert (by_pid[81106].process, by_pid[81106].user) == ("python2.7", "salt-master")
    assert by_pid[4149].user == "crashplan"
    hidden = [s for s in socks if s.pid is None]
    assert [(s.remote_port, s.needs_owner) for s in hidden] == [(55100, True)]
    assert all(s.local_port for s in socks)  # `*:*` and icmp6 rows hold no port
    assert by_pid[800].local_address == "fe80::1"


def test_a_short_row_is_skipped_and_counted() -> None:
    text = "USER     COMMAND    PID   FD PROTO  LOCAL ADDRESS         FOREIGN ADDRESS\nroot x\n"
    parsed = sockstat.parse(text)
    assert (list(parsed), parsed.skipped, parsed.first_skipped) == ([], 1, "root x")
    with pytest.raises(UsageError, match="no row is a socket row"):
        formats.parse(text, "sockstat")


@given(st.text(max_size=300))
def test_any_text_is_sockets_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        assert isinstance(sockstat.parse(text), list)
