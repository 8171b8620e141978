"""Where a program source's words were written: a finding on a word that a module constant, a
helper's `return` or a branch put into the argv gets that line as a related location (where the
user fixes it), and says so in its message when it came from a helper or a branch.

A program's spawn is linted as one rendered command line at the spawn's position; columns on it
past the end of the file's line (a multi-line call) are clamped to that line, so a report never
points past the end of a line.
"""

from __future__ import annotations

from collections.abc import Sequence

from guard.fastclass import replace
from guard.findings import Finding, Location
from guard.sources.snippet import Snippet

# Subjects too common to name a finding by (every codex line has them).
GENERIC = frozenset({"codex", "exec", "e", "-"})


def _snippet_range(loc: Location, snippet: Snippet) -> tuple[int, int] | None:
    """A location on the snippet's first line, as character offsets into its text."""
    first = snippet.line_offset + 1
    if loc.path != snippet.path or loc.line != first:
        return None
    start = loc.column - 1 - snippet.column_offset
    end = (loc.end_column - 1 - snippet.column_offset) if loc.end_line == first else 10**9
    return start, end


def _matches(finding: Finding, snippet: Snippet, origin: tuple[int, int, int, int, str]) -> bool:
    """Is the finding about this word: a span that is (about) the word, or its message names it?"""
    start, end, _line, _column, note = origin
    for loc in (finding.location, *finding.related):
        where = _snippet_range(loc, snippet)
        if where is None:
            continue
        a, b = where
        if a <= start and end <= b and (b - a) <= (end - start) + 2:
            return True
    subject = note.split("`")[1] if note.count("`") >= 2 else ""
    if len(subject) < 4 or subject in GENERIC:
        return False
    return f"`{subject}`" in finding.message or f" {subject} " in f" {finding.message} "


def _explain(message: str, note: str, line: int) -> str:
    """`(`--full-auto` comes from build_codex_command(), line 5)` after the message."""
    if "comes from" not in note and "branch" not in note:
        return message
    return f"{message} ({note.removesuffix(' here')}, line {line})"


def attach_origins(finding: Finding, snippet: Snippet) -> Finding:
    if not snippet.origins:
        return finding
    related = list(finding.related)
    known = set(related)  # a set: a snippet with many origins is not quadratic to attach
    message = finding.message
    for origin in snippet.origins:
        start, end, line, column, note = origin
        if not _matches(finding, snippet, origin):
            continue
        place = Location(snippet.path, line, column, line, column + max(end - start, 1), note)
        if place not in known:
            known.add(place)
            related.append(place)
            message = _explain(message, note, line)
    if len(related) == len(finding.related):
        return finding
    return replace(finding, related=tuple(related), message=message)


def clamp_location(loc: Location, snippet: Snippet, lines: Sequence[str]) -> Location:
    """A column past the end of its line (a one-line rendering of a multi-line call) moved to
    the line's end."""
    if loc.path != snippet.path or not 0 < loc.line <= len(lines):
        return loc
    width = len(lines[loc.line - 1]) + 1
    if loc.column <= width and (loc.end_line != loc.line or loc.end_column <= width):
        return loc
    end_column = min(loc.end_column, width) if loc.end_line == loc.line else loc.end_column
    return replace(loc, column=min(loc.column, width), end_column=end_column)


def clamp(finding: Finding, snippet: Snippet, lines: Sequence[str]) -> Finding:
    """Columns past the end of their line (a one-line rendering of a multi-line call) moved to
    the line's end."""
    location = clamp_location(finding.location, snippet, lines)
    related = tuple(clamp_location(r, snippet, lines) for r in finding.related)
    if location == finding.location and related == finding.related:
        return finding
    return replace(finding, location=location, related=related)
