"""The runner at scale: the walk streams into a bounded pool, config is resolved once per folder,
and a bad config met late in the walk is still one line and exit 2."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import console, make_repo, write

from guard.commands.lint import CHUNK_FILES, TASKS_PER_WORKER, FileJob, _run_parallel
from guard.config import ConfigResolver
from guard.settings import Settings


def test_the_pool_starts_before_the_walk_ends_and_never_holds_the_tree(tmp_path: Path) -> None:
    consumed = 0

    def jobs() -> Iterator[FileJob]:
        nonlocal consumed
        for n in range(2_000):
            consumed += 1
            yield FileJob(str(tmp_path / f"missing-{n}.sh"), True, Settings())

    outcomes = _run_parallel(jobs(), 2)
    first = next(outcomes)
    assert first.errors and "missing-0.sh" in first.errors[0].path
    # in flight: at most TASKS_PER_WORKER tasks per worker, plus the one being cut
    assert consumed <= CHUNK_FILES * (2 * TASKS_PER_WORKER + 1)
    rest = list(outcomes)
    assert consumed == 2_000 and len(rest) == 1_999
    paths = [first.errors[0].path, *(o.errors[0].path for o in rest)]
    assert paths == [str(tmp_path / f"missing-{n}.sh") for n in range(2_000)]  # in job order


def test_config_is_found_once_per_folder_and_agrees_with_the_per_file_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import guard.config as config

    write(tmp_path / "a" / ".codex-guard.yaml", "ignore: [CG201]\n")
    write(tmp_path / "a" / "b" / "c" / "x.sh", "")
    write(tmp_path / "a" / "b" / "pyproject.toml", "[tool.codex-guard]\nignore = ['CG301']\n")
    write(tmp_path / "d" / "y.sh", "")
    folders = [tmp_path / "a" / "b" / "c", tmp_path / "a", tmp_path / "d", tmp_path / "a" / "b"]
    expected = [ConfigResolver().settings_for(folder / "x.sh") for folder in folders]
    looked: list[Path] = []
    real_config_in = config.config_in

    def counting(folder: Path | str, names: object = None) -> Path | None:
        looked.append(Path(folder))
        return real_config_in(folder, names)  # type: ignore[arg-type]

    monkeypatch.setattr(config, "config_in", counting)
    resolver = ConfigResolver()
    for _ in range(3):
        answers = [resolver.settings_for_dir(os.path.realpath(folder)) for folder in folders]
        assert answers == expected
    asked = [f for f in looked if str(f).startswith(str(tmp_path))]
    assert len(asked) == len(set(asked))  # each folder looked at once, whatever asks
    assert resolver.settings_for_dir(str(tmp_path / "a" / "b" / "c")).ignore == ("CG301",)
    assert resolver.settings_for_dir(str(tmp_path / "a")).ignore == ("CG201",)
    assert resolver.settings_for_dir(str(tmp_path / "d")).ignore == ()


def test_a_bad_config_deep_in_a_large_walk_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    repo = make_repo(tmp_path / "r")
    for n in range(150):  # past the pool's threshold: the walk streams into workers
        write(repo / "a" / f"s{n:03d}.sh", 'codex exec -s read-only "x"\n')
    write(repo / "z" / ".codex-guard.yaml", "select: [CG2\n")
    write(repo / "z" / "last.sh", "echo\n")
    for jobs in ("-j1", "-j2"):
        run = console("lint", jobs, cwd=repo, env=env)
        assert run.code == 2, run.out
        assert run.out == ""
        lines = run.err.strip().splitlines()
        assert len(lines) == 1 and ".codex-guard.yaml" in lines[0], run.err


def test_excluded_folders_are_read_relative_to_their_config(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    repo = make_repo(tmp_path / "r")
    write(repo / "p" / ".codex-guard.yaml", "exclude: [gen/, '*.tmp.sh']\n")
    for name in ("p/gen/a.sh", "p/src/b.tmp.sh", "p/src/c.sh", "gen/d.sh"):
        write(repo / name, 'codex exec -s read-only "x"\n')
    os.symlink(repo / "p" / "src" / "c.sh", repo / "link.sh")  # config of the target's folder
    run = console("lint", "--format", "json", "-j1", cwd=repo, env=env)
    paths = sorted({f["path"] for f in run.json()["findings"]})
    assert paths == ["gen/d.sh", "link.sh", "p/src/c.sh"]


def test_a_walked_folder_s_config_is_looked_for_only_under_the_names_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk hands each folder's listing to the config lookup: a folder without a config
    name costs no `stat` for one, and a folder with one still finds it."""
    import guard.config as config
    from guard.commands.lint import Overrides, _collect_jobs

    for n in range(20):
        write(tmp_path / "repo" / f"p{n}" / "run.sh", "echo hi\n")
    write(tmp_path / "repo" / "p7" / ".codex-guard.yaml", "ignore: [CG301]\n")
    asked: list[str] = []
    real_isfile = os.path.isfile

    def isfile(path: str) -> bool:
        if os.path.basename(path) in (*config.CONFIG_NAMES, config.PYPROJECT):
            asked.append(path)
        return real_isfile(path)

    monkeypatch.setattr(config.os.path, "isfile", isfile)
    overrides = Overrides(select=None, ignore=(), strict=False)
    jobs = list(_collect_jobs((str(tmp_path / "repo"),), ConfigResolver(), overrides, {}))
    by_folder = {Path(job.path).parent.name: job.settings.ignore for job in jobs}
    assert by_folder["p7"] == ("CG301",) and by_folder["p3"] == ()
    inside = [p for p in asked if p.startswith(str(tmp_path / "repo") + "/")]
    assert inside == [str(tmp_path / "repo" / "p7" / ".codex-guard.yaml")]


def test_on_a_case_insensitive_file_system_the_walk_asks_what_isfile_would_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows find `.Codex-Guard.yaml` when asked for `.codex-guard.yaml`: the walk's
    listing (the file's own spelling) must not keep the config lookup from asking."""
    import guard.config as config
    from guard.commands.lint import Overrides, _collect_jobs

    write(tmp_path / "repo" / "p" / "run.sh", "echo hi\n")
    write(tmp_path / "repo" / "p" / ".Codex-Guard.yaml", "ignore: [CG301]\n")
    write(tmp_path / "repo" / "q" / "run.sh", "echo hi\n")
    asked: list[str] = []
    real_isfile = os.path.isfile

    def isfile(path: str) -> bool:
        asked.append(path)
        return real_isfile(path)

    monkeypatch.setattr(config.os.path, "isfile", isfile)
    overrides = Overrides(select=None, ignore=(), strict=False)
    list(_collect_jobs((str(tmp_path / "repo"),), ConfigResolver(), overrides, {}))
    inside = [p for p in asked if p.startswith(str(tmp_path / "repo") + "/")]
    assert inside == [str(tmp_path / "repo" / "p" / ".codex-guard.yaml")]  # q: nothing asked


def test_a_pool_that_cannot_fork_lints_every_file_in_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No process can be forked (a process limit, a sandbox): the pool's first `submit` raises,
    and the chunk it was given is linted in line with the rest, not dropped."""

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    count = CHUNK_FILES * 3 + 5
    jobs = (FileJob(str(tmp_path / f"missing-{n}.sh"), True, Settings()) for n in range(count))
    outcomes = list(_run_parallel(jobs, 2))
    paths = [o.errors[0].path for o in outcomes]
    assert paths == [str(tmp_path / f"missing-{n}.sh") for n in range(count)]  # each once, in order


def test_a_pool_that_forks_some_workers_leaves_none_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first worker forks, the second cannot: `submit` raises before the pool's manager
    starts, so nothing would ever tell the first one to stop, and the interpreter's exit (which
    joins its children) would wait for it forever. The run lints in line and stops it."""
    import multiprocessing

    real_fork = os.fork
    forks = [1]

    def fork_once() -> int:
        if not forks[0]:
            raise OSError(11, "Resource temporarily unavailable")
        forks[0] -= 1
        return real_fork()

    monkeypatch.setattr(os, "fork", fork_once)
    count = CHUNK_FILES + 3
    jobs = (FileJob(str(tmp_path / f"missing-{n}.sh"), True, Settings()) for n in range(count))
    try:
        outcomes = list(_run_parallel(jobs, 2))
        assert len(outcomes) == count
        for child in multiprocessing.active_children():
            child.join(5)
        assert not multiprocessing.active_children()
    finally:
        for child in multiprocessing.active_children():  # (not to hang this test run's exit)
            child.kill()
            child.join()
