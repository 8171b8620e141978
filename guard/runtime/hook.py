"""Agent pre-tool-use hooks (placeholder; see the runtime work)."""

from __future__ import annotations

from typing import TextIO


def run_hook(agent: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    return 0
