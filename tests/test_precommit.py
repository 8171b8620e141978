"""The pre-commit hook, run for real: pre-commit installs codex-guard from this repository into its
own environment and runs it on the files of a fresh git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed")
def test_pre_commit_hook_reports_a_finding_and_passes_clean_files(tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs this checkout to be a git repository")
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "dispatch.sh").write_text(
        '#!/bin/bash\nOPENAI_API_KEY=x codex exec -C . -s read-only "p" </dev/null\n'
    )
    (project / "clean.sh").write_text(
        '#!/bin/bash\nprintf "%s" "$P" | codex exec -C "$REPO" -s read-only -o v.txt -\n'
    )
    subprocess.run(["git", "add", "."], cwd=project, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(REPO), "codex-guard", "--files", *files],
            cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip

    bad = run("dispatch.sh")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "dispatch.sh:2:1: CG101 error api-key-in-env" in bad.stdout
    good = run("clean.sh")
    assert good.returncode == 0, good.stdout + good.stderr
