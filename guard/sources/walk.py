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
from dataclasses import dataclass
from pathlib import Path
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


Excluded = Callable[[Path, bool], bool]


@dataclass(frozen=True, slots=True)
class _Ignore:
    base: Path  # folder the .gitignore sits in (resolved)
    spec: Any  # pathspec.GitIgnoreSpec


def _load_ignore(folder: Path, name: str = ".gitignore") -> _Ignore | None:
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    import pathspec

    return _Ignore(folder, pathspec.GitIgnoreSpec.from_lines(text.splitlines()))


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
    info = _load_ignore(root / ".git" / "info", "exclude")
    if info is not None:
        ignores.append(_Ignore(root, info.spec))
    chain = [start, *start.parents]
    for folder in reversed(chain[1 : chain.index(root) + 1]):
        loaded = _load_ignore(folder)
        if loaded is not None:
            ignores.append(loaded)
    return ignores


def is_ignored(path: Path, is_dir: bool, ignores: list[_Ignore]) -> bool:
    """Git's answer: the deepest .gitignore with a matching pattern decides (negations included)."""
    for ignore in reversed(ignores):
        try:
            relative = path.relative_to(ignore.base).as_posix()
        except ValueError:
            continue
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
    seen: set[Path],
    excluded: Excluded,
) -> Iterator[Candidate]:
    try:
        real = folder.resolve()
    except (OSError, RuntimeError):
        return
    if real in seen:
        return  # a symlink loop or a second way into a folder already walked
    seen.add(real)
    local = _load_ignore(folder)
    if local is not None:
        ignores = [*ignores, _Ignore(real, local.spec)]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Candidate(shown, explicit=False, error=f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        child = Path(entry.path)
        child_shown = os.path.join(shown, entry.name) if shown != "." else entry.name
        try:
            is_dir = entry.is_dir()  # follows symlinks; a broken one is not a dir
        except OSError:
            is_dir = False
        resolved = real / entry.name
        if is_ignored(resolved, is_dir, ignores) or excluded(child, is_dir):
            continue
        if is_dir:
            if entry.name not in SKIP_DIRS:
                yield from _walk_dir(child, child_shown, ignores, seen, excluded)
        else:
            yield Candidate(child_shown, explicit=False)


def walk(args: list[str], excluded: Excluded | None = None) -> Iterator[Candidate]:
    """Candidates in a stable order: each argument in turn, its folder's entries sorted."""
    never: Excluded = lambda _path, _is_dir: False  # noqa: E731
    check = excluded or never
    seen: set[Path] = set()
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
