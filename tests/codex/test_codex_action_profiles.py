"""openai/codex-action's `permission-profile` input (and its legacy `sandbox`) as a sandbox source:
read as the `codex exec` the action runs, reported on the input's own line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WORKFLOW = """\
on: pull_request
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: openai/codex-action@v1
        with:
          prompt: "Review this PR."
          permission-profile: ":danger-full-access"
      - uses: openai/codex-action@v1
        with:
          permission-profile: ":workspace-write"
      - uses: openai/codex-action@main
        with:
          sandbox: danger-full-access
      - uses: openai/codex-action@v1
        with:
          permission-profile: ":read-only"
      - uses: openai/codex-action@v1
        with:
          permission-profile: ":workspace"
      - uses: openai/codex-action@v1
        with:
          permission-profile: ${{ inputs.profile }}
      - uses: openai/codex-action@v1
        with:
          prompt: "No sandbox input: the action's default."
      - uses: someone/codex-action-fork@v1
        with:
          permission-profile: ":danger-full-access"
      - run: |
          echo 'permission-profile: ":danger-full-access"'
"""


def _lint(folder: Path, *extra: str) -> list[tuple[str, int, int]]:
    proc = subprocess.run(
        [sys.executable, "-m", "guard", "lint", str(folder), "--format", "json", *extra],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    data = json.loads(proc.stdout)
    assert not data["errors"], data["errors"]
    return sorted((f["rule"], f["line"], f["column"]) for f in data["findings"])


def test_permission_profile_inputs(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "review.yml").write_text(WORKFLOW)
    assert _lint(tmp_path) == [
        ("CG303", 10, 31),  # ":danger-full-access"
        ("CG303", 16, 20),  # legacy sandbox: danger-full-access
        ("CG903", 13, 31),  # ":workspace-write" is not a built-in: codex refuses it
    ]


def test_sandboxed_host_allows_full_access(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "review.yml").write_text(WORKFLOW)
    (tmp_path / ".codex-guard.yaml").write_text("sandboxed-host: true\n")
    # lint honours the repository's sandboxed-host, and says the runtime doors will not (CG905)
    assert [r for r, _l, _c in _lint(tmp_path)] == ["CG903", "CG905"]
