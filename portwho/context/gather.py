"""contexts(): one Context per owner pid of a lookup, found cheaply.

A plain lookup pays a few /proc reads and stat calls per owner: no socket connect and no
subprocess. The engine's API is asked once, and only when a forwarder or a container cgroup
was seen; `launchctl` and `tasklist /svc` only for an owner whose parent is launchd, or a
Windows service host.
"""

from __future__ import annotations

import os
import time

from portwho.context import ancestry, cgroup, project, read_text, supervisors
from portwho.context.record import Container, Context, Parent, Project, Tunnel, Unit
from portwho.model import Attempt, Outcome, Socket

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from portwho._run import Runner
    from portwho.context.engine import Listed

#: forwarder name -> the engine whose containers it forwards for
CONTAINER_FORWARDERS = {
    "docker-proxy": "docker", "com.docker.backend": "docker", "com.docker.proxy": "docker",
    "vpnkit": "docker", "rootlesskit": "docker", "rootlessport": "podman",
    "rootlessport-child": "podman", "slirp4netns": "podman", "pasta": "podman",
    "pasta.avx2": "podman", "gvproxy": "podman",
}  # fmt: skip


class Owner:
    """What one pid's context is built from, and what was found for it so far."""

    __slots__ = ("cgroup", "container", "parents", "pid", "ports", "sock", "stop", "unit")

    def __init__(self, pid: int, sock: Socket) -> None:
        self.pid, self.sock = pid, sock
        self.ports: set[tuple[str, int]] = set()
        self.cgroup = ""
        self.container: Container | None = None
        self.parents: tuple[Parent, ...] = ()
        self.unit: Unit | None = None
        self.stop: str | None = None


def _read(path: str) -> str:
    return read_text(path, "replace") or ""


def _base(sock: Socket) -> str:
    names = [sock.process or "", *(sock.cmdline or ())[:1]]
    return next((n.rsplit("/", 1)[-1] for n in names if n), "").lower().removesuffix(".exe")


def docker_proxy_target(cmdline: Sequence[str] | None) -> tuple[str, int] | None:
    """docker-proxy's argv: -container-ip IP -container-port PORT (both, or nothing)."""
    args = list(cmdline or ())
    try:
        ip = args[args.index("-container-ip") + 1]
        port = args[args.index("-container-port") + 1]
    except (ValueError, IndexError):
        return None
    return (ip, int(port)) if port.isdecimal() else None


def _container_hint(owner: Owner, linux: bool) -> None:
    if linux:
        owner.cgroup = _read(f"/proc/{owner.pid}/cgroup")
        found = cgroup.container_of(owner.cgroup)
        if found:
            owner.container = Container(engine=found[0], id=found[1], via="cgroup")
            return
    kind = CONTAINER_FORWARDERS.get(_base(owner.sock))
    if kind is None:
        return
    target = docker_proxy_target(owner.sock.cmdline)
    where = f"{target[0]}:{target[1]}" if target else None
    owner.container = Container(engine=kind, target=where, via=f"{_base(owner.sock)} (forwarder)")


def _unit(owner: Owner, platform: str, runner: Runner, cache: dict[str, object]) -> None:
    pid = owner.pid
    chain = supervisors.from_chain(owner.parents, lambda: ancestry.environ(pid))
    if isinstance(chain, tuple):
        owner.unit, owner.stop = chain
        return
    if platform.startswith("linux"):
        found = cgroup.unit_of(owner.cgroup)
        if found and (chain is None or found[0].endswith(".scope")):
            owner.unit, owner.stop = supervisors.systemd(*found)
        elif pid == 1:
            _socket_activated(owner)
    elif platform == "darwin" and owner.parents[:1] and owner.parents[0].pid == 1:
        _launchd(owner, runner, cache)
    elif platform == "win32" and _is_service_host(owner):
        _windows_service(owner, runner, cache)


def _socket_activated(owner: Owner) -> None:
    from portwho.context import services

    for protocol, port in sorted(owner.ports):
        name = services.socket_unit(protocol, port)
        if name:
            owner.unit = Unit(manager="systemd", name=name)
            owner.stop = f"systemctl stop {name}"
            return


def _launchd(owner: Owner, runner: Runner, cache: dict[str, object]) -> None:
    from portwho.context import services

    if "launchd" not in cache:
        text = services.ask(runner, services.LAUNCHCTL_ARGV)
        cache["launchd"] = services.launchd_labels(text) if text else {}
    labels: Mapping[int, str] = cache["launchd"]  # type: ignore[assignment]
    label = labels.get(owner.pid)
    if label:
        uid = owner.sock.uid
        domain = "system" if uid == 0 else f"gui/{uid if uid is not None else os.getuid()}"
        owner.unit = Unit(manager="launchd", name=label)
        owner.stop = f"launchctl bootout {domain}/{label}"


def _is_service_host(owner: Owner) -> bool:
    parent = (owner.parents[0].process or "").lower() if owner.parents else ""
    return _base(owner.sock) == "svchost" or parent in ("services.exe", "services")


def _windows_service(owner: Owner, runner: Runner, cache: dict[str, object]) -> None:
    from portwho.context import services

    if "win" not in cache:
        text = services.ask(runner, services.TASKLIST_SVC_ARGV)
        cache["win"] = services.windows_services(text) if text else {}
    hosted: Mapping[int, tuple[str, ...]] = cache["win"]  # type: ignore[assignment]
    names = hosted.get(owner.pid)
    if names:
        owner.unit = Unit(manager="windows-service", name=",".join(names))
        owner.stop = f"Stop-Service -Name {names[0]}" if len(names) == 1 else None


def contexts(
    socks: Sequence[Socket],
    platform: str,
    runner: Runner,
    *,
    env: Mapping[str, str] | None = None,
) -> tuple[dict[int, Context], list[Attempt]]:
    """One Context per owner pid, and the engine's trail entry when it was asked."""
    owners: dict[int, Owner] = {}
    for sock in socks:
        if sock.pid is not None:
            owner = owners.setdefault(sock.pid, Owner(sock.pid, sock))
            if sock.listening:
                owner.ports.add((sock.protocol, sock.local_port))
    linux = platform.startswith("linux")
    chains: dict[int, tuple[Parent, int]] = {}
    cache: dict[str, object] = {}
    projects: dict[str, Project | None] = {}
    for owner in owners.values():
        _container_hint(owner, linux)
        owner.parents = ancestry.parents(owner.pid, platform, chains)
        _unit(owner, platform, runner, cache)
    trail = _ask_engine([o for o in owners.values() if o.container], env or os.environ)
    out: dict[int, Context] = {}
    for pid, owner in owners.items():
        cwd = owner.sock.cwd
        if cwd is not None and cwd not in projects:
            projects[cwd] = project.find(cwd)
        out[pid] = Context(
            container=owner.container,
            unit=owner.unit,
            parents=owner.parents,
            project=projects.get(cwd) if cwd else None,
            stop=_container_stop(owner.container) or owner.stop,
            tunnels=_tunnels(owner),
        )
    return out, trail


def _tunnels(owner: Owner) -> tuple[Tunnel, ...]:
    """An ssh or kubectl owner's forwards of the ports it listens on (context.tunnels)."""
    argv = owner.sock.cmdline
    if not owner.ports or not argv or _base(owner.sock) not in ("ssh", "kubectl"):
        return ()
    from portwho.context import tunnels

    return tunnels.tunnels(_base(owner.sock), argv, {port for _, port in owner.ports})


def _container_stop(found: Container | None) -> str | None:
    if found is None or found.engine not in ("docker", "podman"):
        return None
    ref = found.name or (found.id[:12] if found.id else None)
    return f"{found.engine} stop {ref}" if ref else None


def _ask_engine(owners: list[Owner], env: Mapping[str, str]) -> list[Attempt]:
    """One GET /containers/json for every owner that needs it; nothing when none does."""
    if not owners:
        return []
    from portwho.context import engine

    podman = any(o.container and o.container.engine == "podman" for o in owners)
    prefer = "podman" if podman else "docker"
    start = time.perf_counter()
    not_asked: list[str] = []
    tried = engine.endpoints(env, os.path.expanduser("~"), prefer, not_asked)

    def done(outcome: Outcome, detail: str, count: int = 0) -> list[Attempt]:
        ms = round((time.perf_counter() - start) * 1000, 2)
        return [Attempt(backend="engine-api", outcome=outcome, detail=detail, ms=ms, count=count)]

    skipped = "".join(f"; {why}" for why in not_asked)
    if not tried:
        return done(Outcome.UNAVAILABLE, "no container engine socket found" + skipped)
    kind, address = tried[0]
    where = engine.shown(address)
    try:
        listed = engine.parse(engine.fetch(address), kind)
    except TimeoutError:
        return done(Outcome.FAILED, f"{where}: no answer within {engine.TIMEOUT:g} s (hung?)")
    except (OSError, ValueError) as exc:
        return done(Outcome.FAILED, f"{where}: {exc}{skipped}")
    for owner in owners:
        owner.container = _match(owner, listed) or owner.container
    # count stays 0: the trail counts sockets, and the engine adds none
    return done(Outcome.ANSWERED, f"{kind} at {where}: {len(listed)} running containers{skipped}")


def _match(owner: Owner, listed: Sequence[Listed]) -> Container | None:
    hint = owner.container
    assert hint is not None
    if hint.id:
        return next((c.container for c in listed if c.container.id == hint.id), None)
    # a forwarder belongs to the container that publishes the port it holds (and, for
    # docker-proxy, whose address its argv names): a look-alike on another port is no match
    target = docker_proxy_target(owner.sock.cmdline)
    for c in listed:
        if not owner.ports & c.published:
            continue
        if target is None or (target[0] in c.ips and target[1] in {p for _, p in c.private}):
            return _as_forwarded(c.container, hint)
    return None


def _as_forwarded(found: Container, hint: Container) -> Container:
    return Container(
        engine=found.engine, id=found.id, name=found.name, image=found.image,
        compose_project=found.compose_project, compose_service=found.compose_service,
        target=hint.target, via=f"{hint.via}, api",
    )  # fmt: skip
