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


_UNTAGGED_LOADERS: dict[Any, Any] = {}


def untagged_loader() -> Any:
    """`fastest_loader()` giving every node its kind's default tag (`!!str`, `!!seq`, `!!map`)
    instead of matching each plain scalar against the implicit-tag patterns (bool, int, float,
    null, timestamp, merge): about a tenth of composing a workflow. For a source that reads
    scalars as their text and never asks a node's tag (GitLab's `<<` merge keys need them)."""
    base = fastest_loader()
    loader = _UNTAGGED_LOADERS.get(base)
    if loader is None:
        import yaml

        defaults: dict[Any, str] = {
            yaml.ScalarNode: base.DEFAULT_SCALAR_TAG,
            yaml.SequenceNode: base.DEFAULT_SEQUENCE_TAG,
            yaml.MappingNode: base.DEFAULT_MAPPING_TAG,
        }

        class UntaggedLoader(base):  # type: ignore[valid-type,misc]
            def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
                return defaults[kind]

        loader = _UNTAGGED_LOADERS[base] = UntaggedLoader
    return loader


def compose(text: str, *, tags: bool = True) -> Any:
    """The YAML node tree (with line marks); invalid YAML is a SourceError at its line. Without
    `tags`, plain scalars keep the default tag (`untagged_loader`)."""
    import yaml

    from guard.sources.base import SourceError

    try:
        return yaml.compose(text, Loader=fastest_loader() if tags else untagged_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        raise SourceError(f"not valid YAML: {problem}", line, column) from None
