"""The Codex config fixtures (codex_configs/) and what `lint` must say about each one: shared by
the lint tests and the tests that run the same files through the real codex."""

from __future__ import annotations

import subprocess
from pathlib import Path

FIXTURES = Path(__file__).parent / "codex_configs"

# (fixture path, the findings `lint` must give it: rule, severity, line, column)
EXPECTED: dict[str, set[tuple[str, str, int, int]]] = {
    "bad/ci-codex-home/config.toml": {("CG801", "error", 4, 1)},
    "bad/gateway-codex-home/config.toml": {("CG801", "error", 3, 1)},
    "bad/codex-home/worker.config.toml": {("CG803", "error", 4, 1)},
    "bad/perm-codex-home/config.toml": {("CG803", "error", 3, 1)},
    "bad/project/.codex/config.toml": {("CG804", "error", 5, 19), ("CG803", "warning", 8, 1)},
    "bad/env-codex-home/config.toml": {("CG804", "error", 5, 1)},
    "bad/plain-codex-home/config.toml": {("CG802", "info", 1, 1)},
    "bad/broken-codex-home/config.toml": {("CG901", "warning", 2, 32)},
    "good/codex-home/config.toml": set(),
    "good/codex-home/validator.config.toml": set(),
    "good/project/.codex/config.toml": set(),
    "good/env-codex-home/config.toml": set(),
    "good/exclude-codex-home/config.toml": set(),
}
NOT_CODEX_CONFIG = ("good/app/config.toml", "good/tool/pyproject.toml")


# --- a lane's `-p NAME` reads the profile file the repository holds ---

LANES_SCRIPT = """#!/bin/bash
export CODEX_HOME="$PWD/ci/codex-home"
# codex-guard: lane=validator
codex exec -C . -p review -o out/verdict.txt "Review the diff; do not edit files." </dev/null
# codex-guard: lane=worker
codex exec -C . -p fix -o out/last.txt "Fix the failing test." </dev/null
# codex-guard: lane=worker
codex exec -C . -p worker -o out/last.txt "Fix the failing test." </dev/null
"""
# profile -> (its file, the sandbox the 0.171.0 banner shows for `-p NAME` under that home)
PROFILES = {
    "review": ('default_permissions = ":workspace"\n', "workspace-write"),
    "fix": ('sandbox_mode = "read-only"\n', "read-only"),
    "worker": ('sandbox_mode = "workspace-write"\n', "workspace-write"),
}


def lanes_repo(root: Path) -> Path:
    home = root / "ci" / "codex-home"
    home.mkdir(parents=True)
    (home / "config.toml").write_text('forced_login_method = "chatgpt"\n')
    for name, (text, _sandbox) in PROFILES.items():
        (home / f"{name}.config.toml").write_text(text)
    (root / "lanes.sh").write_text(LANES_SCRIPT)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root
