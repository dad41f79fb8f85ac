"""`make bench`: portwho against ss, lsof, fuser, netstat and plain psutil, side by side.

For each load size (scripts/load.py: N processes holding ~80 loopback sockets each) it times,
with hyperfine, whole processes: `portwho PORT` on three busy ports (held by the first, middle
and last process of the load), `portwho FREEPORT`, `portwho` (every listener), `portwho
--version`, and the reference commands on the same ports in the same run. It prints a table of
medians, the ratios the goals are stated in, pass/fail, and portwho's peak RSS, and writes it
all to bench-results/ (with hyperfine's own JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess  # the load is a long-lived child; portwho._run only runs to completion
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a file from a checkout, venv or not

from portwho._run import run  # noqa: E402

RSS_ROWS = ("busy", "list", "nl-busy", "nl-list")  # peak RSS measured once each (/usr/bin/time)
NETLINK = [sys.executable, "-m", "portwho.backends.netlink"]
PSUTIL_ONE_LINER = (
    "import psutil,sys; p=int(sys.argv[1]); "
    '[print(c.pid) for c in psutil.net_connections("inet") if c.laddr and c.laddr.port==p]'
)


@dataclass(frozen=True, slots=True)
class Goal:
    load: int
    what: str  # our row ("busy", "free", "list", "rss")
    against: str  # reference row, or "" for an absolute limit
    limit: float  # ratio (or MiB for rss)


GOALS = (
    Goal(400, "busy", "ss", 0.6),
    Goal(400, "busy", "lsof", 0.25),
    Goal(400, "busy", "psutil", 0.4),
    Goal(400, "free", "ss-free", 0.35),
    Goal(400, "list", "ss-listeners", 1.0),
    Goal(400, "rss", "", 60.0),
    Goal(100, "busy", "lsof", 0.5),
    Goal(100, "busy", "psutil", 0.6),
)


def portwho_argv() -> list[str]:
    exe = os.environ.get("PORTWHO_BENCH_EXE")
    if exe:
        return [exe]
    venv = REPO / ".venv" / "bin" / "portwho"
    return [str(venv)] if venv.exists() else [sys.executable, "-m", "portwho"]


def commands(load: dict[str, object], variant: list[str]) -> dict[str, list[list[str]]]:
    """Row name -> the commands whose medians make the row (averaged, or summed for ss-ls)."""
    busy = [str(p) for p in load["busy"]]  # type: ignore[attr-defined]
    free = str(load["free"])
    me = portwho_argv() + variant
    return {
        "busy": [[*me, p] for p in busy],
        "free": [[*me, free]],
        "list": [me],
        "version": [[*portwho_argv(), "--version"]],
        # The netlink backend alone, without the CLI's start-up (typer, rendering, registry).
        "nl-busy": [[*NETLINK, p] for p in busy],
        "nl-free": [[*NETLINK, free]],
        "nl-list": [NETLINK],
        "ss": [["ss", "-Htanp", f"sport = :{p}"] for p in busy],
        "ss-free": [["ss", "-Htanp", f"sport = :{free}"]],
        "ss-listeners": [["ss", "-Htlnp"], ["ss", "-Hulnp"]],
        "lsof": [["lsof", "-nP", f"-iTCP:{p}"] for p in busy],
        "fuser": [["fuser", "-n", "tcp", p] for p in busy],
        "netstat": [["netstat", "-tanp"]],
        "psutil": [[sys.executable, "-c", PSUTIL_ONE_LINER, p] for p in busy],
    }


def hyperfine(argvs: list[list[str]], runs: int, warmup: int, out: Path) -> list[dict[str, float]]:
    """Time each argv (no shell: -N; -i because a free port exits 1); one result per argv."""
    cmd = ["hyperfine", "-N", "-i", "--style", "none", f"--runs={runs}", f"--warmup={warmup}"]
    cmd += ["--export-json", str(out), *(shlex.join(a) for a in argvs)]
    done = run(cmd, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"hyperfine failed: {done.stderr.strip()[-500:]}")
    results: list[dict[str, float]] = json.loads(out.read_text())["results"]
    return results


def peak_rss_mib(argv: list[str]) -> float:
    done = run(["/usr/bin/time", "-f", "%M", *argv], timeout=120)
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


def measure(procs: int, args: argparse.Namespace, outdir: Path) -> dict[str, object]:
    load, info = start_load(procs)
    try:
        rows = commands(info, args.variant)
        flat = [(name, argv) for name, argvs in rows.items() for argv in argvs]
        results = hyperfine(
            [a for _, a in flat], args.runs, args.warmup, outdir / f"hf-{procs}.json"
        )
        times: dict[str, list[dict[str, float]]] = {}
        for (name, _), result in zip(flat, results, strict=True):
            times.setdefault(name, []).append(result)
        rss_each = {name: round(peak_rss_mib(rows[name][-1]), 1) for name in RSS_ROWS}
        rss = max(rss_each["busy"], rss_each["list"])
    finally:
        stop_load(load)
    medians = {name: _combine(name, rs, "median") for name, rs in times.items()}
    cpu = {
        name: _combine(name, rs, "user") + _combine(name, rs, "system")
        for name, rs in times.items()
    }
    return {"load": info, "median_ms": medians, "cpu_ms": cpu, "rss_mib": rss, "rss_each": rss_each}


def _combine(name: str, results: list[dict[str, float]], key: str) -> float:
    values = [r[key] * 1000 for r in results]
    total = sum(values) if name == "ss-listeners" else statistics.mean(values)
    return round(total, 1)


def _with_backend_rows(goals: tuple[Goal, ...]) -> list[Goal]:
    """Each whole-CLI goal once more for the backend alone (rows nl-*), for comparison."""
    extra = [replace(g, what=f"nl-{g.what}") for g in goals if g.what in ("busy", "free", "list")]
    return [*goals, *extra]


def verdicts(report: dict[int, dict[str, object]]) -> list[str]:
    lines = [f"{'load':>5} {'goal':<30} {'wall ratio':>10} {'cpu ratio':>10}  result"]
    for goal in _with_backend_rows(GOALS):
        data = report.get(goal.load)
        if data is None:
            continue
        if goal.what == "rss":
            rss = float(data["rss_mib"])  # type: ignore[arg-type]
            ok = "pass" if rss < goal.limit else "FAIL"
            lines.append(f"{goal.load:>5} {'peak RSS < 60 MiB':<30} {rss:>9.1f}M {'':>10}  {ok}")
            continue
        wall, cpu = data["median_ms"], data["cpu_ms"]
        ratio = wall[goal.what] / wall[goal.against]  # type: ignore[index]
        cpu_ratio = cpu[goal.what] / cpu[goal.against]  # type: ignore[index]
        label = f"{goal.what} <= {goal.limit:g} x {goal.against}"
        ok = "pass" if ratio <= goal.limit else "FAIL"
        lines.append(f"{goal.load:>5} {label:<30} {ratio:>10.2f} {cpu_ratio:>10.2f}  {ok}")
    return lines


def table(report: dict[int, dict[str, object]]) -> list[str]:
    lines = [f"{'row':<14}" + "".join(f"{f'{n} procs ms':>18}" for n in report)]
    first = next(iter(report.values()))
    for name in first["median_ms"]:  # type: ignore[attr-defined]
        cells = []
        for data in report.values():
            wall, cpu = data["median_ms"][name], data["cpu_ms"][name]  # type: ignore[index]
            cells.append(f"{wall:>9.1f} ({cpu:>5.0f})")
        lines.append(f"{name:<14}" + "".join(f"{c:>18}" for c in cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", default="100,400", help="load sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench-results")
    parser.add_argument("--portwho-args", default="", help='e.g. "--backend netlink"')
    args = parser.parse_args()
    args.variant = shlex.split(args.portwho_args)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {n: measure(n, args, args.out) for n in map(int, args.procs.split(","))}
    head = [f"portwho: {shlex.join(portwho_argv() + args.variant)}", "median wall ms (cpu ms)"]
    rss = [f"peak RSS MiB at {n} procs: {d['rss_each']}" for n, d in report.items()]
    text = "\n".join([*head, *table(report), "", *verdicts(report), "", *rss])
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.out / f"bench-{stamp}.txt").write_text(text + "\n")
    (args.out / f"bench-{stamp}.json").write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
