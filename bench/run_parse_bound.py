"""Where tree-sitter-bash is super-linear, and what the parse budget makes of it.

    python bench/run_parse_bound.py [--lines 1000,2000,4000] [--lint]

For each placement of 47 `(` among key-bearing `codex` lines (before them all, unbalanced; at the
end, as bench/run_pathological.py has it; inside words; as one-line subshells) it prints the CPU
seconds of one unbounded tree-sitter parse at each size, and the growth per doubling (2 is linear,
4 quadratic). With --lint it also runs `codex-guard lint --no-cache --format json` on the largest
input of each placement and prints its CPU seconds (children included) and the rules it reported:
a placement that is super-linear must come back as CG901 with CG101 still found, within the budget
(guard/shell/tsbound.py) plus the linear token scan. Exit 1 when a bounded lint misses CG101.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

LINE = "OPENAI_API_KEY=x codex exec -C . -s read-only p </dev/null\n"


def leading(n: int) -> str:
    return "(" * 47 + "\n" + LINE * n


def trailing(n: int) -> str:
    return LINE * n + "(\n" * 47


def in_words(n: int) -> str:
    return "".join(LINE.replace(" p ", " (p ") if i < 47 else LINE for i in range(n))


def subshells(n: int) -> str:
    return "".join("( " + LINE if i < 47 else LINE for i in range(n))


PLACEMENTS: dict[str, Callable[[int], str]] = {
    "leading": leading,
    "trailing": trailing,
    "in-words": in_words,
    "subshells": subshells,
}


def parse_cpu(text: bytes) -> float:
    import tree_sitter as ts
    import tree_sitter_bash as tsb

    parser = ts.Parser(ts.Language(tsb.language()))
    start = time.thread_time()
    parser.parse(text)
    return time.thread_time() - start


def lint_cpu(path: Path) -> tuple[float, set[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-m", "guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]} if proc.stdout else set()
    return cpu, rules


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", default="1000,2000,4000")
    ap.add_argument("--lint", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.lines.split(",")]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in PLACEMENTS.items():
            times = [parse_cpu(make(n).encode()) for n in sizes]
            growth = [b / a if a > 0 else 0.0 for a, b in itertools.pairwise(times)]
            shown = " ".join(f"{n}:{t:.2f}s" for n, t in zip(sizes, times, strict=True))
            print(f"{name:10} parse {shown}  growth x2: {' '.join(f'{g:.1f}' for g in growth)}")
            if args.lint:
                path = Path(tmp) / f"{name}.sh"
                path.write_text(make(sizes[-1]))
                cpu, rules = lint_cpu(path)
                print(f"{'':10} lint {sizes[-1]} lines: {cpu:.2f} s CPU, rules {sorted(rules)}")
                failed = failed or "CG101" not in rules
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
