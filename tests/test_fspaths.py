"""guard/fspaths.py answers as pathlib does, and the config search and the walk's .gitignore search
built on it find what their pathlib versions found (a lint imports no pathlib for them: a
difference would change which config applies, which files are ignored, or the paths shown)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from guard import fspaths
from guard.config import config_in, find_config, folder_of
from guard.sources.walk import _ancestor_ignores, _load_ignore


def _tree(root: Path) -> Path:
    """Folders, files and every kind of symlink the searches meet, with configs and ignores."""
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "a" / ".codex-guard.yaml").write_text("ignore: []\n")
    (root / "a" / "b" / "c" / "run.sh").write_text("codex exec -\n")
    (root / "a" / ".git").mkdir()
    (root / "a" / ".gitignore").write_text("build/\n")
    (root / "a" / "b" / ".gitignore").write_text("*.log\n")
    (root / "p" / "q").mkdir(parents=True)
    (root / "p" / "pyproject.toml").write_text("[tool.other]\nx = 1\n")
    (root / "p" / "q" / "pyproject.toml").write_text("[tool.codex-guard]\nignore = []\n")
    (root / "to-c").symlink_to(root / "a" / "b" / "c")
    (root / "to-run").symlink_to(Path("a") / "b" / "c" / "run.sh")
    (root / "dangling").symlink_to(root / "absent")
    (root / "loop1").symlink_to(root / "loop2")
    (root / "loop2").symlink_to(root / "loop1")
    (root / "self").symlink_to(root / "self")
    return root


# (the last: a name too long, for which pathlib raises where os.path.isdir says False)
NAMES = [
    "", ".", "..", "a", "a/", "a/.", "a//b", "./a/b/c", "a/b/c/run.sh", "a/b/c/run.sh/",
    "a/b/c/run.sh/x", "a/b/../b/c", "a/b/c/../..", "to-c", "to-c/", "to-c/..", "to-c/run.sh",
    "to-run", "to-run/..", "dangling", "dangling/x", "loop1", "loop1/x", "self", "self/..",
    "absent", "absent/x.sh", "p", "p/q", "p/q/x.toml", "nul\0byte", "a/.git", "a/" + "x" * 300,
]  # fmt: skip


def _spellings(root: Path) -> Iterator[str]:
    """Each name relative to the working folder (the tree's root) and absolute."""
    for name in NAMES:
        yield name
        yield f"{root}/{name}" if name else str(root)
    yield "/"
    yield "//"
    yield "/.."


def _answer(call: Callable[[str], object], path: str) -> object:
    """What `call(path)` gives, or the type of what it raises (pathlib's errors must stay its)."""
    try:
        value = call(path)
    except (OSError, RuntimeError, ValueError) as exc:
        return type(exc)
    return str(value) if isinstance(value, Path) else value


def _on_path(method: Callable[[Path], object]) -> Callable[[str], object]:
    """`method` of `Path(text)`, given the text."""
    return lambda text: method(Path(text))


# Each function of guard/fspaths.py and the Path method it stands for.
PAIRS = [
    (fspaths.is_dir, _on_path(Path.is_dir)),
    (fspaths.exists, _on_path(Path.exists)),
    (fspaths.resolve, _on_path(Path.resolve)),
    (fspaths.absolute, _on_path(Path.absolute)),
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = _tree(tmp_path / "tree")
    monkeypatch.chdir(root)
    return root


def test_each_answer_is_pathlibs(tree: Path) -> None:
    for path in _spellings(tree):
        for ours, pathlibs in PAIRS:
            assert _answer(ours, path) == _answer(pathlibs, path), (ours.__name__, path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root searches every folder")
def test_a_folder_that_may_not_be_searched_raises_as_in_pathlib(tree: Path) -> None:
    (tree / "shut" / "in").mkdir(parents=True)
    (tree / "shut").chmod(0)
    try:
        for path in ("shut/in", f"{tree}/shut/in/x"):
            assert _answer(fspaths.is_dir, path) is PermissionError
            for ours, pathlibs in PAIRS:
                assert _answer(ours, path) == _answer(pathlibs, path), (ours.__name__, path)
    finally:
        (tree / "shut").chmod(0o755)


def _find_config_with_pathlib(start: Path) -> Path | None:
    """guard.config.find_config as it was written with pathlib."""
    try:
        folder = start.resolve()
    except (OSError, RuntimeError):
        folder = start.absolute()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        found = config_in(candidate)
        if found is not None:
            return found
    return None


def _folder_of_with_pathlib(path: Path) -> Path:
    """The folder ConfigResolver.settings_for looked a config up from, with pathlib."""
    try:
        return path.resolve().parent if not path.is_dir() else path.resolve()
    except (OSError, RuntimeError):
        return path.absolute().parent


def test_the_config_search_finds_what_pathlib_found(tree: Path) -> None:
    found = set()
    for path in _spellings(tree):
        if "\0" in path:
            continue  # Path.resolve raises ValueError for it, as find_config does
        expected = _answer(_on_path(_find_config_with_pathlib), path)
        assert _answer(find_config, path) == expected, path
        assert _answer(_on_path(find_config), path) == expected, path
        if isinstance(expected, str):  # a Path, as before: its callers use Path methods
            assert isinstance(find_config(path), Path)
        folder = _answer(_on_path(_folder_of_with_pathlib), path)
        assert _answer(folder_of, path) == folder, path
        found.add(expected)
    # the tree's configs were among the answers: the YAML one, the pyproject with our table
    assert str(tree / "a" / ".codex-guard.yaml") in found
    assert str(tree / "p" / "q" / "pyproject.toml") in found


def _ancestor_ignores_with_pathlib(start: Path) -> list[str]:
    """The folders of guard.sources.walk._ancestor_ignores's ignore files, with pathlib."""
    root = next((f for f in (start, *start.parents) if (f / ".git").exists()), None)
    if root is None:
        return []
    bases = [] if _load_ignore(str(root / ".git" / "info"), "exclude") is None else [str(root)]
    chain = [start, *start.parents]
    for folder in reversed(chain[1 : chain.index(root) + 1]):
        if (folder / ".gitignore").is_file():
            bases.append(str(folder))
    return [base + "/" for base in bases]


def test_the_walk_reads_the_ignore_files_pathlib_found(tree: Path) -> None:
    (tree / "a" / ".git" / "info").mkdir()
    (tree / "a" / ".git" / "info" / "exclude").write_text("*.tmp\n")
    for start in ("a", "a/b", "a/b/c", "to-c", "p/q", "."):
        real = Path(start).resolve()
        bases = [ignore.base for ignore in _ancestor_ignores(str(real))]
        assert bases == _ancestor_ignores_with_pathlib(real), start
    deep = [ignore.base for ignore in _ancestor_ignores(str(tree / "a" / "b" / "c"))]
    assert deep == [f"{tree}/a/", f"{tree}/a/", f"{tree}/a/b/"]  # exclude, then root first
