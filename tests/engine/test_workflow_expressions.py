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


def _cg305_of(tmp_path: Path, steps: str) -> list[tuple[int, str, str]]:
    """(line, severity, message) of the CG305s of a `pull_request_target` workflow."""
    path = tmp_path / ".github" / "workflows" / "review.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "on: pull_request_target\njobs:\n  review:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n" + steps
    )
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    return [
        (f.location.line, f.severity.value, f.message)
        for f in outcome.findings
        if f.rule == "CG305"
    ]


def test_a_title_pasted_into_run_is_cg305_even_for_a_read_only_lane(tmp_path: Path) -> None:
    # The runner's shell runs the pasted title before codex starts (`"; curl ... | sh; "`):
    # codex's read-only sandbox bounds none of it.
    found = _cg305_of(
        tmp_path,
        '      - run: codex exec -C . -s read-only "Review the PR ${{ github.event.pull_request.title }}"'
        " </dev/null > review.txt\n",
    )
    assert [(line, severity) for line, severity, _ in found] == [(7, "warning")]
    assert "pasted into the shell that starts it" in found[0][2]


def test_a_pasted_title_followed_through_a_shell_variable_is_cg305(tmp_path: Path) -> None:
    found = _cg305_of(
        tmp_path,
        "      - run: |\n"
        '          TITLE="${{ github.event.pull_request.title }}"\n'
        '          codex exec -C . -s workspace-write "Fix: $TITLE" </dev/null -o fix.md\n',
    )
    assert [(line, severity) for line, severity, _ in found] == [(9, "warning")]
    assert "sandbox workspace-write:" in found[0][2]


def test_a_pasted_title_that_never_reaches_the_prompt_is_not_cg305(tmp_path: Path) -> None:
    assert not _cg305_of(
        tmp_path,
        "      - run: |\n"
        '          echo "title: ${{ github.event.pull_request.title }}"\n'
        '          codex exec -C . -s read-only "Review the diff." </dev/null > review.txt\n',
    )


def test_an_actions_read_only_prompt_input_is_not_shell_text(tmp_path: Path) -> None:
    # codex-action hands `prompt:` to codex as a value, not through a shell: the read-only
    # sandbox with no secrets still bounds it.
    assert not _cg305_of(
        tmp_path,
        "      - uses: openai/codex-action@v1\n        with:\n"
        '          prompt: "Review: ${{ github.event.pull_request.title }}"\n'
        "          sandbox: read-only\n",
    )


def test_a_composite_actions_input_in_a_read_only_run_is_not_cg305(tmp_path: Path) -> None:
    # Its caller chose the value (here a path); only an event's text is surely an outsider's.
    path = tmp_path / ".github" / "actions" / "review" / "action.yml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "name: review\ninputs:\n  prompt-file: {required: true}\nruns:\n  using: composite\n"
        "  steps:\n    - shell: bash\n      run: |\n"
        '        codex exec -C . -s read-only -o review.md - < "${{ inputs.prompt-file }}"\n'
    )
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert outcome.findings is not None
    assert not [f for f in outcome.findings if f.rule == "CG305"]
    path.write_text(path.read_text().replace("read-only", "workspace-write"))
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert [f.location.line for f in outcome.findings if f.rule == "CG305"] == [9]


def test_a_branch_name_pasted_into_a_read_only_runs_output_path_is_not_cg305(
    tmp_path: Path,
) -> None:
    # RULES.md CG305: pasted text is reported "when it reaches a codex prompt".
    step = (
        '      - run: codex exec -C . -s read-only -o "review-${{ github.head_ref }}.md"'
        ' "Review the diff." </dev/null\n'
    )
    assert not _cg305_of(tmp_path, step)
    prompt = step.replace('"Review the diff."', '"Review branch ${{ github.head_ref }}."')
    assert [line for line, _, _ in _cg305_of(tmp_path, prompt)] == [7]
