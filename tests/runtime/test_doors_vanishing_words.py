"""Words that bash may expand to nothing, in front of codex: `$SUDO codex ...`,
`${DRY_RUN:+echo} codex ...`, `"${PRE[@]}" codex ...`. When the value is empty (the usual case
for an unset variable) the next word is the program, and codex runs with the command's own env
and stdin. Each case is first run for real (`bash -c`, a recording stand-in codex on PATH), so
the test shows what codex really got; then `check` and both hooks must refuse it with the rule
that names that danger, not only the CG902 info that the door lets through."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime.conftest import check_door
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies
from tests.sources.recorded_runs import run_recorded

# (command, rule, what the real run shows). BILLING_KEY holds a key in the recorder's env.
VANISHING = [
    (
        'OPENAI_API_KEY="$BILLING_KEY" $SUDO codex exec -s read-only -C . hi </dev/null',
        "CG101",
        "key",
    ),
    (
        'OPENAI_API_KEY="$BILLING_KEY" ${DRY_RUN:+echo} codex exec -s read-only -C . hi </dev/null',
        "CG101",
        "key",
    ),
    (
        'export CODEX_API_KEY="$BILLING_KEY"; "${PRE[@]}" codex exec -s read-only -C . hi </dev/null',
        "CG101",
        "key",
    ),
    (
        'OPENAI_API_KEY="$BILLING_KEY" $(command -v nice) codex exec -s read-only -C . hi </dev/null',
        "CG101",
        "key",
    ),
    ("${HOME:+codex} exec --yolo -C . hi </dev/null", "CG303", "yolo"),
    ("DRY_RUN=; ${DRY_RUN:+echo} codex exec --yolo -C . hi </dev/null", "CG303", "yolo"),
    ("unset D; ${D+echo} codex exec --yolo -C . hi </dev/null", "CG303", "yolo"),
    ("C=codex; ${C:?C is needed} exec --yolo -C . hi </dev/null", "CG303", "yolo"),
]
# An empty prefix leaves a positional prompt on the agent's idle stdin: the hang of CG201.
HANGS = ["$PRE codex exec -s read-only -C . hi", "${DRY_RUN:+echo} codex exec -s read-only -C . hi"]
# The word is known not to vanish, or is quoted: nothing runs codex, or bash cannot run it.
ALLOWED = [
    "DRY_RUN=1; ${DRY_RUN:+echo} codex exec --yolo -C . hi </dev/null",
    "${DRY_RUN:+echo} codex exec -s read-only -C . hi </dev/null",
    "$EDITOR codex-notes.md",
    "$PAGER codex.log",
]


@pytest.fixture
def codex_env(tmp_path: Path, base_env: dict[str, str]) -> dict[str, str]:
    """The doors' env on a machine where codex is installed (a stand-in on PATH)."""
    folder = tmp_path / "installed"
    folder.mkdir()
    (folder / "codex").write_text("#!/bin/sh\nexit 0\n")
    (folder / "codex").chmod(0o755)
    return {**base_env, "PATH": f"{folder}:{base_env['PATH']}"}


@pytest.mark.parametrize(("command", "rule", "what"), VANISHING)
def test_codex_behind_a_word_that_expands_to_nothing_is_refused(
    command: str, rule: str, what: str, tmp_path: Path, workspace: Path, codex_env: dict[str, str]
) -> None:
    runs = run_recorded(tmp_path, ["bash", "-c", command])
    assert [run.shows(what) for run in runs] == [True], runs
    for env in (codex_env, {**codex_env, "PATH": "/usr/bin:/bin"}):
        allowed, rules = check_door(command, env, workspace)
        assert not allowed and rule in rules, (command, rules)
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, codex_env)


@pytest.mark.parametrize("command", HANGS)
def test_a_vanishing_prefix_leaves_the_idle_stdin_hang(
    command: str, tmp_path: Path, workspace: Path, codex_env: dict[str, str]
) -> None:
    runs = run_recorded(tmp_path, ["bash", "-c", command])
    assert len(runs) == 1 and runs[0].argv[-1] == "hi"
    allowed, rules = check_door(command, codex_env, workspace)
    assert not allowed and "CG201" in rules, rules


@pytest.mark.parametrize("command", ALLOWED)
def test_a_word_that_cannot_vanish_into_a_codex_run_stays_allowed(
    command: str, tmp_path: Path, workspace: Path, codex_env: dict[str, str]
) -> None:
    if "exec" in command:
        runs = run_recorded(tmp_path, ["bash", "-c", command])
        assert all("--yolo" not in run.argv for run in runs), runs
    allowed, rules = check_door(command, codex_env, workspace)
    assert allowed, rules
    assert_hook_allows("claude", command, workspace, codex_env)
