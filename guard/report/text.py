"""`--format text`: one line per finding, an indented fix and notes, then a summary.

run.sh:12:1: CG201 error positional-prompt-open-stdin: codex reads the idle pipe ...
  fix: close stdin: codex exec ... </dev/null
  run.sh:3:1: note: the key is exported here
"""

from __future__ import annotations

from collections.abc import Mapping

from guard.engine.registry import Rule
from guard.findings import Finding, LintResult, Severity
from guard.report.paths import display_path, printable

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _finding(finding: Finding, color: bool) -> list[str]:
    loc = finding.location
    where = _paint(f"{display_path(loc.path)}:{loc.line}:{loc.column}:", _BOLD, color)
    severity = _paint(finding.severity.value, _COLORS[finding.severity], color)
    rule = _paint(finding.rule, _BOLD, color)
    lane = f" [lane: {finding.lane}]" if finding.lane else ""
    lines = [f"{where} {rule} {severity} {finding.name}: {finding.message}{lane}"]
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
        counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
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


def render(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> str:
    out: list[str] = []
    for finding in result.findings:
        out.extend(_finding(finding, color))
    for error in result.errors:
        label = _paint("error:", _COLORS[Severity.ERROR], color)
        path = display_path(error.path)
        out.append(f"{_paint(path + ':', _BOLD, color)} {label} {error.message}")
    for skipped in result.skipped:  # the message starts with "skipped:"
        path = display_path(skipped.path)
        out.append(f"{_paint(path + ':', _BOLD, color)} {skipped.message}")
    if out:
        out.append("")
    out.append(summary(result))
    return printable("\n".join(out) + "\n")
