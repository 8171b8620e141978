"""What a `lint --no-cache` run imports (issue 12: workflows at actionlint's pace, where start-up is
a third of a run of a thousand workflows). The store's modules (sqlite3, the digests, the
dataclass machinery guard/sources/cache.py used to bring) cost a run that never opens the store
about 16 ms, before the first file; this keeps them from coming back through the walk or the
forked split."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Never in a `--no-cache` run (the store is never opened); `dataclasses` and `inspect` in no
# lint run at all (guard/fastclass.py builds the classes).
NOT_IMPORTED = ("guard.sources.cache", "sqlite3", "hashlib", "dataclasses", "inspect")
# Nor, in a tree without a codex-guard config, the config linter (CG905) and its trust checks.
NO_CONFIG_MET = ("guard.configlint", "guard.trust")

_PROBE = """
import json, os, sys
from guard.cli import main
sys.argv = ["codex-guard", *sys.argv[1:]]
code = main()
json.dump(sorted(sys.modules), open(os.environ["MODULES_OUT"], "w"))
sys.exit(code)
"""

WORKFLOW = """name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
"""

CODEX_WORKFLOW = """name: review
on: [pull_request]
jobs:
  review:
    runs-on: ubuntu-latest
    env:
      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
    steps:
      - run: codex exec -s read-only "review the diff"
"""


def _tree(root: Path, files: int) -> Path:
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True)
    for n in range(files):
        (folder / f"wf{n:03}.yml").write_text(WORKFLOW)
    (folder / "review.yml").write_text(CODEX_WORKFLOW)
    (root / "run.sh").write_text("#!/bin/sh\ncodex exec --ephemeral resume --last\n")
    return root


def _lint(
    tmp_path: Path, *args: str, importtime: bool = False
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`codex-guard lint ARGS` in a fresh interpreter, and the modules it had at its end. With
    `importtime`, its stderr holds `-X importtime`'s report."""
    out = tmp_path / "modules.json"
    env = {"PATH": "/usr/bin:/bin", "MODULES_OUT": str(out), "HOME": str(tmp_path)}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    flags = ["-X", "importtime"] if importtime else []
    proc = subprocess.run(
        [sys.executable, *flags, "-c", _PROBE, "lint", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc, set(json.loads(out.read_text())) if out.exists() else set()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_no_cache_run_imports_nothing_of_the_store(tmp_path: Path, jobs: str) -> None:
    # 80 files: with -j2 the run forks its split child (more than 64 files).
    tree = _tree(tmp_path / "repo", 80)
    proc, modules = _lint(tmp_path, "--no-cache", "-j", jobs, str(tree))
    assert proc.returncode == 1, proc.stderr  # the findings are there: the files were linted
    assert "CG101" in proc.stdout and "CG201" in proc.stdout
    assert not modules & set(NOT_IMPORTED), sorted(modules & set(NOT_IMPORTED))
    assert not modules & set(NO_CONFIG_MET), sorted(modules & set(NO_CONFIG_MET))
    assert not (tmp_path / "cache" / "codex-guard" / "lint").exists()


def test_a_cached_run_builds_its_classes_without_dataclasses(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "repo", 3)
    for _ in range(2):  # the second run answers from the store
        proc, modules = _lint(tmp_path, "-j1", str(tree))
        assert proc.returncode == 1, proc.stderr
        assert "sqlite3" in modules  # the store was used
        assert not modules & {"dataclasses", "inspect"}, sorted(modules)


# What a lint runs before its split forks (start-up, config, the walk, the keyword reject and the
# workflow reader it uses) and the workflow full check: `typing` (2 ms) in none of them, they
# import it for the type checker only.
BEFORE_THE_FORK = (
    "guard.cli",
    "guard.commands.lint",
    "guard.commands.lintargs",
    "guard.commands.forksplit",
    "guard.config",
    "guard.configlint",
    "guard.sources.walk",
    "guard.sources.workflow",
    "guard.sources.codexaction",
    "guard.reject",
    "guard.regexcodes",
)


def test_the_lint_start_up_imports_no_typing() -> None:
    code = f"import sys; import {', '.join(BEFORE_THE_FORK)}; print('typing' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_a_config_in_the_tree_is_still_linted(tmp_path: Path) -> None:
    """CG905 still reads the configs the walk meets (and only then imports its linter)."""
    tree = _tree(tmp_path / "repo", 3)
    (tree / ".codex-guard.yaml").write_text("ignore: [CG1]\n")  # loosens billing: CG905
    proc, modules = _lint(tmp_path, "--no-cache", str(tree))
    assert proc.returncode == 1, proc.stderr
    assert "guard.configlint" in modules
    assert "CG905" in proc.stdout and ".codex-guard.yaml" in proc.stdout


def _imported(importtime: str) -> set[str]:
    """The modules `-X importtime` reports on stderr: those of every process of the run (a
    forked child writes to the same stderr)."""
    names = set()
    for line in importtime.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_run_without_a_config_imports_no_pathlib(tmp_path: Path, jobs: str) -> None:
    """pathlib (2.5 ms with urllib.parse and ipaddress) is imported by no process of a plain
    run over a tree without a config: not by this process before the split forks, nor by the
    split's child for its full checks (`-j2`: more than 64 files, workflows first). (A tree
    with a .gitignore imports it all the same: pathspec, which reads them, imports it.)"""
    tree = _tree(tmp_path / "repo", 80)
    proc, modules = _lint(tmp_path, "--no-cache", "-j", jobs, str(tree), importtime=True)
    assert proc.returncode == 1, proc.stderr
    assert "CG101" in proc.stdout and "CG201" in proc.stdout
    assert "pathlib" not in modules
    imported = _imported(proc.stderr)
    assert "guard.engine.run" in imported  # the report holds the full checks' imports
    if jobs == "2":  # the full checks ran in the split's child: its imports are reported too
        assert "guard.engine.run" not in modules
    assert "pathlib" not in imported
    assert "urllib.parse" not in imported  # (it came with pathlib; SARIF alone needs it)
