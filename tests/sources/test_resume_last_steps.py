"""CG403 across the steps of one GitHub job: `resume --last` in a later step than the run.

Every step of a job starts in the same place (the workspace, or the `working-directory` the
step, its job or the workflow sets), so a run made there with `-C .` in one step is resumed by
`codex exec resume --last` in a later step with no `cd`: CG403 ("not run from the first run's
root") was a false positive there. It still fires where the places differ: another
`working-directory`, a `cd` before the run, `-C DIR`, or a run in another job.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())

WORKFLOW = """\
on: workflow_dispatch
jobs:
  task:
    runs-on: self-hosted
    steps:
      - uses: actions/checkout@v4
      - run: codex exec -C . -s workspace-write --json -o o1.txt - < p1.md > r1.jsonl
      - run: codex exec resume --last --json -o o2.txt - < p2.md > r2.jsonl
"""


def cg403(tmp_path: Path, text: str) -> list[int]:
    path = tmp_path / ".github" / "workflows" / "task.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return [f.location.line for f in outcome.findings if f.rule == "CG403"]


def test_a_later_step_resumes_the_run_of_an_earlier_one(tmp_path: Path) -> None:
    assert cg403(tmp_path, WORKFLOW) == []
    no_cd_flag = WORKFLOW.replace("codex exec -C . -s", "codex exec -s")
    assert cg403(tmp_path, no_cd_flag) == []
    both_in = WORKFLOW.replace("jobs:\n", "defaults:\n  run:\n    working-directory: api\njobs:\n")
    assert cg403(tmp_path, both_in) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the run went elsewhere
        ("codex exec -C . -s", "codex exec -C api -s"),
        ("- run: codex exec -C . -s", "- run: cd api && codex exec -C . -s"),
        # the steps start in different places
        (
            "      - run: codex exec resume",
            "      - working-directory: api\n        run: codex exec resume",
        ),
        # no run before the resume on this runner: another job's does not count
        (
            "      - run: codex exec resume",
            "  later:\n    runs-on: self-hosted\n    steps:\n      - run: codex exec resume",
        ),
    ],
)
def test_a_resume_elsewhere_is_still_found(tmp_path: Path, old: str, new: str) -> None:
    assert old in WORKFLOW
    changed = WORKFLOW.replace(old, new)
    resume_line = next(
        n for n, line in enumerate(changed.splitlines(), 1) if "resume --last" in line
    )
    assert cg403(tmp_path, changed) == [resume_line]
