"""CG4xx: sessions and resume. A run that cannot be resumed cannot be recovered."""

from __future__ import annotations

from guard.codex.call import Subcommand
from guard.engine.checks.edits import Edits, append, delete_words, editable, prepend, value_after
from guard.engine.context import CheckContext, Hit, Invocation
from guard.findings import Location, Severity
from guard.shell.model import Command, Script, Span, Word
from guard.sources.snippet import Snippet

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator

RESUME_REJECTED = "resume-unsupported"  # the grammar's reason for -C/-s on `exec resume`


_RESUMED_LATER = (
    "--ephemeral skips session files, and this script resumes the session later: the resume "
    "finds nothing"
)
_RESUMED_AFTER = (
    "--ephemeral skips session files, and a command that runs after this one on the same machine "
    "resumes the session (line {}): the resume finds nothing"
)


def ephemeral_resumable(ctx: CheckContext) -> Iterator[Hit]:
    """CG401: `--ephemeral` on a run that is resumed later (or on a worker lane).

    Later: in the same script, or in a later snippet of the file that runs after it on the same
    machine (a later step of the same GitHub job, a later spawn of the program: Snippet.session).
    A resume under another Codex home (a different `CODEX_HOME`, `HOME`, caam profile, user or
    host) looks where the ephemeral run would never have written: not this rule's case.
    """
    resumes = [inv for inv in ctx.runs() if inv.call.subcommand is Subcommand.RESUME]
    for inv in ctx.runs():
        if not inv.call.ephemeral or inv.call.subcommand is Subcommand.RESUME:
            continue
        word = inv.call.ephemeral_word
        home = run_home(ctx.snippet, inv.command)
        later = [
            r
            for r in resumes
            if r.command.index > inv.command.index and run_home(ctx.snippet, r.command) == home
        ]
        related: tuple[tuple[Span, str], ...] = ()
        elsewhere: tuple[tuple[str, Span, str], ...] = ()
        if later:
            related = ((later[0].command.span, "resumed here"),)
        else:
            where = _resumed_after(ctx, home)
            if where is not None:
                elsewhere = ((where.path, _span(where), "resumed here"),)
        if related or elsewhere:
            fix = delete_words(word) if word and editable(inv.command) else ()
            yield Hit(
                span=word.span if word else inv.command.span,
                edits=fix,
                message=_RESUMED_LATER if related else _RESUMED_AFTER.format(elsewhere[0][1].line),
                related=related,
                related_files=elsewhere,
                lane=inv.lane,
            )
        elif inv.lane == "worker":
            yield Hit(
                span=word.span if word else inv.command.span,
                severity=Severity.WARNING,
                message="--ephemeral on a worker lane: a crashed run cannot be resumed",
                lane=inv.lane,
            )


def _resumed_after(ctx: CheckContext, home: Home) -> Location | None:
    """The first resume under `home` in a later snippet that runs after this one (lint)."""
    for snippet, run in ctx.runs_after():
        if run.call.subcommand is Subcommand.RESUME and run_home(snippet, run.command) == home:
            return ctx.place(snippet, run.command.span)
    return None


def _span(where: Location) -> Span:
    return Span(where.line, where.column, where.end_line, where.end_column)


# What picks the Codex home a run reads, besides its variables: the profile `caam` gives it, the
# user `sudo`/`su` run it as, the host or container it runs on.
HOME_WRAPPERS = frozenset({"caam", "sudo", "doas", "su", "ssh", "docker", "podman"})
# Its variables: CODEX_HOME, else HOME (codex reads $HOME/.codex).
HOME_VARIABLES = ("CODEX_HOME", "HOME")
Home = tuple[tuple[str, str | None], ...]


def run_home(snippet: Snippet, command: Command) -> Home:
    """What names the Codex home `command` reads, as written: two runs with the same answer read
    the same home; a different answer is (as far as can be told) another home. A variable the
    script inherits is the snippet's env (a workflow's `env:`) or the caller's (None)."""
    parts: list[tuple[str, str | None]] = [
        (w.name, " ".join(w.args)) for w in command.wrappers if w.name in HOME_WRAPPERS
    ]
    for name in HOME_VARIABLES:
        binding = command.env_var(name)
        if binding is not None and binding.value is not None:
            parts.append((name, binding.value.text))
        elif command.inherits(name):
            outside = [v for k, v, _line in snippet.external_env if k == name]
            parts.append((name, outside[-1] if outside else None))
        else:
            parts.append((name, "<removed>"))  # `env -i`, `env -u NAME`
    return tuple(parts)


def ephemeral_ignored_on_resume(ctx: CheckContext) -> Iterator[Hit]:
    """CG404: `--ephemeral` on `exec resume`, given before or after `resume`: codex drops it on the
    resume path and persists the turn (openai/codex#20084; observed on 0.171.0)."""
    for inv in ctx.runs():
        if inv.call.subcommand is Subcommand.RESUME and inv.call.ephemeral:
            word = inv.call.ephemeral_word
            yield Hit(span=word.span if word else inv.command.span, lane=inv.lane)


def resume_unsupported_flag(ctx: CheckContext) -> Iterator[Hit]:
    """CG402: `codex exec resume` given -C/--cd or -s/--sandbox, which it rejects."""
    for inv in ctx.runs():
        for flag in inv.call.unknown:
            if flag.reason == RESUME_REJECTED:
                fix: Edits = ()
                if editable(inv.command) and flag.text.lstrip("-")[:2] in ("C", "s", "cd", "sa"):
                    fix = delete_words(flag.word, value_after(inv.command, flag.word))
                yield Hit(span=flag.word.span, params={"flag": flag.text}, edits=fix)


def resume_last_wrong_cwd(ctx: CheckContext) -> Iterator[Hit]:
    """CG403: `resume --last` not run from the repo the resumed run used.

    `--last` picks the newest session recorded for the cwd; the resumed run (the newest exec
    before the resume) recorded its `-C` root, or the cwd it ran in. So the resume must run with
    its cwd in that root: a `cd` into it, and no move away after a run that used the cwd.
    """
    for inv in ctx.runs():
        call = inv.call
        if call.subcommand is not Subcommand.RESUME or not call.last or call.has_flag("--all"):
            continue
        # The run being resumed: the newest exec before the resume.
        earlier = [
            r
            for r in ctx.runs()
            if r.call.subcommand is Subcommand.EXEC and r.command.index < inv.command.index
        ]
        resumed = earlier[-1] if earlier else None
        start = resumed.command.index if resumed else -1
        moves = ctx.cds_before(inv.command)
        cds = [(c, t) for c, t in moves if c.index > start]
        root = resumed.call.cd if resumed else None
        if root is not None and root.literal and root.text in (".", "./"):
            root = None  # `-C .` is the cwd the resume runs in, unless a cd moved it
        # `codex exec -C DIR resume --last`: exec's -C before `resume` sets the resume's root.
        here = call.cd.text if call.cd is not None else (moves[-1][1] if moves else None)
        if root is not None:
            ok = here == root.text
        elif resumed is not None:
            # Both runs are moved by the same `cd`s: none (the script's cwd), or the same ones
            # (`cd api`, run, resume), or the same targets each in its own subshell
            # (`(cd api && codex exec ...)`, later `(cd api && ... resume)`, as the recipes of a
            # Makefile run). A run in `(cd api && ...)` resumed outside it is not.
            ok = _targets(ctx.cds_before(resumed.command)) == _targets(moves)
        else:
            # A resume with no run before it in its own snippet: a `cd` says where it is, or
            # the run it resumes is in an earlier step of the same job, started in the same place
            earlier_step = _run_in_an_earlier_step(ctx) if here is None else None
            ok = here is not None or (
                earlier_step is not None and _resumed_where_it_ran(ctx, moves, *earlier_step)
            )
        if ok:
            continue
        related: tuple[tuple[Span, str], ...] = (
            ((root.span, "the resumed run's root"),) if root else ()
        )
        if cds:
            related += ((cds[-1][0].span, "the resume runs from here"),)
        where = root.text if root else "its cwd"
        yield Hit(
            span=inv.command.span,
            related=related,
            params={"path": where},
            edits=_cd_fix(inv, root) if root is not None and not cds else (),
        )


def _run_in_an_earlier_step(ctx: CheckContext) -> tuple[Snippet, Invocation, Script] | None:
    """The newest `codex exec` of the snippets that ran before this one on its machine (an
    earlier step of the GitHub job): the run a `resume --last` with none before it in its own
    step resumes."""
    found = None
    for snippet, run, script in ctx.runs_before():
        if run.call.subcommand is Subcommand.EXEC:
            found = (snippet, run, script)
    return found


def _resumed_where_it_ran(
    ctx: CheckContext,
    moves: list[tuple[Command, str]],
    snippet: Snippet,
    run: Invocation,
    script: Script,
) -> bool:
    """Does a `resume --last` that no `cd` moves run in the root of `run`, made in an earlier
    step? Each step starts in its own start_dir (the workspace unless `working-directory` says
    otherwise): the run used that place (no `-C` elsewhere, no `cd` before it) in the same one."""
    if moves or snippet.start_dir != ctx.snippet.start_dir:
        return False
    root = run.call.cd
    if root is not None and not (root.literal and root.text in (".", "./")):
        return False  # `-C DIR`: the resume must `cd DIR`
    return not CheckContext(snippet, script, ctx.settings, ()).cds_before(run.command)


def _targets(moves: list[tuple[Command, str]]) -> list[str]:
    return [target for _command, target in moves]


def _cd_fix(inv: Invocation, root: Word) -> Edits:
    """`(cd ROOT && codex exec resume --last ...)`: the resume runs in the first run's root, and
    the subshell keeps the script's own cwd as it was."""
    command, context = inv.command, inv.command.context
    if not editable(command) or inv.call.cd is not None or not root.raw:
        return ()
    if context.in_pipeline or context.background or context.command_substitution:
        return ()
    return (*prepend(command, f"(cd {root.raw} && "), *append(command, ")"))
