"""`--format text`: one line per finding, the source line with the span underlined (`full`; not
with `--output-format concise`), an indented fix and notes, then counts by rule and a summary.

run.sh:12:1: CG201 error positional-prompt-open-stdin: codex reads the idle pipe ...
   |
12 | codex exec "review" | tee log
   | ^^^^^^^^^^^^^^^^^^^
  fix: close stdin: codex exec ... </dev/null
  run.sh:3:1: note: the key is exported here
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence

from guard.engine.registry import Rule
from guard.findings import FileError, Finding, LintResult, Severity
from guard.report.paths import display_path, printable

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


SourceLines = Callable[[str], Sequence[str] | None]


def read_source_lines(sources: Mapping[str, str] | None = None) -> SourceLines:
    """A reader of a file's lines for the frames (decoded as the linter decodes it: a bad byte is
    its Latin-1 character); None when it cannot be read. Only the last file read is kept: the
    findings come sorted by path, so each file is still read once, and the report's memory does
    not grow with the files it shows."""
    cache: dict[str, Sequence[str] | None] = {}

    def lines_of(path: str) -> Sequence[str] | None:
        if path not in cache:
            cache.clear()
            if sources is not None and path in sources:
                cache[path] = sources[path].split("\n")
            else:
                cache[path] = _read_lines(path)
        return cache[path]

    return lines_of


# decode.py's `decode` and `read_bytes`, and frame.py's `frame`, imported when first needed and
# kept: a `from` import in a function costs ~8,000 instructions on CPython 3.11, and a report
# frames every finding.
_Decode = Callable[[bytes, str], str | FileError]
_ReadBytes = Callable[[str], bytes | FileError]
_Frame = Callable[[Sequence[str], int, int, int, int], list[str]]
_READERS: list[tuple[_Decode, _ReadBytes]] = []
_FRAMES: list[_Frame] = []


def _readers() -> tuple[_Decode, _ReadBytes]:
    if not _READERS:
        from guard.sources.decode import decode, read_bytes

        _READERS.append((decode, read_bytes))
    return _READERS[0]


def _framer() -> _Frame:
    if not _FRAMES:
        from guard.report.frame import frame

        _FRAMES.append(frame)
    return _FRAMES[0]


def _read_lines(path: str) -> Sequence[str] | None:
    decode_text, read_file = _readers()
    data = read_file(path)
    if isinstance(data, FileError):
        return None
    text = decode_text(data, path)
    return None if isinstance(text, FileError) else text.split("\n")


def _frame(finding: Finding, lines_of: SourceLines, color: bool) -> list[str]:
    frame = _framer()
    lines = lines_of(finding.location.path)
    if lines is None:
        return []
    loc = finding.location
    framed = frame(lines, loc.line, loc.column, loc.end_line, loc.end_column)
    paint = _COLORS[finding.severity]
    return [_paint(row, paint, color) if _is_carets(row) else row for row in framed]


def _is_carets(row: str) -> bool:
    tail = row.split(" | ", 1)[1] if " | " in row else ""
    return set(tail.strip()) == {"^"}


def _finding(finding: Finding, color: bool, lines_of: SourceLines | None = None) -> list[str]:
    loc = finding.location
    where = _paint(f"{display_path(loc.path)}:{loc.line}:{loc.column}:", _BOLD, color)
    severity = _paint(finding.severity.value, _COLORS[finding.severity], color)
    rule = _paint(finding.rule, _BOLD, color)
    lane = f" [lane: {finding.lane}]" if finding.lane else ""
    lines = [f"{where} {rule} {severity} {finding.name}: {finding.message}{lane}"]
    if lines_of is not None:
        lines.extend(_frame(finding, lines_of, color))
    if finding.fix:
        fix_lines = finding.fix.strip().splitlines()
        lines.append("  " + _paint("fix:", _DIM, color) + " " + fix_lines[0])
        lines.extend("       " + extra for extra in fix_lines[1:])
    for related in finding.related:
        place = f"{display_path(related.path)}:{related.line}:{related.column}:"
        lines.append(f"  {place} {_paint('note:', _DIM, color)} {related.note}")
    return lines


def summary(result: LintResult) -> str:
    files = _plural(result.files, "file")
    if not result.findings and not result.errors and not result.skipped:
        return f"All clear: {files} checked."
    if not result.findings and not result.files and not result.errors:
        line = "Nothing checked"
    elif not result.findings:
        line = f"No findings in {files}"
    else:
        counts = Counter(f.severity for f in result.findings)  # one pass: they may be on disk
        line = (
            f"{_plural(len(result.findings), 'finding')} "
            f"({_plural(counts[Severity.ERROR], 'error')}, "
            f"{_plural(counts[Severity.WARNING], 'warning')}, "
            f"{counts[Severity.INFO]} info) in {files}"
        )
    if result.errors:
        line += f"; {_plural(len(result.errors), 'file')} could not be read"
    if result.skipped:
        line += f"; {_plural(len(result.skipped), 'named file')} skipped (no reader)"
    return line


def rule_counts(result: LintResult) -> list[tuple[str, str, int]]:
    """(rule, name, count), most frequent first."""
    counts = Counter((f.rule, f.name) for f in result.findings)
    return sorted(((r, n, c) for (r, n), c in counts.items()), key=lambda t: (-t[2], t[0]))


def _counts_table(result: LintResult) -> list[str]:
    rows = rule_counts(result)
    width = len(str(max((c for _, _, c in rows), default=0)))
    return [f"{count:>{width}}  {rule}  {name}" for rule, name, count in rows]


def statistics(result: LintResult, rules: Mapping[str, Rule], *, as_json: bool = False) -> str:
    """`--statistics`: how many findings each rule has (and the files that could not be read)."""
    rows = rule_counts(result)
    if as_json:
        import json

        table = [{"code": r, "name": n, "count": c} for r, n, c in rows]
        return json.dumps(table, indent=2) + "\n"
    out = _counts_table(result)
    out.extend(f"{display_path(e.path)}: error: {e.message}" for e in result.errors)
    return printable("\n".join(out) + "\n") if out else ""


def _body(result: LintResult, color: bool, lines_of: SourceLines | None) -> Iterator[list[str]]:
    """The report's lines before the counts: a finding's lines at a time, then the files."""
    for finding in result.findings:
        yield _finding(finding, color, lines_of)
    for error in result.errors:
        label = _paint("error:", _COLORS[Severity.ERROR], color)
        path = display_path(error.path)
        yield [f"{_paint(path + ':', _BOLD, color)} {label} {error.message}"]
    for skipped in result.skipped:  # the message starts with "skipped:"
        path = display_path(skipped.path)
        yield [f"{_paint(path + ':', _BOLD, color)} {skipped.message}"]


def stream(
    result: LintResult,
    rules: Mapping[str, Rule],
    *,
    color: bool = False,
    concise: bool = False,
    quiet: bool = False,
    sources: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """`render`'s text, a finding at a time: every line ends in a newline, a blank line before
    the counts and before the summary when something precedes them."""
    lines_of = None if concise else read_source_lines(sources)
    wrote = False
    for lines in _body(result, color, lines_of):
        if lines:
            wrote = True
            yield printable("".join(line + "\n" for line in lines))
    if quiet:
        return
    if result.findings and not concise:
        yield printable("".join(f"\n{row}" for row in _counts_table(result)) + "\n")
        wrote = True
    yield ("\n" if wrote else "") + summary(result) + "\n"


def render(
    result: LintResult,
    rules: Mapping[str, Rule],
    *,
    color: bool = False,
    concise: bool = False,
    quiet: bool = False,
    sources: Mapping[str, str] | None = None,
) -> str:
    """The report; `concise` is one line per finding (no frame), `quiet` drops the summary."""
    pieces = stream(result, rules, color=color, concise=concise, quiet=quiet, sources=sources)
    return "".join(pieces)
