"""A hook whose stdout is closed, full or broken still denies: exit 2 with the reason on stderr
(a deny in both agents' contracts), no traceback. Codex runs the command on any other exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import REPO

COMMAND = 'codex exec --yolo "fix it"'
HOOKMAIN = [sys.executable, "-E", "-P", "-S", str(REPO / "guard" / "hookmain.py")]
CONSOLE = [sys.executable, "-m", "guard.cli", "hook"]


def _payload(cwd: Path) -> bytes:
    return json.dumps(
        {
            "session_id": "s",
            "cwd": str(cwd),
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": COMMAND},
        }
    ).encode()


def _run_with_stdout(argv: list[str], payload: bytes, how: str, cwd: Path) -> tuple[int, str]:
    """Run the hook with its stdout closed (`>&-`), on /dev/full, or on a pipe read by nobody."""
    script = {
        "closed": '"$@" <"$PAYLOAD" >&-',
        "full": '"$@" <"$PAYLOAD" >/dev/full',
        "broken": '"$@" <"$PAYLOAD" | true; exit "${PIPESTATUS[0]}"',
    }[how]
    payload_file = cwd / "payload.json"
    payload_file.write_bytes(payload)
    done = subprocess.run(
        ["bash", "-c", script, "hook", *argv],
        capture_output=True,
        cwd=cwd,
        env={"PAYLOAD": str(payload_file), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        timeout=120,
    )
    return done.returncode, done.stderr.decode(errors="replace")


@pytest.mark.parametrize("how", ["closed", "full", "broken"])
@pytest.mark.parametrize("agent", ["codex", "claude"])
@pytest.mark.parametrize("entry", ["hookmain", "console"])
def test_a_deny_survives_a_dead_stdout(tmp_path: Path, entry: str, agent: str, how: str) -> None:
    argv = (HOOKMAIN if entry == "hookmain" else CONSOLE) + [agent]
    if entry == "console":
        argv = ["env", f"PYTHONPATH={REPO}", *argv]
    code, stderr = _run_with_stdout(argv, _payload(tmp_path), how, tmp_path)
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert "CG303" in stderr
