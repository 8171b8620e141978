"""Issue 8, items 1 and 2: an unquoted expansion in a flag's value position is one word, and an
argv built over branches is checked on every branch (with the branch named in the finding)."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.model import Command
from guard.shell.scope import MAX_VALUES
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import key_lab, recording_codex, run_in_lab


def codex_calls(script: str) -> list[Command]:
    return [c for c in parse_script(script).commands if c.program == "codex"]


def findings(script: str) -> list[tuple[str, str]]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return [(f.rule, f.message) for f in found]


def rules(script: str) -> set[str]:
    return {rule for rule, _ in findings(script)}


def lint(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "run.sh"
    path.write_text(script)
    return subprocess.run(
        ["codex-guard", "lint", str(path)], capture_output=True, text=True, check=False
    )


def check(line: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["codex-guard", "check", line], capture_output=True, text=True, check=False
    )


# ------------------------------------------------------------- item 1: unquoted value expansions
UNQUOTED_VALUE = 'codex exec -C $REPO -s read-only "Summarize the diff." | tee log\n'


def test_an_unquoted_value_keeps_cg201_in_lint_and_check(tmp_path: Path) -> None:
    out = lint(tmp_path, UNQUOTED_VALUE)
    assert "CG201 error positional-prompt-open-stdin" in out.stdout, out.stdout
    refused = check('codex exec -C $REPO -s read-only "p"')
    assert refused.returncode != 0 and "CG201" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    "line",
    [
        "codex exec -C ${REPO} -s read-only -o $OUT/last.txt -",
        "codex exec -C $REPO -s $MODE -",
        "codex exec --cd=$REPO -s read-only -",
    ],
)
def test_an_unquoted_value_keeps_cg202(line: str) -> None:
    assert "CG202" in rules(line + "\n")


def test_a_make_variable_in_a_value_position_keeps_reporting(tmp_path: Path) -> None:
    makefile = tmp_path / "Makefile"
    makefile.write_text(
        'REPO ?= .\nreview:\n\tcodex exec -C $(REPO) -s read-only "Review the diff." | tee r.log\n'
    )
    out = subprocess.run(
        ["codex-guard", "lint", str(makefile)], capture_output=True, text=True, check=False
    )
    assert "CG201" in out.stdout, out.stdout


@pytest.mark.parametrize(
    "line",
    [
        # Flags from an unquoted variable: which word is a flag's value is unknowable.
        'codex exec $FLAGS "p" | tee log',
        # An array or "$@" may be any number of words, in a value position too.
        'codex exec -C "${DIRS[@]}" -s read-only "p" | tee log',
        'codex exec -C $@ -s read-only "p" | tee log',
    ],
)
def test_splits_that_move_the_flag_values_stay_unknown(line: str) -> None:
    assert not rules(line + "\n") & {"CG201", "CG202"}


def test_an_unquoted_program_is_still_cg902() -> None:
    assert "CG902" in rules('$CODEX exec -C "$REPO" -s read-only "p" </dev/null\n')


# ------------------------------------------------------------- item 2: argv over branches
RESUME = """#!/usr/bin/env bash
set -euo pipefail
prompt="$1"
cli="${CODEX_BIN:-codex}"
if [[ -n "${AUTO:-}" ]]; then
  args=(exec resume --last --full-auto)
else
  args=(exec resume --last)
fi
args+=("$prompt")
exec "$cli" "${args[@]}" </dev/null
"""


def test_each_branch_gives_its_own_argv() -> None:
    cmds = codex_calls(RESUME)
    got = {tuple(w.text for w in c.argv): c.branch for c in cmds}
    assert got == {
        ("codex", "exec", "resume", "--last", "$1"): "the `if` at line 5 takes its else-branch",
        ("codex", "exec", "resume", "--last", "--full-auto", "$1"): (
            "the `if` at line 5 takes its then-branch"
        ),
    }


def test_a_flag_on_one_branch_is_reported_with_its_branch() -> None:
    (message,) = [m for rule, m in findings(RESUME) if rule == "CG903"]
    assert "--full-auto" in message
    assert message.endswith("(when the `if` at line 5 takes its then-branch)")


STDIN_BRANCHES = """#!/usr/bin/env bash
if [[ "${MODE:-}" == quick ]]; then
  args=(exec -C "$REPO" -s read-only)
else
  args=(exec -C "$REPO" -s read-only -)
fi
codex "${args[@]}" "Summarize the diff." | tee review.log
"""


def test_each_rule_names_the_branch_that_breaks_it() -> None:
    got = dict(findings(STDIN_BRANCHES))
    assert got["CG201"].endswith("(when the `if` at line 2 takes its then-branch)")
    assert got["CG202"].endswith("(when the `if` at line 2 takes its else-branch)")


def test_a_finding_on_every_branch_names_none() -> None:
    script = """#!/usr/bin/env bash
case "$1" in
  fast) sandbox=read-only ;;
  *) sandbox=workspace-write ;;
esac
codex exec -C "$REPO" -s "$sandbox" "Fix the failing test." | tee log
"""
    (message,) = [m for rule, m in findings(script) if rule == "CG201"]
    assert "(when" not in message


def test_a_case_arm_and_a_default_are_named() -> None:
    script = """#!/usr/bin/env bash
mode=read-only
case "$1" in
  yolo) mode=danger-full-access ;;
esac
codex exec -C "$REPO" -s "$mode" "Review the diff." </dev/null
"""
    cmds = codex_calls(script)
    got = {c.argv[-2].text: c.branch for c in cmds}
    assert got == {
        "read-only": "the `case` at line 3 matches no pattern",
        "danger-full-access": "the `case` at line 3 takes `yolo)`",
    }
    full = [m for rule, m in findings(script) if rule.startswith("CG3")]
    assert full and all("the `case` at line 3 takes `yolo)`" in m for m in full), full


def test_a_value_set_in_a_loop_that_may_not_run() -> None:
    script = """#!/usr/bin/env bash
sandbox=read-only
for f in "$@"; do
  sandbox=workspace-write
done
codex exec -C "$REPO" -s "$sandbox" - < task.md
"""
    got = {c.argv[-2].text: c.branch for c in codex_calls(script)}
    assert got == {
        "read-only": "the loop at line 3 runs no iteration",
        "workspace-write": "the loop at line 3 runs its body",
    }


def test_nested_branches_name_both() -> None:
    script = """#!/usr/bin/env bash
if [ -n "$CI" ]; then
  if [ -n "$FAST" ]; then s=read-only; else s=workspace-write; fi
else
  s=danger-full-access
fi
codex exec -C "$REPO" -s "$s" - < task.md
"""
    got = {c.argv[-2].text: c.branch for c in codex_calls(script)}
    assert got["read-only"] == (
        "the `if` at line 2 takes its then-branch and the `if` at line 3 takes its then-branch"
    )
    assert got["danger-full-access"] == "the `if` at line 2 takes its else-branch"


@pytest.mark.parametrize(
    ("assign", "expected"),
    [
        ('cli="${CODEX_BIN:-codex}"', "codex"),
        (': "${CODEX_BIN:=codex}"; cli="$CODEX_BIN"', "codex"),
        ('cli="${CODEX_BIN-codex}"', "codex"),
    ],
)
def test_defaults_resolve_the_program(assign: str, expected: str) -> None:
    (cmd,) = codex_calls(f'{assign}\n"$cli" exec -C "$REPO" -s read-only - < t.md\n')
    assert cmd.program == expected


def test_values_are_bounded() -> None:
    arms = "\n".join(f"  a{i}) s=v{i} ;;" for i in range(40))
    script = f'case "$1" in\n{arms}\nesac\ncodex exec -C "$REPO" -s "$s" - < t.md\n'
    cmds = codex_calls(script)
    assert 2 <= len(cmds) <= MAX_VALUES
    # Two variables of 16 values each: the combinations are cut too.
    two = script.replace('"$s" -', '"$s" -o "$s$t" -').replace(
        "esac\n", "esac\n" + f'case "$2" in\n{arms.replace("s=", "t=")}\nesac\n', 1
    )
    assert 2 <= len(codex_calls(two)) <= MAX_VALUES


# ------------------------------------------------------------- silent: mentions, clean scripts
@pytest.mark.parametrize(
    "script",
    [
        # echo of a branch-built argv, a comment, a probe
        'if [ -n "$A" ]; then args=(exec --full-auto); else args=(exec); fi\n'
        'echo codex "${args[@]}"\n# codex exec --full-auto "p"\n',
        "if command -v codex >/dev/null; then cli=codex; else cli=true; fi\n"
        "codex exec --help | grep -q -- --sandbox && echo ok\n",
        'if [ -n "$A" ]; then pat="codex exec"; else pat="codex e"; fi\ngrep -rn "$pat" scripts/\n',
        # Clean on every branch: fed stdin, valid flags.
        'if [ -n "$CI" ]; then s=read-only; else s=workspace-write; fi\n'
        'printf "%s" "$P" | codex exec -C "$REPO" -s "$s" -\n',
    ],
)
def test_mentions_and_clean_branches_stay_silent(script: str) -> None:
    assert findings(script) == []


# ------------------------------------------------------------- the model against real bash
def test_the_argvs_are_the_ones_bash_runs(tmp_path: Path) -> None:
    """Run the script under bash on each branch with a recording codex: every argv bash hands
    codex is one the model has, with the branch that produced it."""
    bin_dir = tmp_path / "bin"
    log = tmp_path / "argv.log"
    recording_codex(bin_dir)
    script = tmp_path / "run.sh"
    script.write_text(RESUME)
    for auto in ("", "1"):
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "LOG": str(log)}
        env["AUTO"] = auto
        env.pop("CODEX_BIN", None)
        subprocess.run(["bash", str(script), "Continue."], env=env, check=True, timeout=30)
    ran = {tuple(line.rstrip("\t").split("\t")) for line in log.read_text().splitlines()}
    modelled = {
        tuple(w.text if w.literal else "Continue." for w in c.argv[1:]) for c in codex_calls(RESUME)
    }
    assert ran == modelled, (ran, modelled, shlex.join(["bash", str(script)]))


KNOWN_LANE = """\
#!/usr/bin/env bash
lane=worker
flags=(-C "$PWD" -o out.md)
case "$lane" in
  worker) flags+=(-s workspace-write) ;;
  validator) flags+=(-s read-only) ;;
esac
codex exec "${flags[@]}" - < prompt.md
"""


def test_a_case_of_a_known_subject_takes_its_arm_only() -> None:
    # `lane=worker` takes the `worker)` arm: no path leaves the flags without a sandbox (CG301),
    # nor gives the worker the validator's read-only one.
    assert rules(KNOWN_LANE) == set()
    assert rules(KNOWN_LANE.replace("lane=worker", "lane=judge")) == {"CG301"}
    assert rules(KNOWN_LANE.replace("lane=worker", 'lane="$1"')) == {"CG301"}
    glob = KNOWN_LANE.replace("  worker)", "  work*|w)")
    assert rules(glob) == set()


def test_a_case_of_a_function_argument_takes_the_arm_its_call_passes() -> None:
    # The body is walked at each call with the arguments that call passes: `codex_run api work`
    # takes `work)` only, so its flags always carry a sandbox.
    script = (
        "codex_run() {\n"
        '  local -a flags=(-C "$PWD" -o "out/$1.md")\n'
        '  case "$2" in\n'
        "    judge) flags+=(-s read-only --output-schema schemas/verdict.json) ;;\n"
        "    work) flags+=(-s workspace-write) ;;\n"
        "  esac\n"
        '  codex exec "${flags[@]}" - < "prompts/$1.md"\n'
        "}\n"
        "codex_run api work\n"
        "codex_run api-judge judge\n"
    )
    assert rules(script) == set()
    assert rules(script + "codex_run docs write\n") == {"CG301"}


@pytest.mark.parametrize(
    "script",
    [
        # bash matches `a)` under nocasematch, set anywhere before (here or in a sourced file)
        "shopt -s nocasematch\nm=A\ncase $m in a) codex exec --yolo p </dev/null ;; esac\n",
        "m=A\ncase $m in a) codex exec --yolo p </dev/null ;; esac\n",
        # a POSIX class: bash matches it, fnmatch does not know it
        "m=a\ncase $m in [[:alpha:]]) codex exec --yolo p </dev/null ;; esac\n",
    ],
)
def test_an_arm_bash_may_take_is_never_pruned(script: str, tmp_path: Path) -> None:
    with_nocase = script if "shopt" in script else "shopt -s nocasematch\n" + script
    assert "ARGV exec --yolo p" in run_in_lab(key_lab(tmp_path), with_nocase, "bash")
    assert "CG303" in rules(script)
    refused = check(script)
    assert refused.returncode == 1, refused.stdout
