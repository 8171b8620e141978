"""openai/codex-action steps: the `codex exec` the action runs, read from the step's inputs.

The action's inputs and the command it builds are read from its own source (openai/codex-action
at 9cdb6f3, `action.yml` and `src/runCodexExec.ts`): `codex exec --skip-git-repo-check --cd DIR
--output-last-message FILE [--output-schema F] [--model M] <codex-args> --sandbox MODE`, with the
prompt written to codex's stdin and closed. `permission-profile` (FACTS.md, 0.171.0: it replaces
the legacy `sandbox` input; `:read-only`, `:workspace`, `:danger-full-access` give those
sandboxes) is read as the sandbox it gives. The step becomes one CI snippet of that command line,
at the step's `uses:` line, so every shell and codex rule reads it (CG303 for a full-access sandbox
or a bypass flag in `codex-args`, CG305 for a prompt built from outsider text, CG903 for a flag the
CLI rejects). What only the inputs show is a fact: `safety-strategy: unsafe`, an input the action
does not have (a misspelling it ignores), `allow-users: '*'` (CG307), and a `prompt-file` checked
out from the pull request's head under `pull_request_target` (CG305).
"""

from __future__ import annotations

import re

from guard.fastclass import dataclass
from guard.sources.snippet import RunContext, Snippet, SourceFact
from guard.sources.yamlnodes import node_classes, node_get

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from typing import Any

ACTION = re.compile(r"^openai/codex-action(@|/|$)", re.IGNORECASE)
# action.yml (openai/codex-action 9cdb6f3) plus `permission-profile` (FACTS.md, 0.171.0).
INPUTS = frozenset(
    {
        "prompt",
        "prompt-file",
        "output-file",
        "openai-api-key",
        "responses-api-endpoint",
        "working-directory",
        "sandbox",
        "permission-profile",
        "codex-version",
        "codex-args",
        "output-schema",
        "output-schema-file",
        "model",
        "effort",
        "codex-home",
        "safety-strategy",
        "codex-user",
        "allow-users",
        "allow-bots",
        "allow-bot-users",
    }
)
PROFILE_SANDBOX = {
    ":read-only": "read-only",
    ":workspace": "workspace-write",
    ":danger-full-access": "danger-full-access",
}
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# A checkout of the pull request's own head: code (and prompt files) an outsider wrote.
PR_HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs/pull/", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Input:
    value: str
    line: int  # 1-based line of the input's key
    key_column: int = 0  # 0-based column of the key
    value_column: int = 0  # 0-based column of the value (on `line` for a plain scalar)


def is_codex_action(step: Any) -> bool:
    uses = node_get(step, "uses")
    if uses is None:  # a `run:` step
        return False
    return isinstance(uses, node_classes()[1]) and bool(ACTION.match(str(uses.value).strip()))


def _inputs(step: Any) -> dict[str, Input]:
    import yaml

    with_node = node_get(step, "with")
    found: dict[str, Input] = {}
    if not isinstance(with_node, yaml.MappingNode):
        return found
    for key, value in with_node.value:
        if isinstance(key, yaml.ScalarNode):
            text = str(value.value) if isinstance(value, yaml.ScalarNode) else ""
            found[str(key.value)] = Input(
                text,
                int(key.start_mark.line) + 1,
                int(key.start_mark.column),
                int(value.start_mark.column),
            )
    return found


def _mask(text: str, line: int, found: list[tuple[int, str]]) -> str:
    """`${{ expr }}` -> `${_expr_}` (a shell variable, so the line parses); each kept at `line`,
    the step's line, where the rules that read expressions look for them."""

    def mask(match: re.Match[str]) -> str:
        found.append((line, match.group(0)))
        return "${_" + re.sub(r"\W", "_", match.group(1)) + "_}"

    return EXPRESSION.sub(mask, text)


def _codex_args(raw: str) -> str:
    """`codex-args` as shell words: a JSON array when it starts with `[` (action.yml), else the
    shell-like string as written."""
    import json  # here: most workflows that reach this module never use the action
    import shlex

    stripped = raw.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError:
            return stripped
        if isinstance(items, list):
            return shlex.join(str(item) for item in items)
    return stripped


def _sandbox_words(inputs: dict[str, Input]) -> str:
    import shlex

    profile = inputs.get("permission-profile")
    if profile is not None and profile.value.strip():
        given = profile.value.strip()
        mapped = PROFILE_SANDBOX.get(given)
        if mapped:
            return f"--sandbox={mapped}"  # one word: a finding on it points at the input
        if given.startswith(":") and "${{" not in given:
            # A built-in name codex does not have (`:workspace-write`): the grammar's
            # default_permissions reader says so (CG903), as codex refuses it.
            return shlex.quote(f"--config=default_permissions={given}")
        # A profile of the user's own: a sandbox is said, but not one known statically.
        return '--sandbox "$CODEX_PERMISSION_PROFILE"'
    sandbox = inputs.get("sandbox")
    value = sandbox.value.strip() if sandbox is not None and sandbox.value.strip() else None
    return f"--sandbox={shlex.quote(value or 'workspace-write')}"  # action.yml's default


def command_line(inputs: dict[str, Input], line: int, found: list[tuple[int, str]]) -> str:
    """The `codex exec` line the action runs for these inputs (runCodexExec.ts)."""
    import shlex

    def value(name: str) -> str | None:
        given = inputs.get(name)
        return given.value.strip() if given is not None and given.value.strip() else None

    # Each input's words with the input they come from, so a finding on them points at its line.
    words: list[tuple[Input | None, str, int]] = []
    cd = value("working-directory")
    if cd:
        words.append((inputs.get("working-directory"), f"--cd {shlex.quote(cd)}", 5))
    else:
        words.append((None, '--cd "$GITHUB_WORKSPACE"', 0))
    output = value("output-file")
    if output:
        words.append((inputs.get("output-file"), f"-o {shlex.quote(output)}", 3))
    else:
        words.append((None, '--output-last-message "$RUNNER_TEMP/codex-output.md"', 0))
    schema = value("output-schema-file")
    if schema:
        given = inputs.get("output-schema-file")
        words.append((given, f"--output-schema {shlex.quote(schema)}", 16))
    elif value("output-schema"):
        given = inputs.get("output-schema")
        words.append((given, '--output-schema "$RUNNER_TEMP/schema.json"', 0))
    if value("model"):
        words.append((inputs.get("model"), f"--model {shlex.quote(value('model') or '')}", 8))
    if value("codex-args"):
        words.append((inputs.get("codex-args"), _codex_args(value("codex-args") or ""), 0))
    profile = inputs.get("permission-profile")
    given_profile = profile is not None and profile.value.strip()
    sandbox = profile if given_profile else inputs.get("sandbox")
    words.append((sandbox, _sandbox_words(inputs), 0))
    if value("prompt-file"):
        given = inputs.get("prompt-file")
        words.append((given, f"< {shlex.quote(value('prompt-file') or '')}", 2))
    placed = _Placed(line, "codex exec --skip-git-repo-check")
    # In the order of their lines (codex takes its options in any order): _Placed only moves down.
    for where, text, value_at in sorted(words, key=lambda w: 0 if w[0] is None else w[0].line):
        placed.add(text, where, value_at)
    if not value("prompt-file"):  # the prompt goes to stdin, which the action then closes
        prompt = " ".join((value("prompt") or "").split())
        placed.add(f"<<< {shlex.quote(prompt)}")
    return _mask(placed.text(), line, found)


class _Placed:
    """The command line with each input's words on the input's own line and column, so a
    finding on them points there: a line continuation (` \\`) per line skipped, and the words
    padded from the `with:` keys' indent (the snippet's `block_indent`) to the value's column.
    An input above the last placed line stays on that line."""

    def __init__(self, line: int, first: str) -> None:
        self.line = line
        self.parts = [first]

    def add(self, words: str, where: Input | None = None, value_at: int = 0) -> None:
        """``value_at``: where in ``words`` the input's value begins (after `--cd `): it lands
        on the value's column when the key leaves room for what comes before it."""
        if where is None or where.line <= self.line or "\n" in words:
            self.parts.append(" " + words)
            return
        skipped = where.line - self.line
        pad = " " * max(where.value_column - where.key_column - value_at, 0)
        self.parts.append(" \\\n" * skipped + pad + words)
        self.line = where.line

    def text(self) -> str:
        return "".join(self.parts)


def block_indent_of(inputs: dict[str, Input]) -> int:
    """The column later lines of the snippet start at: the `with:` keys' indent."""
    return min((given.key_column for given in inputs.values()), default=0)


def _input_facts(inputs: dict[str, Input]) -> list[SourceFact]:
    facts: list[SourceFact] = []
    for name, given in inputs.items():
        if name in INPUTS:
            continue
        import difflib  # here: only an unknown input needs a suggestion

        close = difflib.get_close_matches(name.replace("_", "-").lower(), sorted(INPUTS), n=1)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        facts.append(
            SourceFact(
                "CG307",
                given.line,
                message=f"openai/codex-action has no input `{name}`: the action ignores it{hint}",
                severity="warning",
                params=(("input", name),),
            )
        )
    strategy = inputs.get("safety-strategy")
    if strategy is not None and strategy.value.strip() == "unsafe":
        facts.append(
            SourceFact(
                "CG307",
                strategy.line,
                message="`safety-strategy: unsafe` runs codex as the runner's default user, "
                "which has sudo: it can read `openai-api-key` and other secrets from memory",
            )
        )
    users = inputs.get("allow-users")
    if users is not None and users.value.strip() == "*":
        facts.append(
            SourceFact(
                "CG307",
                users.line,
                message="`allow-users: '*'` lets anyone who can trigger the workflow run codex "
                "with this job's secrets, not only people with write access",
            )
        )
    return facts


def _head_checkout_line(job_steps: Any) -> int | None:
    """The line of an `actions/checkout` of the pull request's head in the job, if any."""
    import yaml

    if not isinstance(job_steps, yaml.SequenceNode):
        return None
    for step in job_steps.value:
        uses = node_get(step, "uses")
        if not (isinstance(uses, yaml.ScalarNode) and "actions/checkout" in str(uses.value)):
            continue
        ref = node_get(node_get(step, "with"), "ref")
        if isinstance(ref, yaml.ScalarNode) and PR_HEAD_REF.search(str(ref.value)):
            return int(ref.start_mark.line) + 1
    return None


def _prompt_file_fact(
    inputs: dict[str, Input], events: frozenset[str], job_steps: Any
) -> list[SourceFact]:
    prompt_file = inputs.get("prompt-file")
    if prompt_file is None or "pull_request_target" not in events:
        return []
    checkout = _head_checkout_line(job_steps)
    if checkout is None:
        return []
    return [
        SourceFact(
            "CG305",
            prompt_file.line,
            message=f"the prompt file {prompt_file.value} is read from the pull request's head "
            "checkout under pull_request_target: whoever opens the PR writes codex's "
            "instructions, and the run has the base repository's secrets",
            severity="error",
            related=((checkout, "the pull request's head is checked out here"),),
        )
    ]


def action_snippet(
    step: Any,
    path: str,
    env: list[tuple[str, str, int]],
    wide_env_lines: tuple[int, ...],
    events: frozenset[str],
    job_steps: Any,
) -> Snippet:
    """One codex-action step as the CI snippet of the command it runs."""
    uses = node_get(step, "uses")
    line = int(uses.start_mark.line) + 1
    inputs = _inputs(step)
    expressions: list[tuple[int, str]] = []
    text = command_line(inputs, line, expressions)
    key = inputs.get("openai-api-key")
    external = list(env)
    if key is not None and key.value.strip():
        # The action hands the key to its API proxy for codex: per-token API billing.
        external.append(("OPENAI_API_KEY", key.value, key.line))
    facts = [*_input_facts(inputs), *_prompt_file_fact(inputs, events, job_steps)]
    return Snippet(
        text=text,
        path=path,
        line_offset=line - 1,
        column_offset=int(uses.start_mark.column),
        block_indent=block_indent_of(inputs),
        context=RunContext.CI,
        external_env=tuple(external),
        expressions=tuple(expressions),
        facts=tuple(facts),
        wide_env_lines=wide_env_lines,
        declared=(
            ("action", str(uses.value), line),
            *((("openai-api-key", "", key.line),) if key is not None else ()),
        ),
    )
