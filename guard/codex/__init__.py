"""The codex layer: the argv grammar of the Codex CLI, one table per supported version."""

from __future__ import annotations

from guard.codex.call import CodexCall, PromptSource, SandboxSource, Subcommand

__all__ = ["CodexCall", "PromptSource", "SandboxSource", "Subcommand"]
