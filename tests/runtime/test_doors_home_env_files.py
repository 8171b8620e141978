"""`source ~/.bashrc && codex exec ...`: the doors answer for a command about to run on this
machine, so an env file in the user's home (`~/F`, `$HOME/F`) is read as the shell will read it:
one that exports a forbidden key puts it in codex's environment (CG103 error, refused). `lint`
never reads this machine's home: the script runs elsewhere (a warning there, as before)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import run_guard
from tests.sources.recorded_runs import run_recorded

LOADS = [
    "source ~/.bashrc && codex exec -s read-only -C . - < p.md",
    '. "$HOME/.bashrc"; codex exec -s read-only -C . - < p.md',
    "source ${HOME}/.bashrc; codex exec -s read-only -C . - < p.md",
]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / ".bashrc").write_text('export OPENAI_API_KEY="$BILLING_KEY"\n')
    return folder


def _check(command: str, env: dict[str, str], cwd: Path) -> tuple[bool, dict[str, str]]:
    proc = run_guard(["check", "--format", "json", command], env, cwd=cwd)
    doc = json.loads(proc.stdout)
    return bool(doc["allowed"]), {f["rule"]: f["severity"] for f in doc["findings"]}


@pytest.mark.parametrize("command", LOADS)
def test_a_home_env_file_that_exports_the_key_is_refused_at_the_doors(
    command: str, home: Path, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    (tmp_path / "p.md").write_text("hi\n")
    runs = run_recorded(tmp_path, ["env", f"HOME={home}", "bash", "-c", command])
    assert [run.has_key for run in runs] == [True], runs
    allowed, rules = _check(command, {**base_env, "HOME": str(home)}, workspace)
    assert not allowed and rules.get("CG103") == "error", rules


def test_a_key_unset_after_the_load_is_not_refused(
    home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    command = "source ~/.bashrc; unset OPENAI_API_KEY; codex exec -s read-only -C . - < p.md"
    allowed, rules = _check(command, {**base_env, "HOME": str(home)}, workspace)
    assert allowed and rules == {"CG103": "warning"}, rules


def test_a_home_file_without_the_key_stays_a_warning(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    folder = tmp_path / "plain-home"
    folder.mkdir()
    (folder / ".bashrc").write_text("export PATH=$HOME/bin:$PATH\n")
    allowed, rules = _check(LOADS[0], {**base_env, "HOME": str(folder)}, workspace)
    assert allowed and rules == {"CG103": "warning"}, rules


def test_lint_never_reads_the_home_of_the_machine_it_runs_on(
    home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    (workspace / "run.sh").write_text(LOADS[0] + "\n")
    proc = run_guard(
        ["lint", "--format", "json", "run.sh"], {**base_env, "HOME": str(home)}, cwd=workspace
    )
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [("CG103", "warning")], findings
