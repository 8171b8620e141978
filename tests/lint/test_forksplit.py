"""The forked split (guard/commands/forksplit.py): this process answers what it can without the
engine and a forked child does the full checks. Every job gets exactly one outcome, in job order,
whatever the child does (dies, sends garbage, cannot be forked); `-j1` never forks; `-j N` never
runs more than N processes; and `lint -j2` reports what `lint -j1` reports."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import console, make_repo

from guard.commands import forksplit, lint
from guard.commands.forksplit import ForkSplit, children_for
from guard.commands.lint import FileJob, _rule_text, run_jobs
from guard.engine.registry import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules(()))


class Answer:
    """A stand-in outcome: which job, and which process answered it."""

    def __init__(self, job: int, pid: int) -> None:
        self.job = job
        self.pid = pid


def _front(job: int) -> Answer | None:
    """Jobs divisible by 3 need the "full check"; the others are answered at once."""
    return None if job % 3 == 0 else Answer(job, os.getpid())


def _full(job: int) -> Answer:
    return Answer(job, os.getpid())


def _split(full: Callable[[int], object] = _full, children: int = 1) -> ForkSplit[int, Answer]:
    return ForkSplit(_front, full, str, Answer, children)  # type: ignore[arg-type]


def _children() -> set[int]:
    """The live child processes of this one (Linux: /proc)."""
    me = str(os.getpid())
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me and fields[0] != "Z":
                found.add(int(entry.name))
    return found


@pytest.fixture(autouse=True)
def no_child_left() -> Iterator[None]:
    before = _children()
    yield
    assert _children() <= before  # every child this test made was killed and reaped


def test_every_job_once_in_order_and_the_full_checks_in_the_child() -> None:
    answers = list(_split().run(range(300)))
    assert [a.job for a in answers] == list(range(300))
    forked = {a.pid for a in answers if a.job % 3 == 0} - {os.getpid()}
    assert len(forked) == 1  # one child did (at least some of) the full checks


def _zombie(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_answers_read_together_with_the_childs_end_are_taken() -> None:
    """The last frames and the end of the pipe arrive in one read: the frames count."""
    split = _split()
    answers: list[Answer] = []
    jobs = list(range(0, 30, 3))  # every one a full check
    for job in jobs:
        answers.extend(split.submit(job))
    (child,) = split.children
    sent = {jobs[number] for number in child.owed}  # `owed` holds submission numbers, not jobs
    assert sent
    os.close(child.jobs)  # no more jobs: it answers what it has, then exits
    child.jobs = -1
    deadline = time.monotonic() + 30
    while not _zombie(child.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    pid = child.pid
    answers.extend(split.finish())
    split.stop()
    assert [a.job for a in answers] == jobs
    assert {a.pid for a in answers if a.job in sent} == {pid}  # the rest waited here


def test_a_child_that_dies_costs_time_never_a_job() -> None:
    parent = os.getpid()

    def dies_in_the_child(job: int) -> Answer:
        if os.getpid() != parent and job >= 30:
            os._exit(3)  # killed mid-run: the jobs it holds were never answered
        return Answer(job, os.getpid())

    answers = list(_split(dies_in_the_child).run(range(200)))
    assert [a.job for a in answers] == list(range(200))
    assert all(a.pid == parent for a in answers if a.job >= 30)


def test_garbage_from_the_child_is_linted_here() -> None:
    parent = os.getpid()

    def wrong_type_in_the_child(job: int) -> object:
        return "not an outcome" if os.getpid() != parent else Answer(job, parent)

    answers = list(_split(wrong_type_in_the_child).run(range(120)))
    assert [a.job for a in answers] == list(range(120))
    assert all(isinstance(a, Answer) and a.pid == parent for a in answers)


class _Hung(Exception):
    """Not an OSError (as TimeoutError is): the reaper's `suppress(OSError)` cannot swallow it."""


def _within(seconds: int, run: Callable[[], list[Answer]]) -> list[Answer]:
    """`run()`, which must not take `seconds` (a wait that never ends fails the test)."""
    import signal

    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(_Hung("hung")))
    signal.alarm(seconds)
    try:
        return run()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


@pytest.mark.parametrize("jobs", [6, 30])
def test_garbage_from_a_child_that_lives_on_is_never_waited_for(
    monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A child whose frames do not check out, but which goes on waiting for jobs: its jobs are
    linted here, with few full checks left at the end (fewer than HELP_AFTER) and with more
    outcomes held back than MAX_PENDING. (Its frames were dropped and its jobs left owed by a
    child that had answered them: `finish` and `submit` waited for it for ever.)"""
    parent = os.getpid()
    monkeypatch.setattr(forksplit, "MAX_PENDING", 5)

    def wrong_type_in_the_child(job: int) -> object:
        return "not an outcome" if os.getpid() != parent else Answer(job, parent)

    answers = _within(20, lambda: list(_split(wrong_type_in_the_child).run(range(jobs))))
    assert [a.job for a in answers] == list(range(jobs))
    assert all(isinstance(a, Answer) and a.pid == parent for a in answers)


def test_a_child_given_up_for_garbage_ends_though_another_process_holds_its_job_pipe() -> None:
    """The child is killed, not only cut off: with its job pipe held by a later fork (the walk's
    helper) it would wait for jobs for ever, and `finish` would wait for it to end."""
    parent = os.getpid()

    def wrong_type_in_the_child(job: int) -> object:
        return "not an outcome" if os.getpid() != parent else Answer(job, parent)

    split = _split(wrong_type_in_the_child)
    answers = list(split.submit(0))  # to the child, whole: it answers and waits for more
    assert split.children, "a full check went to a child"
    held = os.dup(split.children[0].jobs)  # as a process forked now would hold it
    time.sleep(0.3)
    try:
        answers += [a for job in range(1, 12) for a in split.submit(job)]  # its answer is seen
        answers += _within(20, lambda: list(split.finish()))
    finally:
        os.close(held)
        split.stop()
    assert [a.job for a in answers] == list(range(12))
    assert all(isinstance(a, Answer) and a.pid == parent for a in answers)


def test_a_frame_for_another_path_is_not_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent checks each answer against the job it names."""
    parent = os.getpid()

    def path_of(job: int) -> str:
        return f"{job}-child" if os.getpid() != parent else str(job)

    split: ForkSplit[int, Answer] = ForkSplit(_front, _full, path_of, Answer, 1)
    answers = list(split.run(range(90)))
    assert [a.job for a in answers] == list(range(90))
    assert all(a.pid == parent for a in answers)


def test_no_fork_means_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    answers = list(_split().run(range(100)))
    assert [a.job for a in answers] == list(range(100))
    assert {a.pid for a in answers} == {os.getpid()}


def test_a_slow_child_holds_back_a_bounded_number_of_outcomes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(forksplit, "MAX_PENDING", 20)
    parent = os.getpid()

    def slow_in_the_child(job: int) -> Answer:
        if os.getpid() != parent:
            time.sleep(0.002)
        return Answer(job, os.getpid())

    split = _split(slow_in_the_child)
    jobs = iter(range(400))
    held: list[int] = []
    answers: list[Answer] = []
    for job in jobs:
        answers.extend(split.submit(job))
        held.append(len(split.pending))
    answers.extend(split.finish())
    split.stop()
    assert [a.job for a in answers] == list(range(400))
    assert max(held) <= forksplit.MAX_PENDING + 1


def test_a_run_abandoned_half_way_leaves_no_child() -> None:
    outcomes = _split().run(range(1000))
    for _ in range(50):
        next(outcomes)
    outcomes.close()  # Ctrl-C or an error in the consumer: the generator's finally runs
    # the autouse fixture checks that no child is left


def test_j_counts_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forksplit, "usable_cpus", lambda: 4)
    assert [children_for(n) for n in (1, 2, 3, 4, 8, 0)] == [0, 1, 2, 3, 3, 3]
    monkeypatch.setattr(forksplit, "usable_cpus", lambda: 1)
    assert children_for(0) == children_for(2) == 0


def _jobs(folder: Path, texts: list[str]) -> list[FileJob]:
    folder.mkdir(parents=True, exist_ok=True)
    jobs: list[FileJob] = []
    for n, text in enumerate(texts):
        path = folder / f"s{n:04}.sh"
        path.write_text(text)
        jobs.append(FileJob(str(path), False, Settings(), RULE_TEXT))
    return jobs


def test_j1_never_forks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("-j1 forked")

    monkeypatch.setattr(os, "fork", no_fork)
    texts = [f"codex exec 'task {n}'\n" if n % 4 == 0 else f"echo {n}\n" for n in range(200)]
    result = run_jobs(_jobs(tmp_path, texts), 1)
    assert result.files == 200 and len({f.location.path for f in result.findings}) == 50


def test_run_jobs_forks_once_and_agrees_with_j1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [f"codex exec 'task {n}'\n" if n % 4 == 0 else f"echo {n}\n" for n in range(200)]
    texts[7] = "echo unterminated 'quote\n"
    jobs = [*_jobs(tmp_path, texts), FileJob(str(tmp_path / "gone.sh"), True, Settings())]
    serial = run_jobs(jobs, 1)
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    monkeypatch.setattr(forksplit, "usable_cpus", lambda: 2)
    shared = run_jobs(jobs, 2)
    assert len(forks) == 1
    assert shared.findings == serial.findings and serial.findings
    assert shared.errors == serial.errors and serial.errors  # the missing file
    assert shared.files == serial.files == 201  # the missing file is counted as checked


def test_lint_j2_reports_what_j1_reports_on_workflows(tmp_path: Path) -> None:
    step = "      - run: codex exec -s read-only 'review {n}'\n"
    quiet = "      - run: npm test -- --shard={n}\n"
    files = {
        f".github/workflows/w{n:03}.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        "    steps:\n" + (step if n % 5 == 0 else quiet).format(n=n)
        for n in range(150)
    }
    repo = make_repo(tmp_path / "r", files)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    serial = console("lint", "--format", "json", "--no-cache", "-j1", cwd=repo, env=env)
    shared = console("lint", "--format", "json", "--no-cache", "-j2", cwd=repo, env=env)
    assert serial.code == shared.code == 1
    assert serial.out == shared.out and not shared.err
    assert serial.json()["files"] == 150 and len(serial.json()["findings"]) >= 30


def test_a_run_of_full_checks_goes_on_in_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FORK_FULL_CHECKS_MAX files that need the engine: the rest of the run is the pool's; a run
    with fewer never starts one. Either way the report is `-j1`'s."""
    from concurrent import futures

    started: list[int | None] = []
    real_pool = futures.ProcessPoolExecutor

    def recording_pool(max_workers: int | None = None) -> futures.ProcessPoolExecutor:
        started.append(max_workers)
        return real_pool(max_workers=max_workers)

    monkeypatch.setattr(futures, "ProcessPoolExecutor", recording_pool)
    monkeypatch.setattr(lint, "FORK_FULL_CHECKS_MAX", 40)
    busy = [f"codex exec 'task {n}'\necho {n}\n" for n in range(120)]
    jobs = _jobs(tmp_path / "busy", busy)
    serial = run_jobs(jobs, 1)
    shared = run_jobs(jobs, 2)
    assert started == [2]
    assert shared.findings == serial.findings and shared.files == serial.files == 120
    outcomes = list(lint._forked_then_pool(iter(jobs), 2))  # the queue handed over: in order
    assert [o.findings[0].location.path for o in outcomes] == [job.path for job in jobs]
    quiet = [f"codex exec 'task {n}'\n" if n % 10 == 0 else f"echo {n}\n" for n in range(300)]
    started.clear()
    result = run_jobs(_jobs(tmp_path / "quiet", quiet), 2)
    assert started == [] and result.files == 300 and len(result.findings) >= 30


def test_full_checks_left_waiting_at_the_end_are_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow child: once the walk is done and HELP_AFTER full checks wait, this process takes
    them from the queue's end while the child takes from its head."""
    parent = os.getpid()
    monkeypatch.setattr(forksplit, "HELP_AFTER", 4)

    def slow_in_the_child(job: int) -> Answer:
        if os.getpid() != parent:
            time.sleep(0.02)
        return Answer(job, os.getpid())

    answers = list(_split(slow_in_the_child).run(range(0, 120, 3)))  # 40 full checks
    assert [a.job for a in answers] == list(range(0, 120, 3))
    here = [a.job for a in answers if a.pid == parent]
    assert here and len(here) < 40
    assert min(here) > max(a.job for a in answers if a.pid != parent)  # the queue's end


def test_the_child_goes_on_while_this_process_loads_the_engine_and_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This process's first full check is slow (it loads the engine): the child is handed
    HELP_AFTER more first, and keeps taking jobs after it, so the two share what waited. (It
    was starved: given nothing more once this process began, which then did nearly all.)"""
    parent = os.getpid()
    monkeypatch.setattr(forksplit, "HELP_AFTER", 4)
    loaded: list[bool] = []

    def engine_load_here(job: int) -> Answer:
        if os.getpid() == parent and not loaded:
            loaded.append(True)
            time.sleep(0.3)  # the engine's import
        else:
            time.sleep(0.01)
        return Answer(job, os.getpid())

    answers = list(_split(engine_load_here).run(range(0, 120, 3)))  # 40 full checks
    assert [a.job for a in answers] == list(range(0, 120, 3))
    by_child = [a.job for a in answers if a.pid != parent]
    assert loaded and len(by_child) >= 12  # (starved, it did 2 to 5)


def test_the_childs_extra_stops_where_its_pipe_would_fill(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs so large that HELP_AFTER more would not fit the child's job pipe: it gets what fits,
    and this process still takes the queue's end, never a job from its head."""
    parent = os.getpid()
    monkeypatch.setattr(forksplit, "HELP_AFTER", 8)
    read, write = os.pipe()
    capacity = forksplit._pipe_capacity(write)
    os.close(read)
    os.close(write)
    jobs = [f"{n:04d}" + "x" * (capacity // 6) for n in range(30)]

    def slow(job: str) -> Answer:
        time.sleep(0.05 if os.getpid() == parent else 0.01)
        return Answer(int(job[:4]), os.getpid())

    split: ForkSplit[str, Answer] = ForkSplit(
        lambda job: None, slow, lambda job: job[:4], Answer, 1
    )  # type: ignore[arg-type]
    answers = list(split.run(jobs))
    assert [a.job for a in answers] == list(range(30))
    here = [a.job for a in answers if a.pid == parent]
    by_child = [a.job for a in answers if a.pid != parent]
    assert here and min(here) > max(by_child)
    assert len(by_child) > len(here)  # (linting here from the head, this process did 25 of 30)


def test_the_child_ends_when_told_though_another_process_holds_its_job_pipe() -> None:
    """A process forked after the child (the walk's helper of a cached run) inherits the write
    end of the child's job pipe: `finish` must not wait for an end of file that never comes."""
    split = _split()
    answers = [a for job in range(12) for a in split.submit(job)]
    assert split.children, "a full check went to a child"
    held = os.dup(split.children[0].jobs)  # as a process forked now would hold it
    try:
        answers += _within(20, lambda: list(split.finish()))
    finally:
        os.close(held)
        split.stop()
    assert [a.job for a in answers] == list(range(12))
    assert {a.pid for a in answers if a.job % 3 == 0} != {os.getpid()}  # the child answered


def test_a_child_started_before_the_first_job_warms_up_there_and_still_answers(
    tmp_path: Path,
) -> None:
    """`start()` forks the child at once: its `child_start` (the engine's import, for a run of
    YAML files) runs in the child, not here, and every job still gets its one outcome."""
    marker = tmp_path / "warmed"

    def warm() -> None:
        marker.write_text(str(os.getpid()))

    split: ForkSplit[int, Answer] = ForkSplit(
        _front,
        _full,
        str,
        Answer,
        1,
        child_start=warm,  # type: ignore[arg-type]
    )
    split.start()
    answers = list(split.run(range(60)))
    assert [a.job for a in answers] == list(range(60))
    warmed_in = int(marker.read_text())
    assert warmed_in != os.getpid()
    assert warmed_in in {a.pid for a in answers}  # the warmed child is the one that answered


def test_a_run_of_workflows_warms_the_child_and_reports_what_j1_reports(tmp_path: Path) -> None:
    """A folder of workflows (YAML first): the child is forked before the walk and loads the
    engine itself; the report is `-j1`'s, finding for finding."""
    files = {
        f"r{i}/.github/workflows/w.yml": (
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
            + ("      - run: codex exec --full-auto 'fix it'\n" if i % 7 == 0 else "")
            + "      - run: npm ci\n"
        )
        for i in range(80)
    }
    repo = make_repo(tmp_path, files)
    one = console("lint", "--no-cache", "-j1", ".", cwd=repo)
    two = console("lint", "--no-cache", "-j2", ".", cwd=repo)
    assert one.code == two.code == 1
    assert "CG" in one.out and one.out == two.out
