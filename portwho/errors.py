"""Exit codes and the exceptions portwho raises on purpose.

Everything a user can cause derives from PortwhoError and is turned into a one-line message and
an exit code in exactly one place (cli.main). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Stable from the first release; documented in the README."""

    IN_USE = 0  # in use, owner found (also plain success for other commands)
    FREE = 1  # nothing bound to the port
    USAGE = 2  # bad input
    HIDDEN = 3  # in use, but every owner is hidden from this user
    NO_BACKEND = 4  # no backend could answer
    RESERVED = 5  # Windows excluded port range: cannot be bound though nobody listens
    TIMEOUT = 6  # `wait` gave up; `kill` left the port held
    REFUSED = 7  # `kill` refused or was not permitted


class PortwhoError(Exception):
    """Base of every expected failure. `code` is the JSON error code string."""

    exit_code: ExitCode = ExitCode.USAGE
    code = "error"


class UsageError(PortwhoError):
    """Bad user input: a port spec, an option value, a file that cannot be read."""

    exit_code = ExitCode.USAGE
    code = "usage"


class CacheUnwritable(PortwhoError):
    """The prompt cache's folder cannot be created or written (a root-owned ~/.cache/portwho)."""

    code = "cache"


class NoBackendError(PortwhoError):
    exit_code = ExitCode.NO_BACKEND
    code = "no-backend"


class BackendUnavailable(Exception):
    """This backend cannot run here (wrong OS, tool not installed, not permitted).

    Not a PortwhoError: the chain catches it and moves on to the next backend.
    """


class BackendFailed(Exception):
    """This backend ran but failed (timeout, non-zero exit, unparseable output)."""


class ParseError(BackendFailed):
    """Text that does not look like the output the parser was written for."""


class ToolMissing(BackendUnavailable):
    """The executable is not on PATH."""


class ToolTimeout(BackendFailed):
    """The executable did not finish within its timeout."""


class StdoutClosed(Exception):
    """The reader of stdout went away (BrokenPipeError), re-raised past Click, which would turn
    EPIPE into exit 1: portwho's "free". portwho.__main__ ends the run quietly with 141."""
