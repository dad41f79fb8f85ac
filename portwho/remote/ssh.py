"""Running the system's OpenSSH: the user's config, keys, agent, ProxyJump and ControlMaster
all apply. portwho adds only BatchMode (never a password prompt it cannot answer) and a
connect timeout, and passes one command it built itself."""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING

from portwho.errors import UsageError

if TYPE_CHECKING:
    from portwho._run import Completed

ENV = "PORTWHO_SSH_COMMAND"
#: ssh's own exit status for its errors (connection, authentication, config)
SSH_FAILED = 255


def base_command(env: Mapping[str, str] | None = None) -> list[str]:
    """PORTWHO_SSH_COMMAND split into words as git splits GIT_SSH_COMMAND; default `ssh`."""
    text = (os.environ if env is None else env).get(ENV, "").strip()
    if not text:
        return ["ssh"]
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise UsageError(f"{ENV} does not split into words ({exc}): {text!r}") from None
    return words


def connect_timeout(deadline: float) -> int:
    """Half the host's deadline, whole seconds, at least 1: the rest is for the answer."""
    return max(1, math.ceil(deadline / 2))


def argv(target: str, command: str, *, deadline: float, base: list[str]) -> list[str]:
    """ssh's argv. The target was checked not to start with '-' (hosts.check_name), so it is
    never read as an option, and everything after it is the remote command."""
    if target.startswith("-"):
        raise UsageError(f"host {target!r} starts with '-'")
    options = ["-o", "BatchMode=yes", "-o", f"ConnectTimeout={connect_timeout(deadline)}", "-T"]
    return [*base, *options, target, command]


def run(target: str, command: str, *, deadline: float, base: list[str]) -> Completed:
    """Raises ToolMissing (no ssh), ToolTimeout (the deadline passed: ssh and its children
    were killed) or BackendFailed (ssh could not start)."""
    from portwho import _run

    return _run.run_group(argv(target, command, deadline=deadline, base=base), deadline)


def failure(done: Completed) -> str:
    """ssh's own reason, from the last line it printed on stderr."""
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    reason = lines[-1] if lines else f"ssh exited with status {done.returncode}"
    return reason[:300]
