"""Ask the kernel for sockets over NETLINK_SOCK_DIAG, the way `ss` does, without ss.

One SOCK_DIAG_BY_FAMILY dump per (protocol, family), with an INET_DIAG_REQ_BYTECODE filter on
the source port, so the kernel sends only the sockets on the queried ports: a free port costs
one round trip however many sockets the machine holds. Pure _socket + struct; no ctypes.
"""

from __future__ import annotations

# _socket, the C module under `socket`: socket.py imports selectors, enum and collections
# (3 ms, a fifth of a whole lookup) for conveniences this module does not use.
import _socket as socket
import os
import struct

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from _thread import LockType
    from collections.abc import Iterable, Iterator

    # Only what a decode needs, when it needs it (_decode_all): `portwho PORT` imports this
    # module first, to send its dumps early, and the model would delay that.
    from portwho.model import Family, Protocol, Socket

    #: an early dump: its request, its socket, [that socket once sent], a lock held until then
    Job = tuple[bytes, socket.socket, list[socket.socket], LockType]

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
TCPDIAG_GETSOCK = 18  # the older request: its dumps cover IPv4 and IPv6 in one table walk
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
INET_DIAG_REQ_BYTECODE = 1
BC_JMP = 1
BC_S_GE = 2
BC_S_LE = 3
TCP_LISTEN = 10
TCP_CLOSE = 7  # an unconnected UDP socket
ALL_STATES = 0xFFFFFFFF

_NLMSGHDR = struct.Struct("=IHHII")
# inet_diag_req_v2: family, protocol, ext, pad, states, then inet_diag_sockid whose source port
# (big-endian), when not 0, makes the kernel skip other ports before it even runs the bytecode.
_REQ = struct.Struct("=BBBBI")
_SOCKID = struct.Struct(">HH44x")
# inet_diag_req (TCPDIAG_GETSOCK): family, src_len, dst_len, ext, sockid, states, dbs.
_REQ_COMPAT = struct.Struct("=BBBB")
_REQ_COMPAT_TAIL = struct.Struct("=II")
_RTATTR = struct.Struct("=HH")
_OP = struct.Struct("=BBH")
_FAMILY = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}
_PROTO = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP}


#: Kernel TCP state numbers (include/net/tcp_states.h) -> the names model.TCP_STATES uses.
#: 0C is TCP_NEW_SYN_RECV (a request socket), which ss also shows as SYN-RECV.
KERNEL_STATES: dict[int, str] = {
    0x01: "ESTABLISHED", 0x02: "SYN_SENT", 0x03: "SYN_RECV", 0x04: "FIN_WAIT1",
    0x05: "FIN_WAIT2", 0x06: "TIME_WAIT", 0x07: "CLOSE", 0x08: "CLOSE_WAIT", 0x09: "LAST_ACK",
    0x0A: "LISTEN", 0x0B: "CLOSING", 0x0C: "SYN_RECV",
}  # fmt: skip


def ntop(family: Family, packed: bytes) -> str:
    """Format an address the way addr.canonical does, without importing ipaddress on the hot
    path: inet_ntop already prints RFC 5952 text, except for IPv4-mapped IPv6 addresses, which
    Python's ipaddress (and so every other parser) spells differently."""
    if family == "ipv4":
        return socket.inet_ntop(socket.AF_INET, packed)
    text = socket.inet_ntop(socket.AF_INET6, packed)
    if "." in text:
        from portwho.backends.addr import canonical

        return canonical(text, "ipv6")
    return text


class NetlinkUnavailable(Exception):
    """The kernel would not answer this dump (no netlink, no diag module, refused)."""


def port_filter(ranges: Iterable[tuple[int, int]]) -> bytes:
    """Bytecode accepting a socket whose source port lies in any of the inclusive ranges.

    Each range is `S_GE lo; S_LE hi; JMP end`: a failed comparison jumps to the next range, the
    last range's failures jump past the end (reject), and ending exactly at the end accepts.
    """
    spans = sorted(set(ranges))
    if not spans:
        raise ValueError("no port ranges")
    out = b""
    for index, (low, high) in enumerate(spans):
        # GE fails to the next block (or 4 bytes past the end), LE fails over its JMP likewise.
        out += _OP.pack(BC_S_GE, 8, 20) + _OP.pack(0, 0, low)
        out += _OP.pack(BC_S_LE, 8, 12) + _OP.pack(0, 0, high)
        if index < len(spans) - 1:
            after = 20 * (len(spans) - index - 2) + 16  # the blocks still to come
            out += _OP.pack(BC_JMP, 4, 4 + after)
    return out


def request(
    protocol: Protocol, family: Family | None, states: int, bytecode: bytes | None, sport: int = 0
) -> bytes:
    """A dump request; family None asks for both families in one walk (TCP only)."""
    if family is None:
        if protocol != "tcp":
            raise ValueError("only TCP has a both-families dump")
        kind = TCPDIAG_GETSOCK
        body = _REQ_COMPAT.pack(0, 0, 0, 0) + _SOCKID.pack(sport, 0)
        body += _REQ_COMPAT_TAIL.pack(states, 0)
    else:
        kind = SOCK_DIAG_BY_FAMILY
        body = _REQ.pack(_FAMILY[family], _PROTO[protocol], 0, 0, states) + _SOCKID.pack(sport, 0)
    if bytecode:
        body += _RTATTR.pack(_RTATTR.size + len(bytecode), INET_DIAG_REQ_BYTECODE) + bytecode
    header = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    return header + body


# inet_diag_msg: family, state, timer, retrans, sport/dport (big-endian), src, dst, if, cookie,
# expires, rqueue, wqueue, uid, inode. One native unpack for all but the ports, one big-endian
# unpack for those (int.from_bytes twice cost more than both): a listing decodes tens of
# thousands of these.
_WHOLE = struct.Struct("=BB6x16s16s24xII")
_PORTS = struct.Struct(">HH")


def _decode_all(protocol: Protocol, sock: socket.socket) -> list[Socket]:
    """The sockets of one dump, decoded in one loop per buffer. Each address is formatted once
    per dump and its one string shared by every socket on it (a listing's 25,000 sockets sit
    on a handful of addresses: a new "127.0.0.1" apiece was time and memory)."""
    from portwho.model.build import new_socket

    tcp = protocol == "tcp"
    text: tuple[dict[bytes, str], dict[bytes, str]] = ({}, {})  # IPv4, IPv6: packed -> text
    unpack, ports, states = _WHOLE.unpack_from, _PORTS.unpack_from, KERNEL_STATES
    out: list[Socket] = []
    for data, offsets in _buffers(sock):
        for at in offsets:
            number, state, src, dst, uid, inode = unpack(data, at)
            sport, dport = ports(data, at + 4)
            six = number == socket.AF_INET6
            names = text[six]
            local = names.get(src) or names.setdefault(src, _ntop(six, src))
            remote = (names.get(dst) or names.setdefault(dst, _ntop(six, dst))) if dport else None
            tcp_state = (states.get(state) or str(state)) if tcp else None
            out.append(
                new_socket(
                    protocol,
                    "ipv6" if six else "ipv4",
                    local,
                    sport,
                    remote,
                    dport or None,
                    tcp_state,
                    # TIME_WAIT and request sockets have no inode and no owner; their uid 0
                    # means nothing. A connection in a listener's accept queue keeps its inode
                    # 0: "not accepted yet" (model.Socket.needs_owner), which None would not say.
                    uid if inode else None,
                    None if tcp_state == "TIME_WAIT" else inode,
                    "netlink",
                )
            )
    return out


def _ntop(six: bool, packed: bytes) -> str:
    return ntop("ipv6", packed) if six else socket.inet_ntop(socket.AF_INET, packed[:4])


_HEAD = struct.Struct("=IH")  # nlmsghdr's length and type


def _buffers(sock: socket.socket) -> Iterator[tuple[memoryview, list[int]]]:
    """Yield each buffer read and its messages' payload offsets until NLMSG_DONE; raise on
    NLMSG_ERROR. Offsets a buffer at a time, not a yield per message (a tenth of a decode)."""
    head = _HEAD.unpack_from
    while True:
        data = memoryview(sock.recv(1 << 17))
        if not data:
            raise NetlinkUnavailable("netlink socket closed mid-dump")
        offsets: list[int] = []
        at, end = 0, len(data) - _NLMSGHDR.size
        while at <= end:
            length, kind = head(data, at)
            if length < _NLMSGHDR.size:
                raise NetlinkUnavailable("malformed netlink message")
            if kind == NLMSG_DONE:
                yield data, offsets
                return
            if kind == NLMSG_ERROR:
                code = -struct.unpack_from("=i", data, at + _NLMSGHDR.size)[0]
                raise NetlinkUnavailable(f"sock_diag refused: {os.strerror(code)}")
            offsets.append(at + _NLMSGHDR.size)
            at += (length + 3) & ~3
        yield data, offsets


def dump(
    protocol: Protocol,
    family: Family | None,
    states: int = ALL_STATES,
    bytecode: bytes | None = None,
    sport: int = 0,
) -> list[Socket]:
    """All sockets of one protocol and family (None: both, TCP only) in `states` (a 1<<state
    mask) whose source port is `sport` (0: any) and that pass `bytecode`."""
    message = request(protocol, family, states, bytecode, sport)
    sock = _taken(message)
    fresh = sock is None
    if sock is None:
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
        except OSError as exc:
            raise NetlinkUnavailable(f"no NETLINK_SOCK_DIAG socket: {exc.strerror}") from exc
    try:
        if fresh:
            sock.sendto(message, (0, 0))
        return _decode_all(protocol, sock)
    except OSError as exc:
        raise NetlinkUnavailable(f"sock_diag dump failed: {exc.strerror}") from exc
    finally:
        sock.close()


#: dumps sent early: the request -> ([its socket, once sent], a lock held until then)
_EARLY: dict[bytes, tuple[list[socket.socket], LockType]] = {}


def early(asked: Iterable[tuple[Protocol, Family | None, int, bytes | None, int]]) -> None:
    """Send the requests dump() will be asked for now: the first (TCP: its kernel walk is 2 ms
    of every port lookup) from a thread, to run while the lookup imports the rest of portwho;
    the others (UDP: hundredths of a millisecond) at once. dump() of the same request reads
    that socket's answer. `asked`: (protocol, family, states, bytecode, sport)."""
    import _thread

    jobs: list[Job] = []
    for one in asked:
        message, done = request(*one), _thread.allocate_lock()
        done.acquire()
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
        except OSError:
            continue  # dump() tries (and says why) itself
        jobs.append((message, sock, [], done))
        _EARLY[message] = (jobs[-1][2], done)
    if not jobs:
        return
    started = _thread.allocate_lock()
    started.acquire()
    # The thread needs the interpreter lock to start, and the importing main thread takes it
    # back after each file it reads before a waiting thread wakes: the thread would start
    # after the imports. So this waits until it has started; its walk lets go of the lock.
    try:
        _thread.start_new_thread(_send_first, (started, jobs[0]))
    except RuntimeError:  # no thread to be had: dump() asks itself
        del _EARLY[jobs[0][0]]
        jobs[0][1].close()
    else:
        started.acquire(True, 0.05)
    for job in jobs[1:]:
        _send(*job)


def _send_first(started: LockType, job: Job) -> None:
    started.release()
    _send(*job)


def _send(message: bytes, sock: socket.socket, sent: list[socket.socket], done: LockType) -> None:
    try:
        sock.sendto(message, (0, 0))
    except OSError:
        sock.close()
    else:
        sent.append(sock)
    finally:
        done.release()


def _taken(message: bytes) -> socket.socket | None:
    """The socket early() sent `message` on, once it has (at most 5 s); None: none sent."""
    found = _EARLY.pop(message, None)
    if found is None:
        return None
    sent, done = found
    done.acquire(True, 5.0)
    return sent[0] if sent else None


def early_port(port: int) -> None:
    """early() of the dumps the netlink backend asks one port of (backend._tables)."""
    if not 0 < port < 65536:
        return
    code = port_filter([(port, port)])
    early([("tcp", None, ALL_STATES, code, port), ("udp", "ipv4", ALL_STATES, code, port),
           ("udp", "ipv6", ALL_STATES, code, port)])  # fmt: skip
