"""GitHub fills `${{ }}` in before the shell runs: a step that uses one still parses, its columns
stay put, and an outsider's text in a prompt is still seen (CG305)."""

from __future__ import annotations

from pathlib import Path

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())

WORKFLOW = """on: issues
jobs:
  fix:
    runs-on: ubuntu-latest
    steps:
      - run: |
          git fetch origin ${{ github.base_ref }}
          codex exec -C . -s workspace-write "Fix: ${{ github.event.issue.body }}" </dev/null
"""


def test_expressions_parse_and_untrusted_text_is_seen(tmp_path: Path) -> None:
    path = tmp_path / ".github" / "workflows" / "fix.yml"
    path.parent.mkdir(parents=True)
    path.write_text(WORKFLOW)
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    rules = {(f.rule, f.location.line, f.location.column) for f in outcome.findings}
    assert not any(rule == "CG901" for rule, _, _ in rules)
    assert ("CG305", 8, 11) in rules
    cg305 = next(f for f in outcome.findings if f.rule == "CG305")
    assert "github.event.issue.body" in cg305.message
