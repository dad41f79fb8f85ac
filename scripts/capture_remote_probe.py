"""Capture what the --host probe prints on a Linux host, from the real tools (as root).

    python scripts/capture_remote_probe.py [OS_TAG]

The probe (portwho.remote.probe, nonce "0123456789ab") runs in a fresh network and PID
namespace (`unshare --net --pid --fork --mount-proc`), so the text holds only the sockets and
processes made for it: a python child with a TCP listener on 127.0.0.1:8000 and a dual-stack UDP
socket on [::]:5353 (fixed ports are safe in a namespace of our own). It runs once as root and
once as uid 65534, who cannot see the child's owner, and once as root with a PATH that has no
ss and no netstat (the /proc/net fallback). The text is byte for byte what sh printed;
the parse result is checked against the child and stored beside it as the oracle.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portwho.model import Query  # noqa: E402
from portwho.remote import parse, probe  # noqa: E402
from portwho.views.jsondoc import socket_json  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "remote"
NONCE = "0123456789ab"
CHILD = (
    "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 8000)); s.listen(); "
    "u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(('::', 5353)); time.sleep(20)"
)


def capture() -> dict[str, str]:
    line = probe.build(Query(ports=None, listening_only=True), nonce=NONCE).command
    inner = line[len("sh -c '") : -1]
    out = {who: f"/tmp/portwho-probe-{who}.txt" for who in ("root", "nobody", "proc-root")}
    bare = Path("/tmp/portwho-probe-bin")  # the tools the probe needs, without ss or netstat
    bare.mkdir(exist_ok=True)
    for tool in ("sh", "cat", "ls", "ps", "uname", "date", "id"):
        link = bare / tool
        if not link.exists():
            link.symlink_to(subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True,
                                           text=True, check=True).stdout.strip())  # fmt: skip
    as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups"
    script = (
        f'ip link set lo up; python3 -c "{CHILD}" & sleep 1; export SSH_CONNECTION=; '
        f"PATH=/usr/sbin:/usr/bin:/bin sh -c '{inner}' > {out['root']}; "
        f"PATH=/usr/sbin:/usr/bin:/bin {as_nobody} sh -c '{inner}' > {out['nobody']}; "
        f"PATH={bare} sh -c '{inner}' > {out['proc-root']}; kill $!"
    )
    subprocess.run(
        ["unshare", "--net", "--pid", "--fork", "--mount-proc", "sh", "-c", script], check=True
    )
    return {who: Path(path).read_text() for who, path in out.items()}


def oracle(text: str, who: str) -> dict[str, object]:
    found = probe.sections(text, probe.Probe(nonce=NONCE, command=""))
    reply = parse.read(found, 0.0)
    ports = {(s.protocol, s.local_port): s for s in reply.sockets}
    assert set(ports) == {("tcp", 8000), ("udp", 5353)}, ports
    for sock in ports.values():
        assert (sock.pid is not None) == (who != "nobody"), sock
    return {
        "platform": reply.platform,
        "os_range": list(reply.os_range) if reply.os_range else None,
        "sockets": [socket_json(s) for s in reply.sockets],
    }


def main() -> None:
    tag = sys.argv[1] if len(sys.argv) > 1 else "debian-12"
    OUT.mkdir(parents=True, exist_ok=True)
    for who, text in capture().items():
        tool = "proc" if who.startswith("proc") else "ss"
        stem = OUT / f"{tag}__probe-{tool}-{who.removeprefix('proc-')}"
        stem.with_suffix(".txt").write_text(text)
        doc = json.dumps(oracle(text, who), indent=2) + "\n"
        stem.with_suffix(".json").write_text(doc)
        print(f"wrote {stem}.txt and .json")


if __name__ == "__main__":
    main()
