"""A command word printed by a substitution of `printf` or `echo` of literal text:
`$(printf '\\143odex') exec --yolo ...` runs codex (printf decodes its format's `\\143`). The
walk folds such a substitution to the text it prints (words.printed_by, printf_format_text), so
every door sees codex: `lint` on the file and `check` report CG303, both hooks refuse. A format
the shells read differently (`\\x63`: bash decodes it, dash does not) or any expansion stays
CG902, as before. Each line is first run under real bash with a recording stand-in codex."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import check_door, run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies
from tests.shell.test_value_sinks import run_under_bash

RUN = "exec --yolo -C . p </dev/null"
FOLDED = {
    "printf-octal": f"$(printf '\\143odex') {RUN}",
    "printf-octal-middle": f"$(printf 'co\\144ex') {RUN}",
    "printf-all-octal-double-quoted": f'$(printf "\\143\\157\\144\\145\\170") {RUN}',
    "printf-backquoted": f"`printf '\\143odex'` {RUN}",
    "printf-octal-newline": f"$(printf '\\143odex\\n') {RUN}",
    "printf-octal-variable": f'c=$(printf "\\143odex"); "$c" {RUN}',
    "echo": f"$(echo codex) {RUN}",
    # printed into a shell's stdin: the reject's views decode printf's escapes too
    "printf-octal-piped-to-bash": "printf '\\143odex exec --yolo -C . p\\n' | bash",
}
# Not literal (an escape only bash's printf decodes, an expansion in the format): CG902 as before.
UNFOLDED = {
    "printf-hex": f"$(printf '\\x63odex') {RUN}",
    "printf-format-variable": f'f=$(date +%s); $(printf "\\143odex$f") {RUN}',
}
# Printed, never run.
PRINTED_ONLY = [
    "printf '\\143odex exec --yolo\\n'",
    "echo \"$(printf '\\143odex') exec --yolo\"",
    "x=$(printf '\\143odex'); echo \"$x\"",
]


def lint_rules(command: str, workspace: Path, env: dict[str, str]) -> set[str]:
    script = workspace / "run.sh"
    script.write_text(command + "\n")
    lint = run_guard(["lint", "--format", "json", str(script)], env, cwd=workspace)
    return {f["rule"] for f in json.loads(lint.stdout)["findings"]}


@pytest.mark.parametrize("command", FOLDED.values(), ids=FOLDED)
def test_a_printed_command_word_is_read_as_codex(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert "exec\t--yolo" in run_under_bash(command, tmp_path)  # bash really ran it
    assert "CG303" in lint_rules(command, workspace, base_env)
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and "CG303" in rules
    for agent in ("claude", "codex"):
        assert "CG303" in assert_hook_denies(agent, command, workspace, base_env)


@pytest.mark.parametrize("command", UNFOLDED.values(), ids=UNFOLDED)
def test_a_word_that_is_not_literal_stays_dynamic(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    found = lint_rules(command, workspace, base_env)
    assert "CG902" in found and "CG303" not in found
    allowed, rules = check_door(command, base_env, workspace)
    assert allowed and "CG902" in rules and "CG303" not in rules  # as before: info by default


@pytest.mark.parametrize("command", PRINTED_ONLY)
def test_printed_text_is_not_a_run(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert "--yolo" not in run_under_bash(command, tmp_path)
    assert not lint_rules(command, workspace, base_env) & {"CG303", "CG902"}
    allowed, rules = check_door(command, base_env, workspace)
    assert allowed and not rules
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, base_env)
