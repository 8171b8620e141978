"""The scale benchmark's tree: deterministic, the asked number of files, and what it says it is
(a monorepo with a config per project, most files not mentioning codex)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TREE = REPO_ROOT / "bench" / "tree.py"
SUPPORT = {".codex-guard.yaml", ".gitignore"}


def _tree(out: Path, files: int, seed: int = 7) -> dict[str, bytes]:
    subprocess.run(
        [sys.executable, str(TREE), str(out), "--files", str(files), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def test_tree_is_deterministic_and_sized(tmp_path: Path) -> None:
    first = _tree(tmp_path / "a", 250)
    assert first == _tree(tmp_path / "b", 250)
    assert first != _tree(tmp_path / "c", 250, seed=8)
    linted = [p for p in first if Path(p).name not in SUPPORT]
    assert len(linted) == 250
    assert (tmp_path / "a" / ".git").is_dir()
    assert sum(1 for p in first if p.endswith(".codex-guard.yaml")) == 3  # one per 100 files
    mention = sum(1 for p in linted if b"codex" in first[p])
    assert 0 < mention < len(linted) / 2
