"""One stderr line per finding, naming the rule and the fix: the runtime doors' refusal format."""

from __future__ import annotations

from guard.findings import Finding, Severity

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable


def _one_line(text: str) -> str:
    return " ".join(text.split())


def finding_line(finding: Finding, prefix: str = "codex-guard") -> str:
    """`codex-guard: error CG101 api-key-in-env: MESSAGE (fix: FIX)` -- one line, always."""
    line = (
        f"{prefix}: {finding.severity.value} {finding.rule} {finding.name}: "
        f"{_one_line(finding.message)}"
    )
    if finding.fix:
        line += f" (fix: {_one_line(finding.fix)})"
    return line


def at_or_over(findings: Iterable[Finding], threshold: str) -> list[Finding]:
    """The findings whose severity reaches `threshold` (error | warning | info)."""
    try:
        floor = Severity(threshold).rank
    except ValueError:
        floor = Severity.ERROR.rank
    return [f for f in findings if f.severity.rank >= floor]


def reason_text(findings: Iterable[Finding]) -> str:
    """The deny reason an agent shows its model: every finding, its rule id and its fix."""
    parts = []
    for f in findings:
        part = f"{f.rule} {f.name}: {_one_line(f.message)}"
        if f.fix:
            part += f" Fix: {_one_line(f.fix)}"
        parts.append(part)
    return "codex-guard refused this command. " + " | ".join(parts)
