"""Issue 8 (B.3): shell functions that run their arguments ("$@", "${@:N}", "$1" "${@:2}") are
wrappers: the words their callers pass are the command. Each script runs under real bash with a
recording stand-in codex, and the command model must see the codex bash really starts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.shell import parse_script
from guard.sources.snippet import RunContext, Snippet

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")

RECORDER = """#!/bin/sh
printf 'ARGV %s\\n' "$*" >> "$CODEX_LOG"
[ -n "${OPENAI_API_KEY+x}" ] && printf 'KEY\\n' >> "$CODEX_LOG"
exit 0
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wrapfuncs")
    (folder / "bin").mkdir()
    codex = folder / "bin" / "codex"
    codex.write_text(RECORDER)
    codex.chmod(0o755)
    return folder


def run_bash(lab: Path, script: str) -> list[str]:
    assert BASH is not None
    log = lab / "codex.log"
    log.write_text("")
    (lab / "case.sh").write_text(script)
    env = {
        "PATH": f"{lab / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(lab),
        "CODEX_LOG": str(log),
    }
    subprocess.run(
        [BASH, str(lab / "case.sh")], cwd=lab, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    return log.read_text().splitlines()


def rules_of(script: str) -> set[str]:
    snippet = Snippet(text=script, path="dispatch.sh", context=RunContext.SCRIPT)
    return {f.rule for f in lint_snippet(snippet, Settings())}


def codex_argvs(script: str) -> list[list[str]]:
    return [
        [w.text for w in c.argv[1:]] for c in parse_script(script).commands if c.program == "codex"
    ]


WRAPPER_FUNCTIONS = {
    "timeout-slice": (
        'with_timeout() { timeout "$1" "${@:2}"; }\n'
        'with_timeout 600 codex exec --yolo "fix the bug" </dev/null\n'
    ),
    "exec-all": ('run() { exec "$@"; }\nrun codex exec --yolo "p" </dev/null\n'),
    "retry-loop": (
        "retry() {\n"
        "  local n=0\n"
        '  until "$@"; do\n'
        "    n=$((n + 1))\n"
        '    [ "$n" -ge 3 ] && return 1\n'
        "    sleep 0\n"
        "  done\n"
        "}\n"
        'retry codex exec --yolo "p" </dev/null\n'
    ),
    "slice-with-length": (
        'pick() { "${@:2:4}"; }\npick ignored codex exec --yolo "p" trailing </dev/null\n'
    ),
    "arena-timeout-shifted": (
        "arena_timeout() {\n"
        '  local secs="$1"; shift\n'
        '  timeout --kill-after=10 "$secs" "$@"\n'
        "}\n"
        'arena_timeout 600 codex exec --yolo "p" </dev/null\n'
    ),
    "four-deep": (
        'inner() { timeout "$1" "${@:2}"; }\n'
        'mid() { inner 60 "$@"; }\n'
        'outer() { "$@"; }\n'
        'top() { outer mid "$@"; }\n'
        'top codex exec --yolo "p" </dev/null\n'
    ),
}


@pytest.mark.parametrize("script", WRAPPER_FUNCTIONS.values(), ids=WRAPPER_FUNCTIONS)
def test_a_function_that_runs_its_arguments_is_a_wrapper(lab: Path, script: str) -> None:
    ran = [line[5:] for line in run_bash(lab, script) if line.startswith("ARGV ")]
    assert ran and ran[0].split()[:2] == ["exec", "--yolo"]
    seen = codex_argvs(script)
    assert seen and seen[0][:2] == ["exec", "--yolo"]
    assert "CG303" in rules_of(script)
    assert "CG902" not in rules_of(script)


def test_env_a_wrapper_function_sets_reaches_codex(lab: Path) -> None:
    script = (
        'keyed() { OPENAI_API_KEY=x "$@"; }\nkeyed codex exec -C . -s read-only "p" </dev/null\n'
    )
    assert "KEY" in run_bash(lab, script)
    assert "CG101" in rules_of(script)


def test_the_call_s_stdin_is_codex_s_stdin() -> None:
    closed = 'w() { timeout 60 "$@"; }\nw codex exec -C . -s read-only "p" </dev/null\n'
    assert "CG201" not in rules_of(closed)
    left_open = 'w() { timeout 60 "$@"; }\nw codex exec -C . -s read-only "p"\n'
    assert "CG201" in rules_of(left_open)


def test_calls_nested_too_deep_to_follow_fail_closed() -> None:
    chain = "".join(f'f{i}() {{ f{i + 1} "$@"; }}\n' for i in range(20))
    script = chain + 'f20() { "$@"; }\nf0 codex exec --yolo p </dev/null\n'
    # Not followed, so not read: a parse error's kind, which the doors refuse by default.
    assert "CG901" in rules_of(script)


@pytest.mark.parametrize(
    "script",
    [
        'log() { echo "[$(date)] $*" >&2; }\nlog codex exec --yolo started\n',
        "note() { printf '%s\\n' \"$@\" >> notes.txt; }\nnote codex exec --yolo p\n",
        'quiet() { grep -q "$1" "${@:2}"; }\nquiet codex exec.log run.log\n',
        'count() { local n=$#; echo "$n"; }\ncount codex exec --yolo\n',
    ],
)
def test_a_function_that_only_prints_its_arguments_is_silent(lab: Path, script: str) -> None:
    assert not [line for line in run_bash(lab, script) if line.startswith("ARGV")]
    assert rules_of(script) <= {"CG902"} and "CG303" not in rules_of(script)


def test_findings_on_a_wrapped_command_point_at_the_call() -> None:
    """The caller wrote the codex command line: that is the line the user fixes, not the
    function's `"$@"` (a wrapper used ten times would otherwise report one body line ten times)."""
    script = (
        "retry() {\n"
        "  local n=0\n"
        '  until "$@"; do n=$((n+1)); [ "$n" -ge 3 ] && return 1; sleep 5; done\n'
        "}\n"
        'retry codex exec -C "$PWD" -s read-only "check the migration"\n'
        'retry codex exec -C "$PWD" -s read-only "check the schema"\n'
    )
    snippet = Snippet(text=script, path="dispatch.sh", context=RunContext.SCRIPT)
    found = lint_snippet(snippet, Settings())
    lines = sorted(f.location.line for f in found if f.rule == "CG201")
    assert lines == [5, 6]
