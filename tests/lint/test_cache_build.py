"""A folder with no store gets one built under a name of its own and published whole as the run
ends (guard/sources/cache.py `_build`): never read half made, never published over another run's
store or beside a log left by a removed one, and what a crashed build leaves is removed."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import console, make_repo, write

from guard.findings import Finding, Location, Severity
from guard.sources import cache

BAD = 'codex exec -C . -s read-only "x"\n'  # CG201: a positional prompt on an open stdin
REPO_ROOT = Path(__file__).resolve().parents[2]


def _finding(n: int) -> Finding:
    return Finding("CG201", "x", Severity.ERROR, f"m{n}", Location(f"f{n}.sh", 1, 1, 1, 2))


def _builds(folder: Path) -> list[str]:
    return sorted(
        name
        for name in os.listdir(folder)
        if name.startswith(cache.BUILD_PREFIX) and name.endswith(cache.BUILD_SUFFIX)
    )


def _keys(store: Path) -> set[str]:
    with sqlite3.connect(store) as conn:
        return {key for (key,) in conn.execute("SELECT key FROM entries")}


@pytest.fixture(autouse=True)
def _own_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_stores", {})


def test_a_new_store_is_built_aside_and_appears_whole_as_the_run_ends(tmp_path: Path) -> None:
    folder = tmp_path / "lint"
    store = folder / cache.STORE_NAME
    built = cache.open_store(str(folder), build=True)
    assert built is not None and built.fresh
    built.save([("K1", cache.encode([_finding(1)]))], [], now=100)
    built.save([("K2", cache.encode([]))], [], now=100)
    assert not store.exists()  # a run that starts now finds none, never a half-made one
    [building] = _builds(folder)
    assert stat.S_IMODE((folder / building).stat().st_mode) == 0o600
    cache.close_stores()
    assert sorted(os.listdir(folder)) == [cache.STORE_NAME]  # no build, no log
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert store.read_bytes()[18:20] == b"\x02\x02"  # WAL mode already: no run switches it
    opened = cache.open_store(str(folder))
    assert opened is not None and not opened.fresh
    try:
        assert opened.get("K1") == [_finding(1)] and opened.get("K2") == []
        assert opened._conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert opened._conn.execute("PRAGMA page_size").fetchone() == (cache.PAGE_BYTES,)
        assert opened._conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        cache.close_stores()


def test_readers_never_build_and_a_store_there_is_written_in_place(tmp_path: Path) -> None:
    folder = tmp_path / "lint"
    there = cache.open_store(str(folder))  # made in place, as before
    assert there is not None
    there.save([("K1", cache.encode([]))], [], now=100)
    cache.close_stores()
    assert _builds(folder) == []
    writer = cache.open_store(str(folder), build=True)
    assert writer is not None and not writer.fresh
    writer.save([("K2", cache.encode([]))], [], now=100)
    assert _builds(folder) == [] and _keys(folder / cache.STORE_NAME) == {"K1", "K2"}
    cache.close_stores()


def test_a_build_is_never_published_over_a_store_another_run_made(tmp_path: Path) -> None:
    folder = tmp_path / "lint"
    built = cache.open_store(str(folder), build=True)
    assert built is not None
    built.save([("MINE", cache.encode([]))], [], now=100)
    other = cache._open(str(folder))  # another run, which found no store either, made one
    assert other is not None
    other.save([("THEIRS", cache.encode([]))], [], now=100)
    cache.close_stores()  # the build goes; the other run's store, which it holds open, stays
    assert _builds(folder) == []
    assert other.get("THEIRS") == []
    other.close()
    assert _keys(folder / cache.STORE_NAME) == {"THEIRS"}


def test_a_build_with_a_failed_write_is_dropped(tmp_path: Path) -> None:
    """No journal: a transaction rolled back may have left part of itself in the file."""
    folder = tmp_path / "lint"
    built = cache.open_store(str(folder), build=True)
    assert built is not None
    built.save([("K1", cache.encode([]))], [], now=100)
    row = ("\udcff.sh", "s", 1, 2, 3, 4, 5, 6, 7, "", 1, 7, b"")  # not UTF-8: SQLite refuses it
    built.save([("K2", cache.encode([]))], [], now=100, stats=[row])
    cache.close_stores()
    assert os.listdir(folder) == []  # nothing published, the build removed


def test_where_there_are_no_hard_links_the_build_is_copied_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("no hard links here")

    folder = tmp_path / "lint"
    built = cache.open_store(str(folder), build=True)
    assert built is not None
    built.save([("K1", cache.encode([_finding(1)]))], [], now=100)
    monkeypatch.setattr(os, "link", no_links)
    cache.close_stores()
    assert sorted(os.listdir(folder)) == [cache.STORE_NAME]
    opened = cache.open_store(str(folder))
    assert opened is not None
    try:
        assert opened.get("K1") == [_finding(1)]
        assert opened._conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        cache.close_stores()


def _left_log(tmp_path: Path) -> bytes:
    """The log of a store whose run ended without closing it: frames of two committed writes,
    valid for any store file of its page size."""
    old = cache._open(str(tmp_path / "old"))
    assert old is not None
    old.save([(f"OLD{n}", cache.encode([_finding(n)])) for n in range(200)], [], now=100)
    old.save([("OLDER", cache.encode([]))], [], now=100)
    log = (tmp_path / "old" / f"{cache.STORE_NAME}-wal").read_bytes()
    old.close()
    assert len(log) > 2 * cache.PAGE_BYTES
    return log


def test_a_log_left_beside_a_missing_store_is_never_read_as_the_new_ones(
    tmp_path: Path,
) -> None:
    """A crash while a damaged store was removed (the file gone, its log not yet), or a store
    deleted by hand: SQLite reads a log beside a store file as that file's, whatever made it.
    A built store is then not linked beside it, but made in place (where SQLite drops a log
    beside an empty file) and the build copied in."""
    log = _left_log(tmp_path)
    folder = tmp_path / "lint"
    folder.mkdir(mode=0o700)
    write(folder / f"{cache.STORE_NAME}-wal", log).chmod(0o600)
    built = cache.open_store(str(folder), build=True)
    assert built is not None
    built.save([("NEW", cache.encode([_finding(7)]))], [], now=100)
    cache.close_stores()
    assert _builds(folder) == []
    opened = cache.open_store(str(folder))
    assert opened is not None
    try:
        assert opened.get("NEW") == [_finding(7)]
        assert opened.get("OLD1") is None and opened.count() == 1
        assert opened._conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        cache.close_stores()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def _planted_build(folder: Path, name: str, answer: list[Finding]) -> Path:
    """A build file holding every key `answer` would be stored under, as a crashed run's."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    conn = cache._connect_building(str(path))
    with conn:
        conn.execute("INSERT INTO entries (key, findings, used) VALUES ('K', ?, 1)",
                     (cache.encode(answer),))  # fmt: skip
    conn.close()
    path.chmod(0o600)
    return path


def test_builds_left_by_runs_that_are_gone_are_removed_and_never_read(tmp_path: Path) -> None:
    folder = tmp_path / "lint"
    gone = _planted_build(folder, f"{cache.BUILD_PREFIX}{_dead_pid()}.aa{cache.BUILD_SUFFIX}", [])
    running = _planted_build(
        folder, f"{cache.BUILD_PREFIX}{os.getpid()}.bb{cache.BUILD_SUFFIX}", []
    )
    stalled = _planted_build(
        folder, f"{cache.BUILD_PREFIX}{os.getpid()}.cc{cache.BUILD_SUFFIX}", []
    )
    old = time.time() - cache.BUILD_STALE_S - 60
    os.utime(stalled, (old, old))
    built = cache.open_store(str(folder), build=True)
    assert built is not None
    built.save([("K2", cache.encode([_finding(2)]))], [], now=100)
    assert not gone.exists() and not stalled.exists()
    assert running.exists()  # a build of a running process, written lately: its run may go on
    cache.close_stores()
    assert _keys(folder / cache.STORE_NAME) == {"K2"}


def test_a_run_killed_while_building_leaves_no_store_and_the_next_builds_anew(
    tmp_path: Path,
) -> None:
    """A run that dies before its end (killed, or an OS crash: the build is never synced)
    leaves only its build file; the next run neither reads it nor keeps it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    repo = make_repo(tmp_path / "r", {"run.sh": BAD})
    folder = tmp_path / "cache" / "codex-guard" / "lint"
    killed = (
        "import os, sys\n"
        "from guard.commands.cachedrun import CacheWriter\n"
        "from guard.commands.lint import FileOutcome\n"
        "from guard.sources import cache\n"
        "writer = CacheWriter(sys.argv[1])\n"
        "writer.note(FileOutcome([], [], True, cache_key='K' * 64, stored_findings=b'\\0'))\n"
        "writer.flush()\n"
        "os._exit(9)  # dies before the run's end: close_stores() never runs\n"
    )
    done = subprocess.run([sys.executable, "-c", killed, str(folder)], env=env, check=False)
    assert done.returncode == 9
    [left] = _builds(folder)
    assert not (folder / cache.STORE_NAME).exists()
    reference = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    cold = console("lint", "--format", "json", cwd=repo, env=env)
    assert (cold.code, cold.out) == (reference.code, reference.out)
    assert _builds(folder) == [] and "K" * 64 not in _keys(folder / cache.STORE_NAME)
    warm = console("lint", "--format", "json", cwd=repo, env=env)
    assert (warm.code, warm.out) == (reference.code, reference.out)
    assert left not in os.listdir(folder)


def test_a_store_file_with_no_tables_is_made_whole_not_trusted(tmp_path: Path) -> None:
    """A store left half made in place (an empty file, or one with no tables: a crash while
    an older version made it) is given its tables, and answers nothing until filled."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    repo = make_repo(tmp_path / "r", {"run.sh": BAD})
    reference = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    folder = tmp_path / "cache" / "codex-guard" / "lint"
    store = folder / cache.STORE_NAME
    folder.mkdir(parents=True, mode=0o700)
    for made in ("empty", "no tables"):
        for name in os.listdir(folder):
            os.unlink(folder / name)
        store.touch(mode=0o600)
        if made == "no tables":
            with sqlite3.connect(store) as conn:
                conn.execute(f"PRAGMA page_size={cache.PAGE_BYTES}")
                conn.execute("PRAGMA journal_mode=WAL")
        for _ in range(2):  # fills it, then answers from it
            run = console("lint", "--format", "json", cwd=repo, env=env)
            assert (run.code, run.out) == (reference.code, reference.out), made
        assert len(_keys(store)) == 1 and _builds(folder) == []
