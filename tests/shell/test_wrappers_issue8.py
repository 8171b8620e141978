"""Issue 8 (B): commands that run codex for the script (containers, terminals, package runners),
and commands codex-guard does not know that carry a codex command line in their words.

Where the wrapper is installed here (tmux, script, find, xargs, flock) the script runs under real
bash with a recording stand-in codex, so the model is checked against what really runs; the
others are checked on the model and the findings only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from guard.engine.api import lint_snippet
from guard.findings import Finding
from guard.settings import Settings
from guard.shell import StdinKind, parse_script
from guard.shell.model import Command
from guard.sources.snippet import RunContext, Snippet

BASH = shutil.which("bash")
TMUX = shutil.which("tmux")
SCRIPT = shutil.which("script")

RECORDER = """#!/bin/sh
printf 'ARGV %s\\n' "$*" >> "$CODEX_LOG"
[ -t 0 ] && printf 'TTY\\n' >> "$CODEX_LOG"
[ -n "${OPENAI_API_KEY+x}" ] && printf 'KEY\\n' >> "$CODEX_LOG"
exit 0
"""


def findings(script: str, context: RunContext = RunContext.SCRIPT) -> list[Finding]:
    return lint_snippet(Snippet(text=script, path="dispatch.sh", context=context), Settings())


def rules_of(script: str, context: RunContext = RunContext.SCRIPT) -> set[str]:
    return {f.rule for f in findings(script, context)}


def codex_calls(script: str) -> list[Command]:
    return [c for c in parse_script(script).commands if c.program == "codex"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wrappers8")
    (folder / "bin").mkdir()
    codex = folder / "bin" / "codex"
    codex.write_text(RECORDER)
    codex.chmod(0o755)
    return folder


def run_bash(lab: Path, script: str, wait_for: int = 0) -> list[str]:
    """Run `script` under bash (stdin an idle pipe, as an orchestrator gives it), then read
    the recorder's log, waiting up to 10 s for `wait_for` runs (tmux starts them later)."""
    assert BASH is not None
    log = lab / "codex.log"
    log.write_text("")
    (lab / "case.sh").write_text(script)
    env = {
        "PATH": f"{lab / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(lab),
        "CODEX_LOG": str(log),
        "TMUX_TMPDIR": str(lab),
    }
    with subprocess.Popen(
        [BASH, str(lab / "case.sh")], cwd=lab, env=env, stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) as proc:  # fmt: skip
        try:
            proc.wait(timeout=20)
        finally:
            if proc.stdin is not None:
                proc.stdin.close()
    deadline = time.monotonic() + 10
    while wait_for and time.monotonic() < deadline:
        if sum(line.startswith("ARGV ") for line in log.read_text().splitlines()) >= wait_for:
            break
        time.sleep(0.1)
    time.sleep(0.3 if wait_for else 0)
    return log.read_text().splitlines()


# --- tmux: a terminal for codex, and -e K=V for its env -----------------------------------


@pytest.fixture
def tmux_socket(lab: Path) -> object:
    name = f"cg{uuid.uuid4().hex[:8]}"
    yield name
    assert TMUX is not None
    subprocess.run(
        [TMUX, "-L", name, "kill-server"], env={**os.environ, "TMUX_TMPDIR": str(lab)},
        capture_output=True, check=False, timeout=10,
    )  # fmt: skip


needs_tmux = pytest.mark.skipif(TMUX is None or BASH is None, reason="needs tmux and bash")


@needs_tmux
def test_tmux_new_session_runs_the_string_on_a_terminal_with_its_env(
    lab: Path, tmux_socket: str
) -> None:
    script = (
        f"tmux -L {tmux_socket} new-session -d -s w -e OPENAI_API_KEY=x "
        "'codex exec -C . -s read-only \"fix it\"; sleep 2'\n"
    )
    log = run_bash(lab, script, wait_for=1)
    assert log[:3] == ["ARGV exec -C . -s read-only fix it", "TTY", "KEY"]
    calls = codex_calls(script)
    assert len(calls) == 1
    assert calls[0].stdin.kind is StdinKind.TTY
    assert calls[0].env_var("OPENAI_API_KEY") is not None
    # the key tmux hands it bills the API; the prompt cannot hang on a terminal
    assert rules_of(script) & {"CG101", "CG201", "CG202"} == {"CG101"}


@needs_tmux
def test_tmux_new_session_with_several_words_runs_them_as_argv(lab: Path, tmux_socket: str) -> None:
    script = f'tmux -L {tmux_socket} new-session -d codex exec --yolo "p q"\n'
    assert run_bash(lab, script, wait_for=1)[:2] == ["ARGV exec --yolo p q", "TTY"]
    calls = codex_calls(script)
    assert [w.text for w in calls[0].argv] == ["codex", "exec", "--yolo", "p q"]
    assert "CG303" in rules_of(script)


@needs_tmux
def test_tmux_send_keys_runs_only_what_an_enter_ends(lab: Path, tmux_socket: str) -> None:
    typed_only = (
        f"tmux -L {tmux_socket} new-session -d -s s sh\n"
        f"tmux -L {tmux_socket} send-keys -t s 'codex exec --yolo waiting'\n"
        "sleep 1\n"
    )
    assert not [line for line in run_bash(lab, typed_only) if line.startswith("ARGV")]
    assert codex_calls(typed_only) == []
    assert "CG303" not in rules_of(typed_only)

    entered = (
        f"tmux -L {tmux_socket} new-session -d -s s2 sh\n"
        f"tmux -L {tmux_socket} send-keys -t s2 'codex exec --yolo p' Enter\n"
    )
    assert run_bash(lab, entered, wait_for=1)[:2] == ["ARGV exec --yolo p", "TTY"]
    assert "CG303" in rules_of(entered)


@needs_tmux
def test_tmux_send_keys_literal_types_enter_as_text(lab: Path, tmux_socket: str) -> None:
    script = (
        f"tmux -L {tmux_socket} new-session -d -s s sh\n"
        f"tmux -L {tmux_socket} send-keys -t s -l 'codex exec --yolo p' Enter\n"
        "sleep 1\n"
    )
    assert not [line for line in run_bash(lab, script) if line.startswith("ARGV")]
    assert "CG303" not in rules_of(script)


def test_tmux_send_keys_does_not_get_the_scripts_env() -> None:
    # the keys go to a shell that already runs, with its own environment
    script = "export OPENAI_API_KEY=x\ntmux send-keys -t w 'codex exec -C . -s read-only p' Enter"
    assert "CG101" not in rules_of(script)
    assert codex_calls(script)[0].stdin.kind is StdinKind.TTY


# --- script: a pseudo-terminal ----------------------------------------------------------


@pytest.mark.skipif(SCRIPT is None or BASH is None, reason="needs script and bash")
def test_script_gives_codex_a_terminal(lab: Path) -> None:
    script = "script -qc 'codex exec -C . -s read-only p' /dev/null\n"
    assert run_bash(lab, script)[:2] == ["ARGV exec -C . -s read-only p", "TTY"]
    assert "CG201" not in rules_of(script, RunContext.AGENT)
    assert "CG303" in rules_of("script -qc 'codex exec --yolo p' /dev/null")


# --- wrappers run here under bash -------------------------------------------------------

RUN_HERE = {
    "find-exec-sh-c": (
        "find . -maxdepth 0 -exec sh -c 'codex exec --yolo \"$1\" </dev/null' _ {} \\;",
        "exec --yolo .",
    ),
    "xargs-I-sh-c": (
        "printf 'a\\n' | xargs -I{} sh -c 'codex exec --yolo {} </dev/null'",
        "exec --yolo a",
    ),
    "flock-n": ("flock -n ./lock codex exec --yolo p </dev/null", "exec --yolo p"),
}


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize(("script", "argv"), RUN_HERE.values(), ids=RUN_HERE)
def test_wrappers_run_here_start_the_codex_the_model_sees(
    lab: Path, script: str, argv: str
) -> None:
    assert f"ARGV {argv}" in run_bash(lab, script)
    assert codex_calls(script)
    assert "CG303" in rules_of(script)


# --- wrappers not installed here: the model and the findings ------------------------------

FULL_ACCESS = {
    "apptainer": "apptainer exec --bind /data:/data img.sif codex exec --yolo p </dev/null",
    "singularity": "singularity exec --nv -B /x img.sif codex exec --yolo p </dev/null",
    "docker-exec": "docker exec -i -e HOME=/root ctr codex exec --yolo p </dev/null",
    "podman-run": "podman run --rm -v .:/w img codex exec --yolo p",
    "uv-run": "uv run --with requests --frozen codex exec --yolo p </dev/null",
    "poetry-run": "poetry run -C app codex exec --yolo p </dev/null",
    "pnpm-exec": "pnpm exec --filter web codex exec --yolo p </dev/null",
    "pnpm-exec-shell": "pnpm exec -c 'codex exec --yolo p </dev/null'",
    "npx-yes-latest": "npx --yes @openai/codex@latest exec --yolo p </dev/null",
    "parallel-argv": "parallel -j4 codex exec --yolo {} ::: a b",
    "parallel-shell-string": "parallel 'codex exec --yolo {}; notify {}' ::: a b",
    "parallel-inputs-are-commands": "parallel ::: 'codex exec --yolo a' 'make test'",
    "ssh": "ssh -o BatchMode=yes host 'cd /w && codex exec --yolo p </dev/null'",
    "su-command-equals": "su bob --command='codex exec --yolo p </dev/null'",
    "su-c-attached": "su - bob -c'codex exec --yolo p </dev/null'",
    "doas": "doas -u bob codex exec --yolo p </dev/null",
    "watch": "watch -n 60 'codex exec --yolo p </dev/null'",
    "tmux-new-window": "tmux new-window -t work -n agent 'codex exec --yolo p'",
    "tmux-split-window": "tmux split-window -h -c /w codex exec --yolo p",
    # npm's alias of `npm exec`, and the runners' shell-string forms (npm runs `--call` in sh)
    "npm-x": "npm x -y -- @openai/codex@latest exec --yolo p </dev/null",
    "npx-call": "npx -c 'codex exec --yolo p </dev/null'",
    "npx-package-call": "npx -p @openai/codex -c 'codex exec --yolo p </dev/null'",
    "npm-exec-call-equals": "npm exec --call='codex exec --yolo p </dev/null'",
    "pnpm-dlx-shell-mode": "pnpm dlx -c 'codex exec --yolo p </dev/null'",
    # concurrently runs each argument in a shell (`npm:NAME` is a package script)
    "concurrently": "concurrently -k -n a,b 'npm:dev' 'codex exec --yolo p </dev/null'",
    "npx-concurrently": "npx concurrently -r 'tsc -w' 'codex exec --yolo p </dev/null'",
    "concurrently-teardown": "concurrently --teardown='codex exec --yolo p </dev/null' 'npm:a'",
}


@pytest.mark.parametrize("script", FULL_ACCESS.values(), ids=FULL_ACCESS)
def test_full_access_through_a_wrapper_is_found(script: str) -> None:
    found = findings(script)
    cg303 = [f for f in found if f.rule == "CG303"]
    assert cg303, script
    assert "does not know" not in cg303[0].message  # a wrapper codex-guard knows


KEY_HANDED = {
    "apptainer-env": "apptainer exec --env OPENAI_API_KEY=x img.sif codex exec -C . -s read-only p",
    "apptainer-env-list": "apptainer exec --env=A=1,OPENAI_API_KEY=x img.sif codex exec -C . p",
    "apptainer-inherits": (
        "export OPENAI_API_KEY=x\napptainer exec img.sif codex exec -C . -s read-only p"
    ),
    "docker-exec-e": "docker exec -i -e OPENAI_API_KEY=x ctr codex exec -C . -s read-only p",
    # every spelling docker's flag parser takes for -e
    "docker-e-attached": "docker exec -eOPENAI_API_KEY=x ctr codex exec -C . -s read-only p",
    "docker-e-equals": "docker run -e=OPENAI_API_KEY=x img codex exec -C . -s read-only p",
    "docker-env-equals": "docker run --env=OPENAI_API_KEY=x img codex exec -C . -s read-only p",
    "compose-e-attached": (
        "docker compose run --rm -eOPENAI_API_KEY=x svc codex exec -C . -s read-only p"
    ),
    "tmux-e": "tmux new-session -d -e OPENAI_API_KEY=x 'codex exec -C . -s read-only p'",
}


@pytest.mark.parametrize("script", KEY_HANDED.values(), ids=KEY_HANDED)
def test_env_handed_through_a_wrapper_is_codexs_env(script: str) -> None:
    assert "CG101" in rules_of(script + " </dev/null")


@pytest.mark.parametrize(
    "script",
    [
        "export OPENAI_API_KEY=x\napptainer exec --cleanenv img.sif codex exec -C . -s read-only p",
        "export OPENAI_API_KEY=x\nsingularity exec -C img.sif codex exec -C . -s read-only p",
        "export OPENAI_API_KEY=x\ndocker run --rm img codex exec -C . -s read-only p",
    ],
)
def test_a_wrapper_that_clears_the_env_keeps_the_scripts_key_out(script: str) -> None:
    assert "CG101" not in rules_of(script + " </dev/null")


def test_uv_env_file_is_an_env_file_codex_reads() -> None:
    assert "CG103" in rules_of("uv run --env-file .env codex exec -C . -s read-only p </dev/null")


# --- unknown wrappers --------------------------------------------------------------------

CARRIED = {
    "CG303": "agent-run --timeout 900 -- codex exec --yolo p",
    "CG102": "agent-run -- codex login --with-api-key",
    "CG402": "agent-run --retries 3 codex exec resume --last -s read-only",
    "CG903": "/opt/bin/agent-run ~/.local/bin/codex exec --no-such-flag p",
}


@pytest.mark.parametrize(("rule", "script"), CARRIED.items(), ids=CARRIED)
def test_codex_carried_by_an_unknown_command_gets_the_argv_rules(rule: str, script: str) -> None:
    hits = [f for f in findings(script) if f.rule == rule]
    assert hits, script
    assert "agent-run" in hits[0].message and "does not know" in hits[0].message


def test_an_unknown_command_gets_no_env_or_stdin_rules() -> None:
    # what agent-run does with the key and with stdin is not known: say nothing of them
    script = 'export OPENAI_API_KEY=x\nagent-run -- codex exec -C . "fix it"'
    assert rules_of(script, RunContext.AGENT) == set()
    assert rules_of("agent-run -- codex exec -C . -s read-only -") == set()


def test_an_unknown_command_under_a_known_wrapper_is_still_seen() -> None:
    assert "CG303" in rules_of("timeout 600 nohup agent-run -- codex exec --yolo p")


MENTIONS = [
    "echo codex exec --yolo p",
    "printf '%s\\n' codex exec --yolo",
    "grep codex exec.log",
    "rg -n codex --glob '*.sh'",
    "docker run --rm codex-img",
    "docker run --rm -e OPENAI_API_KEY codex-runner:latest",
    "ssh host 'echo codex exec --yolo p'",
    "ssh host 'grep -c codex /var/log/agent.log'",
    "tmux send-keys -t w 'codex exec --yolo p'",
    "tmux send-keys -t w -l 'codex exec --yolo p' Enter",
    "tmux new-session -d -s codex",
    "parallel echo ::: codex exec --yolo",
    "parallel 'echo codex exec --yolo {}' ::: a b",
    "npx -c 'echo codex exec --yolo p'",
    "npm x -- cowsay codex exec --yolo",
    "concurrently -n codex,web 'echo codex exec --yolo' 'npm:codex'",
    "uv run pytest -k codex",
    "uv run -m codex exec --yolo",
    "poetry run pytest tests/test_codex.py",
    "pnpm exec eslint codex.ts",
    "apptainer exec img.sif python3 codex.py",
    "deploy --service codex --region us-east-1",
    "agent-run --name codex",
    "mkdir -p codex exec",
    "pkill -f codex exec",
    "git add codex exec.md",
    "find . -name codex -newer exec",
    "codex-guard exec -- codex exec -C . -s read-only p </dev/null",
    "notify-send codex exec --yolo done",
    "gh issue create --title codex exec --yolo --body hangs",
    "mail -s codex exec --yolo ops@example.com < report.txt",
]


@pytest.mark.parametrize("script", MENTIONS)
def test_mentions_stay_silent(script: str) -> None:
    assert rules_of(script, RunContext.AGENT) <= {"CG902"}


def test_concurrently_gives_each_command_an_idle_pipe() -> None:
    """concurrently spawns its commands with a stdin pipe it neither writes nor closes
    (concurrently#115): a positional prompt hangs for sure; `--raw` hands its own stdin on."""
    script = "concurrently 'npm:dev' 'codex exec -C . -s read-only p'"
    (hit,) = [f for f in findings(script) if f.rule == "CG201"]
    assert hit.severity == "error"
    (hit,) = [f for f in findings(script.replace("concurrently", "concurrently --raw"))]
    assert (hit.rule, hit.severity) == ("CG201", "warning")
    assert "CG201" not in rules_of(script.replace(" p'", " p </dev/null'"))
