"""The engine's two entry points. Front doors call these and nothing deeper."""

from __future__ import annotations

from guard.findings import Finding
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet


def lint_snippet(snippet: Snippet, settings: Settings) -> list[Finding]:
    """Every enabled rule over one snippet; suppressions are applied by the caller (directives)."""
    from guard.engine.run import run_rules

    return run_rules(snippet, settings)


def check_command_line(
    text: str, settings: Settings, context: RunContext = RunContext.AGENT, path: str = "<command>"
) -> list[Finding]:
    """One command line as an agent hook or `codex-guard check` sees it."""
    return lint_snippet(Snippet(text=text, path=path, context=context), settings)
