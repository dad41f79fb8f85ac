"""Exit codes and the exceptions portwho raises on purpose.

Everything a user can cause derives from PortwhoError and is turned into a one-line message and
an exit code in exactly one place (cli.main). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from typing import Any, ClassVar


class ExitCode(int):
    """Stable from the first release; documented in the README. An int with a name, what an
    IntEnum member gave, without importing enum (see portwho.model.record.Constant for why)."""

    __slots__ = ()
    IN_USE: ClassVar[ExitCode]  # in use, owner found (also plain success for other commands)
    FREE: ClassVar[ExitCode]  # nothing bound to the port
    USAGE: ClassVar[ExitCode]  # bad input
    HIDDEN: ClassVar[ExitCode]  # in use, but every owner is hidden from this user
    NO_BACKEND: ClassVar[ExitCode]  # no backend could answer
    RESERVED: ClassVar[
        ExitCode
    ]  # Windows excluded port range: cannot be bound though nobody listens
    TIMEOUT: ClassVar[ExitCode]  # `wait` gave up; `kill` left the port held
    REFUSED: ClassVar[ExitCode]  # `kill` refused or was not permitted

    @property
    def name(self) -> str:
        return next(k for k, v in vars(ExitCode).items() if type(v) is ExitCode and v == self)

    __str__ = int.__repr__

    def __repr__(self) -> str:
        return f"<ExitCode.{self.name}: {int(self)}>"

    def __copy__(self) -> ExitCode:
        return self

    def __deepcopy__(self, memo: object) -> ExitCode:
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # unpickled as the same member
        return (getattr, (ExitCode, self.name))


ExitCode.IN_USE, ExitCode.FREE, ExitCode.USAGE, ExitCode.HIDDEN = map(ExitCode, range(4))
ExitCode.NO_BACKEND, ExitCode.RESERVED, ExitCode.TIMEOUT, ExitCode.REFUSED = map(
    ExitCode, range(4, 8)
)


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


class UnknownServiceName(ParseError):
    """A row gives its port as a service name nothing here maps to a number (`lsof` without
    -P, `ss`/`netstat` without -n, captured where /etc/services knew it): its port is unknown,
    so no port the text leaves empty may be called free (core.from_text)."""


class ToolMissing(BackendUnavailable):
    """The executable is not on PATH."""


class ToolTimeout(BackendFailed):
    """The executable did not finish within its timeout."""


class StdoutClosed(Exception):
    """The reader of stdout went away (BrokenPipeError), re-raised past Click, which would turn
    EPIPE into exit 1: portwho's "free". portwho.__main__ ends the run quietly with 141."""
