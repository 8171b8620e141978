"""The shell layer: source text in, command model (``Script``) out.

``parse_script`` is the only entry point; ``guard/shell/parser.py`` (the tree-sitter adapter) and
the walker's stages it runs (walk, flow, functions, assign, expand, redirs, unwrap) are the only
modules that see tree-sitter nodes.
"""

from __future__ import annotations

from guard.shell.model import Command, Script, Span, StdinKind, Word

__all__ = ["Command", "Script", "Span", "StdinKind", "Word", "parse_script"]


def parse_script(
    text: str,
    *,
    dialect: str = "bash",
    line_offset: int = 0,
    column_offset: int = 0,
    values: tuple[tuple[str, str, int, str], ...] = (),
) -> Script:
    """Parse shell text into the command model.

    Spans are 1-based and already shifted: a snippet that starts on line 12 of its file, column 5,
    passes ``line_offset=11, column_offset=4`` (the column offset applies to its first line only).
    Never raises on bad input: unparsable regions become ``Script.parse_errors``. ``values``:
    (name, value, file line) of variables the source knows before the text runs (a Makefile's
    `CODEX ?= codex`); a name given more than once may hold each value.
    """
    from guard.shell.copies import resolve_codex_copies
    from guard.shell.walk import parse

    script = parse(
        text, dialect=dialect, line_offset=line_offset, column_offset=column_offset, values=values
    )
    return resolve_codex_copies(script)
