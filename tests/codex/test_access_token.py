"""Access tokens are subscription auth (FACTS.md 0.171.0): `CODEX_ACCESS_TOKEN` in codex's env and
`codex login --with-access-token` are never CG101/CG102, in `lint`, `check` and the hooks; only the
forbidden keys are refused. Through the real CLI, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOKEN_COMMANDS = [
    'CODEX_ACCESS_TOKEN="$TOKEN" codex exec -C "$R" -s read-only "Review." </dev/null',
    'export CODEX_ACCESS_TOKEN="$TOKEN"; codex exec -C "$R" -s read-only "Review." </dev/null',
    'env CODEX_ACCESS_TOKEN=tok codex exec -C "$R" -s read-only "Review." </dev/null',
    "printenv CODEX_ACCESS_TOKEN | codex login --with-access-token",
    "codex login --with-access-token < token.txt",
    'docker run -e CODEX_ACCESS_TOKEN img codex exec -C "$R" -s read-only "Review." </dev/null',
]
BILLING = ("CG101", "CG102")


def _guard(
    args: list[str], stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    return subprocess.run(
        [sys.executable, "-m", "guard", *args], input=stdin, capture_output=True, text=True,
        env=env, cwd=cwd, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("command", TOKEN_COMMANDS)
def test_check_allows_access_tokens(command: str) -> None:
    proc = _guard(["check", command])
    assert proc.returncode == 0, proc.stdout
    assert not any(rule in proc.stdout for rule in BILLING)


@pytest.mark.parametrize("agent", ["claude", "codex"])
@pytest.mark.parametrize("command", TOKEN_COMMANDS)
def test_hooks_allow_access_tokens(agent: str, command: str, tmp_path: Path) -> None:
    payload = {"cwd": str(tmp_path), "hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": command}}  # fmt: skip
    proc = _guard(["hook", agent], stdin=json.dumps(payload), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "deny" not in proc.stdout and not any(rule in proc.stdout for rule in BILLING)


def test_lint_allows_access_tokens_in_a_script_and_a_workflow(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text("#!/bin/bash\n" + "\n".join(TOKEN_COMMANDS) + "\n")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "codex.yml").write_text(
        "on: push\njobs:\n  review:\n    runs-on: ubuntu-latest\n    env:\n"
        "      CODEX_ACCESS_TOKEN: ${{ secrets.CODEX_ACCESS_TOKEN }}\n    steps:\n"
        "      - run: printenv CODEX_ACCESS_TOKEN | codex login --with-access-token\n"
        '      - run: codex exec -C "$GITHUB_WORKSPACE" -s read-only "Review." </dev/null\n'
    )
    proc = _guard(["lint", str(tmp_path), "--format", "json"])
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert not rules & set(BILLING), proc.stdout


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        (
            'CODEX_ACCESS_TOKEN="$T" OPENAI_API_KEY="$K" codex exec -C "$R" -s read-only "p" </dev/null',
            "CG101",
        ),
        ("printenv OPENAI_API_KEY | codex login --with-api-key", "CG102"),
    ],
)
def test_forbidden_keys_are_still_refused_next_to_a_token(command: str, rule: str) -> None:
    proc = _guard(["check", command])
    assert proc.returncode == 1 and rule in proc.stdout, proc.stdout
    assert "CODEX_ACCESS_TOKEN" not in proc.stdout.split(rule, 1)[1].split("\n", 1)[0]
