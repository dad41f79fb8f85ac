"""Table views: the listing (every listener, no port asked) and the sockets of many busy ports.

A lookup shows each port in full (owner, command, context, facts: portwho.views.text). That
reads well for a few ports; for `portwho 1-65535` under a busy server it was 27,000 ports in
full, 316,000 lines and 12 MB of text. Past model.FULL_VIEW_MAX busy ports, their sockets are
one table, a row each, in the listing's columns plus STATE, then the counts.
"""

from __future__ import annotations

from portwho.model import Reason, Verdict
from portwho.views.words import bracketed, command_text, hint, proto_label, role

TYPE_CHECKING = False  # not typing's: `portwho` imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from portwho.model import LookupResult, PortReport, Socket

    Row = tuple[str, ...]
else:
    Row = tuple

LIST_COLUMNS = ("PORT", "PROTO", "ADDRESS", "PID", "USER", "PROCESS", "COMMAND")
MANY_COLUMNS = ("PORT", "PROTO", "ADDRESS", "STATE", "PID", "USER", "PROCESS", "COMMAND")


class Table:
    """A table as columns: the leading cells of each row, and the owner's cells (pid, user,
    process, command), which a busy server repeats over thousands of rows: worded and padded
    once per owner, not once per row. Piped, 30,000 rows cost a third of what rows of cells
    formatted one by one did."""

    __slots__ = ("header", "keys", "lead", "tails")

    def __init__(
        self,
        header: Sequence[str],
        lead: list[list[str]],
        keys: list[int | None],
        tails: dict[int | None, Row],
    ) -> None:
        self.header = tuple(header)
        self.lead = lead  # one list per leading column
        self.keys = keys  # each row's owner
        self.tails = tails  # owner -> its cells

    def rows(self) -> list[Row]:
        """Row by row (rich's table on a terminal)."""
        tails = self.tails
        return [(*lead, *tails[key]) for *lead, key in zip(*self.lead, self.keys, strict=True)]

    def lines(self) -> list[str]:
        """Plain columns two spaces apart, the last one unpadded, no trailing blanks."""
        return [line for block in self.blocks() for line in block]

    def blocks(self, size: int = 4096) -> Iterator[list[str]]:
        """lines() a few thousand at a time: the header, then the rows. A range's table may be
        tens of thousands of rows; printed as it is padded, it is never all in memory."""
        count = len(self.lead)
        head_lead, head_tail = self.header[:count], self.header[count:]
        tail_columns = list(zip(head_tail, *self.tails.values(), strict=True))[:-1]
        tail_widths = [max(map(len, column)) for column in tail_columns]

        def tail_text(cells: Row) -> str:
            padded = [cell.ljust(width) for cell, width in zip(cells, tail_widths, strict=False)]
            return "  ".join([*padded, cells[-1]])

        texts = {key: tail_text(cells) for key, cells in self.tails.items()}
        lead = self.lead
        widths = [max([len(h), *map(len, c)]) for h, c in zip(head_lead, lead, strict=True)]
        head = [h.ljust(w) for h, w in zip(head_lead, widths, strict=True)]
        yield ["  ".join([*head, tail_text(head_tail)]).rstrip()]
        for at in range(0, len(self.keys), size):
            columns = [
                [cell.ljust(w) for cell in c[at : at + size]]
                for c, w in zip(lead, widths, strict=True)
            ]
            owners = map(texts.__getitem__, self.keys[at : at + size])
            yield [line.rstrip() for line in map("  ".join, zip(*columns, owners, strict=True))]


def _owner_cells(socks: Iterable[Socket], nobody: bool = False) -> dict[int | None, Row]:
    """Each owner worded once; `nobody`: key -1 for sockets no process holds (TIME_WAIT)."""
    owners: dict[int | None, Row] = {-1: _NOBODY} if nobody else {}
    for s in socks:
        if s.pid not in owners:
            pid = str(s.pid) if s.pid is not None else "hidden"
            cmd = command_text(s.cmdline) if s.cmdline else ""
            owners[s.pid] = (pid, s.user or "", s.process or "", cmd)
    return owners


def list_table(result: LookupResult) -> Table:
    socks = result.sockets
    lead = [
        [str(s.local_port) for s in socks],
        [proto_label(s) for s in socks],
        [bracketed(s.local_address) for s in socks],
    ]
    return Table(LIST_COLUMNS, lead, [s.pid for s in socks], _owner_cells(socks))


#: the owner cells of a socket no process holds any more (TIME_WAIT): nothing is hidden
_NOBODY = ("-", "", "", "")


def many_table(socks: Sequence[Socket]) -> Table:
    """One row per socket, with its state in words ("listening", "connected to ...")."""
    lead = [
        [str(s.local_port) for s in socks],
        [proto_label(s) for s in socks],
        [bracketed(s.local_address) for s in socks],
        [role(s) for s in socks],
    ]
    keys = [s.pid if s.pid is not None or s.needs_owner else -1 for s in socks]
    owners = _owner_cells(socks, nobody=True)
    if -1 not in keys:
        del owners[-1]  # its "-" would widen the PID column
    return Table(MANY_COLUMNS, lead, keys, owners)


def shown_sockets(result: LookupResult, shown: Sequence[PortReport]) -> list[Socket]:
    """The sockets of the shown ports, in the result's order."""
    ports = {r.port for r in shown}
    return [s for s in result.sockets if s.local_port in ports]


def advice_lines(result: LookupResult, shown: Sequence[PortReport]) -> list[str]:
    """What the table cannot say: for each kind of verdict other than "in use", its ports and
    what to do (a hidden owner gets the command that reveals it), once per kind."""
    by_reason: dict[str, list[PortReport]] = {}
    for report in shown:
        if report.verdict is not Verdict.IN_USE and report.verdict is not Verdict.FREE:
            by_reason.setdefault(report.reason, []).append(report)
    lines = []
    for reports in by_reason.values():
        ports = [r.port for r in reports]
        listed = ", ".join(map(str, ports[:10])) + (", ..." if len(ports) > 10 else "")
        what = _VERDICT_WORDS.get(reports[0].reason, reports[0].verdict.value)
        advice = _advice(reports[0], result)
        lines.append(f"{len(ports)} port(s) {what} ({listed})" + (f": {advice}" if advice else ""))
    return lines


def _advice(report: PortReport, result: LookupResult) -> str | None:
    if report.reason is Reason.HELD_BY_OTHERS:  # its words name one port's pids
        return "the --pid/--process/--user filters leave their owners out"
    return hint(report, result.platform, result.host)


_VERDICT_WORDS = {
    Reason.OWNER_NEEDS_PRIVILEGE: "in use, owner hidden",
    Reason.OWNER_OUT_OF_REACH: "in use, owner hidden",
    Reason.OWNER_NOT_IN_INPUT: "in use, owner hidden",
    Reason.HELD_BY_OTHERS: "in use, but not by an owner you asked for",
    Reason.ONLY_OWN_SOCKETS: "unknown: nothing seen, but not every socket was visible",
    Reason.NO_BACKEND: "unknown: no backend could answer (see --debug)",
    Reason.UNKNOWN_NAMES: "unknown: some rows give their port as an unknown service name",
    Reason.EXCLUDED_RANGE: "reserved by Windows (excluded port range)",
}
