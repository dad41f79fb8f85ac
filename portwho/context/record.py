"""The records of what surrounds an owner process: its container, its unit or supervisor, its
ancestry, its project, and the one command that stops it where it lives.

Imported only when a lookup found an owner; the JSON shape (context_json) is part of schema 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Container:
    engine: str  # "docker", "podman", "containerd", "crio", ...
    id: str | None = None  # the full id when known
    name: str | None = None
    image: str | None = None
    compose_project: str | None = None
    compose_service: str | None = None
    target: str | None = None  # a forwarder's container end ("172.17.0.2:80") from its argv
    via: str | None = None  # how it was found: "cgroup", "docker-proxy (forwarder)", "api"

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
        return {
            "engine": self.engine,
            "id": self.id,
            "name": self.name,
            "image": self.image,
            "compose_project": self.compose_project,
            "compose_service": self.compose_service,
            "target": self.target,
            "via": self.via,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Unit:
    manager: str  # "systemd", "launchd", "pm2", "supervisord", "tmux", "windows-service", ...
    name: str
    restarts: bool = True  # the manager starts again what is killed under it

    def words(self) -> str:
        return f"{self.manager} {self.name}"

    def to_json(self) -> dict[str, Any]:
        return {"manager": self.manager, "name": self.name}


@dataclass(frozen=True, slots=True, kw_only=True)
class Parent:
    pid: int
    process: str | None
    started: float | None

    def to_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "process": self.process, "started": self.started}


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    root: str
    vcs: str  # "git", "hg"
    branch: str | None  # None when detached

    def to_json(self) -> dict[str, Any]:
        return {"root": self.root, "vcs": self.vcs, "branch": self.branch}


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    container: Container | None = None
    unit: Unit | None = None
    parents: tuple[Parent, ...] = ()
    project: Project | None = None
    stop: str | None = None  # the command that stops it where it lives

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
        }
