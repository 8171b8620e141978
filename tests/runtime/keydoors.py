"""The two answers a door must give a line that may hand codex an API key, each checked against
what real bash does with the line first (the recording stand-in codex notes whether the key
reached it): refused with CG101 when it does, allowed with no finding when it does not."""

from __future__ import annotations

from pathlib import Path

from tests.runtime.conftest import check_door
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies
from tests.sources.recorded_runs import run_recorded


def assert_key_reaches_codex_and_is_refused(
    command: str, tmp_path: Path, workspace: Path, env: dict[str, str]
) -> None:
    runs = run_recorded(tmp_path, ["bash", "-c", command])
    assert [run.has_key for run in runs] == [True], runs
    allowed, rules = check_door(command, env, workspace)
    assert not allowed and "CG101" in rules, (command, rules)
    assert "CG101" in assert_hook_denies("codex", command, workspace, env)


def assert_key_dropped_and_allowed(
    command: str, tmp_path: Path, workspace: Path, env: dict[str, str]
) -> None:
    runs = run_recorded(tmp_path, ["bash", "-c", command])
    assert [run.has_key for run in runs] == [False], runs
    allowed, rules = check_door(command, env, workspace)
    assert allowed and not rules, (command, rules)
    assert_hook_allows("claude", command, workspace, env)
