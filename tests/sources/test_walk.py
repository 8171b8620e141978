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


class _Recorder:
    """An `exclude` callback with a `listed` hook: what the walk tells it, in order."""

    def __init__(self, excluded: set[str]) -> None:
        self.excluded = excluded
        self.events: list[tuple[str, str]] = []

    def listed(self, real: str, names: frozenset[str]) -> None:
        self.events.append(("listed", os.path.basename(real) + ":" + ",".join(sorted(names))))

    def __call__(self, shown: str, real: str, is_dir: bool) -> bool:
        if is_dir:
            self.events.append(("judged", os.path.basename(real)))
        return os.path.basename(real) in self.excluded


def test_a_folder_is_listed_before_it_is_judged(repo: Path) -> None:
    write(repo / "a" / "x.sh")
    write(repo / "a" / ".codex-guard.yaml", "ignore: []\n")
    write(repo / "skip" / "y.sh")
    recorder = _Recorder({"skip"})
    assert paths(["."], excluded=recorder) == ["a/.codex-guard.yaml", "a/x.sh"]
    events = recorder.events
    # `a`'s listing comes before `a` is judged: its config is looked for among those names.
    assert events.index(("listed", "a:.codex-guard.yaml,x.sh")) < events.index(("judged", "a"))
    assert ("judged", "skip") in events  # judged, then left: its files never come out


def test_an_excluded_folder_that_cannot_be_listed_is_no_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "locked" / "x.sh")
    write(repo / "shut" / "y.sh")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(str(path)) in ("locked", "shut"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = list(walk(["."], excluded=_Recorder({"locked"})))
    errors = {c.path: c.error for c in found if c.error}
    assert errors == {"shut": "cannot list folder: Permission denied"}  # not excluded: said
