"""A here-string after another redirect (`codex exec - 2>/dev/null <<<"$P"`): tree-sitter-bash
0.25.1 splits it into an ERROR `<<` and a file redirect, which read as a parse error (CG901:
refused at the doors) on valid bash. Found by a false-positive pass; each case is run under
real bash with a recording codex that prints what it read on stdin."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")

RECORDER = """#!/bin/sh
printf 'ARGV %s\\n' "$*" >> "$CODEX_LOG"
printf 'STDIN %s\\n' "$(cat)" >> "$CODEX_LOG"
"""


def run_bash(tmp_path: Path, script: str) -> str:
    (tmp_path / "bin").mkdir(exist_ok=True)
    codex = tmp_path / "bin" / "codex"
    codex.write_text(RECORDER)
    codex.chmod(0o755)
    log = tmp_path / "codex.log"
    env = {
        "PATH": f"{tmp_path / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "CODEX_LOG": str(log),
        "P": "review the diff",
    }
    subprocess.run(
        [str(BASH), "-c", script], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, timeout=20, check=False,
    )  # fmt: skip
    return log.read_text()


def findings(script: str) -> dict[str, str]:
    snippet = Snippet(text=script, path="<hook>", context=RunContext.AGENT)
    return {f.rule: f.message for f in lint_snippet(snippet, Settings())}


@pytest.mark.parametrize(
    "script",
    [
        'codex exec -C . -s read-only - 2>/dev/null <<<"$P"',
        'codex exec -C . -s read-only - >out.txt <<< "$P"',
        'codex exec -C . -s read-only - 2>&1 <<<"$P" | tee log',
    ],
)
def test_a_here_string_after_a_redirect_is_the_prompt_not_a_parse_error(
    tmp_path: Path, script: str
) -> None:
    assert "STDIN review the diff" in run_bash(tmp_path, script)  # bash feeds it to codex
    found = findings(script)
    assert not found.keys() & {"CG901", "CG202", "CG201"}, found


def test_the_split_here_string_is_still_read_as_the_script_a_shell_runs(tmp_path: Path) -> None:
    script = 'bash 2>/dev/null <<< "OPENAI_API_KEY=k codex exec -C . -s read-only p </dev/null"'
    assert "ARGV exec" in run_bash(tmp_path, script)
    assert "CG101" in findings(script)


def test_a_real_parse_error_beside_it_is_still_reported() -> None:
    assert "CG901" in findings('codex exec -C . -s read-only - 2>/dev/null <<<"$P" )')
