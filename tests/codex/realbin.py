"""Where the real Codex CLI binaries are: `.ci/install-codex` puts the default target (0.171.0) in
`.codex-cli/` and other versions in `.codex-cli-<version>/`; `$CODEX_GUARD_REAL_CODEX` overrides."""

from __future__ import annotations

import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _candidates() -> list[Path]:
    found = []
    override = os.environ.get("CODEX_GUARD_REAL_CODEX")
    if override:
        found.append(Path(override))
    found.append(REPO_ROOT / ".codex-cli" / "node_modules" / ".bin" / "codex")
    found.extend(sorted(REPO_ROOT.glob(".codex-cli-*/node_modules/.bin/codex")))
    return [p for p in found if p.is_file() and os.access(p, os.X_OK)]


@cache
def binary_version(binary: Path) -> str | None:
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False,
            env={**os.environ, "CODEX_HOME": home}, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    words = proc.stdout.split()
    return words[-1] if proc.returncode == 0 and words else None


def installed() -> dict[str, Path]:
    """{version: binary} of every real codex installed for the tests (first one wins)."""
    out: dict[str, Path] = {}
    for path in _candidates():
        version = binary_version(path)
        if version is not None:
            out.setdefault(version, path)
    return out


def real_codex(version: str) -> Path | None:
    return installed().get(version)
