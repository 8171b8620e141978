"""The warm path: a run already checked and allowed execs without the rules, and any change to
what it was decided on sends the next run through the full check again."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.runtime.conftest import Fake, apikey_auth, guard_cmd, run_guard


def _argv(fake: Fake, workspace: Path, *flags: str) -> list[str]:
    return ["exec", "--", str(fake.path), "exec", "-C", str(workspace), *flags, "task"]


def _loads_rules(stderr: str) -> bool:
    """PYTHONPROFILEIMPORTTIME lists every module the run imported."""
    return "guard.engine" in stderr


def test_a_second_identical_run_skips_the_rules_and_says_the_same(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home), "PYTHONPROFILEIMPORTTIME": "1"}
    env["FAKE_CODEX_LOG"] = str(fake_codex.log)
    argv = _argv(fake_codex, workspace, "-s", "read-only")
    cold = run_guard(argv, env, cwd=workspace)
    warm = run_guard(argv, env, cwd=workspace)
    assert cold.returncode == warm.returncode == 0, cold.stderr
    assert _loads_rules(cold.stderr) and not _loads_rules(warm.stderr)

    def said(stderr: str) -> list[str]:
        return [line for line in stderr.splitlines() if line.startswith("codex-guard:")]

    assert said(cold.stderr) and said(cold.stderr) == said(warm.stderr)
    assert len(fake_codex.calls()) == 2


def test_every_changed_fact_is_checked_again(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    # Only the user config may declare the host sandboxed (README "Trust model"); the repository's
    # config below can turn it off again, never on.
    user_config = Path(env["XDG_CONFIG_HOME"]) / "codex-guard" / "config.yaml"
    user_config.parent.mkdir(parents=True)
    user_config.write_text("sandboxed-host: true\n")
    (workspace / ".codex-guard.yaml").write_text("sandboxed-host: true\n")
    argv = _argv(fake_codex, workspace, "--yolo")
    assert run_guard(argv, env, cwd=workspace).returncode == 0
    assert run_guard(argv, env, cwd=workspace).returncode == 0  # warm

    keyed = run_guard(argv, {**env, "OPENAI_API_KEY": "k"}, cwd=workspace)
    assert keyed.returncode == 3 and "CG101" in keyed.stderr

    idle = subprocess.Popen(  # an open pipe nobody writes: the classic hang, refused
        guard_cmd(*argv), stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=workspace
    )
    try:
        assert idle.wait(timeout=30) == 3
        assert idle.stderr is not None and b"CG201" in idle.stderr.read()
    finally:
        assert idle.stdin is not None
        idle.stdin.close()
        idle.kill()

    (workspace / ".codex-guard.yaml").write_text("sandboxed-host: false\n")
    host = run_guard(argv, env, cwd=workspace)
    assert host.returncode == 3 and "CG303" in host.stderr

    (workspace / ".codex-guard.yaml").write_text("sandboxed-host: true\n")
    assert run_guard(argv, env, cwd=workspace).returncode == 0
    (chatgpt_home / "auth.json").write_text(json.dumps(apikey_auth()))
    billed = run_guard(argv, env, cwd=workspace)
    assert billed.returncode == 3 and "CG102" in billed.stderr


def test_a_refusal_is_never_remembered(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home), "OPENAI_API_KEY": "k"}
    argv = _argv(fake_codex, workspace, "-s", "read-only")
    for _ in range(2):
        proc = run_guard(argv, env, cwd=workspace)
        assert proc.returncode == 3 and "CG101" in proc.stderr
    assert fake_codex.calls() == []
    assert not list((Path(env["XDG_CACHE_HOME"]) / "codex-guard" / "fastexec").glob("*"))
