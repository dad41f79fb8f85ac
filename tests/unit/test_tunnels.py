"""ssh's and kubectl's command lines read as the tools read them: which local port each
forward listens on, and where it goes."""

from __future__ import annotations

import pytest

from portwho.context.record import Tunnel
from portwho.context.tunnels import local_forward, ssh_destination, tunnels


@pytest.mark.parametrize(
    ("spec", "found"),
    [
        ("8080:db:5432", (8080, "db:5432")),
        ("127.0.0.1:8080:db.internal:5432", (8080, "db.internal:5432")),
        ("[::1]:8080:[fe80::1]:80", (8080, "[fe80::1]:80")),
        ("*:9000:localhost:9000", (9000, "localhost:9000")),
        ("8080:/run/app.sock", (8080, "/run/app.sock")),
        ("localhost:8080:/run/app.sock", (8080, "/run/app.sock")),
        ("/tmp/local.sock:db:5432", None),  # a local socket, not a port
        ("8080 db:5432", (8080, "db:5432")),  # LocalForward's spelling
        ("nonsense", None),
        ("", None),
    ],
)
def test_local_forward_specs(spec: str, found: tuple[int, str] | None) -> None:
    assert local_forward(spec) == found


@pytest.mark.parametrize(
    ("argv", "host"),
    [
        (["ssh", "-N", "-L", "8080:db:80", "bastion"], "bastion"),
        (["ssh", "-fNL8080:db:80", "-p", "2222", "me@bastion", "sleep", "9"], "me@bastion"),
        (["ssh", "bastion", "-L", "8080:db:80"], "bastion"),  # options after the host count
        (["ssh", "-o", "ProxyJump=j", "--", "bastion"], "bastion"),
        (["/usr/bin/ssh", "-i", "key", "-l", "me", "host", "-D", "1080"], "host"),
    ],
)
def test_the_destination_is_the_first_word_that_is_no_option(argv: list[str], host: str) -> None:
    assert ssh_destination(argv) == host


def test_ssh_forwards_by_port() -> None:
    argv = ["ssh", "-N", "-L", "8080:db:5432", "-D1080", "-o", "LocalForward=9000 api:80",
            "-oDynamicForward 1081", "-R", "7000:localhost:22", "bastion",
            "-L", "8443:web:443"]  # fmt: skip
    found = tunnels("ssh", argv, {8080, 1080, 9000, 1081, 8443, 7000})
    assert found == (
        Tunnel(port=1080, tool="ssh -D", target=None, via="bastion"),
        Tunnel(port=1081, tool="ssh -D", target=None, via="bastion"),
        # -R listens on the far side: a port ssh holds here anyway came from elsewhere
        Tunnel(port=7000, tool="ssh", target=None, via="bastion"),
        Tunnel(port=8080, tool="ssh -L", target="db:5432", via="bastion"),
        Tunnel(port=8443, tool="ssh -L", target="web:443", via="bastion"),
        Tunnel(port=9000, tool="ssh -L", target="api:80", via="bastion"),
    )
    assert found[3].words() == "ssh -L to db:5432 through bastion"
    assert found[0].words() == "ssh -D, a SOCKS proxy through bastion"
    assert found[2].words() == "an ssh forward through bastion (from its config or control socket)"


def test_only_the_owners_listening_ports_are_named() -> None:
    argv = ["ssh", "-L", "8080:db:5432", "-L", "8081:db:5433", "bastion"]
    assert [t.port for t in tunnels("ssh", argv, {8081})] == [8081]
    assert tunnels("ssh", ["ssh", "-L", "8080:db:5432", "bastion"], set()) == ()


def test_a_remote_command_ends_the_options() -> None:
    argv = ["ssh", "host", "echo", "-L", "8080:db:80"]  # "-L" here is echo's
    assert tunnels("ssh", argv, {8080}) == (Tunnel(port=8080, tool="ssh", target=None, via="host"),)


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["kubectl", "port-forward", "svc/api", "8080:80"],
         [Tunnel(port=8080, tool="kubectl port-forward", target="svc/api port 80", via=None)]),
        (["kubectl", "-n", "prod", "--context=eu", "port-forward", "db-0", "5432", ":9090"],
         [Tunnel(port=5432, tool="kubectl port-forward", target="pod/db-0 port 5432",
                 via="context eu, namespace prod")]),
        (["kubectl", "port-forward", "--address", "0.0.0.0", "deploy/web", "8443:443",
          "--namespace=web"],
         [Tunnel(port=8443, tool="kubectl port-forward", target="deploy/web port 443",
                 via="namespace web")]),
        (["kubectl", "get", "pods"], []),
    ],
)  # fmt: skip
def test_kubectl_port_forward(argv: list[str], found: list[Tunnel]) -> None:
    assert list(tunnels("kubectl", argv, {8080, 5432, 9090, 8443})) == found
    if found:
        assert found[0].words().startswith(f"kubectl port-forward to {found[0].target}")
