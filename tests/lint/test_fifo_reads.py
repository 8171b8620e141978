"""A FIFO where lint reads a side file (a Makefile's include, a .gitignore, a sourced .env)
must not hang lint: it is not a regular file, so it is not read, and every other file is linted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import REPO

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guard.cli", "lint", "--no-cache", str(folder)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,  # the hang this guards against is forever
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("fifo", "main", "text"),
    [
        ("fifo.mk", "Makefile", "include fifo.mk\nall:\n\tcodex exec --yolo -C . - < t.md\n"),
        (".gitignore", "run.sh", "codex exec --yolo -C . - < t.md\n"),
        (".env", "run.sh", "set -a; . ./.env; set +a\ncodex exec --yolo -C . - < t.md\n"),
    ],
)
def test_a_fifo_side_file_is_not_waited_on(tmp_path: Path, fifo: str, main: str, text: str) -> None:
    os.mkfifo(tmp_path / fifo)
    (tmp_path / main).write_text(text)
    done = _lint(tmp_path)
    assert "Traceback" not in done.stderr
    assert "CG303" in done.stdout  # the file that includes / sources it is still linted
