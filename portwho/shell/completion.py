"""Tab completion, both ends of portwho's own protocol.

The snippets in shell/ call `portwho` with `_PORTWHO_COMPLETE=complete_SHELL` and the command
line in the environment (bash: `COMP_WORDS` and `COMP_CWORD`; zsh, fish, PowerShell:
`_PORTWHO_COMPLETE_ARGS`, the line up to the cursor, and PowerShell also
`_PORTWHO_COMPLETE_WORD`). This module answers from the CLI's declared surface (portwho/spec.py)
and the busy ports in the prompt cache, refreshed here first when it is stale: a cold and a warm
Tab press run the same function. It never imports Typer.

Candidates go out one a line in the form each snippet reads: `value<TAB>help` (bash, fish),
`value:help` with `:` escaped (zsh), `value:::help` (PowerShell).
"""

from __future__ import annotations

import sys

from portwho import spec

TYPE_CHECKING = False  # not typing's: a Tab press imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    Candidates = list[tuple[str, str]]
    BusyPorts = Callable[[], Sequence[tuple[int, str]]]
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
#: values offered after an option whose values come from a table elsewhere in portwho
SIGNALS = ("TERM", "INT", "HUP", "KILL", "QUIT", "USR1", "USR2")
#: busy ports offered at most: a screenful (a busy server has tens of thousands of listeners,
#: and zsh would ask "do you wish to see all 27650 possibilities?")
SCREENFUL = 40


#: what makes shlex.split differ from splitting at blanks (shlex's own whitespace)
_QUOTING = frozenset("\"'\\")


def split_words(text: str) -> list[str] | None:
    if _QUOTING.isdisjoint(text):  # most Tab presses: shlex's answer, without importing re
        blank = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        return [w for w in blank.split(" ") if w]
    import shlex

    try:
        return shlex.split(text, posix=True)
    except ValueError:  # an unclosed quote: complete the words before it
        try:
            return shlex.split(text + '"', posix=True)
        except ValueError:
            return None


def request(shell: str, env: Mapping[str, str]) -> tuple[list[str], str] | None:
    """(the words after `portwho` before the cursor, the word being completed)."""
    if shell == "bash":
        words = split_words(env.get("COMP_WORDS", ""))
        cword = env.get("COMP_CWORD", "")
        if words is None or not cword.isdecimal():
            return None
        index = int(cword)
        return words[1:index], words[index] if index < len(words) else ""
    line = env.get("_PORTWHO_COMPLETE_ARGS", "")
    words = split_words(line)
    if words is None:
        return None
    if shell in ("powershell", "pwsh"):
        incomplete = env.get("_PORTWHO_COMPLETE_WORD", "")
        return (words[1:-1] if incomplete else words[1:]), incomplete
    args = words[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


def option_values(opt: spec.Opt) -> tuple[str, ...]:
    if opt.choices:
        return opt.choices
    if opt.names[0] == "--backend":
        from portwho import backends

        return tuple(sorted(backends.MODULES))
    if opt.names[0] == "--format" and opt.value == "NAME":
        from portwho.backends import formats

        return tuple(formats.FORMATS)
    if opt.names[0] == "--signal":
        return SIGNALS
    return ()


def candidates(
    args: Sequence[str], incomplete: str, busy: BusyPorts, limit: int = SCREENFUL
) -> Candidates:
    """What to offer for `incomplete`, after the words `args`. Busy ports come in the cache's
    order (this user's listeners, then the rest, by port), at most `limit` of them."""
    first = not args
    verb = spec.BY_NAME.get(args[0]) if args else None
    rest = list(args[1:]) if verb is not None else list(args)
    verb = verb or spec.LOOKUP
    if rest:
        previous = verb.option(rest[-1])
        if previous is not None and not previous.flag:
            return [(v, "") for v in option_values(previous) if v.startswith(incomplete)]
    if incomplete.startswith("-"):
        opts = [*verb.opts, *(spec.GLOBAL_OPTIONS if first else ())]
        return [(n, o.help) for o in opts for n in o.names if n.startswith(incomplete)]
    out: Candidates = []
    if first:
        out += [(v, h) for v, h in spec.verb_summaries() if v.startswith(incomplete)]
    kinds = {a.kind for a in verb.args}
    if spec.SHELL in kinds and not _positionals(rest, verb):
        out += [(s, "") for s in spec.SHELLS if s.startswith(incomplete)]
    if spec.VERB in kinds and not _positionals(rest, verb):
        out += [(v, h) for v, h in spec.verb_summaries() if v.startswith(incomplete)]
    if spec.PORTS in kinds:
        matching = [(str(p), name) for p, name in busy() if str(p).startswith(incomplete)]
        out += matching[:limit]
    return out


def _positionals(rest: Sequence[str], verb: spec.Verb) -> list[str]:
    """The positional words among `rest` (option values skipped)."""
    found: list[str] = []
    skip = False
    for word in rest:
        if skip:
            skip = False
        elif word.startswith("-"):
            opt = verb.option(word)
            skip = opt is not None and not opt.flag
        else:
            found.append(word)
    return found


def format_item(shell: str, value: str, help_text: str | None) -> str:
    """One candidate in the form the shell function of that snippet reads."""
    text = " ".join((help_text or "").split())
    if shell == "zsh":
        value = value.replace("\\", "\\\\").replace(":", "\\:")
        return f"{value}:{text}" if text else value
    if shell in ("powershell", "pwsh"):
        return f"{value}:::{text or ' '}"
    return f"{value}\t{text}" if text else value


def busy_from_cache() -> Sequence[tuple[int, str]]:
    """The busy ports of the prompt cache: a stale one still answers (and is refreshed in the
    background), a missing or untrustworthy one is refreshed here first."""
    from portwho.shell import cache as promptcache

    cache = promptcache.read_cache()
    if cache is not None and cache.trusted:
        if not cache.fresh:  # answer now (a refresh at 20,000 listeners takes a second or
            from portwho.shell import widget  # more); the next Tab reads the new cache

            widget.spawn_refresh()
        return cache.ports
    from portwho.shell import refresh  # no cache, or too old to trust: refresh here

    cache = refresh.fresh_cache()
    return cache.ports if cache is not None else ()


def screenful(env: Mapping[str, str]) -> int:
    """The terminal's height when the shell exported it, else SCREENFUL."""
    lines = env.get("LINES", "")
    return max(10, int(lines) - 4) if lines.isdecimal() else SCREENFUL


def main(env: Mapping[str, str]) -> int:
    """Answer one Tab press; exit 0 with no output when there is nothing to offer."""
    _, _, shell = env.get("_PORTWHO_COMPLETE", "").partition("_")
    parsed = request(shell, env) if shell in SHELLS else None
    if parsed is None:
        return 0
    found = candidates(*parsed, busy=busy_from_cache, limit=screenful(env))
    sys.stdout.write("".join(format_item(shell, v, h) + "\n" for v, h in found))
    return 0
