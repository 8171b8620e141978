"""The engine's two entry points. Front doors call these and nothing deeper."""

from __future__ import annotations

from guard.findings import Finding
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from guard.engine.sessionplan import SessionPlan
    from guard.findings import Location
    from guard.shell.model import Span

# What a file must hold for a check to follow a session across its snippets: a run with
# `--ephemeral` (CG401, into the later ones), or `resume --last` (CG403, back to the earlier
# ones). Any other file (but a package.json: its scripts run each other) gets no plan, and its
# snippets run as alone.
ASKING_WORDS = ("ephemeral", "--last")


# engine/run.py's `run_rules`, imported at the first snippet and kept: not at the top (a door that
# answers without the engine loads this module), and not at each snippet (a `from` import in a
# function costs ~8,000 instructions on CPython 3.11: AttributeErrors raised and cleared inside).
_RUN_RULES: list[Callable[[Snippet, Settings, SessionPlan | None], list[Finding]]] = []


def lint_snippet(
    snippet: Snippet, settings: Settings, plan: SessionPlan | None = None
) -> list[Finding]:
    """Every enabled rule over one snippet; suppressions are applied by the caller (directives).
    `plan`: the file's snippets that share its machine (`session_plan`), for a file's lint."""
    if not _RUN_RULES:
        from guard.engine.run import run_rules

        _RUN_RULES.append(run_rules)
    return _RUN_RULES[0](snippet, settings, plan)


def session_plan(
    text: str,
    snippets: Sequence[Snippet],
    settings: Settings,
    place: Callable[[Snippet, Span], Location],
) -> SessionPlan | None:
    """How the snippets of one file (`text`) share a machine, for the checks that follow a
    session into later snippets; None (nothing to follow, no cost) for most files. `place`: where
    a span of a snippet sits in the file, as the caller reports findings."""
    if len(snippets) < 2:
        return None
    # a package.json's scripts: `npm run NAME` in one runs another (CG101 follows the env there)
    if not any(word in text for word in ASKING_WORDS) and not any(s.script_name for s in snippets):
        return None
    from guard.engine.sessionplan import SessionPlan

    return SessionPlan.for_file(snippets, settings, place)


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
