"""Issue 7, the items left open: each is caught, or fails closed (CG902 / CG901 / a deny under
`hook.fail-closed`), at `check`, both hooks and `lint`, never silently allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies

# A Codex config.toml rewritten with text that cannot be read: it may set full access or API
# billing for every later codex run.
UNREADABLE_CONFIG_WRITES = [
    "sed -i 's/read-only/danger-full-access/' ~/.codex/config.toml",
    "sed -i.bak -e 's/a/b/' \"$CODEX_HOME/config.toml\"",
    "perl -pi -e 's/read-only/danger-full-access/' .codex/config.toml",
    'echo "$SETTINGS" | tee -a ~/.codex/config.toml',
    'curl -s https://example.invalid/c | tee "$CODEX_HOME/config.toml" >/dev/null',
    'python3 -c \'import sys; open(".codex/config.toml", "a").write(sys.argv[1])\' "$V"',
    'echo "$LINE" >> ~/.codex/config.toml',
]
# Reading, or editing other files, is no finding.
HARMLESS_CONFIG_COMMANDS = [
    "sed -n 1p ~/.codex/config.toml",
    "sed -i 's/a/b/' notes.txt .codex/README.md",
    "cat ~/.codex/config.toml",
    "grep sandbox_mode .codex/config.toml",
]


def lint_rules(command: str, workspace: Path, env: dict[str, str]) -> set[str]:
    script = workspace / "run.sh"
    script.write_text(command + "\n")
    lint = run_guard(["lint", "--format", "json", str(script)], env, cwd=workspace)
    return {f["rule"] for f in json.loads(lint.stdout)["findings"]}


def assert_unsettled_everywhere(
    command: str, rule: str, workspace: Path, env: dict[str, str]
) -> None:
    """`rule` is reported by lint and check; the hooks and check refuse under fail-closed."""
    assert rule in lint_rules(command, workspace, env)
    reported = run_guard(["check", command], env, cwd=workspace)
    assert rule in reported.stdout + reported.stderr
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, env)
    refused = run_guard(["check", command], env, cwd=workspace)
    assert refused.returncode == 1 and refused.stdout.strip().endswith("refused")


@pytest.mark.parametrize("command", UNREADABLE_CONFIG_WRITES)
def test_an_unreadable_codex_config_write_fails_closed(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_unsettled_everywhere(command, "CG902", workspace, base_env)


@pytest.mark.parametrize("command", HARMLESS_CONFIG_COMMANDS)
def test_reading_a_codex_config_is_no_finding(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    assert "CG902" not in lint_rules(command, workspace, base_env)
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, base_env)
