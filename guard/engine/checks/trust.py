"""CG306: hook trust. Codex runs a hook only when its definition's hash is trusted."""

from __future__ import annotations

from guard.engine.context import CheckContext, Hit

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator

BYPASS_HOOK_TRUST = "--dangerously-bypass-hook-trust"


def hook_trust_bypassed(ctx: CheckContext) -> Iterator[Hit]:
    """CG306: `--dangerously-bypass-hook-trust` anywhere in a codex argv (every level takes it)."""
    for inv in ctx.invocations:
        use = next((f for f in inv.call.flags if f.name == BYPASS_HOOK_TRUST), None)
        if use is not None:
            yield Hit(span=use.word.span, lane=inv.lane, params={"flag": BYPASS_HOOK_TRUST})
