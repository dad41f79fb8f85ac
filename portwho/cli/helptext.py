"""`--help`, `portwho help [VERB]` and the man page's content, all built from cli/spec.py.

One model (usage lines, paragraphs, sections of term/description rows) and two renderings:
plain text wrapped to the terminal (here) and roff (portwho.cli.man). Typer's own help is not
used: it hid the default command's options behind `lookup --help` and broke descriptions
mid-line in narrow boxes. Standard library only.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from portwho import spec

TAGLINE = "Who is holding this port, and what is this port anyway?"
HELP_OPT = next(o for o in spec.GLOBAL_OPTIONS if o.dest == "help")
#: (code, meaning): the exit statuses every verb shares (README "Exit status")
EXIT_CODES = (
    ("0", "In use, owner found; plain success for the other commands."),
    ("1", "Free: nothing bound to the port (kill: nothing held it; filters: no owner matched)."),
    ("2", "Usage error."),
    ("3", "In use, but every owner is hidden from this user (the sudo command is printed)."),
    ("4", "No backend could answer."),
    ("5", "Reserved by Windows (an excluded port range)."),
    ("6", "wait timed out; kill left the port held."),
    ("7", "kill refused, or was not permitted."),
)

Row = tuple[str, str]


@dataclass(slots=True)
class Page:
    usage: list[str]
    paragraphs: list[str]
    sections: list[tuple[str, list[Row]]] = field(default_factory=list)
    footer: str = ""


def option_term(opt: spec.Opt) -> str:
    names = ", ".join(sorted(opt.names, key=lambda n: (n.startswith("--"), n)))
    return f"{names} {opt.value}" if opt.value else names


def option_text(opt: spec.Opt) -> str:
    text = opt.help
    if opt.choices and not all(c in text for c in opt.choices):
        text += f" One of: {', '.join(opt.choices)}."
    if opt.envvar:
        text += f" [env: {opt.envvar}]"
    return text


def arg_term(arg: spec.Arg) -> str:
    return arg.metavar + ("..." if arg.many else "")


def usage_args(verb: spec.Verb) -> str:
    words = [arg_term(a) if a.required else f"[{arg_term(a)}]" for a in verb.args]
    return " ".join(["[OPTIONS]", *words])


def commands() -> list[Row]:
    """The verbs besides the default one, as the top-level help lists them."""
    return [(v.name, v.summary) for v in spec.VERBS if v is not spec.LOOKUP]


def top_page() -> Page:
    """`portwho --help`: the lookup's own help, then the verbs."""
    lookup = spec.LOOKUP
    options = [(option_term(o), option_text(o)) for o in (*lookup.opts, *spec.GLOBAL_OPTIONS)]
    return Page(
        usage=[f"portwho {usage_args(lookup)}", "portwho COMMAND [ARGS]..."],
        paragraphs=[TAGLINE, lookup.doc],
        sections=[
            ("Arguments", [(arg_term(a), a.help) for a in lookup.args]),
            ("Options", options),
            ("Commands", commands()),
        ],
        footer="Run 'portwho help COMMAND' (or 'portwho COMMAND --help') for its options.",
    )


def verb_page(name: str) -> Page:
    if name == spec.LOOKUP.name:
        return top_page()
    verb = spec.verb(name)
    sections: list[tuple[str, list[Row]]] = []
    if verb.args:
        sections.append(("Arguments", [(arg_term(a), a.help) for a in verb.args]))
    rows = [(option_term(o), option_text(o)) for o in (*verb.opts, HELP_OPT)]
    sections.append(("Options", rows))
    return Page(usage=[f"portwho {name} {usage_args(verb)}"], paragraphs=[verb.doc],
                sections=sections)  # fmt: skip


# -- plain text -----------------------------------------------------------------------------

#: the term column is at most this wide; a longer term gets its description on the next line
TERM_MAX = 26


def render(page: Page, width: int) -> str:
    width = max(40, min(width, 100))
    out = [_wrap(f"{'Usage:' if i == 0 else '      '} {u}", width, 13) for i, u in
           enumerate(page.usage)]  # fmt: skip
    for paragraph in page.paragraphs:
        out += ["", textwrap.fill(paragraph, width)]
    for title, rows in page.sections:
        out += ["", f"{title}:"]
        out += rows_text(rows, width)
    if page.footer:
        out += ["", textwrap.fill(page.footer, width)]
    return "\n".join(out) + "\n"


def rows_text(rows: list[Row], width: int) -> list[str]:
    column = min(TERM_MAX, max(len(t) for t, _ in rows)) + 4
    lines = []
    for term, text in rows:
        body = textwrap.wrap(text, width - column) or [""]
        if len(term) + 4 > column:
            lines.append(f"  {term}")
            lines += [" " * column + b for b in body]
            continue
        lines.append(f"  {term}".ljust(column) + body[0])
        lines += [" " * column + b for b in body[1:]]
    return lines


def _wrap(text: str, width: int, indent: int) -> str:
    return "\n".join(textwrap.wrap(text, width, subsequent_indent=" " * indent))


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def help_text(verb: str | None = None) -> str:
    return render(top_page() if verb is None else verb_page(verb), terminal_width())
