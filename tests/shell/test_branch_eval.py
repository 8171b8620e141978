"""Issue 8, branch notes through re-read text: a command line kept in a variable set on branches
and run by `eval` (or `bash -c`) names the branch its finding holds on, as the same line run as
`$cmd` does. Text a variable gave is not the file's: what runs in it sits where it is expanded."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.model import Command, Span
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import recording_codex


def codex_calls(script: str) -> list[Command]:
    return [c for c in parse_script(script).commands if c.program == "codex"]


def findings(script: str) -> list[tuple[str, str, int, int]]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return [(f.rule, f.message, f.location.line, f.location.column) for f in found]


def messages(script: str, rule: str) -> list[str]:
    return [message for found, message, _, _ in findings(script) if found == rule]


ISSUE_LINE = (
    'if [ "$FAST" ]; then cmd="codex exec --yolo"; else cmd="codex exec -s read-only"; fi; '
    'eval "$cmd - < p.md"\n'
)
THEN_NOTE = "(when the `if` at line 1 takes its then-branch)"


def test_eval_of_a_branch_value_names_the_branch_as_the_plain_run_does() -> None:
    (via_eval,) = messages(ISSUE_LINE, "CG303")
    (plain,) = messages(ISSUE_LINE.replace('eval "$cmd - < p.md"', "$cmd - < p.md"), "CG303")
    assert via_eval.endswith(THEN_NOTE)
    assert via_eval == plain


def test_the_finding_sits_on_the_evaluated_word() -> None:
    column = ISSUE_LINE.index('"$cmd') + 1
    assert {(rule, line, col) for rule, _, line, col in findings(ISSUE_LINE)} == {
        ("CG303", 1, column),
        ("CG503", 1, column),  # no -C on either branch: it holds on both, and names none
    }
    assert all("(when" not in m for m in messages(ISSUE_LINE, "CG503"))


RUNNER = """#!/usr/bin/env bash
set -euo pipefail
if [ -n "${FAST:-}" ]; then
  cmd="codex exec --yolo"
else
  cmd="codex exec -s read-only"
fi
cmd="$cmd -C $PWD"
eval "$cmd - < prompt.md"
"""


def test_each_branch_gives_one_command_at_the_eval() -> None:
    calls = codex_calls(RUNNER)
    assert {(tuple(w.text for w in c.argv), c.branch) for c in calls} == {
        (
            ("codex", "exec", "--yolo", "-C", "$PWD", "-"),
            "the `if` at line 3 takes its then-branch",
        ),
        (
            ("codex", "exec", "-s", "read-only", "-C", "$PWD", "-"),
            "the `if` at line 3 takes its else-branch",
        ),
    }
    word = '"$cmd - < prompt.md"'
    start = RUNNER.splitlines()[8].index(word) + 1
    assert {c.span for c in calls} == {Span(9, start, 9, start + len(word))}
    (message,) = messages(RUNNER, "CG303")
    assert message.endswith("(when the `if` at line 3 takes its then-branch)")


def test_a_case_value_run_by_bash_c() -> None:
    script = """case "${MODE:-}" in
  open) cmd="codex exec --dangerously-bypass-approvals-and-sandbox -C $PWD -" ;;
  *) cmd="codex exec -s read-only -C $PWD -" ;;
esac
bash -c "$cmd < task.md"
"""
    (message,) = messages(script, "CG303")
    assert message.endswith("(when the `case` at line 1 takes `open)`)")


def test_unquoted_eval_words_from_a_branch_value() -> None:
    script = """if [ -n "${CI:-}" ]; then flags="-s read-only"; else flags="--yolo"; fi
eval codex exec $flags -C . - '<' p.md
"""
    (message,) = messages(script, "CG303")
    assert message.endswith("(when the `if` at line 1 takes its else-branch)")


def test_a_finding_on_every_branch_names_none() -> None:
    script = """if [ -n "${BIG:-}" ]; then cmd="codex exec -m o3 --yolo -C ."; else
  cmd="codex exec -m o4-mini --yolo -C ."; fi
eval "$cmd - < p.md"
"""
    (message,) = messages(script, "CG303")
    assert "(when" not in message


def test_eval_of_literal_text_keeps_its_own_positions() -> None:
    script = "eval 'codex exec --yolo -C . - < p.md'\n"
    ((rule, line, col),) = [(r, ln, c) for r, _, ln, c in findings(script)]
    assert (rule, line, col) == ("CG303", 1, script.index("--yolo") + 1)


def test_a_parse_error_in_evaluated_text_is_kept_where_it_is_expanded() -> None:
    # Text that cannot be read is still an error (lint --strict and the doors fail closed on
    # it), placed on the word that gave it, not past the end of the line.
    script = 'cmd=\'codex exec "unterminated\'\neval "$cmd"\n'
    errors = parse_script(script).parse_errors
    assert errors == (Span(2, 6, 2, 6 + len('"$cmd"')),)


@pytest.mark.parametrize(
    "script",
    [
        # The branch value is only shown, through eval.
        'if [ -n "$A" ]; then m="--yolo"; else m=""; fi\neval "echo codex exec $m"\n',
        'if [ -n "$A" ]; then c="codex exec --yolo"; else c=""; fi\neval "printf %s \\"$c\\""\n',
        # Clean on every branch.
        'if [ -n "$CI" ]; then s=read-only; else s=workspace-write; fi\n'
        'eval "codex exec -C . -s $s - < task.md"\n',
    ],
)
def test_mentions_and_clean_values_stay_silent(script: str) -> None:
    assert findings(script) == []


def test_the_modelled_argvs_are_the_ones_bash_runs(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    log = tmp_path / "argv.log"
    recording_codex(bin_dir, stdin=True)  # one line: its argv and what it read on stdin
    (tmp_path / "prompt.md").write_text("Fix it.")
    script = tmp_path / "run.sh"
    script.write_text(RUNNER)
    ran: dict[str, tuple[str, ...]] = {}
    for fast in ("", "1"):
        log.write_text("")
        env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log), "FAST": fast}
        env["PWD"] = str(tmp_path)
        subprocess.run(["bash", str(script)], env=env, cwd=tmp_path, check=True, timeout=30)
        line = log.read_text()
        assert line.endswith("stdin=Fix it.\n")
        ran[fast] = tuple(line.split("stdin=")[0].rstrip("\t").split("\t"))
    modelled = {
        c.branch: tuple(str(tmp_path) if w.text == "$PWD" else w.text for w in c.argv[1:])
        for c in codex_calls(RUNNER)
    }
    assert modelled == {
        "the `if` at line 3 takes its then-branch": ran["1"],
        "the `if` at line 3 takes its else-branch": ran[""],
    }
    (message,) = messages(RUNNER, "CG303")
    assert "--yolo" in ran["1"] and message.endswith("then-branch)")


BRANCHED = """#!/usr/bin/env bash
if [ -n "${FAST:-}" ]; then cmd="codex exec --yolo -C ."; else cmd="codex exec -s read-only -C ."; fi
"""


@pytest.mark.parametrize(
    "line",
    [
        # Commands that only pass the value on: what runs is each value.
        "timeout 600 $cmd - < prompt.md",
        "nohup $cmd - < prompt.md > run.log 2>&1 &",
        'trap "$cmd - < prompt.md" EXIT',
        'ssh build-host "$cmd - < prompt.md"',
    ],
)
def test_a_branch_value_passed_through_a_wrapper_is_checked_on_each_branch(line: str) -> None:
    script = BRANCHED + line + "\n"
    assert len(codex_calls(script)) == 2
    (message,) = messages(script, "CG303")
    assert message.endswith("(when the `if` at line 2 takes its then-branch)")


@pytest.mark.parametrize(
    "line",
    ['echo "$cmd - < prompt.md" | bash', "printf '%s\\n' \"$cmd - < prompt.md\" | sh"],
)
def test_a_branch_value_printed_into_a_shell_is_checked_on_each_branch(line: str) -> None:
    # Each value is read as the script the shell runs (the note naming the branch is not given
    # here yet: the printed text's commands keep positions of their own).
    script = BRANCHED + line + "\n"
    assert {tuple(w.text for w in c.argv[2:4]) for c in codex_calls(script)} == {
        ("--yolo", "-C"),
        ("-s", "read-only"),
    }
    assert [rule for rule, _, _, _ in findings(script)] == ["CG303"]


def test_flags_from_a_branch_after_a_program_from_a_variable() -> None:
    script = """cli=codex
if [ -n "${CI:-}" ]; then flags="-s read-only"; else flags="--yolo"; fi
timeout 600 $cli exec $flags -C . - < prompt.md
"""
    (message,) = messages(script, "CG303")
    assert message.endswith("(when the `if` at line 2 takes its else-branch)")


@pytest.mark.parametrize(
    "line",
    [
        'echo "would run: $cmd"',
        'echo "$cmd" >> commands.log',
        'printf \'%s\\n\' "$cmd" | grep -q -- --yolo && echo "fast mode"',
        'logger -t dispatch "$cmd"',
    ],
)
def test_a_branch_value_only_shown_stays_silent(line: str) -> None:
    assert findings(BRANCHED + line + "\n") == []


def test_commands_whose_values_name_no_codex_are_walked_once() -> None:
    # Forking is bounded to where it can matter: 200 `echo` lines over two 16-value variables
    # are 200 commands, not 200 x 16.
    arms = "\n".join(f"  a{i}) s=v{i}; t=w{i} ;;" for i in range(16))
    lines = "".join(f'echo "item {i}: $s $t" >> log.txt\n' for i in range(200))
    script = f'case "$1" in\n{arms}\nesac\n{lines}'
    assert len([c for c in parse_script(script).commands if c.program == "echo"]) == 200


def test_timeout_and_a_pipe_into_bash_run_what_the_model_says(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    log = tmp_path / "argv.log"
    recording_codex(bin_dir)
    (tmp_path / "prompt.md").write_text("Fix it.")
    text = BRANCHED + "timeout 60 $cmd - < prompt.md\n" + 'echo "$cmd - < prompt.md" | bash\n'
    (tmp_path / "run.sh").write_text(text)
    ran: set[tuple[str, ...]] = set()
    for fast in ("", "1"):
        log.write_text("")
        env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log), "FAST": fast}
        subprocess.run(["bash", "run.sh"], env=env, cwd=tmp_path, check=True, timeout=30)
        lines = [tuple(x.rstrip("\t").split("\t")) for x in log.read_text().splitlines()]
        assert len(lines) == 2 and lines[0] == lines[1]  # both lines ran the same argv
        ran.add(lines[0])
    modelled = {tuple(w.text for w in c.argv[1:]) for c in codex_calls(text)}
    assert modelled == ran
