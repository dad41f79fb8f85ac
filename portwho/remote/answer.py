"""A compatible portwho on the host answered with its own `--json` (schema 1): read it back into
the records, keeping the host's verdicts, hints and trail (it saw more than we can)."""

from __future__ import annotations

import json
from typing import Any

from portwho.errors import ParseError
from portwho.model import (
    FAMILIES,
    PROTOCOLS,
    Attempt,
    Outcome,
    PortReport,
    Reason,
    Socket,
    Verdict,
)

SCHEMA = 1
_FIELDS = (
    "local_address", "remote_address", "state", "process", "user", "cwd", "source"
)  # fmt: skip
_NUMBERS = ("local_port", "remote_port", "pid", "uid", "inode")


Parts = tuple[
    tuple[Socket, ...], tuple[PortReport, ...], tuple[Attempt, ...], tuple[int, int] | None
]


def from_portwho(text: str, ms: float) -> Parts:
    """The host's document -> (sockets, reports, trail, range); ParseError when it is not
    portwho's schema 1."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"the host's portwho printed no JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ParseError("the host's portwho speaks another JSON schema")
    try:
        # sockets in the host's other network namespaces (its containers; in the test lab,
        # the namespace the lab runs in) are listed with their "netns": not the host's own
        socks = tuple(socket_of(item) for item in doc["sockets"] if not _elsewhere(item))
        reports = tuple(report_of(item) for item in doc["ports"])
        trail = tuple(attempt_of(item) for item in doc["trail"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(f"the host's portwho JSON lacks {exc}") from None
    via = Attempt(backend="portwho", outcome=Outcome.ANSWERED, detail="over ssh", ms=ms)
    ranges = [p.get("ephemeral_range") for p in doc["ports"] if isinstance(p, dict)]
    return socks, reports, (via, *trail), _range(ranges[0] if ranges else None)


def _elsewhere(item: Any) -> bool:
    return isinstance(item, dict) and item.get("netns") is not None


def socket_of(item: Any) -> Socket:
    if not isinstance(item, dict):
        raise TypeError("a socket object")
    protocol, family = item["protocol"], item["family"]
    if protocol not in PROTOCOLS or family not in FAMILIES:
        raise ValueError(f"protocol/family {protocol}/{family}")
    values: dict[str, Any] = {k: _text(item.get(k)) for k in _FIELDS}
    values |= {k: _int(item.get(k)) for k in _NUMBERS}
    if values["local_port"] is None or values["local_address"] is None:
        raise ValueError("local_address/local_port")
    cmdline = item.get("cmdline")
    started = item.get("started")
    return Socket(
        protocol=protocol,
        family=family,
        cmdline=tuple(str(a) for a in cmdline) if isinstance(cmdline, list) else None,
        started=float(started) if isinstance(started, int | float) else None,
        **{k: v for k, v in values.items() if v is not None or k != "source"},
    )


#: a portwho from before verdicts carried a reason: the usual reason for each verdict
_REASONS = {
    Verdict.IN_USE: Reason.OWNER_FOUND,
    Verdict.HIDDEN: Reason.OWNER_NEEDS_PRIVILEGE,
    Verdict.FREE: Reason.NOTHING_BOUND,
    Verdict.RESERVED: Reason.EXCLUDED_RANGE,
    Verdict.UNKNOWN: Reason.NO_BACKEND,
}


def report_of(item: Any) -> PortReport:
    port = _int(item["port"])
    if port is None:
        raise ValueError("port")
    verdict = Verdict(item["verdict"])
    reason = Reason(item["reason"]) if "reason" in item else _REASONS[verdict]
    return PortReport(port=port, verdict=verdict, reason=reason)


def attempt_of(item: Any) -> Attempt:
    return Attempt(
        backend=str(item["backend"]),
        outcome=Outcome(item["outcome"]),
        detail=str(item.get("detail") or ""),
        ms=float(item.get("ms") or 0.0),
        count=_int(item.get("count")) or 0,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _range(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(_int(v) is not None for v in value):
        return int(value[0]), int(value[1])
    return None
