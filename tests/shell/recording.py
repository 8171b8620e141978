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
