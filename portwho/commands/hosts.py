"""`portwho PORT... --host HOST`: the same lookup on other machines, over the system's ssh.

Hosts are asked in parallel threads (each blocks in its own ssh, with its own deadline); each
answer becomes a LookupResult decided by core's rules, with that host's platform, ephemeral
range and sudo hint. A host that fails costs only itself: it is reported with exit code 4.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Literal

from portwho import core
from portwho.errors import ExitCode, UsageError
from portwho.facts import PortFacts, facts_for
from portwho.model import LookupResult, Query, Reason, Verdict
from portwho.remote import ask, parse, ssh
from portwho.remote.hosts import Host

HostOutput = Literal["text", "json", "json-lines", "pids"]
DEFAULT_PARALLEL = 8
DEFAULT_TIMEOUT = 10.0
#: the local rule for several ports, over hosts: 4, then 3, then 5, then 1, then 0
_WORST_FIRST = (
    ExitCode.NO_BACKEND,
    ExitCode.HIDDEN,
    ExitCode.RESERVED,
    ExitCode.FREE,
    ExitCode.IN_USE,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class HostResult:
    """One host's lookup (None when it could not be asked), its facts and exit code."""

    host: Host
    code: ExitCode
    result: LookupResult | None
    facts: dict[int, PortFacts]
    platform: str | None
    error: str | None
    seconds: float


def worst(codes: list[ExitCode]) -> ExitCode:
    for code in _WORST_FIRST:
        if code in codes:
            return code
    return ExitCode.IN_USE


def check_settings(parallel: int, timeout: float) -> None:
    if parallel < 1:
        raise UsageError(f"--parallel {parallel}: ask at least 1 host at a time")
    if not 0 < timeout <= 3600:
        raise UsageError(f"--timeout {timeout:g}: give a number of seconds from 0 to 3600")


def host_result(answer: ask.HostAnswer, query: Query) -> HostResult:
    reply = answer.reply
    if reply is None:
        return HostResult(
            host=answer.host,
            code=ExitCode.NO_BACKEND,
            result=None,
            facts={},
            platform=None,
            error=answer.error or "no answer",
            seconds=answer.seconds,
        )
    result = _result(answer.host, reply, query)
    ports = [r.port for r in result.ports]
    plat = reply.platform or "linux"
    facts = {
        p: facts_for(p, platform=plat, os_range=reply.os_range, protocols=query.protocols)
        for p in ports
    }
    return HostResult(
        host=answer.host,
        code=core.exit_code(result),
        result=result,
        facts=facts,
        platform=reply.platform,
        error=None,
        seconds=answer.seconds,
    )


def _result(host: Host, reply: parse.Reply, query: Query) -> LookupResult:
    plat = reply.platform or "linux"
    # the owner filters decide here, over the host's sockets: its portwho decided without them
    if reply.reports is None or query.owners.active:
        result = core.from_sockets(
            query, reply.sockets, reply.trail, platform=plat, origin=host.name
        )
    else:  # a portwho on the host decided; keep its verdicts
        result = LookupResult(
            query=query,
            sockets=tuple(s for s in reply.sockets if query.wants(s)),
            ports=reply.reports,
            trail=reply.trail,
            origin=host.name,
            platform=plat,
        )
    # hidden from the login user there, not from us: root there would see it unless it is root
    blind = Reason.OWNER_OUT_OF_REACH if reply.login_uid == 0 else Reason.OWNER_NEEDS_PRIVILEGE
    reports = tuple(r.but(reason=blind) if r.verdict is Verdict.HIDDEN else r for r in result.ports)
    return result.but(ports=reports, host=host.name)


def ask_all(
    hosts: list[Host], query: Query, *, parallel: int, timeout: float, in_order: bool
) -> Iterator[HostResult]:
    """Each host's result as it finishes (in_order: in the order given, as soon as the earlier
    ones are done)."""
    from portwho import _run

    base = ssh.base_command()
    with ThreadPoolExecutor(max_workers=min(parallel, len(hosts))) as pool:
        futures: list[Future[ask.HostAnswer]] = [
            pool.submit(ask.ask, h, query, deadline=timeout, base=base) for h in hosts
        ]
        finished = False
        try:
            for future in _in_turn(futures, in_order=in_order):
                yield host_result(future.result(), query)
            finished = True
        finally:
            if (
                not finished
            ):  # Ctrl-C, a closed pipe, an error: stop every ssh before the pool waits
                for future in futures:
                    future.cancel()
                _run.stop_groups()


def _in_turn(
    futures: list[Future[ask.HostAnswer]], *, in_order: bool
) -> Iterator[Future[ask.HostAnswer]]:
    """Each future once done, in the order given or as they finish. Waits in short slices: a
    SIGINT the kernel hands to a worker thread does not wake a main thread blocked for good,
    and Ctrl-C must stop at once."""
    pending = list(futures)
    while pending:
        done, _ = wait(
            pending[:1] if in_order else pending, timeout=0.2, return_when=FIRST_COMPLETED
        )
        for future in pending[:] if not in_order else pending[:1]:
            if future in done:
                pending.remove(future)
                yield future


def run_hosts(
    query: Query,
    hosts: list[Host],
    *,
    parallel: int = DEFAULT_PARALLEL,
    timeout: float = DEFAULT_TIMEOUT,
    output: HostOutput = "text",
    debug: bool = False,
    sort: str = "port",
) -> ExitCode:
    """`sort`: each host's sockets, as --sort orders a lookup's. `pids` output: a line
    "HOST PID" for each owner pid of each host, in the hosts' order."""
    from portwho.commands.lookup import check_sort, sorted_result
    from portwho.views import hosts as view

    check_settings(parallel, timeout)
    check_sort(sort)  # before any host is asked
    if not hosts:
        raise UsageError("no hosts to ask: give --host HOST or --hosts FILE")
    codes: list[ExitCode] = []
    done: list[HostResult] = []
    for asked in ask_all(
        hosts, query, parallel=parallel, timeout=timeout, in_order=output != "json-lines"
    ):
        codes.append(asked.code)
        each = asked
        if asked.result is not None and sort != "port":
            each = replace(asked, result=sorted_result(asked.result, sort))
        if debug and each.result is not None:
            view.write_trail(each, sys.stderr)
        if output == "json-lines":
            view.write_json_line(each, sys.stdout)
        elif output == "text":
            view.write_text(each, first=not done)
        elif output == "pids":
            view.write_pids(each, sys.stdout, sys.stderr)
        done.append(each)
    code = worst(codes)
    if output == "json":
        view.write_json(done, int(code), sys.stdout)
    return code
