"""A fake runner for chain tests: it answers by tool name with recorded text, or raises what a
missing, hanging or failing tool raises. Backends and parsers under test are the real ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from portwho._run import Completed

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(relpath: str) -> str:
    return (FIXTURES / relpath).read_text(encoding="utf-8")


@dataclass
class FakeRunner:
    """tool name -> stdout text, (stdout, returncode), or an exception instance to raise."""

    answers: dict[str, str | tuple[str, int] | BaseException]
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def __call__(self, argv: Sequence[str], timeout: float) -> Completed:
        self.calls.append(tuple(argv))
        answer = self.answers.get(argv[0])
        if answer is None:
            from portwho.errors import ToolMissing

            raise ToolMissing(f"{argv[0]} is not installed (fake)")
        if isinstance(answer, BaseException):
            raise answer
        text, code = answer if isinstance(answer, tuple) else (answer, 0)
        return Completed(argv=tuple(argv), returncode=code, stdout=text, stderr="")
