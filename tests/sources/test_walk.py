"""The walk: .gitignore (nested too), exclude, skipped folders, symlink loops, explicit paths."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guard.sources.walk import Candidate, walk


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


def _recursive_walk(
    folder: str,
    real: str,
    shown: str,
    ignores: list[Any],
    seen: set[str],
    excluded: Any,
    judge: bool = False,
) -> Iterator[Candidate]:
    """The walk as it was written before it became one generator: a generator per folder (the
    reference `_walk_dir` must agree with, candidate for candidate)."""
    from guard.purepaths import pure
    from guard.sources import walk as walking

    if real in seen:
        return
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        if not (judge and excluded(shown, real, True)):
            yield Candidate(
                shown, explicit=False, error=f"cannot list folder: {exc.strerror or exc}"
            )
        return
    listed = getattr(excluded, "listed", None)
    if listed is not None:
        listed(real, frozenset(entry.name for entry in entries))
    if judge and excluded(shown, real, True):
        return
    seen.add(real)
    entries.sort(key=lambda entry: entry.name)
    if any(entry.name == ".gitignore" for entry in entries):
        local = walking._load_ignore(folder, base=pure(real))
        if local is not None:
            ignores = [*ignores, local]
    prefix = real if real.endswith("/") else real + "/"
    applying = walking._folder_ignores(prefix, ignores)
    file_excluded = walking._files_check(excluded, prefix)
    shown_prefix = "" if shown == "." else shown + "/" if not shown.endswith("/") else shown
    for entry in entries:
        name = entry.name
        child_shown = shown_prefix + name
        link = entry.is_symlink()
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if applying and walking._ignored_here(name, is_dir, applying):
            continue
        if link:
            target = os.path.realpath(entry.path)
            if excluded(child_shown, target, is_dir):
                continue
        else:
            target = prefix + name
            if not is_dir and file_excluded is not None and file_excluded(name, child_shown):
                continue
        if is_dir:
            if name not in walking.SKIP_DIRS:
                yield from _recursive_walk(
                    entry.path, target, child_shown, ignores, seen, excluded, judge=not link
                )
        else:
            yield Candidate(child_shown, explicit=False, real=target)


def test_the_walk_agrees_with_a_walk_by_recursion(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One generator with a stack of open folders (a file deep down is handed on once, not
    through a generator per folder) gives the same candidates, in the same order, with the
    same callbacks asked in the same order: nested and sibling folders, .gitignore files at
    several depths, skipped and excluded folders, a folder that cannot be listed, links to a
    folder (one of them a loop) and to a file."""
    from guard.sources import walk as walking

    write(repo / ".gitignore", "*.log\nbuild/\n")
    for top in ("a", "a.b", "b", "z"):
        for sub in ("c", "c/d", "c/d/e", "f", "build"):
            write(repo / top / sub / "x.sh")
            write(repo / top / sub / "y.log")
        write(repo / top / "top.sh")
    write(repo / "a" / "c" / ".gitignore", "!keep.log\nd/e/\n")
    write(repo / "a" / "c" / "keep.log")
    write(repo / "node_modules" / "m.sh")
    write(repo / "locked" / "l.sh")
    write(repo / "skip" / "s.sh")
    (repo / "b" / "to_a").symlink_to(repo / "a")
    (repo / "z" / "loop").symlink_to(repo / "z")
    (repo / "z" / "file_link.sh").symlink_to(repo / "b" / "top.sh")
    real_scandir = os.scandir

    def scandir(path: str) -> Any:
        if os.path.basename(str(path)) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    real = os.path.realpath(".")
    ignores = walking._ancestor_ignores(real)
    new_events = _Recorder({"skip"})
    old_events = _Recorder({"skip"})
    new = list(walking._walk_dir(".", real, ".", ignores, set(), new_events))
    old = list(_recursive_walk(".", real, ".", ignores, set(), old_events))
    assert new == old
    assert new_events.events == old_events.events
    assert len(new) > 20
    assert any(c.error for c in new)  # the folder that cannot be listed is said
    assert "a/c/keep.log" in {c.path for c in new}
