"""Small helpers over PyYAML's composed nodes (which keep line marks), shared by YAML sources."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from typing import Any


def node_get(node: Any, key: str) -> Any:
    """The value node of `key` in a YAML mapping node, or None."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def block_indent(lines: list[str], first_line: int) -> int:
    """Indentation of a block scalar's first non-blank content line (0-based `first_line`)."""
    for line in lines[first_line:]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return 0


def fastest_loader() -> Any:
    """libyaml's `CSafeLoader` (it composes workflows several times faster than PyYAML's pure
    Python, with the same line and column marks), else `SafeLoader` where PyYAML was built
    without libyaml."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str) -> Any:
    """The YAML node tree (with line marks); invalid YAML is a SourceError at its line."""
    import yaml

    from guard.sources.base import SourceError

    try:
        return yaml.compose(text, Loader=fastest_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        raise SourceError(f"not valid YAML: {problem}", line, column) from None
