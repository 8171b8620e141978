"""A recording stand-in codex: logs the argv and the forbidden keys of the env it really got.

Its log path is written into the script itself, so `env -i` cannot lose it. It answers
`login status` like a ChatGPT login (without logging: that is the shim's own check, not a run).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.runtime.conftest import FORBIDDEN, chatgpt_auth, guard_cmd

RECORDER = """#!/bin/sh
if [ "$1" = "login" ] && [ "$2" = "status" ]; then
  echo "Logged in using ChatGPT" >&2
  exit 0
fi
{{
  printf 'RUN'; for a in "$@"; do printf ' x%s' "$(printf '%s' "$a" | od -An -tx1 | tr -d ' \\n')"; done
  printf '\\n'
  printf 'FORBIDDEN%s%s\\n' "${{OPENAI_API_KEY+ OPENAI_API_KEY}}" "${{CODEX_API_KEY+ CODEX_API_KEY}}"
  printf 'TMPDIR %s\\n' "${{TMPDIR-}}"
}} >> {log}
exit 0
"""


@dataclass(frozen=True)
class Run:
    """One start of the recorder: its argv (without argv[0]) and the forbidden keys it got."""

    argv: list[str]
    forbidden: list[str]
    tmpdir: str


@dataclass
class Recorder:
    folder: Path  # holds the executable `codex`
    path: Path
    log: Path

    def runs(self) -> list[Run]:
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        found: list[Run] = []
        for run, forbidden, tmpdir in zip(lines[::3], lines[1::3], lines[2::3], strict=True):
            words = [bytes.fromhex(h[1:]).decode() for h in run.split()[1:]]
            found.append(Run(words, forbidden.split()[1:], tmpdir.partition(" ")[2]))
        return found

    def clear(self) -> None:
        if self.log.exists():
            self.log.unlink()


def make_recorder(folder: Path) -> Recorder:
    folder.mkdir(parents=True, exist_ok=True)
    log = folder.parent / f"{folder.name}.log"
    path = folder / "codex"
    path.write_text(RECORDER.format(log=shlex.quote(str(log))))
    path.chmod(0o755)
    return Recorder(folder, path, log)


def chatgpt_home_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "auth.json").write_text(json.dumps(chatgpt_auth()))
    return folder


def clean_env(base: dict[str, str], recorder: Recorder, home: Path) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k not in FORBIDDEN}
    env["PATH"] = f"{recorder.folder}{os.pathsep}{base.get('PATH', os.defpath)}"
    env["CODEX_HOME"] = str(home)
    return env


def run_exec(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`codex-guard exec ARGS` for real, stdin /dev/null, no traceback allowed."""
    proc = subprocess.run(
        guard_cmd("exec", *args),
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc
