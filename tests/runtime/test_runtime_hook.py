"""`codex-guard hook claude|codex`: each agent's PreToolUse contract, on real command lines."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.conftest import REPO, run_guard

DENIED = [
    'OPENAI_API_KEY=sk-live codex exec -C . -s read-only "review" </dev/null',
    'codex exec -C "$REPO" -s workspace-write "Implement ag-123. Run tests."',  # agent pipe: hang
    "printenv OPENAI_API_KEY | codex login --with-api-key",
    'export CODEX_API_KEY=k; codex exec -C . -s read-only - <<< "judge"',
]
ALLOWED_CODEX = [
    "printf '%s' \"$TASK\" | codex exec -C . -s read-only -",
    'codex exec -C . -s read-only "Validate. Output VERDICT: PASS|FAIL." </dev/null',
    "codex login status",
    "codex --version",
]
NO_CODEX = ["ls -la", "git status && pytest -q", 'grep -rn "TODO" src/']


def claude_payload(command: str, cwd: Path) -> str:
    return json.dumps(
        {
            "session_id": "s-1",
            "transcript_path": "/tmp/t.jsonl",
            "cwd": str(cwd),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command, "description": "run it"},
            "tool_use_id": "toolu_1",
        }
    )


def codex_payload(command: str, cwd: Path, key: str = "command") -> str:
    return json.dumps(
        {
            "cwd": str(cwd),
            "hook_event_name": "PreToolUse",
            "model": "gpt-5-codex",
            "permission_mode": "default",
            "session_id": "s-2",
            "tool_name": "Bash",
            "tool_input": {key: command},
            "tool_use_id": "call_1",
            "transcript_path": None,
            "turn_id": "turn-1",
        }
    )


def _deny_reason(stdout: str) -> str:
    data = json.loads(stdout)
    output = data["hookSpecificOutput"]
    assert output["hookEventName"] == "PreToolUse"
    assert output["permissionDecision"] == "deny"
    reason = output["permissionDecisionReason"]
    assert isinstance(reason, str) and reason
    return reason


@pytest.mark.parametrize("command", NO_CODEX)
@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_no_codex_is_allowed_silently(
    agent: str, command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    payload = (
        claude_payload(command, workspace)
        if agent == "claude"
        else codex_payload(command, workspace)
    )
    proc = run_guard(["hook", agent], base_env, cwd=workspace, input=payload)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


@pytest.mark.parametrize("command", ALLOWED_CODEX)
@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_safe_codex_commands_are_allowed_silently(
    agent: str, command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    payload = (
        claude_payload(command, workspace)
        if agent == "claude"
        else codex_payload(command, workspace)
    )
    proc = run_guard(["hook", agent], base_env, cwd=workspace, input=payload)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr


@pytest.mark.parametrize("command", DENIED)
def test_claude_deny_is_json_on_stdout_and_exit_0(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    proc = run_guard(
        ["hook", "claude"], base_env, cwd=workspace, input=claude_payload(command, workspace)
    )
    assert proc.returncode == 0
    reason = _deny_reason(proc.stdout)
    assert "CG" in reason and "Fix:" in reason


@pytest.mark.parametrize("command", DENIED)
def test_codex_deny_is_json_and_exit_2_and_stderr(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    proc = run_guard(
        ["hook", "codex"], base_env, cwd=workspace, input=codex_payload(command, workspace)
    )
    assert proc.returncode == 2
    reason = _deny_reason(proc.stdout)
    assert proc.stderr.strip() == reason


def test_deny_names_the_rule_and_its_fix(workspace: Path, base_env: dict[str, str]) -> None:
    proc = run_guard(
        ["hook", "codex"], base_env, cwd=workspace, input=codex_payload(DENIED[0], workspace)
    )
    reason = _deny_reason(proc.stdout)
    assert "CG101" in reason and "OPENAI_API_KEY" in reason
    assert "sk-live" not in reason


def test_codex_cmd_key_is_read(workspace: Path, base_env: dict[str, str]) -> None:
    payload = codex_payload(DENIED[0], workspace, key="cmd")
    proc = run_guard(["hook", "codex"], base_env, cwd=workspace, input=payload)
    assert proc.returncode == 2
    assert "CG101" in _deny_reason(proc.stdout)


def test_argv_list_command_is_read(workspace: Path, base_env: dict[str, str]) -> None:
    payload = json.dumps(
        {"cwd": str(workspace), "tool_input": {"command": ["bash", "-lc", DENIED[0]]}}
    )
    proc = run_guard(["hook", "codex"], base_env, cwd=workspace, input=payload)
    assert proc.returncode == 2, proc.stderr


@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '{"tool_input": '])
@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_invalid_input_fails_open_with_one_line(
    agent: str, raw: str, workspace: Path, base_env: dict[str, str]
) -> None:
    proc = run_guard(["hook", agent], base_env, cwd=workspace, input=raw)
    assert proc.returncode == 0
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1
    assert "fail open" in proc.stderr


def test_invalid_input_fails_closed_when_configured(
    workspace: Path, base_env: dict[str, str]
) -> None:
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    claude = run_guard(["hook", "claude"], base_env, cwd=workspace, input="not json")
    assert claude.returncode == 0
    assert "fail-closed" in _deny_reason(claude.stdout)
    codex = run_guard(["hook", "codex"], base_env, cwd=workspace, input="")
    assert codex.returncode == 2
    _deny_reason(codex.stdout)
    assert codex.stderr.strip()


def test_fast_path_imports_nothing_heavy() -> None:
    """The no-codex answer comes before the parser, pydantic, PyYAML, click or the engine load."""
    probe = (
        "import io, sys\n"
        "from guard.cli import main\n"
        'sys.stdin = io.StringIO(\'{"tool_input": {"command": "ls -la"}}\')\n'
        "sys.argv = ['codex-guard', 'hook', 'claude']\n"
        "code = main()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('click', 'pydantic', 'yaml', 'tree_sitter', 'tree_sitter_bash', 'json')"
        " or m.startswith(('guard.engine', 'guard.shell', 'guard.codex', 'guard.config')))\n"
        "print(code, heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert proc.stdout.strip() == "0 []", proc.stdout + proc.stderr


# --- hook install ------------------------------------------------------------------------------


OTHER_CLAUDE: dict[str, Any] = {
    "model": "opus",
    "hooks": {
        "PreToolUse": [
            {"matcher": "Edit", "hooks": [{"type": "command", "command": "fmt-check"}]},
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify"}]}],
    },
}


@pytest.mark.parametrize(
    ("agent", "relative"), [("claude", ".claude/settings.json"), ("codex", ".codex/hooks.json")]
)
def test_hook_install_is_idempotent_and_keeps_other_hooks(
    agent: str, relative: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    sub = project / "src"
    sub.mkdir()
    target = project / relative
    target.parent.mkdir()
    target.write_text(json.dumps(OTHER_CLAUDE))
    # `hook install codex` records trust in the user's config.toml: keep it in the test's home.
    base_env = {**base_env, "CODEX_HOME": str(tmp_path / "codex-home")}
    first = run_guard(["hook", "install", agent, "--project"], base_env, cwd=sub)
    assert first.returncode == 0, first.stderr
    assert "installed in" in first.stdout
    after_one = target.read_text()
    second = run_guard(["hook", "install", agent], base_env, cwd=sub)
    assert second.returncode == 0
    assert "already installed" in second.stdout
    assert target.read_text() == after_one
    data = json.loads(after_one)
    assert data["model"] == "opus"
    assert data["hooks"]["Stop"] == OTHER_CLAUDE["hooks"]["Stop"]
    groups = data["hooks"]["PreToolUse"]
    assert groups[0] == OTHER_CLAUDE["hooks"]["PreToolUse"][0]
    assert groups[1]["matcher"] == "Bash" and len(groups[1]["hooks"]) == 1
    installed = groups[1]["hooks"][0]
    assert installed["type"] == "command"
    argv = shlex.split(installed["command"])
    # The agent's PATH need not hold the venv: the interpreter and the entry point are absolute.
    assert Path(argv[0]).is_absolute() and Path(argv[0]).exists()
    assert argv[1:4] == ["-E", "-P", "-S"] and argv[-1] == agent
    assert Path(argv[4]).is_absolute() and argv[4].endswith("guard/hookmain.py")


def test_hook_install_user_scope_and_broken_file(tmp_path: Path, base_env: dict[str, str]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**base_env, "HOME": str(home)}
    proc = run_guard(["hook", "install", "claude", "--user"], env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((home / ".claude" / "settings.json").read_text())["hooks"]["PreToolUse"]
    codex_home = tmp_path / "ch"
    codex_home.mkdir()
    (codex_home / "hooks.json").write_text("{not json")
    broken = run_guard(
        ["hook", "install", "codex", "--user"], {**env, "CODEX_HOME": str(codex_home)}
    )
    assert broken.returncode != 0
    assert "not valid JSON" in broken.stderr
    assert (codex_home / "hooks.json").read_text() == "{not json"


@pytest.mark.parametrize(
    ("command", "denied"),
    [
        ('codex exec -C . -s read-only "p" </dev/null', True),
        ('env -u OPENAI_API_KEY codex exec -C . -s read-only "p" </dev/null', False),
        ('unset OPENAI_API_KEY; codex exec -C . -s read-only "p" </dev/null', False),
        ('env -i PATH="$PATH" codex exec -C . -s read-only "p" </dev/null', False),
        ("ls -la", False),
    ],
)
def test_a_key_in_the_agents_own_env_reaches_the_codex_it_starts(
    workspace: Path, base_env: dict[str, str], command: str, denied: bool
) -> None:
    """The Bash tool's commands inherit the agent's env, and so does the hook."""
    env = {**base_env, "OPENAI_API_KEY": "sk-agent"}
    proc = run_guard(["hook", "claude"], env, input=claude_payload(command, workspace))
    assert proc.returncode == 0
    assert ("CG101" in proc.stdout) is denied, proc.stdout


def _installed_argv(agent: str, project: Path, env: dict[str, str]) -> list[str]:
    proc = run_guard(["hook", "install", agent, "--project"], env, cwd=project)
    assert proc.returncode == 0, proc.stderr
    name = ".claude/settings.json" if agent == "claude" else ".codex/hooks.json"
    data = json.loads((project / name).read_text())
    return shlex.split(data["hooks"]["PreToolUse"][-1]["hooks"][0]["command"])


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_the_installed_command_runs_without_the_venv_on_path(
    agent: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    """What `hook install` writes answers in the agent's contract under a PATH with no venv, and
    decides as `check` does."""
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    env = {**base_env, "CODEX_HOME": str(tmp_path / "codex-home")}
    argv = _installed_argv(agent, project, env)
    bare = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": env["XDG_CACHE_HOME"],
        "XDG_CONFIG_HOME": env["XDG_CONFIG_HOME"],
        "OPENAI_API_KEY": "sk-agent",  # the agent's own env reaches the codex it starts
    }
    payload = claude_payload if agent == "claude" else codex_payload
    for command, denied in [
        ('codex exec -C . -s read-only "p" </dev/null', True),
        ('env -u OPENAI_API_KEY codex exec -C . -s read-only "p" </dev/null', False),
        ("ls -la && git status", False),
    ]:
        proc = subprocess.run(
            argv, input=payload(command, project), capture_output=True, text=True, env=bare,
            timeout=60,
        )  # fmt: skip
        assert "Traceback" not in proc.stderr
        if denied:
            assert json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
            assert "CG101" in proc.stdout
            assert proc.returncode == (2 if agent == "codex" else 0)
        else:
            assert proc.returncode == 0 and proc.stdout == "", (command, proc.stdout, proc.stderr)


def test_an_older_bare_install_is_pointed_at_the_absolute_entry(
    tmp_path: Path, base_env: dict[str, str]
) -> None:
    project = tmp_path / "proj"
    (project / ".claude").mkdir(parents=True)
    (project / ".git").mkdir()
    old = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
        {"type": "command", "command": "codex-guard hook claude"}]}]}}  # fmt: skip
    (project / ".claude" / "settings.json").write_text(json.dumps(old))
    argv = _installed_argv("claude", project, base_env)
    data = json.loads((project / ".claude" / "settings.json").read_text())
    assert len(data["hooks"]["PreToolUse"]) == 1  # replaced in place, not a second hook
    assert Path(argv[0]).is_absolute() and argv[-1] == "claude"


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_the_entry_point_denies_when_the_package_cannot_load(
    agent: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    """A hook whose package is gone or broken fails closed, in both contracts, with no traceback."""
    fake = tmp_path / "pkg" / "guard"
    fake.mkdir(parents=True)
    entry = fake / "hookmain.py"
    entry.write_text((REPO / "guard" / "hookmain.py").read_text())
    (fake / "__init__.py").write_text("raise ImportError('half-installed')\n")
    payload = claude_payload("ls", tmp_path)
    proc = subprocess.run(
        [sys.executable, "-E", "-P", "-S", str(entry), agent], input=payload, capture_output=True,
        text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "half-installed" in proc.stderr
    assert json.loads(proc.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
