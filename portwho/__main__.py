"""`python -m portwho` and the `portwho` console script: routing only.

Tab presses, `init`, `prompt`, `--version`, a plain lookup and `watch` are answered without
importing Typer (they run at every Tab, shell start, prompt and in wait loops; watch's first
frame is a whole listing); everything else, and anything those paths do not recognise, goes to
the full CLI in portwho.cli.app.

A reader that goes away (`portwho | head -1`) ends portwho quietly, as it ends any Unix tool:
no traceback, exit 141 (128 + SIGPIPE, what a shell reports for a tool killed by SIGPIPE), a
status no lookup answer uses (0 is "in use", 1 "free").
"""

from __future__ import annotations

import os
import sys

# Not typing's TYPE_CHECKING, and no collections.abc at run time: `portwho --version` may cost
# little more than starting Python (tests/cli/test_import_budget.py). mypy takes it as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

#: exit status when stdout was closed under us
CLOSED_STDOUT = 141
#: `portwho PORT` with none but these flags (lookup's, in spec.py) sends its dumps early
EARLY_FLAGS = frozenset({"--json", "--pids", "-q", "--debug"})


def handle(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """The exit code when answered here, None to hand over to the full CLI."""
    if env.get("_PORTWHO_COMPLETE"):
        from portwho.shell import completion

        return completion.main(env)
    if argv[:1] == ["init"]:
        from portwho.shell import snippets

        return snippets.main(list(argv[1:]))
    if argv[:1] == ["prompt"]:
        from portwho.shell import widget

        return widget.main(argv[1:], env)
    if list(argv) in (["--version"], ["-V"]):
        from portwho import __version__

        sys.stdout.write(f"portwho {__version__}\n")
        return 0
    early_dump(argv, env)
    from portwho.cli import fast

    if argv[:1] == ["watch"]:
        return fast.watch(argv[1:])
    return fast.lookup(argv, env)


def early_dump(argv: Sequence[str], env: Mapping[str, str]) -> None:
    """One plain port on Linux (`portwho 3000`, the common case): send the kernel the dumps
    the netlink backend will ask for, from a thread, before anything else is imported, so that
    the kernel's walk of its tables (a millisecond and more) runs while the rest of portwho is
    imported (backends/netlink/diag.early). Anything else leaves the backend to ask itself."""
    ports = [a for a in argv if a not in EARLY_FLAGS]
    if len(ports) != 1 or not ports[0].isdecimal() or not ports[0].isascii():
        return
    if not sys.platform.startswith("linux") or env.get("PORTWHO_BACKEND"):
        return
    from portwho.backends.netlink import diag

    diag.early_port(int(ports[0]))


def route() -> None:
    code = handle(sys.argv[1:], os.environ)
    if code is not None:
        exit_now(code)
    from portwho.cli.app import main as cli_main

    cli_main()


def main() -> None:
    from portwho.errors import StdoutClosed

    try:
        try:
            route()
        finally:
            sys.stdout.flush()  # inside the try: a closed pipe shows here, not at shutdown
    except (BrokenPipeError, StdoutClosed):
        closed_stdout()


def closed_stdout() -> None:
    """Point stdout at /dev/null (the interpreter flushes it once more at exit) and leave."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (embedded): nothing to silence
        pass
    sys.exit(CLOSED_STDOUT)


def exit_now(code: int) -> None:
    """Exit without Python's teardown (freeing every module and object: a tenth of a lookup's
    time); nothing these paths open outlives them. Output is flushed first: a closed pipe
    raises here, and main() ends quietly as it always does."""
    sys.stdout.flush()
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    main()
