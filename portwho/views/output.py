"""Where the text views go: plain when piped, styled by rich on a terminal, and colour by the
one rule every command shares: --color always/never, then NO_COLOR, then FORCE_COLOR or
CLICOLOR_FORCE, then whether the stream is a terminal."""

from __future__ import annotations

import os
import sys

from portwho.errors import UsageError

TYPE_CHECKING = False  # not typing's: `portwho PORT` imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import IO, Any, Literal

    from portwho.views.table import Table
    from portwho.views.text import Line

COLOR_MODES = ("auto", "always", "never")
_mode = "auto"


def use_color(mode: str) -> None:
    """--color WHEN, for every view this process prints."""
    global _mode  # noqa: PLW0603 - one setting per process, made once by the command line
    if mode not in COLOR_MODES:
        raise UsageError(f"unknown --color {mode!r}; use one of: {', '.join(COLOR_MODES)}")
    _mode = mode


def _forced(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no")


def color_wanted(stream: IO[str], env: Mapping[str, str] | None = None, mode: str = "") -> bool:
    """NO_COLOR wins over auto (https://no-color.org); FORCE_COLOR and CLICOLOR_FORCE colour a
    pipe; --color always/never wins over both."""
    env = os.environ if env is None else env
    mode = mode or _mode
    if mode != "auto":
        return mode == "always"
    if env.get("NO_COLOR"):
        return False
    if _forced(env.get("FORCE_COLOR")) or _forced(env.get("CLICOLOR_FORCE")):
        return True
    return stream.isatty()


def _console(out: IO[str], color: bool) -> Any:
    from rich.console import Console

    tty = out.isatty()
    system: Literal["auto", "standard"] | None = ("auto" if tty else "standard") if color else None
    # explicit, so rich's own reading of NO_COLOR / FORCE_COLOR never contradicts the rule
    return Console(file=out, highlight=False, soft_wrap=True, force_terminal=color or tty,
                   color_system=system, no_color=not color)  # fmt: skip


def emit(lines: Sequence[Line], stream: IO[str] | None = None) -> None:
    out = stream or sys.stdout
    color = color_wanted(out)
    if not color:
        out.write("".join("".join(t for t, _ in line) + "\n" for line in lines))
        return
    from rich.text import Text

    console = _console(out, color)
    for line in lines:
        console.print(Text.assemble(*[(t, s) for t, s in line]) if line else "")


def emit_table(table: Table) -> None:
    """A terminal gets rich's table fitted to its width; a pipe the plain columns (coloured
    only when forced)."""
    out = sys.stdout
    color = color_wanted(out)
    if not out.isatty():
        if color:
            lines = table.lines()
            emit([[(lines[0], "bold")], *[[(line, "")] for line in lines[1:]]], out)
            return
        for block in table.blocks():  # tens of thousands of lines: no segments, a block a write
            block.append("")
            out.write("\n".join(block))
        return
    from rich.table import Table as RichTable

    styled = RichTable(box=None, header_style="bold", pad_edge=False)
    for name in table.header:
        styled.add_column(name, overflow="fold" if name == table.header[-1] else "ellipsis")
    for row in table.rows():
        styled.add_row(*row)
    _console(out, color).print(styled)
