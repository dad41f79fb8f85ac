"""What a lookup concludes, as named constants: a verdict per port, the reason for it, and how
each backend attempt ended (with the Attempt record itself). Their values are stable: the JSON
carries them."""

from __future__ import annotations

from portwho.model.record import Constant, Record

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from typing import ClassVar


class Verdict(Constant):
    """What portwho concludes about one port. The values are stable (JSON `verdict`)."""

    __slots__ = ()
    IN_USE: ClassVar[Verdict]
    HIDDEN: ClassVar[Verdict]
    FREE: ClassVar[Verdict]
    OTHERS: ClassVar[Verdict]  # held, but by no owner that --pid/--process/--user keep
    RESERVED: ClassVar[Verdict]  # Windows excluded port range: nobody listens, nobody can bind
    UNKNOWN: ClassVar[Verdict]  # no backend could answer


Verdict.IN_USE, Verdict.HIDDEN = Verdict("in-use"), Verdict("in-use-owner-hidden")
Verdict.FREE, Verdict.RESERVED, Verdict.UNKNOWN = map(Verdict, ("free", "reserved", "unknown"))
Verdict.OTHERS = Verdict("in-use-by-others")


class Outcome(Constant):
    """How one backend attempt ended (shown by --debug, carried in the JSON trail)."""

    __slots__ = ()
    ANSWERED: ClassVar[Outcome]
    PARTIAL: ClassVar[Outcome]  # answered, but some owners stayed hidden from it
    UNAVAILABLE: ClassVar[Outcome]  # not on this OS, tool not installed, not permitted
    FAILED: ClassVar[Outcome]  # ran but timed out, crashed or printed something unparseable
    SKIPPED: ClassVar[Outcome]  # not needed: an earlier backend already answered completely


Outcome.ANSWERED, Outcome.PARTIAL, Outcome.UNAVAILABLE, Outcome.FAILED, Outcome.SKIPPED = map(
    Outcome, ("answered", "partial", "unavailable", "failed", "skipped")
)


class Reason(Constant):
    """Why a port got its verdict. Core decides it; the views word it (views/words.hint)."""

    __slots__ = ()
    OWNER_FOUND: ClassVar[Reason]
    OWNER_NEEDS_PRIVILEGE: ClassVar[Reason]  # hidden from this user; root would see it
    OWNER_OUT_OF_REACH: ClassVar[Reason]  # hidden even from root: another namespace
    OWNER_NOT_IN_INPUT: ClassVar[Reason]  # --from text that names no owner for it
    ONLY_OWN_SOCKETS: ClassVar[Reason]  # nothing seen, but only this user's sockets were
    CLOSING_ONLY: ClassVar[Reason]  # only TIME_WAIT connections, which no process owns
    NOTHING_BOUND: ClassVar[Reason]
    EXCLUDED_RANGE: ClassVar[Reason]  # inside a Windows excluded port range
    HELD_BY_OTHERS: ClassVar[Reason]  # detail: the pids --pid/--process/--user left out
    NO_BACKEND: ClassVar[Reason]
    UNKNOWN_NAMES: ClassVar[Reason]  # --from rows whose port is an unknown name (detail: how many)


Reason.OWNER_FOUND, Reason.OWNER_NEEDS_PRIVILEGE, Reason.OWNER_OUT_OF_REACH = map(
    Reason, ("owner-found", "owner-needs-privilege", "owner-out-of-reach")
)
Reason.ONLY_OWN_SOCKETS, Reason.CLOSING_ONLY, Reason.NOTHING_BOUND = map(
    Reason, ("only-own-sockets", "closing-only", "nothing-bound")
)
Reason.EXCLUDED_RANGE, Reason.NO_BACKEND = Reason("excluded-range"), Reason("no-backend")
Reason.OWNER_NOT_IN_INPUT = Reason("owner-not-in-input")
Reason.HELD_BY_OTHERS = Reason("held-by-others")
Reason.UNKNOWN_NAMES = Reason("unknown-service-names")


_set = object.__setattr__


class Attempt(Record):
    __slots__ = ("backend", "count", "detail", "first_skipped", "ms", "outcome", "skipped")
    FIELDS = ("backend", "outcome", "detail", "ms", "count", "skipped", "first_skipped")
    backend: str
    outcome: Outcome
    detail: str
    ms: float
    count: int  # sockets it returned
    skipped: int  # rows it could not read (--from): counted, never fatal
    first_skipped: str | None  # the first of them, as printed

    def __init__(
        self,
        *,
        backend: str,
        outcome: Outcome,
        detail: str = "",
        ms: float = 0.0,
        count: int = 0,
        skipped: int = 0,
        first_skipped: str | None = None,
    ) -> None:
        _set(self, "backend", backend)
        _set(self, "outcome", outcome)
        _set(self, "detail", detail)
        _set(self, "ms", ms)
        _set(self, "count", count)
        _set(self, "skipped", skipped)
        _set(self, "first_skipped", first_skipped)
