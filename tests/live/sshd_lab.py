"""Real remote hosts on this machine: network namespaces, each with a veth pair to this one and
its own sshd, for the --host tests.

    with sshd_lab(["h1", "h2", "h3"], with_portwho={"h2"}, as_nobody={"h3"}) as lab:
        lab.env            # PORTWHO_SSH_COMMAND="ssh -F <lab>/ssh_config"
        lab.address["h1"]  # the host's address (inside its namespace)
        lab.listen("h1")   # (port, pid) of a python listener inside h1's namespace

Every host gets a /29 of 10.X.Y.0/24, X and Y picked at random and checked unused here, so
concurrent runs do not clash; namespace and link names carry our pid. Aliases the tests use for
bad hosts: `<h>-refused` (the host's address, a port nobody listens on) and `<h>-dead` (an
address on the host's link that nobody owns: ARP is never answered, so connect hangs until
ssh's ConnectTimeout). Everything is torn down on exit, even after a failure.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.tools import need

SSHD = "/usr/sbin/sshd"
_LISTENER = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.bind((sys.argv[1], 0)); s.listen()\n"
    "print(s.getsockname()[1], flush=True); sys.stdin.read()\n"
)


def require_lab() -> None:
    """Skip (fail under PORTWHO_REQUIRE_TOOLS=1) without root, ip, ssh or sshd."""
    need("ip", "ssh", "ssh-keygen")
    missing = None
    if os.geteuid() != 0:
        missing = "root (to create network namespaces)"
    elif not os.access(SSHD, os.X_OK):
        missing = SSHD
    elif not _can_make_namespaces():
        missing = "permission to create network namespaces (ip netns add)"
    if missing is None:
        return
    if os.environ.get("PORTWHO_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{missing} is required (PORTWHO_REQUIRE_TOOLS=1)")
    pytest.skip(f"needs {missing}")


def _can_make_namespaces() -> bool:
    name = f"pwtcheck{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, check=False)
    if made.returncode != 0:
        return False
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
    return True


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=15)


@dataclass
class Lab:
    root: Path
    address: dict[str, str] = field(default_factory=dict)
    namespace: dict[str, str] = field(default_factory=dict)
    stack: ExitStack = field(default_factory=ExitStack)

    @property
    def config(self) -> Path:
        return self.root / "ssh_config"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "PORTWHO_SSH_COMMAND": f"ssh -F {self.config}"}

    def listen(self, host: str, address: str | None = None) -> tuple[int, int]:
        """A TCP listener inside the host's namespace: (port, pid). It lives as long as the lab."""
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace[host], sys.executable, "-c", _LISTENER,
             address or self.address[host]],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.stack.callback(_stop, proc)
        assert proc.stdout is not None
        return int(proc.stdout.readline()), proc.pid

    def pids_inside(self, host: str) -> set[int]:
        done = subprocess.run(
            ["ip", "netns", "pids", self.namespace[host]],
            capture_output=True,
            text=True,
            check=True,
        )
        return {int(p) for p in done.stdout.split()}


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait(timeout=10)


def _free_prefix() -> str:
    """10.X.Y: a /24 no address or route here uses yet."""
    used = (
        subprocess.run(
            ["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=True
        ).stdout
        + subprocess.run(["ip", "-4", "route"], capture_output=True, text=True, check=False).stdout
    )
    for _ in range(50):
        prefix = f"10.{random.randint(64, 250)}.{random.randint(1, 254)}"
        if f"{prefix}." not in used:
            return prefix
    raise RuntimeError("no free 10.X.Y.0/24 found")


def _keys(root: Path) -> None:
    for name in ("host_key", "client_key"):
        sh(
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "portwho-test",
            "-f",
            str(root / name),
        )
    shutil.copy(root / "client_key.pub", root / "authorized_keys")


#: a host whose sessions run as uid 65534, though the login is root's: an unprivileged login
#: without creating a user on this machine (sshd runs the user's shell -c FORCECOMMAND)
AS_NOBODY = (
    "ForceCommand setpriv --reuid=65534 --regid=65534 --clear-groups"
    ' /bin/sh -c "$SSH_ORIGINAL_COMMAND"'
)


def _sshd_config(
    root: Path, host: str, address: str, path_dir: Path | None, *, nobody: bool = False
) -> Path:
    lines = [
        f"ListenAddress {address}",
        f"HostKey {root / 'host_key'}",
        f"AuthorizedKeysFile {root / 'authorized_keys'}",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "StrictModes no",
        "UsePAM no",
        f"PidFile {root / (host + '.pid')}",
    ]
    # SHLVL=1: bash then skips ~/.bashrc for ssh commands (this machine's root runs pyenv init
    # there, which costs more CPU than the whole probe, and every host's sshd shares our CPUs)
    env = ["SHLVL=1"]
    if path_dir is not None:  # a host with portwho on its PATH
        env.append(f"PATH={path_dir}:/usr/local/bin:/usr/bin:/bin")
    lines.append("SetEnv " + " ".join(env))
    if nobody:
        lines.append(AS_NOBODY)
    config = root / f"sshd_{host}.conf"
    config.write_text("\n".join(lines) + "\n")
    return config


def _client_entry(root: Path, alias: str, address: str, port: int = 22) -> str:
    return "\n".join([
        f"Host {alias}",
        f"  HostName {address}",
        f"  Port {port}",
        "  User root",
        f"  IdentityFile {root / 'client_key'}",
        "  IdentitiesOnly yes",
        f"  UserKnownHostsFile {root / 'known_hosts'}",
        "  GlobalKnownHostsFile /dev/null",
        "  StrictHostKeyChecking accept-new",
        "  LogLevel ERROR",
        "",
    ])  # fmt: skip


def _portwho_bin(root: Path) -> Path:
    """A directory holding `portwho`: this worktree's venv, for the remote PATH."""
    bin_dir = root / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "portwho"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m portwho "$@"\n')
    wrapper.chmod(0o755)
    return bin_dir


def _namespace(lab: Lab, host: str, index: int, prefix: str) -> tuple[str, str]:
    tag = f"{os.getpid() % 100000}{index}"
    ns, outer, inner = f"pwt{tag}", f"pwo{tag}", f"pwi{tag}"
    base = 8 * index
    sh("ip", "netns", "add", ns)
    lab.stack.callback(sh, "ip", "netns", "del", ns)
    sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
    lab.stack.callback(_quiet, "ip", "link", "del", outer)
    sh("ip", "link", "set", inner, "netns", ns)
    sh("ip", "addr", "add", f"{prefix}.{base + 1}/29", "dev", outer)
    sh("ip", "link", "set", outer, "up")
    sh("ip", "-n", ns, "addr", "add", f"{prefix}.{base + 2}/29", "dev", inner)
    sh("ip", "-n", ns, "link", "set", inner, "up")
    sh("ip", "-n", ns, "link", "set", "lo", "up")
    return ns, f"{prefix}.{base + 2}"


def _quiet(*argv: str) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):
        sh(*argv)


def _start_sshd(lab: Lab, host: str, config: Path) -> None:
    log = lab.root / f"sshd_{host}.log"
    proc = subprocess.Popen(
        ["ip", "netns", "exec", lab.namespace[host], SSHD, "-D", "-f", str(config), "-E", str(log)]
    )
    lab.stack.callback(_stop_sshd, proc)
    probe = [
        "ssh",
        "-F",
        str(lab.config),
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=2",
        host,
        "true",
    ]
    for _ in range(50):  # until sshd accepts a login
        if subprocess.run(probe, capture_output=True, timeout=10, check=False).returncode == 0:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"sshd for {host} exited: {log.read_text()}")
        time.sleep(0.1)
    raise RuntimeError(f"sshd for {host} never accepted a login: {log.read_text()}")


def _stop_sshd(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def sshd_lab(
    hosts: list[str],
    *,
    with_portwho: frozenset[str] = frozenset(),
    as_nobody: frozenset[str] = frozenset(),
) -> Iterator[Lab]:
    root = Path(tempfile.mkdtemp(prefix="portwho-sshd-"))
    lab = Lab(root=root)
    with lab.stack:
        lab.stack.callback(shutil.rmtree, root, True)
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
        _keys(root)
        prefix = _free_prefix()
        bin_dir = _portwho_bin(root) if with_portwho else None
        entries = []
        for index, host in enumerate(hosts):
            lab.namespace[host], lab.address[host] = _namespace(lab, host, index, prefix)
            base = 8 * index
            entries += [
                _client_entry(root, host, lab.address[host]),
                _client_entry(root, f"{host}-refused", lab.address[host], port=2222),
                _client_entry(root, f"{host}-dead", f"{prefix}.{base + 3}"),
            ]
        lab.config.write_text("\n".join(entries))
        for host in hosts:
            path_dir = bin_dir if host in with_portwho else None
            config = _sshd_config(root, host, lab.address[host], path_dir, nobody=host in as_nobody)
            _start_sshd(lab, host, config)
        yield lab


def leftover(marker: str) -> list[str]:
    """Command lines of live processes that mention `marker` (ours, not yet reaped or killed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdecimal() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if marker in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found
