"""`--backend fuser` run by an ordinary user, for a port another user (root) listens on: fuser
reads only the fd tables it may read, so it finds nobody, and that must not be "free" (it was:
exit 1). The default chain, by the same user, still finds the listener (owner hidden)."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from tests.nobody import NOBODY, PYTHON, env, need_python
from tests.tools import need

pytestmark = pytest.mark.live


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: root listens, nobody asks")
def test_fuser_as_an_ordinary_user_never_says_free() -> None:
    need("fuser", "setpriv")
    need_python()
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = str(held.getsockname()[1])

        def ask(*args: str) -> int:
            return subprocess.run(
                [*NOBODY, str(PYTHON), "-m", "portwho", port, "--tcp", *args],
                env=env(), capture_output=True, timeout=60, check=False, cwd="/",
            ).returncode  # fmt: skip

        assert ask("--backend", "fuser") == 4  # unknown: not every user's sockets were seen
        assert ask() == 3  # the default chain: in use, owner hidden from nobody
