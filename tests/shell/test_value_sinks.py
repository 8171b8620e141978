"""Text a variable (or git's config) holds that bash runs as code where no command word shows it
(guard/shell/sinks.py, wrappers._git_shell_alias): $PS4 under `set -x`, `${y@P}`, a value whose
array subscript holds a `$(...)` evaluated as arithmetic, a `$(...)` inside `${...}`, and a git
`!` alias. Each was allowed by `codex-guard check` though bash really ran codex.

Each bypass is first run under real bash with a recording stand-in codex (bash really starts it,
with `--yolo`); then `check` must refuse it with CG303, and lint must report CG303 on the line
where bash expands the text. Look-alikes (the common `PS4='+ ${BASH_SOURCE}:${LINENO}: '`, plain
numbers in arithmetic, git's own `-c` settings) stay clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import recording_codex

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

SUB = "$(codex exec --yolo -C . p </dev/null)"
IDX = f"'x[{SUB}]'"  # a value whose array subscript runs codex when evaluated as arithmetic
CHILD = f'PS4="\\{SUB} "; true'  # a new shell's own PS4 (`\$`: set as text, not run there)

BYPASSES = {
    # prompt expansion
    "ps4-set-x": f"PS4='{SUB}'; set -x; true",
    "ps4-set-o-xtrace": f"PS4='{SUB}'; set -o xtrace; [[ 1 ]]",
    "ps4-after-set-x": f"set -x; PS4='{SUB}'; x=1",
    "ps4-set-plus-x": f"PS4='{SUB}'; set -x; set +x",
    "ps4-double-quoted": f'PS4="\\{SUB} "; set -x; true',
    # PS4's `$(...)` runs with the state of each traced command: a later value of a name in it
    "ps4-name-changed-later": "c=true; PS4='$($c exec --yolo -C . p </dev/null)'; set -x; x=1; "
    "c=codex; true",
    # xtrace turned on where no `set -x` shows it: shopt's `-o`, a new shell's options or
    # SHELLOPTS (its $PS4 set in it: bash as root takes no PS4 from the environment)
    "ps4-shopt-so": f"PS4='{SUB}'; shopt -so xtrace; true",
    "ps4-shopt-s-o": f"PS4='{SUB}'; shopt -s -o xtrace; true",
    "ps4-bash-x-c": f"bash -x -c '{CHILD}'",
    "ps4-bash-xc": f"bash -xc '{CHILD}'",
    "ps4-bash-o-xtrace": f"bash -o xtrace -c '{CHILD}'",
    "ps4-bash-c-then-x": f"bash -c -x '{CHILD}'",
    "ps4-env-shellopts": f"env SHELLOPTS=xtrace bash -c '{CHILD}'",
    "ps4-bash-x-heredoc": f"bash -x <<'EOF'\nPS4='{SUB}'\ntrue\nEOF",
    "prompt-transform": f"""y='{SUB}'; echo "${{y@P}}\"""",
    "prompt-transform-assign": f"y='{SUB}'; x=${{y@P}}",
    # arithmetic on a value holding a subscript
    "arith-expansion": f"a={IDX}; echo $((a))",
    "arith-expansion-ref": f"a={IDX}; echo $(( $a + 1 ))",
    "arith-old-form": f"a={IDX}; echo $[a]",
    "arith-command": f"a={IDX}; (( a ))",
    "arith-let": f"a={IDX}; let a",
    "arith-let-literal": f"let {IDX}",
    "arith-test": f"a={IDX}; [[ $a -eq 1 ]]",
    "arith-test-name": f"a={IDX}; [[ a -lt 1 ]]",
    "arith-subscript": f"a={IDX}; arr=(1 2); echo ${{arr[a]}}",
    "arith-c-for": f"a={IDX}; for ((i = a; i < 0; i++)); do :; done",
    "arith-through-a-name": f"b=a; a={IDX}; echo $((b))",
    # a substitution inside a parameter expansion
    "default-value": f"echo ${{x:-{SUB}}}",
    "subscript-substitution": f'arr=(1); echo "${{arr[{SUB}]}}"',
    # git runs a `!` alias through the shell
    "git-alias": "git -c alias.x='!codex exec --yolo -C . p </dev/null' x",
    "git-alias-function": "git -c alias.x='!f(){ codex exec --yolo -C . p </dev/null; }; f' x",
    "git-alias-args": "git -c alias.x='!codex exec' x --yolo -C . p",
    "git-alias-options": "git --no-pager -C . -c Alias.X='!codex exec --yolo -C . p' x",
    "git-alias-spelled": "git -c alias.x='!c=co; d=dex; $c$d exec --yolo -C . p' x",
}

LOOKALIKES = {
    "ps4-common": "PS4='+ ${BASH_SOURCE}:${LINENO}: '; set -x; true",
    "ps4-common-double": 'PS4="+ ${BASH_SOURCE}:${LINENO}: "; set -x; true',
    "ps4-no-trace": f"PS4='{SUB}'; true",
    "ps4-nothing-traced": f"PS4='{SUB}'; set -x",
    "ps4-shopt-extglob": f"PS4='{SUB}'; shopt -s extglob; true",
    "ps4-shopt-s-xtrace": f"PS4='{SUB}'; shopt -s xtrace; true",  # no -o: bash refuses it
    "ps4-shopt-common": "PS4='+ ${BASH_SOURCE}:${LINENO}: '; shopt -so xtrace; true",
    "ps4-bash-e-c": f"bash -e -c '{CHILD}'",
    "ps4-bash-x-off": f"bash -x +x -c '{CHILD}'",
    "ps4-bash-c-x-is-arg0": f"bash -c '{CHILD}' -x",
    "ps4-bash-xc-common": "bash -xc 'PS4=\"+ \\${LINENO}: \"; true'",
    "ps4-prefix-shellopts": f"PS4='{SUB}' SHELLOPTS=xtrace bash -c true",  # readonly in bash
    "prompt-plain": f"""y='{SUB}'; echo "$y\"""",
    "arith-number": "a=1; echo $((a + 1)); (( a )); let a; [[ $a -eq 1 ]]",
    "arith-no-subscript": f"a='{SUB}'; echo $((a))",  # bash: a syntax error, nothing runs
    "test-no-arith": f"a={IDX}; [ $a -eq 1 ]",  # `[` compares no arithmetic
    "echo-value": f"a={IDX}; echo $a",
    "git-pager": "git -c core.pager=cat log -1 >/dev/null",
    "git-alias-plain": "git -c alias.st=status st",
    "git-alias-other-command": "git -c alias.x='!codex exec --yolo -C . p' status",
    "git-commit-message": "git -c alias.x='!true' x; echo 'codex exec --yolo -C . p'",
}


def run_under_bash(command: str, tmp_path: Path) -> str:
    """What the recording codex logged when bash ran ``command`` in a fresh git repository."""
    recording_codex(tmp_path / "bin")
    log = tmp_path / "codex.log"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env.update(PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}", LOG=str(log), HOME=str(tmp_path))
    subprocess.run(["git", "init", "-q", "."], cwd=tmp_path, env=env, check=False)
    subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    return log.read_text() if log.exists() else ""


def check(command: str, cwd: Path, fail_closed: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env["XDG_CONFIG_HOME"] = str(cwd / "config")
    env["XDG_CACHE_HOME"] = str(cwd / "cache")
    if fail_closed:
        (cwd / "config" / "codex-guard").mkdir(parents=True, exist_ok=True)
        (cwd / "config" / "codex-guard" / "config.yaml").write_text("hook:\n  fail-closed: true\n")
    return subprocess.run(
        [sys.executable, "-m", "guard", "check", command],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=60, check=False,
    )  # fmt: skip


def lint(script: str) -> list[tuple[str, int]]:
    found = run_rules(Snippet(script + "\n", "run.sh", context=RunContext.SCRIPT), Settings())
    return [(f.rule, f.location.line) for f in found]


@pytest.mark.parametrize("command", BYPASSES.values(), ids=BYPASSES)
def test_bash_runs_codex_and_check_refuses_it(command: str, tmp_path: Path) -> None:
    ran = run_under_bash(command, tmp_path)
    assert "exec\t--yolo" in ran, ran  # bash really started codex, unsandboxed
    done = check(command, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CG303" in done.stdout and done.stdout.strip().endswith("refused"), done.stdout
    assert "CG303" in {rule for rule, _ in lint(command)}


@pytest.mark.parametrize("command", LOOKALIKES.values(), ids=LOOKALIKES)
def test_lookalikes_stay_allowed(command: str, tmp_path: Path) -> None:
    assert "--yolo" not in run_under_bash(command, tmp_path)
    done = check(command, tmp_path, fail_closed=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not {rule for rule, _ in lint(command)} & {"CG303", "CG902", "CG901"}


@pytest.mark.parametrize(
    ("script", "line"),
    [
        # bash expands PS4 before the first command it traces: line 4, not the assignment
        (f"PS4='{SUB}'\nset -x\n# traced from here\ntrue", 4),
        (f"y='{SUB}'\n\necho \"${{y@P}}\"", 3),
        (f"a={IDX}\nn=0\necho $((a + n))", 3),
        ("git -c alias.x='!codex exec --yolo -C . p </dev/null' \\\n  x", 1),
    ],
    ids=["ps4", "prompt", "arith", "git"],
)
def test_lint_reports_where_bash_runs_it(script: str, line: int) -> None:
    assert ("CG303", line) in lint(script), lint(script)


@pytest.mark.parametrize(
    "command",
    ["PS4=$(cat ps4.txt); set -x; true", 'read -r y < f; echo "${y@P}"', 'PS4="$P"; set -x; :'],
    ids=["ps4-from-file", "prompt-from-read", "ps4-from-env"],
)
def test_a_prompt_that_cannot_be_seen_fails_closed_as_eval_does(
    command: str, tmp_path: Path
) -> None:
    """As `eval "$unknown"`: CG902 where codex is in play, refused under hook.fail-closed."""
    script = f"codex exec -s read-only -C . p </dev/null\n{command}"
    assert ("CG902", 2) in lint(script), lint(script)
    assert check(command, tmp_path).returncode == 0  # allowed unless the check fails closed
    done = check(command, tmp_path, fail_closed=True)
    assert done.returncode == 1, done.stdout
    assert "CG902" in done.stdout and "as a prompt" in done.stdout, done.stdout


def test_the_hook_denies_a_git_alias_that_runs_codex(tmp_path: Path) -> None:
    import json

    from tests.runtime.conftest import run_guard

    command = "git -c alias.x='!c=co; d=dex; $c$d exec --yolo -C . p' x"
    event = {"tool_name": "Bash", "tool_input": {"command": command}}
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    proc = run_guard(["hook", "claude"], env, cwd=tmp_path, input=json.dumps(event))
    assert '"permissionDecision": "deny"' in proc.stdout, proc.stdout
    assert "CG303" in proc.stdout


# A new shell that starts traced expands the PS4 it inherits (bash takes none from the
# environment when it runs as root: then only the linter's side is checked).
INHERITED = {
    "ps4-prefix-bash-x-c": f"PS4='{SUB}' bash -x -c true",
    "ps4-export-bash-o-xtrace": f"export PS4='{SUB}'; bash -o xtrace -c :",
    "ps4-export-env-shellopts": f"export PS4='{SUB}'; env SHELLOPTS=braceexpand:xtrace bash -c :",
}


@pytest.mark.parametrize("command", INHERITED.values(), ids=INHERITED)
def test_an_inherited_ps4_in_a_traced_shell_is_refused(command: str, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        assert "exec\t--yolo" in run_under_bash(command, tmp_path)
    done = check(command, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CG303" in done.stdout, done.stdout
    assert "CG303" in {rule for rule, _ in lint(command)}


# (the script's first line, does running the script itself start codex)
SHEBANGS = [
    pytest.param("#!/bin/bash -x", True, id="bash-x"),
    pytest.param("#!/bin/bash -ex", True, id="bash-ex"),
    pytest.param("#!/usr/bin/env -S bash -x", True, id="env-S-bash-x"),
    pytest.param("#!/bin/bash -e", False, id="bash-e"),
    pytest.param("#!/bin/bash -e -x", False, id="one-word-e-x"),  # Linux: one word, refused
    pytest.param("#!/usr/bin/env bash -x", False, id="env-without-S"),  # no program `bash -x`
    pytest.param("#!/bin/bash", False, id="bash"),
]


@pytest.mark.parametrize(("shebang", "runs"), SHEBANGS)
def test_a_shebang_that_turns_xtrace_on(shebang: str, runs: bool, tmp_path: Path) -> None:
    from guard.sources.shell import extract

    text = f"{shebang}\nPS4='{SUB}'\ntrue\n"
    script = tmp_path / "run.sh"
    script.write_text(text)
    script.chmod(0o755)
    assert ("exec\t--yolo" in run_under_bash("./run.sh", tmp_path)) is runs
    (snippet,) = extract(text, str(script))
    found = [(f.rule, f.location.line) for f in run_rules(snippet, Settings())]
    assert (("CG303", 3) in found) is runs, found
    common = extract(f"{shebang}\nPS4='+ ${{BASH_SOURCE}}:${{LINENO}}: '\ntrue\n", str(script))
    assert not run_rules(common[0], Settings())
