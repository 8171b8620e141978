"""What filling the cache costs, counted in instructions rather than timed: load-proof.

    python bench/fill_instructions.py [--files 2000] [--jobs 1] [--seed 7] [--baseline-src DIR]

The wall-clock fill goal (bench/run_scale.py: a cold run that fills the lint store at most 5% over
`--no-cache`) is a ratio of two ~10 s runs on a shared 2-core machine, where one run may swing by
20% with the load: a 3% effect fails or passes by chance. Here each run executes under valgrind's
callgrind (every forked process followed) and its instructions are summed: the same code on the
same tree gives the same count, whatever else the machine does. Two runs per version: `--no-cache`
and a cold run filling an empty store, on one tree from tree.py; the ratio of their instruction
counts is the fill's CPU cost (the time the store's writes wait for the disk is not in it: that
is what run_scale.py's wall clock adds). `--baseline-src DIR`: another checkout's `guard/` (with
its rules), measured the same way, so a change's effect on the fill shows as two ratios.

Needs valgrind; about a minute and a half a run at 2,000 files with `--jobs 1` (two runs a version).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tree import generate_tree  # bench/ is a folder of scripts

ROOT = Path(__file__).resolve().parents[1]
FILL_GOAL = 1.05  # as bench/run_scale.py judges the wall clock
_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


def instructions(src: Path, tree: Path, home: Path, jobs: int, cache: bool) -> int:
    """The instructions of one `codex-guard lint` of `tree` with `src`'s guard/, all processes."""
    shutil.rmtree(home, ignore_errors=True)
    argv = [sys.executable, "-m", "guard", "lint", "-q", f"-j{jobs}", str(tree)]
    if not cache:
        argv.insert(4, "--no-cache")
    env = {**os.environ, "PYTHONPATH": str(src), "XDG_CACHE_HOME": str(home)}
    with tempfile.TemporaryDirectory(prefix="cg-fill-cg-") as out:
        proc = subprocess.run(
            [
                "valgrind", "--tool=callgrind", "--trace-children=yes",
                f"--callgrind-out-file={out}/callgrind.%p", *argv,
            ],
            env=env, cwd=src, capture_output=True, text=True, check=False,
        )  # fmt: skip
    counts = [int(n) for n in _COLLECTED.findall(proc.stderr)]
    if proc.returncode not in (0, 1) or not counts:
        sys.exit(f"error: the run under valgrind failed ({proc.returncode}): {proc.stderr[-400:]}")
    return sum(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the cache fill's cost, in instructions")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-src", help="folder holding another version's guard/ package")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("error: valgrind is not installed", file=sys.stderr)
        return 2
    versions = {"main": ROOT}
    if args.baseline_src:
        versions["baseline"] = Path(args.baseline_src).resolve()
    for src in versions.values():  # an installed wheel has its .pyc: so do both here
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src / "guard")], check=False)
    ok = True
    with tempfile.TemporaryDirectory(prefix="cg-fill-bench-") as tmp:
        work = Path(tmp)
        tree = work / "tree"
        generate_tree(tree, args.files, args.seed)
        print(f"## cache fill in instructions: {args.files:,} files, -j{args.jobs}, callgrind")
        for name, src in versions.items():
            plain = instructions(src, tree, work / "home", args.jobs, cache=False)
            cold = instructions(src, tree, work / "home", args.jobs, cache=True)
            ratio = cold / plain
            judged = name == "main"
            verdict = ("PASS" if ratio <= FILL_GOAL else "FAIL") if judged else "-"
            ok = ok and (ratio <= FILL_GOAL or not judged)
            print(f"  {name:9} --no-cache {plain / 1e9:7.3f} G, cold {cold / 1e9:7.3f} G: "
                  f"cold / no cache {ratio:.3f} (goal <= {FILL_GOAL})  {verdict}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
