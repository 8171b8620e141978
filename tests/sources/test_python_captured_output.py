"""A Python spawn whose output the program takes is the shell's `$(...)` (CG601).

`subprocess.check_output([...codex exec...])`, `getoutput(...)` and `run(...,
capture_output=True)` / `stdout=PIPE` hand the program codex's terminal text, which a hurried
orchestrator then greps for `VERDICT: PASS`: the scraped result CG601 reports in a shell script
(`out=$(codex exec ...)`) went unreported in Python. A run that writes `-o FILE`, `--json` or an
`--output-schema` is not scraped, captured or not; the spawn's findings keep their columns.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())


def found(tmp_path: Path, body: str) -> list[tuple[str, int, int]]:
    path = tmp_path / "judge.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted((f.rule, f.location.line, f.location.column) for f in outcome.findings)


def test_captured_output_is_a_scraped_result(tmp_path: Path) -> None:
    body = """\
    import subprocess
    ARGV = ["codex", "exec", "-C", ".", "-s", "read-only", "-"]
    out = subprocess.check_output(ARGV, input="judge; VERDICT: PASS or FAIL", text=True)
    done = subprocess.run(ARGV, input="judge", capture_output=True, text=True)
    piped = subprocess.run(ARGV, input="judge", stdout=subprocess.PIPE, text=True)
    text = subprocess.getoutput("codex exec -C . -s read-only - < judge.md")
    """
    assert found(tmp_path, body) == [
        ("CG601", 3, 7),
        ("CG601", 4, 8),
        ("CG601", 5, 9),
        ("CG601", 6, 8),
    ]


def test_structured_or_uncaptured_output_is_not(tmp_path: Path) -> None:
    body = """\
    import subprocess
    subprocess.check_output(["codex", "exec", "-C", ".", "-s", "read-only", "--json", "-"],
                            input="judge")
    subprocess.run(["codex", "exec", "-C", ".", "-s", "read-only", "-o", "v.txt", "-"],
                   input="judge", capture_output=True)
    subprocess.run(["codex", "exec", "-C", ".", "-s", "read-only", "-"], input="judge")
    """
    assert found(tmp_path, body) == []


def test_a_captured_runs_other_findings_keep_their_columns(tmp_path: Path) -> None:
    body = """\
    import os, subprocess
    subprocess.run(["codex", "exec", "--yolo", "-C", ".", "--json", "-"], input="x",
                   capture_output=True, env={**os.environ, "OPENAI_API_KEY": k})
    subprocess.run(["codex", "exec", "--yolo", "-C", ".", "--json", "-"], input="x",
                   env={**os.environ, "OPENAI_API_KEY": k})
    """
    captured, plain = found(tmp_path, body)[::2], found(tmp_path, body)[1::2]
    assert [(rule, column) for rule, _line, column in captured] == [
        (rule, column) for rule, _line, column in plain
    ]
    assert [rule for rule, _line, _column in captured] == ["CG101", "CG303"]
