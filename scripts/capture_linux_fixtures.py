"""Capture the ss / netstat / fuser fixtures from the real tools on this machine (as root).

    python scripts/capture_linux_fixtures.py [OS_TAG]

A child (tests/live/helpers.spawn_holder) holds TCP v4/v6 listeners, UDP v4/v6 sockets and an
established loopback connection, as uid 65534, with comm "next-server (v1" and argv[0]
"my server (v1) x". Each tool runs as root and as uid 65533 (another unprivileged user). Rows of
unrelated processes are dropped from the text (other people's sockets on a shared machine); the
rest is byte for byte what the tool printed. Before writing, the parsed rows are checked against
what the child really holds, and the parse result is stored beside the text as the oracle.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portwho.backends import fuser, netstat_linux, ss  # noqa: E402
from portwho.model import Socket  # noqa: E402
from tests.live.helpers import Holder, spawn_holder  # noqa: E402

OUT = ROOT / "tests" / "fixtures"
AS_OTHER = ["setpriv", "--reuid=65533", "--regid=65533", "--clear-groups"]


def version(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).splitlines()[0].strip()


def run(argv: list[str], merge: bool = False) -> str:
    err = subprocess.STDOUT if merge else subprocess.DEVNULL
    done = subprocess.run(
        argv, stdout=subprocess.PIPE, stderr=err, text=True, check=False,
        env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )  # fmt: skip
    return done.stdout


def keep_rows(text: str, ports: set[int]) -> str:
    """Drop rows that mention none of the holder's ports (titles and headers stay)."""
    out = []
    for line in text.splitlines(keepends=True):
        words = line.split()
        is_row = bool(words) and words[0] in {"tcp", "tcp6", "udp", "udp6"}
        if is_row and ("TIME_WAIT" in words or "TIME-WAIT" in words):
            continue  # the holder has none: another process's old connection, same port number
        if not is_row or any(w.rsplit(":", 1)[-1] in {str(p) for p in ports} for w in words[3:5]):
            out.append(line)
    return "".join(out)


def truth(h: Holder) -> set[tuple[object, ...]]:
    p = h.ports
    lo4, lo6 = "127.0.0.1", "::1"
    return {
        ("tcp", "ipv4", lo4, p["tcp4"], None, None, "LISTEN"),
        ("tcp", "ipv6", lo6, p["tcp6"], None, None, "LISTEN"),
        ("udp", "ipv4", lo4, p["udp4"], None, None, None),
        ("udp", "ipv6", lo6, p["udp6"], None, None, None),
        ("tcp", "ipv4", lo4, p["conn"], lo4, p["tcp4"], "ESTABLISHED"),
        ("tcp", "ipv4", lo4, p["tcp4"], lo4, p["conn"], "ESTABLISHED"),
    }


def check(sockets: list[Socket], h: Holder, root: bool, only: str = "") -> None:
    """Parsed rows == what the child holds (`only`: "tcp" or "listen" when the argv says so)."""
    mine = [s for s in sockets if s.inode in h.inodes or s.local_port in h.ports.values()]
    want = {t for t in truth(h) if only != "tcp" or t[0] == "tcp"}
    want = {t for t in want if only != "listen" or t[4] is None}
    got = {(*s.key(), s.state) for s in mine}
    assert got == want, got ^ want
    assert all(s.pid == (h.pid if root else None) for s in mine), mine


def save(name: str, text: str, meta: dict[str, object], sockets: list[Socket]) -> None:
    folder = OUT / str(meta["tool"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text)
    body = {**meta, "sockets": [s.as_dict() for s in sockets]}
    (folder / f"{name}.json").write_text(json.dumps(body, indent=1) + "\n")
    print(f"wrote {folder.name}/{name}.txt ({len(sockets)} sockets)")


def capture(
    tag: str, tool: str, name: str, argv: list[str], parser: Callable[[str], list[Socket]],
    h: Holder, *, root: bool, merge: bool = False, only: str = "", ver: str = "",
) -> None:  # fmt: skip
    full = argv if root else [*AS_OTHER, *argv]
    text = keep_rows(run(full, merge), set(h.ports.values()))
    sockets = parser(text)
    if tool != "fuser":
        check(sockets, h, root, only)
    meta = {"tool": tool, "command": argv, "run_as": "root" if root else "uid 65533",
            "tool_version": ver, "holder_pid": h.pid, "holder_uid": 65534}  # fmt: skip
    save(f"{tag}__{name}", text, meta, sockets)


def main() -> None:
    tag = sys.argv[1] if len(sys.argv) > 1 else "debian-12"
    ss_v, ns_v = version(["ss", "-V"]), version(["netstat", "--version"])
    fu_v = version(["fuser", "-V"])
    with spawn_holder(comm="next-server (v1", argv0="my server (v1) x", uid=65534) as h:
        flt = ss.port_filter(h.ports.values())
        ss_argv = list(ss.BASE_ARGV) + flt
        for root in (True, False):
            who = "root" if root else "nonroot"
            capture(tag, "ss", f"ss-natupe-{who}", ss_argv, ss.parse, h, root=root, ver=ss_v)
            ns_argv = list(netstat_linux.ARGV)
            capture(tag, "netstat-linux", f"netstat-natupeW-{who}", ns_argv, netstat_linux.parse,
                    h, root=root, ver=ns_v)  # fmt: skip
        capture(tag, "ss", "ss-natpe-header-no-netid", ["ss", "-n", "-a", "-t", "-p", "-e", *flt],
                ss.parse, h, root=True, only="tcp", ver=ss_v)  # fmt: skip
        capture(tag, "netstat-linux", "netstat-nltup", ["netstat", "-n", "-l", "-t", "-u", "-p"],
                netstat_linux.parse, h, root=True, only="listen", ver=ns_v)  # fmt: skip
        port = str(h.ports["tcp4"])
        for name, argv in (("fuser-n-tcp", ["fuser", "-n", "tcp", port]),
                           ("fuser-v-n-tcp", ["fuser", "-v", "-n", "tcp", port])):  # fmt: skip
            capture(tag, "fuser", name, argv, fuser.parse, h, root=True, merge=True, ver=fu_v)


if __name__ == "__main__":
    main()
