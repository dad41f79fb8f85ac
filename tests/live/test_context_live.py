"""Context live: real containers (with and without -p), a unit made in the cgroup v1
`name=systemd` hierarchy, a tmux pane, a fake engine that hangs or counts, and `why`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.act_procs import REPO, Child, wait_until
from tests.tools import need

pytestmark = pytest.mark.live

IMAGE = "portwho-test-busybox"
BUSYBOX = Path("/bin/busybox")  # busybox-static: runs in an image with nothing else in it
SYSTEMD_V1 = Path("/sys/fs/cgroup/systemd")


def _docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60,
                          check=check)  # fmt: skip


def _fail_or_skip(why: str) -> None:
    if os.environ.get("PORTWHO_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{why} (PORTWHO_REQUIRE_TOOLS=1; .ci/services.sh starts dockerd)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A busybox image built from this machine's static busybox: no registry."""
    need("docker")
    if _docker("info", check=False).returncode != 0:
        _fail_or_skip("no Docker daemon answers")
    if _docker("image", "inspect", IMAGE, check=False).returncode == 0:
        return IMAGE
    if not BUSYBOX.exists():
        _fail_or_skip("no /bin/busybox (busybox-static)")
    root = tmp_path_factory.mktemp("busybox")
    (root / "bin").mkdir()
    shutil.copy(BUSYBOX, root / "bin" / "busybox")
    for name in ("httpd", "sh", "sleep"):
        (root / "bin" / name).symlink_to("busybox")
    tar = subprocess.run(["tar", "-C", str(root), "-c", "."], capture_output=True, check=True)
    subprocess.run(["docker", "import", "-", IMAGE], input=tar.stdout, capture_output=True,
                   check=True, timeout=120)  # fmt: skip
    return IMAGE


@contextlib.contextmanager
def container(image: str, *args: str) -> Iterator[str]:
    name = f"portwho-test-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    _docker("run", "-d", "--name", name, *args, image, "httpd", "-f", "-p", "80", "-h", "/")
    try:
        yield name
    finally:
        _docker("rm", "-f", name, check=False)


def _lookup(port: int, env: dict[str, str] | None = None) -> dict[str, object]:
    done = _run("--json", str(port), env=env)
    doc: dict[str, object] = json.loads(done.stdout)
    return doc


def _run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None
         ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    full = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    argv = [sys.executable, "-m", "portwho", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, env=full,
                          input=stdin, cwd=REPO, check=False)  # fmt: skip


def test_published_container_is_named(image: str) -> None:
    with container(image, "-p", "127.0.0.1::80") as name:
        port = int(_docker("port", name, "80/tcp").stdout.split(":")[-1])
        assert wait_until(lambda: _run(str(port)).returncode == 0)
        doc = _lookup(port)
        # other test suites' UDP sockets may share the port number: the TCP listeners only
        socks = [s for s in doc["sockets"] if s["pid"] and s["protocol"] == "tcp"]  # type: ignore[attr-defined]
        ctx = socks[0]["context"]
        assert ctx["container"]["name"] == name and ctx["container"]["image"] == image
        assert ctx["stop"] == f"docker stop {name}"
        engine = [a for a in doc["trail"] if a["backend"] == "engine-api"]  # type: ignore[attr-defined]
        assert len(engine) == 1 and engine[0]["outcome"] == "answered"
        text = _run(str(port)).stdout
        assert f"docker container {name} (image {image}" in text
        assert f"stop: docker stop {name}" in text
        refused = _run("kill", str(port), "--yes")
        assert refused.returncode == 7 and f"docker stop {name}" in refused.stderr
        assert _docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip() == "true"


def _free_host_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unpublished_container_seen_inside_its_namespace(image: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("other network namespaces are read as root only")
    port = _free_host_port()  # inside the container's own namespace any port is ours
    name = f"portwho-test-{os.getpid()}-inner"
    _docker("run", "-d", "--name", name, image, "httpd", "-f", "-p", str(port), "-h", "/")
    try:
        assert wait_until(lambda: f"container {name}" in _run(str(port)).stdout)
        done = _run(str(port))
        if done.returncode != 1:
            pytest.skip(f"port {port} got taken on the host meanwhile")
        assert f"is free on this host; inside container {name}, httpd (pid" in done.stdout
        doc = _lookup(port)
        assert doc["exit_code"] == 1 and doc["ports"][0]["verdict"] == "free"  # type: ignore[index]
        inside = [s for s in doc["sockets"] if s["netns"]]  # type: ignore[attr-defined]
        assert inside and all(s["context"]["container"]["name"] == name for s in inside)
        assert all(s["process"] == "httpd" for s in inside)
    finally:
        _docker("rm", "-f", name, check=False)


# -- a fake engine: counts requests, or hangs -------------------------------------------------


class FakeEngine:
    """A unix socket that answers each connection with `body` (or never, when hanging)."""

    def __init__(self, path: Path, body: str | None) -> None:
        self.path, self.body, self.requests = path, body, 0
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(path))
        self.server.listen(8)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        held = []
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.requests += 1
            held.append(conn)
            if self.body is not None:
                conn.recv(65536)
                reply = f"HTTP/1.1 200 OK\r\nContent-Length: {len(self.body)}\r\n\r\n{self.body}"
                conn.sendall(reply.encode())
                conn.close()

    def close(self) -> None:
        self.server.close()


def test_one_round_trip_for_every_forwarder(tmp_path: Path) -> None:
    fakes = [Child(name="docker-proxy") for _ in range(2)]
    try:
        body = json.dumps([{"Id": "f" * 64, "Names": ["/fake"], "Image": "x", "Labels": {},
                            "Ports": [{"PrivatePort": 80, "PublicPort": fakes[0].port,
                                       "Type": "tcp"}]}])  # fmt: skip
        engine = FakeEngine(tmp_path / "e.sock", body)
        env = {"DOCKER_HOST": f"unix://{tmp_path / 'e.sock'}"}
        doc = json.loads(_run("--json", str(fakes[0].port), str(fakes[1].port), env=env).stdout)
        assert engine.requests == 1
        by_port = {s["local_port"]: s["context"] for s in doc["sockets"]
                   if s["pid"] in (fakes[0].pid, fakes[1].pid)}  # fmt: skip
        assert by_port[fakes[0].port]["container"]["name"] == "fake"
        assert by_port[fakes[1].port]["container"]["name"] is None  # publishes nothing there
        engine.close()
    finally:
        for fake in fakes:
            fake.stop()


def test_hung_engine_times_out_and_says_so(tmp_path: Path) -> None:
    fake = Child(name="docker-proxy")
    engine = FakeEngine(tmp_path / "h.sock", None)
    try:
        start = time.monotonic()
        done = _run("--json", str(fake.port), env={"DOCKER_HOST": f"unix://{tmp_path}/h.sock"})
        elapsed = time.monotonic() - start
        doc = json.loads(done.stdout)
        (asked,) = [a for a in doc["trail"] if a["backend"] == "engine-api"]
        assert asked["outcome"] == "failed" and "no answer within 0.5 s" in asked["detail"]
        assert asked["ms"] < 1000 and done.returncode == 0
        assert elapsed < 5  # the whole run, interpreter start included, on a loaded machine
    finally:
        engine.close()
        fake.stop()


def test_plain_lookup_connects_nowhere_and_runs_nothing(tmp_path: Path) -> None:
    """No forwarder, no container: no engine socket is touched and no process started."""
    need("strace")
    child = Child()
    try:
        trace = tmp_path / "trace"
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect,execve", "-o", str(trace),
                        sys.executable, "-m", "portwho", str(child.port)],
                       capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                       cwd=REPO, timeout=60, check=False)  # fmt: skip
        lines = trace.read_text().splitlines()
        assert sum("execve(" in line for line in lines) == 1
        connects = [line for line in lines if "connect(" in line]
        # glibc may ask nscd for the owner's user name; nothing else is reached
        assert all("nscd" in line for line in connects), connects
    finally:
        child.stop()


# -- units and supervisors --------------------------------------------------------------------


def test_unit_from_the_systemd_v1_hierarchy() -> None:
    if os.geteuid() != 0 or not (SYSTEMD_V1 / "system.slice").is_dir():
        pytest.skip("needs root and a cgroup v1 name=systemd hierarchy")
    name = f"portwho-test-{os.getpid()}.service"
    unit = SYSTEMD_V1 / "system.slice" / name
    child = Child()
    unit.mkdir()
    try:
        (unit / "cgroup.procs").write_text(str(child.pid))
        doc = _lookup(child.port)
        (ctx,) = [s["context"] for s in doc["sockets"] if s["pid"] == child.pid]  # type: ignore[attr-defined]
        assert ctx["unit"] == {"manager": "systemd", "name": name}
        assert ctx["stop"] == f"systemctl stop {name}"
        refused = _run("kill", str(child.port), "--yes")
        assert refused.returncode == 7 and f"systemctl stop {name}" in refused.stderr
        assert child.alive()
    finally:
        with contextlib.suppress(OSError):
            (SYSTEMD_V1 / "cgroup.procs").write_text(str(child.pid))
        child.stop()
        unit.rmdir()


LISTEN_TO_FILE = (
    "import socket,sys,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()\n"
    "open(sys.argv[1],'w').write(str(s.getsockname()[1])); time.sleep(60)\n"
)


def test_tmux_pane_and_project(tmp_path: Path) -> None:
    need("tmux", "git")
    repo = tmp_path / "proj"
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(repo)], check=True)
    server = f"portwho-test-{os.getpid()}"
    out = tmp_path / "port"
    script = tmp_path / "listen.py"
    script.write_text(LISTEN_TO_FILE)
    subprocess.run(["tmux", "-L", server, "new-session", "-d", "-c", str(repo),
                    sys.executable, str(script), str(out)], check=True, timeout=10)  # fmt: skip
    try:
        assert wait_until(lambda: out.exists() and out.read_text().isdecimal())
        port = int(out.read_text())
        doc = _lookup(port)
        (ctx,) = [s["context"] for s in doc["sockets"] if s["pid"] and s["protocol"] == "tcp"]  # type: ignore[attr-defined]
        assert ctx["unit"]["manager"] == "tmux" and ctx["unit"]["name"].startswith("pane %")
        assert ctx["stop"].startswith(f"tmux -S /tmp/tmux-{os.getuid()}/{server} kill-pane -t %")
        assert ctx["project"] == {"root": str(repo), "vcs": "git", "branch": "trunk"}
        assert any(p["process"].startswith("tmux") for p in ctx["parents"])
        plan = _run("kill", str(port), "--dry-run")  # tmux does not restart it: no refusal
        assert plan.returncode == 0, plan.stderr
    finally:
        subprocess.run(["tmux", "-L", server, "kill-server"], check=False, timeout=10)


# -- why --------------------------------------------------------------------------------------

BIND_AGAIN = (
    "import asyncio,sys\nasync def main():\n"
    "    await asyncio.start_server(lambda r, w: None, '127.0.0.1', int(sys.argv[1]))\n"
    "asyncio.run(main())\n"
)


def test_why_answers_as_a_lookup_does() -> None:
    holder = Child()
    try:
        clash = subprocess.run([sys.executable, "-c", BIND_AGAIN, str(holder.port)],
                               capture_output=True, text=True, timeout=30, check=False)  # fmt: skip
        error = clash.stderr.strip().splitlines()[-1]
        assert "Errno 98" in error and str(holder.port) in error
        why = _run("why", "--json", error)
        plain = _run("--json", str(holder.port))
        assert why.returncode == plain.returncode == 0
        a, b = json.loads(why.stdout), json.loads(plain.stdout)
        assert a.pop("why")["kind"] == "in-use"
        for doc in (a, b):
            doc.pop("trail")
        assert a == b
        text = _run("why", "-", stdin=clash.stderr)
        assert text.returncode == 0 and text.stdout.startswith("Python: port")
        assert f"pid {holder.pid}" in text.stdout
    finally:
        holder.stop()


def test_why_without_a_port() -> None:
    done = _run("why", "java.net.BindException: Address already in use")
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "names no port" in done.stderr
    nothing = _run("why", "--json", "all is well")
    assert nothing.returncode == 2 and json.loads(nothing.stdout)["error"]["code"] == "usage"


def test_why_names_the_container_holding_a_docker_port(image: str) -> None:
    with container(image, "-p", "127.0.0.1::80") as name:
        port = int(_docker("port", name, "80/tcp").stdout.split(":")[-1])
        error = f"Bind for 127.0.0.1:{port} failed: port is already allocated"
        done = _run("why", error)
        assert done.returncode == 0
        assert f"held by docker container {name}" in done.stdout


@contextlib.contextmanager
def tcp_to_engine(path: str = "/var/run/docker.sock") -> Iterator[tuple[int, list[int]]]:
    """The real engine's unix socket, reachable at 127.0.0.1:PORT (what `dockerd -H tcp://`
    gives): (port, the connections it passed on, one entry each)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    passed: list[int] = []

    def pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def serve() -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(path)
            passed.append(1)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1], passed
    finally:
        server.close()


def test_a_tcp_docker_host_is_asked(image: str, tmp_path: Path) -> None:
    """DOCKER_HOST=tcp://… (plain HTTP, as the docker CLI speaks it there): the container
    behind a published port is named from that endpoint, and the trail says which."""
    with container(image, "-p", "127.0.0.1::80") as name, tcp_to_engine() as (port, passed):
        published = int(_docker("port", name, "80/tcp").stdout.split(":")[-1])
        assert wait_until(lambda: _run(str(published)).returncode == 0)
        env = {"DOCKER_HOST": f"tcp://127.0.0.1:{port}", "XDG_RUNTIME_DIR": str(tmp_path)}
        doc = _lookup(published, env=env)
        socks = [s for s in doc["sockets"] if s["pid"] and s["protocol"] == "tcp"]  # type: ignore[attr-defined]
        assert socks[0]["context"]["container"]["name"] == name
        (engine,) = [a for a in doc["trail"] if a["backend"] == "engine-api"]  # type: ignore[attr-defined]
        assert engine["outcome"] == "answered"
        assert engine["detail"].startswith(f"docker at tcp://127.0.0.1:{port}: ")
        assert passed  # it really went through the TCP endpoint
