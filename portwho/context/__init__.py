"""What surrounds the process behind a port: its container, unit or supervisor, parents and
project, and the command that stops it where it lives (issue 14). gather.py builds it once
per owner pid; netns.py looks into other network namespaces."""

from __future__ import annotations

import os


def host_port(host: str, port: object) -> str:
    """`10.0.0.5:80`, `[fd00::5]:80`: an address and its port as ssh and docker print them."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def read_text(path: str, errors: str = "strict") -> str | None:
    """open(path, encoding="utf-8", errors=errors).read(), or None when it cannot be read.

    Raw reads, newlines translated as a text read translates them: a text file object costs
    five system calls more per file (fstat twice, a TTY ioctl, lseek twice), and a lookup
    reads a handful of /proc files per owner."""
    try:
        # O_BINARY (Windows): else its C runtime would turn CR LF into LF and stop at a ^Z
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    chunks: list[bytes] = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    text = b"".join(chunks).decode("utf-8", errors)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
