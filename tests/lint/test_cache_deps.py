"""The lint cache and the other files a file's findings depend on (guard/filereads.py): a Codex
config layer a run reads, a repository file a script copies into config.toml. Creating, editing
or deleting one between two runs changes the cached script's findings exactly as an uncached run
sees them, by the stat fast path and by the content-hash path; an unchanged tree still hits."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, console, make_repo, write

import guard.commands.cachedrun as cachedrun
import guard.commands.lint as lint
import guard.filereads as filereads
import guard.sources.cache as cache

FULL = 'sandbox_mode = "danger-full-access"\n'
SAFE = 'sandbox_mode = "workspace-write"\n'
STORE = Path("codex-guard") / "lint" / "store.sqlite3"


@dataclass(frozen=True)
class Dependency:
    """A script and the other file its lint reads (relative to the repository)."""

    script: str
    text: str
    file: str
    full: str = FULL  # the dependency's text that makes the script's run CG303
    safe: str = SAFE


DEPENDENCIES = {
    "project-config": Dependency(
        "run.sh", 'codex exec --trust -C . "x" </dev/null\n', ".codex/config.toml"
    ),
    "codex-home-config": Dependency(
        "run.sh", 'CODEX_HOME=./home codex exec -C . "x" </dev/null\n', "home/config.toml"
    ),
    "profile-config": Dependency(
        "run.sh",
        'CODEX_HOME=./home codex exec -p fast -C . "x" </dev/null\n',
        "home/fast.config.toml",
    ),
    "copied-into-config": Dependency(
        "run.sh",
        'export CODEX_HOME=/tmp/ch\ncp conf/codex.toml "$CODEX_HOME/config.toml"\n'
        'codex exec -C . "x" </dev/null\n',
        "conf/codex.toml",
    ),
    # a GitLab pipeline's local include: the job it defines runs with --yolo, then without
    "gitlab-include": Dependency(
        ".gitlab-ci.yml",
        "include:\n  - local: ci/agents.yml\n",
        "ci/agents.yml",
        'review:\n  script:\n    - codex exec -C . --yolo -o r.md "x" </dev/null\n',
        'review:\n  script:\n    - codex exec -C . -s read-only -o r.md "x" </dev/null\n',
    ),
}


@dataclass
class Calls:
    paths: list[str]
    content_hits: list[str]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Calls]:
    """In-process runs with a private cache: the paths each run lints (not answered by stat)
    and those of them the content-hash path answered."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CODEX_GUARD_NO_CACHE", raising=False)
    # Files the test wrote a moment ago count as old, so the stat fast path is what runs.
    monkeypatch.setattr(cache, "RACY_NS", 0)
    monkeypatch.setattr(filereads, "RACY_NS", 0)
    seen = Calls([], [])
    real = lint.lint_file

    def recording(job: lint.FileJob) -> lint.FileOutcome:
        seen.paths.append(job.path)
        outcome = real(job)
        if outcome.cache_hit:
            seen.content_hits.append(job.path)
        return outcome

    monkeypatch.setattr(lint, "lint_file", recording)
    yield seen


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, calls: Calls
) -> Callable[..., Run]:
    def lint_in_process(*args: str, cwd: Path) -> Run:
        from guard.cli import main

        monkeypatch.chdir(cwd)
        monkeypatch.setattr(cache, "_stores", {})  # each run opens the store anew, as a process
        capsys.readouterr()
        calls.paths.clear()
        calls.content_hits.clear()
        code = main(["lint", "-j1", "--output-format", "concise", *args])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return lint_in_process


def _later_mtime(path: Path) -> None:
    """Same bytes, another (older) mtime: the stat row no longer matches, the content hash still does."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 1_000_000_000))


@pytest.mark.parametrize("via", ["stat", "content"])
@pytest.mark.parametrize("name", sorted(DEPENDENCIES))
def test_creating_editing_deleting_a_dependency_changes_the_cached_findings(
    tmp_path: Path, run: Callable[..., Run], calls: Calls, name: str, via: str
) -> None:
    dep = DEPENDENCIES[name]
    repo = make_repo(tmp_path / "r", {dep.script: dep.text, "other.sh": "echo hi\n"})
    (repo / "home").mkdir()
    target = repo / dep.file

    def step(expect_cg303: bool) -> None:
        if via == "content":
            _later_mtime(repo / dep.script)
        cached = run(cwd=repo)
        assert dep.script in calls.paths  # never answered by the stale stat row
        if via == "content":
            assert dep.script not in calls.content_hits  # nor by the stale entry
        fresh = run("--no-cache", cwd=repo)
        assert (cached.code, cached.out) == (fresh.code, fresh.out)
        assert ("CG303" in cached.out) is expect_cg303, cached.out

    cold = run(cwd=repo)
    assert "CG303" not in cold.out
    warm = run(cwd=repo)
    assert calls.paths == []  # the dependency is still absent: a stat hit, no lint
    assert warm.out == cold.out

    write(target, dep.full)  # created
    step(expect_cg303=True)
    target.write_text(dep.safe)  # edited
    step(expect_cg303=False)
    target.write_text(dep.full)
    step(expect_cg303=True)
    target.unlink()  # deleted
    step(expect_cg303=False)

    unchanged = run(cwd=repo)
    assert calls.paths == []
    assert unchanged.out == run("--no-cache", cwd=repo).out


def test_an_untouched_dependency_keeps_the_content_hash_hit(
    tmp_path: Path, run: Callable[..., Run], calls: Calls
) -> None:
    dep = DEPENDENCIES["project-config"]
    repo = make_repo(tmp_path / "r", {dep.script: dep.text, dep.file: FULL})
    cold = run(cwd=repo)
    assert "CG303" in cold.out
    _later_mtime(repo / dep.script)
    again = run(cwd=repo)
    assert calls.content_hits == [dep.script]
    assert again.out == cold.out


def test_a_lint_that_reads_something_it_cannot_record_is_not_stored(
    tmp_path: Path, run: Callable[..., Run], calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    dep = DEPENDENCIES["project-config"]
    repo = make_repo(tmp_path / "r", {dep.script: dep.text})
    real = cachedrun.lint_unrecorded

    def untracked(job: lint.FileJob, **options: Any) -> lint.FileOutcome | None:
        filereads.note_untracked()
        return real(job, **options)

    monkeypatch.setattr(cachedrun, "lint_unrecorded", untracked)
    run(cwd=repo)
    run(cwd=repo)
    assert calls.paths == [dep.script] and calls.content_hits == []


def test_probes_outside_a_lint_record_nothing_and_cached_answers_replay(tmp_path: Path) -> None:
    filereads.note(filereads.FILE, tmp_path / "x")  # no lint recording: nothing, no error
    probed: list[str] = []

    @filereads.replaying_cache(maxsize=4)
    def has_git(folder: str) -> bool:
        probed.append(folder)
        filereads.note(filereads.KIND, Path(folder) / ".git")
        return (Path(folder) / ".git").exists()

    for _ in range(2):
        with filereads.recording() as reads:
            assert has_git(str(tmp_path)) is False
        assert reads.result() == (
            filereads.Probe(filereads.KIND, str(tmp_path / ".git"), filereads.ABSENT),
        )
    assert probed == [str(tmp_path)]  # computed once, its probe recorded both times

    (tmp_path / ".git").mkdir()  # the cached value is now stale in this process...
    with filereads.recording() as reads:
        assert has_git(str(tmp_path)) is False
    # ...and it is recorded with the answer it was computed from, so the cache sees the change
    assert reads.result()[0].answer == filereads.ABSENT
    assert not filereads.unchanged(reads.result(), {})


def test_a_resolved_path_is_recorded_with_the_answer_the_caller_got(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`real_noted` records the REAL probe `note` would, from the one `realpath` it returns."""
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    for name in ["link", "target", "dangling", "absent", "link/../target"]:
        path = str(tmp_path / name)
        with filereads.recording() as noted:
            filereads.note(filereads.REAL, path)
        with filereads.recording() as seen:
            real = filereads.real_noted(path)
        assert seen.result() == noted.result(), name
        assert real == os.path.realpath(path) == seen.result()[0].answer, name
    monkeypatch.chdir(tmp_path)
    with filereads.recording() as seen:
        assert filereads.real_noted("link") == str(target)
    assert seen.result() == (filereads.Probe(filereads.REAL, str(tmp_path / "link"), str(target)),)
    assert filereads.real_noted("link") == str(target)  # with no record open: only the answer


def test_a_path_that_cannot_be_resolved_is_its_own_answer_and_is_not_cached(
    tmp_path: Path,
) -> None:
    """A script may name a path with a NUL in it (`-C $'a\\x00b'`): no file has it, so it is
    its own answer (as the lint had it before it resolved paths once), and the lint that met it
    is not stored (as `note` marks it). It was an internal error, with every finding lost."""
    with filereads.recording() as seen:
        assert filereads.real_noted("a\x00b") == "a\x00b"
    assert seen.untracked
    assert seen.result() == ()
    repo = make_repo(tmp_path / "repo", {".codex-guard.yaml": "workspace: .\n"})
    write(repo / "run.sh", "#!/bin/sh\ncodex exec -C $'a\\x00b' -s workspace-write 'do it'\n")
    run = console("lint", "--no-cache", "--format", "json", "run.sh", cwd=repo)
    assert "internal error" not in run.out + run.err
    assert [f["rule"] for f in run.json()["findings"]] == ["CG201"]


def test_a_probe_made_of_the_callers_stat_answers_as_a_fresh_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stat_noted` and `kind_noted` record the answer `note` would (one stat, not two), for
    each thing a path can be; and the caller gets what the probe says."""
    folder = tmp_path / "d"
    folder.mkdir()
    regular = tmp_path / "f.toml"
    regular.write_text("x = 1\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to(regular)
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    names = ["d", "f.toml", "fifo", "link", "dangling", "absent", "f.toml/below"]
    for name in names:
        path = tmp_path / name
        with filereads.recording() as noted:
            filereads.note(filereads.FILE, path)
            filereads.note(filereads.KIND, path)
        with filereads.recording() as seen:
            info = filereads.stat_noted(path)
            kind = filereads.kind_noted(path)
        assert seen.result() == noted.result(), name
        assert (info is None) == (not os.path.exists(path)), name
        assert (kind in filereads.PRESENT) == os.path.exists(path), name
        assert (kind == "dir") == path.is_dir(), name
    # A relative path is recorded absolute, as `note` records it.
    monkeypatch.chdir(tmp_path)
    with filereads.recording() as seen:
        filereads.stat_noted("f.toml")
    assert [p.path for p in seen.result()] == [str(regular)]
    # What a worker sends back is what the store decodes.
    encoded = cache.encode_recorded(seen.stamp, seen.probes)
    assert encoded == cache.encode_reads(cache.Reads(seen.stamp, seen.result()))
    assert cache.decode_reads(encoded) == cache.Reads(seen.stamp, seen.result())
    assert filereads.stat_noted(regular) is not None  # no recording: a plain stat


def test_a_lint_that_stats_a_file_again_goes_on_its_first_recorded_answer(
    tmp_path: Path,
) -> None:
    """A lint asks `stat_noted` of the same config once per codex run; within one file's record
    every ask after the first is the recorded answer (no second stat, and never an answer the
    record does not hold), so a file changed mid-lint is a miss next run. Another file's lint,
    and a stat with no lint recording, see the file as it is now."""
    config = tmp_path / "config.toml"
    config.write_text("x = 1\n")
    with filereads.recording() as reads:
        first = filereads.stat_noted(config)
        config.write_text("x = 22222\n")  # another size: a stat now answers otherwise
        again = filereads.stat_noted(config)
        assert filereads.stat_noted(tmp_path / "absent.toml") is None
        config.unlink()
        assert filereads.stat_noted(config) is again  # gone: still the answer it went on
        assert filereads.stat_noted(tmp_path / "absent.toml") is None
    assert first is not None and again is first
    assert reads.result()[0] == filereads.Probe(
        filereads.FILE, str(config), f"{first.st_size} {first.st_mtime_ns} {first.st_ctime_ns}"
    )
    assert not filereads.unchanged(reads.result(), {})  # the next run misses
    config.write_text("x = 333\n")
    with filereads.recording() as other:
        fresh = filereads.stat_noted(config)
    assert fresh is not None and fresh.st_size == len("x = 333\n")
    assert other.result()[0].answer.startswith(f"{fresh.st_size} ")
    os.truncate(config, 1)
    plain = filereads.stat_noted(config)
    assert plain is not None and plain.st_size == 1  # no recording: a plain stat, every time


def test_a_relative_probe_through_a_link_stays_the_folder_it_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sub/../x` with `sub` a link to `deep/sub` is `deep/x`, not `./x`: the record keeps the
    path as the probe took it, so a change to what the lint looked at is a miss."""
    (tmp_path / "deep" / "sub").mkdir(parents=True)
    (tmp_path / "deep" / "x").mkdir()
    (tmp_path / "sub").symlink_to(tmp_path / "deep" / "sub")
    monkeypatch.chdir(tmp_path)
    with filereads.recording() as reads:
        assert filereads.kind_noted("sub/../x") == "dir"
        filereads.note(filereads.REAL, "sub/../x")
    assert filereads.unchanged(reads.result(), {})
    (tmp_path / "deep" / "x").rmdir()
    (tmp_path / "x").mkdir()  # where a lexical `..` would point: must not stand in for it
    assert filereads.kind_noted("sub/../x") == filereads.ABSENT
    assert not filereads.unchanged(reads.result(), {})


def test_a_replayed_probe_set_is_recorded_once_and_keeps_its_first_answers(
    tmp_path: Path,
) -> None:
    """Replaying the same probes again (a cached helper called many times in one file) leaves
    the record as one replay did; a probe noted before keeps the answer it had."""
    target = tmp_path / "t"
    probes = (
        filereads.Probe(filereads.KIND, str(target), filereads.ABSENT),
        filereads.Probe(filereads.REAL, str(tmp_path), str(tmp_path)),
    )
    target.mkdir()
    with filereads.recording() as reads:
        filereads.note(filereads.REAL, tmp_path)
        for _ in range(3):
            reads.replay(probes)
    assert reads.result() == (
        filereads.Probe(filereads.REAL, str(tmp_path), os.path.realpath(tmp_path)),
        filereads.Probe(filereads.KIND, str(target), filereads.ABSENT),
    )


def test_console_project_config_edit_reaches_a_cached_script(tmp_path: Path) -> None:
    """The reported case, with the real console script and the stat fast path: a trusted
    project's `.codex/config.toml` gains danger-full-access; the cached script gets CG303."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    dep = DEPENDENCIES["project-config"]
    repo = make_repo(tmp_path / "r", {dep.script: dep.text})
    wait = cache.RACY_NS / 1e9 + 0.2
    time.sleep(wait)  # old enough to be trusted by stat
    cold = console("lint", "--output-format", "concise", cwd=repo, env=env)
    assert "CG303" not in cold.out

    write(repo / dep.file, FULL)
    time.sleep(wait)  # the config is old enough too: nothing is racily clean
    edited = console("lint", "--output-format", "concise", cwd=repo, env=env)
    fresh = console("lint", "--output-format", "concise", "--no-cache", cwd=repo, env=env)
    assert "run.sh:1:1: CG303" in edited.out
    assert (edited.code, edited.out) == (fresh.code, fresh.out)
    with sqlite3.connect(tmp_path / "cache" / STORE) as conn:
        deps = dict(conn.execute("SELECT path, deps FROM stats").fetchall())
    stored = cache.decode_reads(deps[dep.script])
    assert stored is not None and str(repo / dep.file) in [p.path for p in stored.probes]

    again = console("lint", "--output-format", "concise", cwd=repo, env=env)
    assert again.out == edited.out
    (repo / dep.file).unlink()
    deleted = console("lint", "--output-format", "concise", cwd=repo, env=env)
    assert "CG303" not in deleted.out
    assert deleted.out == cold.out


def test_console_cd_through_a_linked_folder_follows_the_folder_codex_would_use(
    tmp_path: Path,
) -> None:
    """A script named by a relative path through a link (`sub` -> `other/sub`) runs codex with
    `-C ../proj`: that is `other/proj`, under a danger-full-access project config. When that
    folder goes and a `proj` appears beside the link, the cached run says what a fresh one
    does (the probe names the folder the lint looked at, not `sub/..` read as text)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    repo = make_repo(
        tmp_path / "r",
        {
            "other/.codex/config.toml": FULL,
            "other/sub/.codex/config.toml": SAFE,
            "other/sub/run.sh": '#!/bin/sh\ncodex exec --trust -C ../proj "x" </dev/null\n',
        },
    )
    (repo / "other" / "proj").mkdir()
    (repo / "sub").symlink_to(repo / "other" / "sub")
    time.sleep(cache.RACY_NS / 1e9 + 0.2)  # old enough to be trusted by stat
    args = ("lint", "--output-format", "concise", "sub/run.sh")
    cold = console(*args, cwd=repo, env=env)
    assert "CG303" in cold.out
    (repo / "other" / "proj").rename(repo / "other" / "proj-gone")
    (repo / "proj").mkdir()
    cached = console(*args, cwd=repo, env=env)
    fresh = console(*args, "--no-cache", cwd=repo, env=env)
    assert "CG303" not in fresh.out
    assert (cached.code, cached.out) == (fresh.code, fresh.out)


def test_reads_judged_once_per_set_of_probes_answer_as_each_decoded_alone(tmp_path: Path) -> None:
    """A cached run judges each set of stored probes once (`held`), then only each row's stamp:
    every row must get the answer it gets decoded on its own (racy, changed, unreadable)."""
    import marshal

    here = tmp_path / "here.toml"
    here.write_text(SAFE)
    info = os.stat(here)
    now = f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns}"
    newest = max(info.st_mtime_ns, info.st_ctime_ns)
    gone = str(tmp_path / "gone.toml")
    probe_sets = [
        [["file", str(here), now], ["kind", gone, "absent"]],  # holds
        [["file", str(here), "1 2 3"]],  # changed
        [["kind", gone, "file"]],  # changed
        [["file", gone, "absent"], ["env", "CODEX_GUARD_TEST_UNSET_VAR", "\0unset"]],  # holds
        [["file", str(here), "not three parts"]],  # changed (and not racy: not three parts)
        [["nosuch", "x", "y"]],  # a kind this version does not know: a miss
        [["file", str(here), 7]],  # not text
    ]
    stamps = [newest + filereads.RACY_NS + 1, newest + filereads.RACY_NS, newest, 5]

    def blob(stamp: int, body: object) -> bytes:
        return stamp.to_bytes(cache.STAMP_BYTES, "little", signed=True) + marshal.dumps(body)

    texts = [blob(stamp, tuple(map(tuple, probes)))
             for probes in probe_sets for stamp in stamps]  # fmt: skip
    texts += [
        b"",  # no reads: holds
        blob(1, ()),  # no probes: holds
        blob(1, ())[:-1],  # truncated
        b"nonsense",  # a stamp and nothing after it
        blob(-5, ()),  # holds
        blob(1, []),  # probes not a tuple
        blob(1, (("file", str(here)),)),  # a probe of two fields
        blob(1, (("file", str(here), now, "x"),)),  # of four
        blob(1, ((b"file", str(here).encode(), now.encode()),)),  # bytes, not text
        blob(1, (("env", "CODEX_GUARD_TEST_UNSET_VAR", "\0unset"),)),  # holds
        blob(1, ((lambda: None).__code__,)),  # a code object: a value, never run
        blob(1, ())[: cache.STAMP_BYTES] + b"\xff\x00\x01",  # not marshal data
        "[1,[]]",  # an older version's text: a miss
    ]
    alone = [cache.reads_still_hold(text, {}) for text in texts]  # type: ignore[arg-type]
    memo: cache.ProbeMemo = {}
    held: cache.HeldMemo = {}
    for _ in range(2):  # the second time, every set of probes is judged already
        again = [cache.reads_still_hold(text, memo, held) for text in texts]  # type: ignore[arg-type]
        assert again == alone
    assert alone[0:4] == [True, False, False, False]  # a FILE answer is racy from the 2nd stamp
    assert alone[12:16] == [True] * 4  # no FILE answer: never racy
    assert alone[28:] == [
        True, True, False, False, True, False, False, False, False, True, False, False, False,
    ]  # fmt: skip
    for text in texts[30:]:  # a blob that does not hold decodes as none, never raises
        if not cache.reads_still_hold(text, {}):  # type: ignore[arg-type]
            assert cache.decode_reads(text) is None  # type: ignore[arg-type]
    assert sum(alone) == 1 + 4 + 4
