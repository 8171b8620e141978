"""Issue 7, what was left at the runtime doors (the hook for both agents, and `check`):

- under `hook.fail-closed: true`, codex seen through a command codex-guard does not know, and shell
  text that cannot be seen (`eval "$CMD"`, `bash -c "$CMD"`, `source "$F"`...), are refused;
  without it nothing changes, and `lint` never changes;
- 200 everyday agent commands stay allowed under fail-closed (no false refusal);
- a program word that is codex on this machine under another name (a link or copy made in an
  earlier call, a bare name on PATH) is read as codex.

Each threat is first shown real: the command, run by bash with a recording stand-in codex on PATH,
does start codex.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.runtime.conftest import FAKE_CODEX, REAL_CODEX, run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies

FAIL_CLOSED = "hook:\n  fail-closed: true\n"
AGENTS = ("claude", "codex")
EVERYDAY = Path(__file__).parent / "data" / "everyday_commands.txt"


def recording_path(tmp_path: Path, env: dict[str, str]) -> tuple[dict[str, str], Path]:
    """`env` with a recording stand-in codex first on PATH; the log it writes."""
    folder = tmp_path / "fakebin"
    folder.mkdir(exist_ok=True)
    codex = folder / "codex"
    codex.write_text(FAKE_CODEX)
    codex.chmod(0o755)
    log = tmp_path / "codex-runs.log"
    return {**env, "PATH": f"{folder}{os.pathsep}{env['PATH']}", "FAKE_CODEX_LOG": str(log)}, log


def run_in_bash(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )


def lint_findings(command: str, workspace: Path, env: dict[str, str]) -> list[tuple[str, int]]:
    script = workspace / "run.sh"
    script.write_text(command + "\n")
    lint = run_guard(["lint", "--format", "json", str(script)], env, cwd=workspace)
    return sorted((f["rule"], f["line"]) for f in json.loads(lint.stdout)["findings"])


def assert_allowed_at_doors(command: str, workspace: Path, env: dict[str, str]) -> None:
    check = run_guard(["check", command], env, cwd=workspace)
    assert check.returncode == 0, check.stdout + check.stderr
    for agent in AGENTS:
        assert_hook_allows(agent, command, workspace, env)


def assert_refused_at_doors(
    command: str, workspace: Path, env: dict[str, str], *needles: str
) -> None:
    check = run_guard(["check", command], env, cwd=workspace)
    assert check.returncode == 1 and check.stdout.strip().endswith("refused"), check.stdout
    for needle in needles:
        assert needle in check.stdout
    for agent in AGENTS:
        reason = assert_hook_denies(agent, command, workspace, env)
        for needle in needles:
            assert needle in reason


# --- 1. codex seen through a command codex-guard does not know -----------------------------------

SEEN_THROUGH = [
    ("agent-run --timeout 900 -- codex exec -C . -s read-only - </dev/null", "agent-run"),
    ("my-launcher codex exec -C . -s workspace-write 'fix the bug' </dev/null", "my-launcher"),
]
# A launcher that hands codex a key of its own: what the doors cannot see from the line.
KEY_ADDING_LAUNCHER = '#!/bin/sh\n[ "$1" = --timeout ] && shift 2\n[ "$1" = -- ] && shift\n'
KEY_ADDING_LAUNCHER += 'OPENAI_API_KEY=sk-from-the-launcher exec "$@"\n'


@pytest.mark.parametrize(("command", "carrier"), SEEN_THROUGH)
def test_codex_seen_through_an_unknown_command_is_refused_under_fail_closed(
    command: str, carrier: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env, log = recording_path(tmp_path, base_env)
    launcher = tmp_path / "fakebin" / carrier
    launcher.write_text(KEY_ADDING_LAUNCHER)
    launcher.chmod(0o755)
    ran = run_in_bash(command, env, workspace)
    assert "key=sk-from-the-launcher" in ran.stdout, ran.stdout + ran.stderr  # the threat is real
    assert log.read_text().startswith("exec ")

    before = lint_findings(command, workspace, env)
    assert_allowed_at_doors(command, workspace, env)  # without fail-closed: unchanged
    (workspace / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    assert_refused_at_doors(command, workspace, env, "CG902", f"`{carrier}`")
    assert lint_findings(command, workspace, env) == before  # lint does not change (issue 8)


def test_codex_by_name_or_through_a_known_wrapper_stays_allowed_under_fail_closed(
    workspace: Path, base_env: dict[str, str]
) -> None:
    (workspace / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    home = workspace / "home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps({"auth_mode": "chatgpt", "tokens": {}}))
    env = {**base_env, "CODEX_HOME": str(home)}
    for command in (
        "codex exec -C . -s read-only - < prompt.md",
        "timeout 900 codex exec -C . -s read-only - < prompt.md",
        "kubectl logs codex -f",
    ):
        assert_allowed_at_doors(command, workspace, env)


# --- 2. shell text that cannot be seen, with no codex word ------------------------------------

UNSEEN_TEXT = [
    'eval "$CMD"',
    'bash -c "$CMD"',
    'sh -c "$(cat job.txt)"',
    'source "$F"',
    '. "$F"',
    'bash "$F"',
    "$(cat job.txt)",
    "cat job.txt | xargs -I{} sh -c '{}'",
    "tr '\\n' '\\0' < job.txt | xargs -0 bash -c",
]


@pytest.mark.parametrize("command", UNSEEN_TEXT)
def test_unseen_shell_text_is_refused_under_fail_closed(
    command: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env, log = recording_path(tmp_path, base_env)
    job = "env OPENAI_API_KEY=sk-x codex exec --yolo p"
    (workspace / "job.txt").write_text(job + "\n")
    ran = run_in_bash(command, {**env, "CMD": job, "F": "job.txt"}, workspace)
    assert "key=sk-x" in ran.stdout, ran.stdout + ran.stderr  # the threat is real
    assert "--yolo" in log.read_text()

    before = lint_findings(command, workspace, env)
    assert_allowed_at_doors(command, workspace, env)  # without fail-closed: unchanged
    (workspace / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    assert_refused_at_doors(command, workspace, env, "CG902", "refused under hook.fail-closed")
    assert lint_findings(command, workspace, env) == before


def everyday_commands() -> list[str]:
    lines = EVERYDAY.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_everyday_commands_are_never_refused_under_fail_closed(tmp_path: Path) -> None:
    """The false-refusal count on 200 everyday agent commands is 0 at both hooks and `check`
    (run in-process: the same code the console script runs, 600 answers in about a second)."""
    from guard.commands import app
    from guard.runtime.hook import run_hook

    commands = everyday_commands()
    assert len(commands) >= 200
    (tmp_path / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    refused: list[tuple[str, str]] = []
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        for command in commands:
            for agent in AGENTS:
                payload = json.dumps({"cwd": str(tmp_path), "tool_input": {"command": command}})
                out, err = io.StringIO(), io.StringIO()
                code = run_hook(agent, io.StringIO(payload), out, err)
                if code or out.getvalue():
                    refused.append((agent, command))
            result = CliRunner().invoke(app, ["check", command])
            if result.exit_code != 0:
                refused.append(("check", command))
    finally:
        os.chdir(old)
    assert refused == []


# --- 3. codex under another name on this machine ----------------------------------------------


def machine_links(tmp_path: Path, env: dict[str, str]) -> tuple[dict[str, str], Path, Path]:
    """The stand-in codex on PATH, and made from it: `links/cx` (a symlink), `links/agent-bin`
    (a copy), `onpath/cx` (a symlink in a folder on PATH), `onpath/helper` (a hard link)."""
    env, log = recording_path(tmp_path, env)
    codex = tmp_path / "fakebin" / "codex"
    links = tmp_path / "links"
    links.mkdir()
    (links / "cx").symlink_to(codex)
    shutil.copy2(codex, links / "agent-bin")
    onpath = tmp_path / "onpath"
    onpath.mkdir()
    (onpath / "cx").symlink_to(codex)
    (links / "my dir").mkdir()
    (links / "my dir" / "cx").symlink_to(codex)
    os.link(codex, onpath / "helper")
    env["PATH"] = f"{onpath}{os.pathsep}{env['PATH']}"
    return env, log, links


@pytest.mark.parametrize(
    "word",
    [
        "{links}/cx",
        "{links}/agent-bin",
        "cx",
        "helper",
        "./bin/agent",
        "timeout 60 {links}/cx",
        "'{links}/my dir/cx'",
        "{links}/c''x",
        "$'{links}/\\x63x'",
        "env FOO=1 cx",
        "hash -p {links}/cx git; git",
    ],
)
def test_codex_under_another_name_is_codex_at_the_doors(
    word: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env, log, links = machine_links(tmp_path, base_env)
    (workspace / "bin").mkdir()
    (workspace / "bin" / "agent").symlink_to(links / "agent-bin")
    command = word.format(links=links) + " exec -C . --yolo 'fix it' </dev/null"
    run_in_bash(command, env, workspace)
    assert "exec -C . --yolo" in log.read_text()  # the threat is real: that word runs codex
    assert_refused_at_doors(command, workspace, env, "CG303")


def test_a_link_made_in_an_earlier_hook_call_is_codex_in_the_next(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env, log = recording_path(tmp_path, base_env)
    make_link = f'ln -s "$(command -v codex)" {tmp_path}/cx'
    for agent in AGENTS:
        assert_hook_allows(agent, make_link, workspace, env)
    assert run_in_bash(make_link, env, workspace).returncode == 0
    use = f"{tmp_path}/cx exec -C . --yolo p </dev/null"
    assert_refused_at_doors(use, workspace, env, "CG303")
    run_in_bash(use, env, workspace)
    assert "--yolo" in log.read_text()


def test_a_link_to_the_npm_launcher_is_codex_without_codex_on_path(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    if not REAL_CODEX.exists():
        pytest.skip("the real codex CLI is not installed")
    link = tmp_path / "cx"
    link.symlink_to(REAL_CODEX)  # .bin/codex -> @openai/codex/bin/codex.js
    env = {**base_env, "PATH": "/usr/bin:/bin"}
    assert_refused_at_doors(f"{link} exec -C . --yolo p </dev/null", workspace, env, "CG303")


def test_codex_under_another_name_carried_by_an_unknown_command_fails_closed(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env, _log, links = machine_links(tmp_path, base_env)
    command = f"agent-run -- {links}/cx exec -C . -s read-only p </dev/null"
    assert_allowed_at_doors(command, workspace, env)
    (workspace / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    assert_refused_at_doors(command, workspace, env, "CG902", "`agent-run`")


def test_other_programs_and_mere_mentions_stay_allowed(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env, _log, links = machine_links(tmp_path, base_env)
    other = links / "tool"
    other.write_text("#!/bin/sh\necho tool\n")
    other.chmod(0o755)
    (workspace / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    for command in (
        f"ls -l {links}/cx",
        "echo cx exec --yolo p",
        f"readlink -f {links}/cx",
        f"{other} exec --yolo p",
        "git status",
    ):
        assert_allowed_at_doors(command, workspace, env)


def test_the_machine_lookup_reads_no_more_than_it_needs(tmp_path: Path) -> None:
    """Unit: which words are resolved, and that a big file of another size is never read."""
    from guard.runtime.machine import _candidates, codex_program_words

    assert _candidates("git status && ls -la /tmp") == ["git", "ls", "/tmp"]
    assert _candidates("sudo -E cx exec p") == ["sudo", "cx", "exec", "p"]
    assert "cx" in _candidates("agent-run cx exec p")
    assert "cx" not in _candidates("grep cx notes.txt")
    big = tmp_path / "big"
    big.write_bytes(b"\0" * 100_000)
    big.chmod(0o755)
    assert codex_program_words(f"{big} exec", None, {"PATH": str(tmp_path)}) == ()


@pytest.mark.parametrize(
    "payload",
    [
        '{"cwd": "%s", "tool_input": {"command"' + " " * 100 + ': "%s exec --yolo p"}}',
        '{"cwd": "%s", "tool_input": {"cmd": ["%s", "exec", "--yolo", "p"]}}',
        '{"cwd": "%s", "tool_input": {"comm\\u0061nd": "%s exec --yolo p"}}',
        '{"cwd": "%s", "tool_input": {"command": ["%s", "exec", "--yolo", "p"]}, "x": "{spaced}"}',
    ],
)
def test_the_hooks_raw_reading_finds_the_command_however_the_json_is_written(
    payload: str, tmp_path: Path
) -> None:
    """The hook answers most inputs before json is imported: its own reading of the raw text
    must find every value json would give `commands_of` (padding, a list, an escaped key)."""
    from guard.runtime.hook import run_hook

    codex = tmp_path / "bin" / "codex"
    codex.parent.mkdir()
    codex.write_text(FAKE_CODEX)
    codex.chmod(0o755)
    link = tmp_path / "cx"
    link.symlink_to(codex)
    if "{spaced}" in payload:  # an argv list whose program path holds a blank
        (tmp_path / "my dir").mkdir()
        link = tmp_path / "my dir" / "cx"
        link.symlink_to(codex)
        payload = payload.replace("{spaced}", "")
    for agent in AGENTS:
        out, err = io.StringIO(), io.StringIO()
        run_hook(agent, io.StringIO(payload % (tmp_path, link)), out, err)
        reason = json.loads(out.getvalue())["hookSpecificOutput"]["permissionDecisionReason"]
        assert "CG303" in reason


def test_a_script_that_runs_codex_fails_closed(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """`/tmp/x/helper exec --yolo p`, where helper (written in an earlier call) is a script that
    runs codex: what it starts is not in the line. Refused under fail-closed only; a script whose
    `#!` line alone holds the word (a venv under a folder named codex-tools) is no mention."""
    env, log = recording_path(tmp_path, base_env)
    helper = tmp_path / "helper"
    helper.write_text('#!/bin/sh\nOPENAI_API_KEY=sk-x exec codex "$@"\n')
    helper.chmod(0o755)
    venv = tmp_path / "codex-tools" / "bin"
    venv.mkdir(parents=True)
    (venv / "tool").write_text(f"#!{venv}/python3\nimport sys\nprint(sys.argv)\n")
    (venv / "tool").chmod(0o755)
    command = f"{helper} exec -C . --yolo p </dev/null"
    ran = run_in_bash(command, env, workspace)
    assert "key=sk-x" in ran.stdout and "--yolo" in log.read_text()  # the threat is real
    assert_allowed_at_doors(command, workspace, env)
    (workspace / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    assert_refused_at_doors(command, workspace, env, "CG902", "names codex")
    assert_allowed_at_doors(f"{venv}/tool exec", workspace, env)


def test_a_write_to_a_shell_startup_file_fails_closed(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """Codex runs each command with `bash -lc`: a line that puts a folder first on PATH in
    ~/.profile makes a later `git exec --yolo p` run codex, where no check of that later line
    can see it (the hook reads its own PATH)."""
    env, log = recording_path(tmp_path, base_env)
    home = tmp_path / "home"
    home.mkdir()
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "git").symlink_to(tmp_path / "fakebin" / "codex")
    env = {**env, "HOME": str(home), "PATH": base_env["PATH"]}
    write = f"echo 'export PATH={evil}:$PATH' >> ~/.profile"
    assert run_in_bash(write, env, workspace).returncode == 0
    run_in_bash("bash -lc 'git exec -C . --yolo p'", env, workspace)
    assert "--yolo" in log.read_text()  # the threat is real
    assert_allowed_at_doors(write, workspace, env)
    (workspace / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    assert_refused_at_doors(write, workspace, env, "CG902", ".profile")
    for harmless in ("cat ~/.profile", "grep PATH ~/.bashrc", "echo hi > notes.txt"):
        assert_allowed_at_doors(harmless, workspace, env)
