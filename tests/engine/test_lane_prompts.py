"""Lane inference reads whether a prompt ASKS to validate or judge (RULES.md CG3xx: "a prompt that
asks to validate/judge/output VERDICT"), not whether it contains the word: a worker told to "fix
the validation error" got CG302 (validator with workspace-write, an error) and was refused at the
hooks. Found by a false-positive pass; the validator prompts that must stay validators are tested
beside them, through the real console script and through `check`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

WORKER_PROMPTS = [
    "Fix the validation error in the signup form.",
    "Implement input validation for the /users endpoint.",
    "Add a validate() method to the Order model.",
    "Fix the JSON schema validator so nested refs resolve.",
    "Implement the verdict parser in gate/verdict.py.",
    "Fix the flaky test and validate the fix with pytest -q.",
    "Add a helper to validate email addresses.",
]
VALIDATOR_PROMPTS = [
    "Validate the change. Output VERDICT: PASS|FAIL.",
    "Independently validate the change on this branch.",
    "Review the diff for bugs. Output VERDICT: PASS or FAIL with reasons.",
    "You are an independent validator: do not edit files.",
    "Run pytest -q and validate the change.",
    "Judge whether the refactor keeps behaviour; do not edit files.",
    "Check the diff and give your verdict.",
    # A review pass found these lost by the first version (an editing verb in a later clause):
    "Validate the change and make sure the tests pass.",
    "Validate the implementation of issue 12 and change nothing.",
    "Please validate the fix: run the tests, then update us with PASS or FAIL.",
    "Act as the code reviewer and validate; then build the project and run tests.",
]


def cg302(tmp_path: Path, prompt: str) -> bool:
    script = tmp_path / "dispatch.sh"
    script.write_text(f'codex exec -C . -s workspace-write "{prompt}" </dev/null\n')
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(script)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return any(f["rule"] == "CG302" for f in json.loads(done.stdout)["findings"])


@pytest.mark.parametrize("prompt", WORKER_PROMPTS)
def test_a_coding_task_about_validation_is_a_worker(tmp_path: Path, prompt: str) -> None:
    assert not cg302(tmp_path, prompt)


@pytest.mark.parametrize("prompt", VALIDATOR_PROMPTS)
def test_a_prompt_that_asks_to_judge_is_a_validator(tmp_path: Path, prompt: str) -> None:
    assert cg302(tmp_path, prompt)  # a validator that can write


def test_check_allows_the_worker_and_refuses_the_writing_validator(tmp_path: Path) -> None:
    def check(prompt: str) -> int:
        line = f'codex exec -C . -s workspace-write "{prompt}" </dev/null'
        return subprocess.run(
            ["codex-guard", "check", line], capture_output=True, text=True, timeout=60,
            cwd=tmp_path, check=False,
        ).returncode  # fmt: skip

    assert check(WORKER_PROMPTS[0]) == 0
    assert check(VALIDATOR_PROMPTS[0]) == 1
