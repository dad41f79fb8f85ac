"""The backend chains and the parsers for --from, in one table each.

The operating system decides only the ORDER in which backends are tried. Modules are imported
lazily: a lookup that the first backend answers never imports the others.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from portwho.backends.base import Backend

#: backend name -> module that exports BACKEND
MODULES: dict[str, str] = {
    "psutil": "portwho.backends.psutil_backend",
    "ss": "portwho.backends.ss",
    "netstat": "portwho.backends.netstat_linux",
    "fuser": "portwho.backends.fuser",
    "powershell": "portwho.backends.powershell",
    "netstat-windows": "portwho.backends.netstat_windows",
    "lsof": "portwho.backends.lsof",
    "netstat-macos": "portwho.backends.netstat_macos",
    "netlink": "portwho.backends.netlink.backend",
}

#: platform -> names in the order they are tried
CHAINS: dict[str, tuple[str, ...]] = {
    # fuser is not in the chain: it names pids but no addresses, and sees no more than ss.
    "linux": ("netlink", "psutil", "ss", "netstat", "lsof"),
    "darwin": ("psutil", "netstat-macos", "lsof"),
    "win32": ("psutil", "powershell", "netstat-windows"),
}


def chain(platform: str | None = None) -> tuple[str, ...]:
    from portwho.system.host import platform_key

    return CHAINS[platform_key(platform)]


def load(name: str) -> Backend:
    # __import__, not importlib.import_module: importlib's package import brings warnings
    __import__(MODULES[name])
    backend: Backend = sys.modules[MODULES[name]].BACKEND
    return backend
