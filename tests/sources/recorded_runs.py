"""Run a program against a recording stand-in `codex` on PATH and read back what it received:
the argv, whether a forbidden key reached it, and (optionally) whether its stdin ended."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

_HEAD = """#!/bin/sh
{
  printf 'argv'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'
  printf 'key=%s\\n' "${OPENAI_API_KEY:+set}${CODEX_API_KEY:+set}"
"""
_STDIN = "  if timeout 2 cat >/dev/null; then echo stdin=eof; else echo stdin=idle; fi\n"
# Unrecorded, stdin is still read (for at most 2 s): a program that writes a prompt to codex's
# stdin (`execSync(..., { input })`) fails with EPIPE when codex has already exited, which a
# loaded machine made happen now and then.
_DRAIN = "  timeout 2 cat >/dev/null 2>&1\n"
_TAIL = '} >> "$RECORD"\n'


@dataclass(frozen=True)
class RecordedRun:
    argv: list[str]
    has_key: bool
    stdin: str = ""  # "eof" or "idle" when recorded

    def shows(self, danger: str) -> bool:
        """The run really got the danger: "key" (a forbidden key in its env) or "yolo"."""
        return self.has_key if danger == "key" else "--yolo" in self.argv


def run_recorded(
    tmp_path: Path, command: list[str], *, record_stdin: bool = False
) -> list[RecordedRun]:
    """Run ``command`` in ``tmp_path`` with the stand-in first on PATH, no forbidden key in the
    env and `BILLING_KEY=sk-test` for the program to put there; the runs codex received."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "codex"
    fake.write_text(_HEAD + (_STDIN if record_stdin else _DRAIN) + _TAIL)
    fake.chmod(0o755)
    record = tmp_path / "record.txt"
    record.write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "RECORD": str(record),
           "BILLING_KEY": "sk-test"}  # fmt: skip
    env.pop("OPENAI_API_KEY", None)
    env.pop("CODEX_API_KEY", None)
    subprocess.run(
        command, cwd=tmp_path, env=env, timeout=60, stdin=subprocess.DEVNULL,
        capture_output=True, check=True,
    )  # fmt: skip
    lines = record.read_text().splitlines()
    step = 3 if record_stdin else 2
    return [
        RecordedRun(
            lines[i].split("\t")[1:],
            lines[i + 1] == "key=set",
            lines[i + 2].split("=")[1] if record_stdin else "",
        )
        for i in range(0, len(lines), step)
    ]
