"""`portwho init SHELL`: the snippet from shell/, with the executable and cache path filled in.

Runs at every shell start, so it imports only the standard library: no Typer, no psutil.
The snippets are real files (shell/ at the repo top, shipped as portwho/shell in the wheel)
with one placeholder for the command that runs portwho, quoted here for the target shell.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

#: shell name -> (snippet file, quoting style)
SHELLS: dict[str, tuple[str, str]] = {
    "bash": ("portwho.bash", "posix"),
    "zsh": ("portwho.zsh", "posix"),
    "fish": ("portwho.fish", "fish"),
    "powershell": ("portwho.ps1", "powershell"),
    "pwsh": ("portwho.ps1", "powershell"),
    "starship": ("starship.toml", "posix"),
    "tmux": ("tmux.conf", "posix"),
}
EXE = "::PORTWHO::"
CACHE = "::CACHE::"
#: the config file the refresher reads, resolved once here: finding it again (platformdirs)
#: would cost the background refresh a third of its time
CONFIG = "::CONFIG::"
SECTIONS = ("prompt", "completion")
#: PowerShell also ends single-quoted strings at the typographic quotes
_PS_QUOTES = re.compile("['\u2018\u2019\u201a\u201b]")


def snippet_dir() -> Path:
    """portwho/shell/files in an installed wheel; shell/ at the top of a source checkout
    (where portwho/shell/files is a symlink that a checkout without symlinks turns into a file)."""
    here = Path(__file__).resolve().parent
    packaged = here / "files"
    return packaged if packaged.is_dir() else here.parent.parent / "shell"


def quote(word: str, style: str) -> str:
    """One word as a single-quoted literal of the target shell: spaces, quotes, backslashes,
    `$` and globs all stay literal."""
    if style == "fish":
        return "'" + word.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if style == "powershell":
        return "'" + _PS_QUOTES.sub(lambda m: m.group(0) * 2, word) + "'"
    return shlex.quote(word) if word else "''"


def command_words(argv0: str | None = None, executable: str | None = None) -> list[str]:
    """The argv that starts this same portwho: the console script when that is how we were
    started, else this interpreter with -m."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = executable or sys.executable
    name = Path(argv0).name.lower()
    if name in ("portwho", "portwho.exe") and Path(argv0).exists():
        return [str(Path(argv0).absolute())]
    return [executable, "-m", "portwho"]


def strip_sections(text: str, off: set[str]) -> str:
    """Drop the `# >>> NAME` ... `# <<< NAME` blocks the user turned off."""
    keep: list[str] = []
    skipping: str | None = None
    for line in text.splitlines(keepends=True):
        mark = line.strip()
        if skipping is None and mark.startswith("# >>> ") and mark[6:] in off:
            skipping = mark[6:]
        elif skipping is not None and mark == f"# <<< {skipping}":
            skipping = None
        elif skipping is None:
            keep.append(line)
    return "".join(keep)


def script(
    shell: str,
    *,
    words: list[str],
    cache: str,
    config: str | None = None,
    prompt: bool = True,
    completion: bool = True,
) -> str:
    """The text `portwho init SHELL` prints. KeyError for an unknown shell."""
    filename, style = SHELLS[shell]
    text = (snippet_dir() / filename).read_text(encoding="utf-8")
    off = {name for name, on in (("prompt", prompt), ("completion", completion)) if not on}
    text = strip_sections(text, off)
    text = text.replace(EXE, " ".join(quote(w, style) for w in words))
    if config is None:
        from portwho.shell import cache as promptcache

        config = str(promptcache.config_path())
    return text.replace(CACHE, quote(cache, style)).replace(CONFIG, quote(config, style))


def main(args: list[str]) -> int | None:
    """`portwho init SHELL [--no-prompt] [--no-completion]`; None for anything else (the full
    CLI words the error)."""
    from portwho.shell import cache as promptcache

    flags = {"--no-prompt", "--no-completion"}
    if not args or args[0] not in SHELLS or not set(args[1:]) <= flags:
        return None
    text = script(
        args[0],
        words=command_words(),
        cache=str(promptcache.cache_path()),
        config=str(promptcache.config_path()),
        prompt="--no-prompt" not in args,
        completion="--no-completion" not in args,
    )
    sys.stdout.write(text)
    return 0
