"""What /proc/PID/cgroup says about a process: the container it runs in and its systemd unit.

Pure: text in, names out. cgroup v1 lists one line per hierarchy (`9:name=systemd:/...`),
v2 one line (`0::/...`); hybrid machines have both, and the systemd path is the one to read
for units (v1 `name=systemd` when present, else v2).
"""

from __future__ import annotations

import re

_HEX64 = r"([0-9a-f]{64})"
#: container path patterns, most specific first: (regex, engine)
_CONTAINER_PATTERNS = (
    (re.compile(r"/docker-" + _HEX64 + r"\.scope(?:/|$)"), "docker"),
    (re.compile(r"/docker/" + _HEX64 + r"(?:/|$)"), "docker"),
    (re.compile(r"/libpod-(?!conmon-)" + _HEX64 + r"(?:\.scope)?(?:/|$)"), "podman"),
    (re.compile(r"/cri-containerd-" + _HEX64 + r"\.scope(?:/|$)"), "containerd"),
    (re.compile(r"/crio-(?!conmon-)" + _HEX64 + r"(?:\.scope)?(?:/|$)"), "crio"),
    (re.compile(r"/kubepods[^:]*/" + _HEX64 + r"(?:/|$)"), "kubernetes"),
    (re.compile(r"/lxc\.payload\.([^/]+)"), "lxc"),
    (re.compile(r"/lxc/([^/]+)"), "lxc"),
)


def lines(text: str) -> list[tuple[str, str]]:
    """(controllers, path) per well-formed line; others are skipped (a kernel may add fields)."""
    out = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[2].startswith("/"):
            out.append((parts[1], parts[2]))
    return out


def container_of(text: str) -> tuple[str, str] | None:
    """(engine, id) of the container the process runs in, or None on the host."""
    for _, path in lines(text):
        for pattern, engine in _CONTAINER_PATTERNS:
            found = pattern.search(path)
            if found:
                return engine, found.group(1)
    return None


def systemd_path(text: str) -> str | None:
    """The path in systemd's own hierarchy: v1 `name=systemd`, else the v2 line."""
    found = lines(text)
    for controllers, path in found:
        if controllers == "name=systemd":
            return path
    for controllers, path in found:
        if controllers == "":
            return path
    return None


def unit_of(text: str) -> tuple[str, bool] | None:
    """(unit name, is a user unit) of the innermost .service or .scope, or None.

    Container scopes are containers, not units; init.scope is pid 1's own."""
    path = systemd_path(text)
    if path is None or container_of(f"0::{path}") is not None:
        return None
    parts = [p for p in path.split("/") if p]
    units = [i for i, p in enumerate(parts) if p.endswith((".service", ".scope"))]
    if not units:
        return None
    name = parts[units[-1]]
    if name == "init.scope" or re.fullmatch(r"user@\d+\.service", name):
        return None
    user = any(re.fullmatch(r"user@\d+\.service", p) for p in parts[: units[-1]])
    return name, user
