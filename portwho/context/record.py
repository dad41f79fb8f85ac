"""The records of what surrounds an owner process: its container, its unit or supervisor, its
ancestry, its project, and the one command that stops it where it lives.

Plain slotted classes, not dataclasses: they are built on every lookup that finds an owner,
and five frozen dataclasses cost 2.5 ms to create at import (11 ms on a loaded machine), more
than the whole context of one owner. Read-only by convention; equal when their fields are.
The JSON shapes (to_json) are part of schema 1.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from typing import Any


class _Record:
    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Record)
            and type(other) is type(self)
            and (self._fields() == other._fields())
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._fields()))

    def __repr__(self) -> str:
        pairs = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({pairs})"


class Container(_Record):
    __slots__ = ("compose_project", "compose_service", "engine", "id", "image", "name",
                 "target", "via")  # fmt: skip

    def __init__(
        self,
        *,
        engine: str,  # "docker", "podman", "containerd", "crio", ...
        id: str | None = None,  # the full id when known
        name: str | None = None,
        image: str | None = None,
        compose_project: str | None = None,
        compose_service: str | None = None,
        target: str | None = None,  # a forwarder's container end ("172.17.0.2:80"), its argv
        via: str | None = None,  # how it was found: "cgroup", "docker-proxy (forwarder)", "api"
    ) -> None:
        self.engine, self.id, self.name, self.image = engine, id, name, image
        self.compose_project, self.compose_service = compose_project, compose_service
        self.target, self.via = target, via

    def words(self) -> str:
        """`docker container web1 (image nginx:1.27, compose shop/web)`"""
        name = self.name or (f"id {self.id[:12]}" if self.id else None)
        head = f"{self.engine} container {name}" if name else f"a {self.engine} container"
        extra = [f"image {self.image}"] if self.image else []
        if self.compose_project:
            extra.append(f"compose {self.compose_project}/{self.compose_service or '?'}")
        if self.target:
            extra.append(f"forwards to {self.target}")
        return head + (f" ({', '.join(extra)})" if extra else "")

    def to_json(self) -> dict[str, Any]:
        keys = ("engine", "id", "name", "image", "compose_project", "compose_service", "target",
                "via")  # fmt: skip
        return {k: getattr(self, k) for k in keys}


class Unit(_Record):
    __slots__ = ("manager", "name", "restarts")

    def __init__(self, *, manager: str, name: str, restarts: bool = True) -> None:
        #: "systemd", "launchd", "pm2", "supervisord", "tmux", "windows-service", ...
        self.manager, self.name = manager, name
        self.restarts = restarts  # the manager starts again what is killed under it

    def words(self) -> str:
        return f"{self.manager} {self.name}"

    def to_json(self) -> dict[str, Any]:
        return {"manager": self.manager, "name": self.name}


class Parent(_Record):
    __slots__ = ("pid", "process", "started")

    def __init__(self, *, pid: int, process: str | None, started: float | None) -> None:
        self.pid, self.process, self.started = pid, process, started

    def to_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "process": self.process, "started": self.started}


class Project(_Record):
    __slots__ = ("branch", "root", "vcs")

    def __init__(self, *, root: str, vcs: str, branch: str | None) -> None:
        self.root, self.vcs = root, vcs  # vcs: "git", "hg"
        self.branch = branch  # None when detached

    def to_json(self) -> dict[str, Any]:
        return {"root": self.root, "vcs": self.vcs, "branch": self.branch}


class Tunnel(_Record):
    """A port an ssh or kubectl owner listens on, and where it forwards it (context.tunnels)."""

    __slots__ = ("port", "target", "tool", "via")

    def __init__(self, *, port: int, tool: str, target: str | None, via: str | None) -> None:
        self.port = port  # the owner's local port this is
        self.tool = tool  # "ssh -L", "ssh -D", "ssh" (a forward its command line does not show)
        self.target = target  # "db:5432", "/run/app.sock", "svc/api port 80"; None: SOCKS, unknown
        self.via = via  # ssh: the destination as typed; kubectl: its context and namespace

    def words(self) -> str:
        through = f" through {self.via}" if self.via else ""
        if self.tool == "ssh -D":
            return f"ssh -D, a SOCKS proxy{through}"
        if self.target is None:
            return f"an ssh forward{through} (from its config or control socket)"
        if self.tool.startswith("kubectl"):
            return f"{self.tool} to {self.target}" + (f" ({self.via})" if self.via else "")
        return f"{self.tool} to {self.target}{through}"

    def to_json(self) -> dict[str, Any]:
        return {"port": self.port, "tool": self.tool, "target": self.target, "via": self.via}


class Context(_Record):
    __slots__ = ("container", "parents", "project", "stop", "tunnels", "unit")

    def __init__(
        self,
        *,
        container: Container | None = None,
        unit: Unit | None = None,
        parents: tuple[Parent, ...] = (),
        project: Project | None = None,
        stop: str | None = None,  # the command that stops it where it lives
        tunnels: tuple[Tunnel, ...] = (),  # an ssh or kubectl owner's forwarded ports
    ) -> None:
        self.container, self.unit, self.parents = container, unit, parents
        self.project, self.stop, self.tunnels = project, stop, tunnels

    @property
    def supervised(self) -> bool:
        """Killing it would not last: a container or a restarting manager holds it."""
        return self.stop is not None and (
            self.container is not None or (self.unit is not None and self.unit.restarts)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "container": self.container.to_json() if self.container else None,
            "unit": self.unit.to_json() if self.unit else None,
            "parents": [p.to_json() for p in self.parents],
            "project": self.project.to_json() if self.project else None,
            "stop": self.stop,
            "tunnels": [t.to_json() for t in self.tunnels],
        }
