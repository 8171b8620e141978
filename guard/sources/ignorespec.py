"""Gitignore patterns compiled without `pathspec` when they are all plain names.

Why: importing pathspec costs about 150 M instructions (it brings `typing`, `dataclasses` and
`inspect`), a third of a cached run's start-up before its walk is handed aside, and a tree's
`.gitignore` files and `exclude` lists are mostly plain names and globs of one folder level
(`*.log`, `build/`, `node_modules`). Such a line is compiled here to the very regex pathspec's
`GitIgnoreSpec` makes of it (tests/sources/test_ignorespec.py compares the regexes, the answers,
and `git check-ignore`'s). Any other line (a negation, a slash inside, `**`, `?`, a class, an
escape, a space...) and the whole list goes to pathspec, as before.

With every pattern including (no `!`), pathspec's answer for a path is True when any pattern's
regex finds it, else None: its precedence rules only tell includes from excludes.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

# A line this module compiles: name characters and `*` (not two in a row), with an optional
# trailing `/`. Every character of it but `*` stands for itself in a gitignore pattern.
_PLAIN = re.compile(r"(?:[A-Za-z0-9_.+-]|\*(?!\*))+/?")
_SPECIAL = frozenset(".+-")  # escaped by `re.escape`, as pathspec writes them


class PlainPattern:
    """A compiled line, with the two attributes the walk reads of pathspec's patterns."""

    __slots__ = ("include", "regex")

    def __init__(self, include: bool | None, regex: re.Pattern[str] | None) -> None:
        self.include = include
        self.regex = regex


class _Checked:
    """What `check_file` answers (pathspec's `CheckResult`, the attribute read of it)."""

    __slots__ = ("include",)

    def __init__(self, include: bool | None) -> None:
        self.include = include


class PlainSpec:
    """`pathspec.GitIgnoreSpec.from_lines(lines)` for plain lines (`plain_spec`): the same
    `patterns`, and the same answers from `check_file` and `match_file`."""

    __slots__ = ("_search", "patterns")

    def __init__(self, patterns: list[PlainPattern]) -> None:
        self.patterns = patterns
        searches = [p.regex.search for p in patterns if p.regex is not None]
        self._search = searches

    def _include(self, path: str) -> bool | None:
        # pathspec's `normalize_file` on POSIX: one leading "/" or "./" dropped
        if path.startswith("/"):
            path = path[1:]
        elif path.startswith("./"):
            path = path[2:]
        for search in self._search:
            if search(path) is not None:
                return True
        return None

    def check_file(self, path: str) -> _Checked:
        return _Checked(self._include(path))

    def match_file(self, path: str) -> bool:
        return bool(self._include(path))


def _regex(line: str) -> str:
    """pathspec's regex for a plain line (one folder level: it matches at any depth)."""
    directory = line.endswith("/")
    name = line[:-1] if directory else line
    body = "".join("[^/]*" if c == "*" else "\\" + c if c in _SPECIAL else c for c in name)
    tail = "(?P<ps_d>/)" if directory else "(?:(?P<ps_d>/)|$)"
    return "^(?:.+/)?" + body + tail


def plain_spec(lines: Iterable[str]) -> PlainSpec | None:
    """The lines compiled here, or None when one of them is not plain (`_PLAIN`)."""
    patterns: list[PlainPattern] = []
    for raw in lines:
        if raw.endswith("\\ "):
            return None  # an escaped trailing space: pathspec's own case
        line = raw.rstrip()
        if not line:
            continue  # pathspec keeps no pattern for a blank line
        if line.startswith("#"):
            patterns.append(PlainPattern(None, None))  # a comment
            continue
        if not _PLAIN.fullmatch(line) or not line.strip("*/"):
            return None  # (`*` alone is pathspec's special case)
        patterns.append(PlainPattern(True, re.compile(_regex(line))))
    return PlainSpec(patterns)


def gitignore_spec(lines: Iterable[str]) -> Any:
    """`pathspec.GitIgnoreSpec.from_lines(lines)`, without importing pathspec for plain lines
    (a `PlainSpec`)."""
    listed = list(lines)
    plain = plain_spec(listed)
    if plain is not None:
        return plain
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(listed)
