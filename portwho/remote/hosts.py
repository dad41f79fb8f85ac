"""Which hosts to ask: `--host` names and `--hosts FILE` (one a line, or `ansible-inventory
--list` JSON). Names are checked here, because ssh reads a leading `-` as an option and a name
is the only user text that reaches its argv."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from portwho.errors import UsageError


@dataclass(frozen=True, slots=True)
class Host:
    """`name` is what the user calls it (shown, and in the JSON); `target` what ssh is given."""

    name: str
    target: str


def check_name(name: str, where: str = "--host") -> str:
    if not name:
        raise UsageError(f"{where}: empty host name; give a host as ssh knows it (user@host)")
    if name.startswith("-"):
        raise UsageError(
            f"{where}: host {name!r} starts with '-', which ssh would read as an option;"
            " give a host name"
        )
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise UsageError(f"{where}: host {name!r} has a space or control character in it")
    return name


def from_text(text: str, origin: str) -> list[Host]:
    """Hosts from a file's text: inventory JSON, or one name a line with # comments."""
    if text.lstrip()[:1] == "{":
        hosts = from_inventory(text, origin)
    else:
        hosts = []
        for number, line in enumerate(text.splitlines(), 1):
            name = line.split("#", 1)[0].strip()
            if name:
                hosts.append(Host(name, check_name(name, f"{origin}:{number}")))
    if not hosts:
        raise UsageError(f"no hosts in {origin}: write one host a line (# starts a comment)")
    return hosts


def from_inventory(text: str, origin: str) -> list[Host]:
    """`ansible-inventory --list` output: every group's hosts; ansible_host, ansible_user and
    ansible_port from _meta.hostvars say where ssh goes."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{origin} is not ansible-inventory JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{origin} is not ansible-inventory JSON: expected an object")
    meta = data.get("_meta")
    hostvars = meta.get("hostvars", {}) if isinstance(meta, dict) else {}
    names: list[str] = []
    for group, body in data.items():
        # a group is {"hosts": [...], ...}, or (inventory scripts before Ansible 1.0) a list
        listed = body.get("hosts", []) if isinstance(body, dict) else body
        if group != "_meta" and isinstance(listed, list):
            names.extend(h for h in listed if isinstance(h, str))
    names.extend(h for h in hostvars if isinstance(h, str))
    where = f"{origin} (inventory)"
    hosts = []
    for name in dict.fromkeys(names):
        target = _target(name, hostvars.get(name))
        hosts.append(Host(check_name(name, where), check_name(target, where)))
    return hosts


def _target(name: str, hostvars: Any) -> str:
    if not isinstance(hostvars, dict):
        return name
    # ansible_ssh_* are the names before Ansible 2.0, still read by it
    address = str(hostvars.get("ansible_host") or hostvars.get("ansible_ssh_host") or name)
    user = hostvars.get("ansible_user") or hostvars.get("ansible_ssh_user")
    port = hostvars.get("ansible_port") or hostvars.get("ansible_ssh_port")
    login = f"{user}@{address}" if user else address
    if port is None:
        return login
    if not str(port).isdecimal():
        raise UsageError(f"host {name}: ansible_port {port!r} is not a port number")
    # ssh takes a port in a destination only as a URI (OpenSSH 7.7+); IPv6 needs brackets
    host = f"[{address}]" if ":" in address else address
    return f"ssh://{user + '@' if user else ''}{host}:{int(port)}"


def read(path: str) -> list[Host]:
    """--hosts FILE ('-' for stdin)."""
    from pathlib import Path

    if path == "-":
        return from_text(sys.stdin.read(), "<stdin>")
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read --hosts {path}: {exc.strerror or exc}") from None
    return from_text(text, path)


def gather(names: list[str], files: list[str]) -> list[Host]:
    """--host names then each --hosts file's, in order, each host once."""
    hosts = [Host(n, check_name(n)) for n in names]
    for path in files:
        hosts.extend(read(path))
    return list(dict.fromkeys(hosts))
