"""The JSON view of a lookup (schema 1): a contract scripts rely on, so every field is named
here once. Errors in --json mode are JSON too, with a stable `code`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from portwho.facts import PortFacts
from portwho.model import Attempt, LookupResult, Socket
from portwho.views.words import hint

SCHEMA = 1


def socket_json(s: Socket, contexts: Mapping[int, Any] | None = None) -> dict[str, Any]:
    doc = {
        "protocol": s.protocol,
        "family": s.family,
        "local_address": s.local_address,
        "local_port": s.local_port,
        "remote_address": s.remote_address,
        "remote_port": s.remote_port,
        "state": s.state,
        "role": "listening" if s.listening else "connected",
        "pid": s.pid,
        "process": s.process,
        "user": s.user,
        "uid": s.uid,
        "cmdline": list(s.cmdline) if s.cmdline is not None else None,
        "cwd": s.cwd,
        "started": s.started,
        "inode": s.inode,
        "source": s.source,
    }
    # added in schema 1 (a lookup document passes its contexts): what the owner runs in, and
    # how to stop it; one socket alone (a remote probe's oracle) stays as it was
    if contexts is not None and s.pid is not None:
        ctx = contexts.get(s.pid)
        doc["context"] = ctx.to_json() if ctx is not None else None
    return doc


def attempt_json(a: Attempt) -> dict[str, Any]:
    return {
        "backend": a.backend,
        "outcome": a.outcome.value,
        "detail": a.detail,
        "ms": a.ms,
        "count": a.count,
        "skipped": {"count": a.skipped, "first": a.first_skipped},
    }


def result_json(
    result: LookupResult,
    facts: dict[int, PortFacts],
    exit_code: int,
    extra: dict[str, Any] | None = None,
) -> str:
    """`extra`: keys a command adds to the same document (`why`)."""
    doc = result_doc(result, facts, exit_code) | (extra or {})
    return json.dumps(doc, indent=2, ensure_ascii=False)


def result_doc(result: LookupResult, facts: dict[int, PortFacts], exit_code: int) -> dict[str, Any]:
    q = result.query
    return {
        "schema": SCHEMA,
        "origin": result.origin,
        "query": {
            "ports": sorted(q.ports) if q.ports is not None else None,
            "protocols": sorted(q.protocols),
            "families": sorted(q.families),
            "listening_only": q.listening_only,
        },
        "exit_code": exit_code,
        "ports": [
            {
                "port": r.port,
                "verdict": r.verdict.value,
                "reason": r.reason.value,
                "hint": hint(r, result.platform, result.host),
            }
            | (facts[r.port].to_json() if r.port in facts else {})
            for r in result.ports
        ],
        "sockets": [socket_json(s, result.contexts) | {"netns": None} for s in result.sockets]
        + [
            socket_json(s, result.contexts) | {"netns": result.netns.get(s.inode or -1)}
            for s in result.inside
        ],
        "trail": [attempt_json(a) for a in result.trail],
        "notes": list(result.notes),
    }


def error_json(code: str, message: str, exit_code: int) -> str:
    error = {"code": code, "message": message, "exit_code": exit_code}
    return json.dumps({"schema": SCHEMA, "error": error}, ensure_ascii=False)
