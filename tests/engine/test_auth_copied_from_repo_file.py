"""auth.json (or config.toml) written from a repository file by `cat`, `dd if=`, `cat <` or
`tee <` is read like `cp` reads it: an API-key auth.json is CG102 and refused at `check`, a
subscription one is allowed, and only a file that cannot be read stays the "cannot read" warning.
Each writer is also run under bash, to show the file it names really lands in auth.json."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

API_KEY_AUTH = '{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test"}\n'
CHATGPT_AUTH = '{"auth_mode": "chatgpt"}\n'
WRITERS = [
    "dd if={src} of=$HOME/.codex/auth.json",
    "dd if={src} of=$HOME/.codex/auth.json status=none",
    "cat {src} > $HOME/.codex/auth.json",
    "cat < {src} > ~/.codex/auth.json",
    "tee ~/.codex/auth.json < {src} > /dev/null",
    "cat ok.json {src} > ~/.codex/auth.json",
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "ak.json").write_text(API_KEY_AUTH, encoding="utf-8")
    (tmp_path / "ok.json").write_text(CHATGPT_AUTH, encoding="utf-8")
    return tmp_path


def _check(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["codex-guard", "check", command], capture_output=True, text=True, timeout=60, cwd=cwd,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize("writer", WRITERS)
def test_api_key_auth_copied_by_any_writer_is_refused(writer: str, repo: Path) -> None:
    command = writer.format(src="ak.json")
    # What really happens under bash: the key lands in the auth.json codex will read.
    home = repo / "home"
    (home / ".codex").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home)}
    subprocess.run(["bash", "-c", command], cwd=repo, env=env, check=True, capture_output=True)
    assert '"apikey"' in (home / ".codex" / "auth.json").read_text(encoding="utf-8")
    proc = _check(command, repo)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "error CG102" in proc.stderr + proc.stdout
    assert "cannot read" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("writer", WRITERS[:5])
def test_subscription_auth_copied_is_allowed(writer: str, repo: Path) -> None:
    proc = _check(writer.format(src="ok.json"), repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CG102" not in proc.stdout + proc.stderr


def test_a_file_that_cannot_be_read_is_still_the_warning(repo: Path) -> None:
    proc = _check("cat missing.json > ~/.codex/auth.json", repo)
    assert "warning CG102" in proc.stdout + proc.stderr
    assert "cannot read" in proc.stdout + proc.stderr
