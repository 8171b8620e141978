"""The exec shim and the PATH shim hand every codex run `-c forced_login_method="chatgpt"`, so
codex itself refuses a stored or CODEX_API_KEY key the checks could not see (observed on 0.171.0:
tests/codex/test_forced_login.py). Only the user config may turn it off; the warm path replays the
override and nothing else."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from tests.runtime.conftest import FORCED_LOGIN
from tests.runtime.recorder import Recorder, chatgpt_home_in, clean_env, make_recorder, run_exec

FORCED = list(FORCED_LOGIN)


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return make_recorder(tmp_path / "bin")


@pytest.fixture
def env(tmp_path: Path, recorder: Recorder, base_env: dict[str, str]) -> dict[str, str]:
    return clean_env(base_env, recorder, chatgpt_home_in(tmp_path / "codex-home"))


def _argv(workspace: Path, *prefix: str) -> list[str]:
    return ["--", *prefix, "codex", "exec", "-C", str(workspace), "-s", "read-only", "task"]


def test_codex_gets_the_forced_login_override(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    proc = run_exec(_argv(workspace), env, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.argv == ["exec", "-C", str(workspace), "-s", "read-only", "task", *FORCED]


def test_the_override_goes_before_a_double_dash_and_through_wrappers(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    argv = ["--", "timeout", "60", "codex", "exec", "-C", str(workspace), "-s", "read-only"]
    proc = run_exec([*argv, "--", "-task-"], env, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.argv == ["exec", "-C", str(workspace), "-s", "read-only", *FORCED, "--", "-task-"]


def test_a_repository_config_cannot_turn_it_off(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    (workspace / ".codex-guard.yaml").write_text("exec:\n  force-chatgpt-login: false\n")
    proc = run_exec(_argv(workspace), env, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.argv[-2:] == FORCED


def test_the_user_config_can_turn_it_off(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    user = Path(env["XDG_CONFIG_HOME"]) / "codex-guard"
    user.mkdir(parents=True, exist_ok=True)
    (user / "config.yaml").write_text("exec:\n  force-chatgpt-login: false\n")
    proc = run_exec(_argv(workspace), env, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.argv == ["exec", "-C", str(workspace), "-s", "read-only", "task"]


def _entries(env: dict[str, str]) -> list[Path]:
    folder = Path(env["XDG_CACHE_HOME"]) / "codex-guard" / "fastexec"
    return sorted(folder.glob("*.marshal")) if folder.exists() else []


def test_the_warm_path_replays_the_override_and_nothing_else(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    env["PYTHONPROFILEIMPORTTIME"] = "1"  # lists every module a run imports
    for _ in range(2):
        proc = run_exec(_argv(workspace), env, workspace)
        assert proc.returncode == 0, proc.stderr
    assert "guard.runtime.execshim" not in proc.stderr  # the second run was warm
    assert [run.argv[-2:] for run in recorder.runs()] == [FORCED, FORCED]
    [entry] = _entries(env)
    data = marshal.loads(entry.read_bytes())
    data["args"] = [*data["args"], "--dangerously-bypass-approvals-and-sandbox"]
    entry.write_bytes(marshal.dumps(data))
    recorder.clear()
    proc = run_exec(_argv(workspace), env, workspace)
    assert proc.returncode == 0, proc.stderr
    assert "guard.runtime.execshim" in proc.stderr  # an edited entry is a miss: full check
    [run] = recorder.runs()
    assert "--dangerously-bypass-approvals-and-sandbox" not in run.argv
