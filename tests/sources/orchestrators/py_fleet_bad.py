# expect: CG903:error@46 CG101:error@48 CG201:warning@48 CG303:error@48 CG101:error@57 CG201:warning@57 CG303:error@57 CG101:error@66 CG101:error@73
# ruff: noqa  (a realistic orchestrator as users write them, not project code)
"""A fleet dispatcher: the argv is assembled across the file, as real orchestrators do."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Final

MODEL: Final = "gpt-5-codex"
REASONING = "model_reasoning_effort=high"
PROMPT = "Run the migration and commit"
CODEX_FLAGS = "--dangerously-bypass-approvals-and-sandbox"
_BOOT_FLAGS = ("-m", MODEL, "-c", REASONING, "--json")
EXTRA_ENV = {"OPENAI_API_KEY": os.environ.get("BILLING_KEY", "")}


@dataclass
class Task:
    model: str
    repo: str
    prompt: str


class Lanes:
    WORKER = ["-s", "workspace-write"]
    REVIEW_CMD = "codex exec -s read-only --skip-git-repo-check"


def build_codex_command(model: str, repo: str) -> list[str]:
    return ["codex", "exec", "--full-auto", "-m", model, "-C", repo]


def base_argv(unsafe: bool) -> list[str]:
    argv = ["codex", "exec", "-C", "."]
    if unsafe:
        argv.append(CODEX_FLAGS)
    return argv


def run(task: Task) -> None:
    cmd = build_codex_command(task.model, task.repo) + [task.prompt]
    subprocess.run(cmd, stdin=subprocess.DEVNULL, check=False)
    boot = ["codex", "-a", "never", "exec", "-C", task.repo, CODEX_FLAGS, *_BOOT_FLAGS, PROMPT]
    subprocess.run(boot, env={**os.environ, **EXTRA_ENV}, check=False)


def dispatch(task: Task, unsafe: bool = False) -> None:
    argv = base_argv(unsafe)
    argv.extend(Lanes.WORKER)
    argv += [task.prompt]
    env = os.environ.copy()
    env["OPENAI_API_KEY"] = os.environ.get("BILLING_KEY", "")
    subprocess.run(
        argv,
        env=env,
        check=False,
    )


def review(task: Task) -> None:
    line = f"{Lanes.REVIEW_CMD} -C {shlex.quote(task.repo)} {shlex.quote(task.prompt)}"
    subprocess.run(
        line + " </dev/null", shell=True, env=dict(os.environ, CODEX_API_KEY="k"), check=False
    )


def resume(task: Task) -> None:
    os.environ.update(OPENAI_API_KEY=os.environ.get("BILLING_KEY", ""))
    subprocess.run(
        ["codex", "exec", "-s", "read-only", "-C", task.repo, "resume", "--last", "-"],
        input=task.prompt,
        text=True,
        check=False,
    )
