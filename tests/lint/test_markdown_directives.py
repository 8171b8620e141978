"""In Markdown, directives count only inside code fences: prose or a `text` block that shows a
directive is documentation, not a suppression (and so never a stale CG904)."""

from __future__ import annotations

from pathlib import Path

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())


def _rules(path: Path) -> list[tuple[str, int]]:
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    return sorted((f.rule, f.location.line) for f in outcome.findings)


def test_a_directive_shown_in_a_text_block_is_not_a_directive(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text("# Suppressions\n\n```text\n# codex-guard: disable=CG201\n```\n")
    assert _rules(doc) == []


def test_a_directive_in_an_agent_fence_suppresses_and_needs_a_reason(tmp_path: Path) -> None:
    doc = tmp_path / "AGENTS.md"
    doc.write_text(
        "Run:\n\n```bash\n# codex-guard: disable=CG201\n"
        'codex exec -C . -s read-only -o v.txt "p"\n```\n'
    )
    assert _rules(doc) == [("CG904", 4)]
