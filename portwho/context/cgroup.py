"""What /proc/PID/cgroup says about a process: the container it runs in and its systemd unit.

Pure: text in, names out. cgroup v1 lists one line per hierarchy (`9:name=systemd:/...`),
v2 one line (`0::/...`); hybrid machines have both, and the systemd path is the one to read
for units (v1 `name=systemd` when present, else v2).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    import re

_HEX64 = r"([0-9a-f]{64})"
#: container path patterns, most specific first: (regex, engine)
_CONTAINER_SOURCES = (
    (r"/docker-" + _HEX64 + r"\.scope(?:/|$)", "docker"),
    (r"/docker/" + _HEX64 + r"(?:/|$)", "docker"),
    (r"/libpod-(?!conmon-)" + _HEX64 + r"(?:\.scope)?(?:/|$)", "podman"),
    (r"/cri-containerd-" + _HEX64 + r"\.scope(?:/|$)", "containerd"),
    (r"/crio-(?!conmon-)" + _HEX64 + r"(?:\.scope)?(?:/|$)", "crio"),
    (r"/kubepods[^:]*/" + _HEX64 + r"(?:/|$)", "kubernetes"),
    (r"/lxc\.payload\.([^/]+)", "lxc"),
    (r"/lxc/([^/]+)", "lxc"),
)
#: a literal every pattern above contains: a host process's path (most owners) matches none,
#: and is answered without importing and compiling re
_MARKERS = ("/docker", "/libpod-", "/cri-containerd-", "/crio-", "/kubepods", "/lxc")
_compiled: list[tuple[re.Pattern[str], str]] = []


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    if not _compiled:
        import re

        _compiled.extend((re.compile(src), engine) for src, engine in _CONTAINER_SOURCES)
    return _compiled


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
        if not any(marker in path for marker in _MARKERS):
            continue
        for pattern, engine in _patterns():
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
    if name == "init.scope" or _user_manager(name):
        return None
    user = any(_user_manager(p) for p in parts[: units[-1]])
    return name, user


def _user_manager(name: str) -> bool:
    """`user@\\d+\\.service` (a user's systemd), matched without re."""
    digits = name[5:-8]
    return name.startswith("user@") and name.endswith(".service") and digits.isdecimal()
