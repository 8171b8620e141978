"""`_=VALUE` is an assignment, as bash has it, not a command that cannot be resolved.

tree-sitter-bash 0.25.1 reads an assignment to `_` as the command's name (`_=$(codex exec ...)`,
a common way to run a command and throw its output away), so the command model made it a
command word it could not resolve: an unexpected CG902 on every such line, and in
`_=$(date) codex exec --yolo ...` the codex run behind it was not read at all. The value is expanded
(its `$(...)` runs and is checked, as in `out=$(...)`), and a word after it is the command.
"""

from __future__ import annotations

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.shell import parse_script
from guard.sources.snippet import Snippet


def rules(text: str) -> list[tuple[str, int, int]]:
    found = lint_snippet(Snippet(text=text, path="run.sh"), Settings())
    return sorted((f.rule, f.location.line, f.location.column) for f in found)


@pytest.mark.parametrize(
    "line",
    [
        '_=$(codex exec -C . -s read-only "judge" </dev/null)',
        '_="$(codex exec -C . -s read-only "judge" </dev/null)"',
        '_+=$(codex exec -C . -s read-only "judge" </dev/null)',
    ],
)
def test_a_discarded_capture_is_the_capture_not_a_dynamic_command(line: str) -> None:
    assert rules(line + "\n") == [("CG601", 1, line.index("codex") + 1)]


def test_the_same_as_any_other_name() -> None:
    """`out=$(...)` and `: "$(...)"` were right already: `_=` now reads as they do."""
    for line in (
        'out=$(codex exec -C . -s read-only "judge" </dev/null)',
        ': "$(codex exec -C . -s read-only "judge" </dev/null)"',
    ):
        assert rules(line + "\n") == [("CG601", 1, line.index("codex") + 1)]


def test_a_command_after_it_is_read() -> None:
    for line in (
        '_=$(date) codex exec --yolo -C . -o o.txt "x" </dev/null\n',
        '_=1 codex exec --yolo -C . -o o.txt "x" </dev/null\n',
    ):
        assert rules(line) == [("CG303", 1, line.index("--yolo") + 1)]
        codex = [c for c in parse_script(line).commands if c.program == "codex"]
        assert [w.text for w in codex[0].argv][:3] == ["codex", "exec", "--yolo"]


def test_an_unknown_value_is_no_command() -> None:
    assert parse_script('_=$CMD\n_="$(date)"\n').dynamic_commands == ()
    assert rules('_=$CMD\ncodex exec -C . -s read-only -o o.txt "x" </dev/null\n') == []
