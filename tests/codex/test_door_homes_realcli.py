"""Which Codex home the real codex reads, and which config layer wins, against 0.171.0: the facts
guard/engine/doorhome.py and configlayers.sandbox_setting rest on, each next to what `codex-guard
check` says about the same command line (run from the same folder).

Every codex start here has a throwaway home: CODEX_HOME in a temp folder or, where HOME itself is
what is observed, CODEX_HOME unset and HOME a temp folder. Skipped when the binary is missing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.codex.test_config_realcli import BINARY

pytestmark = pytest.mark.skipif(BINARY is None, reason="the real codex CLI is not installed")

APIKEY = {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test"}
FULL_ACCESS = 'sandbox_mode = "danger-full-access"\n'


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    drop = ("OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_HOME")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return {**env, "HOME": str(tmp_path / "user-home"), **extra}


def _shell(line: str, cwd: Path, env: dict[str, str]) -> str:
    """`line` run by sh with `codex` the real binary: what it prints on stdout and stderr."""
    assert BINARY is not None
    path = f"{BINARY.parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        ["sh", "-c", line], cwd=cwd, env={**env, "PATH": path}, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return proc.stdout + proc.stderr


def _sandbox(line: str, cwd: Path, env: dict[str, str]) -> str:
    """The `sandbox:` line of the run banner of `line` (a `codex exec`), then stop it."""
    assert BINARY is not None
    path = f"{BINARY.parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.Popen(
        ["sh", "-c", line], cwd=cwd, env={**env, "PATH": path}, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for out in proc.stdout:
            if out.startswith("sandbox:"):
                return out.split(":", 1)[1].strip()
            if out.startswith(("Error", "ERROR:")):
                return out.strip()
        return ""
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _check(line: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "guard", "check", line], cwd=cwd, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr


def _home(folder: Path, auth: dict[str, str], files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "auth.json").write_text(json.dumps(auth))
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "lab" / "repo"
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


def test_a_relative_codex_home_is_read_from_the_folder_after_the_cd(
    tmp_path: Path, repo: Path
) -> None:
    _home(repo.parent / "ch3", APIKEY)
    env = _env(tmp_path)
    said = _shell("cd .. && CODEX_HOME=ch3 codex login status", repo, env)
    assert "API key configured" in said, said
    line = "cd ..; CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null"
    code, out = _check(line, repo, env)
    assert code == 1 and "CG102" in out, out


def test_home_names_the_codex_home_when_codex_home_is_unset(tmp_path: Path, repo: Path) -> None:
    _home(tmp_path / "hh" / ".codex", APIKEY, {"config.toml": FULL_ACCESS})
    env = _env(tmp_path)
    said = _shell(f"HOME={tmp_path}/hh codex login status", repo, env)
    assert "API key configured" in said, said
    line = f"HOME={tmp_path}/hh codex exec -C . hi </dev/null"
    assert _sandbox(line, repo, env) == "danger-full-access"
    code, out = _check(line, repo, env)
    assert code == 1 and "CG102" in out and "error CG303" in out, out


@pytest.mark.parametrize(
    ("files", "args"),
    [({"config.toml": FULL_ACCESS}, ""), ({"dfa.config.toml": FULL_ACCESS}, "-p dfa ")],
)
def test_a_codex_home_outside_the_repository_sets_the_sandbox(
    files: dict[str, str], args: str, tmp_path: Path, repo: Path
) -> None:
    home = _home(tmp_path / "ch2", {"auth_mode": "chatgpt"}, files)
    env = _env(tmp_path)
    line = f"CODEX_HOME={home} codex exec -C . {args}hi </dev/null"
    assert _sandbox(line, repo, env) == "danger-full-access"
    code, out = _check(line, repo, env)
    assert code == 1 and "error CG303" in out, out


def test_an_untrusted_project_config_is_ignored_under_a_full_access_home(
    tmp_path: Path, repo: Path
) -> None:
    _home(repo / "codex-home", {"auth_mode": "chatgpt"}, {"config.toml": FULL_ACCESS})
    (repo / ".codex").mkdir()
    (repo / ".codex" / "config.toml").write_text('sandbox_mode = "read-only"\n')
    env = _env(tmp_path)
    line = "CODEX_HOME=./codex-home codex exec -C . hi </dev/null"
    assert _sandbox(line, repo, env) == "danger-full-access"
    trusted = line.replace("exec", "exec --trust")
    assert _sandbox(trusted, repo, env) == "read-only"
    code, out = _check(line, repo, env)
    assert code == 1 and "error CG303" in out, out
    code, out = _check(trusted, repo, env)
    assert code == 0 and "CG303" not in out, out


def test_an_untrusted_project_config_does_not_narrow_the_homes_writable_roots(
    tmp_path: Path, repo: Path
) -> None:
    home_config = '[sandbox_workspace_write]\nwritable_roots = ["/"]\n'
    _home(repo / "codex-home", {"auth_mode": "chatgpt"}, {"config.toml": home_config})
    (repo / ".codex").mkdir()
    (repo / ".codex" / "config.toml").write_text("[sandbox_workspace_write]\nwritable_roots = []\n")
    env = _env(tmp_path)
    line = "CODEX_HOME=./codex-home codex exec -C . -s workspace-write hi </dev/null"
    assert _sandbox(line, repo, env) == "workspace-write [workdir, /tmp, $TMPDIR, /]"
    trusted = line.replace("exec", "exec --trust")
    assert _sandbox(trusted, repo, env) == "workspace-write [workdir, /tmp, $TMPDIR]"
    code, out = _check(line, repo, env)
    assert code == 1 and "error CG504" in out, out
