"""GitHub Actions: each step's `run:` is a snippet that runs in CI (stdin is never a TTY).

Line numbers come from the YAML node marks: a block scalar (`run: |`) starts on the line after the
indicator, and its text is the dedented block, so `block_indent` says how far right it sits. A
folded one (`run: >`) is the text YAML folds (what really runs: lines joined by spaces), its
`line_map` and `joins` put each word back on the file line it is written on.

Env maps at workflow, job and step level become the snippet's `external_env` (with the key's
line), in that order, so a later level overrides an earlier one; a job container's `env:` comes
first (the container is created with it, and each step is a `docker exec` into it, which inherits
the container's env and gets the workflow, job and step env on top). Their values, as GitHub
hands them to the step's shell (literal text: GitHub expands no `$OTHER` in them), are also what
`$NAME` holds there (Snippet.values: `env: {RUNNER: codex exec}` then `run: $RUNNER "fix"` is a
codex run); a value with a `${{ }}` in it is unknown. Composite actions (`action.yml`,
`runs.steps`) are read the same way. An `openai/codex-action` step is the command it runs
(sources/codexaction.py); workflow- and job-level env lines are marked wide (`billing: api-in-ci`).
"""

from __future__ import annotations

import re

from guard.fastclass import replace
from guard.reject import _keyword_in_file_views
from guard.sources.snippet import RunContext, Snippet
from guard.sources.yamlnodes import (
    block_indent,
    compose,
    env_values,
    folded_places,
    folded_rows,
    node_classes,
    node_get,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_NOT_SHELL = ("pwsh", "powershell", "cmd", "python", "node")


def _env(node: Any) -> list[tuple[str, str, int]]:
    env = node_get(node, "env")
    if env is None:  # most steps and jobs
        return []
    mapping, scalar, _sequence = node_classes()
    if not isinstance(env, mapping):
        return []
    pairs: list[tuple[str, str, int]] = []
    for key_node, value_node in env.value:
        if isinstance(key_node, scalar):
            value = value_node.value if isinstance(value_node, scalar) else ""
            pairs.append((str(key_node.value), str(value), key_node.start_mark.line + 1))
    return pairs


# Characters by which a value may stand for other text when the shell reads it again (`$PS4`
# under `set -x`, `eval "$X"`): a glob, an expansion, a substitution, a brace, a tilde, an escape.
_WILD = frozenset("$`*?[]{}~\\")


def _shell_values(env: list[tuple[str, str, int]]) -> tuple[tuple[str, str, int, str], ...]:
    """What `$NAME` holds in the step's shell: the env's values as GitHub hands them over, the
    literal text (GitHub expands no `$OTHER` in them); one with a `${{ }}` is unknown. So is a
    value with a `_WILD` character and no keyword (a PS4 whose substitution globs `cod*`): the
    file reject of a workflow (guard/reject.py, `may_concern_file`) reads the `run:` values and
    the file's keywords, not the env, so a value the shell is told must spell codex only with a
    keyword in a view of the file's text: a keyword in a view of the value (its quoting and
    escapes dropped: `` `c\\odex exec` ``, `` `co''dex exec` ``, which bash runs as codex) is in
    the same view of the file, whose text holds the value's characters."""
    return tuple(
        value
        for value in env_values(env, filled_in=("${{",))
        if _WILD.isdisjoint(value[1]) or _keyword_in_file_views(value[1])
    )


def _scalar(node: Any) -> str | None:
    if node is None:
        return None
    return str(node.value) if isinstance(node, node_classes()[1]) else None


def _default_shell(node: Any) -> str | None:
    return _scalar(node_get(node_get(node_get(node, "defaults"), "run"), "shell"))


def _default_directory(node: Any) -> str | None:
    return _scalar(node_get(node_get(node_get(node, "defaults"), "run"), "working-directory"))


def _dialect(shell: str | None) -> str | None:
    """bash unless told otherwise; None for a step that is not shell at all (pwsh, python)."""
    if not shell:
        return "bash"
    name = shell.split()[0].rsplit("/", 1)[-1]
    if name in _NOT_SHELL:
        return None
    return "sh" if name in ("sh", "dash") else "bash"


# `${{ expr }}`: GitHub fills it in before the shell runs; tree-sitter-bash cannot parse it.
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def mask_expressions(text: str, first_line: int) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Replace each `${{ expr }}` by a same-length `${_expr_}` variable, so the step parses as
    shell and every column stays put; keep (file line, expression) for the rules that read it."""
    if "${{" not in text:  # most steps: no expression, nothing to mask
        return text, ()
    found: list[tuple[int, str]] = []

    def mask(match: re.Match[str]) -> str:
        found.append((first_line + text.count("\n", 0, match.start()), match.group(0)))
        return expression_mask(match.group(0))

    return EXPRESSION.sub(mask, text), tuple(found)


def expression_mask(expression: str) -> str:
    """The variable `${{ expr }}` is masked as: where the shell layer follows it (into a
    variable, then a prompt), a rule can still tell which expression it was."""
    return "${_" + re.sub(r"\W", "_", expression[3:-2]) + "_}"


def _snippet(
    run: Any,
    path: str,
    lines: list[str],
    env: list[tuple[str, str, int]],
    dialect: str,
    session: tuple[tuple[str, int], ...],
    wide: tuple[int, ...],
    outsider: bool,
    values: tuple[tuple[str, str, int, str], ...],
    start_dir: str | None = None,
) -> Snippet:
    mark = run.start_mark
    # What every form shares; a form adds where its text sits in the file.
    shared: dict[str, Any] = {
        "path": path,
        "dialect": dialect,
        "context": RunContext.CI,
        "external_env": tuple(env),
        "values": values,
        "values_exported": True,  # the step's environment: a child shell sees it too
        "session": session,
        "wide_env_lines": wide,
        "outsider_inputs": outsider,
        "expressions_in_shell": True,
        "start_dir": start_dir,
    }
    if run.style in ("|", ">"):
        first = mark.line + 1  # 0-based: content starts on the line after `run: |`
        indent = block_indent(lines, first)
        text, expressions = mask_expressions(run.value, first + 1)
        rows = folded_rows(run.value, lines, first, indent) if run.style == ">" else None
        if rows is not None:  # `run: >`: the shell gets the folded text, findings the file's places
            line_map, joins = folded_places(rows, first)
            return Snippet(
                text=text,
                expressions=expressions,
                line_offset=first,
                line_map=line_map,
                joins=joins,
                **shared,
            )
        return Snippet(
            text=text,
            expressions=expressions,
            line_offset=first,
            column_offset=indent,
            block_indent=indent,
            **shared,
        )
    quote = 1 if run.style in ("'", '"') else 0
    text, expressions = mask_expressions(run.value, mark.line + 1)
    return Snippet(
        text=text,
        expressions=expressions,
        line_offset=mark.line,
        column_offset=mark.column + quote,
        **shared,
    )


# sources/codexaction.py's `action_snippet` and `is_codex_action`, imported at the first job
# read and kept. Not at the top: the keyword reject imports this module for `mask_expressions` on
# every workflow, and most never get this far. Not at each job: a `from` import in a function
# costs ~8,000 instructions on CPython 3.11 (AttributeErrors raised and cleared inside it).
_ACTION_READERS: list[tuple[Callable[..., Snippet], Callable[[Any], bool]]] = []


def _action_readers() -> tuple[Callable[..., Snippet], Callable[[Any], bool]]:
    from guard.sources.codexaction import action_snippet, is_codex_action

    _ACTION_READERS.append((action_snippet, is_codex_action))
    return _ACTION_READERS[0]


def _steps(
    steps: Any,
    path: str,
    lines: list[str],
    env: list[tuple[str, str, int]],
    shell: str | None,
    events: frozenset[str] = frozenset(),
    sequence: str = "steps",
    directory: str | None = None,
) -> list[Snippet]:
    """The shell steps of one job (or composite action), each a step of `sequence`: one runner
    runs them in order (Snippet.session). A codex-action step is none: the action picks its own
    Codex home."""
    _mapping, scalar, sequence_node = node_classes()
    if not isinstance(steps, sequence_node):
        return []
    action_snippet, is_codex_action = _ACTION_READERS[0] if _ACTION_READERS else _action_readers()
    found: list[Snippet] = []
    wide = tuple(line for _name, _value, line in env)  # workflow- and job-level keys
    outsider = _outsider_inputs(events)
    shared_values = _shell_values(env)
    for number, step in enumerate(steps.value):
        if is_codex_action(step):
            action = action_snippet(step, path, env + _env(step), wide, events, steps)
            found.append(action if outsider else replace(action, outsider_inputs=False))
            continue
        run = node_get(step, "run")
        if not isinstance(run, scalar):
            continue
        dialect = _dialect(_scalar(node_get(step, "shell")) or shell)
        if dialect is None:
            continue
        session = ((sequence, number),)
        own = _env(step)
        values = _shell_values(env + own) if own else shared_values  # most steps have no env
        start = _scalar(node_get(step, "working-directory")) or directory
        snippet = _snippet(
            run, path, lines, env + own, dialect, session, wide, outsider, values, start
        )
        found.append(snippet)
    return found


# The triggers whose `inputs.*` an outsider writes (RULES.md, CG305).
OUTSIDER_INPUT_TRIGGERS = frozenset({"workflow_dispatch", "issue_comment"})


def _outsider_inputs(events: frozenset[str]) -> bool:
    """Is `inputs.*` outsider text under these triggers? Unknown triggers (none read: a
    composite action) leave it so."""
    return not events or not events.isdisjoint(OUTSIDER_INPUT_TRIGGERS)


def _events(root: Any) -> frozenset[str]:
    """The workflow's trigger names (`on: push`, `on: [a, b]`, `on: {a: ...}`)."""
    mapping, scalar, sequence = node_classes()
    on = node_get(root, "on")  # the composed key keeps its text `on` (not YAML 1.1's true)
    if isinstance(on, scalar):
        return frozenset({str(on.value)})
    if isinstance(on, sequence):
        return frozenset(str(n.value) for n in on.value if isinstance(n, scalar))
    if isinstance(on, mapping):
        return frozenset(str(k.value) for k, _v in on.value if isinstance(k, scalar))
    return frozenset()


def extract(text: str, path: str) -> list[Snippet]:
    root = compose(text, tags=False)  # every value is read as its text: no tag is asked
    if root is None:
        return []
    lines = text.split("\n")
    workflow_env = _env(root)
    workflow_shell = _default_shell(root)
    snippets: list[Snippet] = []
    jobs = node_get(root, "jobs")
    if isinstance(jobs, node_classes()[0]):
        events = _events(root)  # the workflow's: the same for each of its jobs
        # Each job runs on a runner of its own: its steps are a sequence, never another job's.
        for number, (_name, job) in enumerate(jobs.value):
            shell = _default_shell(job) or workflow_shell
            snippets.extend(
                _steps(
                    node_get(job, "steps"),
                    path,
                    lines,
                    _env(node_get(job, "container")) + workflow_env + _env(job),
                    shell,
                    events,
                    f"job {number}",
                    _default_directory(job) or _default_directory(root),
                )
            )
    runs = node_get(root, "runs")  # a composite action
    if runs is not None:
        snippets.extend(_steps(node_get(runs, "steps"), path, lines, workflow_env, None))
    return snippets
