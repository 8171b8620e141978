"""The hook and `check` are as strong as `lint`: obfuscated codex words, fail-closed findings,
parse errors, and escaped JSON, through the real console entry (`python -m guard`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import REPO, run_guard

# Each runs codex under full access (CG303) or with an API key (CG101), spelled so that the
# word `codex` never appears literally.
OBFUSCATED = [
    ("co''dex exec -C . -s danger-full-access - < prompt.md", "CG303"),
    ('co""dex exec -C . -s danger-full-access - < prompt.md', "CG303"),
    ("$'\\x63odex' exec -C . -s danger-full-access - < prompt.md", "CG303"),
    ("$'\\143odex' exec -C . --yolo - < prompt.md", "CG303"),
    ("c=co; ${c}dex exec -C . -s danger-full-access - < prompt.md", "CG303"),
    ("\\codex exec -C . -s danger-full-access - < prompt.md", "CG303"),
    ("co\\\ndex exec -C . -s danger-full-access - < prompt.md", "CG303"),
    ("codex exec -C . -s danger-full-\\\naccess - < prompt.md", "CG303"),
    ('OPENAI_API_KEY=x co""dex exec -C . -s read-only - < prompt.md', "CG101"),
    ("sudo -E env OPENAI_API_KEY=x c\\odex exec -C . -s read-only - < prompt.md", "CG101"),
]
# Only a parse error stands between these and "allowed".
PARSE_ERRORS = [
    'codex exec -C . -s read-only - < prompt.md; echo "unterminated',
    "codex exec -C . -s read-only - < prompt.md; if then fi )",
]
UNSETTLED = [
    ("$CMD exec -C . -s read-only - < prompt.md", "CG902"),
    ("source ./env.sh && codex exec -C . -s read-only - < prompt.md", "CG103"),
]


def payload(command: str, cwd: Path) -> str:
    return json.dumps(
        {
            "session_id": "s",
            "cwd": str(cwd),
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command},
        }
    )


def assert_hook_denies(agent: str, command: str, cwd: Path, env: dict[str, str]) -> str:
    proc = run_guard(["hook", agent], env, cwd=cwd, input=payload(command, cwd))
    assert "Traceback" not in proc.stdout + proc.stderr
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny", proc.stdout
    reason = str(out["permissionDecisionReason"])
    if agent == "codex":
        assert proc.returncode == 2 and proc.stderr.strip()
    else:
        assert proc.returncode == 0
    return reason


def assert_hook_allows(agent: str, command: str, cwd: Path, env: dict[str, str]) -> None:
    proc = run_guard(["hook", agent], env, cwd=cwd, input=payload(command, cwd))
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr


@pytest.mark.parametrize(("command", "rule"), OBFUSCATED)
def test_obfuscated_codex_is_refused_by_every_door(
    command: str, rule: str, workspace: Path, base_env: dict[str, str]
) -> None:
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, base_env)
    check = run_guard(["check", "--format", "json", command], base_env, cwd=workspace)
    assert check.returncode == 1, check.stdout + check.stderr
    doc = json.loads(check.stdout)
    assert doc["allowed"] is False
    assert rule in {f["rule"] for f in doc["findings"]}
    script = workspace / "run.sh"
    script.write_text(command + "\n")
    lint = run_guard(["lint", "--format", "json", str(script)], base_env, cwd=workspace)
    assert rule in {f["rule"] for f in json.loads(lint.stdout)["findings"]}


@pytest.mark.parametrize("command", PARSE_ERRORS)
def test_a_parse_error_is_a_deny_not_allowed(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    for agent in ("claude", "codex"):
        assert "CG901" in assert_hook_denies(agent, command, workspace, base_env)
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 1
    assert check.stdout.strip().splitlines()[-1] == "refused"
    assert "CG901" in check.stdout


@pytest.mark.parametrize(("command", "rule"), UNSETTLED)
def test_unsettled_findings_deny_only_when_fail_closed(
    command: str, rule: str, workspace: Path, base_env: dict[str, str]
) -> None:
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, base_env)
    allowed = run_guard(["check", command], base_env, cwd=workspace)
    assert allowed.returncode == 0 and rule in allowed.stdout
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, base_env)
    refused = run_guard(["check", command], base_env, cwd=workspace)
    assert refused.returncode == 1 and refused.stdout.strip().endswith("refused")


def test_json_escapes_cannot_hide_the_keyword(workspace: Path, base_env: dict[str, str]) -> None:
    """`\\u0063odex` and `co\\"\\"dex` in the hook's JSON are read, not skipped."""
    raw = payload("CODEXWORD exec -C . -s danger-full-access - < prompt.md", workspace)
    for spelled in ("\\u0063odex", 'co\\"\\"dex', "co\\u0027\\u0027dex", "\\u0063\\u006fdex"):
        proc = run_guard(
            ["hook", "codex"], base_env, cwd=workspace, input=raw.replace("CODEXWORD", spelled)
        )
        assert proc.returncode == 2, (spelled, proc.stdout, proc.stderr)
        assert "CG303" in proc.stderr


@pytest.mark.parametrize(
    "command", ["ls -la", "git status", 'cd "$DIR" && make test', "git log --oneline | head"]
)
def test_ordinary_commands_import_nothing_heavy(command: str) -> None:
    """No json, re, parser, pydantic, PyYAML, click or engine for a command without codex, even
    when its JSON holds escaped quotes."""
    probe = (
        "import io, sys\n"
        "from guard.cli import main\n"
        f"sys.stdin = io.StringIO({json.dumps(payload(command, REPO))!s})\n"
        "sys.argv = ['codex-guard', 'hook', 'claude']\n"
        "before = set(sys.modules)\n"
        "code = main()\n"
        "heavy = sorted(m for m in set(sys.modules) - before if m.split('.')[0] in "
        "('click', 'pydantic', 'yaml', 'tree_sitter', 'tree_sitter_bash', 'json', 're')"
        " or m.startswith(('guard.engine', 'guard.shell', 'guard.codex', 'guard.config')))\n"
        "print(code, heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert proc.stdout.strip() == "0 []", proc.stdout + proc.stderr
