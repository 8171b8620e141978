"""Colour only on a TTY, and never with NO_COLOR set (the real console script on a pty)."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path


def run_on_pty(cwd: Path, env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            ["codex-guard", "lint", "x.sh"],
            cwd=cwd,
            stdout=follower,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
        os.close(follower)
        follower = -1
        assert b"Traceback" not in done.stderr
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the writer is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)


def test_colour_on_a_tty_unless_no_color(tmp_path: Path) -> None:
    (tmp_path / "x.sh").write_text('codex exec "hi"\n')
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert "\033[" in run_on_pty(tmp_path, env)
    assert "\033[" not in run_on_pty(tmp_path, {**env, "NO_COLOR": "1"})
    piped = subprocess.run(
        ["codex-guard", "lint", "x.sh"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert "\033[" not in piped.stdout
    forced = subprocess.run(
        ["codex-guard", "lint", "--color", "always", "x.sh"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert "\033[" in forced.stdout
