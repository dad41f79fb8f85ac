"""The command line's surface, declared once, as data: every verb, its arguments and options,
their help, metavars and choices.

Everything that needs to know the surface reads it from here: the Typer app (cli/app.py builds
its options from these entries, and a test holds the built app equal to this table), the fast
path's argument parser (cli/fast.py), Tab completion (shell/completion.py), the prompt
refresher and the man page. Importing this module costs next to nothing: plain slotted classes,
standard library only, no Typer.

It sits at the top of the package, not in cli/, because shell/ reads it too (completion, the
prompt's formats) and cli/ imports shell/ for `init` and `prompt`: inside cli/ it would make
the two folders import each other.
"""

from __future__ import annotations

#: what an argument holds, which tells completion what to offer
PORTS = "ports"  # port specs: busy ports are offered
SHELL = "shell"  # a shell name: SHELLS
VERB = "verb"  # a command's name: the verbs
TEXT = "text"  # anything: nothing is offered

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh", "starship", "tmux")
PROMPT_FORMATS = ("plain", "ansi", "tmux")
SORT_KEYS = ("port", "pid", "process", "user")


class Opt:
    """One option. `value` is the metavar of the value it takes; None for a flag."""

    __slots__ = ("choices", "dest", "envvar", "help", "names", "value")

    def __init__(
        self,
        dest: str,
        names: tuple[str, ...],
        help: str,
        *,
        value: str | None = None,
        choices: tuple[str, ...] = (),
        envvar: str | None = None,
    ) -> None:
        self.dest, self.names, self.help = dest, names, help
        self.value, self.choices, self.envvar = value, choices, envvar

    @property
    def flag(self) -> bool:
        return self.value is None


class Arg:
    """One positional argument; `many` when it takes any number (PORT...)."""

    __slots__ = ("dest", "help", "kind", "many", "metavar", "required")

    def __init__(
        self,
        dest: str,
        metavar: str,
        help: str,
        *,
        kind: str = TEXT,
        many: bool = False,
        required: bool = False,
    ) -> None:
        self.dest, self.metavar, self.help = dest, metavar, help
        self.kind, self.many, self.required = kind, many, required


class Verb:
    __slots__ = ("args", "doc", "name", "opts", "summary")

    def __init__(
        self, name: str, summary: str, doc: str, args: tuple[Arg, ...], opts: tuple[Opt, ...]
    ) -> None:
        self.name, self.summary, self.doc, self.args, self.opts = name, summary, doc, args, opts

    def option(self, name: str) -> Opt | None:
        for opt in self.opts:
            if name in opt.names:
                return opt
        return None

    @property
    def takes_ports(self) -> bool:
        return any(a.kind == PORTS for a in self.args)


JSON = Opt("as_json", ("--json",), "One JSON object (schema 1) on stdout.")
COLOR_MODES = ("auto", "always", "never")
COLOR = Opt("color", ("--color",), "Colour: auto (a terminal, unless NO_COLOR; FORCE_COLOR or"
            " CLICOLOR_FORCE colour a pipe), always or never.", value="WHEN",
            choices=COLOR_MODES)  # fmt: skip
PORT_SPECS = Arg(
    "ports", "PORT", "Ports, ranges or service names.", kind=PORTS, many=True, required=True
)
LOOKUP_PORTS = Arg("ports", "PORT", "Ports (3000), ranges (8000-8100) or service names (postgres).",
                   kind=PORTS, many=True)  # fmt: skip
DEBUG = Opt("debug", ("--debug",), "Print each backend tried, its outcome and time.")

LOOKUP = Verb(
    "lookup",
    "Who holds PORT, and what the port is (the default command).",
    "Every socket on the port (TCP and UDP, IPv4 and IPv6, listeners and connections) with "
    "its owner, and what the port is. With no port: every listening socket.",
    (LOOKUP_PORTS,),
    (
        Opt("tcp", ("--tcp", "-t"), "TCP only."),
        Opt("udp", ("--udp", "-u"), "UDP only."),
        Opt("ipv4", ("-4",), "IPv4 only."),
        Opt("ipv6", ("-6",), "IPv6 only."),
        Opt("listening", ("--listening", "-l"), "Listeners only."),
        JSON,
        Opt(
            "pids",
            ("--pids", "-q"),
            "Print only the owning pids, one a line (HOST PID with --host).",
        ),
        DEBUG,
        Opt(
            "backend",
            ("--backend",),
            "Use only this backend (psutil, ss, netstat, lsof, ...).",
            value="NAME",
            envvar="PORTWHO_BACKEND",
        ),
        Opt(
            "from_file", ("--from",), "Read saved tool output (- for stdin) instead.", value="FILE"
        ),
        Opt("fmt", ("--format",), "Format of --from input (default: detect).", value="NAME"),
        Opt("host", ("--host",), "Ask HOST over ssh instead (repeatable).", value="HOST"),
        Opt(
            "hosts_file",
            ("--hosts",),
            "Ask the hosts in FILE (one a line, or ansible-inventory JSON; - for stdin).",
            value="FILE",
        ),
        Opt("parallel", ("--parallel",), "With --host: hosts asked at a time (8).", value="N"),
        Opt(
            "timeout",
            ("--timeout",),
            "Seconds the OS tools may take in all (10); with --host, each host.",
            value="S",
        ),
        Opt("json_lines", ("--json-lines",), "With --host: one JSON object a host, as each ends."),
        Opt("pid", ("--pid",), "Only sockets of this process (repeatable).", value="PID"),
        Opt("process", ("--process",), "Only processes whose name contains NAME.", value="NAME"),
        Opt("user", ("--user",), "Only sockets of this user's processes.", value="USER"),
        Opt(
            "sort",
            ("--sort",),
            "Listing order: port (default), pid, process or user.",
            value="KEY",
            choices=SORT_KEYS,
        ),
        COLOR,
    ),
)

EXPLAIN = Verb(
    "explain",
    "What a port is, in full: IANA registrations, OS range, notes.",
    "The full account of what a port is: every IANA registration, the OS range, the notes, "
    "and the native commands that answer the same question on this OS.",
    (PORT_SPECS,),
    (JSON, COLOR),
)

WHY = Verb(
    "why",
    "Read a pasted error, find its port, answer as a lookup does.",
    "Read a pasted error (EADDRINUSE, bind: address already in use, Errno 98, WinError "
    "10048/10013, Docker's 'port is already allocated'), find its port and answer as "
    "`portwho PORT` does (same output, same exit code), with what the error means.",
    (Arg("text", "TEXT", "The error message, quoted (- reads it from stdin).", required=True),),
    (JSON, DEBUG),
)

KILL = Verb(
    "kill",
    "Free a port: stop the process listening on it, safely.",
    "Free a port: stop the process listening on it (never mere clients), safely.",
    (PORT_SPECS,),
    (
        Opt(
            "sig",
            ("--signal", "-s"),
            "Signal to send first, by name or number (default TERM).",
            value="SIGNAL",
        ),
        Opt(
            "timeout",
            ("--timeout",),
            "Seconds to wait for each process to exit (default 5).",
            value="S",
        ),
        Opt("force", ("--force",), "SIGKILL what ignores the signal; also kill forwarders."),
        Opt("yes", ("--yes", "-y"), "Do not ask (for scripts)."),
        Opt("dry_run", ("--dry-run", "-n"), "Show the plan only."),
        Opt(
            "include_clients", ("--include-clients",), "Also kill local processes connected to it."
        ),
        Opt("as_json", ("--json",), "The plan and each outcome as one JSON object (schema 1)."),
    ),
)

WAIT = Verb(
    "wait",
    "Wait until PORT is free (or busy).",
    "Wait until PORT is free (or busy), showing who holds it meanwhile.",
    (Arg("port", "PORT", "One port or service name.", kind=PORTS, required=True),),
    (
        Opt("free", ("--free",), "Wait until it is free (default)."),
        Opt("busy", ("--busy",), "Wait until something listens."),
        Opt("timeout", ("--timeout",), "Give up after S seconds (exit 6).", value="S"),
        Opt("interval", ("--interval",), "Seconds between polls (default 0.25).", value="S"),
        JSON,
    ),
)

WATCH = Verb(
    "watch",
    "A live view of the sockets on PORTS.",
    "A live view of the sockets on PORTS: what appeared, what vanished, who held them.",
    (Arg("ports", "PORT", "Ports to watch (default: every listener).", kind=PORTS, many=True),),
    (
        Opt("interval", ("--interval",), "Seconds between refreshes (0.5; piped 0.1).", value="S"),
        Opt("count", ("--count",), "Stop after N refreshes.", value="N"),
        Opt("duration", ("--duration",), "Stop after S seconds.", value="S"),
        Opt("as_json", ("--json",), "One JSON object per change (piped output)."),
    ),
)

FREE = Verb(
    "free",
    "Print the next free port(s) at or above START.",
    "Print the next free port(s) at or above START, proven by a real bind.",
    (Arg("start", "START", "First port to try (default 8000).", kind=PORTS),),
    (
        Opt("count", ("--count", "-c"), "How many ports (default 1).", value="N"),
        Opt("span", ("--range",), "Search only A-B (may lie in the ephemeral range).", value="A-B"),
        Opt("udp", ("--udp", "-u"), "Check UDP only (default: free in both TCP and UDP)."),
        JSON,
    ),
)

INIT = Verb(
    "init",
    "Print shell code for completion and the prompt widget.",
    'Print shell code that turns on completion and the prompt widget: eval "$(portwho init '
    'zsh)" at the end of .zshrc (fish: portwho init fish | source). Never edits rc files.',
    (Arg("shell", "SHELL", "The shell to print the snippet for.", kind=SHELL, required=True),),
    (
        Opt("no_prompt", ("--no-prompt",), "Completion only, no prompt widget."),
        Opt("no_completion", ("--no-completion",), "Prompt widget only, no completion."),
    ),
)

PROMPT = Verb(
    "prompt",
    "Print the prompt segment of busy ports.",
    "Print the prompt segment of busy ports (⚡3000 5173) from the cache, refreshing it in the "
    "background when stale; for starship's custom module and tmux's status line.",
    (),
    (
        Opt(
            "fmt",
            ("--format",),
            "plain (starship), ansi or tmux colours.",
            value="FORMAT",
            choices=PROMPT_FORMATS,
        ),
        Opt("refresh", ("--refresh",), "Rebuild the cache now and print the segment."),
    ),
)

HELP = Verb("help", "Show the help of portwho, or of one command.", "Show the help of portwho"
            " (the lookup's options and the commands), or of one command.",
            (Arg("verb", "COMMAND", "The command to show.", kind=VERB),), ())  # fmt: skip

#: every verb, in the order help lists them
VERBS: tuple[Verb, ...] = (LOOKUP, EXPLAIN, WHY, KILL, WAIT, WATCH, FREE, INIT, PROMPT, HELP)
BY_NAME = {v.name: v for v in VERBS}
#: the options of the program itself, before any verb
GLOBAL_OPTIONS = (Opt("version", ("--version", "-V"), "Print the version."),
                  Opt("help", ("--help", "-h"), "Show this message and exit."))  # fmt: skip


def verb(name: str) -> Verb:
    return BY_NAME[name]


def verb_summaries() -> list[tuple[str, str]]:
    """(verb, one-line help), sorted: what first-word completion and the cache offer."""
    return sorted((v.name, v.summary) for v in VERBS)


def option_rows() -> list[tuple[str, str, str]]:
    """(verb, option name, help) for every option of every verb."""
    return [(v.name, name, o.help) for v in VERBS for o in v.opts for name in o.names]
