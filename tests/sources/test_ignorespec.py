"""guard/sources/ignorespec.py compiles plain gitignore lines itself (no pathspec import): the
same regexes as pathspec's `GitIgnoreSpec`, the same answers, and git's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.sources.ignorespec import PlainSpec, gitignore_spec, plain_spec
from guard.sources.walk import _load_ignore, is_ignored, quick_test

_NAME_CHARS = "ab.-_+*"
_LINES = st.text(alphabet=_NAME_CHARS, min_size=1, max_size=6).map(
    lambda text: text.replace("**", "*")
) | st.sampled_from(["*.log", "build/", "node_modules", ".env", "*.tar.*", "a*b/", "# note", ""])
_PATHS = st.lists(st.text(alphabet="ab.-_+", min_size=1, max_size=5), min_size=1, max_size=4).map(
    "/".join
)


def _pathspec_regexes(lines: list[str]) -> list[tuple[bool | None, str | None]]:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return [(p.include, p.regex.pattern if p.regex is not None else None) for p in spec.patterns]


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, max_size=5))
def test_plain_lines_compile_to_pathspec_s_regexes(lines: list[str]) -> None:
    spec = plain_spec(lines)
    if spec is None:  # `**`, and `*` alone, `*/`...: pathspec's own cases
        assert any("**" in line or not line.strip("*/") for line in lines if line.strip())
        return
    mine = [(p.include, p.regex.pattern if p.regex is not None else None) for p in spec.patterns]
    assert mine == _pathspec_regexes(lines)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, max_size=4), _PATHS, st.booleans(), st.sampled_from(["", "/", "./"]))
def test_plain_specs_answer_as_pathspec(
    lines: list[str], path: str, folder: bool, lead: str
) -> None:
    spec = plain_spec(lines)
    if spec is None:
        return
    theirs = pathspec.GitIgnoreSpec.from_lines(lines)
    asked = lead + path + ("/" if folder else "")
    assert spec.check_file(asked).include == theirs.check_file(asked).include
    assert spec.match_file(asked) == theirs.match_file(asked)
    quick = quick_test(spec)
    assert quick is not None  # the walk's one-regex test reads these patterns too
    if quick(asked) is None and not asked.startswith(("/", "./")):
        assert theirs.check_file(asked).include is None


@pytest.mark.parametrize(
    "lines",
    [
        ["!keep.log"],
        ["docs/*.md"],
        ["/build"],
        ["**/tmp"],
        ["file?.txt"],
        ["*.py[co]"],
        ["a\\ "],
        [" lead"],
        ["*"],
        ["*/"],
        ["*.log", "!important.log"],
    ],
)
def test_any_other_line_goes_to_pathspec(lines: list[str]) -> None:
    assert plain_spec(lines) is None
    spec = gitignore_spec(lines)
    assert not isinstance(spec, PlainSpec)
    assert spec == pathspec.GitIgnoreSpec.from_lines(lines)


def test_plain_lines_do_not_import_pathspec() -> None:
    code = (
        "import sys; from guard.sources.ignorespec import gitignore_spec; "
        "spec = gitignore_spec(['*.log', 'build/', '# c', '', 'node_modules']); "
        "assert spec.match_file('a/x.log') and spec.match_file('build/') "
        "and not spec.match_file('build'); print('pathspec' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],  # this checkout's guard
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


GITIGNORE = "*.log\nbuild/\nnode_modules\n.env\n*.tar.*\na*b/\n# a comment\n\nx+y\n"


def test_the_walk_ignores_what_git_ignores(tmp_path: Path) -> None:
    """`git check-ignore` on a crafted tree, against the walk's `is_ignored` with the plain
    compiled patterns (a nested .gitignore too)."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text(GITIGNORE)
    (repo / "sub").mkdir()
    (repo / "sub" / ".gitignore").write_text("*.c\nlocal/\n")
    files = [
        "a.log", "sub/a.log", "x.log.txt", "build/x", "sub/build/x", "builds/x",
        "node_modules/m.js", "deep/node_modules/x", ".env", "sub/.env", ".env.local",
        "a.tar.gz", "sub/b.tar.", "atar.gz", "ab/x", "a-long-b/y", "x+y", "sub/x+y/z",
        "sub/f.c", "f.c", "sub/local/z", "local/z", "sub/keep.txt",
    ]  # fmt: skip
    for path in files:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("x\n")
    paths = [*files, "build", "node_modules", "ab", "sub/x+y", "sub/local", "deep"]
    ignores = [i for i in (_load_ignore(str(repo)), _load_ignore(str(repo / "sub"))) if i]
    assert all(isinstance(i.spec, PlainSpec) for i in ignores)
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=repo, capture_output=True, text=True, check=False,
    )  # fmt: skip
    by_git = set(checked.stdout.split())
    real = os.path.realpath(repo)
    ours = {p for p in paths if is_ignored(f"{real}/{p}", (repo / p).is_dir(), ignores)}
    assert ours == by_git
    assert {"a.log", "build/x", "sub/f.c", "ab/x"} <= ours  # (a test that can fail)
