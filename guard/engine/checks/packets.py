"""CG7xx: dispatch packets. The packet's command goes through every other rule (its env merged
over the ambient env); these say what only the packet's own fields show."""

from __future__ import annotations

from collections.abc import Iterator

from guard.codex.call import SandboxSource
from guard.engine.checks.billing import SUBSCRIPTION_AUTH_ENV
from guard.engine.context import CheckContext, Hit
from guard.shell.model import Span
from guard.sources.snippet import RunContext


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
