"""A recording stand-in codex for the tests that run a script under real bash: each call appends
one line to the file named by `$LOG`, its argv tab-separated (and, with `stdin`, what it read)."""

from __future__ import annotations

from pathlib import Path

_ARGV = 'for a in "$@"; do printf "%s\\t" "$a"; done >> "$LOG"\n'
_END = 'echo >> "$LOG"\n'
_STDIN = 'printf "stdin=%s\\n" "$(cat)" >> "$LOG"\n'


def recording_codex(bin_dir: Path, *names: str, stdin: bool = False) -> None:
    """Write the recorder into `bin_dir` (made if missing) under each of `names` (`codex` by
    default), executable."""
    bin_dir.mkdir(exist_ok=True)
    body = "#!/bin/sh\n" + _ARGV + (_STDIN if stdin else _END)
    for name in names or ("codex",):
        fake = bin_dir / name
        fake.write_text(body)
        fake.chmod(0o755)


# A recorder that also notes whether OPENAI_API_KEY reached it, and a script run under real bash
# in a folder holding it (tests/shell/test_more_wrappers.py, test_reserved_words.py).
KEY_RECORDER = """#!/bin/sh
printf 'ARGV %s\\n' "$*" >> "$CODEX_LOG"
[ -n "${OPENAI_API_KEY+x}" ] && printf 'KEY\\n' >> "$CODEX_LOG"
exit 0
"""


def key_lab(folder: Path) -> Path:
    """`folder` with `bin/codex` the key-noting recorder."""
    (folder / "bin").mkdir(exist_ok=True)
    codex = folder / "bin" / "codex"
    codex.write_text(KEY_RECORDER)
    codex.chmod(0o755)
    return folder


def run_in_lab(lab: Path, script: str, bash: str) -> str:
    """Run `script` under `bash` in `lab` (its recorder first on PATH); the recorder's log."""
    import os
    import subprocess

    log = lab / "codex.log"
    log.write_text("")
    (lab / "case.sh").write_text(script + "\n")
    env = {
        "PATH": f"{lab / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(lab),
        "CODEX_LOG": str(log),
    }
    subprocess.run(
        [bash, str(lab / "case.sh")], cwd=lab, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, timeout=20, check=False,
    )  # fmt: skip
    return log.read_text()
