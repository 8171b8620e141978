"""The benchmark corpus stays valid bash: every generated script passes `bash -n`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATOR = REPO_ROOT / "bench" / "generate.py"


def _generate(out: Path, files: int, seed: int) -> list[Path]:
    subprocess.run(
        [sys.executable, str(GENERATOR), str(out), "--files", str(files), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    return sorted(out.glob("*.sh"))


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_generated_scripts_parse_with_bash(tmp_path: Path) -> None:
    scripts = _generate(tmp_path, 5, seed=11)
    assert len(scripts) == 5
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        assert text.startswith("#!") and "set -euo pipefail" in text and "codex" in text
        assert 45 <= len(text.splitlines()) <= 80
        proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{script.name}: {proc.stderr}"


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = [p.read_text() for p in _generate(tmp_path / "a", 3, seed=5)]
    second = [p.read_text() for p in _generate(tmp_path / "b", 3, seed=5)]
    assert first == second
    assert len(set(first)) == 3
