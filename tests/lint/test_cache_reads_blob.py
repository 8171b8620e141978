"""The other files a lint read, as the store keeps them: a stamp and the marshalled probes. They
round-trip, a damaged blob is a miss (never a crash, never a finding of another file), and a
store of the older shape (probes as JSON text) is dropped and made anew."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from conftest import console, make_repo

import guard.sources.cache as cache
from guard.filereads import FileReads, Probe

STORE = Path("codex-guard") / "lint" / "store.sqlite3"
BAD = 'codex exec -C . -s read-only "x"\n'  # CG201: a positional prompt on an open stdin


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    return env


def test_marshalled_probes_round_trip_with_any_path() -> None:
    odd = os.fsdecode(b"/w/\xff/x")  # a name not UTF-8: a lone surrogate
    probes = (
        Probe("cwd", "", "/w"),
        Probe("file", "/w/é/.codex/config.toml", "12 1700000000000000000 1700000000000000001"),
        Probe("kind", odd, "absent"),
        Probe("env", "CODEX_HOME", "\0unset"),
        *(Probe("real", f"/w/{n}", f"/real/{n}") for n in range(300)),
    )
    for stamp in (0, 1, -5, time.time_ns(), (1 << 63) - 1):
        reads = cache.Reads(stamp, probes)
        blob = cache.encode_reads(reads)
        assert type(blob) is bytes and blob[: cache.STAMP_BYTES] == stamp.to_bytes(
            cache.STAMP_BYTES, "little", signed=True
        )
        assert cache.decode_reads(blob) == reads
        record = FileReads(stamp)
        record.probes = {(p.kind, p.path): p.answer for p in probes}
        assert cache.encode_recorded(stamp, record.probes) == blob
    assert cache.encode_reads(cache.NO_READS) == b"" == cache.encode_recorded(5, {})
    assert cache.decode_reads(b"") == cache.NO_READS


def test_probes_of_a_subclass_of_str_are_stored_as_plain_text() -> None:
    class Name(str):
        pass

    reads = cache.Reads(3, (Probe("kind", Name("/w/.git"), Name("dir")),))
    back = cache.decode_reads(cache.encode_reads(reads))
    assert back == reads and back is not None
    assert all(type(field) is str for probe in back.probes for field in probe)


def test_a_damaged_probe_blob_is_a_miss_never_a_crash(tmp_path: Path) -> None:
    """Every stored reads blob damaged (cut short, not marshal data, text of the older shape,
    the right shape of the wrong types): each lookup misses and the file is linted again,
    with the output of a run without the cache."""
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "r", {"run.sh": BAD, "sub/other.sh": BAD})
    reference = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    cold = console("lint", "--format", "json", cwd=repo, env=env)
    assert (cold.code, cold.out) == (reference.code, reference.out)
    store = tmp_path / "cache" / STORE
    with sqlite3.connect(store) as conn:
        blobs = [row[0] for row in conn.execute("SELECT deps FROM stats WHERE deps != x''")]
    assert blobs and all(cache.decode_reads(blob) is not None for blob in blobs)
    good = blobs[0]
    stamp = good[: cache.STAMP_BYTES]
    damaged = [
        good[:-2],  # cut short
        stamp + b"\xff\xfe not marshal",
        stamp + b"\xe9\x00\x00\x00\x00",  # a tuple's header and no items
        b'[1,[["cwd","","/w"]]]',  # text as the older shape kept it, as bytes
        stamp[:5],  # shorter than a stamp
        stamp + cache.marshal.dumps([["cwd", "", "/w"]]),  # lists, not tuples
        stamp + cache.marshal.dumps((("cwd", "", 7),)),  # an answer not text
    ]
    time.sleep(cache.RACY_NS / 1e9 + 0.2)  # the rows are old enough to be trusted by stat
    for blob in damaged:
        with sqlite3.connect(store) as conn:
            conn.execute("UPDATE stats SET deps = ?", (blob,))
            conn.execute("UPDATE entries SET deps = ?", (blob,))
        assert cache.reads_still_hold(blob, {}) is False
        assert cache.reads_hold(blob, {}) is None
        run = console("lint", "--format", "json", cwd=repo, env=env)
        assert (run.code, run.out) == (reference.code, reference.out), blob
        with sqlite3.connect(store) as conn:  # each file missed, and was stored anew
            rows = conn.execute("SELECT deps FROM stats WHERE deps != x''").fetchall()
        assert len(rows) == len(blobs)
        assert all(cache.decode_reads(row[0]) is not None for row in rows), blob


def test_a_store_of_the_older_shape_is_dropped_and_made_anew(tmp_path: Path) -> None:
    """A store of schema 8 (its probes as JSON text) is never read: its tables are dropped and
    made anew as the store is opened, and the run's outcomes are stored in the new shape."""
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "r", {"run.sh": BAD})
    reference = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    store = tmp_path / "cache" / STORE
    store.parent.mkdir(parents=True, mode=0o700)
    info = os.stat(repo / "run.sh")
    with sqlite3.connect(store) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE entries (key TEXT PRIMARY KEY, findings BLOB NOT NULL,"
            " used INTEGER NOT NULL, deps TEXT NOT NULL DEFAULT '')"
        )
        conn.execute(
            "CREATE TABLE stats (path TEXT NOT NULL, scope TEXT NOT NULL,"
            " size INTEGER NOT NULL, mtime INTEGER NOT NULL, ctime INTEGER NOT NULL,"
            " ino INTEGER NOT NULL, dev INTEGER NOT NULL, mode INTEGER NOT NULL,"
            " stamp INTEGER NOT NULL, entry TEXT NOT NULL, checked INTEGER NOT NULL,"
            " used INTEGER NOT NULL, deps TEXT NOT NULL, PRIMARY KEY (path, scope)) WITHOUT ROWID"
        )
        conn.execute("CREATE TABLE scopes (scope TEXT PRIMARY KEY) WITHOUT ROWID")
        conn.execute(
            "INSERT INTO stats VALUES (?, 'old', ?, ?, ?, ?, ?, ?, ?, '', 1, ?, '[1,[]]')",
            (
                "run.sh",
                *(info.st_size, info.st_mtime_ns, info.st_ctime_ns),
                *(info.st_ino, info.st_dev, info.st_mode),
                time.time_ns() + 10 * cache.RACY_NS,
                int(time.time()),
            ),
        )
        conn.execute("INSERT INTO scopes VALUES ('old')")
        conn.execute("PRAGMA user_version=8")
    store.chmod(0o600)
    assert cache.SCHEMA_VERSION != 8
    for _ in range(2):  # the first makes the tables anew and fills them, the second reads them
        run = console("lint", "--format", "json", cwd=repo, env=env)
        assert (run.code, run.out) == (reference.code, reference.out)
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == cache.SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM scopes WHERE scope = 'old'").fetchone()[0] == 0
        types = {row[1]: row[2] for row in conn.execute("PRAGMA table_info(stats)")}
        rows = conn.execute("SELECT deps FROM stats").fetchall()
    assert types["deps"] == "BLOB"
    assert rows and all(type(row[0]) is bytes for row in rows)
