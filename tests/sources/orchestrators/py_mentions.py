# expect: none
# ruff: noqa  (a realistic orchestrator as users write them, not project code)
"""Docs and helpers that only mention codex: none of this starts it."""

import subprocess

CODEX_HELP = "Run `codex exec --dangerously-bypass-approvals-and-sandbox` only in a VM."
PATTERN = r"codex exec .*--full-auto"
FLAGS = ["--full-auto", "--yolo"]


def explain() -> str:
    # codex exec --yolo "do it" would bypass the sandbox: never do that here
    return CODEX_HELP + " " + " ".join(FLAGS)


def find_uses(root: str) -> str:
    found = subprocess.run(["grep", "-rn", PATTERN, root], capture_output=True, text=True)
    subprocess.run(["echo", "codex exec --yolo", *FLAGS], check=False)
    return found.stdout
