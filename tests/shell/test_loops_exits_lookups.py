"""Shell-layer misses and false positives a black-box set found (issue 8, session 5):

- an array appended to in a loop holds every element the loop appended, in order (a loop over a
  list of known length is unrolled, boundedly); after a loop that runs an unknown number of times
  an unknown appended word is any number of words, never exactly one;
- a path that ends in `exit`/`return` (or calls a function that always exits) does not reach what
  follows, so its values drop out where the paths meet;
- `$(command -v codex)` / `$(which codex)` runs codex;
- `ssh HOST` with no remote command runs its here-doc as the remote login shell's script;
- `python -c` / `node -e` code is read as Python / JavaScript: a printed string is a mention.

Where behaviour matters each script also runs under real bash with a recording stand-in codex.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.flow import MAX_UNROLLED
from guard.sources.snippet import RunContext, Snippet

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")

RECORDER = """#!/bin/sh
for a in "$@"; do printf '%s\\t' "$a"; done >> "$CODEX_LOG"
echo >> "$CODEX_LOG"
"""


def findings(script: str) -> list[tuple[str, int, str]]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return [(f.rule, f.location.line, f.message) for f in found]


def rules(script: str) -> set[str]:
    return {rule for rule, _, _ in findings(script)}


def modelled_argvs(script: str) -> set[tuple[str, ...]]:
    return {
        tuple(w.text for w in c.argv[1:])
        for c in parse_script(script).commands
        if c.program == "codex"
    }


def run_bash(tmp_path: Path, script: str, *args: str, **env: str) -> list[tuple[str, ...]]:
    """Run ``script`` under bash with a recording codex first on PATH: the argvs codex got."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    codex = bin_dir / "codex"
    codex.write_text(RECORDER)
    codex.chmod(0o755)
    log = tmp_path / "codex.log"
    log.write_text("")
    (tmp_path / "t.md").write_text("Review the diff.\n")
    (tmp_path / "run.sh").write_text(script)
    inherited = {k: v for k, v in os.environ.items() if k != "CODEX_BIN"}
    full_env = {**inherited, "PATH": f"{bin_dir}:/usr/bin:/bin", "CODEX_LOG": str(log), **env}
    subprocess.run(
        [str(BASH), "run.sh", *args], cwd=tmp_path, env=full_env, timeout=30, check=False,
        stdin=subprocess.DEVNULL, capture_output=True,
    )  # fmt: skip
    return [tuple(line.split("\t")[:-1]) for line in log.read_text().splitlines()]


# --- appends in loops ------------------------------------------------------------------------

FLAGS_LOOP = """#!/usr/bin/env bash
set -euo pipefail
FLAGS=(-s read-only -C .)
args=(exec)
for f in "${FLAGS[@]}"; do
  args+=("$f")
done
codex "${args[@]}" - < t.md
"""


def test_a_loop_over_a_known_list_appends_every_element_in_order() -> None:
    assert modelled_argvs(FLAGS_LOOP) == {("exec", "-s", "read-only", "-C", ".", "-")}
    assert findings(FLAGS_LOOP) == []


@needs_bash
def test_bash_builds_the_same_argv_from_the_loop(tmp_path: Path) -> None:
    assert run_bash(tmp_path, FLAGS_LOOP) == list(modelled_argvs(FLAGS_LOOP))


BYPASS_LOOP = """#!/usr/bin/env bash
R="${1:?repo}"
EXTRA=(--yolo -C "$R")
args=(exec)
for f in "${EXTRA[@]}"; do args+=("$f"); done
codex "${args[@]}" - < t.md
"""


def test_a_bypass_flag_appended_in_a_loop_is_found_where_it_was_put_in() -> None:
    found = findings(BYPASS_LOOP)
    # The message points at the word that put `--yolo` into the argv (the loop's append).
    assert [line for rule, line, _ in found if rule == "CG303"] == [5]
    assert not {"CG903", "CG203", "CG301"} & {rule for rule, _, _ in found}


@needs_bash
def test_bash_hands_the_bypass_flag_to_codex(tmp_path: Path) -> None:
    (ran,) = run_bash(tmp_path, BYPASS_LOOP, "/srv/repo")
    assert ran == ("exec", "--yolo", "-C", "/srv/repo", "-")


CALLER_ARGS_LOOP = """#!/usr/bin/env bash
args=(exec -s read-only -C .)
for x in "$@"; do args+=("$x"); done
codex "${args[@]}" - < t.md
"""


def test_appending_the_callers_words_is_any_number_of_words() -> None:
    # Like `codex exec -s read-only -C . "$@" - < t.md`: the words are not one positional.
    assert findings(CALLER_ARGS_LOOP) == []
    assert findings('codex exec -s read-only -C . "$@" - < t.md\n') == []


@needs_bash
def test_bash_passes_each_caller_word(tmp_path: Path) -> None:
    (ran,) = run_bash(tmp_path, CALLER_ARGS_LOOP, "--json", "-o", "out.txt")
    assert ran == ("exec", "-s", "read-only", "-C", ".", "--json", "-o", "out.txt", "-")


def test_a_while_read_loop_appends_any_number_of_words() -> None:
    script = (
        "args=(exec -s read-only -C .)\n"
        'while read -r flag; do args+=("$flag"); done < flags.txt\n'
        'codex "${args[@]}" - < t.md\n'
    )
    assert not {"CG903", "CG203"} & rules(script)


def test_a_bypass_flag_appended_on_a_branch_inside_the_loop() -> None:
    script = (
        "args=(exec -C . -s read-only)\n"
        "for mode in fast safe; do\n"
        '  if [ "$mode" = fast ]; then args+=(--yolo); fi\n'
        "done\n"
        'codex "${args[@]}" - < t.md\n'
    )
    assert "CG303" in rules(script)


def test_loops_nested_past_the_budget_are_still_walked() -> None:
    # Each loop body walked once a word is a walk of its own: past MAX_UNROLLED words in one
    # script, a loop keeps the one-pass model (the bound), and its commands are still checked.
    loops = MAX_UNROLLED // 4 + 2
    words = " ".join(f"w{k}" for k in range(4))
    script = "args=(exec)\n" + "".join(
        f'for v{k} in {words}; do args+=("$v{k}"); done\n' for k in range(loops)
    )
    script += "codex exec --yolo -C . - < t.md\n"
    assert "CG303" in rules(script)


# --- paths that exit ---------------------------------------------------------------------------

LANE = """#!/usr/bin/env bash
die() { echo "FATAL: $*" >&2; exit 1; }
lane="${1:-}"
case "$lane" in
  review) sandbox=(-s read-only) ;;
  fix) sandbox=(-s workspace-write) ;;
  *) die "unknown lane $lane" ;;
esac
codex exec -C . "${sandbox[@]}" - < t.md
"""


def test_a_case_arm_that_dies_does_not_reach_the_codex_call() -> None:
    assert findings(LANE) == []
    assert findings(LANE.replace('die "unknown lane $lane"', "exit 2")) == []


@needs_bash
def test_bash_never_runs_codex_from_the_dying_arm(tmp_path: Path) -> None:
    assert run_bash(tmp_path, LANE, "other") == []
    assert run_bash(tmp_path, LANE, "fix") == [("exec", "-C", ".", "-s", "workspace-write", "-")]


def test_an_arm_that_falls_through_still_counts() -> None:
    warns = LANE.replace('die "unknown lane $lane"', 'echo "no lane: default" >&2')
    (cg301,) = [m for rule, _, m in findings(warns) if rule == "CG301"]
    assert "the `case` at line 4 takes `*)`" in cg301


def test_exits_on_one_outcome_only_do_not_end_the_path() -> None:
    # `|| exit` and a function that exits only sometimes leave the path running.
    cond = LANE.replace(
        'die() { echo "FATAL: $*" >&2; exit 1; }',
        'die() { echo "FATAL: $*" >&2; [ -n "${STRICT:-}" ] && exit 1; }',
    )
    assert "CG301" in rules(cond)
    or_exit = (
        'if [ "$1" = fix ]; then sandbox=(-s workspace-write); else true || exit 1; fi\n'
        'codex exec -C . "${sandbox[@]}" - < t.md\n'
    )
    assert "CG301" in rules(or_exit)


def test_a_function_that_returns_does_not_end_its_caller() -> None:
    script = (
        "check() { [ -f t.md ] || return 1; return 0; }\n"
        'if [ "$1" = fix ]; then check; sb=(-s workspace-write); else check; fi\n'
        'codex exec -C . "${sb[@]}" - < t.md\n'
    )
    assert "CG301" in rules(script)


TOP_LEVEL_RETURN = LANE.replace('die "unknown lane $lane"', "return 1")


def test_return_outside_a_function_does_not_end_the_script() -> None:
    # bash says "return: can only `return' from a function or sourced script" and goes on
    assert "CG301" in rules(TOP_LEVEL_RETURN)


@needs_bash
def test_bash_goes_on_after_a_top_level_return(tmp_path: Path) -> None:
    assert run_bash(tmp_path, TOP_LEVEL_RETURN, "other") == [("exec", "-C", ".", "-")]


# A path that returns from a function rejoins its caller after the call, whatever follows the
# `return` in the body; `break` / `continue` leave a loop body before an `exit` in it.
LEAVES_EARLY = {
    "return-in-if": (
        'run() { if [ -z "${X:-}" ]; then F=--yolo; return 0; fi; }\n'
        "run\ncodex exec -C . $F - < t.md\n"
    ),
    "return-in-case": (
        'run() { case "${X:-}" in "") F=--yolo; return ;; esac; }\n'
        "run\ncodex exec -C . $F - < t.md\n"
    ),
    "return-before-exit": (
        'f() { if [ -z "${X:-}" ]; then F=--yolo; return 0; fi; exit 1; }\n'
        'if [ -z "${Y:-}" ]; then f; fi\ncodex exec -C . $F - < t.md\n'
    ),
    "break-before-exit": "while :; do F=--yolo; break; exit 1; done\ncodex exec -C . $F - < t.md\n",
    "continue-in-for": (
        "for i in 1 2; do F=--yolo; continue; exit 1; done\ncodex exec -C . $F - < t.md\n"
    ),
}


@pytest.mark.parametrize("script", LEAVES_EARLY.values(), ids=LEAVES_EARLY)
def test_a_path_that_leaves_early_still_reaches_codex(script: str) -> None:
    assert "CG303" in rules(script)


@needs_bash
@pytest.mark.parametrize("script", LEAVES_EARLY.values(), ids=LEAVES_EARLY)
def test_bash_runs_codex_with_the_flag_set_before_leaving(tmp_path: Path, script: str) -> None:
    assert ("exec", "-C", ".", "--yolo", "-") in run_bash(tmp_path, script)


def test_a_key_exported_before_a_return_reaches_codex() -> None:
    script = (
        'setup() { if [ -z "${X:-}" ]; then export OPENAI_API_KEY=sk-1; return; fi; }\n'
        "setup\ncodex exec -C . -s read-only - < t.md\n"
    )
    assert "CG101" in rules(script)


def test_a_trap_that_dies_does_not_end_the_script() -> None:
    script = (
        'die() { echo "$*" >&2; exit 1; }\n'
        "trap 'die interrupted' INT TERM\n"
        'if [ "$1" = fix ]; then sb=(-s workspace-write); fi\n'
        'codex exec -C . "${sb[@]}" - < t.md\n'
    )
    assert "CG301" in rules(script)


# --- $(command -v codex) -----------------------------------------------------------------------

LOOKUP = """#!/usr/bin/env bash
CODEX="${CODEX_BIN:-$(command -v codex)}"
"$CODEX" exec --yolo -C . - < t.md
"""


@pytest.mark.parametrize(
    "assignment",
    [
        'CODEX="${CODEX_BIN:-$(command -v codex)}"',
        'CODEX="$(command -v codex)"',
        "CODEX=$(which codex)",
        "CODEX=${CODEX_BIN:-`which codex`}",
    ],
)
def test_a_path_lookup_of_codex_runs_codex(assignment: str) -> None:
    script = LOOKUP.replace('CODEX="${CODEX_BIN:-$(command -v codex)}"', assignment)
    assert "CG303" in rules(script)
    assert "CG902" not in rules(script)


@needs_bash
def test_bash_runs_the_codex_the_lookup_found(tmp_path: Path) -> None:
    assert run_bash(tmp_path, LOOKUP) == [("exec", "--yolo", "-C", ".", "-")]


def test_a_lookup_that_is_only_printed_is_a_mention() -> None:
    assert findings('echo "codex is at $(command -v codex)"\n') == []
    assert findings('[ -x "$(command -v codex)" ] || exit 1\n') == []


# --- ssh HOST <<EOF ----------------------------------------------------------------------------


def test_ssh_with_no_remote_command_runs_its_here_doc() -> None:
    script = "ssh build-host <<EOF\ncd /srv/repo\ncodex exec --yolo -C . - < t.md\nEOF\n"
    assert [(rule, line) for rule, line, _ in findings(script) if rule == "CG303"] == [("CG303", 3)]
    quoted = "ssh -p 2222 ci@h <<'EOF'\ncodex exec --yolo -C . - < t.md\nEOF\n"
    assert "CG303" in rules(quoted)


@pytest.mark.parametrize("ssh", ["ssh -n h", "ssh -N h", "ssh h uptime", "ssh -s h sftp"])
def test_ssh_that_does_not_run_its_stdin_keeps_it_data(ssh: str) -> None:
    assert findings(f"{ssh} <<'EOF'\ncodex exec --yolo -C . - < t.md\nEOF\n") == []


def test_the_remote_shell_does_not_get_the_local_key() -> None:
    script = (
        "export OPENAI_API_KEY=sk-local\n"
        "ssh h <<'EOF'\ncodex exec -s read-only -C . - < t.md\nEOF\n"
    )
    assert "CG101" not in rules(script)


def test_ssh_reads_a_written_script_on_its_stdin() -> None:
    script = "cat > remote.txt <<'EOF'\ncodex exec --yolo -C . - < t.md\nEOF\nssh h < remote.txt\n"
    assert "CG303" in rules(script)


# --- python -c / node -e -----------------------------------------------------------------------

MENTIONS = [
    "python3 -c 'print(\"codex exec --yolo\")'",
    "python -c 'import sys; sys.stderr.write(\"run: codex exec --yolo -C . -\\n\")'",
    "uv run python -c 'print(\"codex exec --yolo\")'",
    "node -e 'console.log(\"codex exec --yolo\")'",
    "perl -e 'print \"codex exec --yolo\\n\"'",
    "ruby -e 'puts \"codex exec --yolo\"'",
    "python3 -c 'this is not Python (\"codex exec --yolo\"'",
]


@pytest.mark.parametrize("script", MENTIONS)
def test_a_printed_codex_line_in_inline_code_is_a_mention(script: str) -> None:
    assert findings(script + "\n") == []


@needs_bash
def test_bash_runs_no_codex_for_printed_lines(tmp_path: Path) -> None:
    runnable = [s for s in MENTIONS if shutil.which(s.split()[0]) and not s.startswith("uv")]
    assert runnable
    assert run_bash(tmp_path, "\n".join(runnable) + "\n") == []


@pytest.mark.parametrize(
    "script",
    [
        "python3 -c 'import os; os.system(\"codex exec --yolo p </dev/null\")'",
        'uv run python -c \'import subprocess; subprocess.run(["codex", "exec", "--yolo", "p"])\'',
        'node -e \'require("child_process").execSync("codex exec --yolo p")\'',
        "ruby -e 'system(\"codex exec --yolo p </dev/null\")'",
    ],
)
def test_inline_code_that_runs_codex_is_still_checked(script: str) -> None:
    assert "CG303" in rules(script + "\n")


# --- docker -t gives codex a terminal ----------------------------------------------------------


@pytest.mark.parametrize("opts", ["-it", "-ti", "-t", "--tty -i", "-i --tty"])
def test_docker_with_a_tty_gives_codex_a_terminal(opts: str) -> None:
    # A TTY on stdin is never read to EOF (DESIGN.md): as under tmux, CG201 does not apply.
    script = f"docker exec {opts} worker bash -lc 'codex exec -s workspace-write -C /w \"fix\"'\n"
    assert "CG201" not in rules(script)
    assert "CG303" in rules(script.replace("-s workspace-write", "--yolo"))


def test_docker_with_stdin_but_no_tty_still_hangs_codex() -> None:
    script = "docker exec -i worker bash -lc 'codex exec -s workspace-write -C /w \"fix\"'\n"
    assert "CG201" in rules(script)
