"""The token scan (CG901's safety net, and the whole scan of a file too large to parse): codex
counts only as a command word, so text that merely mentions codex is never a finding."""

from __future__ import annotations

import pytest

from guard.engine.api import lint_snippet
from guard.engine.tokens import line_commands
from guard.settings import Settings
from guard.sources.snippet import Snippet


@pytest.mark.parametrize(
    ("line", "argv", "env"),
    [
        ("OPENAI_API_KEY=x codex exec 'p'", ["codex", "exec", "p"], ["OPENAI_API_KEY"]),
        ("sudo -E codex exec --yolo", ["codex", "exec", "--yolo"], []),
        ("timeout 60 codex exec", ["codex", "exec"], []),
        ("npx @openai/codex exec --yolo", ["codex", "exec", "--yolo"], []),
        ("- run: codex exec --yolo", ["codex", "exec", "--yolo"], []),
        ("RUN OPENAI_API_KEY=1 codex e", ["codex", "e"], ["OPENAI_API_KEY"]),
        ("\t@codex exec --yolo", ["codex", "exec", "--yolo"], []),
        ("env -u A B=1 /usr/bin/codex exec", ["codex", "exec"], ["B"]),
        ("x=$(codex exec --yolo 'p')", ["codex", "exec", "--yolo", "p"], []),
        ("if codex login --with-api-key; then", ["codex", "login", "--with-api-key"], []),
    ],
)
def test_codex_as_the_command_word(line: str, argv: list[str], env: list[str]) -> None:
    (command,) = line_commands(line, 7)
    assert [w.text for w in command.argv] == argv
    assert [b.name for b in command.env] == env
    assert command.span.line == 7


@pytest.mark.parametrize(
    "line",
    [
        "echo use codex --yolo here",
        "grep codex --dangerously-bypass-approvals-and-sandbox log",
        "command -v codex",
        "# codex exec --yolo",
        "printf '%s' codex login --with-api-key",
    ],
)
def test_a_mention_is_not_a_command(line: str) -> None:
    assert line_commands(line, 1) == []


def test_broken_script_mention_is_no_finding_but_the_run_is() -> None:
    text = "echo use codex --yolo only in a sandbox\ncodex exec -C . --yolo 'p' </dev/null\nif (\n"
    found = lint_snippet(Snippet(text=text, path="x.sh"), Settings())
    assert any(f.rule == "CG901" for f in found)
    assert [f.location.line for f in found if f.rule == "CG303"] == [2]
