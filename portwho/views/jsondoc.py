"""The JSON view of a lookup (schema 1): a contract scripts rely on, so every field is named
here once. Errors in --json mode are JSON too, with a stable `code`."""

from __future__ import annotations

from portwho.model import Reason

TYPE_CHECKING = False  # not typing's: `portwho PORT --json` imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from portwho.facts import PortFacts
    from portwho.model import Attempt, LookupResult, PortReport, Socket

    Put = Callable[[str], object]  # where the writer's pieces go (a list's append)

SCHEMA = 1
#: a spec's port list is spelled out up to this many ports (low and high always are)
RANGE_PORTS_MAX = 64
#: what json.dumps(ensure_ascii=False) escapes: the quote, the backslash, the C0 controls
_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)} | {
    ord('"'): '\\"',
    ord("\\"): "\\\\",
    ord("\b"): "\\b",
    ord("\f"): "\\f",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}


def json_string(text: str) -> str:
    """json.dumps(text, ensure_ascii=False), without importing json or its C accelerator
    (_json: a shared library whose loading costs 0.3 ms, more than writing a whole document)."""
    if text.isprintable() and '"' not in text and "\\" not in text:  # no control character
        return f'"{text}"'
    return f'"{text.translate(_ESCAPES)}"'


def write_json(value: object, indent: str = "  ", level: str = "") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` for what a document holds (str keys;
    str, int, float, bool, None, lists, tuples), without importing json: its decoder brings
    `re`, a tenth of a whole `portwho PORT --json`. A property test holds the two equal."""
    parts: list[str] = []
    _write(value, "\n" + level, indent, parts.append, {})
    return "".join(parts)


def _write(value: object, newline: str, indent: str, put: Put, keys: dict[object, str]) -> None:
    """`value` in pieces, joined once; `newline`: a line break and `value`'s indentation; `keys`:
    each key quoted, once a document (every socket repeats the same twenty)."""
    if isinstance(value, dict):
        _write_dict(value, newline, indent, put, keys)
    elif isinstance(value, (list, tuple)):
        if not value:
            put("[]")
            return
        inner = newline + indent
        sep = "[" + inner
        for item in value:
            if type(item) is str:
                put(sep + json_string(item))
            else:
                put(sep)
                _write(item, inner, indent, put, keys)
            sep = "," + inner
        put(newline + "]")
    else:
        put(_scalar(value))


def _write_dict(
    value: dict[Any, Any], newline: str, indent: str, put: Put, keys: dict[Any, str]
) -> None:
    if not value:
        put("{}")
        return
    inner = newline + indent
    sep = "{" + inner
    for key, item in value.items():
        head = keys.get(key)
        if head is None:
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            head = keys[key] = f"{json_string(key)}: "
        if type(item) is str:  # most values: written here, not through _write
            put(f"{sep}{head}{json_string(item)}")
        else:
            put(sep + head)
            _write(item, inner, indent, put, keys)
        sep = "," + inner
    put(newline + "}")


def _scalar(value: object) -> str:
    if value is None or value is True or value is False:
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float(value: float) -> str:
    if value != value:  # noqa: PLR0124 - NaN, as json spells it
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


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
    return write_json(doc)


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
            "specs": [
                {
                    "text": sp.text,
                    "ports": sorted(sp.ports) if len(sp.ports) <= RANGE_PORTS_MAX else None,
                    "low": min(sp.ports),
                    "high": max(sp.ports),
                    "addresses": sorted(sp.addresses) if sp.addresses is not None else None,
                    "protocol": sp.protocol,
                }
                for sp in q.specs
            ],
            "owners": {
                "pids": sorted(q.owners.pids) if q.owners.pids is not None else None,
                "processes": sorted(q.owners.processes) if q.owners.processes else None,
                "users": sorted(q.owners.users) if q.owners.users is not None else None,
            },
        },
        "exit_code": exit_code,
        "ports": [
            {
                "port": r.port,
                "verdict": r.verdict.value,
                "reason": r.reason.value,
                "hint": _hint(r, result.platform, result.host),
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


#: the reasons views.words words no hint for: a port in use or free answers itself
UNHINTED = frozenset({Reason.OWNER_FOUND, Reason.NOTHING_BOUND, Reason.NO_BACKEND})


def _hint(report: PortReport, platform: str, host: str | None) -> str | None:
    """views.words.hint, imported only for a verdict that has one (the usual in-use or free
    answer needs none of that module)."""
    if report.reason in UNHINTED:
        return None
    from portwho.views.words import hint

    return hint(report, platform, host)


def error_json(code: str, message: str, exit_code: int) -> str:
    import json

    error = {"code": code, "message": message, "exit_code": exit_code}
    return json.dumps({"schema": SCHEMA, "error": error}, ensure_ascii=False)


# -- the acting verbs ---------------------------------------------------------------------------


def dumps(doc: dict[str, Any]) -> str:
    return write_json({"schema": SCHEMA, **doc})
