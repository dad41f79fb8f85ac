"""`portwho init SHELL` and `portwho prompt` as Typer commands.

The common cases never reach this module (portwho.__main__ answers them before Typer is
imported); these give the same answers plus help and usage errors. Tab completion is not
Typer's: portwho.shell.completion answers the snippets' own protocol.
"""

from __future__ import annotations

import os
from enum import Enum
from typing import Annotated

from portwho import spec
from portwho.cli.common import arg, opt

Shell = Enum("Shell", {name: name for name in spec.SHELLS}, type=str)  # type: ignore[misc]
PromptFormat = Enum("PromptFormat", {n: n for n in spec.PROMPT_FORMATS}, type=str)  # type: ignore[misc]


def init_cmd(
    shell: Annotated[Shell, arg("init", "shell")],
    no_prompt: Annotated[bool, opt("init", "no_prompt")] = False,
    no_completion: Annotated[bool, opt("init", "no_completion")] = False,
) -> None:
    from portwho.shell import snippets

    args = [shell.value, *["--no-prompt"] * no_prompt, *["--no-completion"] * no_completion]
    snippets.main(args)


def prompt_cmd(
    fmt: Annotated[PromptFormat, opt("prompt", "fmt")] = PromptFormat.plain,  # type: ignore[attr-defined]
    refresh: Annotated[bool, opt("prompt", "refresh")] = False,
) -> None:
    from portwho.shell import widget

    args = ["--format", fmt.value, *["--refresh"] * refresh]
    widget.main(args, {"PORTWHO_PROMPT": os.environ.get("PORTWHO_PROMPT", "")})
