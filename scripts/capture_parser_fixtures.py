"""Capture the fixtures for issue 10 from the real tools on this machine (run as root).

    python scripts/capture_parser_fixtures.py [OS_TAG]

A child binds loopback sockets on ports that /etc/services names (so tools WITHOUT -n print
service names: `localhost:ipp`, `[::1]:postgresql`), one ephemeral port (printed as a number),
an established loopback connection, a raw ICMP socket and an ICMPv6 ping socket (rows of other
kinds that ss -a lists among the TCP/UDP ones). Each tool runs as root and as nobody
(`setpriv --reuid=nobody --regid=nogroup --clear-groups`); stderr is merged as a terminal shows
it (net-tools' non-root `(Not all processes could be identified ...)` preamble). Rows of
other processes on this shared machine are dropped (unix and netlink rows included); the rest
is byte for byte what the tool printed. The parse result is checked against what the child
holds and stored beside the text as the oracle.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portwho.backends import formats  # noqa: E402

OUT = ROOT / "tests" / "fixtures"
AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
ENV = {"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
#: (kind, address, candidate named ports): the first free candidate is taken
WANTED = (
    ("tcp4", "127.0.0.1", (631, 5432, 3306, 6379, 11211)),
    ("tcp6", "::1", (5432, 3306, 6379, 11211, 631)),
    ("udp4", "127.0.0.1", (123, 161, 514, 5353, 1900)),
    ("udp6", "::1", (123, 161, 514, 5353, 1900)),
)
_CHILD = r"""
import json, socket, sys, time
got, keep = {}, []
for kind, host, ports in json.loads(sys.argv[1]):
    fam = socket.AF_INET6 if kind.endswith("6") else socket.AF_INET
    typ = socket.SOCK_STREAM if kind.startswith("tcp") else socket.SOCK_DGRAM
    for port in ports:
        s = socket.socket(fam, typ)
        try:
            s.bind((host, port))
        except OSError:
            s.close()
            continue
        if typ == socket.SOCK_STREAM:
            s.listen()
        keep.append(s); got[kind] = port
        break
eph = socket.socket(); eph.bind(("127.0.0.1", 0)); eph.listen(); keep.append(eph)
got["tcp4-eph"] = eph.getsockname()[1]
conn = socket.create_connection(("127.0.0.1", got["tcp4"])); keep.append(conn)
got["conn"] = conn.getsockname()[1]
keep.append(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
try:
    keep.append(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6))
except OSError:
    pass
print(json.dumps(got), flush=True)
sys.stdin.read()
"""


def run(argv: list[str]) -> tuple[str, int]:
    done = subprocess.run(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False, env=ENV
    )
    return done.stdout, done.returncode


def names(port: int) -> set[str]:
    out = {str(port)}
    for proto in ("tcp", "udp"):
        with contextlib.suppress(OSError):
            out.add(socket.getservbyport(port, proto))
    return out


def ours(word: str, wanted: set[str]) -> bool:
    return word.rpartition(":")[2] in wanted or word.rpartition(".")[2] in wanted


def keep_rows(text: str, ports: dict[str, int]) -> str:
    """Titles, headers and the preamble stay; a row stays when it holds one of our ports, or
    is our raw/ICMP socket (ss prints its protocol where the port goes)."""
    wanted = set().union(*(names(p) for p in ports.values()))
    out = []
    for line in text.splitlines(keepends=True):
        words = line.split()
        head = words[0] if words else ""
        row = head in {"tcp", "tcp6", "udp", "udp6", "raw", "raw6", "icmp6", "unix", "nl"}
        row = row or head.startswith(("u_", "p_")) or head in {"ESTAB", "LISTEN", "UNCONN"}
        if (
            (head in {"raw", "icmp6"} and ("icmp" in line or "ipv6-icmp" in line))
            or not row
            or any(ours(w, wanted) for w in words[3:7])
        ):
            out.append(line)
    return "".join(out)


def truth(ports: dict[str, int]) -> set[tuple[object, ...]]:
    lo4, lo6 = "127.0.0.1", "::1"
    return {
        ("tcp", "ipv4", lo4, ports["tcp4"], None, None),
        ("tcp", "ipv4", lo4, ports["tcp4-eph"], None, None),
        ("tcp", "ipv6", lo6, ports["tcp6"], None, None),
        ("udp", "ipv4", lo4, ports["udp4"], None, None),
        ("udp", "ipv6", lo6, ports["udp6"], None, None),
        ("tcp", "ipv4", lo4, ports["conn"], lo4, ports["tcp4"]),
        ("tcp", "ipv4", lo4, ports["tcp4"], lo4, ports["conn"]),
    }


def canonical_host(key: tuple[object, ...]) -> tuple[object, ...]:
    """Without -n the loopback is printed `localhost` / `ip6-localhost`: compare as addresses."""
    spell = {"localhost": "127.0.0.1", "ip6-localhost": "::1", "localhost6": "::1"}
    return tuple(spell.get(v, v) if isinstance(v, str) else v for v in key)


def capture(
    tag: str, fmt: str, argv: list[str], ports: dict[str, int], *, root: bool, only: str = ""
) -> None:
    full = argv if root else [*AS_NOBODY, *argv]
    text, code = run(full)
    text = keep_rows(text, ports)
    _, parsed = formats.parse(text, None)
    got = {canonical_host(s.key()) for s in parsed}
    want = truth(ports)
    want = {k for k in want if "listen" not in only or k[4] is None}
    want = {k for k in want if "tcp" not in only or k[0] == "tcp"}
    assert got == want, (argv, got ^ want)
    who = "root" if root else "nobody"
    name = f"{tag}-as-{who}__{'_'.join(a.strip('-') or '-' for a in argv)}"
    folder = OUT / fmt
    (folder / f"{name}.txt").write_text(text)
    meta = {"tool": fmt, "command": argv, "exit_code": code, "run_as": who, "ports": ports,
            "skipped": parsed.skipped, "first_skipped": parsed.first_skipped,
            "notes": parsed.notes, "sockets": [s.as_dict() for s in parsed]}  # fmt: skip
    (folder / f"{name}.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {fmt}/{name}.txt: {len(parsed)} sockets, {parsed.skipped} skipped")


_OWN = (
    "import socket, sys\n"
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
    "print(s.getsockname()[1], flush=True); sys.stdin.read()\n"
)


def capture_preamble(tag: str, ports: dict[str, int]) -> None:
    """netstat -tlnp as nobody while nobody holds a listener: net-tools names that one and
    starts with `(Not all processes could be identified ...)` for the root-owned rest."""
    own = subprocess.Popen(
        [*AS_NOBODY, "/usr/bin/python3", "-c", _OWN],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd="/",
    )  # fmt: skip
    try:
        assert own.stdout is not None
        mine = int(own.stdout.readline())
        text, code = run([*AS_NOBODY, "netstat", "-tlnp"])
        text = keep_rows(text, {**ports, "own": mine})
        _, parsed = formats.parse(text, None)
        assert text.startswith("(Not all processes could be identified"), text[:80]
        assert {s.pid for s in parsed if s.local_port == mine} == {own.pid}, parsed
        assert all(s.pid is None for s in parsed if s.local_port != mine), parsed
        name = f"{tag}-as-nobody__netstat_tlnp_not_all_identified"
        meta = {"tool": "netstat-linux", "command": ["netstat", "-tlnp"], "exit_code": code,
                "run_as": "nobody, holding one listener", "ports": {**ports, "own": mine},
                "skipped": parsed.skipped, "first_skipped": parsed.first_skipped,
                "notes": parsed.notes, "sockets": [s.as_dict() for s in parsed]}  # fmt: skip
        (OUT / "netstat-linux" / f"{name}.txt").write_text(text)
        (OUT / "netstat-linux" / f"{name}.json").write_text(json.dumps(meta, indent=1) + "\n")
        print(f"wrote netstat-linux/{name}.txt: {len(parsed)} sockets")
    finally:
        own.kill()
        own.wait(5)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tag = args[0] if args else "debian-12"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, json.dumps(WANTED)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        ports = json.loads(child.stdout.readline())
        capture_preamble(f"{tag}-net-tools-2.10", ports)
        if "--preamble-only" in sys.argv:
            return
        for root in (True, False):
            capture(f"{tag}-iproute2-6.1", "ss", ["ss", "-a", "-t", "-u", "-p"], ports, root=root)
            capture(f"{tag}-iproute2-6.1", "ss", ["ss", "-a", "-p"], ports, root=root)
            net_tools = f"{tag}-net-tools-2.10"
            capture(net_tools, "netstat-linux", ["netstat", "-a", "-t", "-u", "-p"], ports,
                    root=root)  # fmt: skip
            capture(net_tools, "netstat-linux", ["netstat", "-tlp"], ports, root=root,
                    only="tcp listen")  # fmt: skip
            busybox = f"{tag}-busybox-1.35"
            for argv, only in ((["busybox", "netstat", "-tuln"], "listen"),
                               (["busybox", "netstat", "-tul"], "listen"),
                               (["busybox", "netstat", "-a"], ""),
                               (["busybox", "netstat", "-ae"], "")):  # fmt: skip
                capture(busybox, "netstat-linux", argv, ports, root=root, only=only)
    finally:
        child.kill()
        child.wait(5)


if __name__ == "__main__":
    main()
