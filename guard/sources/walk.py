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

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from guard.fastclass import dataclass
from guard.regularfile import read_regular

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
# caller never resolves a path per file.
Excluded = Callable[[str, str, bool], bool]


@dataclass(frozen=True, slots=True)
class _Ignore:
    base: str  # folder the .gitignore sits in (resolved), ending in "/"
    spec: Any  # pathspec.GitIgnoreSpec


def _folder_prefix(folder: Path | str) -> str:
    text = str(folder)
    return text if text.endswith("/") else text + "/"


def _load_ignore(
    folder: Path, name: str = ".gitignore", base: Path | None = None
) -> _Ignore | None:
    path = folder / name
    data = read_regular(path)
    if data is None:
        return None
    text = data.decode("utf-8", "replace")
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    return _Ignore(_folder_prefix(base if base is not None else folder), spec)


def _git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _ancestor_ignores(start: Path) -> list[_Ignore]:
    """The .gitignore files between the repository root and `start`'s parent, root first."""
    root = _git_root(start)
    if root is None:
        return []
    ignores: list[_Ignore] = []
    info = _load_ignore(root / ".git" / "info", "exclude", base=root)
    if info is not None:
        ignores.append(info)
    chain = [start, *start.parents]
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


def _walk_dir(
    folder: Path,
    shown: str,
    ignores: list[_Ignore],
    seen: set[str],
    excluded: Excluded,
) -> Iterator[Candidate]:
    real = os.path.realpath(folder)  # never raises: a loop comes back unresolved, then unlistable
    if real in seen:
        return  # a symlink loop or a second way into a folder already walked
    seen.add(real)
    local = _load_ignore(folder, base=Path(real))
    if local is not None:
        ignores = [*ignores, local]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Candidate(shown, explicit=False, error=f"cannot list folder: {exc.strerror or exc}")
        return
    prefix = _folder_prefix(real)
    for entry in entries:
        child_shown = os.path.join(shown, entry.name) if shown != "." else entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks; a broken one is not a dir
        except OSError:
            is_dir = False
        resolved = prefix + entry.name
        if is_ignored(resolved, is_dir, ignores):
            continue
        try:
            link = entry.is_symlink()
        except OSError:
            link = False
        target = os.path.realpath(entry.path) if link else resolved
        if excluded(child_shown, target, is_dir):
            continue
        if is_dir:
            if entry.name not in SKIP_DIRS:
                yield from _walk_dir(Path(entry.path), child_shown, ignores, seen, excluded)
        else:
            yield Candidate(child_shown, explicit=False, real=target)


def walk(args: list[str], excluded: Excluded | None = None) -> Iterator[Candidate]:
    """Candidates in a stable order: each argument in turn, its folder's entries sorted.

    A generator: the linter starts on the first files while the rest of the tree is walked."""
    never: Excluded = lambda _shown, _real, _is_dir: False  # noqa: E731
    check = excluded or never
    seen: set[str] = set()
    for arg in args or ["."]:
        path = Path(arg)
        if path.is_dir():
            shown = os.path.normpath(arg)
            try:
                ignores = _ancestor_ignores(path.resolve())
            except (OSError, RuntimeError):
                ignores = []
            yield from _walk_dir(path, shown, ignores, seen, check)
        else:
            # A file (or a path that does not exist: reported by the reader, never dropped).
            yield Candidate(os.path.normpath(arg), explicit=True)
