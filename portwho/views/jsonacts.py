"""The JSON documents of `kill`, `wait` and `free` (schema 1, as the lookup's in jsondoc)."""

from __future__ import annotations

from portwho.views.jsondoc import dumps, socket_json

TYPE_CHECKING = False  # not typing's
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from portwho.kill.plan import KillOutcome, Refusal, Target
    from portwho.model import Socket


def plan_json(entry: Target | Refusal) -> dict[str, Any]:
    from portwho.kill.plan import Target

    if isinstance(entry, Target):
        return {
            "action": "signal",
            "pid": entry.pid,
            "process": entry.process,
            "user": entry.user,
            "cmdline": list(entry.cmdline) if entry.cmdline is not None else None,
            "started": entry.started,
            "ports": list(entry.ports),
            "role": "listening" if entry.listening else "connected",
        }
    return {
        "action": "refuse",
        "pid": entry.pid,
        "process": entry.process,
        "ports": list(entry.ports),
        "reason": entry.reason,
        "advice": entry.advice,
        "override": entry.override,
    }


def outcome_json(o: KillOutcome) -> dict[str, Any]:
    return {"pid": o.target.pid, "process": o.target.process, "status": o.status.value,
            "detail": o.detail}  # fmt: skip


def kill_json(
    *,
    ports: Sequence[int],
    signal: str,
    plan: Sequence[Target | Refusal],
    outcomes: Sequence[KillOutcome] | None,
    left: Sequence[Socket] | None,
    exit_code: int,
) -> str:
    """The plan always; with a run (not --dry-run), each outcome and who still holds what."""
    doc: dict[str, Any] = {
        "command": "kill",
        "ports": list(ports),
        "signal": signal,
        "dry_run": outcomes is None,
        "plan": [plan_json(e) for e in plan],
    }
    if outcomes is not None:
        doc["outcomes"] = [outcome_json(o) for o in outcomes]
        doc["still_held"] = [socket_json(s) for s in left or ()]
    doc["exit_code"] = exit_code
    return dumps(doc)


def wait_json(
    *, port: int, want: str, met: bool, elapsed: float, holders: Sequence[Socket], exit_code: int
) -> str:
    return dumps({"command": "wait", "port": port, "until": want, "met": met,
                  "elapsed": round(elapsed, 3), "holders": [socket_json(s) for s in holders],
                  "exit_code": exit_code})  # fmt: skip


def free_json(*, ports: Sequence[int], count: int, searched: tuple[int, int],
              protocols: Sequence[str], exit_code: int) -> str:  # fmt: skip
    return dumps({"command": "free", "ports": list(ports), "count": count,
                  "searched": {"low": searched[0], "high": searched[1]},
                  "protocols": list(protocols), "exit_code": exit_code})  # fmt: skip
