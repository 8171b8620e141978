"""guard/purepaths.py gives, as text, exactly what PurePosixPath gives (the hook's codex path
uses it instead of pathlib; a difference would change the paths findings show)."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from guard.purepaths import is_below, join, parent, pure

# Paths built from the parts that matter: slashes (one, two, three), `.`, `..`, names.
PART = st.sampled_from(["", ".", "..", "a", "b", ".git", "x y", "é", "a.b"])
PATHS = st.builds(
    lambda lead, parts, trail: lead + "/".join(parts) + trail,
    st.sampled_from(["", "/", "//", "///"]),
    st.lists(PART, max_size=5),
    st.sampled_from(["", "/", "/.", "//"]),
)
CASES = ["", ".", "/", "//", "///", "a", "/a", "//a", "a/", "./a", "a/./b", "a//b", "..", "/.."]


def test_the_listed_cases() -> None:
    for path in CASES:
        assert pure(path) == str(PurePosixPath(path)), path
        assert parent(path) == str(PurePosixPath(path).parent), path
        for other in CASES:
            assert join(path, other) == str(PurePosixPath(path) / other), (path, other)
            assert is_below(path, other) == (PurePosixPath(other) in PurePosixPath(path).parents)


@settings(max_examples=300, deadline=None)
@given(PATHS, PATHS)
def test_as_pathlib(path: str, other: str) -> None:
    assert pure(path) == str(PurePosixPath(path))
    assert parent(path) == str(PurePosixPath(path).parent)
    assert join(path, other) == str(PurePosixPath(path) / other)
    assert is_below(path, other) == (PurePosixPath(other) in PurePosixPath(path).parents)
    # a path is below each of its parents
    assert all(is_below(path, str(up)) for up in PurePosixPath(path).parents)
