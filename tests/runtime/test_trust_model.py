"""The trust model at the runtime doors (README "Trust model"): a repository's config may tighten
the billing and full-access rules (CG101-CG103, CG303) but never loosen them at `check`, the agent
hooks and the exec shim; only the user config (`$XDG_CONFIG_HOME/codex-guard/config.yaml`) may.

Every door is run for real, as a subprocess, from a folder that holds the planted config; the exec
shim runs in front of a recording stand-in codex.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard.codex.grammar import supported_versions
from tests.runtime.conftest import Fake, run_guard

KEY_RUN = 'OPENAI_API_KEY=sk-live codex exec -C . -s read-only "review" </dev/null'
YOLO_RUN = 'codex exec --yolo -C . "review" </dev/null'

# Each of these made the doors allow a key-bearing or full-access run (the issue), and more.
LOOSENING = {
    "ignore-CG1": "ignore: [CG1]\n",
    "ignore-CG": "ignore: [CG]\n",
    "ignore-CG10-CG3": "ignore: [CG10, CG3]\n",
    "ignore-ids": "ignore:\n  - CG101\n  - CG303\n  - CG103\n",
    "per-file-ignores": 'per-file-ignores: {"*": [CG1, CG303], "<hook>": [CG]}\n',
    "select-CG9": "select: [CG9]\n",
    "select-CG2": "select: [CG2]\n",
    "severity": "severity: {CG101: info, CG102: info, CG303: warning, CG103: info}\n",
    "forbidden-env": "forbidden-env: [NOTHING]\n",
    "sandboxed-host": "sandboxed-host: true\n",
    "runtime-keys": (
        "hook: {on-error: allow, deny-on: error, fail-closed: false}\n"
        "exec: {on-error: allow, refuse-on: error}\n"
    ),
    "all-at-once": (
        "select: [CG2]\nignore: [CG]\nseverity: {CG101: info, CG303: info}\n"
        "forbidden-env: []\nsandboxed-host: true\nhook: {on-error: allow}\n"
        "exec: {on-error: allow}\n"
    ),
}


def _plant(workspace: Path, content: str) -> None:
    (workspace / ".codex-guard.yaml").write_text(content)


def _user_config(env: dict[str, str], content: str) -> Path:
    path = Path(env["XDG_CONFIG_HOME"]) / "codex-guard" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path


def _check(command: str, env: dict[str, str], cwd: Path) -> tuple[int, set[str]]:
    run = run_guard(["check", "--format", "json", command], env, cwd=cwd)
    assert run.returncode in (0, 1), run.stderr
    doc = json.loads(run.stdout)
    assert doc["allowed"] is (run.returncode == 0)
    return run.returncode, {f["rule"] for f in doc["findings"]}


def _hook(agent: str, command: str, env: dict[str, str], cwd: Path) -> bool:
    """True when the hook denies, in that agent's contract."""
    payload = json.dumps(
        {"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": str(cwd),
         "tool_input": {"command": command}}
    )  # fmt: skip
    run = run_guard(["hook", agent], env, cwd=cwd, input=payload)
    if not run.stdout.strip():
        assert run.returncode == 0, run.stderr
        return False
    decision = json.loads(run.stdout)["hookSpecificOutput"]["permissionDecision"]
    assert decision == "deny"
    assert run.returncode == (2 if agent == "codex" else 0)
    return True


def _exec(
    fake: Fake, env: dict[str, str], cwd: Path, *flags: str, key: bool = False
) -> tuple[int, str]:
    run_env = {**env, "FAKE_CODEX_LOG": str(fake.log)}
    if key:
        run_env["OPENAI_API_KEY"] = "sk-live"
    argv = ["exec", "--dry-run", "--", str(fake.path), "exec", "-C", str(cwd), *flags, "task"]
    run = run_guard(argv, run_env, cwd=cwd)
    return run.returncode, run.stderr


@pytest.fixture
def door_env(base_env: dict[str, str], chatgpt_home: Path, tmp_path: Path) -> dict[str, str]:
    return {**base_env, "CODEX_HOME": str(chatgpt_home), "HOME": str(tmp_path / "home")}


@pytest.mark.parametrize("content", LOOSENING.values(), ids=LOOSENING.keys())
def test_a_planted_config_does_not_open_any_door(
    content: str, door_env: dict[str, str], workspace: Path, fake_codex: Fake
) -> None:
    _plant(workspace, content)
    code, rules = _check(KEY_RUN, door_env, workspace)
    assert code == 1 and "CG101" in rules
    code, rules = _check(YOLO_RUN, door_env, workspace)
    assert code == 1 and "CG303" in rules
    for agent in ("claude", "codex"):
        assert _hook(agent, KEY_RUN, door_env, workspace)
        assert _hook(agent, YOLO_RUN, door_env, workspace)
    code, err = _exec(fake_codex, door_env, workspace, "-s", "read-only", key=True)
    assert code == 3 and "CG101" in err, err
    code, err = _exec(fake_codex, door_env, workspace, "--yolo")
    assert code == 3 and "CG303" in err, err
    assert fake_codex.calls() == []  # a dry run never starts codex, refused or not


def test_the_other_default_key_and_an_inherited_key_are_still_refused(
    door_env: dict[str, str], workspace: Path
) -> None:
    _plant(workspace, "forbidden-env: [MY_OWN_KEY]\nignore: [CG1]\n")
    code, rules = _check('CODEX_API_KEY=k codex exec -C . -s read-only "p" </dev/null', door_env,
                         workspace)  # fmt: skip
    assert code == 1 and "CG101" in rules
    # The agent's own environment holds the key: the hook sees it, whatever the repository says.
    keyed = {**door_env, "OPENAI_API_KEY": "sk-live"}
    assert _hook("claude", 'codex exec -C . -s read-only "p" </dev/null', keyed, workspace)


def test_an_explicit_config_is_a_repository_config_too(
    door_env: dict[str, str], workspace: Path, fake_codex: Fake, tmp_path: Path
) -> None:
    loose = tmp_path / "loose.yaml"
    loose.write_text(LOOSENING["all-at-once"])
    run = run_guard(["check", "--config", str(loose), YOLO_RUN], door_env, cwd=workspace)
    assert run.returncode == 1 and "CG303" in run.stdout
    argv = ["exec", "--dry-run", "--config", str(loose), "--", str(fake_codex.path), "exec",
            "-C", str(workspace), "--yolo", "task"]  # fmt: skip
    run = run_guard(argv, door_env, cwd=workspace)
    assert run.returncode == 3 and "CG303" in run.stderr


def test_the_user_config_may_loosen(
    door_env: dict[str, str], workspace: Path, fake_codex: Fake
) -> None:
    _user_config(door_env, "sandboxed-host: true\nforbidden-env: [OTHER_KEY]\nignore: [CG102]\n")
    assert _check(YOLO_RUN, door_env, workspace)[0] == 0
    assert not _hook("claude", YOLO_RUN, door_env, workspace)
    code, err = _exec(fake_codex, door_env, workspace, "--yolo")
    assert code == 0, err
    assert _check(KEY_RUN, door_env, workspace)[0] == 0  # OPENAI_API_KEY dropped by the user
    code, rules = _check("OTHER_KEY=k codex exec -C . -s read-only p </dev/null", door_env,
                         workspace)  # fmt: skip
    assert code == 1 and "CG101" in rules
    assert _check("printenv K | codex login --with-api-key", door_env, workspace)[0] == 0


def test_a_repo_config_silent_on_sandboxed_host_keeps_the_users(
    door_env: dict[str, str], workspace: Path
) -> None:
    _user_config(door_env, "sandboxed-host: true\n")
    _plant(workspace, "ignore: [CG503]\nstrict: false\n")
    assert _check(YOLO_RUN, door_env, workspace)[0] == 0
    # ... and one that says `false` turns it off (a tightening), while `true` adds nothing.
    _plant(workspace, "sandboxed-host: false\n")
    code, rules = _check(YOLO_RUN, door_env, workspace)
    assert code == 1 and "CG303" in rules


def test_a_repo_config_cannot_undo_what_the_user_config_keeps(
    door_env: dict[str, str], workspace: Path
) -> None:
    # The user lowered CG101 to a warning: a repository may not lower it further (to info).
    _user_config(door_env, "severity: {CG101: warning}\nhook: {deny-on: warning}\n")
    _plant(workspace, "severity: {CG101: info}\nhook: {deny-on: error}\n")
    code, rules = _check(KEY_RUN, door_env, workspace)
    assert code == 1 and "CG101" in rules


@pytest.mark.parametrize(
    ("content", "command", "rule"),
    [
        ("forbidden-env: [AZURE_OPENAI_API_KEY]\n",
         'AZURE_OPENAI_API_KEY=k codex exec -C . -s read-only "p" </dev/null', "CG101"),
        ("severity: {CG301: error}\n", 'codex exec -C . "p" </dev/null', "CG301"),
        ("hook: {deny-on: warning}\n", 'codex exec -C . "p" </dev/null', "CG301"),
        ("select: [CG1, CG3, CG5]\nseverity: {CG503: error}\n",
         'codex exec -s read-only "p" </dev/null', "CG503"),
    ],
)  # fmt: skip
def test_a_repo_config_may_tighten(
    content: str, command: str, rule: str, door_env: dict[str, str], workspace: Path
) -> None:
    assert _check(command, door_env, workspace)[0] == 0
    _plant(workspace, content)
    code, rules = _check(command, door_env, workspace)
    assert code == 1 and rule in rules
    assert _hook("claude", command, door_env, workspace)


def test_a_repo_config_keeps_its_effect_on_the_other_rules(
    door_env: dict[str, str], workspace: Path
) -> None:
    command = 'OPENAI_API_KEY=k codex exec -C . "p" </dev/null'  # CG101 and CG301 (warning)
    _plant(workspace, "ignore: [CG1, CG3]\nhook: {deny-on: warning}\n")
    code, rules = _check(command, door_env, workspace)
    assert code == 1 and "CG101" in rules and "CG301" not in rules


@pytest.mark.parametrize(
    "command",
    [
        KEY_RUN + "  # codex-guard: disable=CG101 -- the key is a dummy",
        "# codex-guard: disable-file=CG1,CG3 -- throwaway VM\n" + YOLO_RUN,
        "# codex-guard: disable=CG303 -- throwaway VM\n" + YOLO_RUN,
    ],
)
def test_an_inline_directive_in_the_command_does_not_suppress_the_floor(
    command: str, door_env: dict[str, str], workspace: Path
) -> None:
    code, rules = _check(command, door_env, workspace)
    assert code == 1 and rules & {"CG101", "CG303"}
    assert _hook("claude", command, door_env, workspace)
    assert _hook("codex", command, door_env, workspace)


def test_door_directives_suppress_other_rules_but_not_the_floor() -> None:
    from guard.directives import door_directives
    from guard.engine import load_rules
    from guard.runtime.hook import check_command
    from guard.settings import Settings

    command = (
        '# codex-guard: disable=CG101,CG201,CG301 -- reason\nOPENAI_API_KEY=k codex exec -C . "p"\n'
    )
    findings = check_command(command, Settings(), environ={})
    assert {"CG101", "CG201", "CG301"} <= {f.rule for f in findings}
    kept = {f.rule for f in door_directives(findings, command, "<hook>", load_rules())}
    assert "CG101" in kept and not kept & {"CG201", "CG301", "CG904"}


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("strict: true\ncodex-version: 9.9.9\n", 2, ", ".join(supported_versions())),
        ("rules: [team-rules]\n", 1, "rules folder 'team-rules' does not exist"),
        ("ignore:\n  - CG503\n  - CG999\n", 3, "unknown rule id 'CG999'"),
        ("select: [CG1, XYZ]\n", 1, "unknown rule id 'XYZ'"),
        ("severity:\n  CG1: error\n", 2, "unknown rule id 'CG1'"),
        ('per-file-ignores:\n  "*.sh": CG201,CG77\n', 2, "unknown rule id 'CG77'"),
        ("hook: {deny-on: never}\n", 1, "hook.deny-on"),
    ],
)
def test_a_config_value_that_names_nothing_is_exit_2_at_every_door(
    content: str,
    line: int,
    words: str,
    door_env: dict[str, str],
    workspace: Path,
    fake_codex: Fake,
) -> None:
    _plant(workspace, content)
    where = f"{workspace / '.codex-guard.yaml'}:{line}: "
    for args in (["check", KEY_RUN], ["doctor", "--codex", str(fake_codex.path)]):
        run = run_guard(args, door_env, cwd=workspace)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        (message,) = run.stderr.strip().splitlines()
        assert where in message and words in message
    code, err = _exec(fake_codex, door_env, workspace, "-s", "read-only")
    assert code == 2 and where in err and words in err
    assert _hook("claude", 'codex exec -s read-only -C . "p" </dev/null', door_env, workspace)


def test_a_broken_user_config_fails_closed(door_env: dict[str, str], workspace: Path) -> None:
    path = _user_config(door_env, "sandboxed-host: yes please\n")
    run = run_guard(["check", YOLO_RUN], door_env, cwd=workspace)
    assert run.returncode == 2 and f"{path}:1:" in run.stderr
    assert _hook("claude", YOLO_RUN, door_env, workspace)


def test_a_relative_xdg_config_home_is_ignored(
    door_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    (workspace / "cfg" / "codex-guard").mkdir(parents=True)
    (workspace / "cfg" / "codex-guard" / "config.yaml").write_text("sandboxed-host: true\n")
    env = {**door_env, "XDG_CONFIG_HOME": "cfg"}  # XDG: a relative path is not a base directory
    assert _check(YOLO_RUN, env, workspace)[0] == 1
    home_config = Path(env["HOME"]) / ".config" / "codex-guard" / "config.yaml"
    home_config.parent.mkdir(parents=True)
    home_config.write_text("sandboxed-host: true\n")
    assert _check(YOLO_RUN, env, workspace)[0] == 0


def test_the_warm_exec_path_follows_the_user_config(
    door_env: dict[str, str], workspace: Path, fake_codex: Fake
) -> None:
    from guard.config import user_config_path
    from guard.runtime.fastexec import user_config_stamp

    assert user_config_stamp(door_env).startswith(f"{user_config_path(door_env)}\0")
    user = _user_config(door_env, "sandboxed-host: true\n")
    env = {**door_env, "FAKE_CODEX_LOG": str(fake_codex.log)}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "--yolo", "task"]
    assert run_guard(argv, env, cwd=workspace).returncode == 0
    assert run_guard(argv, env, cwd=workspace).returncode == 0  # the warm path
    assert len(fake_codex.calls()) == 2
    user.write_text("strict: false\n")
    refused = run_guard(argv, env, cwd=workspace)
    assert refused.returncode == 3 and "CG303" in refused.stderr
    user.write_text("sandboxed-host: true\n")
    assert run_guard(argv, env, cwd=workspace).returncode == 0
    user.unlink()
    assert run_guard(argv, env, cwd=workspace).returncode == 3
    assert len(fake_codex.calls()) == 3


def test_the_real_exec_and_the_path_shim_never_start_codex_under_a_planted_config(
    door_env: dict[str, str], workspace: Path, fake_codex: Fake, tmp_path: Path
) -> None:
    import subprocess

    _plant(workspace, LOOSENING["all-at-once"])
    env = {**door_env, "FAKE_CODEX_LOG": str(fake_codex.log), "OPENAI_API_KEY": "sk-live"}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", str(workspace), "-s", "read-only",
            "task"]  # fmt: skip
    run = run_guard(argv, env, cwd=workspace)
    assert run.returncode == 3 and "CG101" in run.stderr
    shim_dir = tmp_path / "shim"
    assert run_guard(["install-shim", str(shim_dir)], door_env).returncode == 0
    path_env = {**env, "PATH": f"{shim_dir}:{fake_codex.folder}:{door_env['PATH']}"}
    keyless = {k: v for k, v in path_env.items() if k != "OPENAI_API_KEY"}
    for args, run_env, rule in (
        (["exec", "-C", ".", "-s", "read-only", "task"], path_env, "CG101"),
        (["exec", "-C", ".", "--yolo", "task"], keyless, "CG303"),
    ):
        shimmed = subprocess.run(
            ["codex", *args], env=run_env, cwd=workspace, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert shimmed.returncode == 3 and rule in shimmed.stderr, shimmed.stderr
        assert "Traceback" not in shimmed.stderr
    assert fake_codex.calls() == []


def test_a_planted_pyproject_table_does_not_open_the_doors(
    door_env: dict[str, str], workspace: Path
) -> None:
    (workspace / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.codex-guard]\nignore = ["CG"]\nsandboxed-host = true\n'
        "forbidden-env = []\n"
    )
    assert _check(KEY_RUN, door_env, workspace)[0] == 1
    assert _check(YOLO_RUN, door_env, workspace)[0] == 1
    assert _hook("codex", YOLO_RUN, door_env, workspace)
