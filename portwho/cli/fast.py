"""What `portwho` answers before it imports Typer: plain lookups (`portwho 3000 --json`),
`init SHELL`, `prompt` and the common Tab presses (first word, a port for lookup). They run in
scripts, wait loops, shell starts, prompts and Tab presses, and Typer's import and command
building cost several times what the lookup itself does. Anything not recognised here returns
None and goes to the full CLI, which gives the same answers (tests hold both paths to the same
output) and owns every usage error and `--help`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portwho.shell import cache as promptcache


INIT_FLAGS = {"--no-prompt", "--no-completion"}
PROMPT_FORMATS = ("plain", "ansi", "tmux")


def handle(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """The exit code when answered here, None to hand over to the full CLI."""
    if env.get("_PORTWHO_COMPLETE"):
        return complete(env)
    if argv[:1] == ["init"]:
        return init(argv[1:])
    if argv[:1] == ["prompt"]:
        return prompt(argv[1:], env)
    if list(argv) in (["--version"], ["-V"]):
        from portwho import __version__

        sys.stdout.write(f"portwho {__version__}\n")
        return 0
    return lookup(argv, env)


# --- lookup --------------------------------------------------------------------------------

#: the CLI's verbs (a test holds this equal to the commands registered on cli.app)
VERBS = frozenset({"lookup", "explain", "init", "prompt", "kill", "wait", "watch", "free"})
#: the lookup flags answered here, and the setting each one turns on
LOOKUP_FLAGS = {
    "--tcp": "tcp", "-t": "tcp", "--udp": "udp", "-u": "udp", "-4": "ipv4", "-6": "ipv6",
    "--listening": "listening", "-l": "listening", "--json": "json", "--pids": "pids",
    "-q": "pids", "--debug": "debug",
}  # fmt: skip


def lookup(argv: Sequence[str], env: Mapping[str, str]) -> int | None:
    """`portwho [lookup] [PORT...] [simple flags]`; None for anything else or any error."""
    args = list(argv[1:] if argv[:1] == ["lookup"] else argv)
    if args and args[0] in VERBS:
        return None
    flags = {LOOKUP_FLAGS[a] for a in args if a in LOOKUP_FLAGS}
    specs = [a for a in args if a not in LOOKUP_FLAGS]
    if any(not s or s.startswith("-") for s in specs):
        return None  # options the full CLI owns (--from, --backend, --help), or bad input
    from portwho.commands import lookup as commands
    from portwho.errors import PortwhoError

    try:
        query = commands.build_query(
            specs, **{k: k in flags for k in ("tcp", "udp", "ipv4", "ipv6", "listening")}
        )
        output: commands.Output = (
            "json" if "json" in flags else "pids" if "pids" in flags else "text"
        )
        backend = env.get("PORTWHO_BACKEND") or None
        return int(
            commands.run_lookup(
                query, backend=backend, source=None, fmt=None, output=output, debug="debug" in flags
            )
        )
    except PortwhoError:
        return None  # the full CLI says it, in the one place errors are worded


# --- init ----------------------------------------------------------------------------------


def init(args: Sequence[str]) -> int | None:
    from portwho.shell import cache as promptcache
    from portwho.shell import snippets as shellinit

    if not args or args[0] not in shellinit.SHELLS or not set(args[1:]) <= INIT_FLAGS:
        return None
    text = shellinit.script(
        args[0],
        words=shellinit.command_words(),
        cache=str(promptcache.cache_path()),
        prompt="--no-prompt" not in args,
        completion="--no-completion" not in args,
    )
    sys.stdout.write(text)
    return 0


# --- prompt --------------------------------------------------------------------------------


def prompt_format(args: Sequence[str]) -> str | None:
    if not args:
        return "plain"
    if len(args) == 2 and args[0] == "--format" and args[1] in PROMPT_FORMATS:
        return args[1]
    return None


def styled(segment: str, color: str, fmt: str) -> str:
    if not segment or color == "-" or fmt == "plain":
        return segment
    if fmt == "tmux":
        code = color.rsplit(";", maxsplit=1)[-1]
        name = (
            f"colour{code}"
            if ";" in color
            else f"colour{int(code) % 10 + (8 if int(code) >= 90 else 0)}"
        )
        return f"#[fg={name}]{segment}#[default]"
    return f"\x1b[{color}m{segment}\x1b[0m"


def prompt(args: Sequence[str], env: Mapping[str, str]) -> int | None:
    """Print the segment from the cache; start a background refresh when it is stale."""
    from portwho.shell import cache as promptcache

    fmt = prompt_format(args)
    if fmt is None:
        return None
    cache = promptcache.read_cache(head_only=True)
    if cache is None or not cache.fresh:
        spawn_refresh()
    if cache is not None and cache.trusted and env.get("PORTWHO_PROMPT") != "0":
        text = styled(cache.segment, cache.color, fmt)
        if text:
            sys.stdout.write(text + "\n")
    return 0


def spawn_refresh() -> None:
    """Start `portwho prompt --refresh` detached, unless one is visibly running already."""
    from portwho.shell import cache as promptcache

    lock = promptcache.cache_dir() / promptcache.LOCK_NAME
    if promptcache.lock_held(lock):
        return
    from portwho._run import spawn_detached

    spawn_detached([sys.executable, "-m", "portwho", "prompt", "--refresh"])


# --- completion ----------------------------------------------------------------------------


def format_item(shell: str, value: str, help_text: str | None) -> str:
    """One candidate in the form the shell function of that snippet reads."""
    text = " ".join((help_text or "").split())
    if shell == "zsh":
        value = value.replace("\\", "\\\\").replace(":", "\\:")
        return f"{value}:{text}" if text else value
    if shell in ("powershell", "pwsh"):
        return f"{value}:::{text or ' '}"
    return f"{value}\t{text}" if text else value


def split_words(text: str) -> list[str] | None:
    import shlex

    try:
        return shlex.split(text, posix=True)
    except ValueError:  # an unclosed quote: the full CLI knows how to finish it
        return None


def completion_args(shell: str, env: Mapping[str, str]) -> tuple[list[str], str] | None:
    """(words before the cursor, the word being completed), as Typer's classes read them."""
    if shell == "bash":
        words = split_words(env.get("COMP_WORDS", ""))
        cword = env.get("COMP_CWORD", "")
        if words is None or not cword.isdecimal():
            return None
        index = int(cword)
        return words[1:index], words[index] if index < len(words) else ""
    line = env.get("_TYPER_COMPLETE_ARGS", "")
    words = split_words(line)
    if words is None:
        return None
    if shell in ("powershell", "pwsh"):
        incomplete = env.get("_TYPER_COMPLETE_WORD_TO_COMPLETE", "")
        return (words[1:-1] if incomplete else words[1:]), incomplete
    args = words[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


def port_candidates(
    cache: promptcache.Cache, args: Sequence[str], incomplete: str
) -> list[tuple[str, str]] | None:
    """Candidates when the word is the first one or a port of `lookup`; None otherwise."""
    verbs = dict(cache.verbs)
    if incomplete.startswith("-") or any(a.startswith("-") for a in args) or not verbs:
        return None
    if args and args[0] != "lookup" and args[0] in verbs:
        return None
    out = [(v, h) for v, h in cache.verbs if not args and v.startswith(incomplete)]
    out += [(str(p), name) for p, name in cache.ports if str(p).startswith(incomplete)]
    return out


def option_candidates(
    cache: promptcache.Cache, args: Sequence[str], incomplete: str
) -> list[tuple[str, str]] | None:
    """A verb's options for `--<TAB>` (lookup's when the first word is not a verb); None when
    the cache has none or the word is not an option (option values go to the full CLI)."""
    if not incomplete.startswith("-"):
        return None
    verbs = {v for v, _ in cache.verbs}
    verb = args[0] if args and args[0] in verbs else "lookup"
    found = [(o, h) for v, o, h in cache.options if v == verb and o.startswith(incomplete)]
    return found or None


def complete(env: Mapping[str, str]) -> int | None:
    from portwho.shell import cache as promptcache

    _, _, shell = env.get("_PORTWHO_COMPLETE", "").partition("_")
    if shell not in ("bash", "zsh", "fish", "powershell", "pwsh"):
        return None
    if shell == "fish" and env.get("_TYPER_COMPLETE_FISH_ACTION") != "get-args":
        return None
    parsed = completion_args(shell, env)
    cache = promptcache.read_cache()
    if parsed is None or cache is None or not cache.fresh:
        return None
    found = port_candidates(cache, *parsed)
    if found is None:
        found = option_candidates(cache, *parsed)
    if found is None:
        return None
    sys.stdout.write("".join(format_item(shell, v, h) + "\n" for v, h in found))
    return 0


def main() -> None:
    """`python -m portwho`: answer here when possible, else run the full CLI."""
    code = handle(sys.argv[1:], os.environ)
    if code is not None:
        sys.exit(code)
    from portwho.cli.app import main as cli_main

    cli_main()
