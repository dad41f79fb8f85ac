"""model.build's positional builders make the same records as Socket(...) and .but(...), and
the netlink decoder shares one string per address (and still formats each one right)."""

from __future__ import annotations

import struct

import pytest

from portwho.backends.netlink import diag
from portwho.model import Socket
from portwho.model.build import DETAILS, fill_owner, new_socket, with_details, with_owner

LISTENER = Socket(
    protocol="tcp", family="ipv4", local_address="127.0.0.1", local_port=8000,
    state="LISTEN", uid=1000, inode=4242, source="netlink",
)  # fmt: skip


def test_new_socket_is_the_keyword_constructor() -> None:
    made = new_socket("tcp", "ipv4", "127.0.0.1", 8000, None, None, "LISTEN", 1000, 4242, "netlink")
    assert made == LISTENER
    assert type(made) is Socket
    with pytest.raises(AttributeError):
        made.pid = 1


def test_copies_are_but() -> None:
    assert with_owner(LISTENER, 7, "nginx") == LISTENER.but(pid=7, process="nginx")
    assert LISTENER.pid is None  # a copy: the original is untouched
    owned = LISTENER.but(pid=7, process="backend-name", user="old")
    details = ("nginx", None, ("nginx", "-g"), "/srv", 1.5e9)
    expected = owned.but(**{k: v for k, v in zip(DETAILS, details, strict=True) if v is not None})
    got = with_details(owned, details)
    assert got == expected
    assert (got.process, got.user) == ("nginx", "old")  # None keeps what the backend saw
    assert owned.process == "backend-name"


def test_fill_owner_sets_a_fresh_record_in_place() -> None:
    fresh = LISTENER.but()
    assert fill_owner(fresh, 9, "sshd") is fresh
    assert fresh == LISTENER.but(pid=9, process="sshd")


def _message(family: int, sport: int, dport: int, src: bytes, dst: bytes, inode: int) -> bytes:
    """An inet_diag_msg as the kernel lays it out (linux/inet_diag.h)."""
    head = struct.pack("=BBBB", family, 1 if dport else 10, 0, 0)
    ports = struct.pack(">HH", sport, dport)
    return (
        head
        + ports
        + src.ljust(16, b"\0")
        + dst.ljust(16, b"\0")
        + bytes(24)
        + struct.pack("=II", 1000, inode)
    )


class _Kernel:
    """A netlink socket's recv: the messages in two buffers, NLMSG_DONE at the end of the
    second (a dump spans several reads)."""

    def __init__(self, payloads: list[bytes]) -> None:
        framed = [struct.pack("=IHHII", 16 + len(p), 20, 2, 1, 0) + p for p in payloads]
        done = struct.pack("=IHHII", 20, diag.NLMSG_DONE, 2, 1, 0) + bytes(4)
        self.reads = [b"".join(framed[:2]), b"".join(framed[2:]) + done]

    def recv(self, size: int) -> bytes:
        return self.reads.pop(0)


def test_decoder_shares_one_string_per_address() -> None:
    v4, v6 = bytes([127, 0, 0, 1]), bytes(15) + b"\1"
    mapped = bytes(10) + b"\xff\xff" + v4
    raw = [
        _message(2, 8000, 0, v4, b"", 1),
        _message(2, 8001, 0, v4, b"", 2),
        _message(2, 8000, 50000, v4, v4, 3),
        _message(10, 8000, 0, v4.ljust(16, b"\0"), b"", 4),  # IPv6 bytes equal to IPv4's
        _message(10, 8002, 0, v6, b"", 5),
        _message(10, 8003, 0, mapped, b"", 6),
    ]
    socks = diag._decode_all("tcp", _Kernel(raw))  # type: ignore[arg-type]
    assert [(s.family, s.local_address, s.local_port) for s in socks] == [
        ("ipv4", "127.0.0.1", 8000),
        ("ipv4", "127.0.0.1", 8001),
        ("ipv4", "127.0.0.1", 8000),
        ("ipv6", "7f00:1::", 8000),
        ("ipv6", "::1", 8002),
        ("ipv6", "::ffff:127.0.0.1", 8003),
    ]
    assert socks[0].local_address is socks[1].local_address is socks[2].remote_address
    assert (socks[2].remote_port, socks[2].state, socks[0].remote_address) == (
        50000, "ESTABLISHED", None,
    )  # fmt: skip
    assert [s.inode for s in socks] == [1, 2, 3, 4, 5, 6]
