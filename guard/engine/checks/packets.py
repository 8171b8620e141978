"""CG7xx: dispatch packets. The packet's command goes through every other rule (its env merged
over the ambient env); these say what only the packet's own fields show."""

from __future__ import annotations

from guard.codex.call import SandboxSource
from guard.engine.checks.billing import SUBSCRIPTION_AUTH_ENV
from guard.engine.context import CheckContext, Hit
from guard.lazyre import lazy_compile
from guard.shell.model import EnvOrigin, Span
from guard.sources.snippet import RunContext

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator


def _declared(ctx: CheckContext, what: str) -> tuple[str, int] | None:
    for name, value, line in ctx.snippet.declared:
        if name == what:
            return value, line
    return None


def packet_env_injection(ctx: CheckContext) -> Iterator[Hit]:
    """CG702: a forbidden key in the packet's `env`, merged into the spawn env after the ambient
    guard has passed. Reported at the key, whatever the command is (the orchestrator spawns it)."""
    if ctx.snippet.context is not RunContext.PACKET:
        return
    forbidden = set(ctx.settings.forbidden_env) - SUBSCRIPTION_AUTH_ENV
    for name, _value, line in ctx.snippet.external_env:
        if name in forbidden:
            yield Hit(span=Span(line, 1, line, 1), params={"key": name})


def packet_command_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    """CG703: the packet's `sandbox` is not the sandbox its command runs under."""
    declared = _declared(ctx, "sandbox")
    if ctx.snippet.context is not RunContext.PACKET or declared is None:
        return
    sandbox, line = declared
    for inv in ctx.runs():
        if (
            inv.sandbox is None
            and inv.sandbox_source is not SandboxSource.NONE
            and not inv.call.bypass
        ):
            continue  # said, but not statically known (`-s "$MODE"`): CG902 territory
        runs_under = (
            "danger-full-access" if inv.call.bypass else (inv.sandbox or "read-only")
        )  # codex exec defaults to read-only (FACTS.md)
        if runs_under != sandbox:
            yield Hit(
                span=inv.command.span,
                related=((Span(line, 1, line, 1), f"the packet declares sandbox: {sandbox}"),),
                params={"declared": sandbox, "actual": runs_under},
            )


# The login-status gate (CG104's pattern): the status text read for the subscription line.
LOGIN_GATE = lazy_compile(r"Logged in using ChatGPT")
GATE_TEXT = "Logged in using ChatGPT"  # what `codex login status` prints (FACTS.md)
COMMENTED_GATE = lazy_compile(
    r"^\s*#.*\bcodex\s+login\s+status\b.*Logged in using ChatGPT", needs=(GATE_TEXT,)
)
DISABLE_ENV = "CODEX_GUARD_DISABLE"


def _disabled_by_env(ctx: CheckContext) -> Iterator[Hit]:
    """`CODEX_GUARD_DISABLE=1` put in the environment of what follows (once per binding)."""
    seen: set[tuple[int, int]] = set()
    for command in ctx.script.commands:
        for binding in command.env:
            if binding.name != DISABLE_ENV or binding.origin is EnvOrigin.EXTERNAL:
                continue
            value = binding.value.text.strip("'\"") if binding.value is not None else "1"
            key = (binding.span.line, binding.span.column)
            if value in ("", "0", "false") or key in seen:
                continue
            seen.add(key)
            yield Hit(
                span=binding.span,
                message=f"`{DISABLE_ENV}={value}` turns the codex-guard billing guard off for "
                "what runs after it",
            )


def _gate_is_ignored(ctx: CheckContext) -> Iterator[Hit]:
    """A login-status gate whose failure is thrown away (`... | grep -q "Logged in using
    ChatGPT" || true`): it gates nothing."""
    for command in ctx.script.commands:
        if command.context.status_ignored and LOGIN_GATE.search(command.text):
            yield Hit(
                span=command.span,
                message="the login-status check ends in `|| true` (or `|| :`): a run under an "
                "API key goes ahead anyway",
            )


def _gate_is_commented_out(ctx: CheckContext) -> Iterator[Hit]:
    """A login-status gate left in a comment: the check someone switched off."""
    if not any(inv.is_run for inv in ctx.invocations) or GATE_TEXT not in ctx.snippet.text:
        return  # (one test of the whole text: most scripts hold no gate at all)
    for offset, line in enumerate(ctx.snippet_lines()):
        if COMMENTED_GATE.search(line):
            number = ctx.snippet.line_offset + offset + 1
            yield Hit(
                span=Span(number, 1, number, len(line) + 1),
                message="the login-status check is commented out: codex runs with no billing gate",
            )


def auth_guard_disabled(ctx: CheckContext) -> Iterator[Hit]:
    """CG705 in a script (a packet's `auth_guard: false` is a fact of the packet source)."""
    yield from _disabled_by_env(ctx)
    yield from _gate_is_ignored(ctx)
    yield from _gate_is_commented_out(ctx)
