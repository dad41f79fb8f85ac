"""Processes `portwho kill` must not signal: the OS's own, portwho's session, and port forwarders.

Killing a container runtime's port forwarder does not free the port for long and can take the
runtime down (docker-proxy, Docker Desktop, OrbStack, WSL, podman machine); the fix is to stop
what it forwards for. Each refusal says what that is and how to stop it.
"""

from __future__ import annotations

from collections.abc import Sequence

from portwho.context import host_port

#: pids no process may signal: the kernel's idle task, init, and Windows' System process
RESERVED_PIDS = {0: "the kernel", 1: "the init process", 4: "the Windows System process"}

#: names of init systems and core OS services, with the way to stop what they hold
INIT_NAMES: dict[str, str | None] = {
    "systemd": "if it is socket-activated: systemctl list-sockets | grep :PORT, then"
    " systemctl stop UNIT.socket",
    "init": None,
    "launchd": "it holds the port for a launchd job: launchctl list, then launchctl bootout",
    "system": None,
    "wininit": None,
    "services": "stop the Windows service instead: Get-Service, then Stop-Service NAME",
    "svchost": "it hosts Windows services: Get-NetTCPConnection -LocalPort PORT, then"
    " Stop-Service NAME",
    "csrss": None,
    "smss": None,
    "lsass": None,
}

#: forwarder name -> what it forwards for, and how to stop that instead
FORWARDERS: dict[str, tuple[str, str]] = {
    "docker-proxy": ("Docker's port forwarder for a container", "docker"),
    "com.docker.backend": ("Docker Desktop's port forwarder", "docker"),
    "com.docker.proxy": ("Docker Desktop's port forwarder", "docker"),
    "com.docker.vpnkit": ("Docker Desktop's network forwarder", "docker"),
    "vpnkit": ("Docker Desktop's network forwarder", "docker"),
    "vpnkit-bridge": ("Docker Desktop's network forwarder", "docker"),
    "orbstack helper": ("OrbStack's port forwarder for a container or machine", "orbstack"),
    "orbstack": ("OrbStack's port forwarder for a container or machine", "orbstack"),
    "wslrelay": ("WSL's localhost relay for a process inside a WSL distro", "wsl"),
    "gvproxy": ("the podman machine / Lima network forwarder", "podman"),
    "rootlessport": ("rootless podman's port forwarder for a container", "podman"),
    "rootlessport-child": ("rootless podman's port forwarder for a container", "podman"),
    "slirp4netns": ("the rootless container network forwarder", "podman"),
    "pasta": ("the rootless container network forwarder (passt)", "podman"),
}

_HOW: dict[str, str] = {
    "docker": "docker ps --filter publish=PORT  then  docker stop NAME",
    "orbstack": "docker ps --filter publish=PORT  then  docker stop NAME (or orb stop MACHINE)",
    "wsl": "inside WSL: portwho PORT (or ss -tlnp 'sport = :PORT'), stop that process;"
    " or wsl --shutdown",
    "podman": "podman ps --filter publish=PORT  then  podman stop NAME",
}


def _norm(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].lower()
    return base.removesuffix(".exe")


def _names(process: str | None, cmdline: Sequence[str] | None) -> list[str]:
    """The process name and argv[0]: Linux truncates comm to 15 characters."""
    return [n for n in (_norm(process), _norm(cmdline[0] if cmdline else None)) if n]


def protected_reason(
    pid: int, process: str | None, *, self_pid: int, parents: set[int]
) -> tuple[str, str | None] | None:
    """(reason, advice) when this pid must never be signalled, whatever the flags."""
    if pid in RESERVED_PIDS:
        return f"pid {pid} is {RESERVED_PIDS[pid]}; never signalled", None
    if pid == self_pid:
        return "this is portwho itself", None
    if pid in parents:
        return "this is portwho's parent (your shell or the program that ran portwho)", None
    name = _norm(process)
    if name in INIT_NAMES:
        return f"{process} is part of the operating system; never signalled", INIT_NAMES[name]
    return None


def forwarder_refusal(
    process: str | None, cmdline: Sequence[str] | None, ports: Sequence[int]
) -> tuple[str, str] | None:
    """(what it forwards for, how to stop that) when the process is a known port forwarder."""
    for name in _names(process, cmdline):
        if name in FORWARDERS:
            what, kind = FORWARDERS[name]
            port = str(ports[0]) if ports else "PORT"
            where = _container_target(cmdline) if kind == "docker" else None
            reason = f"{process} is {what}" + (f" ({where})" if where else "")
            return reason, "stop that instead: " + _HOW[kind].replace("PORT", port)
    return None


def _container_target(cmdline: Sequence[str] | None) -> str | None:
    """docker-proxy's argv names the container end: -container-ip X -container-port Y."""
    args = list(cmdline or ())
    found: dict[str, str] = {}
    for flag in ("-container-ip", "-container-port"):
        if flag in args[:-1]:
            found[flag] = args[args.index(flag) + 1]
    if len(found) < 2:  # both halves or nothing
        return None
    return f"forwards to container {host_port(found['-container-ip'], found['-container-port'])}"
