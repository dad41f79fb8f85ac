"""A host's own portwho answers in its JSON document; what it lists from its other network
namespaces (containers) is not the host's own sockets."""

from __future__ import annotations

from portwho import core
from portwho.model import Query, Socket
from portwho.remote.answer import from_portwho
from portwho.views import jsondoc


def listener(pid: int, inode: int) -> Socket:
    return Socket(protocol="tcp", family="ipv4", local_address="0.0.0.0", local_port=8080,
                  state="LISTEN", pid=pid, process="srv", inode=inode)  # fmt: skip


def test_sockets_in_the_hosts_other_namespaces_are_not_its_own() -> None:
    query = Query(ports=frozenset({8080}))
    result = core.finish(query, [listener(10, 1)], [], view="all", platform="linux")
    result = result.but(inside=(listener(20, 2),), netns={2: "net:[4026532259]"})
    text = jsondoc.result_json(result, {}, 0, None)
    assert '"net:[4026532259]"' in text  # the document does list it, marked
    socks, reports, _, _ = from_portwho(text, 1.0)
    assert [(s.pid, s.inode) for s in socks] == [(10, 1)]
    assert [r.verdict.value for r in reports] == ["in-use"]
