"""bash's `case` fall-through terminators, `;&` (run the next item's body too) and `;;&` (test
the later patterns again). tree-sitter-bash 0.25.1 rejects either on a `case`'s last item, so
such a script was a parse error (CG901) refused at every door, though bash runs it
(parser.repair_last_fallthrough); and the walk took each item as a path of its own, so a value
set before `;&` was unknown in the body it falls into (flow._case). Each line is first run
under real bash with a recording stand-in codex (with `$1` set to `a`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import check_door, run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies
from tests.shell.test_value_sinks import run_under_bash

SAFE = "codex exec -C . -s read-only p </dev/null"
YOLO = "exec --yolo -C . p </dev/null"
# Valid bash that ran a safe codex: allowed, no parse error.
PARSED = {
    "last-fallthrough": f'case "$1" in a) {SAFE} ;& esac',
    "last-test-next": f'case "$1" in a) echo a ;;& b) echo b ;; *) {SAFE} ;;& esac',
    "last-fallthrough-lines": f'case "$1" in\n  a)\n    {SAFE}\n    ;&\n  # done\nesac',
    "in-function": f'f() {{ case "$1" in a) echo a ;& b) {SAFE} ;& esac; }}\nf "$1"',
}
# codex --yolo in a branch bash falls into, or named by a value set before the fall-through.
FOUND = {
    "codex-in-last-item": f'case "$1" in a) echo a ;& b) codex {YOLO} ;& esac',
    "value-falls-through": f'case "$1" in a) c=codex ;& b) "$c" {YOLO} ;; esac',
    "value-tested-on": f'case "$1" in a) c=codex ;;& b) echo b ;; *) "$c" {YOLO} ;; esac',
    "flag-falls-through": 'case "$1" in a) F=--yolo ;& b) codex exec $F -C . p </dev/null ;; esac',
}


def lint_rules(command: str, workspace: Path, env: dict[str, str]) -> set[str]:
    script = workspace / "run.sh"
    script.write_text(command + "\n")
    lint = run_guard(["lint", "--format", "json", str(script)], env, cwd=workspace)
    return {f["rule"] for f in json.loads(lint.stdout)["findings"]}


def bash_accepts(command: str, tmp_path: Path) -> bool:
    script = tmp_path / "syntax.sh"
    script.write_text(command + "\n")
    return subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


@pytest.mark.parametrize("command", PARSED.values(), ids=PARSED)
def test_a_fallthrough_case_parses_and_is_allowed(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert bash_accepts(command, tmp_path)
    assert "exec\t-C\t.\t-s\tread-only\tp" in run_under_bash(f"set -- a\n{command}", tmp_path)
    assert "CG901" not in lint_rules(command, workspace, base_env)
    allowed, rules = check_door(command, base_env, workspace)
    assert allowed and "CG901" not in rules
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, base_env)


@pytest.mark.parametrize("command", FOUND.values(), ids=FOUND)
def test_codex_reached_by_a_fallthrough_is_found(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert "--yolo" in run_under_bash(f"set -- a\n{command}", tmp_path)  # bash ran it
    found = lint_rules(command, workspace, base_env)
    assert "CG303" in found and "CG901" not in found
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and "CG303" in rules and "CG901" not in rules
    for agent in ("claude", "codex"):
        assert "CG303" in assert_hook_denies(agent, command, workspace, base_env)
