"""`codex-guard exec` starts codex and nothing else: the argv's wrappers are peeled with the command
model, the env checked is the env codex really receives, and what is exec'd is pinned.

Every case runs the shim for real against a recording stand-in codex (tests/runtime/recorder.py)
and asserts on what the recorder got.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.runtime.conftest import FORCED_LOGIN
from tests.runtime.recorder import (
    Recorder,
    chatgpt_home_in,
    clean_env,
    make_recorder,
    run_exec,
)


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return make_recorder(tmp_path / "bin")


@pytest.fixture
def env(tmp_path: Path, recorder: Recorder, base_env: dict[str, str]) -> dict[str, str]:
    return clean_env(base_env, recorder, chatgpt_home_in(tmp_path / "codex-home"))


RUN = ["exec", "-C", ".", "-s", "read-only", "p"]
# what codex receives: the shim adds the forced ChatGPT login (guard/runtime/forcelogin.py)
RECEIVED = [*RUN, *FORCED_LOGIN]

# The issue's cases: each started codex with the key, --scrub-env or not.
BYPASSES = [
    ["env", "OPENAI_API_KEY=x", "codex", *RUN],
    ["/usr/bin/env", "CODEX_API_KEY=x", "codex", *RUN],
    ["sh", "-c", "OPENAI_API_KEY=sk-x codex exec -C . -s read-only p"],
    ["bash", "-c", "export OPENAI_API_KEY=sk-x; exec codex exec -C . -s read-only p"],
    ["python3", "-c", "import os; os.execvp('codex', ['codex', 'exec', 'p'])"],
]


@pytest.mark.parametrize("scrub", [[], ["--scrub-env"]])
@pytest.mark.parametrize("argv", BYPASSES)
def test_the_issue_bypasses_never_start_codex(
    argv: list[str], scrub: list[str], recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    proc = run_exec([*scrub, "--", *argv], env, workspace)
    assert proc.returncode == 3, proc.stderr
    assert recorder.runs() == []
    assert len(proc.stderr.strip().splitlines()) >= 1


def test_env_k_v_is_cg101_from_the_rules(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    proc = run_exec(["--", "env", "OPENAI_API_KEY=x", "codex", *RUN], env, workspace)
    assert proc.returncode == 3
    assert "CG101" in proc.stderr
    assert recorder.runs() == []


def test_scrub_env_cannot_remove_a_key_the_command_sets(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    proc = run_exec(
        ["--scrub-env", "--", "env", "CODEX_API_KEY=x", "codex", *RUN],
        {**env, "CODEX_API_KEY": "real"},
        workspace,
    )
    assert proc.returncode == 3
    assert "--scrub-env cannot remove CODEX_API_KEY" in proc.stderr
    assert recorder.runs() == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["sh", "-c", "codex exec p"], "sh -c 'codex-guard exec -- codex exec"),
        (["bash", "-c", "codex exec p"], "bash -c 'codex-guard exec -- codex exec"),
        (["eval", "codex exec p"], "runs a shell string (eval)"),
        (["python3", "-c", "pass"], "`python3` is not codex"),
        (["sudo", "-E", "codex", *RUN], "sudo codex-guard exec"),
        (["xargs", "codex", "exec"], "xargs ... codex-guard exec"),
        (["docker", "run", "img", "codex", *RUN], "inside the container"),
        (["ssh", "host", "codex", *RUN], "runs a shell string (ssh)"),
        (["my-launcher", "codex", *RUN], "`my-launcher` is not codex"),
        (["env", "-S", "OPENAI_API_KEY=x codex", *RUN], "`env -S` is not supported"),
        (["env", "-C", "/tmp", "codex", *RUN], "`env -C` is not supported"),
        (["command", "-v", "codex"], "runs nothing"),
    ],
)
def test_refusals_say_what_to_do_instead(
    argv: list[str], says: str, recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    proc = run_exec(["--", *argv], env, workspace)
    assert proc.returncode == 3, proc.stderr
    assert says in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert recorder.runs() == []


def test_a_wrapper_named_by_a_path_must_be_the_one_on_path(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    fake_env = workspace / "env"
    fake_env.write_text('#!/bin/sh\nOPENAI_API_KEY=x exec "$@"\n')
    fake_env.chmod(0o755)
    proc = run_exec(["--", "./env", "codex", *RUN], env, workspace)
    assert proc.returncode == 3
    assert "is not the `env` on PATH" in proc.stderr
    assert recorder.runs() == []


def test_a_wrapper_cannot_pick_another_codex_through_path(
    recorder: Recorder, env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    """`env PATH=EVIL:... timeout 5 codex`: timeout is the one on the caller's PATH, pinned."""
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "timeout").write_text('#!/bin/sh\nshift; OPENAI_API_KEY=x exec "$@"\n')
    (evil / "timeout").chmod(0o755)
    argv = ["env", f"PATH={evil}:{env['PATH']}", "timeout", "60", "codex", *RUN]
    proc = run_exec(["--", *argv], env, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.forbidden == []
    assert run.argv == RECEIVED


@pytest.mark.parametrize(
    "prefix",
    [
        ["timeout", "600"],
        ["nice", "-n", "5"],
        ["nohup"],
        ["setsid"],
        ["stdbuf", "-oL"],
        ["env", "-u", "OPENAI_API_KEY"],
        ["timeout", "-s", "KILL", "600", "nice", "env", "FOO=1"],
    ],
)
def test_benign_wrapped_runs_start_codex_with_the_right_argv(
    prefix: list[str], recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    proc = run_exec(["--", *prefix, "codex", *RUN], env, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.argv == RECEIVED
    assert run.forbidden == []


def test_env_u_removes_the_key_from_what_codex_gets(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    argv = ["env", "-u", "OPENAI_API_KEY", "codex", *RUN]
    proc = run_exec(["--", *argv], {**env, "OPENAI_API_KEY": "sk-x"}, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.forbidden == []


def test_env_i_clears_the_key_but_codex_must_still_be_found(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    keyed = {**env, "CODEX_API_KEY": "sk-x"}
    bare = run_exec(["--", "env", "-i", "codex", *RUN], keyed, workspace)
    assert bare.returncode == 127  # no PATH left: the default path has no codex
    assert "codex: command not found" in bare.stderr
    argv = ["env", "-i", f"PATH={recorder.folder}:/usr/bin:/bin", "HOME=/nonexistent"]
    argv += [f"CODEX_HOME={env['CODEX_HOME']}", "codex", *RUN]
    proc = run_exec(["--", *argv], keyed, workspace)
    assert proc.returncode == 0, proc.stderr
    [run] = recorder.runs()
    assert run.forbidden == []


def test_the_benign_example_from_the_issue(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    """`codex-guard exec -- timeout 600 codex exec -C . -s read-only "p" </dev/null`."""
    argv = ["timeout", "600", "codex", "exec", "-C", ".", "-s", "read-only", "p"]
    dry = run_exec(["--dry-run", "--", *argv], env, workspace)
    assert dry.returncode == 0, dry.stderr
    timeout = shutil.which("timeout", path=env["PATH"])
    pinned = (
        f"would run: {timeout} 600 {recorder.path} exec -C . -s read-only p "
        "-c 'forced_login_method=\"chatgpt\"'\n"
    )
    assert pinned in dry.stdout
    assert "checked as: timeout 600 codex exec -C . -s read-only p </dev/null" in dry.stdout
    assert recorder.runs() == []
    proc = run_exec(["--", *argv], env, workspace)
    assert proc.returncode == 0, proc.stderr
    assert [r.argv for r in recorder.runs()] == [[*argv[3:], *FORCED_LOGIN]]


def test_a_wrapped_run_is_checked_against_the_real_stdin(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    """`timeout 60 codex exec "p"` on an idle open pipe hangs like the bare call: CG201."""
    import subprocess

    from tests.runtime.conftest import guard_cmd

    for options, code in (([], 3), (["--close-stdin"], 0)):
        proc = subprocess.Popen(
            guard_cmd("exec", *options, "--", "timeout", "60", "codex", *RUN),
            stdin=subprocess.PIPE,  # never written, never closed
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=workspace,
        )
        try:
            assert proc.wait(timeout=60) == code
            assert proc.stderr is not None
            stderr = proc.stderr.read().decode()
            assert ("CG201" in stderr) is (code == 3), stderr
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
    assert [r.argv for r in recorder.runs()] == [RECEIVED]


def test_the_real_codex_through_a_wrapper_gets_the_checked_sandbox(
    real_codex: str, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """The real binary, started through `timeout` by its pinned path: its run banner shows the
    sandbox that was checked (no network here: `timeout` ends the run after the banner)."""
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["timeout", "8", real_codex, "exec", "--skip-git-repo-check", "-C", str(workspace)]
    proc = run_exec(["--", *argv, "-s", "read-only", "say hi"], env, workspace, timeout=60)
    assert "sandbox: read-only" in proc.stderr, proc.stderr
    assert f"workdir: {workspace}" in proc.stderr


def test_node_running_the_npm_launcher_is_pinned_too(
    recorder: Recorder, env: dict[str, str], workspace: Path
) -> None:
    """`codex-guard exec -- node .../codex.js ...`: `node` is exec'd by the absolute path PATH
    gives, never as a bare name (execve would run a `node` file planted in the current folder)."""
    from tests.runtime.conftest import REAL_CODEX

    node = shutil.which("node", path=env["PATH"])
    if node is None or not REAL_CODEX.exists():
        pytest.skip("needs node and the real codex npm package")
    launcher = str(REAL_CODEX.resolve())  # .../@openai/codex/bin/codex.js
    planted = workspace / "node"
    planted.write_text("#!/bin/sh\necho planted >&2\nexit 0\n")
    planted.chmod(0o755)
    argv = ["--dry-run", "--", "node", launcher, "exec", "-C", ".", "-s", "read-only", "p"]
    proc = run_exec(argv, env, workspace)
    assert proc.returncode == 0, proc.stderr
    assert f"would run: {node} {launcher} exec" in proc.stdout
