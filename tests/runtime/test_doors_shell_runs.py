"""Shell text that a command hands to a shell or a shell-like runner, found by an adversarial
pass over the doors. Each case is run for real (`bash -c`, a recording stand-in codex on PATH) to
show what codex got, then `check` and both hooks must refuse it with that danger's rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime.conftest import check_door
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies
from tests.sources.recorded_runs import run_recorded

# (command, rule, what the real run shows)
REFUSED = [
    # SHELL names the user's shell whatever its path: `$SHELL -c TEXT` runs TEXT
    ("\"$SHELL\" -c 'codex exec --yolo -C . hi </dev/null'", "CG303", "yolo"),
    ("${SHELL} -e -c 'codex exec --yolo -C . hi </dev/null'", "CG303", "yolo"),
    (
        'env OPENAI_API_KEY="$BILLING_KEY" "$SHELL" -c \'codex exec -s read-only -C . hi </dev/null\'',
        "CG101",
        "key",
    ),
    ("\"$BASH\" -c 'codex exec --yolo -C . hi </dev/null'", "CG303", "yolo"),
    # a quoted subscript that bash expands again where it evaluates it as arithmetic or unsets
    ("a=(1); unset 'a[$(codex exec --yolo -C . hi </dev/null)]'", "CG303", "yolo"),
    ("[[ 1 -eq 'a[$(codex exec --yolo -C . hi </dev/null)]' ]]", "CG303", "yolo"),
    ("echo $(( 'a[$(codex exec --yolo -C . hi </dev/null)]' ))", "CG303", "yolo"),
    ("(( 'a[$(codex exec --yolo -C . hi </dev/null)]' ))", "CG303", "yolo"),
    ("x=odex; [[ 1 -eq 'a[$(c$x exec --yolo -C . hi </dev/null)]' ]]", "CG303", "yolo"),
    ("(( 'a[$(c${x:-odex} exec --yolo -C . hi </dev/null)]' ))", "CG303", "yolo"),
    # awk's `print TEXT | "sh"` hands TEXT to a shell, which runs it
    ("""awk 'BEGIN { print "codex exec --yolo -C . hi </dev/null" | "sh" }'""", "CG303", "yolo"),
    (
        """echo hi | awk '{ print "codex exec --yolo -C . " $1 " </dev/null" | "/bin/sh" }'""",
        "CG303",
        "yolo",
    ),
]
ALLOWED = [
    "\"$SHELL\" -c 'ls -la'",
    "$SHELL --version",
    "echo \"$SHELL\" -c 'codex exec --yolo -C . hi'",
    "[[ 'a[$(codex exec --yolo -C . hi)]' == x ]]",
    "[ 1 -eq 'a[$(codex exec --yolo -C . hi)]' ]",
    "unset -f 'a[$(codex exec --yolo -C . hi)]'",
    "(( 'a[1]' + 2 ))",
    """awk 'BEGIN { print "codex exec --yolo -C . hi" }'""",
    """awk 'BEGIN { print "codex exec --yolo -C . hi" > "notes.txt" }'""",
    """awk 'BEGIN { print "codex exec --yolo -C . hi"; print "date" | "sh" }'""",
]


@pytest.mark.parametrize(("command", "rule", "what"), REFUSED)
def test_shell_text_that_runs_codex_is_refused(
    command: str, rule: str, what: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    # (`; true`: a subscript of nothing, `a[]`, is an error once codex has run)
    runs = run_recorded(tmp_path, ["env", "SHELL=/bin/sh", "bash", "-c", command + "\ntrue"])
    assert [run.shows(what) for run in runs] == [True], runs
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and rule in rules, (command, rules)
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, base_env)


@pytest.mark.parametrize("command", ALLOWED)
def test_shell_text_without_codex_stays_allowed(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    allowed, rules = check_door(command, base_env, workspace)
    assert allowed and not rules, rules
    assert_hook_allows("claude", command, workspace, base_env)


# `busybox APPLET ...` (and toybox's) runs the applet as that program: Alpine and other small
# images have no separate env, sh or nohup. (Run for real where busybox is installed.)
BUSYBOX = [
    ("busybox env OPENAI_API_KEY=sk-x codex exec -s read-only -C . hi </dev/null", "CG101"),
    ("busybox sh -c 'codex exec --yolo -C . hi </dev/null'", "CG303"),
    ("toybox env CODEX_API_KEY=sk-x codex exec -s read-only -C . hi </dev/null", "CG101"),
]


@pytest.mark.parametrize(("command", "rule"), BUSYBOX)
def test_a_busybox_applet_is_the_program_it_names(
    command: str, rule: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    import shutil

    program = command.split()[0]
    if shutil.which(program):
        runs = run_recorded(tmp_path, ["bash", "-c", command])
        assert len(runs) == 1 and (runs[0].has_key or "--yolo" in runs[0].argv), runs
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and rule in rules, rules
    assert rule in assert_hook_denies("codex", command, workspace, base_env)


def test_busybox_without_an_applet_runs_nothing(workspace: Path, base_env: dict[str, str]) -> None:
    for command in ("busybox --list | grep codex", "busybox echo codex exec --yolo -C . hi"):
        allowed, rules = check_door(command, base_env, workspace)
        assert allowed and not rules, (command, rules)


# Valid bash that tree-sitter-bash 0.25.1 cannot parse was a parse error (CG901), refused at every
# door however clean the codex call: `[N]<>FILE` opens FILE for reading and writing.
READ_WRITE = [
    ("exec 3<>lock; codex exec -s read-only -C . - < p.md", set()),
    ("codex exec -s read-only -C . - < p.md 3<>lock", set()),
    ("codex exec -s read-only -C . hi <> /dev/null", set()),
    ("codex exec --yolo -C . hi 0<>/dev/null", {"CG303"}),
    # an escaped operator or parenthesis in a `[ ]` test: tree-sitter-bash 0.25.1 fails there too
    ('a=a b=b; [ "$a" \\< "$b" ] && codex exec -s read-only -C . - < p.md', set()),
    ("[ \\( -f p.md \\) ] && codex exec --yolo -C . hi </dev/null", {"CG303"}),
]


@pytest.mark.parametrize(("command", "expected"), READ_WRITE)
def test_valid_bash_the_parser_fails_on_is_read_not_a_parse_error(
    command: str, expected: set[str], tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    (tmp_path / "p.md").write_text("hi\n")
    runs = run_recorded(tmp_path, ["bash", "-c", command], record_stdin=True)
    assert [run.stdin for run in runs] == ["eof"], runs
    allowed, rules = check_door(command, base_env, workspace)
    assert rules == expected and allowed == (not expected), rules
