"""lsof: the last fallback on Linux and the name source on macOS.

`lsof -F` prints one field per line (`p` pid, `c` command, `u` uid, `L` login, `f` fd, `t`
type, `P` protocol, `n` name, `T` TCP info); the table form is what people paste into --from.
`parse(text)` takes either. lsof only sees the processes this user may inspect (its own,
unless root), so its answer is complete only for root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portwho.backends.base import Answer, port_runs
from portwho.backends.rows import Parsed
from portwho.errors import BackendFailed
from portwho.model import Socket
from portwho.system.host import is_root as _is_root  # a seam: tests play root and not

if TYPE_CHECKING:
    from portwho._run import Runner
    from portwho.model import Query
from portwho.backends.lsof._common import (  # the parsers' vocabulary, re-exported
    FIELDS as FIELDS,
)
from portwho.backends.lsof._common import (
    NAME as NAME,
)
from portwho.backends.lsof._common import (
    Owner as Owner,
)
from portwho.backends.lsof._common import (
    dedupe as dedupe,
)
from portwho.backends.lsof._common import (
    family_of as family_of,
)
from portwho.backends.lsof._common import (
    make_socket as make_socket,
)
from portwho.backends.lsof._common import (
    normalize_state as normalize_state,
)
from portwho.backends.lsof._common import (
    protocol_of as protocol_of,
)
from portwho.backends.lsof._common import (
    unescape as unescape,
)

_BASE = ("lsof", "-nP", "-w")
_TIMEOUT = 10.0


def parse(text: str) -> Parsed:
    """Parse lsof output in either the -F field form or the table form."""
    from portwho.backends.lsof import field as lsof_field
    from portwho.backends.lsof import table as lsof_table

    text = text.replace("\0", "\n")  # -F0 separates fields with NUL
    if lsof_field.looks_like(text):
        return dedupe(lsof_field.parse_fields(text))
    return dedupe(lsof_table.parse_table(text))


def locate(text: str) -> int | None:
    """-F output is whole (line 0); a table may follow a prompt or a warning."""
    from portwho.backends.lsof import field as lsof_field
    from portwho.backends.lsof import table as lsof_table

    if lsof_field.looks_like(text.replace("\0", "\n")):
        return 0
    return lsof_table.locate(text)


def sniff(text: str) -> bool:
    return locate(text) is not None


def _selectors(query: Query) -> list[list[str]]:
    """One argv tail per lsof run. lsof ORs several -i options, but -sTCP:LISTEN also drops
    every UDP socket (checked on lsof 4.95), so listing listeners takes two runs."""
    if query.ports is None:
        tcp = ["-iTCP", "-sTCP:LISTEN"] if query.listening_only else ["-iTCP"]
        return [tcp, ["-iUDP"]]
    specs = [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in port_runs(query.ports)]
    return [[f"-i{proto}:{spec}" for spec in specs for proto in ("TCP", "UDP")]]


def argvs(query: Query) -> list[list[str]]:
    return [[*_BASE, *tail, "-F", FIELDS] for tail in _selectors(query)]


def _output(runner: Runner, argv: list[str]) -> str:
    done = runner(argv, _TIMEOUT)
    # Status 1 means "some selector matched nothing" and comes with whatever did match.
    if done.returncode == 1 and not done.stderr.strip():
        return done.stdout
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[:1] or [""]
        raise BackendFailed(f"lsof exited with status {done.returncode}: {reason[0]}")
    if not done.stdout.strip():  # lsof says "found nothing" with status 1, never with 0
        raise BackendFailed("lsof printed nothing with status 0")
    return done.stdout


class LsofBackend:
    name = NAME

    def collect(self, query: Query, runner: Runner) -> Answer:
        found: list[Socket] = []
        for argv in argvs(query):
            found += parse(_output(runner, argv))
        sockets = tuple(s for s in dedupe(found) if query.wants(s))
        if _is_root():
            return Answer(sockets, complete=True)
        return Answer(
            sockets,
            complete=False,
            all_sockets=False,
            detail="lsof sees only this user's processes",
        )


BACKEND = LsofBackend()
