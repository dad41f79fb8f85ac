"""What a tunnel that listens on a port forwards it to, read from its command line as the tool
itself reads it: `ssh -L` / `-D` (and `-o LocalForward=` / `DynamicForward=`), and
`kubectl port-forward`. A forward ssh was given in its config file, or later through its
control socket, is not on the command line: it is still named as ssh's, through its host.

Only the owner's listening ports are matched; nothing is looked up or connected to.
"""

from __future__ import annotations

from portwho.context import host_port
from portwho.context.record import Tunnel

TYPE_CHECKING = False  # not typing's: a lookup imports no typing at run time
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

#: ssh's options that take a value (ssh(1), OpenSSH 9); every other letter is a flag
_SSH_VALUED = frozenset("BbcDEeFIiJLlmOoPpQRSWw")
#: kubectl's flags that take a value, before or after the verb (global and port-forward's)
_KUBECTL_VALUED = frozenset({
    "-n", "--namespace", "--context", "--cluster", "--user", "--kubeconfig", "-s", "--server",
    "--address", "--pod-running-timeout", "--token", "--as", "--as-group", "--request-timeout",
    "--cache-dir", "--certificate-authority", "--client-certificate", "--client-key",
    "--tls-server-name", "-v", "--v", "--log-file", "--vmodule",
})  # fmt: skip


def tunnels(tool: str, argv: Sequence[str], ports: set[int]) -> tuple[Tunnel, ...]:
    """One Tunnel per port of `ports` (the owner's listening ports) the command line forwards;
    an ssh listening on a port its command line does not name gets one through its host."""
    if tool != "ssh":
        named = {t.port: t for t in _kubectl(argv) if t.port in ports}
        return tuple(named[p] for p in sorted(named))
    host = ssh_destination(argv)
    named = {t.port: t for t in _ssh(argv, host) if t.port in ports}
    for port in ports - named.keys():
        named[port] = Tunnel(port=port, tool="ssh", target=None, via=host)
    return tuple(named[p] for p in sorted(named))


def _split(spec: str) -> list[str]:
    """`a:b:[::1]:80` -> ["a", "b", "::1", "80"]: colons, with IPv6 addresses in brackets."""
    parts: list[str] = []
    current = ""
    depth = 0
    for char in spec:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == ":" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [p.removeprefix("[").removesuffix("]") for p in parts]


def local_forward(spec: str) -> tuple[int, str] | None:
    """`-L [bind_address:]port:host:hostport` or `[bind_address:]port:remote_socket` -> (port,
    "host:hostport" or the socket's path); None for a local socket or anything else."""
    parts = _split(spec.replace(" ", ":", 1) if " " in spec else spec)  # LocalForward's space
    if len(parts) >= 2 and parts[-1].startswith("/"):
        local, target = parts[:-1], parts[-1]
    elif len(parts) >= 3:
        local, target = parts[:-2], host_port(parts[-2], parts[-1])
    else:
        return None
    if not local or not 1 <= len(local) <= 2 or not local[-1].isdecimal():
        return None
    return int(local[-1]), target


def dynamic_forward(spec: str) -> int | None:
    """`-D [bind_address:]port` -> port."""
    last = _split(spec)[-1]
    return int(last) if last.isdecimal() else None


def _ssh_words(argv: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(option letter, value) for each valued option, and ("", word) for each other word, as
    ssh parses them: flags run together (`-fNL 8080:db:80`), a value attached or next, options
    after the destination too, until `--` or the remote command."""
    words = iter(argv[1:])
    seen_host = False
    for word in words:
        if word == "--":
            if not seen_host:
                yield "", next(words, "")
            return
        if not word.startswith("-") or word == "-":
            if seen_host:
                return  # the remote command
            seen_host = True
            yield "", word
            continue
        for at, letter in enumerate(word[1:], start=1):
            if letter in _SSH_VALUED:
                value = word[at + 1 :] or next(words, "")
                yield letter, value
                break


def ssh_destination(argv: Sequence[str]) -> str | None:
    return next((value for letter, value in _ssh_words(argv) if letter == ""), None)


def _ssh_forwards(argv: Sequence[str]) -> Iterator[tuple[str, str]]:
    """("L" or "D", its value) for each forward the command line gives, -o ones too."""
    for letter, value in _ssh_words(argv):
        if letter == "o":
            key, _, rest = value.replace("=", " ", 1).partition(" ")
            kind = {"localforward": "L", "dynamicforward": "D"}.get(key.strip().lower())
            if kind:
                yield kind, rest.strip()
        elif letter in ("L", "D"):
            yield letter, value


def _ssh(argv: Sequence[str], host: str | None) -> list[Tunnel]:
    out: list[Tunnel] = []
    for letter, value in _ssh_forwards(argv):
        if letter == "L" and (found := local_forward(value)):
            out.append(Tunnel(port=found[0], tool="ssh -L", target=found[1], via=host))
        elif letter == "D" and (port := dynamic_forward(value)) is not None:
            out.append(Tunnel(port=port, tool="ssh -D", target=None, via=host))
    return out


def _kubectl(argv: Sequence[str]) -> list[Tunnel]:
    """`kubectl [flags] port-forward [flags] TYPE/NAME [LOCAL:]REMOTE ...` (`:REMOTE` picks a
    local port kubectl prints; only the given ones are matched here)."""
    words, namespace, context = iter(argv[1:]), None, None
    positional: list[str] = []
    for word in words:
        name, eq, attached = word.partition("=")
        if name in _KUBECTL_VALUED:
            value = attached if eq else next(words, "")
            if name in ("-n", "--namespace"):
                namespace = value
            elif name == "--context":
                context = value
        elif word.startswith("-n") and len(word) > 2:
            namespace = word[2:]
        elif not word.startswith("-"):
            positional.append(word)
    if positional[:1] != ["port-forward"] or len(positional) < 3:
        return []
    resource = positional[1] if "/" in positional[1] else f"pod/{positional[1]}"
    where = ", ".join(f"{k} {v}" for k, v in (("context", context), ("namespace", namespace)) if v)
    out: list[Tunnel] = []
    for spec in positional[2:]:
        local, _, remote = spec.rpartition(":") if ":" in spec else (spec, "", spec)
        if local.isdecimal() and remote.isdecimal():
            target = f"{resource} port {remote}"
            out.append(Tunnel(port=int(local), tool="kubectl port-forward", target=target,
                              via=where or None))  # fmt: skip
    return out
