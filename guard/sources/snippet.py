"""Snippet: a piece of shell found in a file, with where it sits and how it will run."""

from __future__ import annotations

from guard.fastclass import dataclass, field
from guard.fastenum import StrEnum


class RunContext(StrEnum):
    """Who runs the snippet: decides how sure the stdin rules can be (RULES.md CG201)."""

    SCRIPT = "script"  # a shell script: interactive or not depends on its caller
    CI = "ci"  # a workflow `run:`, GitLab `script:`: stdin is never a TTY
    AGENT = "agent"  # an agent's Bash tool (the hook, SKILL.md, agent-instruction Markdown)
    PACKET = "packet"  # a dispatch packet's command
    DOC = "doc"  # a Markdown fence in ordinary docs: an example a person runs in a terminal
    RUNTIME = "runtime"  # the exec shim: the real env and stdin are known, not guessed
    SPAWN = (
        "spawn"  # a program's spawn (Python subprocess): a bare command's stdin is its idle pipe
    )


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    path: str
    line_offset: int = 0  # the snippet's first line is line line_offset + 1 of the file
    column_offset: int = 0  # applies to the first line only
    dialect: str = "bash"
    context: RunContext = RunContext.SCRIPT
    # env the source puts around the snippet (a workflow/job/step `env:`), name -> (value, line)
    external_env: tuple[tuple[str, str, int], ...] = field(default=())
    # `# codex-guard: lane=...` directives of the file: (file line a lane applies to, lane). The
    # engine reads it (guard/engine/run.py, lane_directives).
    lane_directives: tuple[tuple[int, str], ...] = field(default=())
    # columns of every line after the first sit this far right in the file (a YAML block scalar or
    # a Markdown fence indented in a list): the text is dedented so here-doc terminators still work.
    block_indent: int = 0
    # Where a snippet joins pieces written at different places (a GitLab job's script items, run
    # by one shell): (snippet line, file line, columns the text sits right in the file) for every
    # line of the text. The snippet's lines are line_offset + 1 on, as always; they are the file's
    # own lines when the pieces come in file order, else lines past the file's end (an item from a
    # template written below the job). Replaces `column_offset` and `block_indent` (both 0).
    line_map: tuple[tuple[int, int, int], ...] = field(default=())
    # Where a line of the text goes on with another file line's text (a YAML folded scalar,
    # `run: >`, folds its line breaks into spaces): (snippet line, column, file line, file
    # column), 1-based: on that snippet line, `column` and what follows sit on `file line` from
    # `file column` on. With `line_map`, which places each line's start.
    joins: tuple[tuple[int, int, int, int], ...] = field(default=())
    # Template expressions the source masked out of `text` so it parses as shell (a workflow's
    # `${{ github.event.issue.body }}`): (file line, the expression as written).
    expressions: tuple[tuple[int, str], ...] = field(default=())
    # The expressions were pasted into shell text (a workflow `run:`): the runner's shell runs
    # what they expand to before codex starts, so no codex sandbox bounds an outsider's text
    # there (zizmor's template-injection). An action's inputs (codex-action's `prompt:`) are not.
    expressions_in_shell: bool = False
    # Findings the source settled itself from the file's structure, not its shell (a packet's
    # schema, a codex-action step's inputs): the engine reports each under its rule
    # (checks/facts.py).
    facts: tuple[SourceFact, ...] = field(default=())
    # The hook and `check` under `hook.fail-closed`: a line with no codex word that hands a shell
    # text known only when it runs (`... | base64 -d | bash`) is still checked (CG902).
    unseen_text: bool = False
    # The hook and `check`: program words that are codex on this machine under another name (a
    # link or copy made earlier: `/tmp/cx exec ...`), read as codex (guard/runtime/machine.py).
    codex_programs: frozenset[str] = frozenset()
    # What a packet declares about the run it carries: (`sandbox` or `lane`, value, file line).
    declared: tuple[tuple[str, str, int], ...] = field(default=())
    # Lines of env keys set for a whole workflow or job (not on the step itself): under
    # `billing: api-in-ci` a key there is still a finding, since every step can read it.
    wide_env_lines: tuple[int, ...] = field(default=())
    # Whether `inputs.*` is text an outsider writes (RULES.md CG305: the inputs of a
    # `workflow_dispatch` or `issue_comment` trigger). False in a workflow none of whose triggers
    # is one of those (`workflow_call`: the calling workflow's author chose them); True where the
    # triggers are unknown (a composite action), so the check stays on there.
    outsider_inputs: bool = True

    # Variables the source's own language set before the snippet runs (a Makefile's
    # `CODEX ?= codex`, a Dockerfile's `ARG`, a justfile's `{{sandbox}}`): (shell name, value,
    # file line, how the file writes it). A name given more than once holds one of those values
    # (a bounded set: guard/shell/scope.py, preset).
    values: tuple[tuple[str, str, int, str], ...] = field(default=())
    # The values are the shell's environment (a CI step's `env:`, GitLab's `variables:`), not
    # only its variables: exported, so a child shell (`bash -c '$RUNNER ...'`), git (GIT_EDITOR)
    # or a wrapper sees them too. Their bindings are EnvOrigin.EXTERNAL: a check reads such a
    # variable from `external_env`, as before (Command.env_var leaves them out).
    values_exported: bool = False
    # The shell starts in bash's posix mode: POSIXLY_CORRECT is in the environment it starts
    # with (the hook and `check` read the agent's own): an assignment before a special builtin
    # (`K=V :`) stays, exported (guard/shell/scope.py, State.posix).
    posix: bool = False

    # Words of the first line that were written elsewhere in the file (a module constant, a helper's
    # return, a branch): (start, end) character offsets in `text`, the file line and column they
    # were written at, and a note ("`--full-auto` comes from build_codex_command()"). A finding on
    # such a word gets that place as a related location (guard/commands/lint.py).
    origins: tuple[tuple[int, int, int, int, str], ...] = field(default=())

    # The runs of the file this snippet is a step of, one after another on one machine with one
    # Codex home: (sequence, step). Snippet B runs after snippet A when they share a sequence and
    # B's step is greater (a later step of the same GitHub job, a GitLab job's `after_script`
    # after its `script`, a later spawn of a program, a recipe a justfile recipe depends on).
    # Steps are equal for alternatives of one place (a spawn's argv variants). Empty: the
    # snippet shares its machine with no other snippet of the file (another GitHub job runs on a
    # fresh runner). Read by the checks that follow a session into later snippets (CG401:
    # guard/engine/sessionplan.py).
    session: tuple[tuple[str, int], ...] = field(default=())

    # The shell's own stdin is /dev/null or a terminal nobody types on, never an idle pipe (a
    # Buildkite job runs in a PTY, else with /dev/null): as after `exec </dev/null`, a command
    # with no redirect of its own reads that (guard/shell/scope.py, preset).
    closed_stdin: bool = False

    # The shell's own stdin is a finite stream its runner writes and closes (git feeds a pre-push
    # hook the refs it pushes): what it is, for the messages; a command with no redirect of its
    # own reads it, as after `exec <FILE` (a positional prompt gets it as a <stdin> block).
    stdin_stream: str | None = None

    # The shell starts with xtrace on (a script whose shebang is `#!/bin/bash -x`): it expands
    # $PS4 before each command, as after `set -x` (guard/shell/sinks.py, traced).
    xtrace: bool = False

    # The package script this snippet is (package.json `scripts.NAME`): what `npm run NAME` in
    # another script of the file runs, with that command's env (guard/shell/scriptruns.py; read
    # by CG101 through the file's plan, guard/engine/sessionplan.py).
    script_name: str = ""

    # The folder the snippet's shell starts in where its source sets one apart from the rest of
    # its session (a GitHub step's `working-directory`, or its job's or workflow's
    # `defaults.run.working-directory`); None: the session's own place (the workspace). Read by
    # CG403, which follows a session from a run in one step to `resume --last` in a later one.
    start_dir: str | None = None


def position_step(line_offset: int, column_offset: int) -> int:
    """A step ordered by where a snippet starts in the file (a program's spawns, in file order):
    the argv variants of one spawn start at one place, so they are one step."""
    return (line_offset << 32) | column_offset


@dataclass(frozen=True, slots=True)
class SourceFact:
    """One finding a source settled itself: the rule, where, and the facts its message names."""

    rule: str
    line: int
    column: int = 1
    message: str | None = None  # None: the rule's message template, filled from `params`
    params: tuple[tuple[str, str], ...] = ()
    severity: str | None = None  # None: the rule's severity
    related: tuple[tuple[int, str], ...] = ()  # (file line, note)
