"""CG2xx: stdin. A positional prompt with an idle open stdin blocks forever (the stdin lab).

The command model already says what the shell really wires to the command's stdin (a foreground
call inherits the script's; `cmd &` gets /dev/null; a bash background pipeline keeps it). These
checks only decide what that means for codex, and how sure we can be.
"""

from __future__ import annotations

from guard.codex.call import Subcommand
from guard.engine.checks.edits import append, editable
from guard.engine.context import UNATTENDED_CONTEXTS, CheckContext, Hit, Invocation
from guard.findings import Severity
from guard.shell.model import Span, Stdin, StdinKind
from guard.sources.snippet import RunContext

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator

# Where a hang is certain rather than likely: the shell keeps the caller's stdin in a place no
# terminal reaches, or the caller is known never to hand a TTY; or a copier (`cat | codex`)
# turns even a terminal into a pipe, which codex does read.
_CERTAIN_REASONS = frozenset(
    {"background-pipeline", "dup-stdin", "coproc", "copied-stdin", "concurrently"}
)


def _hang_is_certain(ctx: CheckContext, inv: Invocation) -> bool:
    cmd = inv.command
    return (
        ctx.snippet.context in UNATTENDED_CONTEXTS
        or ctx.snippet.context is RunContext.RUNTIME
        or cmd.context.command_substitution
        or cmd.context.in_pipeline
        or cmd.context.background
        or cmd.stdin.reason in _CERTAIN_REASONS
    )


def positional_prompt_open_stdin(ctx: CheckContext) -> Iterator[Hit]:
    """CG201: `codex exec "prompt"` with an inherited stdin that may never reach EOF."""
    for inv in ctx.runs():
        # FACTS.md observed the append-stdin read on `codex exec` itself.
        if inv.call.subcommand is not Subcommand.EXEC or inv.call.dynamic_args:
            continue
        related = ((inv.call.prompt.span, "positional prompt"),) if inv.call.prompt else ()
        endless = inv.command.stdin.endless
        if inv.prompt_is_positional and endless is not None:
            yield _endless_stdin_hit(inv, endless, related, "positional prompt with")
            continue
        if not (inv.prompt_is_positional and inv.stdin_inherited):
            continue
        certain = _hang_is_certain(ctx, inv)
        copier = _copier(inv.command.stdin)
        if copier is not None:
            yield _copied_stdin_hit(inv, copier, related, certain)
            continue
        # The fix: close stdin right after the command (`codex exec "p" </dev/null | tee log`).
        fix = append(inv.command, " </dev/null") if editable(inv.command) else ()
        yield Hit(
            span=inv.command.span,
            severity=Severity.ERROR if certain else Severity.WARNING,
            related=related,
            edits=fix,
            params={"stdin": "an inherited stdin"},
        )


def _copier(stdin: Stdin) -> str | None:
    """The program that copies the caller's stdin into codex's (`cat` in `cat | codex`)."""
    if stdin.reason == "copied-stdin" and stdin.source:
        return stdin.source
    return None


def _copied_stdin_hit(
    inv: Invocation, copier: str, related: tuple[tuple[Span, str], ...], certain: bool
) -> Hit:
    """CG201 where a copier feeds codex the caller's stdin. No `</dev/null` edit: codex would
    end, but the pipeline still waits for the copier, blocked on the same idle stdin."""
    stdin = inv.command.stdin
    if stdin.span is not None:
        related = ((stdin.span, f"`{copier}` copies the caller's stdin into codex here"), *related)
    return Hit(
        span=inv.command.span,
        severity=Severity.ERROR if certain else Severity.WARNING,
        related=related,
        params={"stdin": f"a stdin fed by `{copier}` of the caller's stdin"},
        fix=(
            f"`{copier}` reads the caller's stdin and ends only when it does: drop it or give"
            " it an input that ends (a file, `</dev/null`); pass the prompt positionally with"
            " `</dev/null` on codex, or pipe it in and pass `-`."
        ),
    )


def _endless_stdin_hit(
    inv: Invocation, producer: str, related: tuple[tuple[Span, str], ...], lead: str
) -> Hit:
    """A stdin fed by a producer that never ends (`tail -f log |`, `yes |`, `< /dev/zero`):
    codex reads stdin to EOF before it starts, so it never does, whoever runs the script. An
    error everywhere; no `</dev/null` edit: the pipeline would still wait for the producer."""
    stdin = inv.command.stdin
    if stdin.span is not None:
        related = ((stdin.span, f"`{producer}` never ends, and feeds codex here"), *related)
    return Hit(
        span=inv.command.span,
        severity=Severity.ERROR,
        related=related,
        message=(
            f"{lead} a stdin fed by `{producer}`, which never ends: codex reads stdin to EOF"
            " before it starts, so it hangs forever"
        ),
        fix=(
            f"Give codex an input that ends: bound `{producer}` (`tail -n N`, `head -n N`,"
            " `timeout`), or drop it and pass the prompt positionally with `</dev/null` on codex."
        ),
    )


def stdin_prompt_never_ends(ctx: CheckContext) -> Iterator[Hit]:
    """CG205: the prompt is read from stdin, and what feeds that stdin never ends."""
    for inv in ctx.runs():
        endless = inv.command.stdin.endless
        if inv.call.dynamic_args or not inv.call.reads_prompt_from_stdin or endless is None:
            continue
        yield _endless_stdin_hit(inv, endless, (), "the prompt is read from")


def stdin_prompt_without_input(ctx: CheckContext) -> Iterator[Hit]:
    """CG202: the prompt is read from stdin, and nothing is piped or redirected into it."""
    for inv in ctx.runs():
        if inv.call.dynamic_args or not inv.call.reads_prompt_from_stdin:
            continue
        if inv.command.stdin.kind in (StdinKind.INHERITED, StdinKind.NULL):
            yield Hit(span=inv.command.span)


def prompt_plus_piped_stdin(ctx: CheckContext) -> Iterator[Hit]:
    """CG203: a positional prompt and piped stdin: codex appends it as a `<stdin>` block."""
    piped = (StdinKind.PIPE, StdinKind.FILE, StdinKind.HEREDOC, StdinKind.HERESTRING)
    for inv in ctx.runs():
        stdin = inv.command.stdin
        if inv.call.subcommand is not Subcommand.EXEC or not inv.prompt_is_positional:
            continue
        # A stdin that never ends is CG201's hang, not a <stdin> block codex would append.
        if stdin.kind in piped and not stdin.shared_with_loop_read and stdin.endless is None:
            related = ((stdin.span, "stdin comes from here"),) if stdin.span else ()
            yield Hit(span=inv.command.span, related=related)


def loop_input_swallowed(ctx: CheckContext) -> Iterator[Hit]:
    """CG204: codex inside a `while read` loop reads the rest of the loop's input."""
    for inv in ctx.runs():
        stdin = inv.command.stdin
        loop = inv.command.context.loop
        if not stdin.shared_with_loop_read:
            continue
        related = ((loop.span, "the loop reads the same input here"),) if loop else ()
        yield Hit(span=inv.command.span, related=related)
