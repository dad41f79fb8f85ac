"""The one platform switch, and whether this process is root."""

from __future__ import annotations

import os
import sys


def platform_key(platform: str | None = None) -> str:
    """linux, darwin or win32: the key every per-OS table in portwho uses."""
    plat = platform or sys.platform
    if plat.startswith("linux"):
        return "linux"
    if plat == "darwin":
        return "darwin"
    if plat in ("win32", "cygwin"):
        return "win32"
    return "linux"  # the BSDs and others: psutil and the POSIX tools are the best bet


def is_root() -> bool:
    """POSIX root (Windows has no geteuid: elevation is asked for differently there)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0
