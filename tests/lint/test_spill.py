"""The parent's findings past `SPILL_AFTER`: spilled to a temporary file in sorted runs and merged
back for the report. What a user sees must not change across the bound (every format, cached or
not, -j1/-j0, explicit files, errors, skipped files, --statistics, the exit code), the file must
be gone however the run ends, and the parent's memory must not grow with the findings."""

from __future__ import annotations

import contextlib
import gc
import os
import random
import tempfile
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, cached_lint_runner, make_repo, record_lint_calls

import guard.findings
import guard.sources.cache as cache_module
from guard.findings import Edit, Finding, Findings, Location, Severity

SCRIPT = (
    'codex exec "review {n}" | tee log\nOPENAI_API_KEY=x codex exec -s danger-full-access "y"\n'
)


def _tree(root: Path) -> Path:
    """~70 scripts with several findings each; `a/b.sh` and `a/b/c.sh` (walk order is not string
    order), a file that is gone (an error) and a binary named on the command line (skipped)."""
    files: dict[str, str | bytes] = {
        f"d{n % 4}/s{n}.sh": SCRIPT.format(n=n) for n in range(70)
    }  # fmt: skip
    files["a/b.sh"] = SCRIPT.format(n="ab")
    files["a/b/c.sh"] = SCRIPT.format(n="abc")
    files["blob"] = b"\x00codex exec"
    repo = make_repo(root, files)
    (repo / "gone.sh").symlink_to("nowhere")
    return repo


CASES = [
    ("--format", "json"),
    ("--format", "text"),
    ("--format", "text", "--output-format", "concise"),
    ("--format", "text", "-q"),
    ("--format", "sarif"),
    ("--format", "github"),
    ("--statistics",),
    ("--statistics", "--format", "json"),
]
TARGETS = (".", "blob", "gone.sh", "d1/s1.sh")


def _fds_in(folder: Path) -> list[str]:
    """Descriptors of this process open on a file in `folder` (a spill file, even unlinked)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


@pytest.fixture
def spill_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.parametrize("jobs", ["1", "0"])
def test_every_report_is_the_same_across_the_spill_bound(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    spill_dir: Path,
    jobs: str,
) -> None:
    repo = _tree(tmp_path / "r")
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the files just written count as old: cached
    calls = record_lint_calls(monkeypatch, tmp_path)
    lint = cached_lint_runner(capsys, monkeypatch, calls, "-j", jobs)
    spilled: list[bool] = []
    real_close = Findings.close

    def noting_close(self: Findings) -> None:
        spilled.append(self.spilled)
        real_close(self)

    monkeypatch.setattr(Findings, "close", noting_close)

    def both(*args: str) -> tuple[Run, Run]:
        monkeypatch.setattr(guard.findings, "SPILL_AFTER", 1_000_000)
        whole = lint(*args, cwd=repo)
        monkeypatch.setattr(guard.findings, "SPILL_AFTER", 3)
        spilled.clear()
        return whole, lint(*args, cwd=repo)

    for case in CASES:
        for cache in ("--no-cache", None):  # the cached run: findings read back from the store
            args = [*case, *([cache] if cache else []), *TARGETS]
            whole, split = both(*args)
            assert any(spilled), args
            assert (split.code, split.out, split.err) == (whole.code, whole.out, whole.err), args
            assert whole.code == 2 and whole.out, args  # gone.sh: a file that could not be read
            assert "skipped" in whole.out or case not in CASES[:2], args  # json, text: blob
            assert _fds_in(spill_dir) == [] and os.listdir(spill_dir) == [], args
            assert cache or set(calls) <= {"gone.sh", "blob"}, args  # read back from the store


def test_the_spill_file_is_gone_when_the_report_breaks_off(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    spill_dir: Path,
) -> None:
    import guard.commands.lint as lint_module

    repo = _tree(tmp_path / "r")
    calls = record_lint_calls(monkeypatch, tmp_path)
    lint = cached_lint_runner(capsys, monkeypatch, calls, "--no-cache", "-j1")
    monkeypatch.setattr(guard.findings, "SPILL_AFTER", 3)
    real_batches = lint_module._batches
    open_then: list[list[str]] = []  # the spill files open when the report broke off
    for failure in (BrokenPipeError, KeyboardInterrupt, RuntimeError):
        open_then.clear()

        def breaking(
            pieces: Iterator[str], failure: type[BaseException] = failure
        ) -> Iterator[str]:
            for batch in real_batches(pieces):
                yield batch
                open_then.append(_fds_in(spill_dir))
                raise failure()

        monkeypatch.setattr(lint_module, "EMIT_BYTES", 1)
        monkeypatch.setattr(lint_module, "_batches", breaking)
        # how `main` answers each of them is not this test's concern; the file is
        with contextlib.suppress(BaseException):
            lint("--format", "json", ".", cwd=repo)
        assert len(open_then) == 1 and open_then[0], "the run did not spill"
        assert _fds_in(spill_dir) == [] and os.listdir(spill_dir) == [], failure


def _finding(n: int, rng: random.Random) -> Finding:
    path = rng.choice(["a/b.txt", "a/b/c", "a/b", "z.sh", "é.sh", "run\udcff.sh"])
    where = Location(path, rng.randint(1, 5), rng.randint(1, 3), 9, 9)
    related = (Location(path, 1, 2, 3, 4, "opened here"),) if n % 3 else ()
    edits = (Edit(where, "</dev/null", "x", "y"),) if n % 5 == 0 else ()
    severity = list(Severity)[n % 3]
    lane = None if n % 2 else "worker"
    fix = None if n % 7 == 0 else "f " * 20
    return Finding("CG201", "n", severity, f"message {n}", where, fix, related, lane, edits)


@pytest.mark.parametrize("bound", [1, 2, 7, 100])
def test_spilled_findings_come_back_as_a_stable_sort(
    bound: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(bound)
    items = [_finding(n, rng) for n in range(600)]
    monkeypatch.setattr(guard.findings, "SPILL_AFTER", bound)
    kept = Findings()
    kept.extend(items[:250])
    kept.sort(key=Finding.sort_key)
    kept.extend(items[250:])  # more after a sort (the configs' findings are added like this)
    kept.sort(key=Finding.sort_key)
    assert kept.spilled and len(kept) == 600
    expected = sorted(items, key=Finding.sort_key)  # ties keep their order: messages tell
    assert list(kept) == expected
    assert [a for a, _ in zip(kept, kept, strict=True)] == expected  # two readers at once
    kept.close()


@pytest.mark.parametrize(("bound", "first", "second"), [(3, 10, 20), (3, 0, 20), (3, 10, 0),
                                                         (3, 2, 1), (100, 30, 40), (7, 40, 33)])  # fmt: skip
def test_absorbed_findings_come_back_with_their_spilled_runs_taken_not_copied(
    bound: int, first: int, second: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(first * 100 + second)
    # Distinct paths in each part: a file's findings are all in one of the two (lint's caller)
    ours = [_finding(n, rng) for n in range(first)]
    theirs = [replace(f, location=replace(f.location, path="other/" + f.location.path))
              for f in (_finding(n, rng) for n in range(second))]  # fmt: skip
    monkeypatch.setattr(guard.findings, "SPILL_AFTER", bound)
    monkeypatch.setattr(guard.findings, "MERGE_RUNS", 1000)  # no merge: what is written is copied
    kept, other = Findings(ours), Findings(theirs)
    written: list[int] = []
    real_written = guard.findings._Run.written.__func__  # type: ignore[attr-defined]

    def counting(cls: type, findings: Any, level: int) -> Any:
        run = real_written(cls, findings, level)
        written.append(run.count)
        return run

    monkeypatch.setattr(guard.findings._Run, "written", classmethod(counting))
    kept.absorb(other)
    assert sum(written) <= 2 * bound  # at most the two tails, joined, spill: no run is copied
    assert not other and list(other) == [] and len(kept) == first + second
    kept.sort(key=Finding.sort_key)
    assert list(kept) == sorted(ours + theirs, key=Finding.sort_key)
    other.close()  # closes none of the runs it gave away
    assert list(kept) == sorted(ours + theirs, key=Finding.sort_key)
    kept.close()


def _collect_and_read_peak(count: int) -> int:
    """Peak bytes while `count` findings are collected (as the parent does) and read back."""

    def made() -> Iterator[Finding]:
        rng = random.Random(count)
        for n in range(count):
            yield _finding(n, rng)

    # The collector off while it counts: when its passes fall (and what they free then) moved
    # the peak by a third from run to run; the findings hold no cycles, so none is left over.
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        kept = Findings()
        kept.extend(made())
        kept.sort(key=Finding.sort_key)
        for _finding_read in kept:
            pass
        kept.close()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
        gc.enable()


def test_the_parents_memory_does_not_grow_with_the_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(guard.findings, "SPILL_AFTER", 1024)  # the test's findings stay few
    count = guard.findings.SPILL_AFTER * 2
    _collect_and_read_peak(100)  # first use: imports
    small = _collect_and_read_peak(count)
    large = _collect_and_read_peak(count * 10)
    assert large < small * 1.5, (small, large)
    # and a list of them would have grown ten times
    rng = random.Random(0)
    tracemalloc.start()
    try:
        held = [_finding(n, rng) for n in range(count * 10)]
        listed = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(held) == count * 10 and large * 3 < listed, (large, listed)
