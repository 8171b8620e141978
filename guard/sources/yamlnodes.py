"""Small helpers over PyYAML's composed nodes (which keep line marks), shared by YAML sources."""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from collections.abc import Container, Iterable
    from typing import Any


# PyYAML's (MappingNode, ScalarNode, SequenceNode), kept by the first `node_classes()`. This
# module must not import yaml at its top (the keyword reject imports workflow.py, and with it this
# module, in every lint), and an `import yaml` in a function costs ~1,200 instructions a call on
# CPython 3.11 (the module's spec is asked whether it is still initializing): a workflow's
# reader asks a node's class several hundred times.
_CLASSES: list[tuple[Any, Any, Any]] = []


def node_classes() -> tuple[Any, Any, Any]:
    """PyYAML's (MappingNode, ScalarNode, SequenceNode)."""
    if not _CLASSES:
        import yaml

        _CLASSES.append((yaml.MappingNode, yaml.ScalarNode, yaml.SequenceNode))
    return _CLASSES[0]


def node_get(node: Any, key: str) -> Any:
    """The value node of `key` in a YAML mapping node, or None."""
    if node is None:  # an absent parent (`node_get(node_get(job, "defaults"), "run")`)
        return None
    mapping, scalar, _sequence = _CLASSES[0] if _CLASSES else node_classes()
    if not isinstance(node, mapping):
        return None
    for key_node, value_node in node.value:
        # The text first (asked of every key): a key that is no scalar holds a list, never
        # equal to a str, so the type test is left for the one that matches.
        if key_node.value == key and isinstance(key_node, scalar):
            return value_node
    return None


# Names a shell does not take from its environment: bash 5.2 and dash set IFS to its default
# whatever the env says (checked: `IFS=, bash -c 'x=a,b; printf "[%s]" $x'` prints `[a,b]`).
_NOT_IMPORTED = frozenset({"IFS"})


def env_values(
    env: Iterable[tuple[str, str, int]],
    unknown: Container[int] = (),
    filled_in: tuple[str, ...] = ("$",),
) -> tuple[tuple[str, str, int, str], ...]:
    """Snippet.values for the env a CI system gives a step's shell (a workflow's, job's and
    step's `env:`, GitLab `variables:`), outer levels first: each name's last value, as the text
    the shell gets, so `$RUNNER exec` reads as the command it holds. A value with text the
    system fills in before the shell starts (`filled_in`: GitLab's and Buildkite's own `$OTHER`,
    GitHub's `${{ }}`, a Taskfile's `{{.X}}`) or one that is no text (its key's line in
    `unknown`: a Taskfile `sh:` variable, a `!reference` to a file not here) is left out: its
    name stays unknown, as an inherited variable is."""
    last = {name: (name, value, line, name) for name, value, line in env}
    return tuple(
        value
        for value in last.values()
        if value[2] not in unknown
        and not any(mark in value[1] for mark in filled_in)
        and value[0] not in _NOT_IMPORTED
    )


def block_indent(lines: list[str], first_line: int) -> int:
    """Indentation of a block scalar's first non-blank content line (0-based `first_line`)."""
    for line in lines[first_line:]:
        if line.strip():
            return len(line) - len(line.lstrip(" "))
    return 0


# Where a piece of a folded scalar's text sits: (column in its line of the text, file line,
# file column), all 0-based.
Piece = tuple[int, int, int]


def folded_rows(value: str, lines: list[str], first: int, indent: int) -> list[list[Piece]] | None:
    """Where each line of a folded block scalar's text (`run: >`) comes from in the file: its
    pieces, one per file line it joins (YAML folds a line break between two lines of text into
    a space, so one line of the text may span several file lines); a line with no text (a kept
    break) is on the file line after the piece before it. Each file line's text (from `indent`,
    the block's indentation, on; `first`: the 0-based line the content starts on) is in the
    value as written, in order, with only spaces and line breaks between: None when it is not
    (a layout this does not follow)."""
    rows: list[list[Piece]] = [[]]
    position, row_start = 0, 0
    for number in range(first, len(lines)):
        if not value[position:].strip(" \n"):
            break  # every piece of text is placed
        source = lines[number].rstrip("\r")
        content = source[indent:].rstrip(" \t")
        if not content.strip():
            continue  # a blank line: a line break of the value, or none
        if len(source) - len(source.lstrip(" ")) < indent:
            return None  # less indented: the block ended before its text did
        while not value.startswith(content, position):
            if position >= len(value) or value[position] not in " \n":
                return None
            if value[position] == "\n":
                rows.append([])
                row_start = position + 1
            position += 1
        rows[-1].append((position - row_start, number, indent))
        position += len(content)
    if value[position:].strip(" \n"):
        return None
    rows.extend([] for _ in range(value.count("\n", position)))
    line = first
    for row in rows:
        if not row:  # a line of the text with nothing on it: the next file line
            row.append((0, line, indent))
        line = row[-1][1] + 1
    return rows


def row_places(
    row: list[Piece], line: int
) -> tuple[tuple[int, int, int], list[tuple[int, int, int, int]]]:
    """Snippet line ``line``, one of folded_rows' rows, as its ``line_map`` entry (line, file
    line, shift) and ``joins`` (line, column, file line, file column): Snippet's, 1-based."""
    column, file_line, file_column = row[0]
    place = (line, file_line + 1, file_column - column)
    return place, [(line, c + 1, f + 1, fc + 1) for c, f, fc in row[1:]]


def folded_places(
    rows: list[list[Piece]], first: int
) -> tuple[tuple[tuple[int, int, int], ...], tuple[tuple[int, int, int, int], ...]]:
    """A folded scalar's rows as one snippet's ``line_map`` and ``joins``, its text on snippet
    lines ``first + 1`` on."""
    places: list[tuple[int, int, int]] = []
    joins: list[tuple[int, int, int, int]] = []
    for index, row in enumerate(rows):
        place, joined = row_places(row, first + index + 1)
        places.append(place)
        joins.extend(joined)
    return tuple(places), tuple(joins)


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

        from operator import is_

        class UntaggedLoader(base):  # type: ignore[valid-type,misc]
            def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
                return defaults[kind]

            # The composer calls these around every node to track the path for path resolvers,
            # which `resolve` above never asks: two builtins that take their arguments and do
            # nothing, a C call each instead of a Python frame (a workflow has hundreds of nodes).
            descend_resolver = staticmethod(is_)  # (parent node, index)
            ascend_resolver = staticmethod(bool)  # ()

        loader = _UNTAGGED_LOADERS[base] = UntaggedLoader
    return loader


def compose(text: str, *, tags: bool = True) -> Any:
    """The YAML node tree (with line marks); invalid YAML is a SourceError at its line. Without
    `tags`, plain scalars keep the default tag (`untagged_loader`)."""
    import yaml

    try:
        return yaml.compose(text, Loader=fastest_loader() if tags else untagged_loader())
    except yaml.YAMLError as exc:
        # Here, not before the `try`: a `from` import in a function costs ~8,000 instructions.
        from guard.sources.base import SourceError

        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        raise SourceError(f"not valid YAML: {problem}", line, column) from None
