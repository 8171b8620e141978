"""Small helpers over PyYAML's composed nodes (which keep line marks), shared by YAML sources."""

from __future__ import annotations

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
