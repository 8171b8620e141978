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
decides what a file's findings are. An entry's findings are marshalled plain values, each checked
for a finding's type as it is read (`decoded_findings`). A cache that cannot be read or written
costs a re-lint, never an error; one SQLite finds damaged is removed, and the next run makes a
new one. `--no-cache` or `CODEX_GUARD_NO_CACHE=1` turns it off. A run that finds no store builds
one under another name, as a scratch file (no journal, no log, no syncs), and publishes it whole
as it ends: synced once, then linked to the store's name (`_build`, `_publish`).

The stat fast path (as ruff and git do): beside each outcome the store keeps the file's stat data
as a worker saw them just before it read the file (size, mtime_ns, ctime_ns, inode, device, mode)
and the moment it looked. The run's parent stats each walked file; when all of that matches (and
the settings and code, through the row's scope) it takes the outcome without reading or hashing
the file and without a worker, so a run where every file matches starts no pool. The content hash
stays the truth whenever the stat data differ: such a file goes to a worker, which hashes it (a
touched but unchanged file is still a hit there) and the parent stores its new stat data. A row
whose mtime or ctime is not `RACY_NS` older than the moment it was taken is "racily clean" (a
write in the same timestamp tick, 2 s on FAT and a few ms for Linux's coarse clock, would leave
size and times as they were): it is never trusted by stat alone, only re-hashed, until a later
look finds the file old enough.

Other files an outcome depends on (guard/filereads.py: the Codex config layers a run reads, a
file a script copies into config.toml, the `.git` that makes the repository root, a symlink a
path check follows, and "absent" for each path looked up but missing) are stored with it, in the
entry and in the stat row, as `Reads`. Both lookups ask each of them again (once per run per
probe) and any other answer, or a file changed too close to the look to tell, is a miss. An
outcome whose lint read something no probe stands for is not stored at all.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import re
import sqlite3
import stat
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import guard.filereads as filereads
from guard.fastclass import dataclass
from guard.filereads import Probe, racy, unchanged
from guard.findings import Finding, Location, Severity, finding_fields
from guard.settings import cache_dir

DISABLE_ENV = "CODEX_GUARD_NO_CACHE"
STORE_NAME = "store.sqlite3"
SCHEMA_VERSION = 10  # PRAGMA user_version: a store of another shape is dropped and rebuilt
PAGE_BYTES = 16384  # a new store's page size (an existing store keeps the one it has)
MAX_ENTRIES = 200_000  # LRU cap: a few hundred bytes each, so the store stays well under 100 MB
MAX_AGE_S = 30 * 24 * 3600  # an entry no run has used for 30 days is dropped
REFRESH_S = 24 * 3600  # a hit used less than this ago is not marked again (saves writes)
MMAP_BYTES = 256 << 20  # the store read through a memory map, up to this much
BUSY_TIMEOUT_S = 10.0  # another run holding the write lock: wait, then give up (a re-lint)
RACY_NS = 2_000_000_000  # a file changed less than this before it was looked at is re-hashed
_LEGACY_BUCKET = re.compile(r"^[0-9a-f]{2}$")  # the old layout: one JSON file per linted file

# Bytes bound to a statement as themselves, through an adapter found at once. sqlite3 binds int,
# float, str and bytearray directly, but asks for a `bytes` value whether some adapter takes it:
# a registry miss, then `PrepareProtocol.__adapt__` looked up on a type, which raises (and
# formats) an AttributeError, then `__conform__`, 3,300 instructions a value (callgrind). A cold
# run binds two or three a file (an entry's findings and reads, a stat row's reads): with this
# adapter, `bytes.__bytes__` (the same object back), a third of that. The value bound is the same.
sqlite3.register_adapter(bytes, bytes.__bytes__)


def cache_root() -> Path:
    return cache_dir("lint")


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") in ("", "0")


def code_fingerprint(rule_dirs: Iterable[str] = ()) -> str:
    """What the linter itself is: its source files and rule files, by path, size and mtime.

    Listed with os.scandir and plain strings, the text hashed once: the same files as
    `rglob("*.py")` and `glob("*.y*ml")` on Paths, at a third of the cost (this ran once a
    cold run: 16 M instructions, pathlib's for some 200 files)."""
    import guard
    from guard.engine.registry import builtin_rules_dir

    files: list[str] = []
    _py_files(os.path.dirname(os.path.realpath(guard.__file__)), files)
    files.sort()
    for folder in (builtin_rules_dir(), *(Path(d) for d in rule_dirs)):
        if folder.is_dir():
            files.extend(sorted(_rule_files(str(folder))))
    lines = [sys.version]
    for path in files:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            continue
        lines.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n")
    return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def _py_files(folder: str, found: list[str]) -> None:
    """The `*.py` under `folder` as `Path.rglob` finds them: every name that matches, in
    every folder below but those reached through a symlink."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if entry.name.endswith(".py"):
            found.append(entry.path)
        try:
            below = entry.is_dir() and not entry.is_symlink()
        except OSError:
            continue
        if below:
            _py_files(entry.path, found)


def _rule_files(folder: str) -> list[str]:
    """The names in `folder` that `Path.glob("*.y*ml")` gives, as paths (matched by hand:
    fnmatch would compile a pattern for it, a run's largest part of this)."""
    try:
        with os.scandir(folder) as listing:
            return [e.path for e in listing if e.name.endswith("ml") and ".y" in e.name[:-2]]
    except OSError:
        return []


def entry_key(data: bytes, *parts: str) -> str:
    """The digest of the bytes, then of each part after a NUL (one update: a key is made for
    every file the full check reads)."""
    digest = hashlib.sha256(data)
    tail = "".join(["\0" + part for part in parts])
    digest.update(tail.encode("utf-8", "surrogateescape"))  # a name not UTF-8
    return digest.hexdigest()


class Reads(NamedTuple):
    """The other files (folders, links...) a file's lint looked at, and when it began."""

    stamp: int
    probes: tuple[Probe, ...]


NO_READS = Reads(0, ())
ProbeMemo = dict[tuple[str, str], str | None]  # answers already asked in this run
# A stored reads blob: the stamp (8 bytes, little-endian), then the probes as a marshalled
# tuple of (kind, path, answer) string tuples. Marshalled, not JSON: a cold run encodes each
# folder's probes once and every file's blob is the stamp and those bytes (JSON's encoder cost
# 70,000 instructions a set of probes, and its import); a cached run reads them back checking
# each field's type, as `decoded_findings` does. The stamp stands apart so that the files of
# one folder, whose probes differ only in it, are judged once a run (`reads_still_hold`).
STAMP_BYTES = 8
ProbeRows = tuple[tuple[str, str, str], ...]


def _stamped(stamp: int, body: bytes) -> bytes:
    return stamp.to_bytes(STAMP_BYTES, "little", signed=True) + body


def _marshalled(rows: ProbeRows) -> bytes:
    try:
        return marshal.dumps(rows)
    except ValueError:  # a path or answer of a subclass of str: made plain
        return marshal.dumps(_plain(rows))


def encode_reads(reads: Reads) -> bytes:
    if not reads.probes:
        return b""
    rows = tuple([(kind, path, found) for kind, path, found in reads.probes])
    return _stamped(reads.stamp, _marshalled(rows))


# A folder's files record the same probes (its config layers), with the same answers: their
# encoding is made once a process. Keyed by the probes and answers themselves; bounded.
_PROBE_BODIES: dict[tuple[tuple[tuple[str, str], str], ...], bytes] = {}
MAX_PROBE_BODIES = 1024


def encode_recorded(stamp: int, probes: Mapping[tuple[str, str], str]) -> bytes:
    """`encode_reads` of a lint's record (`FileReads`), without making its `Probe`s first."""
    if not probes:
        return b""
    asked = tuple(probes.items())
    body = _PROBE_BODIES.get(asked)
    if body is None:
        body = _marshalled(tuple([(kind, path, found) for (kind, path), found in asked]))
        if len(_PROBE_BODIES) < MAX_PROBE_BODIES:
            _PROBE_BODIES[asked] = body
    return _stamped(stamp, body)


def _stamp_of(blob: object) -> int | None:
    """A stored reads blob's stamp; None for one this version cannot read (a miss)."""
    if type(blob) is not bytes or len(blob) <= STAMP_BYTES:
        return None
    return int.from_bytes(blob[:STAMP_BYTES], "little", signed=True)


def _probe_rows(body: bytes) -> ProbeRows | None:
    """The probes a blob holds past its stamp, each field checked for a string; None for a
    damaged or foreign blob (marshal runs no code as it reads, and nothing of another shape
    gets through)."""
    try:
        rows = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    if type(rows) is not tuple:
        return None
    for row in rows:
        if type(row) is not tuple or len(row) != 3:
            return None
        kind, path, found = row
        if type(kind) is not str or type(path) is not str or type(found) is not str:
            return None
    return rows


def decode_reads(blob: bytes) -> Reads | None:
    """None for a blob this version cannot read (a miss)."""
    if not blob:
        return NO_READS
    stamp = _stamp_of(blob)
    rows = None if stamp is None else _probe_rows(blob[STAMP_BYTES:])
    if stamp is None or rows is None:
        return None
    return Reads(stamp, tuple([Probe(kind, path, found) for kind, path, found in rows]))


# Probes (a stored reads blob past its stamp) -> the latest mtime or ctime among its FILE
# answers, or None when a probe no longer answers the same (`_judged`): the files of one folder
# share their probes (config layers) and differ only in the stamp, so a run decodes each set once.
HeldMemo = dict[bytes, "int | None"]
_NO_FILE_TIME = -(1 << 63)


def reads_still_hold(blob: bytes, memo: ProbeMemo, held: HeldMemo | None = None) -> bool:
    """`reads_hold(blob, memo) is not None`, without building the probes (once per stat row
    a cached run looks at); a stored blob this version cannot read is a miss. With `held`, a
    set of probes already judged this run is not decoded again."""
    if not blob:
        return True
    stamp = _stamp_of(blob)
    if stamp is None:
        return False
    body = blob[STAMP_BYTES:]
    if held is None:
        latest = _judged(body, memo)
    elif body in held:
        latest = held[body]
    else:
        latest = held[body] = _judged(body, memo)
    return latest is not None and latest < stamp - filereads.RACY_NS


def _judged(body: bytes, memo: ProbeMemo) -> int | None:
    """The latest mtime or ctime among the FILE answers of a stored blob's probes (what `racy`
    compares with its stamp), when every probe still answers the same; None when one does not
    or the probes cannot be read."""
    from guard.filereads import FILE, answer

    rows = _probe_rows(body)
    if rows is None:
        return None
    latest = _NO_FILE_TIME
    try:
        for kind, path, found in rows:
            if kind == FILE:
                parts = found.split(" ")
                if len(parts) == 3:  # as `racy` reads an answer
                    latest = max(latest, int(parts[1]), int(parts[2]))
            key = (kind, path)
            if key not in memo:
                memo[key] = answer(kind, path)
            if memo[key] != found:
                return None
    except ValueError:  # an answer's times that are not numbers
        return None
    return latest


def reads_hold(blob: bytes, memo: ProbeMemo) -> Reads | None:
    """The stored reads when every probe still answers the same and none is racily clean."""
    reads = decode_reads(blob)
    if reads is None or not reads.probes:
        return reads
    if any(racy(probe, reads.stamp) for probe in reads.probes):
        return None
    return reads if unchanged(reads.probes, memo) else None


StatData = tuple[int, int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device, mode


# What the parent stores after a worker linted a file: how it looked, and its outcome. A plain
# tuple of the stats columns in the order `save` inserts them: made and pickled once per linted
# file, and stored as it comes (a named tuple costs five times as much to send back: its class
# is called to make each one).
#   path, scope, size, mtime_ns, ctime_ns, inode, device, mode, the look's stamp,
#   entry (the entries key of its findings, "" when there are none),
#   checked (0: a file no reader takes, not counted), used (the look's second: this run used
#   it), reads (the other files its lint read)
StatRow = tuple[str, str, int, int, int, int, int, int, int, str, int, int, bytes]


def stat_row(
    path: str, scope: str, looked: Looked, entry: str, checked: bool, reads: bytes
) -> StatRow | None:
    """The row of a look at a file and its outcome; None for a path SQLite cannot store. (The
    stat columns as `stat_data` gives them, taken here: a row is made for every file a cold run
    lints, most of them with nothing else to do.)"""
    if not path.isascii() and not _storable(path):
        return None
    stamp, info = looked
    return (
        path,
        scope,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_ino,
        info.st_dev,
        info.st_mode,
        stamp,
        entry,
        1 if checked else 0,
        stamp // 1_000_000_000,
        reads,
    )


@dataclass(frozen=True, slots=True)
class StatHit:
    findings: list[Finding]
    checked: bool
    entry: str
    stale: bool  # not used by a run for REFRESH_S: mark it used again
    # `by_stats(..., decode=False)`: the findings still encoded (`findings` empty), and the
    # stored reads NOT yet checked: the caller must check them (`reads_still_hold`)
    blob: bytes = b""
    deps: bytes = b""


def stat_data(info: os.stat_result) -> StatData:
    return (
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_ino,
        info.st_dev,
        info.st_mode,
    )


# A look at a file: the moment (time_ns, taken just before the stat) and its stat.
Looked = tuple[int, os.stat_result]


def look(path: str) -> Looked | None:
    """The file's stat now (symlinks followed, as the reader opens it: the reader sizes the file
    by it, one stat a file) and when it was taken; None when it has none. The clock is read
    first: a later write is then never dated before the stamp."""
    stamp = time.time_ns()
    try:
        return stamp, os.stat(path)
    except (OSError, ValueError):
        return None


def trusted(data: Sequence[int], stamp: int, now: StatData) -> bool:
    """A stored look (stat `data`, taken at `stamp`) still stands for the file: same stat data,
    and not racily clean (its mtime and ctime were `RACY_NS` older than the look, so a later
    write must change them)."""
    return tuple(data) == now and max(data[1], data[2]) < stamp - RACY_NS


@functools.lru_cache(maxsize=256)
def stat_scope(config_key: str, code_key: str, explicit: bool, kind: str | None) -> str:
    """What, besides the path, a stat row's outcome depends on: settings and rule text, the
    linter's code, whether the file was named (an unknown suffix is then shell) and `--kind`."""
    parts = f"{config_key}\0{code_key}\0{int(explicit)}\0{kind or ''}"
    return hashlib.sha256(parts.encode()).hexdigest()[:32]


STAT_BATCH = 64  # files looked up per query
_BY_STATS = (
    "SELECT path, size, mtime, ctime, ino, dev, mode, stamp, entry, checked, used, deps"
    f" FROM stats WHERE scope = ? AND path IN ({', '.join('?' * STAT_BATCH)})"
)
# The findings of the trusted rows that have some, in a second query: most rows have none, and
# a join would look each row's "" up in entries (half of a cached run's query time).
_FINDINGS_OF = f"SELECT key, findings FROM entries WHERE key IN ({', '.join('?' * STAT_BATCH)})"


def _storable(path: str) -> bool:
    """SQLite text is UTF-8: a name with bytes that are not (a lone surrogate) gets no stat row
    (it is hashed every run, like any miss)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _stat_hit(
    row: Sequence[Any],
    blob: bytes | None,
    stale_before: float,
    memo: ProbeMemo,
    decode: bool = True,
) -> StatHit | None:
    """A trusted stats row and its findings (`blob`: None when they were pruned) as a hit,
    when the other files its lint read are as they were. Without `decode`, its findings are
    left encoded and its reads unchecked (the caller checks them: `reads_still_hold`)."""
    entry, checked, used = row[8], bool(row[9]), int(row[10])
    if entry and blob is None:
        return None  # its findings were pruned
    if not decode:
        stale = used < stale_before
        return StatHit([], checked, entry, stale, blob or b"", row[11])
    if not reads_still_hold(row[11], memo):
        return None
    try:
        findings = decoded_findings(blob) if entry and blob is not None else []
    except (ValueError, KeyError, TypeError):
        return None
    return StatHit(findings, checked, entry, used < stale_before)


_SEVERITIES = {severity.value: severity for severity in Severity}


NO_FINDINGS = marshal.dumps([])  # most entries: a file the full check found nothing in


def encode(findings: list[Finding]) -> bytes:
    """An entry's findings as the store keeps them: each one's `finding_fields` (the spill's
    `finding_record` but the edits: a lint report never shows them, and `--fix` lints without
    the cache), marshalled as the spill and the regex codes beside this store are (4 us a file
    with findings where JSON took 10; a third smaller; reading them back, with every field
    checked, costs what JSON's did). The worker that found them encodes them
    (guard/commands/lint.py `FileOutcome`), so this is also what crosses back."""
    if not findings:
        return NO_FINDINGS
    records = [finding_fields(finding) for finding in findings]
    try:
        return marshal.dumps(records)
    except ValueError:  # a field of a subclass of str or int (a check's own type): made plain
        return marshal.dumps(_plain(records))


def _plain(value: Any) -> Any:
    """The value with every str and int in it of exactly that type (what marshal takes)."""
    if isinstance(value, tuple):
        return tuple([_plain(item) for item in value])
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)
    if isinstance(value, int) and type(value) not in (int, bool):
        return int.__index__(value)
    return value


def decoded_findings(blob: bytes) -> list[Finding]:
    """The findings `encode` wrote (a cached run decodes every finding of the tree here, and a
    cold run those its workers found). Marshal runs no code as it reads (a code object in an
    entry would only be a value, and is refused here), and each field must have the type a
    finding's has: a damaged or foreign entry raises KeyError/TypeError/ValueError (a miss),
    never makes a finding of another shape. Trusting it at all rests on the store being ours
    (`_private_file`), as the spill and the regex codes do."""
    if type(blob) is not bytes:
        raise TypeError("not a stored entry")
    try:
        stored = marshal.loads(blob)
    except EOFError as exc:
        raise ValueError("a truncated entry") from exc
    if type(stored) is not list:
        raise TypeError("not a stored entry")
    return [_stored_finding(record) for record in stored]


def _stored_finding(record: object) -> Finding:
    if type(record) is not tuple or len(record) != 8:
        raise TypeError("not a stored finding")
    rule, name, severity, message, location, fix, related, lane = record
    if not (type(rule) is str and type(name) is str and type(message) is str):
        raise TypeError("not a stored finding")
    if not (_optional_text(fix) and _optional_text(lane) and type(related) is tuple):
        raise TypeError("not a stored finding")
    return Finding(
        rule,
        name,
        _SEVERITIES[severity],
        message,
        _stored_location(location),
        fix,
        tuple([_stored_location(place) for place in related]),
        lane,
    )


def _optional_text(value: object) -> bool:
    return value is None or type(value) is str


def _stored_location(record: object) -> Location:
    if type(record) is not tuple or len(record) != 6:
        raise TypeError("not a stored location")
    path, line, column, end_line, end_column, note = record
    if type(path) is not str or type(note) is not str:
        raise TypeError("not a stored location")
    if not all(type(n) is int for n in (line, column, end_line, end_column)):
        raise TypeError("not a stored location")
    return Location(path, line, column, end_line, end_column, note)


def _private_file(path: str) -> bool:
    """The store file is a regular file of ours that nobody else may read or write."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def _create(path: str, exclusive: bool = False) -> bool:
    """The file made, empty and private; True also when it was there (another run made it
    first), unless `exclusive`."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return not exclusive
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
        # NORMAL, not OFF: in WAL mode it syncs only at a checkpoint (a 30,000-file fill makes
        # 11 fdatasync calls), and that is what keeps the store whole through an OS crash or a
        # power cut. Without it a checkpoint's page writes reach the disk in any order and the
        # log is reused before they have, so the file can hold pages of two versions, and SQLite
        # does not see that: an `entries` key is looked up in its index, whose rowid may now
        # name another entry's row, so a key answers with another file's findings (a false or a
        # missed finding, in every run after) while queries, and even `quick_check`, say "ok".
        conn.execute("PRAGMA synchronous=NORMAL")
        # Before WAL mode, and only a new store takes it: rows of a few hundred bytes fit more
        # to a page, so a cold run writes fewer pages (about a third less time in sqlite).
        conn.execute(f"PRAGMA page_size={PAGE_BYTES}")
        conn.execute("PRAGMA journal_mode=WAL")
        # Read through a memory map: a cached run reads rows all over the file, and each page
        # by read() costs a system call and a copy.
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                _make_tables(conn)
            conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


_KEPT = " NOT NULL ON CONFLICT IGNORE"  # a column no row is stored without (`_make_tables`)


def _make_tables(conn: sqlite3.Connection) -> None:
    """The store's tables, in place of any of another schema (in the caller's transaction)."""
    conn.execute("DROP TABLE IF EXISTS entries")
    conn.execute("DROP TABLE IF EXISTS stats")
    conn.execute("DROP TABLE IF EXISTS scopes")
    # No index on `used`: a cold run writes a row or two per file and each index
    # costs about as much again (0.4 s of 0.8 s at 21,000 files); a prune scans the
    # tables instead, once a run (about 10 ms at 50,000 rows).
    # A rowid table: its rows (findings, reads) are large and their keys random, so
    # they are appended, and only the key index takes random inserts.
    # Each table says what a write does on a conflict, so no statement can abort halfway: a
    # row whose key is there replaces it, a row with a NULL (none is ever written) is left out.
    # A statement that could abort (INSERT OR REPLACE makes a NOT NULL column's conflict an
    # abort) keeps the pages it changes in a statement journal, to undo it alone; past four
    # pages it spilled them to a temporary file: a 30,000-file fill into a store there before
    # wrote 17,500 pages to /var/tmp, a write call each (a store being built keeps no journal).
    conn.execute(
        f"CREATE TABLE entries (key TEXT PRIMARY KEY ON CONFLICT REPLACE, findings BLOB{_KEPT},"
        f" used INTEGER{_KEPT}, deps BLOB{_KEPT} DEFAULT x'')"
    )
    # entry: the entries key of the outcome's findings, "" when it has none.
    # Keyed by path first: a run's rows share one scope or a few, and a key that
    # began with it would compare those 32 equal characters at every step of every
    # insert (a third of a cold run's time in this table).
    columns = ("path TEXT", "scope TEXT", "size INTEGER", "mtime INTEGER", "ctime INTEGER",
               "ino INTEGER", "dev INTEGER", "mode INTEGER", "stamp INTEGER", "entry TEXT",
               "checked INTEGER", "used INTEGER", "deps BLOB")  # fmt: skip
    conn.execute(
        f"CREATE TABLE stats ({''.join(column + _KEPT + ', ' for column in columns)}"
        "PRIMARY KEY (path, scope) ON CONFLICT REPLACE) WITHOUT ROWID"
    )
    # The scopes the stats rows have (`has_scope`: the stats table is not keyed
    # by scope first, so it cannot say without a scan).
    conn.execute("CREATE TABLE scopes (scope TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _connect_building(path: str) -> sqlite3.Connection:
    """A connection to a new store under its building name (`_build`), tables made. Nothing
    else opens this file and it is never read as the store until `_publish` has synced it
    whole, so it is written as a scratch file: no journal (nor statement journals), no syncs,
    no write-ahead log to fold back, its lock held to the end (no lock calls a transaction)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute(f"PRAGMA page_size={PAGE_BYTES}")
        conn.execute("BEGIN IMMEDIATE")
        _make_tables(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


# What SQLite says of a store file it cannot read as a database, or whose pages contradict each
# other: the primary result codes (the low byte of an extended one, as SQLITE_CORRUPT_INDEX).
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def damaged(exc: BaseException) -> bool:
    """Whether SQLite raised this because the store file is damaged or not a database."""
    code = getattr(exc, "sqlite_errorcode", None)
    return type(code) is int and code & 0xFF in _DAMAGED


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _discard(path: str, identity: tuple[int, int] | None) -> None:
    """Remove the store file (and its log) when it is still the one that was opened."""
    if identity is None or _identity(path) != identity or not _private_file(path):
        return
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(path + suffix)


class Store:
    """One process's connection to the store; every failure is a miss or a skipped write."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        fresh: bool = False,
        path: str = "",
        identity: Any = None,
        publish_as: str = "",
    ) -> None:
        self._conn = conn
        self._pid = os.getpid()
        self.fresh = fresh  # this process made the store file: it held nothing to prune
        self._path = path  # the store file, and its (device, inode) when opened
        self._identity = identity
        # A store being built (`_build`): `path` is its building name, this the store's, which
        # it takes as it is closed (`_publish`) unless a write failed: without a journal a
        # rolled back transaction may have left part of itself, so such a build is dropped.
        self._publish_as = publish_as
        self._spoiled = False

    def _failed(self, exc: BaseException) -> None:
        """After a failed query: a store SQLite finds damaged (`damaged`) is removed, so the
        next run makes a new one instead of missing on every file for good. Only the file this
        connection opened: one another run has put in its place since is left alone."""
        if not damaged(exc) or not self._path:
            return
        # Removed before the connection is closed: while it holds the file open its inode
        # cannot be freed, and a freed inode number is given to the next new file at once
        # (ext4), so a store another run made after the close could have the identity this
        # one was opened with, and be removed. (SQLite closes a connection to a file that is
        # gone without a checkpoint and without deleting a log by its name.)
        self._spoiled = True
        _discard(self._path, self._identity)
        self.close()

    def close(self) -> None:
        """Close the connection; a store being built is published first (or dropped)."""
        publish_as, self._publish_as = self._publish_as, ""
        if publish_as and not self._spoiled:
            _publish(self._conn, self._path, self._identity, publish_as)
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        if publish_as:  # published by a link of its own, or dropped: its building name goes
            with contextlib.suppress(OSError):
                os.unlink(self._path)

    def get(self, key: str) -> list[Finding] | None:
        found = self.lookup(key)
        return None if found is None else found[0]

    def lookup(self, key: str) -> tuple[list[Finding], int] | None:
        """The entry's findings and when a run last used it."""
        found = self.lookup_with_reads(key, {})
        return None if found is None else (found[0], found[1])

    def lookup_with_reads(
        self, key: str, memo: ProbeMemo
    ) -> tuple[list[Finding], int, Reads] | None:
        """The entry's findings, when a run last used it, and the other files its lint read:
        None unless each of those still looks as it did."""
        try:
            query = "SELECT findings, used, deps FROM entries WHERE key = ?"
            row = self._conn.execute(query, (key,)).fetchone()
            if row is None:
                return None
            reads = reads_hold(row[2], memo)
            if reads is None:
                return None
            findings = decoded_findings(row[0])
            return findings, int(row[1]), reads
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        except (ValueError, KeyError, TypeError):
            return None

    def by_stat(self, path: str, scope: str, now: StatData) -> StatHit | None:
        """The outcome stored for this look at the file, when its stat row is trusted."""
        return self.by_stats(scope, {path: now}).get(path)

    def by_stats(
        self,
        scope: str,
        looks: Mapping[str, StatData],
        memo: ProbeMemo | None = None,
        decode: bool = True,
    ) -> dict[str, StatHit]:
        """`by_stat` for many files of one scope, `STAT_BATCH` to a query (one statement, so
        the per-file cost is the index lookup, not a query's round trip). `memo`: the probe
        answers this run already asked (a config layer many files read is asked once a run)."""
        hits: dict[str, StatHit] = {}
        paths = [path for path in looks if _storable(path)]
        stale_before = time.time() - REFRESH_S
        memo = {} if memo is None else memo
        for start in range(0, len(paths), STAT_BATCH):
            batch = paths[start : start + STAT_BATCH]
            batch += [""] * (STAT_BATCH - len(batch))  # one SQL text: "" names no file
            try:
                rows = self._conn.execute(_BY_STATS, (scope, *batch)).fetchall()
                standing = []
                for row in rows:
                    now = looks.get(row[0])
                    if now is not None and trusted(row[1:7], row[7], now):
                        standing.append(row)
                blobs = self._findings_of([row[8] for row in standing if row[8]])
            except sqlite3.Error as exc:
                self._failed(exc)
                return hits
            for row in standing:
                hit = _stat_hit(
                    row, blobs.get(row[8]) if row[8] else b"", stale_before, memo, decode
                )
                if hit is not None:
                    hits[row[0]] = hit
        return hits

    def _findings_of(self, keys: list[str]) -> dict[str, bytes]:
        """The stored findings of these entries (those not pruned), `STAT_BATCH` to a query."""
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), STAT_BATCH):
            batch = keys[start : start + STAT_BATCH]
            batch += [""] * (STAT_BATCH - len(batch))  # one SQL text: "" is no entry
            found.update(self._conn.execute(_FINDINGS_OF, batch).fetchall())
        return found

    def has_stats(self) -> bool:
        """Whether the store holds any stat row (a first run then looks up no scope at all)."""
        try:
            return self._conn.execute("SELECT 1 FROM stats LIMIT 1").fetchone() is not None
        except sqlite3.Error as exc:
            self._failed(exc)
            return False

    def has_scope(self, scope: str) -> bool:
        """Whether any stat row has this scope (a cold run then looks no file up)."""
        try:
            query = "SELECT 1 FROM scopes WHERE scope = ?"
            return self._conn.execute(query, (scope,)).fetchone() is not None
        except sqlite3.Error as exc:
            self._failed(exc)
            return False

    def save(
        self,
        added: Sequence[tuple[str, bytes] | tuple[str, bytes, bytes]],
        used: list[str],
        now: int | None = None,
        stats: Sequence[StatRow] = (),
        stats_used: Sequence[tuple[str, str]] = (),
    ) -> None:
        """One transaction: the new entries and stat rows, and the hits marked as used now."""
        if not (added or used or stats or stats_used):
            return
        stamp = int(time.time()) if now is None else now
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            _insert_rows(
                self._conn,
                "INSERT INTO entries (key, findings, used, deps) VALUES ",
                4,
                [(*item[:2], stamp, item[2] if len(item) > 2 else b"") for item in added],
            )
            self._conn.executemany(
                "UPDATE entries SET used = ? WHERE key = ? AND used < ?",
                [(stamp, key, stamp) for key in used],
            )
            _insert_rows(
                self._conn,
                "INSERT INTO stats (path, scope, size, mtime, ctime, ino, dev, mode,"
                " stamp, entry, checked, used, deps) VALUES ",
                13,
                stats,
            )
            self._conn.executemany(
                "INSERT OR IGNORE INTO scopes (scope) VALUES (?)",
                [(scope,) for scope in {row[1] for row in stats}],
            )
            self._conn.executemany(
                "UPDATE stats SET used = ? WHERE scope = ? AND path = ? AND used < ?",
                [(stamp, scope, path, stamp) for path, scope in stats_used],
            )
            self._conn.execute("COMMIT")
        except UnicodeEncodeError:
            self._rollback()
        except sqlite3.Error as exc:
            self._rollback()
            self._failed(exc)

    def prune(
        self, max_entries: int = MAX_ENTRIES, max_age_s: int = MAX_AGE_S, now: int | None = None
    ) -> None:
        """Drop what no run used for `max_age_s`, then the least recently used over the cap."""
        stamp = int(time.time()) if now is None else now
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM entries WHERE used < ?", (stamp - max_age_s,))
            query = "DELETE FROM stats WHERE used < ?"
            dropped = self._conn.execute(query, (stamp - max_age_s,)).rowcount
            count = self._conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            if count > max_entries:
                self._conn.execute(
                    "DELETE FROM entries WHERE key IN"
                    " (SELECT key FROM entries ORDER BY used, key LIMIT ?)",
                    (count - max_entries,),
                )
            count = self._conn.execute("SELECT count(*) FROM stats").fetchone()[0]
            if count > max_entries:
                dropped += self._conn.execute(
                    "DELETE FROM stats WHERE (scope, path) IN"
                    " (SELECT scope, path FROM stats ORDER BY used, path LIMIT ?)",
                    (count - max_entries,),
                ).rowcount
            if dropped:  # a scope may have lost its last row
                self._conn.execute(
                    "DELETE FROM scopes WHERE scope NOT IN (SELECT scope FROM stats)"
                )
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._failed(exc)

    def count(self) -> int:
        try:
            return int(self._conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        except sqlite3.Error as exc:
            self._failed(exc)
            return 0

    def _rollback(self) -> None:
        self._spoiled = True
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")


ROWS_PER_INSERT = 32  # rows one INSERT statement writes (at most 13 columns: 416 variables)


def _insert_rows(
    conn: sqlite3.Connection, head: str, width: int, rows: Sequence[Sequence[Any]]
) -> None:
    """`executemany(head + "(?, ...)", rows)`, `ROWS_PER_INSERT` rows to a statement: the rows
    are written in the same order, but each statement's step, reset and halt (and the binding
    call's round trip into SQLite) are paid once for many rows. A cold run writes a row or two
    per file, and those per-statement costs were about a sixth of its SQLite time (callgrind,
    a 2,000-file fill, 2,300 rows: 43 M instructions as one statement a row, 36 M so)."""
    one = "(" + ", ".join(["?"] * width) + ")"
    step = ROWS_PER_INSERT
    full = len(rows) - len(rows) % step
    if full:
        many = head + ", ".join([one] * step)
        flat = chain.from_iterable
        conn.executemany(many, [tuple(flat(rows[at : at + step])) for at in range(0, full, step)])
    if full < len(rows):
        conn.executemany(head + one, rows[full:])


_stores: dict[str, Store | None] = {}


def close_stores() -> None:
    """Close this process's connections. The last one out of a store folds its write-ahead log
    back into the store file and removes it; a run calls this at its end, because the console
    script leaves without the interpreter's teardown (guard/cli.py), which used to close them."""
    prefix = f"{os.getpid()}\0"
    for slot in [slot for slot in _stores if slot.startswith(prefix)]:
        store = _stores.pop(slot)
        if store is not None:
            store.close()


def open_store(folder: str, build: bool = False) -> Store | None:
    """This process's store in `folder`, opened once; None when it is not private or not usable.
    With `build` (the run's writer), a folder with no store gets one built under another name
    and published as the run ends (`_build`); readers never make one that way.

    Keyed by process too: a connection inherited across fork is never used by the child."""
    slot = f"{os.getpid()}\0{folder}"
    if slot not in _stores:
        _stores[slot] = _open(folder, build)
    return _stores[slot]


def _open(folder: str, build: bool = False) -> Store | None:
    from guard.runtime.private import ensure_private_dir

    if not ensure_private_dir(folder):
        return None
    path = os.path.join(folder, STORE_NAME)
    fresh = not os.path.lexists(path)
    if build and fresh:
        built = _build(folder, path)
        if built is not None:
            return built
    if not _create(path) or not _private_file(path):
        return None
    if fresh:
        tidy(folder)
    for attempt in range(2):
        try:
            # Taken before the connection: a file put in its place in between is never
            # taken for the one opened (`_discard` would then leave it).
            identity = _identity(path)
            return Store(_connect(path), fresh=fresh and not attempt, path=path, identity=identity)
        except sqlite3.DatabaseError as exc:
            if attempt or not damaged(exc) or not _private_file(path):
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


# A store being built: `.store.sqlite3.<pid>.<random>.build` beside the store, until published.
BUILD_PREFIX = f".{STORE_NAME}."
BUILD_SUFFIX = ".build"
BUILD_STALE_S = 3600  # a build no process of that number runs, or not written for this long


def _build(folder: str, path: str) -> Store | None:
    """A new store, built under a name of its own and published whole as it is closed.

    Made in place, a store waited for the disk nine times in a cold run (creating it: its
    rollback journal, the folder and the file synced, the journal removed, then the new log
    and the folder synced again; the log's checkpoints every 1,000 pages and at the close, two
    syncs each, and the log's header synced after each), and every page was written twice (to
    the log, then into the file), the log's frames checksummed and its index kept. A build
    writes its pages once, syncs once, and appears under the store's name only whole
    (`_publish`): a crash before that leaves a file no run reads as the store (the next run
    that makes or prunes one removes it: `tidy`), never a store of half its pages. None when
    the building file cannot be made (the store is then made in place)."""
    tidy(folder)
    building = os.path.join(
        folder, f"{BUILD_PREFIX}{os.getpid()}.{os.urandom(6).hex()}{BUILD_SUFFIX}"
    )
    if not _create(building, exclusive=True):
        return None
    identity = _identity(building)
    try:
        conn = _connect_building(building)
    except sqlite3.Error:
        with contextlib.suppress(OSError):
            os.unlink(building)
        return None
    return Store(conn, fresh=True, path=building, identity=identity, publish_as=path)


def _publish(conn: sqlite3.Connection, building: str, identity: Any, path: str) -> None:
    """Give a built store the store's name, whole: marked for WAL mode (so no run switches it,
    which would take a rollback journal and three syncs), synced, then linked to the name, never
    over a file there (another run's store, which it may have open, stays). The caller removes
    the building name. Not published when a log is left beside a missing store (a crash while
    one was removed): SQLite would read that log's pages as this store's. Then, and where the
    file system has no hard links, the store is made in place, where SQLite removes a log left
    beside an empty file under its locks, and the build is copied into it."""
    if os.path.lexists(path):
        return  # another run's store came first: it stays, this one goes
    if os.path.lexists(path + "-wal") or os.path.lexists(path + "-shm"):
        _copy_into_store(conn, path)
        return
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:
        return
    if not _synced(building, identity):
        return
    try:
        os.link(building, path)
    except FileExistsError:
        return  # made by another run since: it stays
    except OSError:  # no hard links here
        _copy_into_store(conn, path)


def _synced(path: str, identity: Any) -> bool:
    """The file's data on the disk, when it is still the one built (`tidy` may have removed it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != identity:
            return False
        os.fsync(fd)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def _copy_into_store(conn: sqlite3.Connection, path: str) -> None:
    """A built store copied into one made in place (SQLite's backup, through the log, so a
    crash leaves the new store empty or whole), when no store is there yet."""
    if not _create(path, exclusive=True) or not _private_file(path):
        return
    try:
        target = _connect(path)
    except sqlite3.Error:
        return
    try:
        conn.backup(target)
    except sqlite3.Error:
        pass  # the store stays as made: empty, or whole as SQLite's last commit left it
    finally:
        with contextlib.suppress(sqlite3.Error):
            target.close()


def tidy(folder: str) -> None:
    """Remove what older runs left in the store's folder: builds no running process will
    publish (`BUILD_STALE_S`), and the one-file-per-entry layout of older versions. A build
    removed while its run still goes is only not published (`_synced`)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(BUILD_PREFIX) and name.endswith(BUILD_SUFFIX):
            _drop_stale_build(os.path.join(folder, name), name)
        elif _LEGACY_BUCKET.match(name):
            import shutil

            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)


def _drop_stale_build(path: str, name: str) -> None:
    pid = name[len(BUILD_PREFIX) :].split(".", 1)[0]
    try:
        info = os.lstat(path)
    except OSError:
        return
    if _running(pid) and time.time() - info.st_mtime < BUILD_STALE_S:
        return
    with contextlib.suppress(OSError):
        os.unlink(path)


def _running(pid: str) -> bool:
    """Whether a process of this number runs here (a number of another machine's, through a
    shared home, may name one that does not: its build is then removed, and only not
    published)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's)
        return True
    return True
