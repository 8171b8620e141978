"""What a check sees: the snippet, its command model, and every codex invocation in it."""

from __future__ import annotations

import itertools

from guard.codex.call import CodexCall, PromptSource, SandboxSource, Subcommand
from guard.engine.configlayers import NO_LAYERS, Layers, LayerValue
from guard.fastclass import dataclass, field
from guard.findings import Location, Severity
from guard.settings import Settings
from guard.shell.model import Command, Script, Span, StdinKind
from guard.sources.snippet import RunContext, Snippet

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    from guard.engine.sessionplan import SessionPlan

    Bisect = Callable[[Sequence[int], int], int]
    MovesShell = Callable[[Command, Command], bool]

# bisect_left and doorhome.py's `moves_shell_of`, imported at the first script with a `cd` (~0.35
# ms) and kept: a `from` import in a function costs ~8,000 instructions on CPython 3.11.
_CD_HELPERS: list[tuple[Bisect, MovesShell]] = []


def _cd_helpers() -> tuple[Bisect, MovesShell]:
    if not _CD_HELPERS:
        from bisect import bisect_left

        from guard.engine.doorhome import moves_shell_of

        _CD_HELPERS.append((bisect_left, moves_shell_of))
    return _CD_HELPERS[0]


# Sub-commands that start an agent run (and so bill, read a prompt, and use a sandbox).
RUN_SUBCOMMANDS = frozenset(
    {Subcommand.EXEC, Subcommand.RESUME, Subcommand.REVIEW, Subcommand.FORK}
)
# Contexts where nobody sits at a terminal: stdin is never a TTY there.
UNATTENDED_CONTEXTS = frozenset(
    {RunContext.CI, RunContext.AGENT, RunContext.PACKET, RunContext.SPAWN}
)


@dataclass(frozen=True, slots=True)
class Invocation:
    """One codex invocation: the shell command, the codex call, and what the engine resolved."""

    command: Command
    call: CodexCall
    sandbox: str | None  # effective sandbox (after a profile the config maps), None = default
    sandbox_source: SandboxSource
    lane: str | None
    lane_source: str | None  # "directive", "config", "inferred"
    prompt_text: str  # what is known of the prompt: the word, a here-doc body, a piped string
    layers: Layers = NO_LAYERS  # the config.toml layers it reads that the linter can see
    layer_sandbox: LayerValue | None = None  # a sandbox_mode one of those layers sets

    @property
    def is_run(self) -> bool:
        """An agent run (exec, resume, review, fork), not `--help` or `--version`."""
        return self.call.subcommand in RUN_SUBCOMMANDS and not self.call.prints_and_exits

    @property
    def writable(self) -> bool:
        return self.call.bypass or self.sandbox in ("workspace-write", "danger-full-access")

    @property
    def full_access(self) -> bool:
        return self.call.bypass or self.sandbox == "danger-full-access"

    @property
    def stdin_inherited(self) -> bool:
        return self.command.stdin.kind is StdinKind.INHERITED

    @property
    def prompt_is_positional(self) -> bool:
        return self.call.prompt_source is PromptSource.POSITIONAL


@dataclass(frozen=True, slots=True)
class Hit:
    """A check's raw result; the runner turns it into a Finding with the rule's text."""

    span: Span
    message: str | None = None  # None: the rule's `message` (or summary)
    fix: str | None = None  # None: the rule's `fix`
    related: tuple[tuple[Span, str], ...] = ()
    # Related locations given in file coordinates, not the snippet's: in another file (a
    # config.toml layer) or in another snippet of this file (CheckContext.place): (path, span,
    # note).
    related_files: tuple[tuple[str, Span, str], ...] = ()
    severity: Severity | None = None  # None: the rule's severity
    lane: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # for the rule's message template
    # A safe fix (--fix): (span, replacement, text ending at its end, text from its start).
    edits: tuple[tuple[Span, str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CheckContext:
    snippet: Snippet
    script: Script
    settings: Settings
    invocations: tuple[Invocation, ...]
    # The file's snippets that share this one's machine (lint only; guard/engine/sessionplan.py).
    plan: SessionPlan | None = None

    def runs_after(self) -> Iterator[tuple[Snippet, Invocation]]:
        """The agent runs of the file's snippets that run after this one on the same machine
        (Snippet.session), each with its snippet, in file order; whether a run reads the same
        Codex home is the check's to judge (its env and wrappers)."""
        if self.plan is None:
            return iter(())
        return self.plan.runs_after(self.snippet)

    def runs_before(self) -> Iterator[tuple[Snippet, Invocation, Script]]:
        """The agent runs of the file's snippets that run before this one on the same machine
        (Snippet.session), each with its snippet and that snippet's model, in the order they run
        (lint only: SessionPlan.runs_before)."""
        if self.plan is None:
            return iter(())
        return self.plan.runs_before(self.snippet)

    def script_runs(
        self, name: str, around: bool
    ) -> Iterator[tuple[Snippet, Invocation, tuple[Command, ...]]]:
        """The codex runs of the file's package script `name` (and its `pre`/`post` scripts
        when `around`), with the `npm run` commands they are reached through (lint only:
        SessionPlan.script_runs)."""
        if self.plan is None:
            return iter(())
        return self.plan.script_runs(name, around)

    def place(self, snippet: Snippet, span: Span) -> Location:
        """Where `span` of another snippet of the file sits in the file (the lint front door's
        columns: a dedented block, joined pieces, a program's one-line rendering)."""
        if self.plan is None:
            return Location(snippet.path, span.line, span.column, span.end_line, span.end_column)
        return self.plan.place(snippet, span)

    @property
    def unattended(self) -> bool:
        return self.snippet.context in UNATTENDED_CONTEXTS or self.snippet.context in (
            RunContext.SCRIPT,
            RunContext.RUNTIME,
        )

    def runs(self) -> Iterator[Invocation]:
        # Asked by most checks: the agent runs are picked out once per snippet (see _memo).
        found: tuple[Invocation, ...] | None = self._memo.get("runs")
        if found is None:
            found = tuple(inv for inv in self.invocations if inv.is_run)
            self._memo["runs"] = found
        return iter(found)

    # Built once per snippet, not once per codex call: a file of thousands of codex lines
    # must cost linear time (the `cd`s of the script, its lines).
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _position(self, command: Command) -> int | None:
        """Where `command` sits in script.commands (its index, when the script keeps them so)."""
        commands = self.script.commands
        if 0 <= command.index < len(commands) and commands[command.index] is command:
            return command.index
        return None

    def snippet_lines(self) -> list[str]:
        """The snippet's text split into lines (once)."""
        if "lines" not in self._memo:
            self._memo["lines"] = self.snippet.text.splitlines()
        lines: list[str] = self._memo["lines"]
        return lines

    def _cds(self) -> tuple[list[int], list[Command]]:
        """Every `cd`/`pushd` of the script, by index (once)."""
        if "cds" not in self._memo:
            cds = [c for c in self.script.commands if c.program in ("cd", "pushd")]
            cds.sort(key=lambda c: c.index)
            self._memo["cds"] = ([c.index for c in cds], cds)
        found: tuple[list[int], list[Command]] = self._memo["cds"]
        return found

    def cds_before(self, command: Command) -> list[tuple[Command, str]]:
        """The `cd`/`pushd` commands that move the shell `command` runs in, with their targets
        (which do: guard.engine.doorhome.moves_shell_of)."""
        indices, cds = self._cds()
        moves: list[tuple[Command, str]] = []
        if not cds:
            return moves
        before, moves_shell_of = _cd_helpers()
        for c in cds[: before(indices, command.index)]:
            if not moves_shell_of(c, command):
                continue
            moves.append((c, c.argv[1].text if len(c.argv) > 1 else "~"))
        return moves

    def commands_after(self, command: Command) -> Iterator[Command]:
        at = self._position(command)
        if at is not None:
            return itertools.islice(self.script.commands, at + 1, None)
        return (c for c in self.script.commands if c.index > command.index)
