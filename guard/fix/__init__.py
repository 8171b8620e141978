"""`lint --fix` and `--diff`: the safe rewrites the checks attach to their findings.

A fix is a structured edit (guard/findings.py `Edit`: a span and its replacement) that the check
which knows the command computed. Here the edits are applied to the file's text from the end
backwards, and the result is linted again: a fix is kept only when its finding is gone and no rule
reports more than before. That repeats until nothing more can be fixed (one rejected flag can hide
the next: `exec resume -C d -s x`), so a second `--fix` finds nothing to do.

Only files whose positions are the file's bytes are rewritten: shell scripts and Markdown fences,
strict UTF-8 (a Latin-1 stand-in for a bad byte would not write back the same byte), and never a
file that did not parse (CG901) or could not be read.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from guard.findings import Edit, FileError, Finding

FIXABLE_KINDS = ("shell", "markdown")
MAX_ROUNDS = 16  # each round fixes at least one finding; a file rarely needs more than three
PARSE_ERROR_RULE = "CG901"

Linter = Callable[[bytes], tuple[list[Finding], list[FileError]]]


@dataclass(slots=True)
class FileFix:
    path: str
    original: bytes
    fixed: bytes
    applied: list[str] = field(default_factory=list)  # rule ids, one per fixed finding
    skipped: str | None = None  # why the file was not rewritten at all

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _offset(starts: Sequence[int], text: str, line: int, column: int) -> int:
    """A 1-based (line, column) as an index into `text`, clamped to its line."""
    if line < 1:
        return 0
    if line > len(starts):
        return len(text)
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)
    return min(start + max(column, 1) - 1, end)


def _range(edit: Edit, text: str, starts: Sequence[int]) -> tuple[int, int] | None:
    """The edit's [start, end) in `text`; None when the text there is not what the check saw."""
    loc = edit.location
    start = _offset(starts, text, loc.line, loc.column)
    end = max(start, _offset(starts, text, loc.end_line, loc.end_column))
    if not (text.startswith(edit.after, start) and text[:end].endswith(edit.before)):
        return None
    if edit.replacement == "" and end > start:
        # A removed word takes the blanks before it (or after it, first on its line) with it.
        before = start
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        if before > 0 and text[before - 1] != "\n":
            return before, end
        while end < len(text) and text[end] in " \t":
            end += 1
    return start, end


def apply(text: str, edits: Iterable[Edit]) -> tuple[str, list[tuple[int, int, str]]] | None:
    """`text` with the edits applied from the end backwards; None when two of them overlap or one
    does not sit on the text it was made for."""
    starts = _line_starts(text)
    ranges = [(_range(e, text, starts), e.replacement) for e in edits]
    if any(where is None for where, _ in ranges):
        return None
    spans = sorted(
        ((*where, replacement) for where, replacement in ranges if where is not None),
        key=lambda s: (s[0], s[1]),
    )
    for (_, end, _), (start, _, _) in itertools.pairwise(spans):
        if start < end:
            return None
    out = text
    for start, end, replacement in reversed(spans):
        out = out[:start] + replacement + out[end:]
    return out, spans


def _moved(offset: int, spans: Sequence[tuple[int, int, str]]) -> int:
    """Where a position of the old text sits in the new one."""
    shift = 0
    for start, end, replacement in spans:
        if end <= offset:
            shift += len(replacement) - (end - start)
        elif start <= offset:
            return start + shift
    return offset + shift


def _key(finding: Finding, text: str, starts: Sequence[int]) -> tuple[str, str, int]:
    loc = finding.location
    return finding.rule, finding.message, _offset(starts, text, loc.line, loc.column)


def _accepts(
    fixed: Finding,
    before: list[Finding],
    after: list[Finding],
    spans: Sequence[tuple[int, int, str]],
    old_text: str,
    new_text: str,
) -> bool:
    """The fixed finding is gone, and no rule reports more than before."""
    if Counter(f.rule for f in after) - Counter(f.rule for f in before):
        return False
    rule, message, offset = _key(fixed, old_text, _line_starts(old_text))
    where = (rule, message, _moved(offset, spans))
    new_starts = _line_starts(new_text)
    return all(_key(f, new_text, new_starts) != where for f in after)


def _why_not(
    kind: str | None, data: bytes, findings: list[Finding], errors: list[FileError]
) -> str | None:
    if errors:
        return "could not be read"
    if kind not in FIXABLE_KINDS:
        return f"not rewritten ({kind or 'unknown'} files: positions are not the file's bytes)"
    if any(f.rule == PARSE_ERROR_RULE for f in findings):
        return "did not parse (CG901): not rewritten"
    if data.startswith(b"\xef\xbb\xbf") or b"\r" in data or b"\0" in data:
        return "has a BOM, CR or NUL byte the linter reads away: not rewritten"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8: not rewritten (a fix would not write back the same bytes)"
    return None


def fix_file(path: str, data: bytes, kind: str | None, lint: Linter) -> FileFix:
    """Apply every safe fix that survives a re-lint, one finding at a time, until none is left."""
    result = FileFix(path, data, data)
    findings, errors = lint(data)
    result.skipped = _why_not(kind, data, findings, errors)
    if result.skipped is not None or not any(f.edits for f in findings):
        return result
    text = data.decode("utf-8")
    for _ in range(MAX_ROUNDS):
        progressed = False
        for finding in [f for f in findings if f.edits]:
            tried = apply(text, finding.edits)
            if tried is None:
                continue
            new_text, spans = tried
            after, after_errors = lint(new_text.encode("utf-8"))
            if after_errors or not _accepts(finding, findings, after, spans, text, new_text):
                continue
            text, findings, progressed = new_text, after, True
            result.applied.append(finding.rule)
            break  # positions moved: take the next fix from the re-linted findings
        if not progressed:
            break
    result.fixed = text.encode("utf-8")
    return result


def unified_diff(fix: FileFix, shown_path: str) -> str:
    import difflib

    old = fix.original.decode("utf-8").splitlines(keepends=True)
    new = fix.fixed.decode("utf-8").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, shown_path, shown_path)
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def without_edits(findings: Iterable[Finding]) -> list[Finding]:
    return [dataclasses.replace(f, edits=()) for f in findings]
