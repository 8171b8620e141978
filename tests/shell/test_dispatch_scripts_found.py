"""Dispatch scripts written for this project in the shapes issue 8 lists (flag strings set by
`[ ... ] && X=...`, commands built with `printf -v` and run with `eval`): each reachable codex
argv is checked, and the lines that only mention codex stay silent."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.builtins import printf_value
from guard.shell.model import Span, Word
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import recording_codex


def findings(script: str) -> list[tuple[str, str]]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return [(f.rule, f.message) for f in found]


def argvs(script: str) -> dict[tuple[str, ...], str]:
    return {
        tuple(w.text for w in c.argv): c.branch
        for c in parse_script(script).commands
        if c.program == "codex"
    }


AND_DEFAULT = """#!/usr/bin/env bash
FLAGS="--full-auto"
[ -n "${SAFE:-}" ] && FLAGS="-s read-only"
codex exec $FLAGS -C "$PWD" - < task.md
"""


def test_a_value_set_after_and_and_keeps_both() -> None:
    assert argvs(AND_DEFAULT) == {
        (
            "codex",
            "exec",
            "--full-auto",
            "-C",
            "$PWD",
            "-",
        ): "the `&&` at line 3 skips its right side",
        ("codex", "exec", "-s", "read-only", "-C", "$PWD", "-"): (
            "the `&&` at line 3 runs its right side"
        ),
    }
    (message,) = [m for rule, m in findings(AND_DEFAULT) if rule == "CG903"]
    assert message.endswith("(when the `&&` at line 3 skips its right side)")


def test_or_too() -> None:
    script = 'S=danger-full-access\n[ -z "$CI" ] || S=read-only\ncodex exec -s "$S" -C . - < t.md\n'
    (message,) = [m for rule, m in findings(script) if rule == "CG303"]
    assert message.endswith("(when the `||` at line 2 skips its right side)")


PRINTF_EVAL = """#!/usr/bin/env bash
printf -v cmd 'codex exec --yolo -C %q -' "$PWD"
eval "$cmd" < task.md
"""


def test_a_command_built_with_printf_v_and_run_by_eval() -> None:
    assert [rule for rule, _ in findings(PRINTF_EVAL)] == ["CG303"]


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("%s exec -s %s -C . -", ["codex", "read-only"]),
        ("codex exec -C %q -", ["my dir"]),
        ("codex exec -C %q -", ["it's $HOME (a|b) ~x"]),
        ("codex exec -C %q -", ["~/w"]),
        ("codex exec -C %q %q", ["", "#x"]),
        ("codex exec 100%% -\\n", []),
    ],
)
def test_printf_v_values_are_the_ones_bash_assigns(fmt: str, args: list[str]) -> None:
    script = 'printf -v v "$@"\nprintf "%s" "$v"\n'
    ran = subprocess.run(
        ["bash", "-c", script, "_", fmt, *args], capture_output=True, text=True, check=True
    )
    span = Span(1, 1, 1, 1)
    words = [Word(t, True, span) for t in ["printf", "-v", "v", fmt, *args]]
    value = printf_value(words)
    assert value is not None
    assert value.text == ran.stdout


@pytest.mark.parametrize(
    "script",
    [
        # Formats the model does not follow: the value stays unknown, nothing is guessed.
        "printf -v c '%-20s' codex\n$c exec --yolo\n",
        "printf -v c '%s %s' a b c\n$c\n",
        # The command only shown.
        'printf -v msg \'run: codex exec --yolo -C %s -\' "$PWD"\necho "$msg"\n',
        # A guard that only echoes.
        '[ -n "$CI" ] && echo "codex exec --yolo is not allowed in CI"\n',
        # Unknown eval text is not read as codex.
        'eval "$CMD"\n',
    ],
)
def test_mentions_and_unknown_values_stay_silent(script: str) -> None:
    assert [r for r, _ in findings(script) if r != "CG902"] == []


def test_the_and_argvs_are_the_ones_bash_runs(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    log = tmp_path / "argv.log"
    recording_codex(bin_dir)
    (tmp_path / "task.md").write_text("x")
    script = tmp_path / "run.sh"
    script.write_text(AND_DEFAULT)
    for safe in ("", "1"):
        env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log), "SAFE": safe}
        subprocess.run(["bash", str(script)], env=env, cwd=tmp_path, check=True, timeout=30)
    ran = {tuple(line.rstrip("\t").split("\t")) for line in log.read_text().splitlines()}
    modelled = {
        tuple(str(tmp_path) if w == "$PWD" else w for w in argv[1:]) for argv in argvs(AND_DEFAULT)
    }
    assert ran == modelled


GETOPTS = """#!/usr/bin/env bash
sandbox=workspace-write
model=gpt-5
while getopts "ym:" opt; do
  case "$opt" in
    y) sandbox=danger-full-access ;;
    m) model="$OPTARG" ;;
    *) exit 2 ;;
  esac
done
codex exec -m "$model" -s "$sandbox" -C "$PWD" - < "$1"
"""


def test_a_getopts_flag_names_its_arm_without_contradiction() -> None:
    cg303 = [m for rule, m in findings(GETOPTS) if rule == "CG303"]
    assert len(cg303) == 1
    assert "the `case` at line 5 takes `y)`" in cg303[0]
    # The value of `model` that held before the loop does not add "runs no iteration".
    assert "runs no iteration" not in cg303[0]
