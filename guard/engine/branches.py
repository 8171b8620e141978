"""Which branch a finding comes from, when the shell layer built a command's argv over branches.

A variable set differently on the paths of an `if`, `case` or loop makes the shell layer walk a
command that expands it once per value (``Command.branch`` says which paths gave them). A
finding on such a command names the branch it holds on, unless it holds on every branch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from guard.engine.context import CheckContext, Hit, Invocation
from guard.fastclass import replace
from guard.shell.model import Span

HitsOf = Callable[[CheckContext], Iterable[Hit]]


def _contains(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line,
        inner.end_column,
    ) <= (outer.end_line, outer.end_column)


def _concerns(inv: Invocation, span: Span) -> bool:
    """The hit points into this command, or at one of its words (an array item written where
    the branch assigned it)."""
    return _contains(inv.command.span, span) or any(w.span == span for w in inv.command.argv)


def branch_note(hit: Hit, ctx: CheckContext, hits_of: HitsOf) -> str:
    """ " (when the `if` at line 3 takes its then-branch)" for a hit that holds on some of the
    branches its command was built over; "" when it holds on all of them, or none are involved."""
    variants = [inv for inv in ctx.invocations if inv.command.branch and _concerns(inv, hit.span)]
    if not variants:
        return ""
    span = variants[0].command.span
    variants = [inv for inv in variants if inv.command.span == span]
    total = sum(1 for c in ctx.script.commands if c.branch and c.span == span)
    holding = [
        inv
        for inv in variants
        if any(h.span == hit.span for h in hits_of(replace(ctx, invocations=(inv,))))
    ]
    if not holding or len(holding) == total:
        return ""
    labels = list(dict.fromkeys(inv.command.branch for inv in holding))
    return f" (when {' or when '.join(labels[:2])}{', ...' if len(labels) > 2 else ''})"
