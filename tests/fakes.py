"""A fake runner for chain tests: it answers by tool name with recorded text, or raises what a
missing, hanging or failing tool raises. Backends and parsers under test are the real ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from portwho._run import Completed
from portwho.errors import ToolMissing

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(relpath: str) -> str:
    return (FIXTURES / relpath).read_text(encoding="utf-8")


#: what a fake tool does: print text (exit 0), print text with an exit code, return a whole
#: Completed, answer per last argv word (netstat -p tcp / -p udp), or raise (missing, hanging)
Reply = str | tuple[str, int] | Completed | Mapping[str, str] | BaseException


class FakeRunner:
    """Answers by tool name (argv[0]); a tool it was not given is "not installed".

    Tools can be named in a mapping or as keywords (`powershell_exe=` for powershell.exe).
    """

    def __init__(self, answers: Mapping[str, Reply] | None = None, **tools: Reply) -> None:
        self.answers = {**(answers or {}), **{k.replace("_", "."): v for k, v in tools.items()}}
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], timeout: float) -> Completed:
        self.calls.append(tuple(argv))
        if argv[0] not in self.answers:
            raise ToolMissing(f"{argv[0]} is not installed (fake)")
        reply = self.answers[argv[0]]
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, Completed):
            return reply
        if isinstance(reply, Mapping):
            reply = reply[argv[-1]]
        text, code = reply if isinstance(reply, tuple) else (reply, 0)
        return Completed(argv=tuple(argv), returncode=code, stdout=text, stderr="")
