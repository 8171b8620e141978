"""A cached "allowed" is bound to the Codex config layers the run reads, by content: a
config.toml that gains an API-billing provider after a run was allowed is checked again, through
the exec shim and through the PATH shim (the adversarial case: the same command line, a new file)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import run_guard
from tests.runtime.recorder import Recorder, chatgpt_home_in, clean_env, make_recorder, run_exec

PLAIN = 'model = "o3"\n'
BEARER = (
    'model_provider = "x"\n'
    "[model_providers.x]\n"
    'base_url = "https://api.openai.com/v1"\n'
    'experimental_bearer_token = "sk-not-a-real-key"\n'
)


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return make_recorder(tmp_path / "bin")


@pytest.fixture
def home(workspace: Path) -> Path:
    # A CODEX_HOME in the repository: the layers the engine reads (guard/engine/configlayers.py).
    return chatgpt_home_in(workspace / "codex-home")


@pytest.fixture
def env(recorder: Recorder, home: Path, base_env: dict[str, str]) -> dict[str, str]:
    return clean_env(base_env, recorder, home)


def _argv(workspace: Path) -> list[str]:
    return ["--", "codex", "exec", "-s", "read-only", "-C", str(workspace), "p"]


def test_exec_shim_checks_a_changed_home_config_again(
    recorder: Recorder, home: Path, env: dict[str, str], workspace: Path
) -> None:
    config = home / "config.toml"
    config.write_text(PLAIN)
    for _ in range(2):  # the second run is answered from the caches
        assert run_exec(_argv(workspace), env, workspace).returncode == 0
    assert len(recorder.runs()) == 2
    stat = config.stat()
    config.write_text(BEARER)
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # `touch -d`: the mtime put back
    recorder.clear()
    proc = run_exec(_argv(workspace), env, workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG102" in proc.stderr
    assert recorder.runs() == []


def test_path_shim_checks_a_changed_project_config_again(
    recorder: Recorder, env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    shim = tmp_path / "shim"
    assert run_guard(["install-shim", str(shim)], env).returncode == 0
    env = {**env, "PATH": f"{shim}{os.pathsep}{env['PATH']}"}
    project = workspace / ".codex"
    project.mkdir()
    (project / "config.toml").write_text(PLAIN)
    argv = [str(shim / "codex"), "exec", "--trust", "-C", str(workspace), "p"]
    for _ in range(2):
        proc = _run(argv, env, workspace)
        assert proc.returncode == 0, proc.stderr
    (project / "config.toml").write_text('sandbox_mode = "danger-full-access"\n')
    recorder.clear()
    proc = _run(argv, env, workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG303" in proc.stderr
    assert recorder.runs() == []


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc
