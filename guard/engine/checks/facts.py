"""Findings a source settled from a file's structure (a packet's schema, a codex-action step's
inputs), reported under their rule like any other hit: select/ignore, severity overrides and
directives apply to them unchanged."""

from __future__ import annotations

from guard.engine.context import CheckContext, Hit
from guard.findings import Severity
from guard.shell.model import Span

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator


def _span(line: int, column: int = 1) -> Span:
    return Span(line, column, line, column)


def source_facts_only(ctx: CheckContext) -> Iterator[Hit]:
    """The check of a rule whose every hit is a source's fact (the runner adds those to every
    rule's hits: `fact_hits`), such as CG701 packet-invalid."""
    return iter(())


def fact_hits(rule: str, ctx: CheckContext) -> Iterator[Hit]:
    """The snippet's facts for `rule`, as hits."""
    for fact in ctx.snippet.facts:
        if fact.rule != rule:
            continue
        yield Hit(
            span=_span(fact.line, fact.column),
            message=fact.message,
            severity=Severity(fact.severity) if fact.severity else None,
            related=tuple((_span(line), note) for line, note in fact.related),
            params=dict(fact.params),
        )
