"""The man page, portwho.1, from the same pages as `--help` (portwho.cli.helptext).

`make man` (or `python -m portwho.cli.man > portwho.1`) writes it; the wheel ships it as
share/man/man1/portwho.1, and a test holds the committed file equal to this output and its
rendered text equal to the help pages'. Standard library only.
"""

from __future__ import annotations

import sys

from portwho import __version__, spec
from portwho.cli import helptext


def escape(text: str) -> str:
    """Roff-safe text: backslashes and hyphens escaped, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # any man reader: non-ASCII as groff's named Unicode escapes (⚡ -> \[u26A1])
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)
    return "\\&" + text if text.startswith((".", "'")) else text


def rows(items: list[helptext.Row], *, bold: bool = True) -> list[str]:
    out = []
    for term, text in items:
        out += [".TP", f"\\fB{escape(term)}\\fR" if bold else escape(term), escape(text)]
    return out


def sections(page: helptext.Page, *, skip: tuple[str, ...] = ()) -> list[str]:
    out = []
    for title, items in page.sections:
        if title not in skip:
            out += [".PP", f"\\fI{escape(title)}:\\fR", *rows(items)]
    return out


def usage(page: helptext.Page) -> list[str]:
    lines = []
    for line in page.usage:
        name, _, rest = line.partition(" ")
        lines += [f".B {escape(name)}", escape(rest), ".br"]
    return lines[:-1]


def page() -> str:
    top = helptext.top_page()
    out = [
        f'.TH PORTWHO 1 "" "portwho {escape(__version__)}" "User Commands"',
        ".nh",  # no hyphenation, left-aligned: words stay whole, as in --help
        ".ad l",
        ".SH NAME",
        f"portwho \\- {escape(helptext.TAGLINE[0].lower() + helptext.TAGLINE[1:])}",
        ".SH SYNOPSIS",
        *usage(top),
        ".SH DESCRIPTION",
        *[line for p in top.paragraphs for line in (".PP", escape(p))],
        *sections(top, skip=("Commands",)),
        ".SH COMMANDS",
        *rows(top.sections[-1][1]),
    ]
    for verb in spec.VERBS:
        if verb is spec.LOOKUP:
            continue
        sub = helptext.verb_page(verb.name)
        out += [f".SS {escape(sub.usage[0])}", ".PP", escape(sub.paragraphs[0]), *sections(sub)]
    out += [".SH EXIT STATUS", *rows(list(helptext.EXIT_CODES))]
    out += [".SH SEE ALSO", escape("lsof(8), ss(8), netstat(8), fuser(1)")]
    return "\n".join(out) + "\n"


def main() -> None:
    sys.stdout.write(page())


if __name__ == "__main__":
    main()
