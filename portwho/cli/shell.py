"""Shell life: `portwho init SHELL`, `portwho prompt`, and Tab completion through Typer's
completion machinery (the `_PORTWHO_COMPLETE` protocol) with busy ports as candidates.

The common cases never reach this module (portwho.cli.fast answers them before Typer is
imported); these commands give the same answers plus help, usage errors and `--refresh`.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer
from typer._click.shell_completion import (
    CompletionItem,
    _resolve_context,
    _resolve_incomplete,
    add_completion_class,
)
from typer._completion_classes import (
    BashComplete,
    FishComplete,
    PowerShellComplete,
    ZshComplete,
)


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"
    powershell = "powershell"
    pwsh = "pwsh"
    starship = "starship"
    tmux = "tmux"


class PromptFormat(str, Enum):
    plain = "plain"
    ansi = "ansi"
    tmux = "tmux"


def init_cmd(
    shell: Annotated[Shell, typer.Argument(help="The shell to print the snippet for.")],
    no_prompt: Annotated[
        bool, typer.Option("--no-prompt", help="Completion only, no prompt widget.")
    ] = False,
    no_completion: Annotated[
        bool, typer.Option("--no-completion", help="Prompt widget only, no completion.")
    ] = False,
) -> None:
    """Print shell code that turns on completion and the prompt widget: eval "$(portwho init
    zsh)" at the end of .zshrc (fish: portwho init fish | source). Never edits rc files."""
    from portwho.cli import fast as fastpath

    args = ["init", shell.value]
    args += ["--no-prompt"] * no_prompt + ["--no-completion"] * no_completion
    fastpath.handle(args, {})


def prompt_cmd(
    fmt: Annotated[
        PromptFormat, typer.Option("--format", help="plain (starship), ansi or tmux colours.")
    ] = PromptFormat.plain,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Rebuild the cache now and print the segment.")
    ] = False,
) -> None:
    """Print the prompt segment of busy ports (⚡3000 5173) from the cache, refreshing it in
    the background when stale; for starship's custom module and tmux's status line."""
    from portwho.cli import fast as fastpath
    from portwho.shell import refresh as promptrefresh

    if refresh:
        promptrefresh.refresh(verbs(), options=options())
    fastpath.prompt(["--format", fmt.value], {"PORTWHO_PROMPT": _env("PORTWHO_PROMPT")})


def _env(name: str) -> str:
    import os

    return os.environ.get(name, "")


def verbs() -> list[tuple[str, str]]:
    """The visible verbs and their one-line help, as the first word's completion offers them."""
    from portwho.cli.app import app

    group: Any = typer.main.get_command(app)
    return [
        (name, cmd.get_short_help_str(limit=60))
        for name, cmd in sorted(group.commands.items())
        if not cmd.hidden
    ]


def options() -> list[tuple[str, str, str]]:
    """Every visible verb's options with their help, so the fast path can complete `--<TAB>`
    from the cache instead of building the whole Typer app at each Tab press."""
    from portwho.cli.app import app

    group: Any = typer.main.get_command(app)
    return [
        (name, opt, param.help or "")
        for name, cmd in sorted(group.commands.items())
        if not cmd.hidden
        for param in cmd.params
        if not getattr(param, "hidden", False)
        for opt in [*param.opts, *param.secondary_opts]
        if opt.startswith("-")
    ]


def busy_items(args: list[str], incomplete: str, found: Any, ctx: Any) -> list[CompletionItem]:
    """Busy ports when the word is the first one or one of lookup's ports."""
    first = found is ctx.command and ctx.parent is None
    port_arg = getattr(found, "name", None) == "ports" and ctx.command.name == "lookup"
    if not (first or port_arg) or incomplete.startswith("-"):
        return []
    from portwho.shell import refresh as promptrefresh

    cache = promptrefresh.fresh_cache(verbs(), options())
    ports = cache.ports if cache is not None else ()
    return [CompletionItem(str(p), help=name) for p, name in ports if str(p).startswith(incomplete)]


class _PortsMixin:
    """Typer's completion classes, plus busy ports, printed as the snippets read them."""

    cli: Any
    ctx_args: Any
    prog_name: str
    shell = "bash"

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        ctx = _resolve_context(self.cli, self.ctx_args, self.prog_name, args)
        found, incomplete = _resolve_incomplete(ctx, args, incomplete)
        items: list[CompletionItem] = found.shell_complete(ctx, incomplete)
        return items + busy_items(args, incomplete, found, ctx)

    def format_completion(self, item: CompletionItem) -> str:
        from portwho.cli.fast import format_item

        return format_item(self.shell, str(item.value), item.help)


class PortsBash(_PortsMixin, BashComplete):
    shell = "bash"


class PortsZsh(_PortsMixin, ZshComplete):
    shell = "zsh"

    def complete(self) -> str:  # plain lines for _describe, not Typer's _arguments call
        args, incomplete = self.get_completion_args()
        return "\n".join(self.format_completion(i) for i in self.get_completions(args, incomplete))


class PortsFish(_PortsMixin, FishComplete):
    shell = "fish"


class PortsPowerShell(_PortsMixin, PowerShellComplete):
    shell = "powershell"


for _cls, _name in (
    (PortsBash, "bash"),
    (PortsZsh, "zsh"),
    (PortsFish, "fish"),
    (PortsPowerShell, "powershell"),
    (PortsPowerShell, "pwsh"),
):
    add_completion_class(_cls, _name)
