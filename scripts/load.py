"""A synthetic socket load for benchmarks: N processes, each holding loopback sockets.

Each process holds `--tcp` listening TCP sockets on its own block of ports, `--udp` bound UDP
sockets, and `--conns` established connections to its first listener (both ends: the busy port
then shows a listener with clients, like a real server). Everything is on 127.0.0.1/::1.

Prints one JSON line: {"procs", "pids", "busy": [first, middle, last process's first port],
"free": a port nobody holds, "sockets", "build_s"}; then stays up until stdin closes, SIGTERM or
Ctrl-C, and takes its children with it. Children also exit on their own when this process dies
(they block reading a pipe whose only writer is here), so a SIGKILL leaves no orphans either.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import socket
import struct
import sys
import time

TCP_BASE = 12000  # 12000-31999 at 400 x 50: below the ephemeral range the clients use
UDP_BASE = 33000  # UDP has its own port namespace; kept apart so busy ports are TCP only
FREE_SCAN = range(8900, 9900)  # where to look for a port outside the load


#: SO_LINGER on, 0 s: a close resets the connection instead of leaving it in TIME_WAIT (60 s),
#: where the next load's (and the bench's next round's) lookups of the same port would find it
ABORT = struct.pack("ii", 1, 0)


def _bind_block(kind: int, first: int, count: int, limit: int) -> list[socket.socket]:
    """Bind `count` sockets on 127.0.0.1 from port `first` on, skipping ports already taken;
    when the block is taken (another load runs on this machine), the OS picks the rest."""
    held: list[socket.socket] = []
    port = first
    while len(held) < count:
        if port >= limit:
            port = 0
        sock = socket.socket(socket.AF_INET, kind)
        if kind == socket.SOCK_STREAM and port:  # the last run's TIME_WAITs must not block
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            if not port:
                break  # not even the OS has a port left
        else:
            if kind == socket.SOCK_STREAM:
                sock.listen(16)
            held.append(sock)
        port += 1 if port else 0
    return held


def _child(index: int, args: argparse.Namespace, ready_w: int, life_r: int) -> None:
    tcp_first = args.tcp_base + index * args.tcp
    listeners = _bind_block(socket.SOCK_STREAM, tcp_first, args.tcp, tcp_first + args.tcp)
    udp_first = args.udp_base + index * args.udp
    udps = _bind_block(socket.SOCK_DGRAM, udp_first, args.udp, udp_first + args.udp)
    if index == 0 and listeners:  # one IPv6 listener too, so v6 is not empty
        six = socket.socket(socket.AF_INET6)
        with contextlib.suppress(OSError):
            six.bind(("::1", listeners[0].getsockname()[1]))
            six.listen(16)
            udps.append(six)
    conns: list[socket.socket] = []
    if listeners:
        target = listeners[0].getsockname()
        for _ in range(args.conns):
            conns.append(socket.create_connection(target))
            conns.append(listeners[0].accept()[0])
        for conn in conns:  # closed with a reset: no TIME_WAIT left on the port for the next run
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, ABORT)
    port = listeners[0].getsockname()[1] if listeners else 0
    os.write(ready_w, f"{index} {port} {len(listeners) + len(udps) + len(conns)}\n".encode())
    os.close(ready_w)
    while os.read(life_r, 1):  # EOF: the parent is gone
        pass


def _spawn(args: argparse.Namespace) -> tuple[list[int], dict[int, int], int]:
    ready_r, ready_w = os.pipe()
    life_r, life_w = os.pipe()
    pids: list[int] = []
    for index in range(args.procs):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(life_w)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent cleans up on Ctrl-C
            try:
                _child(index, args, ready_w, life_r)
            finally:
                os._exit(0)
        pids.append(pid)
    os.close(ready_w)
    os.close(life_r)
    firsts, total = _collect_ready(ready_r, args.procs)
    _keep_alive.append(life_w)
    return pids, firsts, total


_keep_alive: list[int] = []  # the write end of the children's lifeline pipe


def _collect_ready(ready_r: int, count: int) -> tuple[dict[int, int], int]:
    firsts: dict[int, int] = {}
    total = 0
    with os.fdopen(ready_r) as lines:
        for line in lines:
            index, port, held = map(int, line.split())
            firsts[index] = port
            total += held
    if len(firsts) != count:
        raise SystemExit(f"only {len(firsts)} of {count} load processes started")
    return firsts, total


def _is_free(port: int) -> bool:
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(family, kind) as sock:
                try:
                    sock.bind((host, port))
                except OSError:
                    return False
    return True


def _stop(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=400)
    parser.add_argument("--tcp", type=int, default=50, help="TCP listeners per process")
    parser.add_argument("--udp", type=int, default=12, help="UDP sockets per process")
    parser.add_argument("--conns", type=int, default=10, help="connections per process")
    parser.add_argument("--tcp-base", type=int, default=TCP_BASE, help="first TCP port")
    parser.add_argument("--udp-base", type=int, default=UDP_BASE, help="first UDP port")
    args = parser.parse_args()
    too_many = args.tcp_base + args.procs * args.tcp > 65536
    if too_many or args.udp_base + args.procs * args.udp > 65536:
        raise SystemExit("too many ports for the blocks; lower --procs, --tcp or --udp")
    _raise_fd_limit(args.tcp + args.udp + 2 * args.conns + 64)
    start = time.perf_counter()
    pids: list[int] = []
    # Set explicitly: a shell's background job inherits SIGINT ignored, and Ctrl-C must clean up.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(0))
    try:
        pids, firsts, total = _spawn(args)
        last = args.procs - 1
        busy = [firsts[0], firsts[last // 2], firsts[last]]
        free = next(p for p in FREE_SCAN if _is_free(p))
        report = {"procs": args.procs, "pids": [pids[0], pids[last // 2], pids[last]],
                  "busy": busy, "free": free, "sockets": total,
                  "build_s": round(time.perf_counter() - start, 2)}  # fmt: skip
        print(json.dumps(report), flush=True)
        while sys.stdin.read(1 << 16):  # until stdin closes
            pass
    except KeyboardInterrupt:
        pass
    finally:
        _stop(pids)


if __name__ == "__main__":
    main()
