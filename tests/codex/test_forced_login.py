"""`-c forced_login_method="chatgpt"`: what the real 0.171.0 binary does with it, and the argv rewrite
the exec doors can apply (guard.runtime.forcelogin). Observed with a throwaway CODEX_HOME, no network:
codex refuses a stored API key and CODEX_API_KEY (exit 1, and it logs out: auth.json is removed), does
not refuse OPENAI_API_KEY in the env, and honours the key in config.toml as well."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from guard.runtime.forcelogin import OVERRIDE, with_forced_chatgpt_login
from tests.codex.realbin import real_codex
from tests.runtime.conftest import apikey_auth, chatgpt_auth

REFUSAL = "ChatGPT login is required, but an API key is currently being used"


@pytest.mark.parametrize(
    ("argv", "want"),
    [
        (["codex", "exec", "-s", "read-only", "p"], ["codex", "exec", "-s", "read-only", "p", "-c", OVERRIDE]),
        (["codex", "exec", "-s", "read-only", "--", "-p"], ["codex", "exec", "-s", "read-only", "-c", OVERRIDE, "--", "-p"]),
        (["codex", "-m", "gpt-5", "e", "p"], ["codex", "-m", "gpt-5", "e", "p", "-c", OVERRIDE]),
        (["codex", "exec", "resume", "--last", "p"], ["codex", "exec", "resume", "--last", "p", "-c", OVERRIDE]),
        (["codex", "exec", "review", "--uncommitted"], ["codex", "exec", "review", "--uncommitted", "-c", OVERRIDE]),
        # an earlier -c of the key is overridden by ours, the last one
        (["codex", "exec", "-c", "forced_login_method=api", "p"], ["codex", "exec", "-c", "forced_login_method=api", "p", "-c", OVERRIDE]),
    ],
)  # fmt: skip
def test_rewrite_adds_the_override_to_exec_runs(argv: list[str], want: list[str]) -> None:
    assert with_forced_chatgpt_login(argv) == want
    assert with_forced_chatgpt_login(want) == want  # idempotent


@pytest.mark.parametrize(
    "argv",
    [
        ["codex", "login", "status"],
        ["codex", "login", "--with-access-token"],
        ["codex", "mcp", "list"],
        ["codex", "--version"],
        ["codex"],
        ["codex", "exec", "--remote", "ws://127.0.0.1:1", "p"],  # -c is refused next to --remote
        ["codex", "exec", "-c", 'forced_login_method="chatgpt"', "p"],
    ],
)
def test_rewrite_leaves_other_commands_alone(argv: list[str]) -> None:
    assert with_forced_chatgpt_login(argv) == argv


def test_rewrite_can_be_switched_off() -> None:
    argv = ["codex", "exec", "p"]
    assert with_forced_chatgpt_login(argv, enabled=False) == argv


# --- the real binary ---------------------------------------------------------------------------


@pytest.fixture
def codex171() -> Path:
    binary = real_codex("0.171.0")
    if binary is None:
        pytest.skip("codex-cli 0.171.0 not installed (.ci/install-codex)")
    return binary


def _run(
    binary: Path, argv: list[str], home: Path, extra_env: dict[str, str]
) -> tuple[int | None, str]:
    """(exit status or None when it was still running after 6 s, output). Past the banner codex
    only retries the network: then the process group is killed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_ACCESS_TOKEN")
    }
    env.update(CODEX_HOME=str(home), **extra_env)
    proc = subprocess.Popen(
        [str(binary), *argv[1:]], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env, cwd=home, start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=6)
        return proc.returncode, out.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out.decode("utf-8", "replace")


def _home(tmp_path: Path, name: str, auth: dict[str, object] | None, config: str = "") -> Path:
    home = tmp_path / name
    home.mkdir()
    if auth is not None:
        (home / "auth.json").write_text(json.dumps(auth))
    if config:
        (home / "config.toml").write_text(config)
    return home


ARGV = ["codex", "exec", "--skip-git-repo-check", "-s", "read-only", "hi"]


def test_stored_api_key_is_refused_and_logged_out(codex171: Path, tmp_path: Path) -> None:
    home = _home(tmp_path, "h", apikey_auth())
    code, out = _run(codex171, with_forced_chatgpt_login(ARGV), home, {})
    assert code == 1 and REFUSAL in out
    assert not (home / "auth.json").exists()  # codex logged out


def test_codex_api_key_in_env_is_refused_even_over_chatgpt_login(
    codex171: Path, tmp_path: Path
) -> None:
    home = _home(tmp_path, "h", chatgpt_auth())
    code, out = _run(codex171, with_forced_chatgpt_login(ARGV), home, {"CODEX_API_KEY": "sk-test"})
    assert code == 1 and REFUSAL in out
    assert not (home / "auth.json").exists()  # the ChatGPT login is gone too: a cost to know


def test_without_the_override_the_key_is_used(codex171: Path, tmp_path: Path) -> None:
    home = _home(tmp_path, "h", None)
    code, out = _run(codex171, ARGV, home, {"CODEX_API_KEY": "sk-test"})
    assert code is None and REFUSAL not in out  # still running: it went on to the network


def test_openai_api_key_in_env_is_not_refused(codex171: Path, tmp_path: Path) -> None:
    home = _home(tmp_path, "h", chatgpt_auth())
    code, out = _run(codex171, with_forced_chatgpt_login(ARGV), home, {"OPENAI_API_KEY": "sk-test"})
    assert code is None and REFUSAL not in out  # still running: not refused
    assert (home / "auth.json").exists()


def test_chatgpt_login_runs_with_the_override(codex171: Path, tmp_path: Path) -> None:
    home = _home(tmp_path, "h", chatgpt_auth())
    code, out = _run(codex171, with_forced_chatgpt_login(ARGV), home, {})
    assert code is None and REFUSAL not in out  # still running: not refused
    assert (home / "auth.json").exists()


def test_config_toml_key_is_respected_on_0171(codex171: Path, tmp_path: Path) -> None:
    """Upstream #46914 (config.toml not respected, -c is) does not reproduce on 0.171.0."""
    home = _home(tmp_path, "h", apikey_auth(), config='forced_login_method = "chatgpt"\n')
    code, out = _run(codex171, ARGV, home, {})
    assert code == 1 and REFUSAL in out
