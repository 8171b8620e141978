"""Files from the command line: explicit files always, folders walked with .gitignore respected.

- `.gitignore` files apply from the git repository's root down (nested ones too), plus
  `.git/info/exclude`; outside a repository, those from the walked folder down.
- `exclude` patterns (config, gitignore syntax) are applied by the caller's `excluded` callback,
  which knows which config governs which folder.
- `.git`, `node_modules`, `.venv` (and a few caches) are never entered.
- Directory symlinks are followed once: resolved folders already seen are skipped, so a symlink
  loop ends the walk of that branch instead of the process.
- A path named on the command line is linted even if ignored or excluded.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from guard import fspaths
from guard.fastclass import dataclass
from guard.purepaths import pure
from guard.regularfile import read_regular

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from typing import Any

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
     ".ruff_cache", ".pytest_cache", ".tox"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str  # as shown to the user: relative to how it was named on the command line
    explicit: bool  # named on the command line itself
    error: str | None = None  # a folder that could not be listed: reported, not silently skipped
    real: str | None = None  # the resolved path (symlinks followed), when the walk knows it


# `exclude` asks (shown path, resolved path, is a folder): the walk already knows both, so the
# caller never resolves a path per file. A callback may also have `files_in(real_folder)`: the
# check for that folder's plain files (not symlinks) as (name, shown path) -> excluded, or None
# when none of them can be, worked out once per folder instead of once per file.
Excluded = Callable[[str, str, bool], bool]
FileExcluded = Callable[[str, str], bool]


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _files_check(excluded: Excluded, prefix: str) -> FileExcluded | None:
    """The per-folder file check: the callback's own, or the callback asked per file."""
    files_in = getattr(excluded, "files_in", None)
    if files_in is not None:
        checked: FileExcluded | None = files_in(prefix[:-1] if len(prefix) > 1 else prefix)
        return checked
    return lambda name, shown: excluded(shown, prefix + name, False)


def _never(_shown: str, _real: str, _is_dir: bool) -> bool:
    return False


_never.files_in = lambda _real: None  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Ignore:
    base: str  # folder the .gitignore sits in (resolved), ending in "/"
    spec: Any  # pathspec.GitIgnoreSpec
    quick: QuickTest | None = None  # see quick_test


# A test that says "no pattern of the spec matches this path" fast (most paths): None then.
QuickTest = Callable[[str], object]


def quick_test(spec: Any) -> QuickTest | None:
    """All the spec's pattern regexes as one (their folder-mark groups unnamed): when it does
    not match a path, no pattern does and the spec has no say (`check_file` gives include
    None). One regex match instead of pathspec's loop over the patterns for each path. None
    when the patterns are not all regexes this can join (then every path is checked)."""
    import re

    sources: list[str] = []
    for pattern in spec.patterns:
        if getattr(pattern, "include", None) is None:
            continue  # a comment or blank line: matches nothing
        regex = getattr(pattern, "regex", None)
        if not isinstance(regex, re.Pattern) or not isinstance(regex.pattern, str):
            return None
        if regex.flags & ~re.UNICODE:
            return None
        sources.append("(?:" + regex.pattern.replace("(?P<ps_d>", "(?:") + ")")
    if not sources:
        return lambda _path: None
    try:
        return re.compile("|".join(sources)).search  # as pathspec matches: search
    except re.error:
        return None


def spec_answer(spec: Any, quick: QuickTest | None, path: str) -> bool | None:
    """`spec.check_file(path).include`, with the quick test first."""
    if quick is not None and not path.startswith(("/", "./")) and quick(path) is None:
        return None
    include: bool | None = spec.check_file(path).include
    return include


# Paths here are strings, not pathlib's (guard/fspaths.py: the same answers): a lint's start-up
# does without pathlib, about 2.5 ms of a run of 85 over 1,000 workflows.


def _folder_prefix(folder: str) -> str:
    return folder if folder.endswith("/") else folder + "/"


def _load_ignore(folder: str, name: str = ".gitignore", base: str | None = None) -> _Ignore | None:
    """`folder`'s ignore file `name`, its patterns read from `base` (resolved; default `folder`)."""
    data = read_regular(os.path.join(folder, name))
    if data is None:
        return None
    text = data.decode("utf-8", "replace")
    from guard.sources.ignorespec import gitignore_spec

    spec = gitignore_spec(text.splitlines())
    return _Ignore(_folder_prefix(base if base is not None else folder), spec, quick_test(spec))


def _up_from(start: str) -> list[str]:
    """`[start, *Path(start).parents]` for a resolved (absolute, clean) `start`."""
    chain = [start]
    while (parent := os.path.dirname(chain[-1])) != chain[-1]:
        chain.append(parent)
    return chain


def _git_root(chain: list[str]) -> str | None:
    for folder in chain:
        if fspaths.exists(os.path.join(folder, ".git")):  # raises as Path.exists does
            return folder
    return None


def _ancestor_ignores(start: str) -> list[_Ignore]:
    """The .gitignore files between the repository root and `start`'s parent, root first.
    `start` is resolved."""
    chain = _up_from(start)
    root = _git_root(chain)
    if root is None:
        return []
    ignores: list[_Ignore] = []
    info = _load_ignore(os.path.join(root, ".git", "info"), "exclude", base=root)
    if info is not None:
        ignores.append(info)
    for folder in reversed(chain[1 : chain.index(root) + 1]):
        loaded = _load_ignore(folder)
        if loaded is not None:
            ignores.append(loaded)
    return ignores


def is_ignored(real: str, is_dir: bool, ignores: list[_Ignore]) -> bool:
    """Git's answer: the deepest .gitignore with a matching pattern decides (negations included).

    `real` is the resolved path; each .gitignore reads it relative to its own folder."""
    for ignore in reversed(ignores):
        if not real.startswith(ignore.base):
            continue
        relative = real[len(ignore.base) :]
        if is_dir:
            relative += "/"
        result = ignore.spec.check_file(relative)
        if result.include is not None:
            return bool(result.include)
    return False


if TYPE_CHECKING:
    Applying = list[tuple[Any, "QuickTest | None", str]]


def _folder_ignores(real_prefix: str, ignores: list[_Ignore]) -> Applying:
    """The .gitignore files that apply in a folder, deepest first, each with the folder's path
    relative to it: an entry's path for each is then a string join, not a prefix test."""
    return [
        (ignore.spec, ignore.quick, real_prefix[len(ignore.base) :])
        for ignore in reversed(ignores)
        if real_prefix.startswith(ignore.base)
    ]


def _ignored_here(name: str, is_dir: bool, applying: Applying) -> bool:
    """`is_ignored` for an entry of a folder whose applying .gitignore files are known."""
    for spec, quick, relative in applying:
        include = spec_answer(spec, quick, relative + name + "/" if is_dir else relative + name)
        if include is not None:
            return include
    return False


if TYPE_CHECKING:
    # A folder being walked: its sorted entries (an iterator, resumed after a subfolder), its
    # resolved path with a "/", its .gitignore files as they apply there (`_folder_ignores`),
    # its plain files' check (`_files_check`), its shown path with a "/" ("" for "."), and
    # the .gitignore files its subfolders inherit.
    _Open = tuple[
        Iterator[os.DirEntry[str]], str, Applying, FileExcluded | None, str, list[_Ignore]
    ]


def _open_dir(
    folder: str,
    real: str,
    shown: str,
    ignores: list[_Ignore],
    seen: set[str],
    excluded: Excluded,
    judge: bool,
) -> _Open | Candidate | None:
    """`folder` listed and made ready to walk; a Candidate saying why it cannot be listed;
    None when it is not walked (seen already, or excluded). `real` is the same folder
    resolved (the caller knows it: realpath is asked only where a symlink was met). With
    `judge`, the folder's own `exclude` is asked here, after its listing is read: the callback
    may take the listing first (`listed`: a config is looked for only under the names the
    folder holds)."""
    if real in seen:
        return None  # a symlink loop or a second way into a folder already walked
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        if judge and excluded(shown, real, True):
            return None
        error = f"cannot list folder: {exc.strerror or exc}"
        return Candidate(shown, explicit=False, error=error)
    listed = getattr(excluded, "listed", None)
    if listed is not None:
        listed(real, frozenset(entry.name for entry in entries))
    if judge and excluded(shown, real, True):
        return None  # listed, never sorted nor entered: an excluded folder costs one listing
    seen.add(real)
    entries.sort(key=_entry_name)
    if any(entry.name == ".gitignore" for entry in entries):
        local = _load_ignore(folder, base=pure(real))
        if local is not None:
            ignores = [*ignores, local]
    prefix = _folder_prefix(real)
    shown_prefix = "" if shown == "." else shown + "/" if not shown.endswith("/") else shown
    applying = _folder_ignores(prefix, ignores)
    return iter(entries), prefix, applying, _files_check(excluded, prefix), shown_prefix, ignores


def _walk_dir(
    folder: str,
    real: str,
    shown: str,
    ignores: list[_Ignore],
    seen: set[str],
    excluded: Excluded,
) -> Iterator[Candidate]:
    """The files under `folder` (`_open_dir`), depth first, each folder's entries in name
    order. One generator for the whole tree, its open folders on a stack: a file found five
    folders down is handed on once, not through a generator per folder."""
    opened = _open_dir(folder, real, shown, ignores, seen, excluded, False)
    if opened is None:
        return
    if isinstance(opened, Candidate):
        yield opened
        return
    stack: list[_Open] = [opened]
    while stack:
        entries, prefix, applying, file_excluded, shown_prefix, ignores = stack[-1]
        for entry in entries:
            name = entry.name
            child_shown = shown_prefix + name
            try:
                link = entry.is_symlink()
            except OSError:
                link = False
            try:
                is_dir = entry.is_dir()  # follows symlinks; a broken one is not a dir
            except OSError:
                is_dir = False
            if applying and _ignored_here(name, is_dir, applying):
                continue
            if link:
                # realpath never raises: a loop comes back unresolved, then unlistable
                target = os.path.realpath(entry.path)
                if excluded(child_shown, target, is_dir):
                    continue
            else:
                target = prefix + name
                # A folder is judged once listed (`judge`); a file here, by its folder's check.
                if not is_dir and file_excluded is not None and file_excluded(name, child_shown):
                    continue
            if not is_dir:
                yield Candidate(child_shown, explicit=False, real=target)
            elif name not in SKIP_DIRS:
                below = _open_dir(
                    entry.path, target, child_shown, ignores, seen, excluded, not link
                )
                if below is None:
                    continue
                if isinstance(below, Candidate):
                    yield below
                    continue
                stack.append(below)
                break  # on with the subfolder; this folder's entries resume after it
        else:
            stack.pop()


def walk(args: list[str], excluded: Excluded | None = None) -> Iterator[Candidate]:
    """Candidates in a stable order: each argument in turn, its folder's entries sorted.

    A generator: the linter starts on the first files while the rest of the tree is walked."""
    check = excluded or _never
    seen: set[str] = set()
    for arg in args or ["."]:
        path = pure(arg)  # as `Path(arg)` spells it
        if fspaths.is_dir(path):
            shown = os.path.normpath(arg)
            try:
                ignores = _ancestor_ignores(fspaths.resolve(path))
            except (OSError, RuntimeError):
                ignores = []
            real = os.path.realpath(path)  # never raises: a loop comes back unresolved
            yield from _walk_dir(arg, real, shown, ignores, seen, check)
        else:
            # A file (or a path that does not exist: reported by the reader, never dropped).
            yield Candidate(os.path.normpath(arg), explicit=True)


# --- the rest of a walk on the other core ------------------------------------------------------

ASIDE_BATCH = 256  # candidates per message from the walking child
# What the child works out for a batch of candidates: one answer each (picklable), and a note;
# `left`: the note for a batch it leaves to the parent, which looks at that batch itself.
if TYPE_CHECKING:
    from typing import Protocol

    class Look(Protocol):
        def __call__(self, batch: list[Candidate]) -> tuple[list[Any], Any]: ...
        def left(self, batch: list[Candidate]) -> Any: ...


# Who looks at a batch: the parent when it has taken all but PARENT_BACKLOG of the messages the
# child sent (`Progress`), the child otherwise. The child also walks, so a fixed split leaves
# one of the two waiting, and which one depends on the tree and on what else the machine runs:
# so the parent is handed a batch whenever it is about to run out of work (one in two, or
# more), and the child looks at the batches the parent is not ready for. Where no shared
# counter can be made, every PARENT_SHARE-th batch goes to the parent.
PARENT_BACKLOG = 1
PARENT_SHARE = 2
# A look's answer for a candidate it dealt with entirely: the candidate is not sent (what came
# of it travels in the look's note).
ANSWERED = "answered"
_Sent = tuple[str, bool, "str | None", "str | None"]


def walk_aside(
    candidates: Iterator[Candidate], look: Look, learn: Callable[[Any], object] = lambda _n: None
) -> Iterator[tuple[Candidate, Any]] | None:
    """The rest of `candidates`, walked by a forked child on another core and read back here
    through a pipe, each with the child's `look` at it (worked out there, a batch at a time).
    A look gives its answers and a note (what the child learned walking, for example each
    folder's config); `learn` is given each note here before that batch's candidates. A
    candidate the look answered entirely (`ANSWERED`) is not sent: its note says what came of
    it.
    None when no child can be started (no fork, threads running, no pipe): the caller walks on.

    The child is this process forked mid-walk: it goes on with the same generator (its folders
    already listed, its `seen` set) and the parent never resumes its own copy. An exception in
    the child's walk (a broken config met on the way) is raised here, in order; a child that
    dies without saying so is an error, never a short walk."""
    import _thread

    from guard.forkchild import fork

    # (`_thread._count()`: the threads running but this one, `threading.active_count() - 1`
    # without importing threading, ~15 M instructions before the fork)
    if not hasattr(os, "fork") or _thread._count() > 0:
        return None
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    _widen(write_fd)
    progress = Progress.shared()
    pid = fork(lambda: _send_walk(candidates, look, write_fd, progress), close_in_child=[read_fd])
    os.close(write_fd)
    if pid is None:
        os.close(read_fd)
        return None
    return _receive_walk(pid, read_fd, learn, look, progress)


class Progress:
    """How many of the walking child's messages the parent has taken (handed on every
    candidate of), in memory the two processes share: the child reads it to leave the next
    batch to the parent only when the parent is about to run out of work (`to_parent`)."""

    __slots__ = ("_count", "_memory")

    def __init__(self, memory: Any) -> None:
        self._memory = memory
        self._count = memoryview(memory).cast("q")  # one 8-byte count: written whole

    @classmethod
    def shared(cls) -> Progress | None:
        """A counter the forked child shares (an anonymous shared mapping); None where none
        can be made (the child then hands every PARENT_SHARE-th batch over)."""
        try:
            import mmap

            return cls(mmap.mmap(-1, 8, flags=mmap.MAP_SHARED))
        except (ImportError, OSError, AttributeError, ValueError):
            return None

    def taken(self) -> int:
        return int(self._count[0])

    def took(self, messages: int) -> None:
        self._count[0] = messages


def to_parent(batches: int, sent: int, progress: Progress | None) -> bool:
    """Whether the child leaves its `batches`-th batch (counted from 1) to the parent, having
    sent `sent` messages so far."""
    if progress is None:
        return batches % PARENT_SHARE == 0
    return sent - progress.taken() <= PARENT_BACKLOG


PIPE_BYTES = 1 << 20  # the child runs this far ahead (the default, 64 KiB, is a batch or two;
# the child flushes each batch as it is made)


def _widen(fd: int) -> None:
    """A deeper pipe: the child walks on while this process looks at a batch it left, rather
    than wait on a full pipe (Linux; elsewhere, or past the system's limit, the default)."""
    import fcntl

    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, set_size, PIPE_BYTES)


def _send_walk(
    candidates: Iterator[Candidate], look: Look, fd: int, progress: Progress | None = None
) -> None:
    """In the child (guard/forkchild.py): the rest of the walk, a batch at a time; a failure
    of the walk is sent as such, for the parent to raise where the walk was."""
    pickle = _pickler()

    with os.fdopen(fd, "wb", buffering=1 << 16) as out:
        batches = [0]

        def send(batch: list[Candidate]) -> None:
            batches[0] += 1  # (also the messages sent before this one, plus one)
            sent: list[_Sent] = []
            if to_parent(batches[0], batches[0] - 1, progress):  # answers: None
                sent = [(c.path, c.explicit, c.error, c.real) for c in batch]
                pickle.dump(("batch", sent, (None, look.left(batch))), out, _PROTOCOL)
                out.flush()  # the parent looks at it as soon as it comes
                return
            answers, note = look(batch)
            kept: list[Any] = []
            for c, answer in zip(batch, answers, strict=True):
                if answer is not ANSWERED:
                    sent.append((c.path, c.explicit, c.error, c.real))
                    kept.append(answer)
            pickle.dump(("batch", sent, (kept, note)), out, _PROTOCOL)
            out.flush()  # now: the parent may be waiting for it (its own looks, its jobs)

        batch: list[Candidate] = []
        try:
            for candidate in candidates:
                batch.append(candidate)
                if len(batch) >= ASIDE_BATCH:
                    send(batch)
                    batch = []
            send(batch)
            pickle.dump(("end", None, None), out, _PROTOCOL)
        except Exception as exc:  # said to the parent, which raises it where the walk was
            done: list[_Sent] = [(c.path, c.explicit, c.error, c.real) for c in batch]
            unlooked = ([None] * len(batch), None)
            pickle.dump(("batch", done, unlooked), out, _PROTOCOL)
            pickle.dump(("raise", _picklable(exc), None), out, _PROTOCOL)


def _picklable(exc: Exception) -> Exception:
    pickle = _pickler()
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(str(exc) or type(exc).__name__)
    return exc


_PROTOCOL = -1  # pickle's highest


def _pickler() -> Any:
    """pickle's C module (`dump`, `load`, `UnpicklingError`), without pickle.py: its Python
    fallbacks cost each process of a walk handed aside ~34 M instructions to import."""
    try:
        import _pickle

        return _pickle
    except ImportError:  # an interpreter without the accelerator
        import pickle

        return pickle


class WalkAsideError(RuntimeError):
    """The walking child ended without finishing or saying why."""


def _receive_walk(
    pid: int, fd: int, learn: Callable[[Any], object], look: Look, progress: Progress | None = None
) -> Iterator[tuple[Candidate, Any]]:
    from guard.forkchild import reap

    pickle = _pickler()
    finished = False
    taken = 0  # messages whose candidates are all handed on
    try:
        with os.fdopen(fd, "rb", buffering=1 << 16) as source:
            while True:
                if progress is not None:
                    progress.took(taken)
                taken += 1
                try:
                    kind, body, looks = pickle.load(source)
                except (EOFError, pickle.UnpicklingError, ValueError) as exc:
                    raise WalkAsideError(
                        "codex-guard lint: the walk's helper process ended early; run with -j1"
                    ) from exc
                if kind == "batch":
                    answers, note = looks
                    if note is not None:
                        learn(note)
                    if answers is None:  # left to this process: looked at here
                        yield from _looked_here([Candidate(*sent) for sent in body], look, learn)
                        continue
                    for (path, explicit, error, real), looked in zip(body, answers, strict=True):
                        yield Candidate(path, explicit, error, real), looked
                elif kind == "raise":
                    raise body
                else:
                    finished = True
                    return
    finally:
        reap(pid, kill=not finished)  # an interrupted run does not wait for the rest of a walk


def _looked_here(
    batch: list[Candidate], look: Look, learn: Callable[[Any], object]
) -> Iterator[tuple[Candidate, Any]]:
    """A batch the child left to this process: looked at here, as the child would have."""
    answers, note = look(batch)
    if note is not None:
        learn(note)
    for candidate, answer in zip(batch, answers, strict=True):
        if answer is not ANSWERED:
            yield candidate, answer
