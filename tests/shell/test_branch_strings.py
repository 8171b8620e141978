"""Issue 8 item 2, strings: a command line kept in a string that is built from variables set on
different branches (`cmd="$cli exec $mode"`, `cmd+=" --yolo"`) holds every value it may have,
and each reachable argv is checked with its branch named."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.model import Command
from guard.shell.scope import MAX_VALUES
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import recording_codex


def codex_calls(script: str) -> list[Command]:
    return [c for c in parse_script(script).commands if c.program == "codex"]


def findings(script: str) -> list[tuple[str, str]]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return [(f.rule, f.message) for f in found]


def argvs(script: str) -> dict[tuple[str, ...], str]:
    return {tuple(w.text for w in c.argv): c.branch for c in codex_calls(script)}


MODE_IN_STRING = """#!/usr/bin/env bash
p="$1"
if [ -n "${FAST:-}" ]; then mode="--yolo"; else mode="-s read-only"; fi
cmd="codex exec -C $PWD $mode"
$cmd "$p" </dev/null
"""


def test_a_string_built_from_a_branch_value_keeps_both() -> None:
    assert argvs(MODE_IN_STRING) == {
        ("codex", "exec", "-C", "$PWD", "--yolo", "$1"): "the `if` at line 3 takes its then-branch",
        ("codex", "exec", "-C", "$PWD", "-s", "read-only", "$1"): (
            "the `if` at line 3 takes its else-branch"
        ),
    }
    (message,) = [m for rule, m in findings(MODE_IN_STRING) if rule == "CG303"]
    assert message.endswith("(when the `if` at line 3 takes its then-branch)")


CLI_AND_FLAGS = """#!/usr/bin/env bash
if command -v codex-nightly >/dev/null; then cli=codex-nightly; else cli=codex; fi
if [ -n "${AUTO:-}" ]; then flags="--full-auto"; else flags="-s workspace-write"; fi
cmd="$cli exec -C $PWD"
cmd+=" $flags"
$cmd "$1" </dev/null
"""


def test_two_branch_values_and_an_append_give_every_combination() -> None:
    got = argvs(CLI_AND_FLAGS)
    assert set(got) == {
        ("codex", "exec", "-C", "$PWD", "--full-auto", "$1"),
        ("codex", "exec", "-C", "$PWD", "-s", "workspace-write", "$1"),
    }
    full_auto = got[("codex", "exec", "-C", "$PWD", "--full-auto", "$1")]
    assert "the `if` at line 2 takes its else-branch" in full_auto
    assert "the `if` at line 3 takes its then-branch" in full_auto
    (message,) = [m for rule, m in findings(CLI_AND_FLAGS) if rule == "CG903"]
    assert "--full-auto" in message and "line 3 takes its then-branch" in message


def test_an_append_on_one_branch_only() -> None:
    script = """cmd="codex exec -C $PWD -s read-only"
if [ "$1" = unsafe ]; then cmd+=" --dangerously-bypass-approvals-and-sandbox"; fi
$cmd - < task.md
"""
    got = argvs(script)
    assert len(got) == 2
    (message,) = [m for rule, m in findings(script) if rule == "CG303"]
    assert message.endswith("(when the `if` at line 2 takes its then-branch)")


def test_a_self_reference_extends_each_value() -> None:
    script = """case "$1" in
  a) base="codex exec -C $PWD -s read-only" ;;
  *) base="codex exec -C $PWD -s workspace-write" ;;
esac
base="$base --search"
$base - < task.md
"""
    assert {argv[-2] for argv in argvs(script)} == {"--search"}
    assert len(argvs(script)) == 2


def test_an_array_built_from_a_branch_value() -> None:
    script = """if [ -n "$CI" ]; then sandbox=read-only; else sandbox=danger-full-access; fi
args=(exec -C "$PWD" -s "$sandbox")
codex "${args[@]}" - < task.md
"""
    got = argvs(script)
    assert got[("codex", "exec", "-C", "$PWD", "-s", "danger-full-access", "-")] == (
        "the `if` at line 1 takes its else-branch"
    )
    assert len(got) == 2


def test_string_values_are_bounded() -> None:
    arms = "\n".join(f"  a{i}) s=v{i} ;;" for i in range(40))
    script = (
        f'case "$1" in\n{arms}\nesac\ncase "$2" in\n{arms.replace("s=", "t=")}\nesac\n'
        'cmd="codex exec -C $PWD -s $s -o $t"\ncmd+=" -m $s$t"\n$cmd - < t.md\n'
    )
    assert 2 <= len(codex_calls(script)) <= MAX_VALUES


@pytest.mark.parametrize(
    "script",
    [
        # The string is only shown or searched for, never run.
        'if [ -n "$A" ]; then m="--yolo"; else m=""; fi\nmsg="codex exec $m"\necho "$msg"\n',
        'if [ -n "$A" ]; then m="--yolo"; else m=""; fi\npat="codex exec $m"\n'
        'grep -rn -- "$pat" scripts/\n',
        # Clean on every branch.
        'if [ -n "$CI" ]; then s=read-only; else s=workspace-write; fi\n'
        'cmd="codex exec -C $PWD -s $s"\n$cmd - < task.md\n',
    ],
)
def test_mentions_and_clean_strings_stay_silent(script: str) -> None:
    assert findings(script) == []


def test_the_modelled_argvs_are_the_ones_bash_runs(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv.log"
    recording_codex(bin_dir, "codex", "codex-nightly")
    script = tmp_path / "run.sh"
    script.write_text(CLI_AND_FLAGS)
    # Hide codex-nightly so that the else-branch runs: the model resolves it the same way.
    path = f"{bin_dir}:/usr/bin:/bin"
    (bin_dir / "codex-nightly").unlink()
    for auto in ("", "1"):
        env = {**os.environ, "PATH": path, "LOG": str(log), "AUTO": auto, "PWD": str(tmp_path)}
        subprocess.run(
            ["bash", str(script), "Fix it."], env=env, cwd=tmp_path, check=True, timeout=30
        )
    ran = {tuple(line.rstrip("\t").split("\t")) for line in log.read_text().splitlines()}
    modelled = {
        tuple({"$PWD": str(tmp_path), "$1": "Fix it."}.get(w.text, w.text) for w in c.argv[1:])
        for c in codex_calls(CLI_AND_FLAGS)
        if c.argv[0].text == "codex"
    }
    assert ran == modelled
