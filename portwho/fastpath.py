"""What `portwho` answers before it imports Typer: `init SHELL`, `prompt` and the common Tab
presses (first word, a port for lookup). Each runs at a shell start, a prompt or a Tab press,
so it must cost little more than the interpreter start. Anything it does not recognise returns
None and goes to the full CLI, which gives the same answers (and the usage errors).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from portwho import promptcache

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
    return None


# --- init ----------------------------------------------------------------------------------


def init(args: Sequence[str]) -> int | None:
    from portwho import shellinit

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
        if words is None or not cword.isdigit():
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


def complete(env: Mapping[str, str]) -> int | None:
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
        return None
    sys.stdout.write("".join(format_item(shell, v, h) + "\n" for v, h in found))
    return 0


def main() -> None:
    """`python -m portwho`: answer here when possible, else run the full CLI."""
    code = handle(sys.argv[1:], os.environ)
    if code is not None:
        sys.exit(code)
    from portwho.cli import main as cli_main

    cli_main()
