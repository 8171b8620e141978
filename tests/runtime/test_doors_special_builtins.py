"""An assignment before a POSIX special builtin (`K=V :`, `K=V eval ...`) and where it goes.

POSIX keeps such an assignment in the shell after the builtin: dash does (as a plain variable,
exported only if the name already was, or under `set -a`), bash in posix mode does (exported),
bash in its own mode does not, except that `eval`, `.` and `source` run with it exported and
`K=V export K` / `readonly K` keep it. Each case runs for real under bash, with the shell the
line names, and a recording stand-in codex on PATH; the doors must agree with what codex got.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import check_door, run_guard
from tests.runtime.keydoors import (
    assert_key_dropped_and_allowed,
    assert_key_reaches_codex_and_is_refused,
)
from tests.runtime.test_runtime_hook_sound import assert_hook_denies
from tests.sources.recorded_runs import run_recorded

RUN = "codex exec -s read-only -C . hi </dev/null"

# The key reaches codex: every door refuses it (CG101).
REACHES = [
    # bash's own mode: the builtin runs its text with the assignment in its env
    f"OPENAI_API_KEY=k eval '{RUN}'",
    # bash's own mode: `export K` / `readonly K` of the name assigned before them keep it
    f"OPENAI_API_KEY=k export OPENAI_API_KEY; {RUN}",
    f"OPENAI_API_KEY=k readonly OPENAI_API_KEY; {RUN}",
    # bash's posix mode: kept and exported, whichever special builtin
    f"set -o posix; OPENAI_API_KEY=k :; {RUN}",
    f"POSIXLY_CORRECT=1; OPENAI_API_KEY=k times; {RUN}",
    f"bash --posix -c 'OPENAI_API_KEY=k shift 0; {RUN}'",
    f"bash -o posix -c 'OPENAI_API_KEY=k trap - INT; {RUN}'",
    f"POSIXLY_CORRECT=1 bash -c 'OPENAI_API_KEY=k set -e; {RUN}'",
    f"bash --posix -c 'OPENAI_API_KEY=k eval true; {RUN}'",
    f"bash --posix -c 'OPENAI_API_KEY=k exec 3>/dev/null; {RUN}'",
    # dash: kept, and exported when the name was
    f"dash -c 'export OPENAI_API_KEY; OPENAI_API_KEY=k :; {RUN}'",
    f"dash -c 'set -a; OPENAI_API_KEY=k readonly X; {RUN}'",
    f"dash -c 'OPENAI_API_KEY=k export OPENAI_API_KEY; {RUN}'",
]

# The key does not reach codex: nothing to refuse.
DROPPED = [
    f"OPENAI_API_KEY=k :; {RUN}",
    f"OPENAI_API_KEY=k eval true; {RUN}",
    f"OPENAI_API_KEY=k true; {RUN}",
    f"set -o posix; set +o posix; OPENAI_API_KEY=k :; {RUN}",
    f"bash -c 'OPENAI_API_KEY=k unset X; {RUN}'",
    f"dash -c 'OPENAI_API_KEY=k :; {RUN}'",
    # `command` takes the special out of a special builtin
    f"bash --posix -c 'OPENAI_API_KEY=k command :; {RUN}'",
]


@pytest.mark.parametrize("command", REACHES)
def test_an_assignment_a_special_builtin_keeps_is_refused(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_key_reaches_codex_and_is_refused(command, tmp_path, workspace, base_env)


@pytest.mark.parametrize("command", DROPPED)
def test_an_assignment_the_builtin_drops_stays_allowed(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_key_dropped_and_allowed(command, tmp_path, workspace, base_env)


def test_sh_is_read_as_the_bash_it_may_be(workspace: Path, base_env: dict[str, str]) -> None:
    """/bin/sh is dash here (the key stays unexported) but bash in posix mode on Fedora or macOS
    (exported): `sh -c` text is read the wider way, and so is a #!/bin/sh script."""
    command = f"sh -c 'OPENAI_API_KEY=k :; {RUN}'"
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and "CG101" in rules, rules
    script = workspace / "run.sh"
    script.write_text(f"#!/bin/sh\nOPENAI_API_KEY=k :\n{RUN}\n")
    bash_posix = run_recorded(workspace, ["bash", "--posix", str(script)])
    assert [run.has_key for run in bash_posix] == [True], bash_posix
    linted = run_guard(["lint", "--format", "json", str(script)], base_env, cwd=workspace)
    assert "CG101" in {f["rule"] for f in json.loads(linted.stdout)["findings"]}, linted.stdout


def test_posixly_correct_in_the_agents_env_is_bash_in_posix_mode(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """bash started with POSIXLY_CORRECT in its environment runs in posix mode: the door reads
    the agent's own env, as the Bash tool's shell inherits it."""
    command = f"OPENAI_API_KEY=k :; {RUN}"
    runs = run_recorded(tmp_path, ["env", "POSIXLY_CORRECT=1", "bash", "-c", command])
    assert [run.has_key for run in runs] == [True], runs
    agent_env = {**base_env, "POSIXLY_CORRECT": "1"}
    allowed, rules = check_door(command, agent_env, workspace)
    assert not allowed and "CG101" in rules, rules
    assert "CG101" in assert_hook_denies("claude", command, workspace, agent_env)
    assert check_door(command, base_env, workspace) == (True, set())
