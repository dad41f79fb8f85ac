"""The container engine's API (Docker, or Podman's Docker-compatible one) over its unix socket
or a plain tcp:// DOCKER_HOST, with the standard library only: where it listens, one
`GET /containers/json`, and a pure parser of the answer. Asked at most once per lookup, and
only when a forwarder or a container cgroup was seen.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from portwho.context.record import Container

#: the whole exchange (connect, request, answer) must end well inside a second
TIMEOUT = 0.5
#: running containers only; the engine lists every one in one answer
PATH = "/containers/json"


@dataclass(frozen=True, slots=True, kw_only=True)
class Listed:
    """One container as the engine lists it, with what a forwarder can be matched on."""

    container: Container
    ips: frozenset[str]
    published: frozenset[tuple[str, int]]  # (protocol, host port)
    private: frozenset[tuple[str, int]]  # (protocol, container port)


def _label(labels: Mapping[str, object], key: str) -> str | None:
    value = labels.get(key)
    return value if isinstance(value, str) and value else None


def _one(item: Mapping[str, object], engine: str) -> Listed | None:
    cid = item.get("Id")
    if not isinstance(cid, str):
        return None
    names = item.get("Names")
    name = names[0].lstrip("/") if isinstance(names, list) and names else None
    labels = item.get("Labels")
    labels = labels if isinstance(labels, dict) else {}
    image = item.get("Image")
    raw_ports = item.get("Ports")
    ports = [p for p in raw_ports if isinstance(p, dict)] if isinstance(raw_ports, list) else []
    settings = item.get("NetworkSettings")
    networks = settings.get("Networks") if isinstance(settings, dict) else None
    nets = (
        [n for n in networks.values() if isinstance(n, dict)] if isinstance(networks, dict) else []
    )
    ips = {n.get(key) for n in nets for key in ("IPAddress", "GlobalIPv6Address")}
    return Listed(
        container=Container(
            engine=engine,
            id=cid,
            name=name,
            image=image if isinstance(image, str) else None,
            compose_project=_label(labels, "com.docker.compose.project"),
            compose_service=_label(labels, "com.docker.compose.service"),
            via="api",
        ),
        ips=frozenset(ip for ip in ips if isinstance(ip, str) and ip),
        published=_ports(ports, "PublicPort"),
        private=_ports(ports, "PrivatePort"),
    )


def _ports(ports: list[dict[str, object]], key: str) -> frozenset[tuple[str, int]]:
    found = set()
    for p in ports:
        port = p.get(key)
        if isinstance(port, int) and port > 0:
            found.add((str(p.get("Type") or "tcp"), port))
    return frozenset(found)


def parse(text: str, engine: str = "docker") -> list[Listed]:
    """The engine's /containers/json answer; ValueError when it is not that."""
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("the engine's container list is not a JSON list")
    return [c for c in (_one(i, engine) for i in data if isinstance(i, dict)) if c is not None]


# -- where the engine listens -----------------------------------------------------------------


def _context_host(env: Mapping[str, str], home: str) -> str | None:
    """The docker CLI's current context (DOCKER_CONTEXT, else config.json's currentContext)."""
    config_dir = env.get("DOCKER_CONFIG") or os.path.join(home, ".docker")
    name = env.get("DOCKER_CONTEXT")
    if not name:
        try:
            with open(os.path.join(config_dir, "config.json"), encoding="utf-8") as fh:
                name = json.load(fh).get("currentContext")
        except (OSError, ValueError, AttributeError):
            return None
    if not isinstance(name, str) or not name or name == "default":
        return None
    digest = hashlib.sha256(name.encode()).hexdigest()  # the CLI names the folder so
    try:
        with open(os.path.join(config_dir, "contexts", "meta", digest, "meta.json")) as fh:
            host = json.load(fh)["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return host if isinstance(host, str) else None


def _tls(env: Mapping[str, str]) -> bool:
    """The docker CLI speaks TLS to a tcp:// host when either of these is set."""
    return bool(env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_TLS"))


def _configured(env: Mapping[str, str], home: str) -> tuple[list[str], list[str]]:
    """DOCKER_HOST's and the CLI context's hosts: (the unix paths and plain tcp://HOST:PORT
    to ask, why any other is not asked). The context's files are read here, once."""
    asked: list[str] = []
    skipped: list[str] = []
    for host in (env.get("DOCKER_HOST"), _context_host(env, home)):
        if not host:
            continue
        if host.startswith("unix://"):
            asked.append(host.removeprefix("unix://"))
        elif host.startswith("tcp://") and _tls(env):
            skipped.append(f"{host} needs TLS (DOCKER_TLS_VERIFY), which portwho does not speak")
        elif host.startswith("tcp://"):
            address = host.removesuffix("/")
            asked.append(address if ":" in address[6:].rpartition("]")[2] else address + ":2375")
        else:
            skipped.append(f"{host} is not asked (unix:// and tcp:// are)")
    return asked, skipped


def endpoints(
    env: Mapping[str, str], home: str, prefer: str = "docker", skipped: list[str] | None = None
) -> list[tuple[str, str]]:
    """(engine, unix socket path or tcp://HOST:PORT) to try, in the docker CLI's order,
    podman's after (first when the container is known to be podman's). Only paths that exist:
    no connect is wasted; a tcp:// host without TLS (plain HTTP, as the CLI speaks it).
    `skipped` gets why a host set for the CLI is not asked (the trail says so)."""
    runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    docker, not_asked = _configured(env, home)
    if skipped is not None:
        skipped += not_asked
    docker += ["/var/run/docker.sock", os.path.join(runtime, "docker.sock")]
    podman = [os.path.join(runtime, "podman", "podman.sock"), "/run/podman/podman.sock"]
    found = [("docker", p) for p in docker] + [("podman", p) for p in podman]
    if prefer == "podman":
        found.sort(key=lambda e: e[0] != "podman")
    seen: set[str] = set()
    out = []
    for engine, path in found:
        if path not in seen and (path.startswith("tcp://") or os.path.exists(path)):
            seen.add(path)
            out.append((engine, path))
    return out


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def shown(address: str) -> str:
    """An endpoint as the docker CLI's DOCKER_HOST spells it."""
    return address if address.startswith("tcp://") else f"unix://{address}"


def fetch(address: str, timeout: float = TIMEOUT) -> str:
    """One GET of the container list from a unix socket path or tcp://HOST:PORT; OSError
    (TimeoutError when it hangs) on failure."""
    conn: http.client.HTTPConnection
    if address.startswith("tcp://"):
        host, _, port = address.removeprefix("tcp://").rpartition(":")
        if not port.isdecimal():
            raise OSError(f"no port in {address}")
        conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=timeout)
    else:
        conn = _UnixConnection(address, timeout)
    try:
        conn.request("GET", PATH, headers={"Host": "localhost"})
        reply = conn.getresponse()
        body = reply.read().decode("utf-8", "replace")
    except http.client.HTTPException as exc:
        raise OSError(f"not an HTTP answer: {exc}") from None
    finally:
        conn.close()
    if reply.status != 200:
        raise OSError(f"HTTP {reply.status}: {body.strip()[:80]}")
    return body
