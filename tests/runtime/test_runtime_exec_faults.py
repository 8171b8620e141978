"""Environment faults at the exec shim and the PATH shim, each answered with one clear line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import guard_cmd, run_guard
from tests.runtime.recorder import Recorder, chatgpt_home_in, clean_env, make_recorder, run_exec

RUN = ["exec", "-C", ".", "-s", "read-only", "p"]


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return make_recorder(tmp_path / "bin")


@pytest.fixture
def env(tmp_path: Path, recorder: Recorder, base_env: dict[str, str]) -> dict[str, str]:
    return clean_env(base_env, recorder, chatgpt_home_in(tmp_path / "codex-home"))


def test_an_auth_json_fifo_is_refused_not_waited_on(
    recorder: Recorder, env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    home = tmp_path / "fifo-home"
    home.mkdir()
    os.mkfifo(home / "auth.json")
    proc = run_exec(["--", "codex", *RUN], {**env, "CODEX_HOME": str(home)}, workspace, timeout=30)
    assert proc.returncode == 3
    assert "auth.json is not a regular file" in proc.stderr
    assert "CG102" in proc.stderr
    assert recorder.runs() == []


def test_a_deleted_cwd_is_a_clear_refusal(
    recorder: Recorder, env: dict[str, str], tmp_path: Path
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    # The child starts in `gone`, which is removed before the shim looks at its cwd.
    script = 'rmdir "$PWD" && exec "$@"'
    proc = subprocess.run(
        ["sh", "-c", script, "sh", *guard_cmd("exec", "--", "codex", *RUN)],
        cwd=gone,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert "current folder cannot be read" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert recorder.runs() == []


def test_a_quoting_error_in_exec_options_is_one_line_and_exit_2(
    tmp_path: Path, recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    shim = tmp_path / "shim"
    assert run_guard(["install-shim", str(shim)], env).returncode == 0
    shim_env = {**env, "PATH": f"{shim}:{env['PATH']}"}
    for options in ("--lane 'worker", "--scrub-env stray"):
        proc = subprocess.run(
            ["codex", *RUN],
            env={**shim_env, "CODEX_GUARD_EXEC_OPTIONS": options},
            cwd=workspace,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("codex-guard shim: CODEX_GUARD_EXEC_OPTIONS")
        assert "internal error" not in proc.stderr
    assert recorder.runs() == []


def test_set_tmpdir_is_what_the_rules_see(
    recorder: Recorder, env: dict[str, str], base_env: dict[str, str]
) -> None:
    """CG501 reads the run's TMPDIR: the one --set-tmpdir just set satisfies it. (The workspace
    is outside /tmp: the rule takes a TMPDIR under /tmp for the system's.)"""
    import tempfile

    home = Path(os.path.expanduser("~"))
    with tempfile.TemporaryDirectory(dir=home, prefix=".codex-guard-test-") as folder:
        work = Path(folder)
        argv = ["exec", "-C", ".", "-s", "workspace-write", "fix it and git commit"]
        unset = run_exec(["--", "codex", *argv], env, work)
        assert unset.returncode == 0 and "CG501" in unset.stderr  # the rule does fire here
        recorder.clear()
        proc = run_exec(["--set-tmpdir", "--", "codex", *argv], env, work)
        assert proc.returncode == 0, proc.stderr
        assert "CG501" not in proc.stderr
        [run] = recorder.runs()
        assert run.tmpdir == str(work / ".tmp") and (work / ".tmp").is_dir()


def test_dry_run_changes_nothing_on_disk(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    argv = ["--dry-run", "--set-tmpdir", "--", "codex", *RUN]
    before = sorted(workspace.iterdir())
    proc = run_exec(argv, env, workspace)
    assert proc.returncode == 0, proc.stderr
    assert f"TMPDIR={workspace / '.tmp'} (would be created)" in proc.stderr
    assert sorted(workspace.iterdir()) == before
    assert recorder.runs() == []
    # No decision is stored either (only the engine's parse of its own rule files may be).
    cache = Path(env["XDG_CACHE_HOME"]) / "codex-guard"
    for part in ("exec", "fastexec", "auth"):
        assert not (cache / part).exists() or not list((cache / part).iterdir()), part
