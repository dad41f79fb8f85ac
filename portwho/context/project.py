"""The repository holding a working directory: walk up to `.git` (a folder, or a worktree's
file pointing at its gitdir) or `.hg`, and read the branch from HEAD. A few stat calls per
owner, cached per directory."""

from __future__ import annotations

import os

from portwho.context import read_text
from portwho.context.record import Project


def _read(path: str) -> str | None:
    return read_text(path, "replace")


def branch_of(head: str) -> str | None:
    """`ref: refs/heads/main` -> main; a detached HEAD (a commit id) -> None."""
    ref = head.strip()
    if not ref.startswith("ref:"):
        return None
    return ref[4:].strip().removeprefix("refs/heads/")


def gitdir_of(dot_git: str) -> str | None:
    """A worktree's (or submodule's) `.git` file says `gitdir: PATH`, maybe relative."""
    text = _read(dot_git)
    if text is None or not text.startswith("gitdir:"):
        return None
    path = text[len("gitdir:") :].strip()
    return os.path.normpath(os.path.join(os.path.dirname(dot_git), path))


def find(cwd: str) -> Project | None:
    here = os.path.abspath(cwd)
    while True:
        dot_git = os.path.join(here, ".git")
        if os.path.isdir(dot_git):
            head = _read(os.path.join(dot_git, "HEAD"))
            return Project(root=here, vcs="git", branch=branch_of(head) if head else None)
        if os.path.isfile(dot_git):
            gitdir = gitdir_of(dot_git)
            head = _read(os.path.join(gitdir, "HEAD")) if gitdir else None
            return Project(root=here, vcs="git", branch=branch_of(head) if head else None)
        if os.path.isdir(os.path.join(here, ".hg")):
            name = _read(os.path.join(here, ".hg", "branch"))
            return Project(root=here, vcs="hg", branch=(name or "default").strip())
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up
