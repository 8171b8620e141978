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


def test_a_workflow_key_unset_in_the_step_does_not_reach_codex(tmp_path: Path) -> None:
    path = tmp_path / ".github" / "workflows" / "w.yml"
    path.parent.mkdir(parents=True)
    step = 'codex exec -C . -s read-only "Review" </dev/null'
    path.write_text(
        "on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n"
        "    env:\n      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"
        f"    steps:\n      - run: {step}\n"
        f"      - run: |\n          unset OPENAI_API_KEY\n          {step}\n"
        f"      - run: env -u OPENAI_API_KEY {step}\n"
    )
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert [(f.rule, f.location.line) for f in outcome.findings if f.rule == "CG101"] == [
        ("CG101", 8)
    ]


def _cg305(tmp_path: Path, triggers: str) -> list[int]:
    """CG305 lines, from the first step's, of a workflow whose codex prompt is `inputs.task`,
    pasted and through env."""
    path = tmp_path / ".github" / "workflows" / "task.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"on:\n{triggers}"
        "jobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: codex exec -C . -s workspace-write "${{ inputs.task }}" </dev/null\n'
        "      - env:\n          TASK: ${{ inputs.task }}\n"
        '        run: codex exec -C . -s workspace-write "$TASK" </dev/null\n'
    )
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    steps = 6 + triggers.count("\n")  # the first step's line
    return sorted(f.location.line - steps for f in outcome.findings if f.rule == "CG305")


CALL = "  workflow_call:\n    inputs:\n      task: {type: string, required: true}\n"
DISPATCH = "  workflow_dispatch:\n    inputs:\n      task: {required: true}\n"


def test_inputs_of_a_reusable_workflow_are_its_callers_not_an_outsiders(tmp_path: Path) -> None:
    # RULES.md CG305: `inputs.*` of a `workflow_dispatch` or `issue_comment` trigger only.
    assert _cg305(tmp_path, CALL) == []


def test_inputs_an_outsider_can_write_are_still_cg305(tmp_path: Path) -> None:
    lines = [0, 3]  # the pasted expression's step, the env-fed step
    assert _cg305(tmp_path, DISPATCH) == lines
    assert _cg305(tmp_path, CALL + DISPATCH) == lines
    assert _cg305(tmp_path, CALL + "  issue_comment:\n    types: [created]\n") == lines
