"""Small pieces of the runtime doors: stdin states, login-status text, argv reading, settings."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from guard.engine import lint_snippet
from guard.runtime.auth import parse_login_status, read_auth_mode, run_login_status
from guard.runtime.locate import cd_value, is_api_key_login, is_exec_run, subcommand
from guard.runtime.stdin import StdinState, classify_stdin, stdin_suffix
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet


def test_stdin_idle_pipe_data_and_eof() -> None:
    read, write = os.pipe()
    try:
        assert classify_stdin(read, grace=0.01) is StdinState.PIPE_IDLE
        os.write(write, b"x")
        assert classify_stdin(read, grace=0.01) is StdinState.PIPE_DATA
        os.read(read, 1)
        os.close(write)
        write = -1
        assert classify_stdin(read, grace=0.01) is StdinState.PIPE_EOF
    finally:
        os.close(read)
        if write != -1:
            os.close(write)


def test_stdin_devnull_file_and_closed(tmp_path: Path) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        assert classify_stdin(null) is StdinState.DEVNULL
    finally:
        os.close(null)
    path = tmp_path / "in.txt"
    path.write_text("data")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert classify_stdin(fd) is StdinState.FILE_DATA
        os.read(fd, 10)
        assert classify_stdin(fd) is StdinState.FILE_EOF
    finally:
        os.close(fd)
    assert classify_stdin(fd) is StdinState.CLOSED


@pytest.mark.parametrize(
    ("state", "positional", "dash"),
    [
        (StdinState.TTY, set(), {"CG202"}),  # the shim itself lets `-` read a terminal
        (StdinState.DEVNULL, set(), {"CG202"}),
        (StdinState.PIPE_EOF, set(), {"CG202"}),
        (StdinState.PIPE_DATA, {"CG203"}, set()),
        (StdinState.FILE_DATA, {"CG203"}, set()),
        (StdinState.PIPE_IDLE, {"CG201"}, {"CG202"}),
    ],
)
def test_the_real_stdin_as_the_engine_reads_it(
    state: StdinState, positional: set[str], dash: set[str]
) -> None:
    """What the shim tells the engine about each real stdin: an idle pipe hangs a positional
    prompt; input waiting is appended to it (CG203) and is what a `-` prompt reads."""

    def stdin_rules(prompt: str) -> set[str]:
        text = f"codex exec -C . -s read-only {prompt}" + stdin_suffix(state)
        found = lint_snippet(
            Snippet(text=text, path="<exec>", context=RunContext.RUNTIME), Settings()
        )
        return {f.rule for f in found if f.rule.startswith("CG2")}

    assert stdin_rules("'p'") == positional
    assert stdin_rules("-") == dash


def test_tty_is_a_tty() -> None:
    try:
        main, child = os.openpty()
    except OSError:
        pytest.skip("no pty here")
    try:
        assert classify_stdin(child) is StdinState.TTY
    finally:
        os.close(main)
        os.close(child)


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("WARNING: proceeding, even though ...\nLogged in using ChatGPT\n", "chatgpt"),
        ("API key configured - sk-***abcd\nAuthentication is checked when ...\n", "apikey"),
        ("WARNING: x\nNot logged in\n", "none"),
        ("Error checking login status: boom\n", "unknown"),
        ("", "unknown"),
    ],
)
def test_parse_login_status(text: str, mode: str) -> None:
    assert parse_login_status(text) == mode


def test_login_status_line_never_echoes_the_key(tmp_path: Path) -> None:
    fake = tmp_path / "codex"
    fake.write_text("#!/bin/sh\necho 'API key configured - sk-proj-***wxyz' >&2\n")
    fake.chmod(0o755)
    mode, line = run_login_status(str(fake), dict(os.environ))
    assert (mode, line) == ("apikey", "API key configured")


def test_read_auth_mode(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    assert read_auth_mode(path) is None
    path.write_text('{"auth_mode": "ChatGPT"}')
    assert read_auth_mode(path) == "chatgpt"
    path.write_text('{"OPENAI_API_KEY": "sk-x"}')  # an old file with a bare key
    assert read_auth_mode(path) == "apikey"
    path.write_text("not json")
    assert read_auth_mode(path) is None


@pytest.mark.parametrize(
    ("args", "sub", "is_exec"),
    [
        (["exec", "-s", "read-only", "p"], "exec", True),
        (["e", "p"], "e", True),
        (["-m", "gpt-5", "-s", "danger-full-access", "exec", "p"], "exec", True),
        (["-c", "model=o3", "--search", "exec", "p"], "exec", True),
        (["--version"], None, False),
        (["mcp", "list"], "mcp", False),
        (["say exec now"], "say exec now", False),
        (["--", "exec"], None, False),
    ],
)
def test_subcommand(args: list[str], sub: str | None, is_exec: bool) -> None:
    assert subcommand(args) == sub
    assert is_exec_run(args) is is_exec


def test_api_key_login_and_cd() -> None:
    assert is_api_key_login(["login", "--with-api-key"])
    assert is_api_key_login(["-c", "x=1", "login", "--with-api-key"])
    assert not is_api_key_login(["login", "status"])
    assert not is_api_key_login(["exec", "--with-api-key"])
    assert cd_value(["-C", "/a", "exec", "--cd", "/b", "p"]) == "/b"
    assert cd_value(["exec", "--cd=/c", "p"]) == "/c"
    assert cd_value(["exec", "p"]) is None


def test_runtime_settings_default_and_config(tmp_path: Path) -> None:
    from guard.runtime.settings_load import ConfigError, load_runtime_settings

    with tempfile.TemporaryDirectory() as bare:
        assert load_runtime_settings(Path(bare)).hook_fail_closed is False
    (tmp_path / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    assert load_runtime_settings(tmp_path).hook_fail_closed is True
    (tmp_path / ".codex-guard.yaml").write_text("hook: [not, a, table]\n")
    with pytest.raises(ConfigError):
        load_runtime_settings(tmp_path)


def test_decision_key_follows_symlinks(tmp_path: Path) -> None:
    from guard.runtime.decisions import decision_key, path_facts
    from guard.settings import Settings

    inside, outside = tmp_path / "in", tmp_path / "out"
    inside.mkdir()
    outside.mkdir()
    link = tmp_path / "link"
    link.symlink_to(inside)
    text = "codex exec -C ./link --output-schema=./link/s.json -s read-only x </dev/null"
    before = decision_key(text, (), Settings(), str(tmp_path))
    assert path_facts(text, str(tmp_path))[0] == f"./link\0{inside}"
    link.unlink()
    link.symlink_to(outside)
    assert decision_key(text, (), Settings(), str(tmp_path)) != before
    assert decision_key(text, (("TMPDIR", "/x", 0),), Settings(), str(tmp_path)) != before


def test_exec_options_lanes_are_the_settings_lanes() -> None:
    from guard.runtime.execopts import LANES as OPTION_LANES
    from guard.settings import LANES

    assert OPTION_LANES == LANES
