"""`portwho why TEXT`: find the port in a pasted error, answer as `portwho PORT` does (same
output, same exit code), and say what the error means."""

from __future__ import annotations

import sys
from typing import Any

from portwho.commands import lookup as commands
from portwho.context import errortext
from portwho.errors import ExitCode, UsageError
from portwho.model import LookupResult, Verdict
from portwho.views.text import Line

#: the runtime each rule's wording comes from, as the text names it
SOURCES = {
    "node": "Node.js", "go": "Go", "python": "Python", "java": "Java", "spring": "Spring Boot",
    "windows": "Windows (Winsock)", "docker": "Docker", "nginx": "nginx",
    "postgres": "PostgreSQL", "generic": "the error",
}  # fmt: skip

#: each kind of failure in a few words, for the one line that says the text names no port
SHORT = {
    "in-use": "address already in use", "docker-allocated": "the port is already allocated",
    "access": "permission denied", "reserved": "access forbidden (Winsock 10013)",
    "ephemeral-exhausted": "no local port was left for a connection (Winsock 10048)",
    "not-available": "address not available", "refused": "connection refused",
}  # fmt: skip
#: a bind clash whose port is free now
GONE = (
    "nothing on this host holds it now: the holder has exited since, or it lives in a"
    " container or another network namespace"
)


def read_text(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


class Why:
    """The parsed error and, for Docker's "port is already allocated", the container that
    publishes the port (from the lookup's contexts, else one engine round trip)."""

    def __init__(self, found: errortext.ErrorText) -> None:
        self.found = found

    def holder(self, result: LookupResult) -> Any:
        if self.found.kind != "docker-allocated":
            return None
        for ctx in result.contexts.values():
            if ctx is not None and ctx.container is not None and ctx.container.name:
                return ctx.container
        return None

    def json(self, result: LookupResult) -> dict[str, Any]:
        container = self.holder(result)
        doc = self.found.to_json() | {"container": container.to_json() if container else None}
        return {"why": doc}

    def lines(self, result: LookupResult) -> list[Line]:
        source = SOURCES.get(self.found.source, self.found.source)
        lines: list[Line] = [[(f"{source}: ", "bold"), (self.found.meaning, "")]]
        container = self.holder(result)
        if container is not None:
            lines.append([("  held by ", ""), (container.words(), "magenta")])
        binds = self.found.kind in ("in-use", "docker-allocated")
        if binds and all(r.verdict is Verdict.FREE for r in result.ports):
            lines.append([(f"  {GONE}", "")])
        lines.append([])
        return lines


def why(text: str, *, output: commands.Output, debug: bool, backend: str | None = None) -> ExitCode:
    found = errortext.parse(read_text(text))
    if found is None:
        raise UsageError(
            "no port found in the text: paste the error line that names the address"
            " (e.g. ':::3000', 'tcp :8080', \"('127.0.0.1', 8000)\", 'port 5432')"
        )
    if found.port is None:
        source = SOURCES.get(found.source, found.source)
        raise UsageError(
            f"{source} says {SHORT.get(found.kind, found.kind)}, but the text names no port:"
            " paste the lines around it that name the address, or run portwho PORT"
        )
    query = commands.build_query(
        [str(found.port)], tcp=False, udp=False, ipv4=False, ipv6=False, listening=False
    )
    return commands.run_lookup(
        query, backend=backend, source=None, fmt=None, output=output, debug=debug, why=Why(found)
    )
