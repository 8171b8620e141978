"""An install without the shell parser says so; it does not lint every file as a parse error.

The shell layer turns any exception of a parse into CG901 (the linter survives any input). That
took in the ImportError of a missing `tree_sitter` too: run by an interpreter without it (another
venv's `python -m guard`), every shell snippet became "could not parse this as shell", exit 1,
and those findings were cached by content hash, so a later run with the parser installed
reported the same CG901 (and none of the real findings) until the file changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = '#!/bin/bash\ncd /srv/app\ncodex exec -C . -s read-only -o o.txt "hi"\n'

# The CLI, with the parser's import failing as it does where tree-sitter is not installed.
WITHOUT_PARSER = """
import sys
import guard.shell.tslang as tslang

def missing():
    raise ModuleNotFoundError("No module named 'tree_sitter'")

tslang.tree_sitter_module = missing
from guard.cli import console_main
sys.argv = ["codex-guard", *sys.argv[1:]]
sys.exit(console_main())
"""


def lint(folder: Path, cache: Path, *prefix: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, *prefix, "lint", "--format", "json", str(folder / "run.sh")],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def test_a_missing_parser_is_an_error_and_is_not_cached(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text(SCRIPT, encoding="utf-8")
    cache = tmp_path / "cache"
    broken = lint(tmp_path, cache, "-c", WITHOUT_PARSER)
    assert broken.returncode == 2
    doc = json.loads(broken.stdout)
    assert doc["findings"] == []
    assert [e["message"] for e in doc["errors"]] == [
        "line 1: internal error while linting: No module named 'tree_sitter'"
    ]
    # the same file, the same cache, the parser back: the real findings
    fixed = lint(tmp_path, cache, "-m", "guard")
    assert fixed.returncode == 1
    rules = sorted((f["rule"], f["line"]) for f in json.loads(fixed.stdout)["findings"])
    assert rules == [("CG201", 3)]
