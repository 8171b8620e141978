"""A key in the environment of a codex command that never starts a model session (`--version`,
`exec --help`, `mcp list`, `logout`, `completion`) bills nothing: no CG101 in `lint` or `check`,
as the PATH shim already lets those through unchecked. The same key on anything that may reach a
model is still CG101. One list, `guard.codex.grammar.reaches_model`, decides for every door."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest

from guard.codex.grammar import reaches_model

MODEL_FREE = [
    "codex --version",
    "codex -V",
    "codex exec --help",
    "codex exec -h",
    "codex exec --yolo --help",
    "codex mcp list",
    "codex logout",
    "codex completion bash",
    "codex login status",
    "codex -c model=o3 features list",
]
REACHES_MODEL = [
    "codex exec -s read-only - < /dev/null",
    "codex review </dev/null",
    "codex -- --help </dev/null",
    "codex exec mcp </dev/null",  # `mcp` is exec's prompt here
    "codex $SUB list </dev/null",  # an unknown word may name any command
]


def _check(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["codex-guard", "check", command], capture_output=True, text=True, timeout=60, cwd=cwd,
        check=False,
    )  # fmt: skip


def _lint_rules(command: str, repo: Path) -> set[str]:
    (repo / "run.sh").write_text(f"#!/bin/bash\n{command}\n", encoding="utf-8")
    proc = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(repo)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return {f["rule"] for f in json.loads(proc.stdout)["findings"]}


@pytest.mark.parametrize("command", MODEL_FREE)
def test_key_on_a_model_free_command_is_not_billing(command: str, tmp_path: Path) -> None:
    argv = shlex.split(command)
    assert not reaches_model(argv[1:])  # the PATH shim's own list says so too
    keyed = f"OPENAI_API_KEY=sk-x {command}"
    proc = _check(keyed, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CG101" not in proc.stdout + proc.stderr
    assert not {"CG101", "CG303"} & _lint_rules(keyed, tmp_path)


@pytest.mark.parametrize("command", REACHES_MODEL)
def test_key_on_a_command_that_may_reach_a_model_is_billing(command: str, tmp_path: Path) -> None:
    keyed = f"OPENAI_API_KEY=sk-x {command}"
    proc = _check(keyed, tmp_path)
    assert proc.returncode != 0 and "CG101" in proc.stdout + proc.stderr, proc.stdout
    assert "CG101" in _lint_rules(keyed, tmp_path)
