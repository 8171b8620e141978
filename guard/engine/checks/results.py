"""CG6xx: results. A loop branches on exit codes and structured output, not terminal text."""

from __future__ import annotations

from guard.codex.call import Subcommand
from guard.engine.context import CheckContext, Hit, Invocation
from guard.lazyre import lazy_compile
from guard.shell.model import Command

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator

SCRAPERS = frozenset({"grep", "egrep", "rg", "sed", "awk", "tail", "head", "cut", "tr"})
# Targets of `>` that are still the command's own stdout: `$(codex exec p > /dev/stdout)` hands
# the substitution the same text as no redirect would.
OWN_STDOUT = frozenset({"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
ACTS_ON_VERDICT = lazy_compile(r"\bVERDICT\b|\bPASS\b|\bFAIL\b")


def _structured(inv: Invocation) -> bool:
    call = inv.call
    return call.json or call.output_last_message is not None or call.output_schema is not None


def scraped_result(ctx: CheckContext) -> Iterator[Hit]:
    """CG601: the result is taken from terminal text instead of -o, --json or a schema."""
    for inv in ctx.runs():
        if inv.call.subcommand is Subcommand.REVIEW or _structured(inv):
            continue
        cmd = inv.command
        if cmd.stdout_redirect is not None and cmd.stdout_redirect not in OWN_STDOUT:
            continue  # `$(codex exec p > log)`: the text goes to the file; nothing is captured
        scraped_by = [p for p in cmd.context.pipeline_next if p in SCRAPERS]
        if cmd.context.command_substitution or scraped_by:
            how = f"| {scraped_by[0]}" if scraped_by else "$(...)"
            yield Hit(span=cmd.span, params={"how": how})


def _acts_on_verdict_later(ctx: CheckContext, inv: Invocation) -> bool:
    """A later command acts on this run's verdict: it reads the run's `-o` file, or it checks a
    verdict before another codex run comes (after one, the verdict checked is that run's: a
    worker's `|| echo failed` is not the validator's ignored status)."""
    out = inv.call.output_last_message
    own = out.text if out is not None and out.text else None
    runs = {id(other.command) for other in ctx.runs() if other.command is not inv.command}
    verdicts_are_ours = True
    for later in ctx.commands_after(inv.command):
        if own is not None and own in later.text:
            return True
        if id(later) in runs:
            verdicts_are_ours = False
            if own is None:
                return False
        elif verdicts_are_ours and ACTS_ON_VERDICT.search(later.text):
            return True
    return False


def _next_command(ctx: CheckContext, inv: Invocation) -> Command | None:
    return next(ctx.commands_after(inv.command), None)


def _followed_by_true(ctx: CheckContext, inv: Invocation) -> bool:
    """`codex exec ...; true` on one line: the status is overwritten at once."""
    after = _next_command(ctx, inv)
    return (
        after is not None
        and after.program in ("true", ":")
        and after.span.line == inv.command.span.end_line
    )


def _status_read_next(ctx: CheckContext, inv: Invocation) -> bool:
    """`rc=$?` (or any use of `$?`) on the line right after the run checks it."""
    lines = ctx.snippet_lines()
    index = inv.command.span.end_line - ctx.snippet.line_offset  # 0-based index of the next line
    return 0 <= index < len(lines) and "$?" in lines[index]


def exit_status_ignored(ctx: CheckContext) -> Iterator[Hit]:
    """CG602: the run's exit status is thrown away, and the script then acts on a verdict."""
    for inv in ctx.runs():
        c = inv.command.context
        ignored = (
            c.status_ignored
            or _followed_by_true(ctx, inv)
            or (c.errexit_off and not c.status_checked and not _status_read_next(ctx, inv))
        )
        if ignored and _acts_on_verdict_later(ctx, inv):
            yield Hit(span=inv.command.span)
