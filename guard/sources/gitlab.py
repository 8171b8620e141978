"""GitLab CI (`.gitlab-ci.yml`): each job's `before_script`, `script` and `after_script` items.

Every item is one command line the runner feeds to a shell with no TTY: RunContext.CI, one snippet
per item with its exact line. `variables:` at the top level and in the job are the environment.
"""

from __future__ import annotations

from typing import Any

from guard.sources.snippet import RunContext, Snippet
from guard.sources.yamlnodes import block_indent, compose, node_get

_NOT_JOBS = frozenset(
    {"variables", "stages", "default", "include", "workflow", "image", "services", "cache"}
)
_SCRIPT_KEYS = ("before_script", "script", "after_script")


def _variables(node: Any) -> list[tuple[str, str, int]]:
    import yaml

    found = node_get(node, "variables")
    if not isinstance(found, yaml.MappingNode):
        return []
    pairs: list[tuple[str, str, int]] = []
    for key, value in found.value:
        if isinstance(value, yaml.MappingNode):  # `NAME: {value: ..., description: ...}`
            value = node_get(value, "value")
        text = value.value if isinstance(value, yaml.ScalarNode) else ""
        pairs.append((str(key.value), str(text), key.start_mark.line + 1))
    return pairs


def _item(node: Any, path: str, lines: list[str], env: list[tuple[str, str, int]]) -> Snippet:
    mark = node.start_mark
    if node.style in ("|", ">"):
        first = mark.line + 1
        indent = block_indent(lines, first)
        return Snippet(
            node.value, path, first, indent, "bash", RunContext.CI, tuple(env), block_indent=indent
        )
    quote = 1 if node.style in ("'", '"') else 0
    return Snippet(
        node.value, path, mark.line, mark.column + quote, "bash", RunContext.CI, tuple(env)
    )


def _scripts(job: Any) -> list[Any]:
    import yaml

    items: list[Any] = []
    for key in _SCRIPT_KEYS:
        value = node_get(job, key)
        if isinstance(value, yaml.ScalarNode):
            items.append(value)
        elif isinstance(value, yaml.SequenceNode):
            items.extend(v for v in value.value if isinstance(v, yaml.ScalarNode))
    return items


def extract(text: str, path: str) -> list[Snippet]:
    import yaml

    root = compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    lines = text.split("\n")
    global_env = _variables(root)
    snippets: list[Snippet] = []
    for key, job in root.value:
        if str(key.value) in _NOT_JOBS or not isinstance(job, yaml.MappingNode):
            continue
        env = global_env + _variables(job)
        snippets.extend(_item(item, path, lines, env) for item in _scripts(job))
    return snippets
