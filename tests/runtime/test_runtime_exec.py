"""`codex-guard exec`: the real env, stdin and login checked, then the real codex exec'd."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.runtime.conftest import FORCED_LOGIN_TEXT, Fake, guard_cmd, kill_group, run_guard

HANG_SECONDS = 5.0
BANNER_TIMEOUT = 45.0


def _collect_stderr(proc: subprocess.Popen[bytes], sink: list[str], seen: threading.Event) -> None:
    assert proc.stderr is not None
    for raw in proc.stderr:
        line = raw.decode("utf-8", "replace")
        sink.append(line)
        if "session id:" in line:
            seen.set()


# --- the idle-pipe hang, with the real binary ---------------------------------------------------


def test_bare_codex_hangs_on_an_idle_pipe(
    real_codex: str,
    chatgpt_home: Path,
    workspace: Path,
    base_env: dict[str, str],
    popen_cleanup: list[subprocess.Popen[bytes]],
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    proc = subprocess.Popen(
        [real_codex, "exec", "--skip-git-repo-check", "-s", "read-only", "say hi"],
        stdin=subprocess.PIPE,  # never written, never closed: the idle open pipe
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=workspace,
        env=env,
        start_new_session=True,
    )
    popen_cleanup.append(proc)
    lines: list[str] = []
    seen = threading.Event()
    reader = threading.Thread(target=_collect_stderr, args=(proc, lines, seen), daemon=True)
    reader.start()
    time.sleep(HANG_SECONDS)
    assert proc.poll() is None, "codex should still be blocked reading stdin"
    assert not seen.is_set(), "no session may start while codex waits for stdin"
    kill_group(proc)
    reader.join(timeout=5)
    assert any("Reading additional input from stdin" in line for line in lines), lines


def test_close_stdin_repairs_the_hang(
    real_codex: str,
    chatgpt_home: Path,
    workspace: Path,
    base_env: dict[str, str],
    popen_cleanup: list[subprocess.Popen[bytes]],
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["exec", "--close-stdin", "--", real_codex, "exec", "--skip-git-repo-check"]
    argv += ["-C", str(workspace), "-s", "read-only", "say hi"]
    proc = subprocess.Popen(
        guard_cmd(*argv),
        stdin=subprocess.PIPE,  # the same idle pipe
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=workspace,
        env=env,
        start_new_session=True,
    )
    popen_cleanup.append(proc)
    lines: list[str] = []
    seen = threading.Event()
    reader = threading.Thread(target=_collect_stderr, args=(proc, lines, seen), daemon=True)
    reader.start()
    got_banner = seen.wait(BANNER_TIMEOUT)
    kill_group(proc)
    reader.join(timeout=5)
    text = "".join(lines)
    assert got_banner, text
    assert "sandbox: read-only" in text  # the run got the sandbox the command asked for
    assert "Traceback" not in text


def test_idle_pipe_is_refused_without_close_stdin(
    real_codex: str,
    chatgpt_home: Path,
    workspace: Path,
    base_env: dict[str, str],
    popen_cleanup: list[subprocess.Popen[bytes]],
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["exec", "--", real_codex, "exec", "--skip-git-repo-check"]
    argv += ["-C", str(workspace), "-s", "read-only", "say hi"]
    proc = subprocess.Popen(
        guard_cmd(*argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workspace,
        env=env,
        start_new_session=True,
    )
    popen_cleanup.append(proc)
    try:
        # not communicate(): it would close stdin, and the pipe must stay open and idle
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    assert proc.stderr is not None
    err = proc.stderr.read()
    text = err.decode()
    assert proc.returncode == 3, text
    assert "CG201" in text
    # codex never started: its first line under a temp CODEX_HOME would be this warning
    assert "Reading additional input" not in text
    assert "WARNING: proceeding" not in text
    assert "Traceback" not in text


# --- billing: refused before codex starts ----------------------------------------------------


def test_api_key_in_env_refused_and_codex_never_starts(
    real_codex: str, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home), "OPENAI_API_KEY": "sk-test"}
    argv = ["exec", "--", real_codex, "exec", "--skip-git-repo-check"]
    argv += ["-C", str(workspace), "-s", "read-only", "say hi"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG101" in proc.stderr
    assert "OPENAI_API_KEY" in proc.stderr
    assert "sk-test" not in proc.stderr  # the key's value is never echoed
    assert "WARNING: proceeding" not in proc.stderr  # the real codex never ran
    assert proc.stdout == ""


def test_api_key_in_env_starts_no_process(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {
        **base_env,
        "CODEX_HOME": str(chatgpt_home),
        "CODEX_API_KEY": "k",
        "FAKE_CODEX_LOG": str(fake_codex.log),
    }
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace)]
    argv += ["-s", "read-only", "say hi"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 3
    assert "CG101" in proc.stderr and "CODEX_API_KEY" in proc.stderr
    assert fake_codex.calls() == []


def test_apikey_auth_json_refused(
    real_codex: str, apikey_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(apikey_home)}
    argv = ["exec", "--", real_codex, "exec", "--skip-git-repo-check"]
    argv += ["-C", str(workspace), "-s", "read-only", "say hi"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 3, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "CG102" in line]
    assert len(lines) == 1, proc.stderr
    assert f"auth_mode: apikey in {apikey_home / 'auth.json'}" in lines[0]
    assert "every token is billed to the API account" in lines[0]
    assert "fix:" in lines[0]
    assert "WARNING: proceeding" not in proc.stderr


def test_apikey_auth_json_starts_no_process(
    fake_codex: Fake, apikey_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(apikey_home), "FAKE_CODEX_LOG": str(fake_codex.log)}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only"]
    proc = run_guard([*argv, "hi"], env, cwd=workspace)
    assert proc.returncode == 3
    assert fake_codex.calls() == []  # not even `codex login status`: the file answered


def test_not_logged_in_is_refused_via_real_login_status(
    real_codex: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    empty_home = tmp_path / "empty-home"
    empty_home.mkdir()
    env = {**base_env, "CODEX_HOME": str(empty_home)}
    argv = ["exec", "--", real_codex, "exec", "--skip-git-repo-check"]
    argv += ["-C", str(workspace), "-s", "read-only", "say hi"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG102" in proc.stderr
    assert "codex login status: Not logged in" in proc.stderr


# --- pass-through: same pid, exit status, signals, streams --------------------------------------


def test_exit_status_pid_and_streams_pass_through(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    pidfile = workspace.parent / "pid"
    env = {
        **base_env,
        "CODEX_HOME": str(chatgpt_home),
        "FAKE_EXIT": "7",
        "FAKE_CODEX_PIDFILE": str(pidfile),
        "FAKE_CODEX_LOG": str(fake_codex.log),
    }
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace)]
    argv += ["-s", "read-only", "say hi"]
    proc = subprocess.Popen(
        guard_cmd(*argv),
        env=env,
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 7, err
    assert int(pidfile.read_text()) == proc.pid  # execve: codex *is* the process we started
    assert (
        out.decode() == "fake-stdout key=unset tmpdir=" + os.environ.get("TMPDIR", "unset") + "\n"
    )
    assert err.decode().endswith("fake-stderr\n")
    assert "Traceback" not in err.decode()
    assert fake_codex.calls() == [f"exec -C {workspace} -s read-only say hi {FORCED_LOGIN_TEXT}"]


def _read_if_there(path: Path) -> str:
    return path.read_text().strip() if path.exists() else ""


def test_signals_reach_codex(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    pidfile = workspace.parent / "pid"
    env = {
        **base_env,
        "CODEX_HOME": str(chatgpt_home),
        "FAKE_SLEEP": "30",
        "FAKE_CODEX_PIDFILE": str(pidfile),
    }
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only"]
    proc = subprocess.Popen(
        guard_cmd(*argv, "hi"),
        env=env,
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        # Until the fake has written its pid: the shell creates the file before the write.
        while not _read_if_there(pidfile) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        assert int(pidfile.read_text()) == proc.pid
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    assert proc.returncode == -signal.SIGTERM


# --- repairs and dry run ------------------------------------------------------------------------


def test_dry_run_prints_and_runs_nothing(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home), "FAKE_CODEX_LOG": str(fake_codex.log)}
    argv = ["exec", "--dry-run", "--lane", "validator", "--", str(fake_codex.path), "exec"]
    argv += ["-C", str(workspace), "-s", "read-only", "judge it"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    assert (
        f"would run: {fake_codex.path} exec -C {workspace} -s read-only 'judge it' -c "
        "'forced_login_method=\"chatgpt\"'" in proc.stdout
    )
    assert "# codex-guard: lane=validator" in proc.stdout
    assert "</dev/null" in proc.stdout  # stdin /dev/null is told to the engine as a redirect
    assert fake_codex.calls() == []


def test_scrub_env_removes_the_key_and_runs(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {
        **base_env,
        "CODEX_HOME": str(chatgpt_home),
        "OPENAI_API_KEY": "sk-test",
        "FAKE_CODEX_LOG": str(fake_codex.log),
    }
    argv = ["exec", "--scrub-env", "--", str(fake_codex.path), "exec", "-C", str(workspace)]
    argv += ["-s", "read-only", "say hi"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    assert "key=unset" in proc.stdout
    assert "removed OPENAI_API_KEY" in proc.stderr
    assert "CG101" not in proc.stderr
    assert len(fake_codex.calls()) == 1


def test_set_tmpdir_points_inside_the_workspace(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["exec", "--set-tmpdir", "--lane", "worker", "--", str(fake_codex.path), "exec"]
    argv += ["-C", str(workspace), "-s", "workspace-write", "implement it and git commit"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 0, proc.stderr
    assert f"tmpdir={workspace / '.tmp'}" in proc.stdout
    assert (workspace / ".tmp").is_dir()


def test_usage_errors_are_one_line(base_env: dict[str, str]) -> None:
    proc = run_guard(["exec", "--lane", "boss", "--", "codex", "exec", "x"], base_env)
    assert proc.returncode == 2
    assert "--lane must be one of" in proc.stderr
    proc = run_guard(["exec"], base_env)
    assert proc.returncode == 2


# --- the login cache ------------------------------------------------------------------------


def test_login_status_is_cached_by_auth_file_path_mtime_size(
    fake_codex: Fake, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home-without-mode"
    home.mkdir()
    auth = home / "auth.json"
    auth.write_text("{}")  # no auth_mode: the shim must ask `codex login status`
    env = {**base_env, "CODEX_HOME": str(home), "FAKE_CODEX_LOG": str(fake_codex.log)}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only"]

    def status_calls() -> int:
        return sum(1 for call in fake_codex.calls() if call == "login status")

    assert run_guard([*argv, "one"], env, cwd=workspace).returncode == 0
    assert status_calls() == 1
    assert run_guard([*argv, "two"], env, cwd=workspace).returncode == 0
    assert status_calls() == 1  # the warm cache started no process
    auth.write_text(json.dumps({"note": "rewritten by a new login"}))
    assert run_guard([*argv, "three"], env, cwd=workspace).returncode == 0
    assert status_calls() == 2  # a new size/mtime is a new key


def test_api_key_login_status_from_fallback_is_refused(
    fake_codex: Fake, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "home-none"
    home.mkdir()
    env = {
        **base_env,
        "CODEX_HOME": str(home),
        "FAKE_LOGIN_STATUS": "API key configured - ***",
        "FAKE_CODEX_LOG": str(fake_codex.log),
    }
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only"]
    proc = run_guard([*argv, "hi"], env, cwd=workspace)
    assert proc.returncode == 3
    assert "codex login status: API key configured" in proc.stderr
    assert fake_codex.calls() == ["login status"]


# --- stdin states and the decision cache ----------------------------------------------------


@pytest.mark.parametrize("options", [[], ["--close-stdin"]])
def test_slow_prompt_producer_with_dash_is_allowed(
    options: list[str],
    fake_codex: Fake,
    chatgpt_home: Path,
    workspace: Path,
    base_env: dict[str, str],
) -> None:
    """`slow | codex exec -`: the pipe is idle when the shim looks, and it is the prompt
    (`--close-stdin` leaves it alone: only a positional prompt hangs on an idle pipe)."""
    env = {**base_env, "CODEX_HOME": str(chatgpt_home), "FAKE_CODEX_LOG": str(fake_codex.log)}
    argv = ["exec", *options, "--", str(fake_codex.path), "exec", "-C", str(workspace)]
    argv += ["-s", "read-only"]
    proc = subprocess.Popen(
        guard_cmd(*argv, "-"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=workspace,
    )
    time.sleep(1.0)  # the shim has looked at an idle pipe by now
    _out, err = proc.communicate(b"the prompt", timeout=60)
    assert proc.returncode == 0, err.decode()
    assert b"CG202" not in err and b"CG201" not in err
    assert b"gets /dev/null" not in err
    assert fake_codex.calls() == [f"exec -C {workspace} -s read-only - {FORCED_LOGIN_TEXT}"]


def test_data_on_stdin_with_a_positional_prompt_warns_and_runs(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only"]
    proc = run_guard([*argv, "p"], env, cwd=workspace, input="extra context")
    assert proc.returncode == 0, proc.stderr
    assert "warning CG203" in proc.stderr


def test_cached_allow_does_not_survive_an_env_change(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home), "FAKE_CODEX_LOG": str(fake_codex.log)}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only"]
    assert run_guard([*argv, "x"], env, cwd=workspace).returncode == 0
    assert run_guard([*argv, "x"], env, cwd=workspace).returncode == 0  # from the cache
    cache = Path(env["XDG_CACHE_HOME"]) / "codex-guard" / "exec"
    assert len(list(cache.glob("*.json"))) == 1
    keyed = run_guard([*argv, "x"], {**env, "OPENAI_API_KEY": "k"}, cwd=workspace)
    assert keyed.returncode == 3 and "CG101" in keyed.stderr
    (workspace / ".codex-guard.yaml").write_text("ignore: [CG502]\n")
    quiet = run_guard([*argv, "x"], env, cwd=workspace)
    assert quiet.returncode == 0 and "CG502" not in quiet.stderr  # a config change is a new key
    assert len(fake_codex.calls()) == 3


def test_flags_are_checked_against_the_installed_version(
    fake_codex: Fake, chatgpt_home: Path, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """An npm install says its version in package.json: `--full-auto` is fine on 0.139.0 only."""
    package = tmp_path / "node_modules" / "@openai" / "codex"
    (package / "bin").mkdir(parents=True)
    script = package / "bin" / "codex.js"
    script.write_text(fake_codex.path.read_text())
    script.chmod(0o755)
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["exec", "--", str(script), "exec", "--full-auto", "-C", str(workspace), "task"]
    (package / "package.json").write_text('{"name": "@openai/codex", "version": "0.139.0"}')
    old = run_guard(argv, env, cwd=workspace)
    assert old.returncode == 0, old.stderr
    (package / "package.json").write_text('{"name": "@openai/codex", "version": "0.169.0"}')
    new = run_guard(argv, env, cwd=workspace)
    assert new.returncode == 3
    assert "CG903" in new.stderr and "--full-auto" in new.stderr


def test_real_codex_version_rejects_full_auto(
    real_codex: str, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["exec", "--", real_codex, "exec", "--full-auto", "-C", str(workspace), "task"]
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 3
    assert "CG903" in proc.stderr
    assert "WARNING: proceeding" not in proc.stderr


def test_lane_and_workspace_are_checked(
    fake_codex: Fake, chatgpt_home: Path, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home), "FAKE_CODEX_LOG": str(fake_codex.log)}
    wide = ["exec", "--lane", "validator", "--", str(fake_codex.path), "exec", "-C", "."]
    proc = run_guard([*wide, "-s", "workspace-write", "judge"], env, cwd=workspace)
    assert proc.returncode == 3 and "CG302" in proc.stderr
    (workspace / ".codex-guard.yaml").write_text("workspace: .\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    escape = ["exec", "--", str(fake_codex.path), "exec", "-C", str(outside), "-s", "read-only"]
    proc = run_guard([*escape, "judge"], env, cwd=workspace)
    assert proc.returncode == 3 and "CG504" in proc.stderr
    assert fake_codex.calls() == []


def test_terminal_stdin(
    fake_codex: Fake, chatgpt_home: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """A TTY: a positional prompt never reads it; `-` reads what the person types."""
    main, child = os.openpty()
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    base = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only"]
    try:
        for prompt in ("a positional prompt", "-"):
            proc = subprocess.run(
                guard_cmd(*base, prompt),
                stdin=child,
                capture_output=True,
                text=True,
                env=env,
                cwd=workspace,
                timeout=60,
                check=False,
            )
            assert proc.returncode == 0, proc.stderr
            assert "CG201" not in proc.stderr and "CG202" not in proc.stderr
    finally:
        os.close(main)
        os.close(child)


def test_cache_follows_a_repointed_symlink(
    fake_codex: Fake, chatgpt_home: Path, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """A cached allow for `-C link` does not survive the link being pointed out of the workspace."""
    (workspace / ".codex-guard.yaml").write_text("workspace: .\n")
    inside = workspace / "repo"
    inside.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    link = workspace / "link"
    link.symlink_to(inside)
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", "./link", "-s", "read-only", "x"]
    assert run_guard(argv, env, cwd=workspace).returncode == 0
    link.unlink()
    link.symlink_to(outside)
    proc = run_guard(argv, env, cwd=workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG504" in proc.stderr
