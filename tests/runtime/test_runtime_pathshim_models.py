"""The `codex` PATH shim checks every command that can reach a model, not only `exec`; only what
the grammar says never does (`--version`, `--help`, `login status`, `completion`, ...) passes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from guard.codex.grammar import MODEL_FREE_COMMANDS, reaches_model, supported_versions
from tests.runtime.conftest import run_guard
from tests.runtime.recorder import Recorder, chatgpt_home_in, clean_env, make_recorder


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return make_recorder(tmp_path / "bin")


@pytest.fixture
def shim_env(tmp_path: Path, recorder: Recorder, base_env: dict[str, str]) -> dict[str, str]:
    shim = tmp_path / "shim"
    assert run_guard(["install-shim", str(shim)], base_env).returncode == 0
    env = clean_env(base_env, recorder, chatgpt_home_in(tmp_path / "codex-home"))
    env["PATH"] = f"{shim}:{env['PATH']}"
    return env


def _codex(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["codex", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


MODEL_RUNS = [
    ["review"],
    ["review", "--uncommitted"],
    ["fix the bug"],  # interactive codex with a prompt
    ["--", "exec"],  # a prompt "exec" for interactive codex
    ["exec-server"],
    ["app-server"],
    ["-m", "gpt-5", "resume", "--last"],
    ["-i", "a.png", "completion"],  # `-i <FILE>...` takes `completion` as a second image
    ["exec", "-C", ".", "-s", "read-only", "p"],
]


@pytest.mark.parametrize("key", ["OPENAI_API_KEY", "CODEX_API_KEY"])
@pytest.mark.parametrize("args", MODEL_RUNS)
def test_every_model_run_is_refused_with_a_key_in_the_env(
    args: list[str], key: str, recorder: Recorder, shim_env: dict[str, str], workspace: Path
) -> None:
    proc = _codex(args, {**shim_env, key: "sk-x"}, workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG101" in proc.stderr
    assert recorder.runs() == []


@pytest.mark.parametrize("args", MODEL_RUNS)
def test_every_model_run_is_refused_with_an_api_key_login(
    args: list[str], recorder: Recorder, shim_env: dict[str, str], workspace: Path
) -> None:
    (Path(shim_env["CODEX_HOME"]) / "auth.json").write_text(
        '{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"}'
    )
    proc = _codex(args, shim_env, workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG102" in proc.stderr
    assert recorder.runs() == []


@pytest.mark.parametrize(
    "args",
    [
        ["review", "--yolo"],
        ["--dangerously-bypass-approvals-and-sandbox", "fix it"],
        ["app-server", "-s", "danger-full-access"],
        ["-s", "danger-full-access", "review"],
        ["-c", 'sandbox_mode="danger-full-access"', "exec-server"],
        ["--sandbox=danger-full-access", "--", "exec"],
    ],
)
def test_full_access_is_refused_on_every_model_run(
    args: list[str], recorder: Recorder, shim_env: dict[str, str], workspace: Path
) -> None:
    proc = _codex(args, shim_env, workspace)
    assert proc.returncode == 3, proc.stderr
    assert "CG303" in proc.stderr
    assert recorder.runs() == []


def test_full_access_passes_on_a_host_the_user_declares_sandboxed(
    recorder: Recorder, shim_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    # Only the user config may declare the host sandboxed (README "Trust model").
    user = Path(shim_env["XDG_CONFIG_HOME"]) / "codex-guard"
    user.mkdir(parents=True, exist_ok=True)
    (user / "config.yaml").write_text("sandboxed-host: true\n")
    proc = _codex(["review", "--yolo"], shim_env, workspace)
    assert proc.returncode == 0, proc.stderr
    assert [r.argv for r in recorder.runs()] == [["review", "--yolo"]]


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["-V"],
        ["--help"],
        ["exec", "-h"],
        ["review", "--help"],
        ["help"],
        ["login", "status"],
        ["login", "--with-access-token"],  # subscription auth (FACTS.md, 0.171.0)
        ["completion", "bash"],
        ["logout"],
        ["mcp", "list"],
        ["archive", "session-1"],
        ["update"],
    ],
)
def test_what_never_reaches_a_model_passes_untouched(
    args: list[str], recorder: Recorder, shim_env: dict[str, str], workspace: Path
) -> None:
    proc = _codex(args, {**shim_env, "OPENAI_API_KEY": "sk-x"}, workspace)
    assert proc.returncode == 0, proc.stderr
    assert "codex-guard" not in proc.stderr  # nothing of ours
    if args[:2] == ["login", "status"]:  # the recorder answers it without logging
        assert proc.stderr == "Logged in using ChatGPT\n"
    else:
        assert proc.stderr == ""
        assert [r.argv for r in recorder.runs()] == [args]


def test_login_with_api_key_is_refused(
    recorder: Recorder, shim_env: dict[str, str], workspace: Path
) -> None:
    proc = _codex(["login", "--with-api-key"], shim_env, workspace)
    assert proc.returncode == 3
    assert "CG102" in proc.stderr
    assert recorder.runs() == []


def test_model_free_commands_are_real_commands_read_per_table() -> None:
    """Each name is a command of some table; where a table lacks it, it is a prompt there."""
    from guard.codex.grammar import grammar_for

    listed: set[str] = set()
    for version in supported_versions():
        top = grammar_for(version).command("")
        assert top is not None
        names = {name for name, _path in top.subcommands}
        listed |= names
        for name in MODEL_FREE_COMMANDS:
            assert reaches_model([name], version) is (name not in names), (name, version)
        assert reaches_model(["exec", "p"], version)
        assert reaches_model(["sandbox", "linux", "codex", "exec", "p"], version)
        assert reaches_model(["--", "--help"], version)  # a prompt, after `--`
    assert listed >= MODEL_FREE_COMMANDS


@pytest.mark.parametrize(
    ("args", "says", "model"),
    [
        (["exec", "-V", "p"], "codex-cli-exec 0.1", False),  # prints its version and exits
        (["exec", "p", "-h"], "Run Codex non-interactively", False),
        (["review", "-V"], "unexpected argument '-V'", False),  # clap exits 2
        (["completion", "bash"], "_codex()", False),
        # `-i <FILE>...` takes `completion` as a second image: interactive codex starts
        (["-i", "a.png", "completion"], "stdin is not a terminal", True),
    ],
)
def test_the_model_free_facts_hold_for_the_real_binary(
    args: list[str],
    says: str,
    model: bool,
    real_codex: str,
    chatgpt_home: Path,
    tmp_path: Path,
    base_env: dict[str, str],
) -> None:
    env = {**base_env, "CODEX_HOME": str(chatgpt_home)}
    proc = subprocess.run(
        [real_codex, *args],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert says in proc.stdout + proc.stderr
    assert reaches_model(args, "0.169.0") is model


@pytest.mark.parametrize(
    "args",
    [
        ["sandbox", "linux", "/opt/codex/bin/codex", "exec", "p"],
        ["sandbox", "--", "codex", "exec", "--yolo", "p"],
        ["sandbox", "--", "make", "test"],
    ],
)
@pytest.mark.parametrize("key", [None, "OPENAI_API_KEY"])
def test_codex_sandbox_is_refused_as_a_wrapper_the_shim_cannot_pin(
    args: list[str], key: str | None, recorder: Recorder, shim_env: dict[str, str], workspace: Path
) -> None:
    """`codex sandbox CMD` runs CMD (maybe codex) where the shim cannot pin it: refused, key or
    not, with where to put codex-guard exec instead (README "At run time")."""
    env = {**shim_env, key: "sk-x"} if key else shim_env
    proc = _codex(args, env, workspace)
    assert proc.returncode == 3, proc.stderr
    assert "`codex sandbox`" in proc.stderr and "codex-guard exec" in proc.stderr
    assert recorder.runs() == []
