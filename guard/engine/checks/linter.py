"""CG9xx: the linter itself. Say what could not be read, never hide a finding behind it."""

from __future__ import annotations

from guard.engine.checks.edits import Edits, editable, replace_word
from guard.engine.checks.sandbox import CODEX_CONFIG_PATH, config_layer_errors
from guard.engine.checks.sessions import RESUME_REJECTED
from guard.engine.context import CheckContext, Hit, Invocation
from guard.findings import Severity
from guard.shell.model import Command, Word

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from guard.engine.doorhome import DoorHome
    from guard.engine.writes import FileWrite
    from guard.settings import Settings
    from guard.shell.model import Script
    from guard.sources.snippet import Snippet

    Late = tuple[
        Callable[[Snippet, Settings], tuple[str, ...]],
        Callable[[Script, Sequence[str]], tuple[FileWrite, ...]],
        Callable[[Snippet], bool],
        Callable[[Snippet, Script, Command], DoorHome | None],
    ]

# What the checks below ask of other engine modules, imported at the first snippet and kept (they
# were imported in the functions, as here, not at the top): a `from` import in a function costs
# ~8,000 instructions on CPython 3.11, and `dynamic_command` ran five a snippet
# (`mentions_codex` is still looked up per call in `_unseen_in_play`: a test replaces it).
_LATE: list[Late] = []


def _late() -> Late:
    if not _LATE:
        from guard.engine.configlayers import write_bases
        from guard.engine.doorhome import at_door, door_home
        from guard.engine.writes import script_writes

        _LATE.append((write_bases, script_writes, at_door, door_home))
    return _LATE[0]


def parse_error(ctx: CheckContext) -> Iterator[Hit]:
    """CG901: a region of the snippet did not parse (it is still scanned token by token)."""
    for span in ctx.script.parse_errors[:1]:  # one is enough: the first break explains the rest
        yield Hit(span=span)
    for span in ctx.script.too_deep[:1]:
        yield Hit(
            span=span,
            message="nested deeper than codex-guard follows (wrappers, `eval`/`bash -c` bodies "
            "or function calls): what runs inside was not checked",
            fix="Flatten the command: call codex directly, not through layers of wrappers, "
            "`eval` or nested shells.",
        )
    yield from config_layer_errors(ctx)  # a config.toml layer codex reads that is not TOML


# Words that make an unresolved command look like a codex command line.
CODEX_ARGS = frozenset({"exec", "e", "login", "resume", "--yolo", "--full-auto", "--sandbox", "-s"})


def _may_be_codex(ctx: CheckContext, command: Command) -> bool:
    """Only where codex is in play: the snippet runs codex, or the arguments look like codex's;
    anywhere under the strict profile, which fails closed."""
    if ctx.settings.strict or ctx.invocations or "codex" in command.text.lower():
        return True
    return any(w.text in CODEX_ARGS for w in command.argv[1:4])


def _unseen_in_play(ctx: CheckContext) -> bool:
    """Whether shell text a command is handed at run time (`curl ... | bash`) is reported: where
    codex is in play in the snippet (its own text, or a codex run read through a value), where
    a door's strict gate sent it here, and anywhere under the strict profile. Not where only a
    value the source knows mentions codex (a CI env `NOTE: run codex later`): that value sent
    the snippet to the full check (engine/run.py `prepare`), but the text it runs is no more
    codex's than without it."""
    from guard.engine.run import mentions_codex  # per call: a test switches the reject off there

    snippet = ctx.snippet
    return (
        ctx.settings.strict
        or snippet.unseen_text
        or bool(ctx.invocations)
        or mentions_codex(snippet.text)
    )


def dynamic_command(ctx: CheckContext) -> Iterator[Hit]:
    """CG902: a command word that cannot be resolved may start codex; so may a shell that runs
    text the linter cannot see; and a name exported before a codex run may be a forbidden key."""
    severity = Severity.WARNING if ctx.settings.strict else None
    unseen_in_play = _unseen_in_play(ctx)
    for command in ctx.script.dynamic_commands:
        if command.unseen_script is None and not _may_be_codex(ctx, command):
            continue
        if command.unseen_script is not None and not unseen_in_play:
            continue
        first_line = command.text.splitlines()[0] if command.text else "?"
        yield Hit(span=command.span, severity=severity, params={"command": first_line[:60]})
    yield from _unresolved_env_names(ctx, severity)
    yield from _unreadable_config_writes(ctx, severity)
    yield from _unsettled_homes(ctx, severity)


def _unsettled_homes(ctx: CheckContext, severity: Severity | None) -> Iterator[Hit]:
    """At the doors: a relative Codex home (`cd "$X" && CODEX_HOME=ch codex ...`) whose folder
    cannot be known, so neither its auth.json nor its config.toml can be read (any other folder
    would be the wrong one)."""
    _bases, _writes, at_door, door_home = _late()
    if not at_door(ctx.snippet):
        return
    for inv in ctx.runs():
        home = door_home(ctx.snippet, ctx.script, inv.command)
        if home is None or home.folder is not None:
            continue
        yield Hit(
            span=inv.command.span,
            severity=severity,
            message=f"`{home.said}` is relative, and the folder this codex run starts in cannot "
            "be known here (a `cd` before it goes where the check cannot follow): which login "
            "and sandbox its Codex home gives cannot be settled (the check fails closed)",
            params={"command": home.said},
            fix="Give the Codex home as an absolute path (`CODEX_HOME=/abs/codex-home`), or "
            "move with a `cd` to a literal folder that exists.",
        )


def _unreadable_config_writes(ctx: CheckContext, severity: Severity | None) -> Iterator[Hit]:
    """A Codex config.toml rewritten with text that cannot be read here (`sed -i`, `perl -pi`,
    `cmd | tee`, `echo "$X" >>`, python): every later codex run reads it, and it may set full
    access, an API-key login or a provider that bills the API."""
    write_bases, script_writes, _at_door, _door_home = _late()
    for write in script_writes(ctx.script, write_bases(ctx.snippet, ctx.settings)):
        if write.content is not None and write.complete:
            continue  # a literal write: the sandbox, billing and config-layer checks read it
        if not CODEX_CONFIG_PATH.search(write.target.strip()):
            continue
        yield Hit(
            span=write.command.span,
            severity=severity,
            message=f"`{write.command.text.splitlines()[0][:60]}` writes Codex's config "
            f"({write.target}) with text that cannot be read statically: it may set full access "
            "or API billing for every later codex run (the check fails closed)",
            params={"command": write.target},
        )


def _unresolved_env_names(ctx: CheckContext, severity: Severity | None) -> Iterator[Hit]:
    """An export whose NAME the linter cannot resolve, still in scope at a codex run."""
    forbidden = set(ctx.settings.forbidden_env)
    for inv in ctx.runs():
        for unresolved in inv.command.env_unresolved:
            if forbidden <= set(unresolved.removed_after):
                continue  # every forbidden key was unset after it
            yield Hit(
                span=inv.command.span,
                severity=severity,
                related=((unresolved.span, "exported here"),),
                message=f"the variable name `{unresolved.name}` exported on line "
                f"{unresolved.span.line} cannot be resolved statically: it may be "
                f"{' or '.join(sorted(forbidden))} in this codex run's environment "
                "(the check fails closed)",
                params={"command": unresolved.name},
            )


def unknown_codex_flag(ctx: CheckContext) -> Iterator[Hit]:
    """CG903: a flag, value or sub-command the target codex-cli version rejects (exit 2)."""
    for inv in ctx.invocations:
        for flag in inv.call.unknown:
            if flag.reason == RESUME_REJECTED:
                continue  # CG402 names it
            yield Hit(
                span=flag.word.span,
                params={"flag": flag.text, "version": inv.call.version, "reason": flag.reason},
                edits=_full_auto_fix(inv, flag.word),
            )


def _full_auto_fix(inv: Invocation, word: Word) -> Edits:
    """`--full-auto` (gone in 0.169.0) -> `-s workspace-write`, the sandbox it stood for, when
    nothing else in the call says a sandbox (FACTS.md: removed flag; -s before or after exec)."""
    call = inv.call
    if word.text != "--full-auto" or not editable(inv.command) or call.bypass:
        return ()
    if call.sandbox_word is not None and call.sandbox_word.span != word.span:
        return ()  # another -s / -c sandbox_mode / profile says the sandbox: not a safe swap
    if any(key == "sandbox_mode" for key, _, _ in call.config_overrides):
        return ()
    return replace_word(word, "-s workspace-write")
