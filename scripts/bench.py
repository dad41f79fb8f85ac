"""`make bench`: portwho against Python's own start-up, ss, lsof and plain psutil, side by side.

Two phases, each timed with hyperfine as whole processes, every figure of a phase in the same
hyperfine run as the one it is compared with:

- idle (one small load process holding the port asked about): `python -c pass` of portwho's
  own interpreter (F, the floor), `portwho --version`, `PORT --json`, `-q PORT`, `PORT` (text,
  piped), `prompt --refresh`, and a warm Tab press (its own run: it needs its own environment,
  so F is timed again beside it);
- under load (scripts/load.py: N processes holding ~80 loopback sockets each): `portwho PORT`
  on three busy ports (held by the first, middle and last process), a free port, every
  listener, `1-65535`, the first frame of `watch`, and ss, lsof, fuser, netstat and a plain
  psutil script on the same ports.

`--rounds N` repeats everything N times, the idle phase `--idle-rounds` times in all (9: it is
cheap, and its ratios are the noisiest); each ratio is taken within its round and the median
over the rounds is reported (the machine is shared: one round moves by ±10%). It prints the
median ms, every goal with its wall ratio (which decides pass/fail), its CPU ratio, portwho's
peak RSS, and writes it all to bench-results/ (with hyperfine's own JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess  # hyperfine needs its own environment; the load is a long-lived child
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PSUTIL_ONE_LINER = (
    "import psutil,sys; p=int(sys.argv[1]); "
    '[print(c.pid) for c in psutil.net_connections("inet") if c.laddr and c.laddr.port==p]'
)
IDLE = 0  # the phase key of the idle figures
#: (phase, our row, reference row or "" for an absolute limit, limit: a ratio, or MiB for rss)
GOALS: tuple[tuple[int, str, str, float], ...] = (
    (IDLE, "version", "F", 1.5), (IDLE, "json", "F", 2.0), (IDLE, "pids", "F", 2.0),
    (IDLE, "text", "F", 2.5), (IDLE, "tab", "F-tab", 1.5), (IDLE, "refresh", "F", 3.0),
    (400, "busy", "ss", 0.35), (400, "busy", "lsof", 0.12), (400, "busy", "psutil", 0.12),
    (400, "free", "ss-free", 0.25), (400, "list", "ss-listeners", 0.5),
    (400, "range", "list-r", 1.5), (400, "watch", "list", 1.5), (400, "rss", "", 60.0),
)  # fmt: skip
RSS_ROWS = ("busy", "list", "range", "watch")  # peak RSS measured once each (/usr/bin/time)


def portwho_exe() -> str:
    venv = REPO / ".venv" / "bin" / "portwho"
    return os.environ.get("PORTWHO_BENCH_EXE") or (str(venv) if venv.exists() else "portwho")


def interpreter(exe: str) -> str:
    """The interpreter of a console script (its #! line): the floor F is that Python's."""
    with open(exe, "rb") as handle:
        first = handle.readline().decode()
    return first[2:].strip() if first.startswith("#!") else sys.executable


def idle_rows(me: str, port: str) -> dict[str, list[list[str]]]:
    return {"F": [[interpreter(me), "-c", "pass"]], "version": [[me, "--version"]],
            "json": [[me, port, "--json"]], "pids": [[me, "-q", port]], "text": [[me, port]],
            "refresh": [[me, "prompt", "--refresh"]]}  # fmt: skip


def range_rows(me: str) -> dict[str, list[list[str]]]:
    """`1-65535`, timed in its own run (fewer runs: it can take minutes) beside the listing."""
    return {"list-r": [[me]], "range": [[me, "1-65535"]]}


def tab_rows(me: str) -> dict[str, list[list[str]]]:
    return {"F-tab": [[interpreter(me), "-c", "pass"]], "tab": [[me]]}


def load_rows(me: str, load: dict[str, object]) -> dict[str, list[list[str]]]:
    """Row name -> the commands whose medians make the row (averaged, or summed for ss-ls)."""
    busy = [str(p) for p in load["busy"]]  # type: ignore[attr-defined]
    free = str(load["free"])
    return {
        "busy": [[me, p] for p in busy],
        "free": [[me, free]],
        "list": [[me]],
        "watch": [[me, "watch", "--count", "1"]],
        "ss": [["ss", "-Htanp", f"sport = :{p}"] for p in busy],
        "ss-free": [["ss", "-Htanp", f"sport = :{free}"]],
        "ss-listeners": [["ss", "-Htlnp"], ["ss", "-Hulnp"]],
        "lsof": [["lsof", "-nP", f"-iTCP:{p}"] for p in busy],
        "fuser": [["fuser", "-n", "tcp", p] for p in busy],
        "netstat": [["netstat", "-tanp"]],
        "psutil": [[sys.executable, "-c", PSUTIL_ONE_LINER, p] for p in busy],
    }


def hyperfine(
    rows: dict[str, list[list[str]]], args: argparse.Namespace, out: Path, env: dict[str, str]
) -> dict[str, list[dict[str, float]]]:
    """Row name -> results: every command of `rows` in one run (-N: no shell; -i: exit 1 ok)."""
    flat = [(n, argv) for n, argvs in rows.items() if n not in args.skip for argv in argvs]
    if not flat:
        return {}
    cmd = ["hyperfine", "-N", "-i", "--style", "none", f"--runs={args.runs}"]
    cmd += [f"--warmup={args.warmup}", "--export-json", str(out)]
    cmd += [shlex.join(argv) for _, argv in flat]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hyperfine failed: {done.stderr.strip()[-500:]}")
    times: dict[str, list[dict[str, float]]] = {}
    for (name, _), result in zip(flat, json.loads(out.read_text())["results"], strict=True):
        times.setdefault(name, []).append(result)
    return times


def peak_rss_mib(argv: list[str]) -> float:
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def start_load(procs: int) -> tuple[subprocess.Popen[str], dict[str, object]]:
    load = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "load.py"), "--procs", str(procs)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert load.stdout is not None
    line = load.stdout.readline()
    if not line:
        raise SystemExit("the load did not start")
    info: dict[str, object] = json.loads(line)
    return load, info


def stop_load(load: subprocess.Popen[str]) -> None:
    assert load.stdin is not None
    load.stdin.close()  # load.py cleans up its children when stdin closes
    load.wait(60)


def combine(name: str, results: list[dict[str, float]], key: str) -> float:
    values = [r[key] * 1000 for r in results]
    return sum(values) if name == "ss-listeners" else statistics.mean(values)


def summarise(times: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {
        "median_ms": {n: combine(n, rs, "median") for n, rs in times.items()},
        "cpu_ms": {n: combine(n, rs, "user") + combine(n, rs, "system") for n, rs in times.items()},
    }


def snippet_env(me: str) -> dict[str, str]:
    """What the shell snippets pass to `prompt --refresh` and Tab: the cache directory and the
    config file `portwho init` resolved (a temporary cache: the user's stays untouched), and
    a TTL long enough that every Tab press is warm."""
    ask = "from portwho.shell.cache import config_path; print(config_path())"
    done = subprocess.run([interpreter(me), "-c", ask], capture_output=True, text=True, check=True)
    cache = tempfile.mkdtemp(prefix="portwho-bench-cache-")
    return {"PORTWHO_CACHE_DIR": cache, "PORTWHO_CONFIG": done.stdout.strip(),
            "PORTWHO_PROMPT_TTL": "3600"}  # fmt: skip


def measure_idle(me: str, args: argparse.Namespace, tag: str) -> dict[str, dict[str, float]]:
    load, info = start_load(1)
    env = {**os.environ, **snippet_env(me)}
    try:
        port = str(info["busy"][0])  # type: ignore[index]
        times = hyperfine(idle_rows(me, port), args, args.out / f"hf-idle-{tag}.json", env)
        subprocess.run([me, "prompt", "--refresh"], env=env, capture_output=True, check=True)
        tab = {**env, "_PORTWHO_COMPLETE": "complete_bash", "COMP_CWORD": "1"}
        tab["COMP_WORDS"] = f"portwho {port[:2]}"  # Tab after two digits: ports and verbs
        times |= hyperfine(tab_rows(me), args, args.out / f"hf-tab-{tag}.json", tab)
    finally:
        stop_load(load)
    return summarise(times)


def measure_load(
    me: str, procs: int, args: argparse.Namespace, tag: str
) -> tuple[dict[str, dict[str, float]], dict[str, float], dict[str, object]]:
    load, info = start_load(procs)
    try:
        rows = load_rows(me, info)
        times = hyperfine(rows, args, args.out / f"hf-{procs}-{tag}.json", dict(os.environ))
        slow = argparse.Namespace(**{**vars(args), "runs": args.slow_runs, "warmup": 0})
        out = args.out / f"hf-{procs}-range-{tag}.json"
        times |= hyperfine(range_rows(me), slow, out, dict(os.environ))
        rows |= range_rows(me)
        rss = {n: round(peak_rss_mib(rows[n][-1]), 1) for n in RSS_ROWS if n not in args.skip}
    finally:
        stop_load(load)
    return summarise(times), rss, info


def ratios(
    phase: dict[str, dict[str, float]], rss: dict[str, float] | None, kind: str = "median_ms"
) -> list[float]:
    """Every goal's figure for one round of one phase (in GOALS order): the ratio of median
    wall times, or with kind="cpu_ms" of user+system CPU (steadier on a shared machine)."""
    out: list[float] = []
    for _, what, against, _ in GOALS:
        if what == "rss":
            out.append(max(rss.values()) if rss else float("nan"))
        elif what in phase[kind] and against in phase[kind]:
            out.append(phase[kind][what] / phase[kind][against])
        else:
            out.append(float("nan"))
    return out


def median_rows(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    keys = rounds[0]["median_ms"]  # every round times the same rows
    return {
        kind: {n: round(statistics.median(r[kind][n] for r in rounds), 1) for n in keys}
        for kind in ("median_ms", "cpu_ms")
    }


Figures = dict[int, list[list[float]]]


def verdict_lines(figures: Figures, cpu: Figures) -> list[str]:
    """Pass/fail on the median wall ratio (the goals' measure); the CPU ratio beside it."""
    lines = [f"{'phase':>5}  {'goal':<30} {'wall':>9} {'cpu':>6}  rounds (wall){'':<11} result"]
    for index, (phase, what, against, limit) in enumerate(GOALS):
        if phase not in figures:
            continue
        each = [round(r[index], 2) for r in figures[phase]]
        value = statistics.median(each)
        by_cpu = statistics.median(r[index] for r in cpu[phase])
        label = f"peak RSS < {limit:g} MiB" if what == "rss" else f"{what} <= {limit:g} x {against}"
        ok = "pass" if (value < limit if what == "rss" else value <= limit) else "FAIL"
        where = "idle" if phase == IDLE else str(phase)
        shown = f"{value:.1f}M" if what == "rss" else f"{value:.2f}x"
        cpu_shown = "" if what == "rss" else f"{by_cpu:.2f}x"
        lines.append(f"{where:>5}  {label:<30} {shown:>9} {cpu_shown:>6}  {each!s:<24} {ok}")
    return lines


def table_lines(phases: dict[int, dict[str, dict[str, float]]]) -> list[str]:
    lines = []
    for phase, data in phases.items():
        lines.append(f"{'idle' if phase == IDLE else f'{phase} procs'}: median wall ms (cpu ms)")
        for name, wall in data["median_ms"].items():
            lines.append(f"  {name:<14}{wall:>9.1f} ({data['cpu_ms'][name]:>5.0f})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", default="400", help="load sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of `1-65535`")
    parser.add_argument("--idle-rounds", type=int, default=9,
                        help="idle rounds, spread over the rounds (a second each)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=REPO / "bench-results")
    parser.add_argument("--skip", default="", help="rows not to time, comma-separated")
    args = parser.parse_args()
    args.skip = set(args.skip.split(","))
    args.out.mkdir(parents=True, exist_ok=True)
    me, loads = portwho_exe(), [int(n) for n in args.procs.split(",") if n]
    rounds: dict[int, list[dict[str, dict[str, float]]]] = {}
    figures, cpu = {}, {}  # type: Figures, Figures
    rss_all: dict[int, list[dict[str, float]]] = {}
    infos: dict[int, dict[str, object]] = {}
    # The idle figures are ratios of ~15 ms runs to ~8 ms ones: the machine's drift between
    # the two hyperfine runs moves one round by a tenth, so there are more of those rounds.
    idle_each = max(1, -(-args.idle_rounds // max(1, args.rounds)))
    for round_no in range(args.rounds):
        for again in range(idle_each):
            idle = measure_idle(me, args, f"{round_no}-{again}")
            rounds.setdefault(IDLE, []).append(idle)
            figures.setdefault(IDLE, []).append(ratios(idle, None))
            cpu.setdefault(IDLE, []).append(ratios(idle, None, "cpu_ms"))
        for procs in loads:
            data, rss, infos[procs] = measure_load(me, procs, args, str(round_no))
            rounds.setdefault(procs, []).append(data)
            rss_all.setdefault(procs, []).append(rss)
            figures.setdefault(procs, []).append(ratios(data, rss))
            cpu.setdefault(procs, []).append(ratios(data, rss, "cpu_ms"))
    phases = {phase: median_rows(rs) for phase, rs in rounds.items()}
    sockets = [f"{n} procs: {infos[n].get('sockets')} sockets" for n in loads]
    idle_total = idle_each * args.rounds
    head = [f"portwho: {me}", f"{args.rounds} round(s) of {args.runs} runs ({idle_total} idle); "
            "medians", *sockets]  # fmt: skip
    rss_lines = [f"peak RSS MiB at {n} procs: {rss_all[n]}" for n in loads]
    text = "\n".join([*head, *table_lines(phases), "", *verdict_lines(figures, cpu), "",
                      *rss_lines])  # fmt: skip
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.out / f"bench-{stamp}.txt").write_text(text + "\n")
    report = {"phases": phases, "figures": figures, "cpu_figures": cpu, "rss": rss_all,
              "loads": infos}  # fmt: skip
    (args.out / f"bench-{stamp}.json").write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
