"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

Escaping follows actions/toolkit (`command.ts`): in the message `%`, `\\r`, `\\n`; in properties
also `:` and `,`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guard.engine.registry import Rule
from guard.findings import Finding, LintResult, Severity
from guard.report.paths import display_path, printable

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    loc = finding.location
    props = ",".join(
        [
            f"file={escape_property(display_path(loc.path))}",
            f"line={loc.line}",
            f"col={loc.column}",
            f"endLine={max(loc.end_line, loc.line)}",
            f"title={escape_property(f'{finding.rule} {finding.name}')}",
        ]
    )
    message = finding.message
    if finding.fix:
        message += "\nfix: " + finding.fix.strip()
    for related in finding.related:
        message += (
            f"\n{display_path(related.path)}:{related.line}:{related.column}: note: {related.note}"
        )
    return f"::{LEVELS[finding.severity]} {props}::{escape_data(message)}"


def stream(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> Iterator[str]:
    """One annotation line at a time."""
    for finding in result.findings:
        yield printable(annotation(finding) + "\n")
    for error in result.errors:
        where = escape_property(display_path(error.path))
        yield printable(f"::error file={where},title=codex-guard::{escape_data(error.message)}\n")


def render(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> str:
    return "".join(stream(result, rules, color=color))
