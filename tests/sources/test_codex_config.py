"""Codex config files as a source (CG801-CG804), through the real `codex-guard` console script.

The fixtures in codex_configs/ are realistic config files, bad and good; each one is also run
through the real codex (`codex exec --strict-config`, test_codex_config_realcli.py), so the bad ones
are valid config that codex accepts and the findings are about policy, not syntax.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.engine.configlayers import key_positions, parse_toml
from guard.sources.detect import CODEX_CONFIG, detect_kind
from tests.sources.codexconfig_fixtures import (
    EXPECTED,
    FIXTURES,
    NOT_CODEX_CONFIG,
    lanes_repo,
)


def lint(folder: Path, *args: str) -> dict[str, Any]:
    """`codex-guard lint --format json ARGS` (default: the folder) in `folder`."""
    proc = subprocess.run(
        ["codex-guard", "lint", "--format", "json", *(args or (".",))],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def by_path(data: dict[str, Any]) -> dict[str, set[tuple[str, str, int, int]]]:
    found: dict[str, set[tuple[str, str, int, int]]] = {}
    for f in data["findings"]:
        found.setdefault(f["path"], set()).add((f["rule"], f["severity"], f["line"], f["column"]))
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The fixtures as a repository of their own (this repository's config excludes tests/)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_every_fixture_gets_exactly_its_findings(repo: Path) -> None:
    data = lint(repo)
    assert data["errors"] == []
    found = by_path(data)
    for path, expected in EXPECTED.items():
        assert found.get(path, set()) == expected, path
    assert set(found) <= set(EXPECTED)  # nothing on the files that only mention codex
    assert data["files"] == len(EXPECTED)  # app/config.toml and pyproject.toml are not read


@pytest.mark.parametrize("path", NOT_CODEX_CONFIG)
def test_files_that_only_mention_codex_are_not_codex_config(path: str) -> None:
    assert detect_kind(path) != CODEX_CONFIG
    assert detect_kind(f"/home/me/src/codex-guard/{Path(path).name}") != CODEX_CONFIG


@pytest.mark.parametrize(
    "path",
    [
        ".codex/config.toml",
        "/home/me/.codex/config.toml",
        "ci/codex-home/config.toml",
        "ci/CODEX_HOME/review.config.toml",
        "codex/worker.config.toml",
    ],
)
def test_codex_config_paths_are_detected(path: str) -> None:
    assert detect_kind(path) == CODEX_CONFIG


def test_sandboxed_host_turns_cg803_off_and_billing_api_in_ci_cg801(repo: Path) -> None:
    (repo / ".codex-guard.yaml").write_text("sandboxed-host: true\nbilling: api-in-ci\n")
    found = by_path(lint(repo))
    assert not any(r == "CG803" for hits in found.values() for r, *_ in hits)
    # A Codex home in the repository is what CI points CODEX_HOME at: its API auth is chosen.
    assert "bad/ci-codex-home/config.toml" not in found
    assert "bad/plain-codex-home/config.toml" not in found  # CG802 follows billing too
    # The billing and env rules that do not depend on those keys still speak.
    assert ("CG804", "error", 5, 19) in found["bad/project/.codex/config.toml"]
    # The repository config that loosens the floor is itself reported (README "Trust model").
    assert {r for r, *_ in found[".codex-guard.yaml"]} == {"CG905"}


def test_api_auth_in_a_project_config_stays_an_error_under_api_in_ci(tmp_path: Path) -> None:
    (tmp_path / ".codex").mkdir()
    (tmp_path / ".codex" / "config.toml").write_text('forced_login_method = "api"\n')
    (tmp_path / ".codex-guard.yaml").write_text("billing: api-in-ci\n")
    found = by_path(lint(tmp_path))
    assert ("CG801", "error", 1, 1) in found[".codex/config.toml"]


def test_forbidden_env_list_decides_cg804(tmp_path: Path) -> None:
    home = tmp_path / "codex-home"
    home.mkdir()
    (home / "config.toml").write_text(
        'forced_login_method = "chatgpt"\n'
        "[shell_environment_policy.set]\n"
        'CODEX_ACCESS_TOKEN = "subscription auth, never a finding"\n'
        'CORP_KEY = "x"\n'
    )
    assert "codex-home/config.toml" not in by_path(lint(tmp_path))
    (tmp_path / ".codex-guard.yaml").write_text(
        "forbidden-env: [OPENAI_API_KEY, CODEX_API_KEY, CORP_KEY]\n"
    )
    assert by_path(lint(tmp_path))["codex-home/config.toml"] == {("CG804", "error", 4, 1)}


def test_a_directive_in_the_toml_suppresses_with_a_reason(tmp_path: Path) -> None:
    home = tmp_path / "codex-home"
    home.mkdir()
    (home / "config.toml").write_text(
        'forced_login_method = "chatgpt"\n'
        "# codex-guard: disable=CG803 -- this home is only used inside the throwaway VM image\n"
        'sandbox_mode = "danger-full-access"\n'
    )
    assert "codex-home/config.toml" not in by_path(lint(tmp_path))


def test_text_report_names_the_file_line_and_key(repo: Path) -> None:
    proc = subprocess.run(
        ["codex-guard", "lint", "bad/codex-home/worker.config.toml"],
        cwd=repo, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "bad/codex-home/worker.config.toml:4:1: CG803 error" in proc.stdout
    assert "`codex exec -p worker`" in proc.stdout
    assert 'approval_policy = "never"' in proc.stdout


# --- key positions ---------------------------------------------------------------------------


def test_key_positions_of_tables_dotted_keys_and_inline_tables() -> None:
    text = (
        'note = """\n[not.a.table]\nsandbox_mode = "x"\n"""\n'
        '"quoted.key" = 1\n'
        'shell_environment_policy.set.OPENAI_API_KEY = "a"\n'
        "[profiles.ci]\n"
        "  sandbox_mode = 'danger-full-access' # comment = here\n"
        "[shell_environment_policy]\n"
        'set = { CI = "1", inner = { OPENAI_API_KEY = "b" } }\n'
        'include_only = [\n  "PATH", # a comment\n  { x = 1 },\n]\n'
    )
    positions = key_positions(text)
    assert positions[("note",)] == (1, 1)
    assert ("not", "a", "table") not in positions and ("sandbox_mode",) not in positions
    assert positions[("quoted.key",)] == (5, 1)
    assert positions[("shell_environment_policy", "set", "OPENAI_API_KEY")] == (6, 1)
    assert positions[("profiles", "ci", "sandbox_mode")] == (8, 3)
    assert positions[("shell_environment_policy", "set", "CI")] == (10, 9)
    assert positions[("shell_environment_policy", "set", "inner", "OPENAI_API_KEY")] == (10, 29)
    assert positions[("shell_environment_policy", "include_only")] == (11, 1)
    assert ("x",) not in positions


KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True)
VALUE = st.one_of(
    st.integers(),
    st.booleans(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(KEY, st.dictionaries(KEY, VALUE, max_size=4), min_size=1, max_size=4))
def test_every_written_key_is_found_on_its_own_line(tables: dict[str, dict[str, object]]) -> None:
    """Whatever the strings hold (quotes, `=`, `[`, `#`), each key is found where it is written."""
    lines: list[str] = []
    where: dict[tuple[str, ...], int] = {}
    for table, values in tables.items():
        lines.append(f"[{table}]")
        where[(table,)] = len(lines)
        for key, value in values.items():
            written = (
                str(value).lower()
                if isinstance(value, bool)
                else json.dumps(value, ensure_ascii=False)
            )
            lines.append(f"{key} = {written}")
            where[(table, key)] = len(lines)
    text = "\n".join(lines) + "\n"
    doc = parse_toml(text, "x.toml")
    assert not hasattr(doc, "message"), text
    positions = key_positions(text)
    for key, line in where.items():
        assert positions[key][0] == line, (key, text)


def test_a_codex_folder_of_some_other_program_gets_no_cg802(tmp_path: Path) -> None:
    folder = tmp_path / "src" / "codex"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('[server]\nport = 8080\nname = "codex demo"\n')
    data = lint(tmp_path)
    assert data["findings"] == [] and data["errors"] == []


# --- a lane's `-p NAME` reads the profile file the repository holds ----------------------------


def test_p_name_resolves_to_the_profile_files_sandbox_for_the_lane(tmp_path: Path) -> None:
    found = by_path(lint(lanes_repo(tmp_path / "r")))
    script = {(rule, line) for rule, _s, line, _c in found["lanes.sh"]}
    assert ("CG302", 4) in script  # validator under `:workspace`: wider than the lane allows
    assert ("CG302", 6) in script  # worker under read-only: too narrow to do its work
    assert ("CG302", 8) not in script  # worker under workspace-write: what the lane needs
    assert not {("CG301", line) for line in (4, 6, 8)} & script  # the sandbox is said, in files
    assert not [p for p in found if p.startswith("ci/")]  # the profile files themselves are fine


# --- other ways in: a config the script writes, `--kind`, stdin ---------------------------------

WRITES_CONFIG = """#!/bin/bash
set -euo pipefail
export CODEX_HOME="$RUNNER_TEMP/codex-home"
mkdir -p "$CODEX_HOME"
cat > "$CODEX_HOME/config.toml" <<'TOML'
forced_login_method = "api"
[shell_environment_policy]
set = { OPENAI_API_KEY = "sk-proj-placeholder" }
TOML
cat > notes/config.toml <<'TOML'
forced_login_method = "api"
TOML
codex exec -C . -s workspace-write -o out/last.txt "Fix the failing test." </dev/null
"""


def test_a_config_the_script_writes_is_judged_at_its_lines(tmp_path: Path) -> None:
    (tmp_path / "ci.sh").write_text(WRITES_CONFIG)
    found = {(r, line, col) for r, _s, line, col in by_path(lint(tmp_path))["ci.sh"]}
    assert {("CG801", 6, 1), ("CG804", 8, 9)} <= found
    assert ("CG801", 11, 1) not in found  # notes/config.toml is no file codex reads


def test_written_config_after_the_run_is_not_read(tmp_path: Path) -> None:
    lines = WRITES_CONFIG.splitlines()
    reordered = [*lines[:4], lines[-1], *lines[4:-1]]  # the run first, the config after it
    (tmp_path / "ci.sh").write_text("\n".join(reordered) + "\n")
    found = by_path(lint(tmp_path)).get("ci.sh", set())
    assert not {r for r, *_ in found} & {"CG801", "CG804"}


def test_kind_reads_a_codex_home_whatever_its_name_and_stdin_by_its_filename(
    tmp_path: Path,
) -> None:
    home = tmp_path / "ci" / "home"
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        'forced_login_method = "chatgpt"\nsandbox_mode = "danger-full-access"\n'
    )
    named = subprocess.run(
        ["codex-guard", "lint", "--format", "json", "ci/home/config.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert named.returncode == 0 and json.loads(named.stdout)["skipped"], named.stdout
    forced = lint(tmp_path, "--kind", "codex-config", "ci/home/config.toml")
    assert by_path(forced)["ci/home/config.toml"] == {("CG803", "error", 2, 1)}
    piped = subprocess.run(
        ["codex-guard", "lint", "--format", "json", "--stdin-filename", ".codex/config.toml", "-"],
        cwd=tmp_path, input='forced_login_method = "api"\n', capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert piped.returncode == 1, piped.stderr
    assert by_path(json.loads(piped.stdout))[".codex/config.toml"] == {("CG801", "error", 1, 1)}


def test_api_in_ci_allows_a_written_api_config_in_a_ci_step_only(tmp_path: Path) -> None:
    (tmp_path / ".codex-guard.yaml").write_text("billing: api-in-ci\n")
    (tmp_path / "ci.sh").write_text(WRITES_CONFIG)  # a script: the subscription rule stands
    workflow = tmp_path / ".github" / "workflows" / "fix.yml"
    workflow.parent.mkdir(parents=True)
    body = "".join(f"          {line}\n" for line in WRITES_CONFIG.splitlines()[1:])
    workflow.write_text(
        f"on: [push]\njobs:\n  fix:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n{body}"
    )
    found = by_path(lint(tmp_path))
    assert ("CG801", 6, 1) in {(r, line, c) for r, _s, line, c in found["ci.sh"]}
    in_ci = {r for r, *_ in found.get(".github/workflows/fix.yml", set())}
    assert "CG801" not in in_ci and "CG804" in in_ci  # CG804 is about the spawned commands


def test_old_preferred_auth_key_is_a_warning_and_project_providers_are_ignored(
    tmp_path: Path,
) -> None:
    home = tmp_path / "codex-home"
    home.mkdir()
    # preferred_auth_method: FACTS.md, no longer read by 0.169.0 (an unknown field under
    # --strict-config), still carried by old configs.
    (home / "config.toml").write_text(
        'forced_login_method = "chatgpt"\npreferred_auth_method = "apikey"\n'
    )
    project = tmp_path / ".codex"
    project.mkdir()
    (project / "config.toml").write_text(
        'model_provider = "corp"\n[model_providers.corp]\nname = "corp"\nenv_key = "CORP_KEY"\n'
    )
    found = by_path(lint(tmp_path))
    assert found["codex-home/config.toml"] == {("CG801", "warning", 2, 1)}
    assert ".codex/config.toml" not in found  # codex ignores a project's model_provider
