"""openai/codex-action steps: their sandbox inputs, read as the codex command the action runs.

FACTS.md "codex-cli 0.171.0": the action's `permission-profile` input (`:read-only`,
`:workspace`, ...) replaces its legacy `sandbox` input. The action passes them to `codex exec`, so
a step is read as the equivalent command line, placed on the input's own line: `with:
permission-profile: ":danger-full-access"` becomes `codex exec -c default_permissions=...`, which
the grammar reads as a sandbox source (CG303 for full access, CG903 for an unknown built-in such as
`:workspace-write`), and the legacy `sandbox:` becomes `-s VALUE`. The stand-in command says its
root (`-C`) and closes stdin because the action does both: only the sandbox input is judged here.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from guard.sources.snippet import RunContext, Snippet
from guard.sources.yamlnodes import node_get

ACTION = re.compile(r"^openai/codex-action(@|$)")
# input name -> the codex option the action turns it into
_INPUTS = {"permission-profile": "--config=default_permissions={}", "sandbox": "--sandbox={}"}
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)


def is_codex_action(step: Any) -> bool:
    import yaml

    uses = node_get(step, "uses")
    return isinstance(uses, yaml.ScalarNode) and bool(ACTION.match(str(uses.value).strip()))


def codex_action_snippets(step: Any, path: str, env: list[tuple[str, str, int]]) -> list[Snippet]:
    """One stand-in `codex exec` per sandbox input of a codex-action step."""
    import yaml

    if not is_codex_action(step):
        return []
    found = []
    inputs = node_get(step, "with")
    for name, option in _INPUTS.items():
        value = node_get(inputs, name)
        if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
            continue
        # A `${{ }}` expression is filled in by GitHub: a value not known here (left dynamic).
        word = (
            '"$CODEX_ACTION_INPUT"'
            if EXPRESSION.search(value.value)
            else shlex.quote(str(value.value).strip())
        )
        # Two lines, so the option word sits on the input's own line and column (a later line
        # of a snippet is placed by block_indent).
        text = f'codex exec -C "$GITHUB_WORKSPACE" \\\n{option.format(word)} "$PROMPT" </dev/null'
        found.append(
            Snippet(
                text=text,
                path=path,
                line_offset=value.start_mark.line - 1,
                block_indent=value.start_mark.column,
                context=RunContext.CI,
                external_env=tuple(env),
            )
        )
    return found
