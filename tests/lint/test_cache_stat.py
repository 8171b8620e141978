"""The cache's stat fast path: an unchanged file is answered in the run's parent from its stat
data (no read, no hash, no worker; no pool when every file matches), and the content hash stays
the truth whenever the stat data differ or are racily clean."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, cached_lint_runner, console, make_repo, record_lint_calls, write

import guard.commands.lint as lint
import guard.sources.cache as cache

STORE = Path("codex-guard") / "lint" / "store.sqlite3"
BAD = 'codex exec -C . -s read-only "x"\n'  # CG201: a positional prompt on an open stdin
GOOD = 'codex exec -C . -s read-only "x" </dev/null\n'
# Same size as BAD, other findings: a changed file whose size and mtime are put back.
BAD_SAME_SIZE = "codex exec -C . -s read-only  x \n"
assert len(BAD_SAME_SIZE) == len(BAD)


def _tree(root: Path) -> Path:
    return make_repo(
        root,
        {
            "run.sh": BAD,
            "ok.sh": GOOD,
            "plain.sh": "echo hello\n",  # never mentions codex: rejected unparsed
            "notes.txt": "codex exec x\n",  # no reader takes it
            "docs/guide.md": f"# Guide\n\n```sh\n{BAD}```\n",
            "sub/.codex-guard.yaml": "ignore: [CG201]\n",
            "sub/deep.sh": BAD,
        },
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    """In-process runs with a private cache; the paths each run hands to `lint_file`."""
    yield record_lint_calls(monkeypatch, tmp_path)


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, calls: list[str]
) -> Callable[..., Run]:
    return cached_lint_runner(capsys, monkeypatch, calls, "-j1")


def _no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test a moment ago count as old: only for tests whose edits change
    the size, so the trust rule itself is what they exercise."""
    monkeypatch.setattr(cache, "RACY_NS", 0)


def test_unchanged_files_are_answered_without_a_read_or_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    reference = run("--format", "json", "--no-cache", cwd=repo)
    cold = run("--format", "json", cwd=repo)
    # (notes.txt: no reader takes it by its name, so no run hands it to a worker)
    assert sorted(calls) == sorted(
        ["run.sh", "ok.sh", "plain.sh", "docs/guide.md", "sub/.codex-guard.yaml", "sub/deep.sh"]
    )  # fmt: skip
    warm = run("--format", "json", cwd=repo)
    assert calls == []
    assert (warm.code, warm.out) == (cold.code, cold.out) == (reference.code, reference.out)
    for style in (["--format", "text"], ["--format", "sarif"], ["--output-format", "concise"]):
        assert run(*style, cwd=repo).out == run(*style, "--no-cache", cwd=repo).out


def test_a_racily_clean_file_is_hashed_and_a_same_size_edit_is_caught(
    tmp_path: Path, run: Callable[..., Run], calls: list[str]
) -> None:
    repo = _tree(tmp_path / "r")
    first = run("--format", "json", cwd=repo)
    # Written just now: the look at them is not RACY_NS after their mtime, so not trusted.
    second = run("--format", "json", cwd=repo)
    assert "run.sh" in calls and second.out == first.out
    # Same size, mtime put back, in the same instant: the content hash sees the change.
    target = repo / "run.sh"
    before = target.stat()
    target.write_text(BAD_SAME_SIZE)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    changed = run("--format", "json", cwd=repo)
    assert changed.out == run("--format", "json", "--no-cache", cwd=repo).out
    assert changed.out != first.out


def test_console_same_size_edit_with_mtime_restored_after_a_trusted_look(tmp_path: Path) -> None:
    """The real console script: files older than the racy window are trusted by stat; a content
    edit that keeps size and mtime still changes ctime, so it is re-hashed and caught."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    repo = _tree(tmp_path / "r")
    time.sleep(cache.RACY_NS / 1e9 + 0.2)
    cold = console("lint", "--format", "json", cwd=repo, env=env)
    rows = _stat_rows(tmp_path)
    assert rows["run.sh"][1] < rows["run.sh"][2] - cache.RACY_NS  # trusted from now on
    warm = console("lint", "--format", "json", cwd=repo, env=env)
    assert (warm.code, warm.out) == (cold.code, cold.out)

    target = repo / "run.sh"
    before = target.stat()
    target.write_text(BAD_SAME_SIZE)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    edited = console("lint", "--format", "json", cwd=repo, env=env)
    fresh = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    assert edited.out == fresh.out != cold.out

    # touched, not changed: still the same answer, and its stat row now says the new mtime
    os.utime(repo / "ok.sh")
    touched = console("lint", "--format", "json", cwd=repo, env=env)
    assert touched.out == fresh.out
    assert _stat_rows(tmp_path)["ok.sh"][1] == (repo / "ok.sh").stat().st_mtime_ns


def _stat_rows(tmp_path: Path) -> dict[str, tuple[int, int, int]]:
    """path -> (size, mtime, stamp) of the store's stat rows."""
    with sqlite3.connect(tmp_path / "cache" / STORE) as conn:
        rows = conn.execute("SELECT path, size, mtime, stamp FROM stats").fetchall()
    return {path: (size, mtime, stamp) for path, size, mtime, stamp in rows}


def test_edits_between_runs_match_an_uncached_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    run("--format", "json", cwd=repo)

    def same_as_uncached() -> None:
        cached = run("--format", "json", cwd=repo)
        assert (cached.code, cached.out) == tuple(
            getattr(run("--format", "json", "--no-cache", cwd=repo), k) for k in ("code", "out")
        )

    write(repo / "ok.sh", GOOD + "echo more\n")  # other size
    write(repo / "new.sh", BAD)  # a new file
    (repo / "docs" / "guide.md").unlink()  # a file gone
    (repo / "run.sh").rename(repo / "moved.sh")  # same inode, other path
    same_as_uncached()
    write(repo / "sub" / ".codex-guard.yaml", "ignore: []\n")  # the config changes the scope
    same_as_uncached()
    data = run("--format", "json", cwd=repo).json()
    assert ("sub/deep.sh", "CG201") in {(f["path"], f["rule"]) for f in data["findings"]}
    assert calls == []  # all unchanged by now


def test_a_permission_change_is_never_a_stat_hit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    run("--format", "json", cwd=repo)
    (repo / "run.sh").chmod(0o000)
    try:
        after = run("--format", "json", cwd=repo)
    finally:
        (repo / "run.sh").chmod(0o644)
    assert calls == ["run.sh"]  # the mode (and ctime) changed: the file goes to be read
    if os.getuid() != 0:  # root reads it anyway
        assert after.code == 2
        assert [e["path"] for e in after.json()["errors"]] == ["run.sh"]


def test_every_file_a_hit_starts_no_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_racy_window(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CODEX_GUARD_NO_CACHE", raising=False)
    repo = make_repo(tmp_path / "r")
    for n in range(lint.PARALLEL_THRESHOLD * 2):
        write(repo / f"s{n:03d}.sh", BAD if n % 2 else f"echo {n}\n")
    monkeypatch.chdir(repo)
    from guard.cli import main

    assert main(["lint", "-j2", "--format", "json"]) == 1
    cold = capsys.readouterr().out
    monkeypatch.setattr(cache, "_stores", {})
    pools: list[int] = []

    def no_pool(*args: Any) -> Iterator[lint.FileOutcome]:
        pools.append(1)
        raise AssertionError("a pool was started")

    monkeypatch.setattr(lint, "_run_parallel", no_pool)
    assert main(["lint", "-j2", "--format", "json"]) == 1
    assert capsys.readouterr().out == cold and pools == []


def test_an_unusable_store_costs_a_relint_never_a_wrong_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    cold = run("--format", "json", cwd=repo)
    store = tmp_path / "cache" / STORE
    store.chmod(0o666)  # others could have written it: not read, not written
    try:
        shared = run("--format", "json", cwd=repo)
        assert len(calls) == 6 and shared.out == cold.out  # every file a reader takes
    finally:
        store.chmod(0o600)

    # A store that cannot be written (read-only: root ignores file modes, SQLite does not).
    def read_only(path: str) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)

    monkeypatch.setattr(cache, "_connect", read_only)
    write(repo / "ok.sh", GOOD + "echo changed\n")
    unwritable = run("--format", "json", cwd=repo)
    assert calls == ["ok.sh"]  # the edited file was linted; the others still hit
    assert unwritable.out == run("--format", "json", "--no-cache", cwd=repo).out
    again = run("--format", "json", cwd=repo)
    assert again.out == unwritable.out and calls == ["ok.sh"]  # nothing was stored


def test_a_first_run_makes_the_store_at_its_first_write_and_looks_nothing_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    """With no store yet, the run does not make one before it starts linting (SQLite waits on
    the disk five times to set one up): its writer does, at its first batch, while the workers
    lint; and no file is looked up in a store that cannot hold it."""
    import guard.commands.cachedrun as cachedrun

    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    store = tmp_path / "cache" / STORE
    at_first_write: list[bool] = []
    flush = cachedrun.CacheWriter.flush

    def first_write(writer: cachedrun.CacheWriter) -> None:
        at_first_write.append(store.exists())
        flush(writer)

    looked_up: list[str] = []
    stored_outcome = cachedrun.stored_outcome

    def looking_up(job: lint.FileJob, data: bytes, kind: str) -> Any:
        looked_up.append(job.path)
        return stored_outcome(job, data, kind)

    monkeypatch.setattr(cachedrun.CacheWriter, "flush", first_write)
    monkeypatch.setattr(cachedrun, "stored_outcome", looking_up)
    reference = run("--format", "json", "--no-cache", cwd=repo)
    cold = run("--format", "json", cwd=repo)
    assert cold.out == reference.out and len(calls) == 6
    assert at_first_write[0] is False and store.exists() and looked_up == []
    warm = run("--format", "json", cwd=repo)
    assert warm.out == reference.out and calls == []  # the store the writer made answers


def _damage_pages(store: Path) -> None:
    """Garble the middle of every page but the first (the header stays: SQLite still opens
    the file, and finds the damage only when a query reaches a page), as a torn write would."""
    page = int(sqlite3.connect(store).execute("PRAGMA page_size").fetchone()[0])
    size = store.stat().st_size
    assert size >= 3 * page  # the stats and entries tables have pages of their own
    with store.open("r+b") as data:
        for offset in range(page, size, page):
            data.seek(offset + 8)
            data.write(bytes(range(256)) * ((page - 16) // 256))


def test_a_damaged_store_is_replaced_and_answers_again_from_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    reference = run("--format", "json", "--no-cache", cwd=repo)
    run("--format", "json", cwd=repo)
    store = tmp_path / "cache" / STORE
    assert not Path(f"{store}-wal").exists()  # all of it in the store file
    _damage_pages(store)

    damaged = run("--format", "json", cwd=repo)
    assert (damaged.code, damaged.out) == (reference.code, reference.out)
    assert len(calls) == 6 and "Traceback" not in damaged.err  # every file relinted
    refilled = run("--format", "json", cwd=repo)  # a new store, filled
    assert refilled.out == reference.out and len(calls) == 6
    warm = run("--format", "json", cwd=repo)
    assert warm.out == reference.out and calls == []  # answered from the new store
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)


def test_a_damaged_store_replaced_by_another_run_meanwhile_is_left_alone(
    tmp_path: Path,
) -> None:
    store = cache.open_store(str(tmp_path / "lint"))
    assert store is not None
    path = str(tmp_path / "lint" / cache.STORE_NAME)
    opened = cache._identity(path)
    os.unlink(path)  # another run found it damaged first, and has made a new one
    assert cache._create(path)
    cache._discard(path, opened)
    assert os.path.exists(path)  # not the file this process opened: kept
    cache._discard(path, cache._identity(path))
    assert not os.path.exists(path)
    store.close()


def test_a_damaged_store_is_removed_while_its_file_is_still_held_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the connection is closed the file's inode may be freed, and Linux gives a freed
    inode number to the next new file at once: a store another run makes then can have the
    very (device, inode) this one was opened with. So the damaged file is removed first."""
    folder = str(tmp_path / "lint")
    store = cache._open(folder)
    assert store is not None
    path = os.path.join(folder, cache.STORE_NAME)
    closing = store.close

    def close_then_another_run_makes_a_store() -> None:
        closing()
        if os.path.exists(path):  # (not yet removed: this run's file, freed by the close)
            os.unlink(path)
        assert cache._create(path)
        monkeypatch.setattr(store, "_identity", cache._identity(path))  # its inode, reused

    monkeypatch.setattr(store, "close", close_then_another_run_makes_a_store)
    error = sqlite3.DatabaseError("database disk image is malformed")
    error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
    store._failed(error)
    assert os.path.exists(path)  # the other run's new store is kept


@pytest.mark.parametrize(
    ("code", "is_damage"),
    [
        (sqlite3.SQLITE_CORRUPT, True),
        (sqlite3.SQLITE_CORRUPT | (3 << 8), True),  # SQLITE_CORRUPT_INDEX: an extended code
        (sqlite3.SQLITE_NOTADB, True),
        (sqlite3.SQLITE_BUSY, False),  # another run holds it: wait next time, never remove
        (sqlite3.SQLITE_READONLY, False),
        (sqlite3.SQLITE_IOERR, False),
    ],
)
def test_only_damage_removes_a_store(code: int, is_damage: bool) -> None:
    error = sqlite3.DatabaseError("x")
    error.sqlite_errorcode = code
    assert cache.damaged(error) is is_damage
    assert not cache.damaged(sqlite3.DatabaseError("no code"))


def test_a_store_row_is_trusted_only_when_old_enough() -> None:
    data = (10, 5_000_000_000, 5_000_000_000, 1, 2, 0o100644)
    old_enough = 5_000_000_000 + cache.RACY_NS + 1
    assert cache.trusted(data, old_enough, data)
    same_tick = 5_000_000_000 + cache.RACY_NS
    assert not cache.trusted(data, same_tick, data)
    for index in range(len(data)):  # any stat field changed: not trusted
        changed = tuple(v + 1 if i == index else v for i, v in enumerate(data))
        assert not cache.trusted(data, old_enough, changed)  # type: ignore[arg-type]
    future_ctime = (10, 1, 9_000_000_000, 1, 2, 0o100644)
    assert not cache.trusted(future_ctime, 8_000_000_000, future_ctime)


def test_a_name_that_is_not_utf8_is_linted_every_run_and_spoils_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    odd = os.fsdecode(b"odd\xff.sh")
    write(repo / odd, BAD)
    cold = run("--format", "json", cwd=repo)
    assert "odd\\xff.sh" in {f["path"] for f in cold.json()["findings"]}, cold
    warm = run("--format", "json", cwd=repo)
    assert calls == [odd]  # no stat row for it; the batch it was in still stored the others
    assert (warm.code, warm.out) == (cold.code, cold.out)


def test_a_scope_is_known_while_a_stat_row_has_it(tmp_path: Path) -> None:
    """`has_scope` (whether a run may look its files up at all) follows the rows: a scope
    comes with its first row and goes with its last, pruned; another scope stays."""
    store = cache.open_store(str(tmp_path / "store"))
    assert store is not None

    def row(path: str, scope: str) -> cache.StatRow:
        looked = (time.time_ns(), os.stat(__file__))
        made = cache.stat_row(path, scope, looked, "", True, "")
        assert made is not None
        return made

    assert not store.has_scope("old") and not store.has_scope("new")
    store.save([], [], now=1_000, stats=[row("/a.sh", "old"), row("/b.sh", "old")])
    store.save([], [], now=9_000, stats=[row("/a.sh", "new")])
    assert store.has_scope("old") and store.has_scope("new")
    with sqlite3.connect(tmp_path / "store" / cache.STORE_NAME) as conn:
        conn.execute("UPDATE stats SET used = 1000 WHERE scope = 'old'")
    store.prune(max_age_s=5_000, now=9_000)
    assert not store.has_scope("old") and store.has_scope("new")
    with sqlite3.connect(tmp_path / "store" / cache.STORE_NAME) as conn:
        assert conn.execute("SELECT path, scope FROM stats").fetchall() == [("/a.sh", "new")]
    # Over the cap: the least recently used row goes, and its scope with it.
    store.save([], [], stats=[row("/b.sh", "other")])
    with sqlite3.connect(tmp_path / "store" / cache.STORE_NAME) as conn:
        conn.execute("UPDATE stats SET used = 2000 WHERE scope = 'other'")
    store.prune(max_entries=1, max_age_s=10**9, now=9_000)
    assert not store.has_scope("other") and store.has_scope("new")


def test_a_batch_is_stored_whole_and_in_order_across_its_insert_statements(
    tmp_path: Path,
) -> None:
    """`save` writes `ROWS_PER_INSERT` rows to a statement: every row of a batch is stored, the
    rows past the last full statement too, and a path or key given twice keeps its later row
    (as one statement a row did), also when both are in the same statement."""
    store = cache.open_store(str(tmp_path / "store"))
    assert store is not None
    count = cache.ROWS_PER_INSERT * 2 + 5
    info = os.stat(__file__)
    stats = []
    for n in range(count):
        made = cache.stat_row(f"/f{n}.sh", "s", (n, info), f"k{n}", True, "")
        assert made is not None
        stats.append(made)
    added = [(f"k{n}", f"{n}".encode(), "") for n in range(count)]
    added.insert(0, ("k1", b"earlier", ""))  # the same statement as k1's later row
    early = cache.stat_row("/f1.sh", "s", (10**6, info), "k1", True, "")
    late = cache.stat_row("/f2.sh", "s", (7, info), "k2", True, "")
    assert early is not None and late is not None
    stats.insert(0, early)  # before /f1.sh's own row, in the same statement
    stats.append(late)  # past the last full statement: after /f2.sh's row in the first one
    store.save(added, [], now=1_000, stats=stats)
    with sqlite3.connect(tmp_path / "store" / cache.STORE_NAME) as conn:
        rows = dict(conn.execute("SELECT path, stamp FROM stats").fetchall())
        entries = dict(conn.execute("SELECT key, findings FROM entries").fetchall())
    assert rows == {f"/f{n}.sh": 7 if n == 2 else n for n in range(count)}
    assert entries == {f"k{n}": f"{n}".encode() for n in range(count)}


def test_a_hit_is_never_pruned_as_unused_by_the_run_it_hit_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Run], calls: list[str]
) -> None:
    """Back to a tree after a month: its rows are old, so the run that stores the one changed
    file also prunes; the files it answered by stat are used by that run and stay stored, and
    the next run answers them again without a read."""
    _no_racy_window(monkeypatch)
    repo = _tree(tmp_path / "r")
    cold = run("--format", "json", cwd=repo)
    with sqlite3.connect(tmp_path / "cache" / STORE) as conn:
        conn.execute("UPDATE stats SET used = 5")  # long ago: past the prune's age
        conn.execute("UPDATE entries SET used = 5")
    write(repo / "ok.sh", GOOD + "echo more\n")
    calls.clear()
    back = run("--format", "json", cwd=repo)
    assert calls == ["ok.sh"] and back.out == cold.out
    again = run("--format", "json", cwd=repo)
    assert calls == [] and again.out == cold.out
