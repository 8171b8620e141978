"""CG602 (exit-status-ignored) holds on the run whose verdict the script then acts on: a worker's
`|| echo failed` followed by a validator whose verdict file is read was flagged on the worker
(found by a false-positive pass). Through the real console script."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

WORKER = 'codex exec -C . -s workspace-write -o out/a.md "Implement task 1." </dev/null'
JUDGE = (
    'codex exec -C . -s read-only -o verdict.txt "Validate. Output VERDICT: PASS|FAIL." </dev/null'
)
READ = 'if head -n1 verdict.txt | grep -q "VERDICT: PASS"; then echo ok; fi'


def cg602_lines(tmp_path: Path, script: str) -> list[int]:
    path = tmp_path / "dispatch.sh"
    path.write_text("#!/bin/bash\n" + script)
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return [f["line"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "CG602"]


def test_a_worker_whose_status_is_ignored_before_a_checked_validator_is_not_cg602(
    tmp_path: Path,
) -> None:
    script = f"set -e\n{WORKER} || echo 'worker failed' >&2\n{JUDGE}\n{READ}\n"
    assert cg602_lines(tmp_path, script) == []


def test_the_validator_whose_status_is_ignored_is_cg602(tmp_path: Path) -> None:
    script = f"{WORKER}\n{JUDGE} || true\n{READ}\n"
    assert cg602_lines(tmp_path, script) == [3]


def test_a_run_whose_own_output_file_is_read_after_another_run_is_cg602(tmp_path: Path) -> None:
    script = f"{JUDGE} || true\n{WORKER}\n{READ}\n"
    assert cg602_lines(tmp_path, script) == [2]


def test_a_run_without_an_output_file_acts_on_the_next_verdict_check(tmp_path: Path) -> None:
    script = (
        'codex exec -C . -s read-only "Validate. Output VERDICT: PASS|FAIL." </dev/null'
        " > v.txt || true\n"
        'grep -q "VERDICT: PASS" v.txt && echo ok\n'
    )
    assert cg602_lines(tmp_path, script) == [2]
