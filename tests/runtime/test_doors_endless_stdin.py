"""A producer that never ends feeding codex's stdin (`tail -f log |`, `yes |`, `< /dev/zero`):
codex reads stdin to EOF before it starts, so the run hangs forever (the stdin lab in
tests/shell/test_stdin_lab.py runs each form in real bash). `lint` reports it as an error (CG201
for a positional prompt, CG205 for a prompt read from stdin) and `check` and both hooks refuse it;
a producer that ends (`tail -n 5`, `yes | head -3`, `timeout 5 tail -f`) is not refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import check_door, run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies

ENDLESS = [
    ('tail -f log | codex exec -s read-only "p"', "CG201"),
    ('yes | codex exec -s read-only "p"', "CG201"),
    ('codex exec -s read-only "p" < /dev/zero', "CG201"),
    ("cat /dev/urandom | codex exec -s read-only -", "CG205"),
    ('sleep infinity | codex exec -s read-only "p"', "CG201"),
    ("tail -f log | codex exec -s read-only -", "CG205"),
    ('tail -F "$LOG" | timeout 600 codex exec -s read-only -', "CG205"),
    ('yes | cat | codex exec -s read-only "p"', "CG201"),
    ("codex exec -s read-only - < <(tail -fn 20 log)", "CG205"),
    ('nice -n 5 tail -f log | codex exec -s read-only "p" > out.txt', "CG201"),
]
ENDS = [
    "tail -n 5 log | codex exec -s read-only -",
    "tail log | codex exec -s read-only -",
    "yes | head -3 | codex exec -s read-only -",
    "timeout 5 tail -f x | codex exec -s read-only -",
    "echo x | tail -f | codex exec -s read-only -",
    "tail -f log > copy.txt | codex exec -s read-only -",
    "tail --pid=4242 -f log | codex exec -s read-only -",
    "head -c 64 /dev/urandom | codex exec -s read-only -",
    "sleep 5 | codex exec -s read-only -",
]


def lint_findings(command: str, workspace: Path, env: dict[str, str]) -> list[tuple[str, str]]:
    script = workspace / "run.sh"
    script.write_text(command + "\n")
    lint = run_guard(["lint", "--format", "json", str(script)], env, cwd=workspace)
    return [(f["rule"], f["severity"]) for f in json.loads(lint.stdout)["findings"]]


@pytest.mark.parametrize(("command", "rule"), ENDLESS)
def test_an_endless_producer_is_an_error_every_door_refuses(
    command: str, rule: str, workspace: Path, base_env: dict[str, str]
) -> None:
    found = lint_findings(command, workspace, base_env)
    assert (rule, "error") in found
    # The hang is CG201's, not a <stdin> block codex would append (CG203), nor a missing input.
    assert not {r for r, _ in found} & {"CG202", "CG203"}
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and rule in rules
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, base_env)


@pytest.mark.parametrize("command", ENDS)
def test_a_producer_that_ends_is_not_refused(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    found = {rule for rule, _ in lint_findings(command, workspace, base_env)}
    assert not found & {"CG201", "CG202", "CG205"}
    allowed, rules = check_door(command, base_env, workspace)
    assert allowed and not rules & {"CG201", "CG202", "CG205"}
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, base_env)


def test_the_message_names_the_producer(workspace: Path, base_env: dict[str, str]) -> None:
    script = workspace / "run.sh"
    script.write_text('tail -f build.log | codex exec -s read-only "Watch the build."\n')
    lint = run_guard(["lint", "--format", "json", str(script)], base_env, cwd=workspace)
    (finding,) = [f for f in json.loads(lint.stdout)["findings"] if f["rule"] == "CG201"]
    assert finding["message"].startswith("positional prompt with a stdin fed by `tail -f`")
    assert finding["fix"] and "</dev/null" in finding["fix"]
