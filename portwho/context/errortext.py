"""What a pasted error message says about a port: `portwho why TEXT`.

Pure: text in, a small record out. Rules are a table, tried in order: the first that matches
names the kind of failure; the port comes from the same rule or, failing that, from the
address forms any runtime prints (`:::3000`, `('127.0.0.1', 8000)`, `port 8080`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: what each kind of failure means, worded for the port ({port}: the number, or "the port")
MEANINGS = {
    "in-use": "{port} was already bound by another socket when the error was raised",
    "docker-allocated": "Docker could not publish {port}: another container (or a host"
    " process) already holds it on the host",
    "access": "binding {port} was not permitted: ports below 1024 need root (or"
    " CAP_NET_BIND_SERVICE); on Windows, administrators",
    "reserved": "Windows refused the bind (WSAEACCES 10013): {port} is in an excluded port range"
    " (Hyper-V, WinNAT, Docker Desktop; see `netsh int ipv4 show excludedportrange"
    " protocol=tcp`) or another program holds it exclusively",
    "ephemeral-exhausted": "connecting failed with WSAEADDRINUSE (10048): this machine ran out of"
    " ephemeral ports for outgoing connections (many sockets in TIME_WAIT), not a listener"
    " clash on {port}",
    "not-available": "the address to bind is not on this machine (EADDRNOTAVAIL): check the host"
    " part of the address, not {port}",
    "refused": "nothing accepted the connection on {port} (ECONNREFUSED): no listener there",
    "unknown": "portwho does not know this error's wording; here is what holds {port}",
}
#: EACCES on a port that needs no privilege: something else said no
ACCESS_HIGH = (
    "binding {port} was not permitted, though it needs no root: a security policy (SELinux,"
    " AppArmor, seccomp) or, on Windows, an excluded port range (netsh int ipv4 show"
    " excludedportrange protocol=tcp)"
)
PRIVILEGED_BELOW = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorText:
    kind: str  # a key of MEANINGS
    source: str  # which runtime's wording matched: node, go, python, java, windows, docker, ...
    port: int | None
    address: str | None = None

    @property
    def meaning(self) -> str:
        port = f"port {self.port}" if self.port is not None else "the port"
        high = self.kind == "access" and self.port is not None and self.port >= PRIVILEGED_BELOW
        return (ACCESS_HIGH if high else MEANINGS[self.kind]).format(port=port)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "source": self.source,
            "port": self.port,
            "address": self.address,
            "meaning": self.meaning,
        }


_ADDR = r"(?P<addr>\[[0-9a-fA-F:.%\w]*\]|[0-9a-fA-F:.]*?|[\w.-]*?)"
_PORT = r"(?P<port>\d{1,5})\b"
_CONNECT = re.compile(r"\b(connect|connectex|dial)\b", re.IGNORECASE)

#: (source, kind, pattern): the first match wins; `kind` None means decided by _windows_kind
RULES: tuple[tuple[str, str | None, re.Pattern[str]], ...] = tuple(
    (source, kind, re.compile(pattern, re.IGNORECASE))
    for source, kind, pattern in (
        ("docker", "docker-allocated", rf"Bind for {_ADDR}:{_PORT} failed: port is already allocated"),
        ("docker", "docker-allocated", rf"failed to bind host port (?:for )?{_ADDR}:{_PORT}\S*: address already in use"),
        ("docker", "docker-allocated", rf"Error starting userland proxy: listen (?:tcp|udp)[46]? {_ADDR}:{_PORT}: bind: address already in use"),
        ("node", "in-use", rf"listen EADDRINUSE(?:: address already in use)? {_ADDR}:{_PORT}"),
        ("node", "access", rf"listen EACCES(?:: permission denied)? {_ADDR}:{_PORT}"),
        ("node", "not-available", rf"listen EADDRNOTAVAIL(?:: address not available)? {_ADDR}:{_PORT}"),
        ("node", "refused", rf"connect ECONNREFUSED {_ADDR}:{_PORT}"),
        ("go", None, rf"listen (?:tcp|udp)[46]? {_ADDR}:{_PORT}: bind: (?P<msg>.*)"),
        ("go", "refused", rf"dial (?:tcp|udp)[46]? {_ADDR}:{_PORT}: connect: connection refused"),
        ("windows", "ephemeral-exhausted", rf"(?:dial|connect)\w* (?:tcp|udp)?[46]? ?{_ADDR}:{_PORT}: connectex: Only one usage"),
        ("nginx", None, rf"bind\(\) to {_ADDR}:{_PORT} failed \((?P<msg>[^)]*)\)"),
        ("python", None, r"\[(?:Errno|WinError) (?P<errno>\d+)\][^\n]*?\(\s*'(?P<addr>[^']*)',\s*" + _PORT),
        ("python", None, r"\[(?:Errno|WinError) (?P<errno>\d+)\]"),
        ("java", "ephemeral-exhausted", r"java\.net\.BindException: Address already in use: connect"),
        ("java", "in-use", r"java\.net\.BindException: Address already in use"),
        ("java", "access", r"java\.net\.(?:BindException|SocketException): Permission denied"),
        ("spring", "in-use", rf"Port {_PORT} was already in use"),
        ("postgres", "in-use", r"could not bind \w+ address[^\n]*Address already in use"),
        ("windows", None, r"\b(?P<errno>10048|10013)\b"),
        ("windows", "in-use", r"Only one usage of each socket address"),
        ("windows", "reserved", r"forbidden by its access permissions"),
        ("generic", "in-use", r"EADDRINUSE|address already in use|port is already allocated"),
        ("generic", "access", r"EACCES|permission denied"),
    )
)  # fmt: skip

#: errno -> kind: Linux 98 / macOS 48 / Windows 10048 in use, 13 access, 10013 reserved
_ERRNO = {"98": "in-use", "48": "in-use", "10048": "in-use", "13": "access",
          "10013": "reserved", "99": "not-available", "49": "not-available",
          "111": "refused", "61": "refused", "10061": "refused"}  # fmt: skip
#: port forms any runtime prints, tried when the rule itself caught none
_FALLBACK_PORTS = (
    re.compile(r"\bport\s+(?P<port>\d{1,5})\b", re.IGNORECASE),
    re.compile(r"\(\s*'[^']*',\s*(?P<port>\d{1,5})\s*[,)]"),
    re.compile(r"(?:\]|\d|\*|::|localhost):(?P<port>\d{1,5})\b"),
    re.compile(r"-(?P<port>\d{1,5})\]\]"),  # Tomcat: Connector[HTTP/1.1-8080]
)


def _kind(kind: str | None, found: re.Match[str], text: str) -> str:
    if kind is not None:
        return kind
    groups = found.groupdict()
    errno = groups.get("errno")
    if errno:
        base = _ERRNO.get(errno, "in-use")
        return "ephemeral-exhausted" if errno == "10048" and _CONNECT.search(text) else base
    msg = (groups.get("msg") or "").lower()
    if "forbidden by its access permissions" in msg or "10013" in msg:
        return "reserved"
    if "permission denied" in msg or "13:" in msg:
        return "access"
    if "cannot assign" in msg or "not available" in msg:
        return "not-available"
    return "in-use"


def _port(found: re.Match[str], text: str) -> tuple[int | None, str | None]:
    groups = found.groupdict()
    if groups.get("port"):
        return int(groups["port"]), groups.get("addr") or None
    for pattern in _FALLBACK_PORTS:
        more = pattern.search(text)
        if more:
            return int(more.group("port")), None
    return None, None


def parse(text: str) -> ErrorText | None:
    """The first rule that matches, with its port (None when the text names none). Text no
    rule knows but that names a port is kind "unknown"; None for text with neither."""
    for source, kind, pattern in RULES:
        found = pattern.search(text)
        if found is None:
            continue
        port, addr = _port(found, text)
        if port is not None and not 0 < port <= 65535:
            port = None
        return ErrorText(kind=_kind(kind, found, text), source=source, port=port, address=addr)
    for pattern in _FALLBACK_PORTS:
        more = pattern.search(text)
        if more and 0 < int(more.group("port")) <= 65535:
            return ErrorText(kind="unknown", source="generic", port=int(more.group("port")))
    return None
