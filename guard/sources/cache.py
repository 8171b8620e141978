"""A content-hash cache of each file's lint outcome (findings after suppressions), in one store.

The key covers everything the outcome depends on: the file's bytes, its path (findings carry it),
its kind, the resolved settings, the rule text handed to the workers, and a fingerprint of the code
and rules (every `.py` under `guard/` and every rule YAML: path, size, mtime), plus the Python
version. Change any of them and the entry is simply not found.

All entries live in one SQLite file (`$XDG_CACHE_HOME/codex-guard/lint/store.sqlite3`, WAL mode, so
parallel workers read while a run writes and two runs at once wait for each other instead of
corrupting it). The workers only read; the lint run's parent writes the misses in batches and marks
the hits as used, then prunes: entries not used for `MAX_AGE_S`, and the least recently used ones
beyond `MAX_ENTRIES`. Like the runtime doors' caches (guard/runtime/private.py) the folder is 0700
and the file 0600, both owned by this user, or the cache is not used: whoever can write an entry
decides what a file's findings are. A cache that cannot be read or written costs a re-lint, never
an error. `--no-cache` or `CODEX_GUARD_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from guard.findings import Finding, finding_from_cache, finding_to_cache
from guard.settings import cache_dir

DISABLE_ENV = "CODEX_GUARD_NO_CACHE"
STORE_NAME = "store.sqlite3"
SCHEMA_VERSION = 1  # PRAGMA user_version: a store of another shape is dropped and rebuilt
MAX_ENTRIES = 200_000  # LRU cap: a few hundred bytes each, so the store stays well under 100 MB
MAX_AGE_S = 30 * 24 * 3600  # an entry no run has used for 30 days is dropped
REFRESH_S = 24 * 3600  # a hit used less than this ago is not marked again (saves writes)
BUSY_TIMEOUT_S = 10.0  # another run holding the write lock: wait, then give up (a re-lint)
_LEGACY_BUCKET = re.compile(r"^[0-9a-f]{2}$")  # the old layout: one JSON file per linted file


def cache_root() -> Path:
    return cache_dir("lint")


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") in ("", "0")


def code_fingerprint(rule_dirs: Iterable[str] = ()) -> str:
    """What the linter itself is: its source files and rule files, by path, size and mtime."""
    import guard
    from guard.engine.registry import builtin_rules_dir

    package = Path(guard.__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    for folder in (builtin_rules_dir(), *(Path(d) for d in rule_dirs)):
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.y*ml")))
    digest = hashlib.sha256(sys.version.encode())
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def entry_key(data: bytes, *parts: object) -> str:
    digest = hashlib.sha256(data)
    for part in parts:
        digest.update(b"\0" + (part if isinstance(part, str) else repr(part)).encode())
    return digest.hexdigest()


def encode(findings: list[Finding]) -> str:
    return json.dumps([finding_to_cache(f) for f in findings], separators=(",", ":"))


def _private_file(path: str) -> bool:
    """The store file is a regular file of ours that nobody else may read or write."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def _drop_legacy_entries(folder: str) -> None:
    """The one-file-per-entry layout of older versions: its folders are never read again."""
    import shutil

    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if _LEGACY_BUCKET.match(name):
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)


def _create(path: str) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return True  # another run made it first
    except OSError:
        return False
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return True


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                conn.execute("DROP TABLE IF EXISTS entries")
                conn.execute(
                    "CREATE TABLE entries (key TEXT PRIMARY KEY, findings TEXT NOT NULL,"
                    " used INTEGER NOT NULL) WITHOUT ROWID"
                )
                conn.execute("CREATE INDEX entries_used ON entries (used)")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


class Store:
    """One process's connection to the store; every failure is a miss or a skipped write."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._pid = os.getpid()

    def get(self, key: str) -> list[Finding] | None:
        found = self.lookup(key)
        return None if found is None else found[0]

    def lookup(self, key: str) -> tuple[list[Finding], int] | None:
        """The entry's findings and when a run last used it."""
        try:
            query = "SELECT findings, used FROM entries WHERE key = ?"
            row = self._conn.execute(query, (key,)).fetchone()
            if row is None:
                return None
            return [finding_from_cache(item) for item in json.loads(row[0])], int(row[1])
        except (sqlite3.Error, ValueError, KeyError, TypeError):
            return None

    def save(self, added: list[tuple[str, str]], used: list[str], now: int | None = None) -> None:
        """One transaction: the new entries, and the hits marked as used now."""
        if not added and not used:
            return
        stamp = int(time.time()) if now is None else now
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT OR REPLACE INTO entries (key, findings, used) VALUES (?, ?, ?)",
                [(key, blob, stamp) for key, blob in added],
            )
            self._conn.executemany(
                "UPDATE entries SET used = ? WHERE key = ? AND used < ?",
                [(stamp, key, stamp) for key in used],
            )
            self._conn.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()

    def prune(
        self, max_entries: int = MAX_ENTRIES, max_age_s: int = MAX_AGE_S, now: int | None = None
    ) -> None:
        """Drop what no run used for `max_age_s`, then the least recently used over the cap."""
        stamp = int(time.time()) if now is None else now
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM entries WHERE used < ?", (stamp - max_age_s,))
            count = self._conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            if count > max_entries:
                self._conn.execute(
                    "DELETE FROM entries WHERE key IN"
                    " (SELECT key FROM entries ORDER BY used, key LIMIT ?)",
                    (count - max_entries,),
                )
            self._conn.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()

    def count(self) -> int:
        try:
            return int(self._conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        except sqlite3.Error:
            return 0

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")


_stores: dict[str, Store | None] = {}


def open_store(folder: str) -> Store | None:
    """This process's store in `folder`, opened once; None when it is not private or not usable.

    Keyed by process too: a connection inherited across fork is never used by the child."""
    slot = f"{os.getpid()}\0{folder}"
    if slot not in _stores:
        _stores[slot] = _open(folder)
    return _stores[slot]


def _open(folder: str) -> Store | None:
    from guard.runtime.private import ensure_private_dir

    if not ensure_private_dir(folder):
        return None
    path = os.path.join(folder, STORE_NAME)
    fresh = not os.path.lexists(path)
    if not _create(path) or not _private_file(path):
        return None
    if fresh:
        _drop_legacy_entries(folder)
    for attempt in range(2):
        try:
            return Store(_connect(path))
        except sqlite3.DatabaseError as exc:
            broken = getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT")
            if attempt or not broken or not _private_file(path):
                return None  # locked by a run that keeps it, or not ours to replace
            # Not a database (a torn or foreign file of ours): start a new one.
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(path + suffix)
            if not _create(path):
                return None
        except sqlite3.Error:
            return None
    return None
