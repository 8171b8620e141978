"""When `lint` starts its worker processes: only once the run shows work for them (files the
keyword reject passed to the full check, or time spent), with `-j N` processes, and with the same
report as `-j1`. Files the reject answers from their text never start a pool."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conftest import console, make_repo

from guard.commands import lint
from guard.commands.lint import FileJob, LintResult, _rule_text, run_jobs
from guard.engine.registry import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules(()))


class RecordingPool(futures.ProcessPoolExecutor):
    """The real pool, noting each start and its size."""

    started: ClassVar[list[int | None]] = []

    def __init__(self, max_workers: int | None = None, **kwargs: Any) -> None:
        RecordingPool.started.append(max_workers)
        super().__init__(max_workers=max_workers, **kwargs)


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The pool's start policy, which holds for what a run has after its forked split
    (FORK_MAX_FILES; tests/lint/test_forksplit.py): here the whole run."""
    RecordingPool.started = []
    monkeypatch.setattr(futures, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(lint, "FORK_MAX_FILES", 0)
    return RecordingPool.started


def _jobs(folder: Path, texts: list[str]) -> Iterator[FileJob]:
    folder.mkdir(parents=True, exist_ok=True)
    for n, text in enumerate(texts):
        path = folder / f"s{n:04}.sh"
        path.write_text(text)
        yield FileJob(str(path), False, Settings(), RULE_TEXT)


def _summary(result: LintResult) -> tuple[int, list[tuple[str, str, int]], list[str]]:
    findings = [(f.location.path, f.rule, f.location.line) for f in result.findings]
    return result.files, findings, [e.message for e in result.errors]


def test_files_the_reject_answers_never_start_a_pool(
    tmp_path: Path, pools: list[int | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lint, "POOL_AFTER_S", 1e9)  # only the count of full checks decides here
    texts = [f"set -eu\necho {n}\ngit status\n" for n in range(400)]
    # and a few that do concern codex: fewer than the pool needs
    texts += [f"codex exec 'task {n}'\n" for n in range(lint.POOL_AFTER_FULL_CHECKS - 1)]
    result = run_jobs(_jobs(tmp_path, texts), 2)
    assert pools == []
    assert result.files == len(texts)
    assert {f.location.path for f in result.findings} == {
        str(tmp_path / f"s{n:04}.sh") for n in range(400, len(texts))
    }


def test_enough_full_checks_start_j_processes_with_the_serial_report(
    tmp_path: Path, pools: list[int | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lint, "POOL_AFTER_S", 1e9)
    texts = [f"codex exec 'task {n}'\necho {n}\n" for n in range(lint.POOL_AFTER_FULL_CHECKS + 70)]
    serial = run_jobs(_jobs(tmp_path / "a", texts), 1)
    assert pools == []
    parallel = run_jobs(_jobs(tmp_path / "a", texts), 2)
    assert pools == [2]
    assert _summary(parallel) == _summary(serial)
    assert serial.findings  # the stand-in for "work": every file has findings


def test_a_long_run_of_rejected_files_starts_the_pool_too(
    tmp_path: Path, pools: list[int | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time spent here is work the workers can share, rejected or not."""
    monkeypatch.setattr(lint, "POOL_AFTER_S", 0.0)
    texts = [f"echo {n}\n" for n in range(200)]
    result = run_jobs(_jobs(tmp_path, texts), 3)
    assert pools == [3]
    assert result.files == 200 and not result.findings and not result.errors


def test_time_spent_waiting_for_a_core_starts_no_pool(
    tmp_path: Path, pools: list[int | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time rule counts this process's CPU: a run that only waits (a loaded machine, here a
    sleep in each file) past POOL_AFTER_S of wall time has shown no work for workers."""
    import time

    monkeypatch.setattr(lint, "POOL_AFTER_S", 0.15)
    real_lint_file = lint.lint_file

    def waiting_lint_file(job: FileJob) -> Any:
        time.sleep(0.01)  # wall time passes, this process's CPU time hardly does
        return real_lint_file(job)

    monkeypatch.setattr(lint, "lint_file", waiting_lint_file)
    texts = [f"echo {n}\n" for n in range(lint.PARALLEL_THRESHOLD + 20)]  # 0.85 s of waiting
    result = run_jobs(_jobs(tmp_path, texts), 2)
    assert pools == []
    assert result.files == len(texts)


def test_j_reads_as_worker_processes_in_help() -> None:
    run = console("lint", "--help", cwd=Path.cwd())
    assert run.code == 0
    assert "Worker processes" in run.out and "keyword reject" in run.out


def test_j2_and_j1_agree_on_a_tree_that_needs_the_pool(tmp_path: Path) -> None:
    count = lint.POOL_AFTER_FULL_CHECKS + 40
    files = {f"d{n % 5}/s{n:03}.sh": f"echo {n}\ncodex exec {n}\n" for n in range(count)}
    files.update({f"quiet/q{n:03}.sh": f"echo {n}\n" for n in range(100)})
    repo = make_repo(tmp_path / "r", files)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    serial = console("lint", "--format", "json", "--no-cache", "-j1", cwd=repo, env=env)
    parallel = console("lint", "--format", "json", "--no-cache", "-j2", cwd=repo, env=env)
    assert serial.code == parallel.code == 1
    assert serial.out == parallel.out
    assert serial.json()["files"] == count + 100
