"""Fixtures for the runtime doors: the real codex CLI, fake codex scripts, temp CODEX_HOMEs.

The real CLI is installed by `.ci/install-codex` into `<repo>/.codex-cli` (npm, pinned 0.169.0);
it needs no network for `--help`, `login status` and the stdin hang.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REAL_CODEX = REPO / ".codex-cli" / "node_modules" / ".bin" / "codex"
FORBIDDEN = ("OPENAI_API_KEY", "CODEX_API_KEY")
# What the exec shim and the PATH shim add to every codex exec run they start
# (guard/runtime/forcelogin.py); as the fake codex logs it ("$*") and as an argv.
FORCED_LOGIN = ("-c", 'forced_login_method="chatgpt"')
FORCED_LOGIN_TEXT = " ".join(FORCED_LOGIN)

FAKE_CODEX = """#!/bin/sh
# A stand-in codex: logs every call, answers `login status` on stderr like the real one.
printf '%s\\n' "$*" >> "${FAKE_CODEX_LOG:-/dev/null}"
if [ "$1" = "login" ] && [ "$2" = "status" ]; then
  echo "WARNING: proceeding, even though we could not create PATH aliases" >&2
  echo "${FAKE_LOGIN_STATUS:-Logged in using ChatGPT}" >&2
  exit 0
fi
if [ -n "$FAKE_CODEX_PIDFILE" ]; then echo $$ > "$FAKE_CODEX_PIDFILE"; fi
echo "fake-stdout key=${OPENAI_API_KEY:-unset} tmpdir=${TMPDIR:-unset}"
echo "fake-stderr" >&2
if [ -n "$FAKE_SLEEP" ]; then exec sleep "$FAKE_SLEEP"; fi
exit "${FAKE_EXIT:-0}"
"""


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.sig"


def chatgpt_auth() -> dict[str, object]:
    """The shape `codex login` writes for a ChatGPT login; `codex login status` accepts it."""
    token = _jwt(
        {
            "email": "worker@example.com",
            "exp": 4102444800,
            "https://api.openai.com/auth": {
                "chatgpt_plan_type": "pro",
                "chatgpt_account_id": "acct-1",
            },
        }
    )
    return {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "tokens": {
            "id_token": token,
            "access_token": token,
            "refresh_token": "refresh",
            "account_id": "acct-1",
        },
        "last_refresh": "2026-11-25T00:00:00Z",
    }


def apikey_auth() -> dict[str, object]:
    """What `codex login --with-api-key` writes (FACTS.md)."""
    return {"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test-not-a-real-key"}


@pytest.fixture
def real_codex() -> str:
    if not os.access(REAL_CODEX, os.X_OK):
        pytest.skip(f"the real codex CLI is not installed at {REAL_CODEX} (run .ci/install-codex)")
    return str(REAL_CODEX)


@pytest.fixture
def chatgpt_home(tmp_path: Path) -> Path:
    home = tmp_path / "codex-home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps(chatgpt_auth()))
    return home


@pytest.fixture
def apikey_home(tmp_path: Path) -> Path:
    home = tmp_path / "codex-home-apikey"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps(apikey_auth()))
    return home


@dataclass
class Fake:
    folder: Path
    path: Path
    log: Path

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def fake_codex(tmp_path: Path) -> Fake:
    folder = tmp_path / "fakebin"
    folder.mkdir()
    path = folder / "codex"
    path.write_text(FAKE_CODEX)
    path.chmod(0o755)
    return Fake(folder, path, tmp_path / "fake-codex.log")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """The test's own env: no forbidden key, a private cache (auth cache, rule cache)."""
    env = {k: v for k, v in os.environ.items() if k not in FORBIDDEN and k != "CODEX_HOME"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no user config unless a test writes one
    env.pop("CODEX_GUARD_EXEC_OPTIONS", None)
    return env


def guard_cmd(*args: str) -> list[str]:
    """The console script's entry, with the interpreter the tests run under."""
    return [sys.executable, "-m", "guard", *args]


def run_guard(
    args: list[str],
    env: dict[str, str],
    cwd: Path | None = None,
    input: str | None = None,
    stdin: int | None = subprocess.DEVNULL,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        guard_cmd(*args),
        env=env,
        cwd=cwd,
        input=input,
        stdin=None if input is not None else stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    return proc


def check_door(command: str, env: dict[str, str], cwd: Path) -> tuple[bool, set[str]]:
    """`check --format json COMMAND`: whether the door allows it, and the rules it found."""
    doc = json.loads(run_guard(["check", "--format", "json", command], env, cwd=cwd).stdout)
    return bool(doc["allowed"]), {f["rule"] for f in doc["findings"]}


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.fixture
def popen_cleanup() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            kill_group(proc)
