"""A child process that holds real sockets for the live tests and the fixture captures.

Usage: python holder.py [BASE_PORT]. With a base port it binds BASE..BASE+4 (fixture captures
want stable numbers); without one the kernel picks. It prints one JSON line naming the ports,
then holds everything until stdin closes.
"""

from __future__ import annotations

import json
import os
import socket
import sys


def _bind(
    family: socket.AddressFamily, kind: socket.SocketKind, host: str, port: int
) -> socket.socket:
    sock = socket.socket(family, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, port))
    return sock


def main() -> None:
    base = int(sys.argv[1]) if len(sys.argv) > 1 else 0

    def port(offset: int) -> int:
        return base + offset if base else 0

    tcp4 = _bind(socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1", port(0))
    tcp6 = _bind(socket.AF_INET6, socket.SOCK_STREAM, "::1", port(1))
    udp4 = _bind(socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1", port(2))
    udp6 = _bind(socket.AF_INET6, socket.SOCK_DGRAM, "::1", port(3))
    tcp4.listen()
    tcp6.listen()
    server = _bind(socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1", port(4))
    server.listen()
    client = socket.create_connection(server.getsockname())
    accepted, _ = server.accept()
    # A second fd on the v4 listener: lsof lists the one socket twice.
    dup_fd = os.dup(tcp4.fileno())
    held = [tcp4, tcp6, udp4, udp6, server, client, accepted]
    ports = {
        "tcp4": tcp4.getsockname()[1],
        "tcp6": tcp6.getsockname()[1],
        "udp4": udp4.getsockname()[1],
        "udp6": udp6.getsockname()[1],
        "server": server.getsockname()[1],
        "client": client.getsockname()[1],
        "pid": os.getpid(),
        "dup_fd": dup_fd,
    }
    print(json.dumps(ports), flush=True)
    sys.stdin.read()
    for sock in held:
        sock.close()


if __name__ == "__main__":
    main()
