"""The Codex home a command line names, read at the doors from where the command really runs
(guard/engine/doorhome.py): a relative CODEX_HOME after a `cd`, a literal HOME with CODEX_HOME
unset, a home's config.toml outside the repository, and a project config that is not trusted.
What codex itself does with each is checked against the real binary in
tests/codex/test_door_homes_realcli.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import Fake, apikey_auth, chatgpt_auth, run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_denies

FULL_ACCESS = 'sandbox_mode = "danger-full-access"\n'
FAIL_CLOSED = "hook:\n  fail-closed: true\n"


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    """lab/repo (a git repository, the cwd of every door) beside the homes a test makes."""
    repo = tmp_path / "lab" / "repo"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return tmp_path / "lab"


def make_home(folder: Path, auth: dict[str, object], files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "auth.json").write_text(json.dumps(auth))
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


def check(command: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    proc = run_guard(["check", command], env, cwd=cwd)
    return proc.returncode, proc.stdout + proc.stderr


# --- a relative CODEX_HOME is read from the folder the command runs in --------------------------

MOVED = [
    "cd ..; CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null",
    "cd {lab} && CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null",
    "pushd {lab} >/dev/null && CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null",
    "cd {lab}/repo/sub && cd ../.. && export CODEX_HOME=ch3; codex exec -C . -s read-only hi",
]


@pytest.mark.parametrize("form", MOVED)
def test_a_relative_codex_home_after_a_cd_is_read_where_the_command_runs(
    form: str, lab: Path, base_env: dict[str, str]
) -> None:
    make_home(lab / "ch3", apikey_auth())
    make_home(lab / "repo" / "ch3", chatgpt_auth())  # the folder a check without the cd reads
    (lab / "repo" / "sub").mkdir()
    command = form.format(lab=lab)
    code, out = check(command, lab / "repo", base_env)
    assert code == 1 and "CG102" in out, out
    assert f"apikey in {lab / 'ch3' / 'auth.json'}" in out
    assert "CG102" in assert_hook_denies("claude", command, lab / "repo", base_env)


def test_a_cd_back_in_a_subshell_or_popd_is_followed(lab: Path, base_env: dict[str, str]) -> None:
    make_home(lab / "ch3", apikey_auth())
    command = "cd ..; (cd /); pushd /tmp; popd; CODEX_HOME=ch3 codex exec -C . -s read-only hi"
    code, out = check(command + " </dev/null", lab / "repo", base_env)
    assert code == 1 and "CG102" in out, out


UNKNOWN_FOLDER = [
    'cd "$WORK" && CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null',
    "mkdir -p new && cd new && CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null",
    "cd - && CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null",
]


@pytest.mark.parametrize("command", UNKNOWN_FOLDER)
def test_a_relative_codex_home_after_an_unknown_cd_is_unsettled_not_misread(
    command: str, lab: Path, base_env: dict[str, str]
) -> None:
    repo = lab / "repo"
    make_home(repo / "ch3", apikey_auth())  # in the wrong folder: it must not be read
    code, out = check(command, repo, base_env)
    assert "CG902" in out and "`CODEX_HOME=ch3` is relative" in out, out
    assert "CG102" not in out
    (repo / ".codex-guard.yaml").write_text(FAIL_CLOSED)
    code, out = check(command, repo, base_env)
    assert code == 1 and out.strip().endswith("refused"), out
    assert "CG902" in assert_hook_denies("codex", command, repo, base_env)


# --- the config.toml of a Codex home outside the repository -------------------------------------


@pytest.mark.parametrize(
    ("files", "args"),
    [
        ({"config.toml": FULL_ACCESS}, ""),
        ({"dfa.config.toml": FULL_ACCESS}, "-p dfa "),
    ],
)
def test_a_codex_home_config_outside_the_repository_is_read_at_the_doors(
    files: dict[str, str], args: str, lab: Path, base_env: dict[str, str]
) -> None:
    home = make_home(lab / "ch2", chatgpt_auth(), files)
    command = f"CODEX_HOME={home} codex exec -C . {args}hi </dev/null"
    code, out = check(command, lab / "repo", base_env)
    assert code == 1 and "error CG303" in out, out
    assert str(home / next(iter(files))) in out
    assert "CG303" in assert_hook_denies("claude", command, lab / "repo", base_env)


def test_the_exec_shim_does_not_start_codex_under_a_full_access_home(
    fake_codex: Fake, lab: Path, base_env: dict[str, str]
) -> None:
    home = make_home(lab / "ch2", chatgpt_auth(), {"config.toml": FULL_ACCESS})
    env = {**base_env, "CODEX_HOME": str(home), "FAKE_CODEX_LOG": str(fake_codex.log)}
    argv = ["exec", "--", str(fake_codex.path), "exec", "-C", ".", "hi"]
    proc = run_guard(argv, env, cwd=lab / "repo")
    assert proc.returncode == 3 and "CG303" in proc.stderr, proc.stderr
    assert fake_codex.calls() == []


# --- a project config that is not trusted may not narrow the other layers' sandbox --------------


def test_an_untrusted_project_config_does_not_hide_the_homes_full_access(
    lab: Path, base_env: dict[str, str]
) -> None:
    repo = lab / "repo"
    make_home(repo / "codex-home", chatgpt_auth(), {"config.toml": FULL_ACCESS})
    (repo / ".codex").mkdir()
    (repo / ".codex" / "config.toml").write_text('sandbox_mode = "read-only"\n')
    command = "CODEX_HOME=./codex-home codex exec -C . hi </dev/null"
    code, out = check(command, repo, base_env)
    assert code == 1 and "error CG303" in out and "codex-home/config.toml:1" in out, out
    # Trusted, the project's read-only is the sandbox (real codex: `sandbox: read-only`).
    code, out = check(command.replace("exec", "exec --trust"), repo, base_env)
    assert code == 0 and "CG303" not in out, out


HOME_HANDS_OUT = """[shell_environment_policy]
set = { OPENAI_API_KEY = "sk-x" }
[sandbox_workspace_write]
writable_roots = ["/"]
"""
PROJECT_TAKES_BACK = """[shell_environment_policy]
include_only = ["PATH"]
[sandbox_workspace_write]
writable_roots = []
"""


def test_an_untrusted_project_config_does_not_take_back_what_the_home_hands_out(
    lab: Path, base_env: dict[str, str]
) -> None:
    """The key for spawned commands (CG101) and `/` made writable (CG504) of the home layer stay
    reported under a project config that drops them: codex ignores that file until trusted."""
    repo = lab / "repo"
    make_home(repo / "codex-home", chatgpt_auth(), {"config.toml": HOME_HANDS_OUT})
    (repo / ".codex").mkdir()
    (repo / ".codex" / "config.toml").write_text(PROJECT_TAKES_BACK)
    command = "CODEX_HOME=./codex-home codex exec -C . -s workspace-write hi </dev/null"
    code, out = check(command, repo, base_env)
    assert code == 1 and "error CG101" in out and "error CG504" in out, out
    assert "codex-home/config.toml" in out


# --- HOME=DIR with no CODEX_HOME: codex reads DIR/.codex ----------------------------------------


def test_a_literal_home_is_read_as_its_codex_home(lab: Path, base_env: dict[str, str]) -> None:
    make_home(lab / "hh" / ".codex", apikey_auth())
    make_home(lab / "hf" / ".codex", chatgpt_auth(), {"config.toml": FULL_ACCESS})
    repo = lab / "repo"
    code, out = check(f"HOME={lab}/hh codex exec -C . -s read-only hi </dev/null", repo, base_env)
    assert code == 1 and "CG102" in out and f"HOME={lab}/hh is logged in" in out, out
    code, out = check(f"export HOME={lab}/hf; codex exec -C . hi </dev/null", repo, base_env)
    assert code == 1 and "error CG303" in out, out
    # CODEX_HOME named as well: HOME is not where codex looks.
    chatgpt = make_home(lab / "cg", chatgpt_auth())
    both = f"CODEX_HOME={chatgpt} HOME={lab}/hh codex exec -C . -s read-only hi </dev/null"
    code, out = check(both, repo, base_env)
    assert code == 0 and "CG102" not in out, out


def test_the_hook_reads_a_relative_home_from_the_agents_cwd_not_its_own(
    lab: Path, base_env: dict[str, str]
) -> None:
    """The agent may start its hook in another folder than the one its command runs in (the
    payload's `cwd`): the command's relative CODEX_HOME is the payload cwd's."""
    from tests.runtime.test_runtime_hook_sound import payload

    make_home(lab / "repo" / "ch3", apikey_auth())  # where the command runs
    make_home(lab / "ch3", chatgpt_auth())  # the hook process's own folder
    command = "CODEX_HOME=ch3 codex exec -C . -s read-only hi </dev/null"
    proc = run_guard(["hook", "claude"], base_env, cwd=lab, input=payload(command, lab / "repo"))
    out = json.loads(proc.stdout)["hookSpecificOutput"]
    assert out["permissionDecision"] == "deny", proc.stdout
    assert "CG102" in out["permissionDecisionReason"]
