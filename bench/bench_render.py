"""CPU time of the report's last stage for N findings, in this process (no lint, no files):
collecting/sorting/reading them back (a list, and spilled past `SPILL_AFTER`) and rendering
them (json, text concise, github, sarif). Best of 5.

    python bench/bench_render.py [N]                            # this checkout
    PYTHONPATH=/tmp/base python bench/bench_render.py [N]       # another (render rows only)
"""

from __future__ import annotations

import random
import sys
import time

import guard.findings
from guard.findings import Finding, LintResult, Location, Severity
from guard.report import streams, text


def _findings(count: int) -> list[Finding]:
    made = []
    for n in range(count):
        path = f"src/d{n // 40}/s{n // 4}.sh"
        where = Location(path, n % 4 + 1, 1, n % 4 + 1, 30)
        related = (Location(path, n % 4 + 1, 12, n % 4 + 1, 20, "positional prompt"),)
        made.append(
            Finding("CG201", "positional-prompt-open-stdin", Severity.ERROR,
                    "positional prompt with an inherited stdin: codex reads stdin to EOF",
                    where, fix="Close stdin with `</dev/null`.",
                    related=related if n % 2 else ())
        )  # fmt: skip
    return made


def _best(run: object) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        run()  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 13000
    ordered = sorted(_findings(count), key=Finding.sort_key)
    shuffled = list(ordered)
    random.Random(1).shuffle(shuffled)
    spill = getattr(guard.findings, "Findings", None)
    if spill is not None:
        bound = guard.findings.SPILL_AFTER
        for label, limit in (("list", 10**9), (f"spilled at {bound}", bound)):
            guard.findings.SPILL_AFTER = limit

            def collect() -> None:
                kept = spill()
                kept.extend(shuffled)
                kept.sort(key=Finding.sort_key)
                for _finding in kept:
                    pass
                kept.close()

            print(f"collect+sort+read ({label}) {count} findings: {_best(collect):7.1f} ms CPU")
        guard.findings.SPILL_AFTER = bound
    for fmt in ("json", "text-concise", "github", "sarif"):

        def render(fmt: str = fmt) -> None:
            result = LintResult(findings=list(ordered), files=count // 4, exit_code=1)  # type: ignore[arg-type]
            pieces = (
                text.stream(result, {}, concise=True)
                if fmt == "text-concise"
                else streams()[fmt](result, {}, color=False)
            )
            for _piece in pieces:
                pass

        print(f"render {fmt:12} {count} findings: {_best(render):7.1f} ms CPU")


if __name__ == "__main__":
    main()
