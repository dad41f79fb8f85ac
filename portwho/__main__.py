"""`python -m portwho` and the `portwho` console script: routing only.

Tab presses, `init`, `prompt`, `--version` and a plain lookup are answered without importing
Typer (they run at every Tab, shell start, prompt and in wait loops); everything else, and
anything those paths do not recognise, goes to the full CLI in portwho.cli.app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence


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
    from portwho.cli import fast

    return fast.lookup(argv, env)


def main() -> None:
    code = handle(sys.argv[1:], os.environ)
    if code is not None:
        sys.exit(code)
    from portwho.cli.app import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
