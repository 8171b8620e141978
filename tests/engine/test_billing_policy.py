"""The billing policy (`billing: subscription | api-in-ci`) and its trust floor.

`subscription` (the default): any forbidden key reaching codex is an error. `api-in-ci`: a key on a
CI step that runs codex is allowed, one set for the whole workflow or job is not. Only the user
config may choose `api-in-ci` for the runtime doors; in a repository config it is CG905 and the
doors ignore it. `CODEX_ACCESS_TOKEN` and `codex login --with-access-token` are subscription auth.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.config import ConfigError, settings_from_mapping
from guard.engine import load_rules
from guard.settings import Settings
from guard.trust import door_settings, loosenings

RULE_TEXT = _rule_text(load_rules())
API = {"billing": "api-in-ci"}


def lint_workflow(tmp_path: Path, text: str, config: dict[str, object]) -> set[tuple[str, int]]:
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    outcome = lint_file(FileJob(str(path), False, settings_from_mapping(config), RULE_TEXT))
    assert not outcome.errors
    return {(f.rule, f.location.line) for f in outcome.findings}


def workflow(workflow_env: str = "", job_env: str = "", step_env: str = "", run: str = "") -> str:
    run = run or 'codex exec -C "$GITHUB_WORKSPACE" -s read-only -o r.md "Review." </dev/null'
    return (
        f"name: ci\non: [push]\n{workflow_env}jobs:\n  work:\n    runs-on: ubuntu-latest\n"
        f"{job_env}    steps:\n      - uses: actions/checkout@v4\n      - run: npm test\n"
        f"      - {step_env}run: |\n          {run}\n"
    )


KEY_LINE = "OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"


def test_config_accepts_billing_and_rejects_other_values() -> None:
    assert settings_from_mapping({}).billing == "subscription"
    assert settings_from_mapping(API).billing == "api-in-ci"
    with pytest.raises(ConfigError):
        settings_from_mapping({"billing": "api"})


@pytest.mark.parametrize("level", ["workflow", "job"])
def test_a_wide_key_is_an_error_under_both_policies(tmp_path: Path, level: str) -> None:
    text = (
        workflow(workflow_env=f"env:\n  {KEY_LINE}")
        if level == "workflow"
        else workflow(job_env=f"    env:\n      {KEY_LINE}")
    )
    for config in ({}, API):
        assert {r for r, _ in lint_workflow(tmp_path, text, config)} == {"CG101"}


def test_a_step_key_is_allowed_only_under_api_in_ci(tmp_path: Path) -> None:
    text = workflow(step_env=f"env:\n          {KEY_LINE}        ")
    assert any(r == "CG101" for r, _ in lint_workflow(tmp_path, text, {}))
    assert lint_workflow(tmp_path, text, API) == set()


def test_inline_key_and_api_key_login_on_a_ci_step(tmp_path: Path) -> None:
    inline = workflow(
        run='CODEX_API_KEY="${{ secrets.CODEX_API_KEY }}" codex exec -C . -s read-only "Review." </dev/null'
    )
    assert {r for r, _ in lint_workflow(tmp_path, inline, {})} >= {"CG101"}
    assert lint_workflow(tmp_path, inline, API) == set()
    login = workflow(run="printenv OPENAI_API_KEY | codex login --with-api-key")
    assert {r for r, _ in lint_workflow(tmp_path, login, {})} == {"CG102"}
    assert lint_workflow(tmp_path, login, API) == set()


def test_api_in_ci_does_not_reach_scripts_packets_or_agents(tmp_path: Path) -> None:
    script = tmp_path / "dispatch.sh"
    script.write_text('OPENAI_API_KEY=k codex exec -C . -s read-only "p" </dev/null\n')
    outcome = lint_file(FileJob(str(script), False, settings_from_mapping(API), RULE_TEXT))
    assert {f.rule for f in outcome.findings} == {"CG101"}
    from guard.engine.api import check_command_line

    found = check_command_line(
        'OPENAI_API_KEY=k codex exec -C . -s read-only "p"', Settings(billing="api-in-ci")
    )
    assert "CG101" in {f.rule for f in found}


def test_access_token_is_never_a_billing_finding(tmp_path: Path) -> None:
    text = workflow(
        workflow_env="env:\n  CODEX_ACCESS_TOKEN: ${{ secrets.CODEX_ACCESS_TOKEN }}\n",
        run="printenv CODEX_ACCESS_TOKEN | codex login --with-access-token",
    )
    # Even a config that lists it among the forbidden keys: it is subscription auth.
    config = {"forbidden-env": ["OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_ACCESS_TOKEN"]}
    assert lint_workflow(tmp_path, text, config) == set()


# --- the trust floor -----------------------------------------------------------------------


def test_a_repository_cannot_choose_api_in_ci_for_the_doors() -> None:
    repo = settings_from_mapping(API)
    assert [loose.key for loose in loosenings(repo)] == [("billing",)]
    assert door_settings(Settings(), repo, ".", lambda: ()).billing == "subscription"
    user = Settings(billing="api-in-ci")
    assert loosenings(repo, user) == []
    assert door_settings(user, repo, ".", lambda: ()).billing == "api-in-ci"
    back = settings_from_mapping({"billing": "subscription"})
    assert door_settings(user, back, ".", lambda: ()).billing == "subscription"


def _guard(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [sys.executable, "-m", "guard", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in run.stderr + run.stdout
    return run


def test_planted_repo_config_is_cg905_and_the_doors_still_refuse(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".codex-guard.yaml").write_text("billing: api-in-ci\n")
    lint = _guard(["lint", "--format", "json", "."], env, repo)
    assert [f["rule"] for f in json.loads(lint.stdout)["findings"]] == ["CG905"]
    check = _guard(
        ["check", 'OPENAI_API_KEY=sk-x codex exec -C . -s read-only "p" </dev/null'], env, repo
    )
    assert check.returncode == 1 and "CG101" in check.stdout + check.stderr
    fake = tmp_path / "codex"
    log = tmp_path / "calls.log"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(0o755)
    run = _guard(
        ["exec", "--", str(fake), "exec", "-C", str(repo), "-s", "read-only", "task"],
        {**env, "OPENAI_API_KEY": "sk-live", "GITHUB_ACTIONS": "true", "CI": "true"},
        repo,
    )
    assert run.returncode == 3 and "CG101" in run.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    assert not [c for c in calls if c.startswith("exec")], calls  # the task never started
