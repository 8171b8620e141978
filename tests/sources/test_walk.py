"""The walk: .gitignore (nested too), exclude, skipped folders, symlink loops, explicit paths."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from guard.sources.walk import walk


def git_repo(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def write(path: Path, text: str = "echo hi\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def paths(args: list[str], **kwargs: object) -> list[str]:
    return [c.path for c in walk(args, **kwargs)]  # type: ignore[arg-type]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = git_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


def test_gitignore_root_and_nested(repo: Path) -> None:
    write(repo / ".gitignore", "build/\n*.log.sh\n")
    write(repo / "run.sh")
    write(repo / "build" / "gen.sh")
    write(repo / "debug.log.sh")
    write(repo / "sub" / ".gitignore", "local.sh\n!keep.log.sh\n")
    write(repo / "sub" / "local.sh")
    write(repo / "sub" / "keep.log.sh")
    write(repo / "sub" / "ok.sh")
    assert paths(["."]) == [
        ".gitignore",
        "run.sh",
        "sub/.gitignore",
        "sub/keep.log.sh",
        "sub/ok.sh",
    ]


def test_gitignore_above_the_walked_folder_applies(repo: Path) -> None:
    write(repo / ".gitignore", "generated/\n")
    write(repo / "scripts" / "generated" / "x.sh")
    write(repo / "scripts" / "run.sh")
    assert paths(["scripts"]) == ["scripts/run.sh"]


def test_explicit_path_wins_over_gitignore(repo: Path) -> None:
    write(repo / ".gitignore", "ignored.sh\n")
    write(repo / "ignored.sh")
    assert paths(["."]) == [".gitignore"]
    (candidate,) = walk(["ignored.sh"])
    assert candidate.path == "ignored.sh" and candidate.explicit


def test_skipped_folders(repo: Path) -> None:
    for folder in ("node_modules", ".venv", ".git/hooks"):
        write(repo / folder / "x.sh")
    write(repo / "a.sh")
    assert paths(["."]) == ["a.sh"]


def test_exclude_callback(repo: Path) -> None:
    write(repo / "vendor" / "x.sh")
    write(repo / "a.sh")
    excluded = lambda shown, real, is_dir: Path(shown).name == "vendor"  # noqa: E731
    assert paths(["."], excluded=excluded) == ["a.sh"]


def test_symlink_loop_terminates(repo: Path) -> None:
    write(repo / "d" / "a.sh")
    os.symlink("..", repo / "d" / "up")
    os.symlink(repo / "d", repo / "d" / "self")
    found = paths(["."])
    assert found.count("d/a.sh") == 1
    assert len(found) == 1


def test_dangling_symlink_is_yielded_for_the_reader_to_report(repo: Path) -> None:
    os.symlink(repo / "gone.sh", repo / "link.sh")
    assert paths(["."]) == ["link.sh"]


def test_outside_a_git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "plain" / ".gitignore", "skip.sh\n")
    write(tmp_path / "plain" / "skip.sh")
    write(tmp_path / "plain" / "keep.sh")
    assert paths(["plain"]) == ["plain/.gitignore", "plain/keep.sh"]


def test_missing_explicit_path_is_still_a_candidate(tmp_path: Path) -> None:
    (candidate,) = walk([str(tmp_path / "nope.sh")])
    assert candidate.explicit
