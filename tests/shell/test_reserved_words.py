"""Bash's reserved words `time` and `coproc` before a command, which tree-sitter-bash 0.25.1
reads as a command name (found by an adversarial pass: `time ( codex exec --yolo ... )` was
allowed by `check` and the hooks even with fail-closed on). Each case runs under real bash
with a recording stand-in codex first: the command model must see the codex bash starts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import key_lab, run_in_lab

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")

RUN = "codex exec -s read-only -C . p </dev/null"
YOLO = "codex exec --yolo -C . p </dev/null"

# script -> (the rule it must get, whether bash gives codex the key)
CASES = {
    "time-subshell": (f"time ( {YOLO} )", "CG303", False),
    "time-group": (f"time {{ OPENAI_API_KEY=sk {RUN}; }}", "CG101", True),
    "time-assignment": (f"time OPENAI_API_KEY=sk {RUN}", "CG101", True),
    "time-p-assignment": (f"time -p OPENAI_API_KEY=sk {RUN}", "CG101", True),
    "time-negated": (f"time ! OPENAI_API_KEY=sk {RUN}", "CG101", True),
    "time-if": (f"time if true; then OPENAI_API_KEY=sk {RUN}; fi", "CG101", True),
    "time-for": (f"time -p for x in 1; do {YOLO}; done", "CG303", False),
    "time-while": (f"n=0; time while [ $n -lt 1 ]; do n=1; {YOLO}; done", "CG303", False),
    "coproc-subshell": (f"coproc ( {YOLO} ); wait", "CG303", False),
    "coproc-assignment": (f"coproc OPENAI_API_KEY=sk {RUN}; wait", "CG101", True),
    "coproc-named-group": (f"coproc W {{ OPENAI_API_KEY=sk {RUN}; }}; wait", "CG101", True),
    "coproc-named-loop": (f"coproc W for x in 1; do {YOLO}; done; wait", "CG303", False),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return key_lab(tmp_path_factory.mktemp("reserved"))


def run_bash(lab: Path, script: str) -> str:
    return run_in_lab(lab, script, str(BASH))


def rules_of(script: str) -> set[str]:
    snippet = Snippet(text=script, path="<hook>", context=RunContext.AGENT)
    return {f.rule for f in lint_snippet(snippet, Settings())}


@pytest.mark.parametrize(("script", "rule", "key"), CASES.values(), ids=CASES)
def test_codex_under_time_or_coproc_is_seen(lab: Path, script: str, rule: str, key: bool) -> None:
    log = run_bash(lab, script)
    assert log.count("ARGV exec") == 1, log  # bash really started codex, once
    assert ("KEY" in log) is key
    found = rules_of(script)
    assert rule in found, found
    assert "CG901" not in found  # valid bash is no parse error


@pytest.mark.parametrize(
    "script",
    [
        "time make test",
        "time -p ( make test )",
        "time { ls; echo codex is fast; }",
        "K=1 time ls",
        "coproc ( sleep 1 ); wait",
        "echo time codex exec --yolo p",
        "/usr/bin/time -f %e make",
    ],
)
def test_time_and_coproc_without_codex_stay_silent(script: str) -> None:
    assert rules_of(script) <= {"CG902"}, rules_of(script)


def test_the_hook_denies_codex_under_time(tmp_path: Path) -> None:
    import json

    from tests.runtime.conftest import run_guard

    event = {"tool_name": "Bash", "tool_input": {"command": f"time ( {YOLO} )"}}
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    proc = run_guard(["hook", "claude"], env, cwd=tmp_path, input=json.dumps(event))
    assert '"permissionDecision": "deny"' in proc.stdout
    assert "CG303" in proc.stdout


def _nested(times: int, layer: str, inner: str) -> str:
    import shlex

    for _ in range(times):
        inner = f"{layer} {shlex.quote(inner)}"
    return inner


KEYED = "OPENAI_API_KEY=sk codex exec -s read-only -C . p </dev/null"


@pytest.mark.parametrize(
    "script",
    [
        _nested(9, "eval", KEYED),
        _nested(9, "bash -c", KEYED),
        "env " * 33 + KEYED,
        _nested(9, "bash <<<", KEYED),
    ],
    ids=["eval", "bash-c", "wrappers", "bash-herestring"],
)
def test_nesting_past_the_walks_bounds_is_refused_at_the_doors(lab: Path, script: str) -> None:
    """An adversarial pass found 9 nested `eval`s, 9 nested `bash -c` and 33 wrappers allowed
    with no finding, or CG902 only (allowed unless fail-closed): bash runs codex with the key
    (checked here), so a command nested past the bounds is not read, and is refused."""
    assert "KEY" in run_bash(lab, script)
    from tests.runtime.conftest import run_guard

    env = {**os.environ, "HOME": str(lab), "XDG_CONFIG_HOME": str(lab / "cfg")}
    proc = run_guard(["check", script], env, cwd=lab)
    assert proc.returncode == 1, proc.stdout
    assert "CG901" in proc.stdout and "nested deeper than codex-guard follows" in proc.stdout
