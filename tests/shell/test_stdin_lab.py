"""FACTS.md "the stdin lab", reproduced: real bash and dash agree with the model's stdin.

A stand-in ``codex`` (first on PATH) reads its stdin to EOF and prints ``EOF``. Each construct
runs in a script whose own stdin is an idle pipe that is never closed (what an agent's Bash tool,
an orchestrator, ssh or CI hands a script). If the stand-in prints EOF the shell gave it an input
that ends; if it is still blocked after the timeout, the run would hang forever. The model must
say INHERITED exactly for the hanging ones. All cases run at once, so the lab costs ~3 s.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from guard.shell import parse_script
from guard.shell.model import StdinKind

TIMEOUT = 3.0
HANG, EOF = "HANG", "EOF"

# (name, script, expected under bash, expected under dash or None when not run there)
CASES: list[tuple[str, str, str, str | None]] = [
    ("foreground", 'codex exec "p"\n', HANG, HANG),
    ("substitution", 'x=$(codex exec "p")\necho "$x"\n', HANG, HANG),
    ("pipeline", 'codex exec "p" | tee /dev/null\n', HANG, HANG),
    ("background-pipeline", 'codex exec "p" | tee /dev/null &\nwait\n', HANG, EOF),
    (
        "function-background-pipeline",
        'f() { codex exec "p"; }\nf | tee /dev/null &\nwait\n',
        HANG,
        EOF,
    ),
    ("async", 'codex exec "p" &\nwait\n', EOF, EOF),
    ("async-subshell", '( codex exec "p" ) &\nwait\n', EOF, EOF),
    ("async-group", '{ codex exec "p"; } &\nwait\n', EOF, EOF),
    ("async-function", 'f() { codex exec "p"; }\nf &\nwait\n', EOF, EOF),
    ("async-nohup", 'nohup codex exec "p" 2>/dev/null &\nwait\n', EOF, EOF),
    ("async-timeout", 'timeout 20 codex exec "p" &\nwait\n', EOF, EOF),
    ("async-setsid", 'setsid -w codex exec "p" &\nwait\n', EOF, EOF),
    ("async-loop", 'for i in 1; do codex exec "p" & done\nwait\n', EOF, EOF),
    ("async-dup-stdin", 'codex exec "p" <&0 &\nwait\n', HANG, None),
    ("job-control", 'set -m\ncodex exec "p" &\nwait\n', HANG, None),
    ("xargs", 'echo a | xargs -I{} codex exec "{}"\n', EOF, EOF),
    ("dev-null", 'codex exec "p" </dev/null\n', EOF, EOF),
    ("file", 'codex exec "p" < "$0"\n', EOF, EOF),
    ("heredoc", "codex exec - <<'END'\nhi\nEND\n", EOF, EOF),
    ("herestring", 'codex exec - <<< "hi"\n', EOF, None),
    ("piped-in", "echo hi | codex exec -\n", EOF, EOF),
    ("exec-dev-null", 'exec </dev/null\ncodex exec "p"\n', EOF, EOF),
    ("read-loop-file", 'while read -r t; do codex exec "$t"; done < "$0"\n', EOF, EOF),
    ("group-redirect", '{ codex exec "p"; } </dev/null\n', EOF, EOF),
    ("async-group-pipeline", '{ codex exec "p" | cat; } &\nwait\n', EOF, EOF),
    # A copier of the script's stdin feeds codex that very stream: the pipe ends when it does.
    ("cat-pipe", 'cat | codex exec "p"\n', HANG, HANG),
    ("cat-dash-pipe", 'cat - | codex exec "p"\n', HANG, HANG),
    ("cat-pipe-stdin-prompt", "cat | codex exec -\n", HANG, HANG),
    ("cat-file-then-stdin-pipe", 'cat "$0" - | codex exec "p"\n', HANG, HANG),
    ("tee-pipe", 'tee tee.log | codex exec "p"\n', HANG, HANG),
    ("cat-tee-pipe", 'cat | tee tee2.log | codex exec "p"\n', HANG, HANG),
    ("process-substitution-cat", 'codex exec "p" < <(cat)\n', HANG, None),
    ("dup-fd-3", 'exec 3<&0\ncodex exec "p" <&3\n', HANG, HANG),
    ("dup-fd-3-to-0", 'exec 3<&0\ncodex exec "p" 0<&3\n', HANG, HANG),
    ("dup-fd-3-then-dev-null", 'exec 3<&0 </dev/null\ncodex exec "p" <&3\n', HANG, HANG),
    # ... and where the copier reads something that ends, so does codex's input.
    ("cat-file-pipe", 'cat "$0" | codex exec "p"\n', EOF, EOF),
    ("cat-file-tee-pipe", 'cat "$0" | tee tee3.log | codex exec "p"\n', EOF, EOF),
    ("cat-dev-null-pipe", 'cat </dev/null | codex exec "p"\n', EOF, EOF),
    ("process-substitution-file", 'codex exec "p" < <(cat "$0")\n', EOF, None),
    ("fd-3-file", 'exec 3< "$0"\ncodex exec "p" <&3\n', EOF, EOF),
    # A producer that never ends hands codex a stream with no EOF, whatever the script's stdin.
    ("tail-follow-pipe", 'tail -f "$0" | codex exec "p"\n', HANG, HANG),
    ("tail-follow-dash-prompt", 'tail -F -n 1 "$0" | codex exec -\n', HANG, HANG),
    ("tail-obsolete-follow", 'tail -1f "$0" | codex exec -\n', HANG, HANG),
    ("yes-pipe", 'yes | codex exec "p"\n', HANG, HANG),
    ("yes-cat-pipe", 'yes | cat | codex exec "p"\n', HANG, HANG),
    ("sleep-infinity-pipe", 'sleep infinity | codex exec "p"\n', HANG, HANG),
    ("dev-zero", 'codex exec "p" < /dev/zero\n', HANG, HANG),
    ("cat-dev-urandom-pipe", "cat /dev/urandom | codex exec -\n", HANG, HANG),
    ("process-substitution-tail-follow", 'codex exec - < <(tail -f "$0")\n', HANG, None),
    # ... and bounded ones, or `tail -f` on a pipe (POSIX: -f ignored there), end.
    ("tail-lines-pipe", 'tail -n 5 "$0" | codex exec -\n', EOF, EOF),
    ("tail-pipe", 'tail "$0" | codex exec -\n', EOF, EOF),
    ("yes-head-pipe", "yes | head -3 | codex exec -\n", EOF, EOF),
    ("timeout-tail-follow", 'timeout 1 tail -f "$0" | codex exec -\n', EOF, EOF),
    ("tail-follow-of-pipe", "echo x | tail -f | codex exec -\n", EOF, EOF),
    ("head-dev-zero", "head -c 8 /dev/zero | codex exec -\n", EOF, EOF),
]

SHELLS = {"bash": "bash", "dash": "sh"}  # shell binary -> the dialect the model is given


def _stand_in(tmp: Path) -> Path:
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    codex = bin_dir / "codex"
    codex.write_text("#!/bin/sh\ncat >/dev/null\necho EOF\n")
    codex.chmod(0o755)
    return bin_dir


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], str]]:
    tmp = tmp_path_factory.mktemp("stdin-lab")
    env = dict(os.environ, PATH=f"{_stand_in(tmp)}{os.pathsep}{os.environ.get('PATH', '')}")
    idle_read, idle_write = os.pipe()  # the script's stdin: open, idle, never closed
    procs: dict[tuple[str, str], subprocess.Popen[bytes]] = {}
    try:
        for shell in SHELLS:
            if shutil.which(shell) is None:
                continue
            for name, script, _bash, dash in CASES:
                if shell == "dash" and dash is None:
                    continue
                path = tmp / f"{shell}-{name}.sh"
                path.write_text(script)
                procs[(shell, name)] = subprocess.Popen(
                    [shell, str(path)],
                    stdin=idle_read,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=env,
                    cwd=tmp,
                    start_new_session=True,  # so a hung case is killed with all its children
                )
        results: dict[tuple[str, str], str] = {}
        deadline = time.monotonic() + TIMEOUT  # one deadline: the cases run concurrently
        for key, proc in procs.items():
            try:
                out, _ = proc.communicate(timeout=max(0.05, deadline - time.monotonic()))
                results[key] = EOF if b"EOF" in out else HANG
            except subprocess.TimeoutExpired:
                results[key] = HANG
        yield results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        os.close(idle_read)
        os.close(idle_write)


def _model(script: str, dialect: str) -> str:
    calls = [c for c in parse_script(script, dialect=dialect).commands if c.program == "codex"]
    assert calls, script
    # One codex per case; INHERITED means the idle pipe reaches it, an endless stdin a stream
    # that never ends: either way it would hang.
    stdin = calls[0].stdin
    return HANG if stdin.kind is StdinKind.INHERITED or stdin.endless is not None else EOF


PARAMS = [
    pytest.param(shell, name, script, bash if shell == "bash" else dash, id=f"{shell}-{name}")
    for shell in SHELLS
    for name, script, bash, dash in CASES
    if not (shell == "dash" and dash is None)
]


@pytest.mark.parametrize(("shell", "name", "script", "expected"), PARAMS)
def test_model_agrees_with_the_real_shell(
    lab: dict[tuple[str, str], str], shell: str, name: str, script: str, expected: str
) -> None:
    if (shell, name) not in lab:
        pytest.skip(f"{shell} is not installed")
    real = lab[(shell, name)]
    assert real == expected, f"{shell} did not behave as FACTS.md says for {name}"
    assert _model(script, SHELLS[shell]) == real
