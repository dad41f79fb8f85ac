"""The one remote command portwho sends, and the split of what it printed into sections.

The command is built here from fixed text, a random marker and validated port numbers, never
from user text. It is one line of POSIX sh handed to `sh -c '…'`, so the login shell may be
bash, zsh, fish or csh: the line holds no single quote, no backslash and no newline, the only
things those shells read differently inside single quotes. It prints `uname -s`, then either a
compatible portwho's `--json` answer or the OS's own tools' output, each section after a line
`@@portwho-NONCE:NAME`. A Windows host (no sh, or Git Bash's) is asked again with PowerShell.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from portwho.backends.base import port_runs
from portwho.model import Query

#: what a compatible portwho may exit with (a port's verdict); anything else falls back to tools
PORTWHO_CODES = "0|1|3|5"

_LINUX = (
    "echo $M:range; cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null",
    "if command -v ss >/dev/null 2>&1; then echo $M:ss; ss -n -a -t -u -p -e 2>/dev/null",
    "elif command -v netstat >/dev/null 2>&1; then echo $M:netstat-linux;"
    " netstat -n -a -t -u -p -e -W 2>/dev/null",
    "else for t in tcp tcp6 udp udp6; do echo $M:proc-$t; cat /proc/net/$t 2>/dev/null; done;"
    " echo $M:fds; ls -l /proc/[0-9]*/fd 2>/dev/null; fi",
    "echo $M:ps; ps -e -ww -o pid=,uid=,user:32=,etimes=,args= 2>/dev/null",
    "echo $M:comm; ps -e -o pid=,comm= 2>/dev/null",
)
_BSD_PS = (
    "echo $M:ps; ps -axww -o pid=,uid=,user=,etime=,args= 2>/dev/null",
    "echo $M:comm; ps -ax -o pid=,comm= 2>/dev/null",
)
_FREEBSD = (
    "echo $M:range; sysctl -n net.inet.ip.portrange.first net.inet.ip.portrange.last",
    "echo $M:sockstat; sockstat -46 2>/dev/null",
    *_BSD_PS,
)
_DARWIN = (
    "echo $M:range; sysctl -n net.inet.ip.portrange.first net.inet.ip.portrange.last",
    "echo $M:netstat-macos; netstat -anvW -p tcp 2>/dev/null; netstat -anvW -p udp 2>/dev/null",
    *_BSD_PS,
)


@dataclass(frozen=True, slots=True)
class Probe:
    nonce: str
    command: str  # for ssh: `sh -c '<the probe>'`

    @property
    def marker(self) -> str:
        return f"@@portwho-{self.nonce}:"


def portwho_args(query: Query) -> list[str]:
    """The remote portwho's arguments for `query`: port runs and filter flags, all ours."""
    args = ["--json"]
    if query.protocols == frozenset({"tcp"}):
        args.append("--tcp")
    elif query.protocols == frozenset({"udp"}):
        args.append("--udp")
    if query.families == frozenset({"ipv4"}):
        args.append("-4")
    elif query.families == frozenset({"ipv6"}):
        args.append("-6")
    if query.listening_only and query.ports is not None:
        args.append("--listening")
    runs = port_runs(query.ports or ())
    args += [str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in runs]
    return args


def powershell_command() -> str:
    """`powershell … -EncodedCommand`: base64 of UTF-16LE survives cmd.exe and PowerShell
    as the remote's default shell without any quoting."""
    from portwho.backends import powershell

    encoded = base64.b64encode(powershell.script(None).encode("utf-16-le")).decode("ascii")
    return f"powershell -NoProfile -NonInteractive -EncodedCommand {encoded}"


def build(query: Query, nonce: str | None = None) -> Probe:
    nonce = nonce or secrets.token_hex(6)
    args = " ".join(portwho_args(query))
    steps = [
        f"LC_ALL=C; export LC_ALL; M=@@portwho-{nonce}",
        "echo $M:os; uname -s 2>/dev/null",
        "echo $M:now; date +%s",
        "echo $M:conn; echo $SSH_CONNECTION",
        "echo $M:uid; id -u",
        "if command -v portwho >/dev/null 2>&1; then"
        f" out=$(portwho {args} 2>/dev/null); rc=$?;"
        f" case $rc in {PORTWHO_CODES}) case $out in *schema*)"
        ' echo $M:portwho; printf "%s\\n" "$out"; echo $M:end; exit 0;; esac;; esac; fi',
        "case $(uname -s) in",
        "Linux) " + "; ".join(_LINUX) + ";;",
        "Darwin) " + "; ".join(_DARWIN) + ";;",
        "FreeBSD) " + "; ".join(_FREEBSD) + ";;",
        "esac",
        "echo $M:end",
    ]
    line = "; ".join(steps).replace("in; ", "in ").replace(";;; ", ";; ")
    checked(line)
    return Probe(nonce=nonce, command=f"sh -c '{line}'")


def checked(line: str) -> str:
    r"""The probe must stay one line with no single quote and no backslash except printf's \n
    (fish reads \\ and \' inside single quotes; csh refuses a newline in them)."""
    if "'" in line or "\n" in line or line.replace("\\n", "").count("\\"):
        raise AssertionError("the remote probe must be one line without ' or \\")
    return line


def sections(text: str, probe: Probe) -> dict[str, str]:
    """Section name -> its text. Only whole lines equal to a marker split: a remote process
    cannot fake one, as it cannot know the nonce."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    pattern = re.compile(re.escape(probe.marker) + r"([a-z0-9-]+)")
    for line in text.splitlines():
        match = pattern.fullmatch(line.rstrip("\r"))
        if match:
            current = found.setdefault(match.group(1), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) + ("\n" if lines else "") for name, lines in found.items()}


def first_line(texts: Iterable[str]) -> str:
    """The first non-blank line of what a host printed, to quote in an error."""
    for text in texts:
        for line in text.splitlines():
            if line.strip():
                return line.strip()[:160]
    return ""
