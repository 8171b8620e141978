"""Benchmark `codex-guard lint` on large mixed trees, in one run: cache, -j, memory.

    python bench/run_scale.py [--files 30000] [--rounds 2] [--jobs-files 5000]
                              [--rss-sizes 1000,10000,50000] [--seed 7] [--only cache,jobs,rss]

Trees come from tree.py (a monorepo of projects with a config each; most files never mention
codex; 30% are files no reader takes) and are written under /tmp, removed at the end.

- **cache** (`--files`): `--rounds` rounds of three runs, interleaved: `--no-cache`; a cold run
  that fills a lint store made empty for it; a re-lint of the unchanged tree with that store.
  All three share one XDG cache folder, so the parsed-config and rule caches (which `--no-cache`
  does not turn off) are alike for all: only the lint store is emptied for the cold run.
  Ratios per round, median: cold-filling over `--no-cache` (goal at most 1.05) and cold-filling
  over cached (goal at least 10x from 30,000 files). Also the store's size on disk.
- **jobs** (`--jobs-files`): `-j1` against `-j2`, `--no-cache`, interleaved rounds.
- **rss** (`--rss-sizes`): one `--no-cache` run per size, sampling every 10 ms the RSS of the whole
  process tree (parent and workers) and of the parent alone. Goal: the tree under 150 MB at 50,000
  files; the parent's peak should not grow with the tree.

Every run's JSON report is checked (`files` equal across the contenders of a section). Exit 0 when
every judged goal passes, 1 when one fails, 2 when the tool is missing or errs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_lint import _PAGE, _tool, _tree_rss_mb  # bench/ is a folder of scripts
from tree import generate_tree

FILL_GOAL = 1.05  # a cold run that fills the cache, over --no-cache
CACHED_GOAL = 10.0  # cold over cached, judged from CACHED_GOAL_FILES files
CACHED_GOAL_FILES = 30_000
RSS_GOAL_MB = 150.0
RSS_GOAL_FILES = 50_000


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float
    tree_mb: float  # 0 when not sampled
    parent_mb: float
    files: int  # the report's `files`


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE / (1024 * 1024)
    except (OSError, IndexError, ValueError):
        return 0.0


def run_once(argv: list[str], env: dict[str, str], *, sample: bool = False) -> Timed:
    """One run; its report must parse and its exit code be 0 or 1 (2 = the tool failed)."""
    with tempfile.TemporaryFile() as out:
        actions = [
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        tree = parent = 0.0
        while sample:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            tree = max(tree, _tree_rss_mb(pid))
            parent = max(parent, _rss_mb(pid))
            time.sleep(0.01)
        if not sample:
            _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        report = out.read()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"error: `{' '.join(argv[:6])} ...` exited {code}")
    files = int(json.loads(report)["files"])
    return Timed(wall, usage.ru_utime + usage.ru_stime, tree, parent, files)


def _median_ratio(slow: list[Timed], fast: list[Timed], *, cpu: bool = False) -> float:
    times = [(a.cpu, b.cpu) if cpu else (a.wall, b.wall) for a, b in zip(slow, fast, strict=True)]
    return statistics.median(a / b if b > 0 else float("inf") for a, b in times)


def _row(name: str, runs: list[Timed]) -> str:
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    each = " ".join(f"{r.wall:.2f}" for r in runs)
    return f"  {name:<28} median {wall:7.2f} s wall, {cpu:7.2f} s CPU   runs: {each}"


def _same_files(runs: dict[str, list[Timed]]) -> int:
    counts = {r.files for rs in runs.values() for r in rs}
    if len(counts) != 1:
        sys.exit(f"error: the runs disagree on how many files were linted: {sorted(counts)}")
    return counts.pop()


def _folder_mb(folder: Path) -> float:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return total / (1024 * 1024)


def bench_cache(guard: str, work: Path, files: int, rounds: int, seed: int) -> bool:
    tree = work / "tree-cache"
    generate_tree(tree, files, seed)
    base = [guard, "lint", "-q", "--format", "json", str(tree)]
    cold_home = work / "cache-cold"
    warm_env = {**os.environ, "XDG_CACHE_HOME": str(cold_home)}

    def cold_env() -> dict[str, str]:
        # The lint store only: emptying the whole folder would also make the cold run (not the
        # --no-cache one) re-parse every config, which is not what filling the store costs.
        shutil.rmtree(cold_home / "codex-guard" / "lint", ignore_errors=True)
        return warm_env

    # In each round the cached run re-lints with the store the cold run just filled.
    contenders: list[tuple[str, list[str], Callable[[], dict[str, str]]]] = [
        ("no cache", [*base[:2], "--no-cache", *base[2:]], lambda: warm_env),
        ("cold, filling the cache", base, cold_env),
        ("cached (unchanged tree)", base, lambda: warm_env),
    ]
    runs: dict[str, list[Timed]] = {name: [] for name, _, _ in contenders}
    for _ in range(rounds):
        for name, argv, env in contenders:
            runs[name].append(run_once(argv, env()))
    linted = _same_files(runs)
    store = _folder_mb(cold_home / "codex-guard" / "lint")
    print(f"\n## cache: {files:,} files in the tree, {linted:,} linted, {rounds} rounds")
    for name, timed in runs.items():
        print(_row(name, timed))
    fill = _median_ratio(runs["cold, filling the cache"], runs["no cache"])
    cached = _median_ratio(runs["cold, filling the cache"], runs["cached (unchanged tree)"])
    plain = _median_ratio(runs["no cache"], runs["cached (unchanged tree)"])
    print(f"  cache store on disk after a cold run: {store:.1f} MB")
    fill_ok = fill <= FILL_GOAL
    print(f"  cold filling / no cache: {fill:.3f} (goal <= {FILL_GOAL}): "
          f"{'PASS' if fill_ok else 'FAIL'}")  # fmt: skip
    judged = files >= CACHED_GOAL_FILES
    cached_ok = cached >= CACHED_GOAL or not judged
    verdict = ("PASS" if cached_ok else "FAIL") if judged else "not judged below 30,000 files"
    print(f"  cold filling / cached: {cached:.1f}x (goal >= {CACHED_GOAL:.0f}x): {verdict}")
    print(f"  no cache / cached: {plain:.1f}x")
    fill_cpu = _median_ratio(runs["cold, filling the cache"], runs["no cache"], cpu=True)
    cached_cpu = _median_ratio(runs["cold, filling the cache"], runs["cached (unchanged tree)"],
                               cpu=True)  # fmt: skip
    print(f"  CPU time (not judged): cold filling / no cache {fill_cpu:.3f}, "
          f"cold filling / cached {cached_cpu:.1f}x")  # fmt: skip
    return fill_ok and cached_ok


def bench_jobs(guard: str, work: Path, files: int, rounds: int, seed: int) -> bool:
    tree = work / "tree-jobs"
    generate_tree(tree, files, seed)
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache-jobs")}
    runs: dict[str, list[Timed]] = {"-j1": [], "-j2": []}
    for _ in range(rounds):
        for name in runs:
            argv = [guard, "lint", "-q", "--format", "json", "--no-cache", name, str(tree)]
            runs[name].append(run_once(argv, env))
    linted = _same_files(runs)
    print(f"\n## -j: {files:,} files in the tree, {linted:,} linted, {rounds} rounds, --no-cache")
    for name, timed in runs.items():
        print(_row(name, timed))
    print(f"  -j1 / -j2 wall: {_median_ratio(runs['-j1'], runs['-j2']):.2f}x "
          f"(os.cpu_count() = {os.cpu_count()})")  # fmt: skip
    return True


def bench_rss(guard: str, work: Path, sizes: list[int], seed: int) -> bool:
    print("\n## memory: peak RSS sampled every 10 ms, one --no-cache run per size")
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache-rss")}
    ok = True
    for size in sizes:
        tree = work / f"tree-rss-{size}"
        generate_tree(tree, size, seed)
        timed = run_once([guard, "lint", "-q", "--format", "json", "--no-cache", str(tree)], env,
                         sample=True)  # fmt: skip
        shutil.rmtree(tree, ignore_errors=True)
        judged = size >= RSS_GOAL_FILES
        good = timed.tree_mb < RSS_GOAL_MB
        verdict = ("PASS" if good else "FAIL") if judged else "-"
        ok = ok and (good or not judged)
        print(f"  {size:>7,} files ({timed.files:,} linted): tree {timed.tree_mb:6.1f} MB, "
              f"parent {timed.parent_mb:6.1f} MB, {timed.wall:6.1f} s   {verdict}")  # fmt: skip
    print(f"  goal: tree < {RSS_GOAL_MB:.0f} MB at {RSS_GOAL_FILES:,} files")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="codex-guard lint at scale: cache, -j, memory")
    parser.add_argument("--files", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs-files", type=int, default=5_000)
    parser.add_argument("--rss-sizes", default="1000,10000,50000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="cache,jobs,rss")
    args = parser.parse_args(argv)
    sections = set(args.only.split(","))
    guard = _tool("codex-guard")
    if guard is None:
        print("error: `codex-guard` is not installed (pip install -e .)", file=sys.stderr)
        return 2
    print(f"codex-guard: {guard}; {os.cpu_count()} CPUs; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    ok = True
    with tempfile.TemporaryDirectory(prefix="cg-scale-bench-") as tmp:
        work = Path(tmp)
        if "cache" in sections:
            ok = bench_cache(guard, work, args.files, args.rounds, args.seed) and ok
            shutil.rmtree(work / "tree-cache", ignore_errors=True)
        if "jobs" in sections:
            ok = bench_jobs(guard, work, args.jobs_files, args.rounds, args.seed) and ok
        if "rss" in sections:
            sizes = [int(s) for s in args.rss_sizes.split(",") if s]
            ok = bench_rss(guard, work, sizes, args.seed) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
