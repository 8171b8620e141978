"""Codex hook trust: `hook install codex` leaves a hook codex runs, `doctor` says whether it does.

The trust key and hash are computed the way codex computes them; the real 0.171.0 binary is the
judge (`codex app-server`, method `hooks/list`, reports each hook's key, currentHash and
trustStatus, offline). And the hook's own answers keep to the deny contract codex parses (output
it cannot parse counts as a failed hook, and the tool runs anyway).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from guard.runtime.hook_trust import codex_hook_list, command_hook_hash, hook_key
from tests.codex.realbin import real_codex
from tests.runtime.conftest import run_guard

OUR_COMMAND = "codex-guard hook codex"


@pytest.fixture
def codex171() -> str:
    binary = real_codex("0.171.0")
    if binary is None:
        pytest.skip("codex-cli 0.171.0 not installed (.ci/install-codex)")
    return str(binary)


def _env(base_env: dict[str, str], home: Path) -> dict[str, str]:
    return {**base_env, "CODEX_HOME": str(home)}


def _statuses(codex: str, cwd: Path, env: dict[str, str]) -> dict[str, tuple[str, str]]:
    hooks = codex_hook_list(codex, cwd, env)
    assert hooks is not None, "codex app-server did not answer hooks/list"
    return {h["key"]: (h["trustStatus"], h["currentHash"]) for h in hooks}


def test_hash_and_key_agree_with_codex(
    codex171: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    handlers = [
        {"type": "command", "command": OUR_COMMAND},
        {"type": "command", "command": "echo other", "timeout": 30, "statusMessage": "checking"},
        {"type": "command", "command": "echo é", "async": True},
    ]
    hooks = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": handlers}],
                       "Stop": [{"hooks": [{"type": "command", "command": "true"}]}]}}  # fmt: skip
    (home / "hooks.json").write_text(json.dumps(hooks))
    seen = _statuses(codex171, workspace, _env(base_env, home))
    source = home / "hooks.json"
    want = {
        hook_key(source, "PreToolUse", 0, i): command_hook_hash("PreToolUse", "Bash", h)
        for i, h in enumerate(handlers)
    }
    want[hook_key(source, "Stop", 0, 0)] = command_hook_hash("Stop", None, {"command": "true"})
    assert {k: v[1] for k, v in seen.items()} == want
    assert {v[0] for v in seen.values()} == {"untrusted"}


def test_install_user_hook_is_trusted_by_codex(
    codex171: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('model = "gpt-5"\n[features]\nhooks = true\n')
    env = _env(base_env, home)
    env["PATH"] = f"{Path(codex171).parent}:{env['PATH']}"
    proc = run_guard(["hook", "install", "codex", "--user"], env, cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    assert "codex hook trust: trusted in" in proc.stdout
    key = f"{home / 'hooks.json'}:pre_tool_use:0:0"
    assert _statuses(codex171, workspace, env)[key][0] == "trusted"
    config = tomllib.loads((home / "config.toml").read_text())
    assert config["model"] == "gpt-5" and config["features"] == {"hooks": True}  # kept
    again = run_guard(["hook", "install", "codex", "--user"], env, cwd=workspace)
    assert "already trusted" in again.stdout
    assert (home / "config.toml").read_text().count("[hooks.state.") == 1
    doctor = run_guard(["doctor"], env, cwd=workspace)
    line = next(x for x in doctor.stdout.splitlines() if "codex hook trust" in x)
    assert line.startswith("OK") and "hooks/list" in line


def test_doctor_reports_a_modified_hook_as_not_trusted(
    codex171: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _env(base_env, home)
    env["PATH"] = f"{Path(codex171).parent}:{env['PATH']}"
    assert run_guard(["hook", "install", "codex", "--user"], env, cwd=workspace).returncode == 0
    # The definition changes after trust was recorded (a longer timeout): codex says "modified".
    data = json.loads((home / "hooks.json").read_text())
    data["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"] = 5
    (home / "hooks.json").write_text(json.dumps(data))
    proc = run_guard(["doctor"], env, cwd=workspace)
    line = next(x for x in proc.stdout.splitlines() if "codex hook trust" in x)
    assert line.startswith("FAIL") and "modified" in line and "hooks/list" in line
    assert proc.returncode == 1


def test_project_hook_needs_a_trusted_project(
    codex171: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    home, project = tmp_path / "home", tmp_path / "proj"
    home.mkdir()
    (project / ".git").mkdir(parents=True)
    env = _env(base_env, home)
    env["PATH"] = f"{Path(codex171).parent}:{env['PATH']}"
    proc = run_guard(["hook", "install", "codex"], env, cwd=project)
    assert "trust_level" in proc.stdout  # the one step left, said
    doctor = run_guard(["doctor"], env, cwd=project)
    line = next(x for x in doctor.stdout.splitlines() if "codex hook trust" in x)
    assert line.startswith("FAIL") and "trust the project" in line
    with (home / "config.toml").open("a") as handle:
        handle.write(f'\n[projects."{project.resolve()}"]\ntrust_level = "trusted"\n')
    doctor = run_guard(["doctor"], env, cwd=project)
    line = next(x for x in doctor.stdout.splitlines() if "codex hook trust" in x)
    assert line.startswith("OK"), line


def test_unparsable_config_is_left_alone_and_the_step_is_printed(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("model = \n")
    proc = run_guard(["hook", "install", "codex", "--user"], _env(base_env, home), cwd=workspace)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "NOT trusted" in proc.stdout and "trusted_hash = " in proc.stdout
    assert (home / "config.toml").read_text() == "model = \n"


def test_doctor_without_codex_reports_computed_trust(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**_env(base_env, home), "PATH": "/usr/bin:/bin"}
    assert run_guard(["hook", "install", "codex", "--user"], env, cwd=workspace).returncode == 0
    proc = run_guard(["doctor"], env, cwd=workspace)
    line = next(x for x in proc.stdout.splitlines() if "codex hook trust" in x)
    assert line.startswith("OK") and "codex not asked" in line


# --- the deny contract codex parses ------------------------------------------------------------


def _payload(command: str, cwd: Path) -> str:
    return json.dumps({"cwd": str(cwd), "hook_event_name": "PreToolUse", "tool_name": "Bash",
                       "tool_input": {"command": command}, "session_id": "s", "turn_id": "t"})  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        'codex exec --dangerously-bypass-hook-trust -C "$R" -s read-only "p" </dev/null',
        'OPENAI_API_KEY=sk-x codex exec -C "$R" -s read-only "p" </dev/null',
        'codex exec -C "$R" -c default_permissions=":danger-full-access" "p" </dev/null',
    ],
)
def test_a_deny_is_what_codex_parses(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    proc = run_guard(["hook", "codex"], base_env, cwd=workspace, input=_payload(command, workspace))
    # Exit 2 with the reason on stderr, and JSON with permissionDecision "deny" and a reason.
    assert proc.returncode == 2 and proc.stderr.strip()
    output = json.loads(proc.stdout)["hookSpecificOutput"]
    assert output["permissionDecision"] == "deny" and output["permissionDecisionReason"].strip()


@pytest.mark.parametrize(
    "command",
    [
        'CODEX_ACCESS_TOKEN="$TOKEN" codex exec -C "$R" -s read-only "p" </dev/null',
        "printenv CODEX_ACCESS_TOKEN | codex login --with-access-token",
        "ls -la",
    ],
)
def test_an_allow_prints_nothing_codex_could_misread(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    proc = run_guard(["hook", "codex"], base_env, cwd=workspace, input=_payload(command, workspace))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "" or "deny" not in json.loads(proc.stdout).get(
        "hookSpecificOutput", {}
    ).get("permissionDecision", "")
