"""The runner: snippet -> command model -> codex calls -> rules -> findings."""

from __future__ import annotations

from _string import formatter_parser  # type: ignore[import-not-found]
from operator import is_

from guard.codex.call import CodexCall, PromptSource, SandboxSource, Subcommand
from guard.codex.grammar import SANDBOX_MODES
from guard.codex.parse import parse_codex_argv
from guard.engine.checks import CHECKS, NOT_SHELL_CHECKS
from guard.engine.configlayers import layers_for, sandbox_setting
from guard.engine.context import CheckContext, Hit, Invocation
from guard.engine.lanes import infer_lane
from guard.engine.registry import Rule, load_rules
from guard.fastclass import replace
from guard.findings import Edit, Finding, Location, Severity
from guard.reject import may_concern_codex
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.model import Command, Script, Span, StdinKind
from guard.sources.snippet import RunContext, Snippet

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from guard.directives import Directives
    from guard.engine.sessionplan import SessionPlan

# A snippet's command model and its codex invocations (`prepare`).
Prepared = tuple[Script, tuple[Invocation, ...]]

# Rules a parse error must never hide (RULES.md CG901): re-checked on a token scan.
FALLBACK_RULES = frozenset({"CG101", "CG102", "CG303"})
# Rules that read nothing but codex's argv: all that can be said of codex carried in the words
# of a command codex-guard does not know, which may change codex's env and stdin at will.
ARGV_ONLY_RULES = frozenset({"CG102", "CG303", "CG402", "CG903"})


# Verdicts on snippet texts already judged in this process: a workflow's steps repeat across
# files (`npm ci`, `pytest -q`), and the verdict is a function of the text alone. Bounded in count
# and in the length of a text kept (a step's, not a whole script's), so memory stays flat.
_VERDICTS: dict[str, bool] = {}
_VERDICTS_MAX = 4096
_VERDICT_TEXT_MAX = 512


def mentions_codex(text: str) -> bool:
    """The cheap reject every door shares (guard/reject.py): no word that can spell codex or a
    forbidden key, after quote removal, escapes and expansions, so nothing any rule can say."""
    known = _VERDICTS.get(text)
    if known is not None:
        return known
    verdict = may_concern_codex(text)
    if len(text) <= _VERDICT_TEXT_MAX and len(_VERDICTS) < _VERDICTS_MAX:
        _VERDICTS[text] = verdict
    return verdict


def _values_may_concern(values: tuple[tuple[str, str, int, str], ...]) -> bool:
    """Whether a value the source knows before the snippet runs (Snippet.values: a Makefile's
    variable, a Dockerfile's ENV, a CI step's env) may spell codex. The shell reads some where
    the text shows nothing the reject sends on (`$PS4` before each command under `set -x`, an
    interpreter's code in `python3 -c "$CODE"`), and may read one again as shell (`eval`): each
    is judged as shell text. Asked only of a snippet whose own text the reject turned away."""
    return any(mentions_codex(value) for _name, value, _line, _shown in values)


# guard/directives.py's two readers, imported at the first call and kept (not at each one: a
# `from` import in a function costs ~8,000 instructions on CPython 3.11, and these run for every
# snippet with codex in it).
_DIRECTIVES: list[tuple[Callable[..., bool], Callable[..., Directives]]] = []


def _directives() -> tuple[Callable[..., bool], Callable[..., Directives]]:
    if not _DIRECTIVES:
        from guard.directives import parse_directives, rule_enabled

        _DIRECTIVES.append((rule_enabled, parse_directives))
    return _DIRECTIVES[0]


def rule_enabled(rule: Rule, settings: Settings, context: RunContext) -> bool:
    """select/ignore, docs and the strict profile; per-file-ignores are the lint front door's."""
    selected = _directives()[0]
    if context is RunContext.DOC and not rule.docs:
        return False
    if rule.strict_only and not settings.strict and rule.id not in settings.select:
        return False
    return selected(rule.id, settings.select, settings.ignore)


def lane_directives(snippet: Snippet) -> dict[int, str]:
    """`# codex-guard: lane=...` of the file (set by the source), else of the snippet's own text."""
    parse_directives = _directives()[1]
    lanes = snippet.lane_directives or parse_directives(snippet.text, snippet.line_offset).lanes
    return dict(reversed(lanes))  # the first directive for a line wins


def _feeding_command(script: Script, command: Command) -> Command | None:
    """The pipeline member right before `command` (`printf '%s' "$P" | codex exec -`)."""
    position = command.context.pipeline_position
    if not command.context.in_pipeline or position == 0:
        return None
    # The nearest one before it, looked for backwards: a file of many pipelines stays linear.
    commands = script.commands
    positioned = command.index < len(commands) and commands[command.index] is command
    for at in range((command.index if positioned else len(commands)) - 1, -1, -1):
        c = commands[at]
        if (
            c.index < command.index
            and c.context.in_pipeline
            and c.context.pipeline_position == position - 1
        ):
            return c
    return None


def prompt_text(script: Script, command: Command, call: CodexCall) -> str:
    """What is known of the prompt, for lane inference and prompt-reading rules."""
    if call.prompt_source is PromptSource.POSITIONAL and call.prompt is not None:
        return call.prompt.text
    stdin = command.stdin
    if stdin.kind in (StdinKind.HEREDOC, StdinKind.HERESTRING):
        return stdin.source or ""
    feeder = _feeding_command(script, command)
    if feeder is not None:
        return " ".join(w.text for w in feeder.argv[1:])
    return ""


def _effective_sandbox(call: CodexCall, settings: Settings) -> tuple[str | None, SandboxSource]:
    if call.sandbox_source is SandboxSource.NONE and call.profile is not None:
        mapped = settings.sandbox_for_profile(call.profile.text)
        if mapped:
            return mapped, SandboxSource.PROFILE
    return call.sandbox, call.sandbox_source


def _lane(
    call: CodexCall,
    command: Command,
    prompt: str,
    settings: Settings,
    directives: Mapping[int, str],
) -> tuple[str | None, str | None]:
    for line in range(command.span.line, command.span.end_line + 1):
        if line in directives:
            return directives[line], "directive"
    if call.profile is not None:
        mapped = settings.lane_for_profile(call.profile.text)
        if mapped:
            return mapped, "config"
    inferred = infer_lane(call, prompt)
    return (inferred, "inferred") if inferred else (None, None)


def build_invocations(
    script: Script, snippet: Snippet, settings: Settings
) -> tuple[Invocation, ...]:
    directives = lane_directives(snippet)
    found: list[Invocation] = []
    for command in script.commands:
        if command.program != "codex":
            continue
        call = parse_codex_argv(command.argv, version=settings.codex_version, span=command.span)
        prompt = prompt_text(script, command, call)
        sandbox, source = _effective_sandbox(call, settings)
        layers = layers_for(snippet, script, settings, command, call)
        layered = sandbox_setting(layers, call.profile.text if call.profile else None)
        if (
            source is SandboxSource.NONE
            and layered is not None
            and layered.layer.certain
            and layered.value in SANDBOX_MODES
        ):
            sandbox, source = str(layered.value), SandboxSource.CONFIG_LAYER
        lane, lane_source = _lane(call, command, prompt, settings, directives)
        found.append(
            Invocation(command, call, sandbox, source, lane, lane_source, prompt, layers, layered)
        )
    return tuple(found)


def _format(template: str, params: Mapping[str, str], fallback: str) -> str:
    """The rule's message with the hit's facts; its summary when a fact is missing."""
    try:  # formatter_parser is what string.Formatter().parse calls (`string` costs ~0.5 ms)
        fields = {name for _, name, _, _ in formatter_parser(template) if name}
        if not fields <= params.keys():
            return fallback
        return template.format(**params)
    except (ValueError, IndexError, KeyError):
        return fallback


def _location(path: str, span: Span, note: str = "") -> Location:
    return Location(path, span.line, span.column, span.end_line, span.end_column, note)


def _message(rule: Rule, hit: Hit) -> str:
    return _format(rule.message or rule.summary, hit.params, rule.summary)


def to_finding(rule: Rule, hit: Hit, path: str, settings: Settings) -> Finding:
    override = dict(settings.severity).get(rule.id)
    severity = Severity(override) if override else (hit.severity or rule.severity)
    message = hit.message or _message(rule, hit)
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=severity,
        message=message,
        location=_location(path, hit.span),
        fix=hit.fix or rule.fix or None,
        related=tuple(_location(path, span, note) for span, note in hit.related)
        + tuple(_location(where, span, note) for where, span, note in hit.related_files),
        lane=hit.lane,
        edits=tuple(Edit(_location(path, span), *rest) for span, *rest in hit.edits),
    )


def _hits(rule: Rule, ctx: CheckContext) -> Iterable[Hit]:
    if ctx.snippet.facts:  # what the source settled from the file's structure (checks/facts.py)
        from itertools import chain

        from guard.engine.checks.facts import fact_hits

        return chain(fact_hits(rule.id, ctx), _rule_hits(rule, ctx))
    return _rule_hits(rule, ctx)


def _rule_hits(rule: Rule, ctx: CheckContext) -> Iterable[Hit]:
    if rule.check and rule.check in CHECKS:
        return CHECKS[rule.check](ctx)
    if rule.match:
        from guard.engine.match import matches  # here: no built-in rule matches by table

        return (
            Hit(span=inv.command.span, lane=inv.lane)
            for inv in ctx.invocations
            if matches(rule.match, inv)
        )
    return ()


# functools.partial and branches.py's `branch_note` (see `_run`)
_BRANCH_NOTE: list[tuple[Callable[..., Any], Callable[..., str]]] = []


def _branch_helpers() -> tuple[Callable[..., Any], Callable[..., str]]:
    if not _BRANCH_NOTE:
        from functools import partial

        from guard.engine.branches import branch_note

        _BRANCH_NOTE.append((partial, branch_note))
    return _BRANCH_NOTE[0]


def _run(rules: Iterable[Rule], ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    branched = any(inv.command.branch for inv in ctx.invocations)
    facts = bool(ctx.snippet.facts)
    for rule in rules:
        # `_hits` inlined for the common rule (a named check, no source facts): ~37 rules run
        # per snippet, and two calls each were a fair part of running them.
        check = None if facts else CHECKS.get(rule.check or "")
        hits = check(ctx) if check is not None else _hits(rule, ctx)
        for hit in hits:
            if branched:  # an argv built over branches: say which one the finding holds on
                # Imported here once: most scripts have no branches (and the hook's path no
                # functools); kept, since a `from` import costs ~8,000 instructions a finding.
                bind, branch_note = _branch_helpers()
                note = branch_note(hit, ctx, bind(_hits, rule))
                hit = replace(hit, message=(hit.message or _message(rule, hit)) + note)
            findings.append(to_finding(rule, hit, ctx.snippet.path, ctx.settings))
    return findings


def _carried_command_line(inv: Invocation) -> bool:
    """Codex in the words of a command codex-guard does not know, read as a codex command line
    (`agent-run -- codex exec ...`): not `--service codex --region us`, an interactive codex
    given flags codex does not have."""
    if inv.command.seen_through is None:
        return False
    return inv.call.subcommand is not Subcommand.INTERACTIVE or not inv.call.unknown


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line,
        inner.end_column,
    ) <= (outer.end_line, outer.end_column)


def _run_seen_through(rules: Iterable[Rule], ctx: CheckContext) -> list[Finding]:
    """The argv-only rules over codex seen through an unknown command, each message saying so."""
    findings: list[Finding] = []
    for rule in rules:
        if rule.id not in ARGV_ONLY_RULES:
            continue
        for hit in _rule_hits(rule, ctx):
            carrier = next(
                (inv.command for inv in ctx.invocations if _within(hit.span, inv.command.span)),
                None,
            )
            if carrier is None:
                continue  # a script-wide hit (an auth.json write): the main pass reports it
            finding = to_finding(rule, hit, ctx.snippet.path, ctx.settings)
            note = (
                f" (codex seen through `{carrier.seen_through}`, a command codex-guard does not "
                "know: only the rules that read codex's arguments alone are checked)"
            )
            findings.append(replace(finding, message=finding.message + note))
    return findings


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule and line: a function called twice, or a token-scan repeat."""
    seen: dict[tuple[str, int], Finding] = {}
    for finding in findings:
        key = (finding.rule, finding.location.line)
        if key not in seen or finding.severity.rank > seen[key].severity.rank:
            seen[key] = finding
    return sorted(seen.values(), key=Finding.sort_key)


def _may_start_unseen(text: str) -> bool:
    from guard.reject import may_start_unseen

    return may_start_unseen(text)


# The rules each settings object enables in each context, with what they were picked from: asked
# for every snippet, and one settings object serves every file of a config (by identity:
# Settings holds a dict, so it has no hash; the entry keeps it alive, so its id is not reused).
_ENABLED: dict[tuple[int, RunContext], tuple[Settings, list[Rule], tuple[Rule, ...]]] = {}
_ENABLED_MAX = 64


def _shell_rules(every: list[Rule], settings: Settings, context: RunContext) -> tuple[Rule, ...]:
    """The rules of ``every`` that run on a shell snippet in ``context`` under ``settings``."""
    key = (id(settings), context)
    known = _ENABLED.get(key)
    if (
        known is not None
        and known[0] is settings
        and len(known[1]) == len(every)
        and all(map(is_, known[1], every))  # in C: asked for every snippet
    ):
        return known[2]
    if len(_ENABLED) >= _ENABLED_MAX:
        _ENABLED.clear()
    picked = tuple(
        r for r in every if r.check not in NOT_SHELL_CHECKS and rule_enabled(r, settings, context)
    )
    _ENABLED[key] = (settings, every, picked)
    return picked


def prepare(snippet: Snippet, settings: Settings, *, always: bool = False) -> Prepared | None:
    """The snippet's command model and codex invocations; None when nothing in it can concern
    a rule (the keyword reject: no parse at all), unless `always` (a script another one runs,
    whose own `npm run` calls a check follows: guard/engine/sessionplan.py)."""
    if not (
        always
        or snippet.facts
        or snippet.unseen_text
        or snippet.codex_programs
        or snippet.context is RunContext.PACKET
        or mentions_codex(snippet.text)
        or (snippet.values and _values_may_concern(snippet.values))
        or (settings.strict and _may_start_unseen(snippet.text))
    ):
        return None
    script = parse_script(
        snippet.text,
        dialect=snippet.dialect,
        line_offset=snippet.line_offset,
        column_offset=snippet.column_offset,
        values=snippet.values,
        values_exported=snippet.values_exported,
        closed_stdin=snippet.closed_stdin,
        stdin_stream=snippet.stdin_stream,
        xtrace=snippet.xtrace,
        posix=snippet.posix,
    )
    if snippet.codex_programs:  # the runtime doors found codex under another name
        from guard.shell.copies import read_as_codex

        script = read_as_codex(script, snippet.codex_programs)
    return script, build_invocations(script, snippet, settings)


def run_rules(
    snippet: Snippet, settings: Settings, plan: SessionPlan | None = None
) -> list[Finding]:
    """Every enabled rule over one snippet. `plan`: the file's other snippets that share its
    machine (lint: guard/engine/sessionplan.py); it may have read this one already."""
    prepared = plan.prepared(snippet) if plan is not None else prepare(snippet, settings)
    if prepared is None:
        return []
    script, invocations = prepared
    rules = _shell_rules(list(load_rules(settings.rules_dirs).values()), settings, snippet.context)
    known = tuple(inv for inv in invocations if inv.command.seen_through is None)
    ctx = CheckContext(snippet, script, settings, known, plan)
    findings = _run(rules, ctx)
    carried = tuple(inv for inv in invocations if _carried_command_line(inv))
    if carried:
        carried_ctx = CheckContext(snippet, script, settings, carried)
        findings += _run_seen_through(rules, carried_ctx)
    if script.parse_errors:
        from guard.engine.tokens import fallback_script  # here: only for what did not parse

        tokens = fallback_script(snippet)
        token_invocations = build_invocations(tokens, snippet, settings)
        token_ctx = CheckContext(snippet, tokens, settings, token_invocations)
        findings += _run((r for r in rules if r.id in FALLBACK_RULES), token_ctx)
    return _dedupe(findings)


def run_token_rules(snippet: Snippet, script: Script, settings: Settings) -> list[Finding]:
    """The rules a parse failure must never hide (FALLBACK_RULES), over a token-scan Script: a
    file too large to parse is still checked for the API key, the API-key login and full access."""
    rules = [
        r
        for r in load_rules(settings.rules_dirs).values()
        if r.id in FALLBACK_RULES and rule_enabled(r, settings, snippet.context)
    ]
    invocations = build_invocations(script, snippet, settings)
    return _dedupe(_run(rules, CheckContext(snippet, script, settings, invocations)))
