"""`local K` and `unset K` under bash's dynamic scoping: what codex's environment really holds.

Checked with bash 5.2 and a recording stand-in codex: an `unset` (or `export -n`) of a local
does not take the name out of the environment a command gets, however often it is repeated and
with `shopt -s localvar_unset` too: the caller's K (or the ambient one) is what codex gets.
Unset from a function the local's owner called, the local is gone and the caller's K shows; a
second unset reaches that. The doors must never believe a key gone that bash still passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime.conftest import check_door
from tests.runtime.keydoors import (
    assert_key_dropped_and_allowed,
    assert_key_reaches_codex_and_is_refused,
)
from tests.runtime.test_runtime_hook_sound import assert_hook_denies
from tests.sources.recorded_runs import run_recorded

RUN = "codex exec -s read-only -C . hi </dev/null"
KEY = "export OPENAI_API_KEY=k"

# The key reaches codex (the script exports it): every door refuses (CG101).
REACHES = [
    f"f() {{ local OPENAI_API_KEY=; unset OPENAI_API_KEY; {RUN}; }}; {KEY}; f",
    f"f() {{ local OPENAI_API_KEY; unset OPENAI_API_KEY; {RUN}; }}; {KEY}; f",
    f"f() {{ declare OPENAI_API_KEY=; unset OPENAI_API_KEY; unset OPENAI_API_KEY; {RUN}; }}; {KEY}; f",
    f"f() {{ local OPENAI_API_KEY=; unset OPENAI_API_KEY; OPENAI_API_KEY=x; {RUN}; }}; {KEY}; f",
    f"f() {{ local OPENAI_API_KEY=; export -n OPENAI_API_KEY; {RUN}; }}; {KEY}; f",
    f"f() {{ local OPENAI_API_KEY=; declare +x OPENAI_API_KEY; {RUN}; }}; {KEY}; f",
    f"f() {{ local OPENAI_API_KEY=; ( unset OPENAI_API_KEY; {RUN} ); }}; {KEY}; f",
    # unset from a called function: the caller's local is gone, the global shows
    f"g() {{ unset OPENAI_API_KEY; {RUN}; }}; f() {{ local OPENAI_API_KEY=; g; }}; {KEY}; f",
    f"shopt -s localvar_unset; g() {{ unset OPENAI_API_KEY; {RUN}; }}; "
    f"f() {{ local OPENAI_API_KEY=; g; }}; {KEY}; f",
    f"g() {{ unset OPENAI_API_KEY; }}; f() {{ local OPENAI_API_KEY=; g; {RUN}; }}; {KEY}; f",
    f"h() {{ unset OPENAI_API_KEY; {RUN}; }}; g() {{ local OPENAI_API_KEY=; h; }}; "
    f"f() {{ local -x OPENAI_API_KEY=z; g; }}; f",
    # the call's own `K=V f`: unset in f shows the caller's K
    f"{KEY}; f() {{ unset OPENAI_API_KEY; {RUN}; }}; OPENAI_API_KEY=j f",
    f"f() {{ unset OPENAI_API_KEY; export OPENAI_API_KEY=x; }}; OPENAI_API_KEY=j f; {RUN}",
]

# The key is really gone: nothing to refuse.
DROPPED = [
    f"g() {{ unset OPENAI_API_KEY; unset OPENAI_API_KEY; {RUN}; }}; "
    f"f() {{ local OPENAI_API_KEY=; g; }}; {KEY}; f",
    f"{KEY}; f() {{ unset OPENAI_API_KEY; unset OPENAI_API_KEY; {RUN}; }}; OPENAI_API_KEY=j f",
    f"f() {{ unset OPENAI_API_KEY; {RUN}; }}; {KEY}; f",
    f"f() {{ local OPENAI_API_KEY=v; export -n OPENAI_API_KEY; {RUN}; }}; f",
]

# With the key in the environment the door itself runs in (the agent's), bash passes it on.
AMBIENT = [
    f"f() {{ local OPENAI_API_KEY=; unset OPENAI_API_KEY; {RUN}; }}; f",
    f"f() {{ local OPENAI_API_KEY; unset OPENAI_API_KEY; unset OPENAI_API_KEY; {RUN}; }}; f",
    f"f() {{ local OPENAI_API_KEY=v; export -n OPENAI_API_KEY; {RUN}; }}; f",
]


@pytest.mark.parametrize("command", REACHES)
def test_a_key_an_unset_local_leaves_in_the_env_is_refused(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_key_reaches_codex_and_is_refused(command, tmp_path, workspace, base_env)


@pytest.mark.parametrize("command", DROPPED)
def test_a_key_bash_really_drops_stays_allowed(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_key_dropped_and_allowed(command, tmp_path, workspace, base_env)


@pytest.mark.parametrize("command", AMBIENT)
def test_an_ambient_key_under_an_unset_local_is_refused(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    runs = run_recorded(tmp_path, ["env", "OPENAI_API_KEY=amb", "bash", "-c", command])
    assert [run.has_key for run in runs] == [True], runs
    agent_env = {**base_env, "OPENAI_API_KEY": "amb"}
    allowed, rules = check_door(command, agent_env, workspace)
    assert not allowed and "CG101" in rules, (command, rules)
    assert "CG101" in assert_hook_denies("claude", command, workspace, agent_env)
    # and without it there is nothing to refuse
    assert check_door(command, base_env, workspace) == (True, set())
