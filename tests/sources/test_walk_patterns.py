"""The walk's fast pattern tests give pathspec's answers: the joined regex (`quick_test`) only
ever skips paths no pattern matches, and a folder-only `exclude` gives one answer per folder."""

from __future__ import annotations

import os
from pathlib import Path

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.commands.lint import _dir_only, _Exclusions
from guard.config import ConfigResolver
from guard.sources.walk import quick_test, spec_answer, walk

PARTS = st.sampled_from(["a", "b", "build", "*", "**", "*.log", "x.sh", "[ab]", "?"])
PATTERN = st.builds(
    lambda neg, anchor, parts, slash: ("!" if neg else "") + ("/" if anchor else "")
    + "/".join(parts) + ("/" if slash else ""),
    st.booleans(), st.booleans(), st.lists(PARTS, min_size=1, max_size=3), st.booleans(),
)  # fmt: skip
NAMES = st.sampled_from(["a", "b", "build", "x.sh", "y.log", "ab", "c"])
PATHS = st.lists(NAMES, min_size=1, max_size=4).map("/".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PATTERN, min_size=1, max_size=4), PATHS, st.booleans())
def test_the_quick_test_never_changes_an_answer(
    patterns: list[str], path: str, is_dir: bool
) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    quick = quick_test(spec)
    checked = path + "/" if is_dir else path
    assert spec_answer(spec, quick, checked) == spec.check_file(checked).include


@settings(max_examples=200, deadline=None)
@given(st.lists(PATTERN, min_size=1, max_size=3), PATHS, NAMES, NAMES)
def test_folder_only_patterns_answer_alike_for_a_folders_files(
    patterns: list[str], folder: str, one: str, other: str
) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines([p.rstrip("/") + "/" for p in patterns])
    assert _dir_only(spec)
    assert spec.match_file(f"{folder}/{one}") == spec.match_file(f"{folder}/{other}")


def test_files_in_agrees_with_the_per_path_callback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".codex-guard.yaml").write_text(
        "exclude: ['build/', '*.gen.sh', '!keep.gen.sh', '/top.sh', 'deep/**/x.sh']\n"
    )
    names = ["a.sh", "x.sh", "top.sh", "keep.gen.sh", "b.gen.sh", "..odd.sh"]
    for folder in ("", "src", "src/build", "deep/one/two", "build"):
        for name in names:
            path = tmp_path / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("echo\n")
    monkeypatch.chdir(tmp_path)
    exclusions = _Exclusions(ConfigResolver(None))
    for root, _dirs, files in os.walk(tmp_path):
        check = exclusions.files_in(os.path.realpath(root))
        assert check is not None
        for name in files:
            real = os.path.join(os.path.realpath(root), name)
            shown = os.path.relpath(real, tmp_path)
            assert check(name, shown) == exclusions(shown, real, False), shown
    walked = {c.path for c in walk(["."], exclusions)}
    assert "src/a.sh" in walked and "keep.gen.sh" in walked and "src/keep.gen.sh" in walked
    assert not {"top.sh", "b.gen.sh", "src/b.gen.sh", "deep/one/two/x.sh"} & walked
    assert not any(p.startswith(("build/", "src/build/")) for p in walked)
    assert "src/top.sh" in walked and "..odd.sh" in walked
