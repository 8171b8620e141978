"""The engine's two entry points. Front doors call these and nothing deeper."""

from __future__ import annotations

from collections.abc import Iterable

from guard.findings import Finding
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet


def lint_snippet(snippet: Snippet, settings: Settings) -> list[Finding]:
    """Every enabled rule over one snippet; suppressions are applied by the caller (directives)."""
    from guard.engine.run import run_rules

    return run_rules(snippet, settings)


def token_scan(
    lines: Iterable[tuple[int, str]], snippet: Snippet, settings: Settings
) -> list[Finding]:
    """CG101/CG102/CG303 over numbered lines read token by token (a file too large to parse);
    `snippet` says whose lines they are (path, dialect, context), its text is not used."""
    from guard.engine.run import run_token_rules
    from guard.engine.tokens import token_scripts

    findings: list[Finding] = []
    for script in token_scripts(lines, snippet.dialect):
        findings.extend(run_token_rules(snippet, script, settings))
    return findings


def check_command_line(
    text: str, settings: Settings, context: RunContext = RunContext.AGENT, path: str = "<command>"
) -> list[Finding]:
    """One command line as an agent hook or `codex-guard check` sees it."""
    return lint_snippet(Snippet(text=text, path=path, context=context), settings)
