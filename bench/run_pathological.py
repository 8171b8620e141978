"""Time and peak memory of `codex-guard lint` on the three inputs that used to be super-linear.

    python bench/run_pathological.py [--scale 1] [--keep DIR] [--only Python]

1. 8,000 suppression comments over one command (~430 KB): was 28 s (one forward scan per
   directive for its target line, and every finding checked against every directive);
2. 2,000 `codex` lines plus 47 unclosed `(` (~128 KB): was 17 s (each codex call looked at every
   command before it for a `cd`, at every command after it, and for its pipe feeder);
3. a 31 MB script: peaked at 822 MB. Files over the parse limit (2 MB) are now streamed through
   the token scan a line at a time;
4. 14 lines of `for f in 1 2; do a+=("${a[@]}"); done` (2**28 words) then a codex line: took
   3.1 GB and ended in CG901. An array now keeps at most shell.scope.MAX_ITEMS words;
5. a Python file of 1,500 functions that each set `os.environ["OPENAI_API_KEY"]` and spawn codex
   (~225 KB): was 518 s. Every spawn wrote every earlier function's write into its command line
   and its finding (one more place each), and the spawns' states were found by checking every
   spawn at every statement. A variable is now written once, with at most
   pyvalues.MAX_VALUES places, and the lookups are indexed;
6. 1,500 module-level `if`s that set the key, each followed by a spawn (~100 KB): the same,
   through the join of the branches (a key set on some path, at every place that set it).
Each is also run at `--scale` x2 so a quadratic cost shows as a ~4x time ratio, linear as ~2x.
Times are wall seconds of one `codex-guard lint --no-cache --format json FILE` process, peak RSS
is the kernel's `ru_maxrss` for that child. Exit 0 when each input still reports what it holds,
its peak RSS is under 150 MB and the x2 run costs under 3x; 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RSS_GOAL_MB = 150.0
GROWTH_GOAL = 3.0  # time(x2 input) / time(x1 input): 2 is linear, 4 quadratic


def suppressions(path: Path, scale: int) -> int:
    """Directives over one API-key run: the run's CG101 must be found (returns its line)."""
    lines = ["#!/bin/bash"]
    lines += [
        f"# codex-guard: disable=CG201 -- reason number {i:05d} xx" for i in range(8000 * scale)
    ]
    lines.append("OPENAI_API_KEY=x codex exec -s read-only 'p'")
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def parens(path: Path, scale: int) -> int:
    """Full-access codex lines and stray `(`: one CG303 per line must be found (the last line)."""
    body = [
        f'codex exec -s danger-full-access "run task {i:04d} now please"'
        for i in range(2000 * scale)
    ]
    path.write_text("#!/bin/bash\n" + "\n".join(body) + "\n" + "(\n" * 47)
    return len(body) + 1


def big(path: Path, scale: int) -> int:
    """31 MB of filler with an API key near the end (its line is returned)."""
    filler = "echo 'building step {} of the pipeline with some filler text here' >> log.txt\n"
    written, number = 0, 1
    with path.open("w") as handle:
        while written < 31_000_000 * scale:
            line = filler.format(number)
            handle.write(line)
            written += len(line)
            number += 1
        handle.write("OPENAI_API_KEY=x codex exec -C . -s read-only 'p' </dev/null\n")
    return number


def doubling(path: Path, scale: int) -> int:
    """An array doubled 28 (x2: 56) times, then a full-access codex line: its CG303 (the line)."""
    lines = ["#!/bin/bash", "a=(x)"]
    lines += ['for f in 1 2; do a+=("${a[@]}"); done'] * (14 * scale)
    lines.append('codex exec -C . -s danger-full-access "${a[@]}" - < task.md')
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


SPAWN = (
    'subprocess.run(["codex", "exec", "-C", ".", "-s", "read-only", "p"], stdin=subprocess.DEVNULL)'
)


def python_functions(path: Path, scale: int) -> int:
    """Functions that each set the key, then spawn: each spawn's CG101 (the last one's line)."""
    lines = ["import os", "import subprocess", "", "k = 'x'"]
    for i in range(1500 * scale):
        lines += ["", f"def f_{i}():", '    os.environ["OPENAI_API_KEY"] = k', f"    {SPAWN}"]
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def python_branches(path: Path, scale: int) -> int:
    """Module-level `if`s that set the key, each then a spawn: the last spawn's CG101."""
    lines = ["import os", "import subprocess", "", "k = 'x'"]
    for _ in range(1500 * scale):
        lines += ["if k:", '    os.environ["OPENAI_API_KEY"] = k', SPAWN]
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


@dataclass(frozen=True)
class Measure:
    seconds: float
    rss_mb: float
    found: bool


def measure(path: Path, rule: str, line: int) -> Measure:
    env = dict(os.environ, CODEX_GUARD_NO_CACHE="1")
    command = ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert child.stdout is not None
    out = child.stdout.read()
    # Reap it ourselves: wait4 gives this child's own peak RSS (ru_maxrss, in KB on Linux).
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stdout.close()
    try:
        findings = json.loads(out)["findings"]
    except (ValueError, KeyError):
        findings = []
    found = any(f["rule"] == rule and f["line"] == line for f in findings)
    return Measure(seconds, usage.ru_maxrss / 1024, found)


CASES: list[tuple[str, Callable[[Path, int], int], str]] = [
    ("8,000 suppressions", suppressions, "CG101"),
    ("2,000 codex lines + 47 `(`", parens, "CG303"),
    ("31 MB script", big, "CG101"),
    ("array doubled 2**28 times", doubling, "CG303"),
    ("1,500 Python functions set key", python_functions, "CG101"),
    ("1,500 Python `if`s set key", python_branches, "CG101"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--only", default="", help="run the cases whose name holds this text")
    args = parser.parse_args()
    cases = [case for case in CASES if args.only.lower() in case[0].lower()]
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run_cases(args.keep, args.scale, cases)
    with tempfile.TemporaryDirectory(prefix="cg-patho-") as folder:
        return run_cases(Path(folder), args.scale, cases)


def run_cases(
    folder: Path, scale: int, cases: list[tuple[str, Callable[[Path, int], int], str]]
) -> int:
    ok = True
    print(f"{'input':30} {'size':>10} {'time':>8} {'peak RSS':>10}  {'x2 time':>8}  result")
    for name, make, rule in cases:
        rows: list[tuple[int, Measure]] = []
        for factor in (scale, scale * 2):
            suffix = ".py" if make.__name__.startswith("python_") else ".sh"
            path = folder / f"{make.__name__}-{factor}{suffix}"
            line = make(path, factor)
            rows.append((path.stat().st_size, measure(path, rule, line)))
        (size, first), (_size2, second) = rows
        growth = second.seconds / first.seconds if first.seconds else 0.0
        passed = first.found and second.found and first.rss_mb < RSS_GOAL_MB
        passed = passed and growth < GROWTH_GOAL
        ok = ok and passed
        print(
            f"{name:30} {size / 1e6:8.2f}MB {first.seconds:7.2f}s {first.rss_mb:8.1f}MB  "
            f"{second.seconds:7.2f}s  {'PASS' if passed else 'FAIL'}"
            f"{'' if first.found else ' (finding missing)'}"
        )
    print(f"goals: peak RSS < {RSS_GOAL_MB:.0f} MB, x2 input < {GROWTH_GOAL:.0f}x the time")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
