"""A lint run with the cache store: files answered by their stat data (here, or by the walk's
forked child), the others sent to the workers as cached jobs, a worker's lint of one with its
look and reads recorded, and the one writer of what the workers found (guard/sources/cache.py is
the store itself)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping

from guard import filereads
from guard.commands.lint import (
    FileJob,
    FileOutcome,
    config_digest,
    lint_unrecorded,
    no_reader_by_name,
)
from guard.fastclass import dataclass, field
from guard.filereads import FileReads
from guard.findings import Finding, Findings, LintResult
from guard.settings import Settings
from guard.sources import cache

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: a cached run's start-up does not import typing
if TYPE_CHECKING:
    from typing import Any

    from guard.sources.cache import HeldMemo, Looked, ProbeMemo, StatData, StatHit, StatRow
    from guard.sources.walk import Candidate


CACHE_BATCH = 2048  # cache entries written per transaction


# --- a worker's side: one file's lint with its look and reads recorded ------------------------


def lint_recorded(job: FileJob, *, full: bool) -> FileOutcome | None:
    """`lint_file` with the cache on. The file is looked at (stat) before anything reads it: the
    stat row the run stores then never stands for bytes newer than the outcome's. The other
    files the lint looks at are recorded (guard/filereads.py) and sent back with the outcome,
    encoded once, as are its findings (the parent stores both as they come); a lint that read
    something no probe stands for is not stored."""
    if job.cache_dir is None:
        return lint_unrecorded(job, full=full)
    if job.content is not None or job.error is not None:
        begun = _begun(job, None, full=full, unkeyed=None)
        return _finished(*begun) if isinstance(begun, tuple) else begun
    looked = cache.look(job.path)
    if looked is None:
        begun = _begun(job, None, full=full, unkeyed=None)
        return _finished(*begun) if isinstance(begun, tuple) else begun
    # `_begun` and `_finished` in place for a file on disk: most files (the keyword reject's)
    # record nothing and find nothing, and store only the stat row.
    linted = _linted(job, looked, full=full, unkeyed=None)
    if not isinstance(linted, tuple):
        return linted
    reads, outcome = linted
    if reads.probes or outcome.findings or outcome.reads is not None or outcome.cache_key:
        return _finished(job, looked, reads, outcome, None)
    if outcome.errors or outcome.skipped:
        return outcome
    scope = job.scope or _scope_of(job)
    outcome.stat_row = cache.stat_row(job.path, scope, looked, "", outcome.checked, b"")
    return outcome


def lint_recorded_chunk(jobs: list[FileJob]) -> list[FileOutcome]:
    """`lint_recorded` (with `full`) for a worker's chunk: every file looked at, then every
    lint, then what each outcome needs for the store (its content key, the encodings, the stat
    row), each step for the whole chunk in a row. Each file's engine run leaves the processor's
    caches full of its own work, and a small step run right after it costs about twice what it
    costs in a row (measured on a 10,000-file tree: the steps after a lint 18 against 9 us a
    full-check file; the look, a stat, 3.3 against 2.6 us a file). A look still comes before
    its file's read, as the stat row needs, only earlier: a file changed in between is a miss
    next run (its row has the older stat data), never a stale hit."""
    look = cache.look
    looks = [
        None
        if job.cache_dir is None or job.content is not None or job.error is not None
        else look(job.path)
        for job in jobs
    ]
    begun = [
        _begun(job, looked, full=True, unkeyed=[]) for job, looked in zip(jobs, looks, strict=True)
    ]
    outcomes = []
    for item in begun:
        assert item is not None  # with `full`, every file gets an answer
        outcomes.append(_finished(*item) if isinstance(item, tuple) else item)
    return outcomes


if TYPE_CHECKING:
    # A lint done, its stored form still to make: the job, the look at its file before the
    # read, the record of what else it looked at, its outcome, and its bytes and kind when its
    # content key is still to be made (`lint_unrecorded`'s `unkeyed`).
    _Begun = tuple[FileJob, Looked | None, FileReads, FileOutcome, list[tuple[bytes, str]] | None]


_RECORD = filereads.CURRENT  # the record of the file being linted (`recording`'s, set here)


def _begun(
    job: FileJob, looked: Looked | None, *, full: bool, unkeyed: list[tuple[bytes, str]] | None
) -> FileOutcome | _Begun | None:
    """The lint, after its look (None: bytes from stdin or a file the walk could not take, or
    one with no stat), with its record (`_linted`); the outcome alone when nothing of it is
    stored."""
    if job.cache_dir is None:
        return lint_unrecorded(job, full=full)
    linted = _linted(job, looked, full=full, unkeyed=unkeyed)
    if not isinstance(linted, tuple):
        return linted
    return job, looked, *linted, unkeyed


def _linted(
    job: FileJob, looked: Looked | None, *, full: bool, unkeyed: list[tuple[bytes, str]] | None
) -> tuple[FileReads, FileOutcome] | FileOutcome | None:
    """`lint_unrecorded` with the file's record current: the record and the outcome; the
    outcome alone when the lint read what no probe stands for (it is never stored); None when
    it leaves the file to a full check. The record is set and reset here, not through
    `filereads.recording()` (three calls a file fewer), and its stamp is the look's clock
    reading: taken just before, it is no later than the lint."""
    reads = FileReads() if looked is None else FileReads(looked[0])
    token = _RECORD.set(reads)
    try:
        info = None if looked is None else looked[1]
        outcome = lint_unrecorded(job, full=full, info=info, unkeyed=unkeyed)
    finally:
        _RECORD.reset(token)
    if outcome is None:
        return None
    if reads.untracked:
        outcome.cache_key = ""
        return outcome
    return reads, outcome


def _finished(
    job: FileJob,
    looked: Looked | None,
    record: FileReads,
    outcome: FileOutcome,
    unkeyed: list[tuple[bytes, str]] | None,
) -> FileOutcome:
    """The outcome with what the store keeps of it, made once, here in the worker."""
    if unkeyed and not outcome.errors:
        try:
            key = content_key(job, *unkeyed[0])
        except (UnicodeError, ValueError):  # no key: the outcome is not stored
            key = ""
        outcome.cache_key = outcome.entry_key = key
    # Encoded here, once: the stat row and the entry store the same bytes, and they cost less
    # to send back than the probes. A content hit brings the reads stored with it.
    if outcome.reads is None:
        if record.probes:  # most files (the keyword reject's) record none
            outcome.reads_blob = cache.encode_recorded(record.stamp, record.probes)
    else:
        outcome.reads_blob = cache.encode_reads(outcome.reads)
        outcome.reads = None
    if outcome.cache_key and not outcome.cache_hit and not outcome.errors:
        outcome.stored_findings = _encoded(outcome.findings)
    if looked is None or outcome.errors or outcome.skipped:
        return outcome
    # The stat row, for an outcome the cache may give again: no errors, and its findings (if
    # any) stored under a content key. Made here whole, from what is at hand.
    if outcome.findings:
        if not outcome.entry_key:
            return outcome
        entry = outcome.entry_key
    else:
        entry = ""
    scope = job.scope or _scope_of(job)
    outcome.stat_row = cache.stat_row(
        job.path, scope, looked, entry, outcome.checked, outcome.reads_blob
    )
    return outcome


def _scope_of(job: FileJob) -> str:
    """The stat scope of a job made without one (`CachedJobs` gives every walked job its own)."""
    config_key = job.config_key or config_digest(job.settings, job.rule_text)
    return cache.stat_scope(config_key, job.code_key, job.explicit, job.kind)


def _encoded(findings: list[Finding]) -> bytes:
    """The findings as the store keeps them; empty when they cannot be encoded (a re-lint)."""
    try:
        return cache.encode(findings)
    except (TypeError, ValueError):
        return b""


def content_key(job: FileJob, data: bytes, kind: str) -> str:
    """The content key of the file's outcome in the store (guard/sources/cache.py)."""
    config_key = job.config_key or config_digest(job.settings, job.rule_text)
    return cache.entry_key(data, job.path, kind, config_key, job.code_key)


def stored_outcome(job: FileJob, data: bytes, kind: str) -> tuple[str, FileOutcome | None]:
    """The file's content key, and the outcome stored under it when its bytes and every other
    file its lint read are as they were (a file whose stat row did not match, or none)."""
    assert job.cache_dir is not None  # only with the cache on
    store = cache.open_store(job.cache_dir)
    if store is None:
        return "", None
    key = content_key(job, data, kind)
    cached = store.lookup_with_reads(key, {})
    if cached is None:
        return key, None
    stale = cached[1] < time.time() - cache.REFRESH_S
    mark = key if stale else ""  # only an entry not used lately is marked again
    hit = FileOutcome(cached[0], [], checked=True, cache_key=mark, cache_hit=True, entry_key=key)
    hit.reads = cached[2]
    return key, hit


# --- the run's side ---------------------------------------------------------------------------


class CachedJobs:
    """Jobs with the cache on, made as the walk finds their files (`job`), not made bare and
    then again: the cache's part of a job (the store's folder, the code and config keys, the
    stat scope, and whether the store has rows of that scope) is worked out once per distinct
    settings, not per file."""

    def __init__(self) -> None:
        self.folder = str(cache.cache_root())
        # No store yet (a first run, or one after the store was removed): nothing to look up,
        # and it is not made here but by the run's writer at its first batch (`CacheWriter`).
        # Making one waits for the disk five times (SQLite syncs its journal, the file and the
        # folder as it sets the store up), and here nothing else would run meanwhile; in the
        # writer the workers go on with the files they hold.
        self.absent = not os.path.lexists(os.path.join(self.folder, cache.STORE_NAME))
        self.store = None if self.absent else cache.open_store(self.folder)
        # Whether the store holds stat rows at all: without any (a first run) there is no
        # scope to ask about, nothing to look up by stat and no walk to hand aside (`WalkAside`).
        self.stored = self.store is not None and self.store.has_stats()
        self._code_keys: dict[tuple[str, ...], str] = {}
        # by the identity of the settings (the resolver shares them): the code and config keys
        self._keys: dict[int, tuple[Settings, str, str]] = {}
        # by the identity of a `_keys` value: the scope, and whether the store has no rows of it
        self._scopes: dict[tuple[int, bool, str | None], tuple[str, bool]] = {}
        # A walked file's (not named, no `--kind`: nearly every job) all of the above in one
        # lookup by the settings' identity: settings, code key, config key, scope, cold.
        self._walked: dict[int, tuple[Settings, str, str, str, bool]] = {}

    def job(
        self,
        path: str,
        explicit: bool,
        settings: Settings,
        rule_text: Mapping[str, Any],
        error: str | None = None,
        kind: str | None = None,
    ) -> FileJob:
        """`FileJob(...)` with the cache's part. A job whose scope the store has no rows of is
        cold: its worker stores its outcome and looks nothing up."""
        walked = not explicit and kind is None
        if walked:
            ready = self._walked.get(id(settings))
            if ready is not None and ready[0] is settings:
                return FileJob(
                    path, False, settings, rule_text, self.folder, ready[1], error, None, None,
                    ready[2], ready[4], ready[3],
                )  # fmt: skip
        known = self._keys.get(id(settings))
        if known is None or known[0] is not settings:
            rule_dirs = tuple(sorted(set(settings.rules_dirs)))
            if rule_dirs not in self._code_keys:
                self._code_keys[rule_dirs] = cache.code_fingerprint(rule_dirs)
            digest = config_digest(settings, rule_text)
            known = (settings, self._code_keys[rule_dirs], digest)
            self._keys[id(settings)] = known
        scope_of = (id(known), explicit, kind)
        scoped = self._scopes.get(scope_of)
        if scoped is None:
            scope = cache.stat_scope(known[2], known[1], explicit, kind)
            live = self.stored and self.store is not None and self.store.has_scope(scope)
            cold = (self.store is not None or self.absent) and not live
            scoped = self._scopes[scope_of] = (scope, cold)
        if walked:
            self._walked[id(settings)] = (settings, known[1], known[2], scoped[0], scoped[1])
        return FileJob(
            path,
            explicit,
            settings,
            rule_text,
            self.folder,
            known[1],
            error,
            kind,
            None,  # content: the file is on disk
            known[2],
            cache_cold=scoped[1],
            scope=scoped[0],
        )


class CacheWriter:
    """The run's one writer to the cache store: new entries and hits, in batches, then a prune.

    Only the parent writes, so workers never wait on each other's locks."""

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._added: list[tuple[str, bytes, bytes]] = []
        self._used: list[str] = []
        self._stats: list[StatRow] = []
        self._wrote = False
        self._rows = 0  # the most rows written to one table (entries or stats)
        self._pending = 0  # the three lists' lengths, summed

    def note(self, outcome: FileOutcome) -> None:
        row = outcome.stat_row
        if row is not None:
            self._stats.append(row)
            self._pending += 1
        key = outcome.cache_key
        if key:
            if outcome.cache_hit:
                self._used.append(key)
                self._pending += 1
            elif outcome.stored_findings and not outcome.errors:
                self._added.append((key, outcome.stored_findings, outcome.reads_blob))
                self._pending += 1
        if self._pending >= CACHE_BATCH:
            self.flush()

    def flush(self) -> None:
        if not (self._added or self._used or self._stats):
            return
        # With `build`: a folder with no store gets one built whole and published as the run
        # ends (guard/sources/cache.py `_build`), not one made in place and filled through its
        # log.
        store = cache.open_store(self._folder, build=True)
        if store is not None:
            store.save(self._added, self._used, stats=self._stats)
            self._wrote = True
            self._rows += max(len(self._added), len(self._stats))
        self._added, self._used, self._stats = [], [], []
        self._pending = 0

    def close(self) -> None:
        self.flush()
        if self._wrote:
            store = cache.open_store(self._folder)
            # A store this run made held nothing older than this run; only its cap could be
            # passed, and then only by a run of more files than it keeps (a prune of a filled
            # store reads every row: 3.3 M instructions after 2,000 files).
            if store is not None and (not store.fresh or self._rows > cache.MAX_ENTRIES):
                store.prune()
            if store is not None and not store.fresh:
                cache.tidy(self._folder)  # a build a crashed run left (one listing a run)


@dataclass(slots=True)
class StatHits:
    """The files the parent answered from the cache by their stat data (no read, no worker)."""

    findings: Findings = field(default_factory=Findings)  # spilled past a bound, as a run's
    files: int = 0  # of them, those a reader takes (the report's `files`)
    used: list[str] = field(default_factory=list)  # entries not used lately: mark them
    stats_used: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: str, scope: str, hit: StatHit) -> None:
        self.findings.extend(hit.findings)
        self.files += 1 if hit.checked else 0
        if hit.stale:
            self.stats_used.append((path, scope))
            if hit.entry:
                self.used.append(hit.entry)

    def mark_used(self, store: Any) -> None:
        """Mark the hits not used lately as used now (one transaction). Done as the walk ends,
        before the run's writer prunes the store (`CacheWriter.close`): a hit of this run is
        never pruned as unused."""
        if self.used or self.stats_used:
            store.save([], self.used, stats_used=self.stats_used)
        self.used, self.stats_used = [], []

    def merge_into(self, result: LintResult) -> None:
        """Into the run's result, in the same sorted order as if a worker had linted them.
        (Their marks as used were saved as the walk ended: `mark_used`.)"""
        if self.findings:
            result.findings.absorb(self.findings)  # spilled runs are taken, not copied
            result.findings.sort(key=Finding.sort_key)
        result.files += self.files


def _stat_misses(
    store: Any,
    scope: str,
    pending: list[tuple[FileJob, StatData]],
    hits: StatHits,
    memo: ProbeMemo,
    aside: WalkAside | None = None,
) -> Iterator[FileJob]:
    """The pending jobs (one scope, each with its file's stat data taken here, in the parent)
    whose file does not match a trusted stat row; the others go to `hits`. One query a
    batch."""
    found = store.by_stats(scope, {job.path: now for job, now in pending}, memo)
    if aside is not None:
        aside.note(len(pending), len(found))
    for job, _now in pending:
        hit = found.pop(job.path, None)  # popped: a path named twice is linted
        if hit is None:
            yield job
        else:
            hits.add(job.path, scope, hit)


def with_cache(
    jobs: Iterable[FileJob], made: CachedJobs, hits: StatHits, aside: WalkAside | None = None
) -> Iterator[FileJob]:
    """The jobs (made by `made`) but those whose file's stat data match a trusted stat row:
    those are answered here, into `hits` (see guard/sources/cache.py).

    Files wait for their lookup in batches of one scope (one config), so each batch is one
    query. A cold job (its scope has no rows) is not looked up."""
    store = made.store
    pending: dict[str, list[tuple[FileJob, StatData]]] = {}
    memo: ProbeMemo = {}  # probe answers, asked once a run
    last_scope = ""  # the scope of the last file looked up
    for job in jobs:
        looked = aside.looks.pop(job.path, None) if aside is not None and aside.looks else None
        if looked == KEPT and not job.explicit:
            continue  # a config file a look found unchanged: linted as a config, counted there
        lookable = job.error is None and job.content is None  # a file on disk, not yet failed
        if store is not None and lookable and not job.cache_cold:
            walked = not job.explicit and job.kind is None
            if walked and looked is False:  # a look (the walk's helper) found it: a miss
                yield job
                continue
            try:
                now = cache.stat_data(os.stat(job.path))
            except (OSError, ValueError):
                yield job  # a worker says why
                continue
            scope = job.scope
            if scope != last_scope and last_scope in pending:
                # The walk left that config's files (a folder's files come together): look
                # them up now rather than at the end of the walk.
                left = pending.pop(last_scope)
                yield from _stat_misses(store, last_scope, left, hits, memo, aside)
            last_scope = scope
            batch = pending.setdefault(scope, [])
            batch.append((job, now))
            if len(batch) >= cache.STAT_BATCH:
                del pending[scope]
                yield from _stat_misses(store, scope, batch, hits, memo, aside)
            continue
        yield job
    for scope, batch in pending.items():
        yield from _stat_misses(store, scope, batch, hits, memo)
    if store is not None:
        hits.mark_used(store)


ASIDE_AFTER = 512  # files looked up by stat before a cached run may hand its walk aside


ASIDE_HITS = 0.9  # ... when at least this share of them were hits


# A look's answer for a config file it found unchanged: sent on all the same, so that the
# parent lints it as a config (CG905) where the walk met it, but no job is made of it.
KEPT = "kept"


@dataclass(slots=True)
class WalkAside:
    """A cached run hands the rest of its walk to a forked child (the other core) once its stat
    lookups show it is answered from the store. The child walks; it looks at every other batch
    of files (`ChildLooks`: stat, stat row, stored reads) and leaves the others to this
    process, which looks at them the same way (guard/sources/walk.py `PARENT_SHARE`). A look
    keeps its hits: their findings come with the batch, still encoded, and are decoded here
    (`take`, into `hits`). Only the misses and the files not looked up become jobs.
    Never with `-j1` (one process) or on one CPU.

    `looks` holds a look's answer per path it sent and looked up, until `with_cache` takes
    it: False (a miss) or KEPT (a config file found unchanged)."""

    hits: StatHits
    looked: int = 0
    found: int = 0
    wanted: bool = False
    started: bool = False
    looks: dict[str, Any] = field(default_factory=dict)
    again: list[Candidate] = field(default_factory=list)  # hits that failed here: linted

    def note(self, looked: int, hits: int) -> None:
        self.looked += looked
        self.found += hits
        if self.looked >= ASIDE_AFTER and self.found >= self.looked * ASIDE_HITS:
            self.wanted = True

    def candidates(
        self, walked: Iterator[Candidate], looks: ChildLooks, learn: Callable[[Any], object]
    ) -> Iterator[tuple[Candidate, Any]]:
        """The walk's candidates, with the child's look at each once it walks; `learn` takes
        what the child resolved (the folders of the files it sends, each with its config), so
        this process resolves none of them again."""
        for candidate in walked:
            yield candidate, None
            if self.wanted and not self.started:
                self.started = True
                from guard.sources.walk import walk_aside

                def take(note: tuple[Any, _ChildHits | None]) -> None:
                    learned, answered = note
                    learn(learned)
                    if answered is not None:
                        self.take(answered)

                rest = walk_aside(walked, looks, take)
                if rest is not None:
                    for item in rest:
                        yield from self._again()  # a batch's failed hits, before its files
                        yield item
                    yield from self._again()
                    return

    def _again(self) -> Iterator[tuple[Candidate, Any]]:
        again, self.again = self.again, []
        for candidate in again:
            yield candidate, None  # not looked up: `with_cache` does it (and misses)

    def take(self, answered: _ChildHits) -> None:
        """The hits a look kept in a batch, as `StatHits.add` takes them; one whose findings
        do not decode goes back to the walk (`again`): linted, never dropped."""
        from guard.sources.walk import Candidate

        checked, stale, checks = answered
        self.hits.files += checked
        self.hits.stats_used.extend(stale)
        for path, real, scope, hit in checks:
            try:
                findings = cache.decoded_findings(hit[3])
            except (ValueError, KeyError, TypeError):
                self.again.append(Candidate(path, False, real=real))
                continue
            self.hits.add(path, scope, cache.StatHit(findings, *hit[:3]))


# What a look says of the hits of a batch it kept (plain tuples: the cheapest to pickle): how
# many of those without findings a reader takes; (path, scope) of those among them not used
# lately; and those with findings as (path, real, scope, (checked, entry, stale, encoded
# findings)), decoded by the parent.
if TYPE_CHECKING:
    _ChildHits = tuple[
        int,
        list[tuple[str, str]],
        list[tuple[str, str, str, tuple[bool, str, bool, bytes]]],
    ]


class ChildLooks:
    """A batch of candidates looked up as `with_cache` would (the same settings, scopes, name
    test, stat and trust rules), on its process's own store connection: in the walking child,
    or in the parent for a batch the child left it. Its hits, and the files no reader takes by
    their names, are kept (`ANSWERED`: not sent as candidates; the hits go in the note,
    `_ChildHits`); a config file among the hits is sent all the same (`KEPT`): the parent
    lints it as a config (CG905) in walk order."""

    def __init__(
        self,
        settings_of: Callable[[str], Settings],
        rule_text: Mapping[str, Any],
        learned: Callable[[], Any] = lambda: None,
    ) -> None:
        from guard.config import CONFIG_NAMES, PYPROJECT

        self._settings_of = settings_of
        self._learned = learned  # the folders the walk resolved since the last batch
        self._unsent: dict[str, Any] = {}  # of them, those the parent has not needed yet
        self._rule_text = rule_text
        self._folder = str(cache.cache_root())
        self._scopes: dict[int, tuple[Settings, str | None]] = {}  # None: not live
        self._code_keys: dict[tuple[str, ...], str] = {}
        self._memo: ProbeMemo = {}
        self._held: HeldMemo = {}
        self._config_names = frozenset({*CONFIG_NAMES, PYPROJECT})

    def _scope(self, settings: Settings, store: Any) -> str | None:
        known = self._scopes.get(id(settings))
        if known is None or known[0] is not settings:
            rule_dirs = tuple(sorted(set(settings.rules_dirs)))
            if rule_dirs not in self._code_keys:
                self._code_keys[rule_dirs] = cache.code_fingerprint(rule_dirs)
            digest = config_digest(settings, self._rule_text)
            scope = cache.stat_scope(digest, self._code_keys[rule_dirs], False, None)
            known = (settings, scope if store.has_scope(scope) else None)
            self._scopes[id(settings)] = known
        return known[1]

    def __call__(self, batch: list[Candidate]) -> tuple[list[Any], Any]:
        from guard.sources.walk import ANSWERED

        self._unsent.update(self._learned() or {})
        answers: list[Any] = [None] * len(batch)
        store = cache.open_store(self._folder)
        if store is None:
            return answers, (self._folders_sent(batch, answers), None)
        pending: dict[str, dict[str, StatData]] = {}
        where: dict[str, int] = {}
        # "" is no folder: replaced at once
        last: tuple[str, Settings, str | None] = ("", Settings(), None)
        for index, candidate in enumerate(batch):
            if candidate.real is None or candidate.error is not None or candidate.explicit:
                continue
            cut = candidate.real.rfind("/")
            folder = candidate.real[:cut] or "/"
            if folder != last[0]:  # the walk gives a folder's files one after another
                settings = self._settings_of(folder)
                last = (folder, settings, self._scope(settings, store))
            settings, scope = last[1], last[2]
            if scope is None:
                continue
            if no_reader_by_name(candidate.path, settings):
                if os.path.basename(candidate.path) not in self._config_names:
                    answers[index] = ANSWERED  # nothing found, not counted: as `with_cache`
                continue  # (a config is sent: the parent lints it as a config)
            try:
                now = cache.stat_data(os.stat(candidate.path))
            except (OSError, ValueError):
                continue
            if candidate.path in where:
                continue  # a path twice: the second is done by the parent
            pending.setdefault(scope, {})[candidate.path] = now
            where[candidate.path] = index
        checked = 0
        stale: list[tuple[str, str]] = []
        checks: list[tuple[str, str, str, tuple[bool, str, bool, bytes]]] = []
        for scope, looks in pending.items():
            found = store.by_stats(scope, looks, self._memo, decode=False)
            for path in looks:
                index = where[path]
                hit = found.get(path)
                if hit is None:
                    answers[index] = False  # a miss: the parent lints it
                    continue
                if not cache.reads_still_hold(hit.deps, self._memo, self._held):
                    answers[index] = False  # another file its lint read has changed
                    continue
                # a config is sent: the parent lints it as a config where the walk met it
                config = os.path.basename(path) in self._config_names
                answers[index] = KEPT if config else ANSWERED
                if hit.entry:
                    real = batch[index].real
                    assert real is not None  # looked up only then
                    checks.append(
                        (path, real, scope, (hit.checked, hit.entry, hit.stale, hit.blob))
                    )
                    continue
                checked += 1 if hit.checked else 0
                if hit.stale:
                    stale.append((path, scope))
        answered = (checked, stale, checks) if checked or stale or checks else None
        return answers, (self._folders_sent(batch, answers), answered)

    def left(self, batch: list[Candidate]) -> tuple[dict[str, Any], None]:
        """The note for a batch left to the parent to look at: its folders' configs."""
        self._unsent.update(self._learned() or {})
        return self._folders_sent(batch, [None] * len(batch)), None

    def _folders_sent(self, batch: list[Candidate], answers: list[Any]) -> dict[str, Any]:
        """The resolved folders (each with its nearest config) of the batch's files the
        parent gets, each sent once: the parent needs no other."""
        from guard.sources.walk import ANSWERED

        sent: dict[str, Any] = {}
        for candidate, answer in zip(batch, answers, strict=True):
            if answer is ANSWERED or candidate.real is None:
                continue
            folder = candidate.real[: candidate.real.rfind("/")] or "/"
            if folder in self._unsent:
                sent[folder] = self._unsent.pop(folder)
        return sent
