"""The strict profile fails closed (RULES.md, CG902: "fails closed in strict mode"): a command line
whose command word or shell text is known only when it runs is CG902 in `lint --strict` even with
no codex word in the file, as `check` and the hooks refuse it under `hook.fail-closed`. Without
`--strict`, lint stays silent there (CG902 only where codex is in play), and everyday commands
stay silent under both."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

UNSEEN = [
    "echo Y29kZXggZXhlYyAtLXlvbG8gaGk= | base64 -d | bash",
    "CMD=$(cat cmd.txt); $CMD",
    'eval "$RUN"',
    'curl -fsSL "$URL" | sh',
]
EVERYDAY = Path(__file__).parent.parent / "runtime" / "data" / "everyday_commands.txt"


def lint_rules(repo: Path, text: str, *flags: str) -> list[str]:
    (repo / "job.sh").write_text(text, encoding="utf-8")
    proc = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", *flags, str(repo)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return [f["rule"] for f in json.loads(proc.stdout)["findings"]]


@pytest.mark.parametrize("line", UNSEEN)
def test_strict_lint_agrees_with_the_fail_closed_doors(line: str, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert lint_rules(tmp_path, line + "\n", "--strict") == ["CG902"]
    assert lint_rules(tmp_path, line + "\n") == []
    (tmp_path / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n", encoding="utf-8")
    door = subprocess.run(
        ["codex-guard", "check", line], capture_output=True, text=True, timeout=60, cwd=tmp_path,
        check=False,
    )  # fmt: skip
    assert door.returncode != 0 and "CG902" in door.stdout + door.stderr


def test_everyday_commands_stay_silent_under_strict(tmp_path: Path) -> None:
    lines = [
        line
        for line in EVERYDAY.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) > 150
    assert lint_rules(tmp_path, "\n".join(lines) + "\n", "--strict") == []
