"""The man page says what --help says: generated from the same pages, committed current, and
read back through the real formatter."""

from __future__ import annotations

import subprocess
from pathlib import Path

from portwho import spec
from portwho.cli import helptext, man
from tests.tools import need

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_page_is_current() -> None:
    """`make man` was run after the last change to cli/spec.py."""
    assert (REPO / "portwho.1").read_text() == man.page()


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_the_rendered_page_holds_every_help_page() -> None:
    need("groff")
    done = subprocess.run(
        ["groff", "-man", "-Tutf8", "-P", "-cbou", str(REPO / "portwho.1")],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    shown = squeeze(done.stdout.replace("\u2010", "-").replace("\u2212", "-"))
    pages = [helptext.top_page(), *[helptext.verb_page(v.name) for v in spec.VERBS[1:]]]
    for page in pages:
        for line in [*page.usage, *page.paragraphs]:
            assert squeeze(line) in shown, line
        for _, rows in page.sections:
            for term, text in rows:
                assert squeeze(f"{term} {text}") in shown, (term, text)
