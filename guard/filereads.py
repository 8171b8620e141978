"""The other files (and folders, links, cwd, env) one file's lint looked at, for the lint cache.

A file's findings can depend on more than its own bytes: the Codex config layers a run reads
(configlayers.py), a repository file a script copies into config.toml or auth.json (writes.py),
the `.git` folders that decide the repository root, a symlink a path check follows. The lint
cache (guard/sources/cache.py) stores these probes with the outcome and gives the outcome again
only while every probe still answers the same.

Why a context variable and not an argument: the probes sit deep in the engine (checks called
through the rule registry, lru-cached helpers), and threading a collector through every signature
would touch every check. `recording()` scopes it: guard/commands/lint.py opens one per linted
file and closes it after; with none open (the hooks, `check`) a probe costs one lookup. The
engine's lru caches that probe the file system use `replaying_cache`, so a cached answer still
adds its probes to the current file's record.
"""

from __future__ import annotations

import os
import stat
import time
from _contextvars import ContextVar  # what contextvars.py re-exports, without it
from operator import itemgetter

from guard.lrucache import lru_cache

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: this module is on the hook's import path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NamedTuple, ParamSpec, TypeVar

    P = ParamSpec("P")
    R = TypeVar("R")

    class Probe(NamedTuple):
        """One question the lint asked of the system, and the answer it got."""

        kind: str
        path: str
        answer: str
else:

    class Probe(tuple):
        """`collections.namedtuple("Probe", "kind path answer")`, without `collections` (the
        hook's codex path imports neither it nor functools: guard/lrucache.py)."""

        __slots__ = ()
        kind = property(itemgetter(0))
        path = property(itemgetter(1))
        answer = property(itemgetter(2))

        def __new__(cls, kind: str, path: str, answer: str) -> Probe:
            return tuple.__new__(cls, (kind, path, answer))

        def __getnewargs__(self) -> tuple[str, str, str]:  # pickled as a namedtuple is
            return tuple(self)  # type: ignore[return-value]

        def __repr__(self) -> str:
            return f"Probe(kind={self[0]!r}, path={self[1]!r}, answer={self[2]!r})"


FILE = "file"  # the file's stat data (size, mtime_ns, ctime_ns), or ABSENT
KIND = "kind"  # what is there: dir, file, other or ABSENT (a folder's own times do not count)
REAL = "real"  # where the path resolves to (symlinks followed)
CWD = "cwd"  # the folder lint runs in, resolved (the path is "")
ENV = "env"  # an environment variable's value (the path is its name)
ABSENT = "absent"
RACY_NS = 2_000_000_000  # as guard/sources/cache.py: a file changed this close to the look


PRESENT = frozenset(("dir", "file", "other"))  # KIND answers of a path that exists


def _stat_or_error(path: str) -> os.stat_result | OSError | ValueError:
    try:
        return os.stat(path)
    except (OSError, ValueError) as exc:
        # Without its traceback: the error is a value here (its type is all that is read), and
        # its traceback's frame holds `exc` itself, a cycle only the cyclic collector frees. A
        # lint probes thousands of absent paths (`.git`, `.codex/config.toml` up each tree):
        # those cycles were most of what the collections during a full check had to free.
        return exc.with_traceback(None)


def _failed(exc: BaseException) -> str:
    return ABSENT if isinstance(exc, FileNotFoundError) else f"error {type(exc).__name__}"


def _file_of(info: os.stat_result | OSError | ValueError) -> str:
    if isinstance(info, BaseException):
        return _failed(info)
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns}"


def _kind_of(info: os.stat_result | OSError | ValueError) -> str:
    if isinstance(info, BaseException):
        return _failed(info)
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    return "file" if stat.S_ISREG(info.st_mode) else "other"


def realpath(path: str) -> str:
    """`os.path.realpath(path)`, the same answer from the same `lstat`s. Why: the stdlib's walk
    is Python (a join and a split per part); a lint resolves a few folders per codex file, most
    of them absolute, clean (no `.`, `..` or empty part: such a path is what `abspath` gives
    back) and with no link on the way: each of their parts is `lstat`ed here as the stdlib does,
    and the path is its own answer. A part that is a link goes to the stdlib (which resolves it);
    a part that cannot be looked at is kept as written, as the stdlib does (not strict).

    A relative path (the linted files' folders, as the walk names them) is first made absolute
    against the working folder, as the stdlib's `abspath` does; joined, it is clean when it had
    no `.`, `..` or empty part itself (`getcwd` gives a clean absolute path)."""
    full = path
    if path and not path.startswith("/") and os.sep == "/":
        cwd = os.getcwd()  # raises where the stdlib's abspath raises
        full = (cwd if cwd != "/" else "") + "/" + path
    if (
        full.startswith("/")
        and os.sep == "/"
        and "//" not in full
        and "/./" not in full
        and "/../" not in full
        and not full.endswith(("/", "/.", "/.."))
    ):
        end = 0
        while end >= 0:
            end = full.find("/", end + 1)
            try:
                mode = os.lstat(full if end < 0 else full[:end]).st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                break
        else:
            return full
    return os.path.realpath(path)


@lru_cache(maxsize=8)
def _real_cwd(cwd: str) -> str:
    # Once a process per folder, as the lint itself resolves it (configlayers._search_roots is
    # cached by the same string): the answer is then the value the lint used.
    return os.path.realpath(cwd)


def answer(kind: str, path: str) -> str | None:
    """The probe's answer now; None for a probe kind this version does not know (a miss)."""
    if kind == FILE:
        return _file_of(_stat_or_error(path))
    if kind == KIND:
        return _kind_of(_stat_or_error(path))
    if kind == REAL:
        # `realpath`: the stdlib's answer from the same `lstat`s, at a fraction of its cost (a
        # cached run re-asks every REAL probe its stat rows hold, a thousand or so of them).
        return realpath(path)
    if kind == CWD:
        try:
            return _real_cwd(os.getcwd())
        except OSError:
            return ABSENT
    if kind == ENV:
        return os.environ.get(path, "\0unset")
    return None


def racy(probe: Probe, stamp: int) -> bool:
    """A FILE answer whose mtime or ctime is this close to the moment of the look: a write in
    the same clock tick would leave it as it was, so the answer proves nothing."""
    if probe.kind != FILE:
        return False
    parts = probe.answer.split(" ")
    if len(parts) != 3:
        return False
    return max(int(parts[1]), int(parts[2])) >= stamp - RACY_NS


class FileReads:
    """What one file's lint looked at: probes in order, deduplicated, and when it started.
    (A plain class: `dataclasses` is kept off the hook's import path.)"""

    __slots__ = ("_replayed", "probes", "stamp", "stat_answers", "untracked")

    def __init__(self, stamp: int | None = None) -> None:
        # `stamp`: a moment taken just before (the cache's look at the file): an earlier stamp
        # only makes more FILE answers racy (`racy`), never fewer.
        self.stamp = time.time_ns() if stamp is None else stamp
        self.probes: dict[tuple[str, str], str] = {}
        self.untracked = False  # something was read that no probe stands for: never cache
        # The probe tuples replayed into this record, by identity (a cached helper is called
        # many times a file, each call replaying the same tuple). Held, so no id is reused.
        self._replayed: dict[int, tuple[Probe, ...]] = {}
        # What `stat_noted` answered, by path (made at its first answer): a lint stats the same
        # config file once per codex run, and every answer after its first is the recorded one.
        self.stat_answers: dict[str, os.stat_result | None] | None = None

    def add(
        self,
        kind: str,
        path: str,
        seen: os.stat_result | OSError | ValueError | None = None,
        real: str | None = None,
    ) -> None:
        """`seen`: the stat a FILE or KIND probe's answer is made of, when the caller took it;
        `real`: a REAL probe's answer, when the caller resolved the path itself."""
        if kind not in (CWD, ENV) and not path.startswith("/"):
            # Lint may run from another folder next time: the path is made absolute, but not
            # normalised (abspath would drop `sub/..` as text, and with `sub` a link that names
            # another folder than the one the probe looked at). An absolute path is kept as
            # written too: one file under two spellings is two probes, each answered.
            path = os.path.join(os.getcwd(), path)
        key = (kind, path)
        if key not in self.probes:
            if seen is not None:
                found: str | None = _file_of(seen) if kind == FILE else _kind_of(seen)
            elif real is not None:
                found = real
            else:
                found = answer(kind, path)
            self.probes[key] = found if found is not None else ABSENT

    def replay(self, probes: tuple[Probe, ...]) -> None:
        """Probes asked earlier, with the answers they got then: a value computed from those
        answers is stored only with them, so a later change is a miss, never a stale hit."""
        if id(probes) in self._replayed:
            return
        self._replayed[id(probes)] = probes
        known = self.probes
        for kind, path, found in probes:
            key = (kind, path)
            if key not in known:
                known[key] = found

    def result(self) -> tuple[Probe, ...]:
        return tuple(Probe(kind, path, found) for (kind, path), found in self.probes.items())


_current: ContextVar[FileReads | None] = ContextVar("codex_guard_file_reads", default=None)
# What `recording` sets and resets, for a caller that opens a record per file in a hot loop
# (guard/commands/cachedrun.py): `CURRENT.set(FileReads(...))`, then `CURRENT.reset(token)`.
CURRENT = _current


class recording:  # used as `with recording() as reads`, as the function it replaces
    """A fresh record for one file's lint; the previous one (none, usually) comes back after.
    A class, not `contextlib.contextmanager`: contextlib costs the hook's codex path ~0.5 ms."""

    __slots__ = ("_token",)

    def __enter__(self) -> FileReads:
        reads = FileReads()
        self._token = _current.set(reads)
        return reads

    def __exit__(self, *exc_info: object) -> None:
        _current.reset(self._token)


def note(kind: str, path: str | os.PathLike[str]) -> None:
    """Record a probe in the file being linted (nothing when no lint records)."""
    reads = _current.get()
    if reads is not None:
        path = os.fspath(path)
        if (kind, path) in reads.probes:
            return  # asked before in this lint
        try:
            reads.add(kind, path)
        except (OSError, ValueError):
            reads.untracked = True


def stat_noted(path: str | os.PathLike[str]) -> os.stat_result | None:
    """`os.stat(path)` (None when it fails), recorded as a FILE probe of the file being linted:
    one stat, and the probe's answer is what the caller goes on. Asked again in the same lint,
    the same answer, without a stat: the lint goes on the answer its record holds (a file
    changed in between is a miss next run, as the probe says)."""
    path = os.fspath(path)
    reads = _current.get()
    if reads is not None and reads.stat_answers is not None and path in reads.stat_answers:
        return reads.stat_answers[path]
    info = _stat_or_error(path)
    _note_seen(FILE, path, info)
    found = None if isinstance(info, BaseException) else info
    if reads is not None:
        if reads.stat_answers is None:
            reads.stat_answers = {}
        reads.stat_answers[path] = found
    return found


def kind_noted(path: str | os.PathLike[str]) -> str:
    """What is at `path` (a KIND answer: "dir", "file", "other", ABSENT or an error; in
    PRESENT when it exists), recorded as a KIND probe from the same stat."""
    info = _stat_or_error(os.fspath(path))
    _note_seen(KIND, path, info)
    return _kind_of(info)


def real_noted(path: str) -> str:
    """`os.path.realpath(path)`, recorded as a REAL probe of the file being linted with that
    same answer: one resolution (a `lstat` per part of the path) where a note and the caller's
    own call took two, and the answer recorded is the one the lint went on. A path that cannot
    be resolved (a NUL in it) is its own answer, and the lint is not cached (as `note`)."""
    reads = _current.get()
    try:
        real = realpath(path)
    except (OSError, ValueError):  # a NUL in a path a script names: no file has it
        if reads is not None:
            reads.untracked = True
        return path
    if reads is not None:
        try:
            reads.add(REAL, path, real=real)
        except (OSError, ValueError):
            reads.untracked = True
    return real


def _note_seen(
    kind: str, path: str | os.PathLike[str], info: os.stat_result | OSError | ValueError
) -> None:
    reads = _current.get()
    if reads is not None:
        path = os.fspath(path)
        if (kind, path) in reads.probes:
            return  # asked before in this lint (a cached helper asks again per call)
        try:
            reads.add(kind, path, info)
        except (OSError, ValueError):
            reads.untracked = True


def note_untracked() -> None:
    reads = _current.get()
    if reads is not None:
        reads.untracked = True


def replaying_cache(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`functools.lru_cache`, but each call, cached or not, adds the probes the first
    computation recorded (with the answers it got) to the current file's record. Only for
    functions whose probes are not FILE ones (their racy check needs the record's own stamp)."""

    def wrap(function: Callable[P, R]) -> Callable[P, R]:
        @lru_cache(maxsize=maxsize)
        def computed(*args: object) -> tuple[R, tuple[Probe, ...], bool]:
            with recording() as reads:
                value = function(*args)  # type: ignore[arg-type,call-arg]
            return value, reads.result(), reads.untracked

        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            value, probes, untracked = computed(*args)
            reads = _current.get()
            if reads is not None:
                if probes and id(probes) not in reads._replayed:  # most calls: replayed already
                    reads.replay(probes)
                if untracked:
                    reads.untracked = True
            return value

        for name in ("__module__", "__name__", "__qualname__", "__doc__"):  # functools.wraps
            setattr(call, name, getattr(function, name))
        call.__wrapped__ = function  # type: ignore[attr-defined]
        call.cache_clear = computed.cache_clear  # type: ignore[attr-defined]
        return call

    return wrap


def unchanged(probes: tuple[Probe, ...], memo: dict[tuple[str, str], str | None]) -> bool:
    """Every probe answers as it did (`memo`: answers already asked in this run)."""
    for probe in probes:
        key = (probe.kind, probe.path)
        if key not in memo:
            memo[key] = answer(probe.kind, probe.path)
        if memo[key] != probe.answer:
            return False
    return True
