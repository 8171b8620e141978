"""guard/filereads.py `realpath` answers exactly as `os.path.realpath` (it takes a shortcut for
clean absolute paths with no link on the way; the lint cache and the paths findings show read
its answers)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from guard.filereads import realpath


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Folders, a file, links to each (absolute and relative), a dangling link and a loop."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "f").write_text("x")
    (tmp_path / "to_a").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "up").symlink_to("..")
    (tmp_path / "a" / "b" / "to_f").symlink_to("../f")
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    return tmp_path


PARTS = ["a", "b", "f", "to_a", "up", "to_f", "gone", "loop1", "missing", ".", "..", ""]


def test_same_answer_as_the_stdlib(tree: Path) -> None:
    root = str(tree)
    checked = 0
    for length in range(4):
        for parts in itertools.product(PARTS, repeat=length):
            for path in (root + "/" + "/".join(parts), root + "//" + "/".join(parts)):
                for text in (path, path + "/", path + "/."):
                    assert realpath(text) == os.path.realpath(text), text
                    checked += 1
    assert checked > 1000


def test_plain_paths(tree: Path) -> None:
    for text in ("/", "//", "/.", "/..", "relative/a", "", ".", str(tree / "a" / "b")):
        assert realpath(text) == os.path.realpath(text), text


def test_a_nul_raises_as_the_stdlib() -> None:
    with pytest.raises(ValueError):
        os.path.realpath("/tmp/a\0b")
    with pytest.raises(ValueError):
        realpath("/tmp/a\0b")


def test_relative_paths_as_the_stdlib(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path is resolved against the working folder, as the stdlib's `abspath` does:
    from the tree, from a link to a folder of it, and from the root."""
    checked = 0
    for cwd in (tree, tree / "to_a", tree / "a" / "b", Path("/")):
        monkeypatch.chdir(cwd)
        for length in range(1, 4):
            for parts in itertools.product(PARTS, repeat=length):
                for text in ("/".join(parts), "./" + "/".join(parts), "/".join(parts) + "/"):
                    if text:
                        assert realpath(text) == os.path.realpath(text), (cwd, text)
                        checked += 1
    assert checked > 1000


def test_a_real_probe_is_answered_as_the_stdlib_resolves(tree: Path) -> None:
    """A cached run re-asks each stored REAL probe (`answer`): the shortcut's answer must be the
    one the stdlib gave when the probe was recorded, or every hit would become a miss (or a
    changed link a stale hit)."""
    from guard.filereads import REAL, answer

    root = str(tree)
    for parts in itertools.product(PARTS, repeat=2):
        path = root + "/" + "/".join(parts)
        assert answer(REAL, path) == os.path.realpath(path), path
