# expect: none
# ruff: noqa  (a realistic orchestrator as users write them, not project code)
"""The same fleet dispatcher, done right: a sandbox per lane, stdin closed or fed, no API key."""

from __future__ import annotations

import os
import shlex
import subprocess
from typing import Final

MODEL: Final = "gpt-5-codex"
SAFE_FLAGS = ("-s", "workspace-write")
REVIEW_FLAGS: Final = ["-s", "read-only", "--skip-git-repo-check"]
FORBIDDEN = ("OPENAI_API_KEY", "CODEX_API_KEY")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FORBIDDEN}
    env["TMPDIR"] = os.path.join(os.getcwd(), ".tmp")
    return env


def worker_argv(repo: str, model: str = MODEL) -> list[str]:
    argv = ["codex", "exec", "-C", repo, *SAFE_FLAGS]
    if model:
        argv += ["-m", model]
    return argv


def dispatch(repo: str, prompt: str) -> subprocess.CompletedProcess[str]:
    argv = worker_argv(repo) + ["-"]
    return subprocess.run(argv, input=prompt, text=True, env=clean_env(), check=False)


def review(repo: str, prompt: str) -> None:
    line = " ".join(["codex", "exec", "-C", shlex.quote(repo), *REVIEW_FLAGS, "-"])
    subprocess.run(line, shell=True, input=prompt, text=True, check=False)


def status() -> str:
    done = subprocess.run(["codex", "login", "status"], capture_output=True, text=True, check=False)
    return done.stderr
