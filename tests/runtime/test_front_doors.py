"""The front doors do what the README says, run as a user runs them (the console script)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import guard_cmd, run_guard

REFUSED = "OPENAI_API_KEY=sk-x codex exec -C . -s read-only 'review' </dev/null\n"
ALLOWED = "codex exec -C . -s read-only 'review' </dev/null\n"


# --- check - ----------------------------------------------------------------------------------


def test_check_dash_reads_the_command_from_stdin(base_env: dict[str, str], tmp_path: Path) -> None:
    refused = run_guard(["check", "-"], base_env, cwd=tmp_path, input=REFUSED)
    assert refused.returncode == 1
    assert "CG101" in refused.stdout and refused.stdout.rstrip().endswith("refused")
    allowed = run_guard(["check", "-"], base_env, cwd=tmp_path, input=ALLOWED)
    assert allowed.returncode == 0 and allowed.stdout.rstrip().endswith("allowed")
    as_json = run_guard(["check", "--format", "json", "-"], base_env, cwd=tmp_path, input=REFUSED)
    assert json.loads(as_json.stdout)["allowed"] is False


def test_check_dash_with_nothing_on_stdin_is_a_usage_error(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    done = run_guard(["check", "-"], base_env, cwd=tmp_path, input="")
    assert done.returncode == 2
    assert "allowed" not in done.stdout


# --- hook claude|codex --help -------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["claude", "codex"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_hook_help_prints_help_without_waiting_on_stdin(
    base_env: dict[str, str], agent: str, flag: str
) -> None:
    # stdin is a pipe nobody writes to or closes: the hook would wait on it forever.
    proc = subprocess.Popen(
        guard_cmd("hook", agent, flag),
        env=base_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = _read_without_closing(proc)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert f"Usage: codex-guard hook {agent}" in out
    assert "PreToolUse" in out
    assert "Traceback" not in err


def _read_without_closing(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """stdout and stderr once the process exits, with its stdin left open (a timeout fails)."""
    assert proc.stdout is not None and proc.stderr is not None
    proc.wait(timeout=60)
    return proc.stdout.read(), proc.stderr.read()


def test_the_hook_itself_still_answers_on_stdin(base_env: dict[str, str], tmp_path: Path) -> None:
    payload = {
        "tool_name": "Bash",
        "tool_input": {"command": REFUSED.strip()},
        "cwd": str(tmp_path),
    }
    done = run_guard(["hook", "claude"], base_env, cwd=tmp_path, input=json.dumps(payload))
    assert done.returncode == 0
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


# --- check with a broken config ---------------------------------------------------------------


@pytest.mark.parametrize("command", [REFUSED.strip(), ALLOWED.strip()])
def test_check_with_a_broken_config_exits_2_not_1(
    base_env: dict[str, str], tmp_path: Path, command: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("select: [\n")
    done = run_guard(["check", "--config", str(bad), command], base_env, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert str(bad) in done.stderr or "bad.yaml" in done.stderr
    assert "allowed" not in done.stdout and "refused" not in done.stdout

    (tmp_path / ".codex-guard.yaml").write_text("fail-on: [\n")
    found = run_guard(["check", command], base_env, cwd=tmp_path)
    assert found.returncode == 2 and ".codex-guard.yaml" in found.stderr


# --- hook install --project --user ------------------------------------------------------------


@pytest.mark.parametrize("order", [["--project", "--user"], ["--user", "--project"]])
@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_hook_install_refuses_project_and_user_together(
    base_env: dict[str, str], tmp_path: Path, order: list[str], agent: str
) -> None:
    home = tmp_path / "home"
    project = tmp_path / "project"
    for folder in (home, project / ".git"):
        folder.mkdir(parents=True)
    env = {**base_env, "HOME": str(home), "CODEX_HOME": str(home / ".codex")}
    done = run_guard(["hook", "install", agent, *order], env, cwd=project)
    assert done.returncode == 2
    assert "--project" in done.stderr and "--user" in done.stderr
    written = [p for p in (*home.rglob("*"), *project.rglob("*")) if p.is_file()]
    assert written == []


def test_hook_install_user_and_project_alone_still_work(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    project = tmp_path / "project"
    for folder in (home, project / ".git"):
        folder.mkdir(parents=True)
    env = {**base_env, "HOME": str(home)}
    assert run_guard(["hook", "install", "claude", "--user"], env, cwd=project).returncode == 0
    assert (home / ".claude" / "settings.json").is_file()
    assert not (project / ".claude").exists()
    assert run_guard(["hook", "install", "claude"], env, cwd=project).returncode == 0
    assert (project / ".claude" / "settings.json").is_file()  # --project is the default


# --- install-shim into a new folder -----------------------------------------------------------


def test_install_shim_says_when_it_creates_the_folder(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "new" / "bin"
    done = run_guard(["install-shim", str(folder)], base_env)
    assert done.returncode == 0
    assert f"created {folder}" in done.stdout
    assert os.access(folder / "codex", os.X_OK)
    assert f"{folder} is not on PATH" in done.stderr

    again = run_guard(["install-shim", str(folder)], {**base_env, "PATH": f"{folder}:/usr/bin"})
    assert again.returncode == 0 and "created" not in again.stdout
    assert "not on PATH" not in again.stderr


def test_install_shim_where_a_file_stands_names_it(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = run_guard(["install-shim", str(blocker / "bin")], base_env)
    assert done.returncode != 0
    assert str(blocker) in done.stderr


# --- doctor --codex PATH ----------------------------------------------------------------------


def test_doctor_names_a_missing_codex_path(base_env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "no" / "codex"
    done = run_guard(["doctor", "--codex", str(missing)], base_env, cwd=tmp_path)
    assert done.returncode == 1
    first = done.stdout.splitlines()[0]
    assert first.startswith("FAIL codex:") and str(missing) in first and "no such file" in first
    assert "on PATH" not in first

    plain = tmp_path / "codex"
    plain.write_text("#!/bin/sh\n")
    done = run_guard(["doctor", "--codex", str(plain)], base_env, cwd=tmp_path)
    first = done.stdout.splitlines()[0]
    assert done.returncode == 1 and str(plain) in first and "not executable" in first
