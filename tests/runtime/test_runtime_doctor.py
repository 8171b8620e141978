"""`codex-guard doctor` against the real codex binary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.codex.grammar import NEWEST, supported_versions
from tests.codex.realbin import binary_version, real_codex
from tests.runtime.conftest import apikey_auth, run_guard


def _lines(stdout: str) -> dict[str, str]:
    """{check name: status} from `STATUS name: detail` lines."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        status, _, rest = line.partition(" ")
        found[rest.strip().split(":", 1)[0]] = status
    return found


def _env(base_env: dict[str, str], real_codex: str, home: Path) -> dict[str, str]:
    return {
        **base_env,
        "PATH": f"{Path(real_codex).parent}:{base_env['PATH']}",
        "CODEX_HOME": str(home),
    }


def test_doctor_against_the_real_binary(
    real_codex: str, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    proc = run_guard(["doctor"], _env(base_env, real_codex, chatgpt_home), cwd=workspace)
    assert proc.returncode == 0, proc.stdout
    checks = _lines(proc.stdout)
    assert checks["codex"] == "OK"
    assert checks["version"] == "OK"
    version = binary_version(Path(real_codex))
    assert version in supported_versions()  # .ci/install-codex installs a version with a table
    assert f"codex-cli {version}" in proc.stdout
    assert checks["flags (exec)"] == "OK"
    assert checks["flags (exec resume)"] == "OK"
    assert "--yolo accepted, --full-auto rejected" in proc.stdout
    assert checks["login status"] == "OK"
    assert "Logged in using ChatGPT" in proc.stdout
    assert checks["auth mode"] == "OK"
    for line in proc.stdout.splitlines():
        assert line.split(" ", 1)[0] in ("OK", "WARN", "FAIL")


def test_doctor_fails_on_api_billing(
    real_codex: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps(apikey_auth()))
    env = {**_env(base_env, real_codex, home), "OPENAI_API_KEY": "sk-test"}
    proc = run_guard(["doctor"], env, cwd=workspace)
    assert proc.returncode == 1
    checks = _lines(proc.stdout)
    assert checks["env"] == "FAIL"
    assert checks["auth mode"] == "FAIL"
    assert checks["login status"] == "FAIL"
    assert "API key configured" in proc.stdout
    assert "sk-test" not in proc.stdout


def test_doctor_names_added_and_removed_flags(
    real_codex: str, chatgpt_home: Path, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """A 0.169.0 binary that claims to be 0.139.0: doctor names what its --help adds."""
    folder = tmp_path / "liar"
    folder.mkdir()
    liar = folder / "codex"
    liar.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "codex-cli 0.139.0"; exit 0; fi\n'
        f'exec "{real_codex}" "$@"\n'
    )
    liar.chmod(0o755)
    proc = run_guard(
        ["doctor", "--codex", str(liar)], _env(base_env, real_codex, chatgpt_home), cwd=workspace
    )
    checks = _lines(proc.stdout)
    assert checks["flags (exec)"] == "WARN"
    line = next(x for x in proc.stdout.splitlines() if "flags (exec)" in x)
    for flag in ("--approve-for-me", "--worktree", "--thread-source", "--trust"):
        assert flag in line
    assert "added" in line
    hidden = next(x for x in proc.stdout.splitlines() if "hidden flags" in x)
    assert hidden.startswith("WARN") and "--full-auto" in hidden.split("disagrees on", 1)[1]


def test_doctor_sees_the_shim_and_the_hooks(
    real_codex: str, chatgpt_home: Path, tmp_path: Path, base_env: dict[str, str]
) -> None:
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    shim_dir = tmp_path / "shim"
    assert run_guard(["install-shim", str(shim_dir)], base_env).returncode == 0
    env = _env(base_env, real_codex, chatgpt_home)
    env["PATH"] = f"{shim_dir}:{env['PATH']}"
    assert run_guard(["hook", "install", "claude"], env, cwd=project).returncode == 0
    assert run_guard(["hook", "install", "codex"], env, cwd=project).returncode == 0
    proc = run_guard(["doctor"], env, cwd=project)
    checks = _lines(proc.stdout)
    assert checks["shim"] == "OK"
    assert checks["codex"] == "OK"  # the real one, found past the shim
    assert checks["claude hook"] == "OK"
    assert checks["codex hook"] == "OK"


def test_doctor_without_codex_fails(tmp_path: Path, base_env: dict[str, str]) -> None:
    env = {**base_env, "PATH": "/usr/bin:/bin", "CODEX_HOME": str(tmp_path)}
    proc = run_guard(["doctor"], env, cwd=tmp_path)
    assert proc.returncode == 1
    assert _lines(proc.stdout)["codex"] == "FAIL"


def _liar(folder: Path, version: str, binary: Path) -> Path:
    """A real codex that says it is ``version``."""
    folder.mkdir()
    liar = folder / "codex"
    liar.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then echo "codex-cli {version}"; exit 0; fi\n'
        f'exec "{binary}" "$@"\n'
    )
    liar.chmod(0o755)
    return liar


@pytest.mark.parametrize(("real", "verdict"), [
    ("0.171.0", "OK"),  # the same surface as the newest table
    ("0.169.0", "WARN"),  # drops --remote and --remote-auth-token-env from exec
])  # fmt: skip
def test_doctor_names_the_diff_against_the_newest_table(
    real: str, verdict: str, chatgpt_home: Path, tmp_path: Path, workspace: Path,
    base_env: dict[str, str],
) -> None:  # fmt: skip
    """An installed codex newer than every table (here a real one that says 0.172.0)."""
    binary = real_codex(real)
    if binary is None:
        pytest.skip(f"codex-cli {real} not installed (.ci/install-codex {real})")
    liar = _liar(tmp_path / "liar", "0.172.0", binary)
    env = _env(base_env, str(binary), chatgpt_home)
    proc = run_guard(["doctor", "--codex", str(liar)], env, cwd=workspace)
    line = next(x for x in proc.stdout.splitlines() if "flags (exec):" in x)
    assert line.startswith(verdict) and f"newest ({NEWEST})" in line and "0.172.0" in line
    if verdict == "WARN":
        assert "removed --remote, --remote-auth-token-env" in line
        assert "guard.codex.capture" in line


def test_doctor_on_the_default_target(
    chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    binary = real_codex("0.171.0")
    if binary is None:
        pytest.skip("codex-cli 0.171.0 not installed (.ci/install-codex)")
    env = _env(base_env, str(binary), chatgpt_home)
    proc = run_guard(["doctor", "--codex", str(binary)], env, cwd=workspace)
    checks = _lines(proc.stdout)
    assert checks["version"] == "OK" and "codex-cli 0.171.0" in proc.stdout
    assert checks["flags (exec)"] == "OK" and checks["flags (exec resume)"] == "OK"
    assert "--yolo accepted, --full-auto rejected" in proc.stdout
