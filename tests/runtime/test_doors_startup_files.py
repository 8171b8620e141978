"""A login or interactive shell started at a door (`bash -lc 'codex exec ...'`, `bash --login`,
`bash -ic`, `sh -l`, `bash -l <<EOF`) reads the user's start-up files before its commands: a
login shell the first of ~/.bash_profile, ~/.bash_login, ~/.profile that exists, an interactive
bash ~/.bashrc. One that exports a forbidden key puts it in codex's environment: CG103 error at
`check` and both hooks, read in the home the command runs with, as `source ~/.bashrc && codex`
is (test_doors_home_env_files.py). `lint` never reads this machine's home and says nothing new.
Each line is first run under real bash with a recording stand-in codex in that home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies
from tests.sources.recorded_runs import run_recorded

RUN = "codex exec -s read-only -C . - < p.md"
KEY = 'export OPENAI_API_KEY="$BILLING_KEY"\n'
READ = [
    (f"bash -lc '{RUN}'", ".profile"),
    (f"bash -l -c '{RUN}'", ".bash_profile"),
    (f"bash --login -c '{RUN}'", ".bash_login"),
    (f"bash -il -c '{RUN}'", ".profile"),
    (f"bash -i -c '{RUN}'", ".bashrc"),
    (f"sh -l -c '{RUN}'", ".profile"),
    (f"timeout 60 bash -lc '{RUN}'", ".profile"),
    (f"bash -l <<'EOF'\n{RUN}\nEOF", ".profile"),
]
# The start-up file that holds the key is not the one the shell reads.
NOT_READ = [
    (f"bash -c '{RUN}'", ".profile"),
    (f"bash -c '{RUN}'", ".bashrc"),
    (f"bash --noprofile -l -c '{RUN}'", ".profile"),
    (f"bash --norc -i -c '{RUN}'", ".bashrc"),
    (f"bash -l -c '{RUN}'", ".bashrc"),  # a login shell reads its profile, not ~/.bashrc
]


def make_home(tmp_path: Path, keyed: str, others: tuple[str, ...] = ()) -> Path:
    """A home whose `keyed` file exports the key; each of `others` exists without it. Each puts
    the stand-in back first on PATH (a login shell's /etc/profile resets PATH)."""
    home = tmp_path / "home"
    home.mkdir()
    path_line = f'export PATH="{tmp_path / "bin"}:$PATH"\n'
    for name in others:
        (home / name).write_text(path_line)
    (home / keyed).write_text(path_line + KEY)
    return home


def door_findings(command: str, env: dict[str, str], cwd: Path) -> tuple[bool, dict[str, str]]:
    doc = json.loads(run_guard(["check", "--format", "json", command], env, cwd=cwd).stdout)
    return bool(doc["allowed"]), {f["rule"]: f["severity"] for f in doc["findings"]}


def lint_findings(command: str, env: dict[str, str], cwd: Path) -> list[tuple[str, str]]:
    (cwd / "run.sh").write_text(command + "\n")
    proc = run_guard(["lint", "--format", "json", "run.sh"], env, cwd=cwd)
    return [(f["rule"], f["severity"]) for f in json.loads(proc.stdout)["findings"]]


@pytest.mark.parametrize(("command", "keyed"), READ)
def test_a_start_up_file_that_exports_the_key_is_refused_at_the_doors(
    command: str, keyed: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    # ~/.profile is there too: a shell that reads an earlier file does not read it
    others = tuple(n for n in (".bashrc", ".profile") if n != keyed and keyed != ".profile")
    home = make_home(tmp_path, keyed, others)
    (tmp_path / "p.md").write_text("hi\n")
    runs = run_recorded(tmp_path, ["env", f"HOME={home}", "bash", "-c", command])
    assert [run.has_key for run in runs] == [True], runs  # the key really reached codex
    env = {**base_env, "HOME": str(home)}
    allowed, rules = door_findings(command, env, workspace)
    assert not allowed and rules.get("CG103") == "error", rules
    for agent in ("claude", "codex"):
        assert "CG103" in assert_hook_denies(agent, command, workspace, env)
    assert ("CG103", "error") not in lint_findings(command, env, workspace)


@pytest.mark.parametrize(("command", "keyed"), NOT_READ)
def test_a_start_up_file_the_shell_does_not_read_is_not_refused(
    command: str, keyed: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    # a profile without the key read first (a login shell), or there for PATH's sake
    home = make_home(tmp_path, keyed, (".bash_profile",) if keyed == ".profile" else (".profile",))
    (tmp_path / "p.md").write_text("hi\n")
    runs = run_recorded(tmp_path, ["env", f"HOME={home}", "bash", "-c", command])
    assert [run.has_key for run in runs] == [False], runs
    env = {**base_env, "HOME": str(home)}
    allowed, rules = door_findings(command, env, workspace)
    assert allowed and "CG103" not in rules, rules
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, env)


def test_lint_says_nothing_new_of_a_login_shell(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = make_home(tmp_path, ".profile")
    env = {**base_env, "HOME": str(home)}
    assert lint_findings(f"bash -lc '{RUN}'", env, workspace) == []
