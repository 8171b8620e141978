"""An install without its rule files (a wheel built without `guard/_rules`, a `guard/` folder
copied on its own) must not pass everything: with no rules every door allowed every command and
lint said "All clear". Each door is run for real, from such a copy, with a recording stand-in
`codex` on PATH. An install without its dependencies must say so, without a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CODEX_RUN = 'codex exec --dangerously-bypass-approvals-and-sandbox "fix the build"'


@pytest.fixture
def bare_package(tmp_path: Path) -> Path:
    """A copy of the package folder alone: no `rules/` beside it, no `guard/_rules` in it."""
    root = tmp_path / "install"
    shutil.copytree(REPO / "guard", root / "guard", ignore=shutil.ignore_patterns("__pycache__"))
    assert not (root / "rules").exists() and not (root / "guard" / "_rules").exists()
    return root


@pytest.fixture
def standin(tmp_path: Path) -> Path:
    """A `codex` that logs each run (argv) and does nothing else."""
    folder = tmp_path / "bin"
    folder.mkdir()
    codex = folder / "codex"
    codex.write_text(f'#!/bin/sh\necho "$*" >> {folder / "runs.log"}\n')
    codex.chmod(0o755)
    return folder


def _env(root: Path, standin: Path, home: Path) -> dict[str, str]:
    return {
        "PATH": f"{standin}:{os.environ['PATH']}",
        "PYTHONPATH": str(root),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "CODEX_HOME": str(home / ".codex"),
    }


def _guard(
    root: Path, env: dict[str, str], *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guard", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=60,
    )


def test_lint_exits_2_and_names_the_missing_rules(
    bare_package: Path, standin: Path, tmp_path: Path
) -> None:
    script = tmp_path / "dispatch.sh"
    script.write_text(f"#!/bin/bash\n{CODEX_RUN}\n")
    done = _guard(bare_package, _env(bare_package, standin, tmp_path), "lint", str(script))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "All clear" not in done.stdout
    assert f"{bare_package / 'rules'}: codex-guard's built-in rules are missing" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_and_the_hook_refuse_a_codex_command(
    bare_package: Path, standin: Path, tmp_path: Path
) -> None:
    env = _env(bare_package, standin, tmp_path)
    checked = _guard(bare_package, env, "check", "--", CODEX_RUN)
    assert checked.returncode != 0 and "built-in rules are missing" in checked.stderr
    payload = {
        "cwd": str(tmp_path),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": CODEX_RUN},
    }
    hook = subprocess.run(
        [sys.executable, "-E", "-P", "-S", str(bare_package / "guard" / "hookmain.py"), "claude"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    answer = json.loads(hook.stdout)["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny"
    assert "built-in rules are missing" in answer["permissionDecisionReason"]
    # A command without codex still needs no rules: the doors stay out of the way.
    assert _guard(bare_package, env, "check", "--", "ls -la").returncode == 0


def test_the_exec_shim_never_runs_codex(bare_package: Path, standin: Path, tmp_path: Path) -> None:
    done = _guard(
        bare_package,
        _env(bare_package, standin, tmp_path),
        "exec",
        "--",
        "codex",
        "exec",
        "-s",
        "read-only",
        "-C",
        str(tmp_path),
        "-",
        stdin="summarize the repo",
    )
    assert done.returncode != 0
    runs = (standin / "runs.log").read_text() if (standin / "runs.log").exists() else ""
    assert "exec" not in runs  # at most `login status` was asked; the run itself never started


def test_doctor_says_the_rules_are_missing(
    bare_package: Path, standin: Path, tmp_path: Path
) -> None:
    done = _guard(bare_package, _env(bare_package, standin, tmp_path), "doctor")
    assert done.returncode != 0
    assert "FAIL rules: " in done.stdout and "built-in rules are missing" in done.stdout
    healthy = _guard(REPO, _env(REPO, standin, tmp_path), "doctor")
    assert "OK   rules: " in healthy.stdout


@pytest.mark.parametrize("args", [["rules"], ["check", "--", CODEX_RUN]])
def test_an_install_without_its_dependencies_says_so_without_a_traceback(
    args: list[str], tmp_path: Path
) -> None:
    """`-S`: no site-packages, so no click (nor PyYAML, tree-sitter): the crash report itself
    used to import click and die with two tracebacks."""
    done = subprocess.run(
        [sys.executable, "-S", "-m", "guard", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "HOME": str(tmp_path)},
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "codex-guard: cannot run: No module named 'click' (reinstall codex-guard)" in done.stderr
