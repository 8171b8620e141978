"""CG601 (scraped-result) holds where the terminal text reaches the script: `$(codex exec ...)`
or `codex exec ... | grep`. A run whose stdout goes to a file first (`$(codex exec p > log)`,
`codex exec p > log | grep PASS`) hands the substitution or the pipe nothing (found by a
real-world sweep: a wrapper that logs each run and keeps `$(...)` for its timing), while
`> /dev/stdout` is still the substitution's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())
RUN = 'codex exec -C . -s read-only "judge; VERDICT?" </dev/null'


def scraped(tmp_path: Path, name: str, text: str) -> list[int]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return [f.location.line for f in outcome.findings if f.rule == "CG601"]


@pytest.mark.parametrize(
    "line",
    [
        f"out=$({RUN})",
        f"out=$({RUN} > /dev/stdout)",
        f"out=$({RUN} 2>log.err)",
        f"{{ v=$({RUN}); }} > log.txt",  # the group's file is not the substitution's stdout
        f"{RUN} | grep -q PASS",
        f"{RUN} 2>log.err | grep -q PASS",
    ],
)
def test_terminal_text_taken_is_scraped(tmp_path: Path, line: str) -> None:
    assert scraped(tmp_path, "judge.sh", f"#!/bin/bash\n{line}\n") == [2]


@pytest.mark.parametrize(
    "line",
    [
        f"out=$({RUN} > log.txt)",
        f"out=$({RUN} >> log.txt)",
        f"out=$({RUN} &> log.txt)",
        f"out=$({{ {RUN}; }} > log.txt)",
        f"{RUN} > log.txt | grep -q PASS",
    ],
)
def test_output_sent_to_a_file_first_is_not_scraped(tmp_path: Path, line: str) -> None:
    assert scraped(tmp_path, "judge.sh", f"#!/bin/bash\n{line}\n") == []


def test_a_javascript_spawn_whose_shell_text_sends_stdout_to_a_file(tmp_path: Path) -> None:
    text = (
        'import { execSync } from "node:child_process";\n'
        'const a = execSync("codex exec -C . -s read-only judge </dev/null > log.txt");\n'
        'const b = execSync("codex exec -C . -s read-only judge </dev/null");\n'
    )
    assert scraped(tmp_path, "judge.mjs", text) == [3]
