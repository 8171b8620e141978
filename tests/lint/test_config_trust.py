"""`lint` and the config: CG905 for a config that tries to loosen the floor (README "Trust
model"), config values that name nothing refused with one `path:line:` line and exit 2, custom
rule YAML errors with `file:line:`, and the config cache kept right for the trust fields.

The console script runs for real on real files in temp dirs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import Run, console, make_repo, write
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.codex.grammar import supported_versions
from guard.config import forget_loaded, load_config, settings_from_mapping
from guard.settings import DEFAULT_FORBIDDEN_ENV, FLOOR_RULES, RUNTIME_DEFAULTS, Settings
from guard.trust import LEVEL_RANK, RUNTIME_ORDER, door_settings, enabled, loosenings

ALL_RULE_IDS = ("CG101", "CG102", "CG103", "CG104", "CG201", "CG301", "CG303", "CG503", "CG905")


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}


def _lint(repo: Path, tmp_path: Path, *args: str) -> Run:
    return console("lint", "--format", "json", *args, cwd=repo, env=_env(tmp_path))


def _cg905(run: Run) -> list[tuple[str, int]]:
    findings = run.json()["findings"]
    return sorted((f["path"], f["line"]) for f in findings if f["rule"] == "CG905")


# content, the lines CG905 points at (one per loosening)
KINDS = {
    "ignore-prefix": ("strict: false\nignore: [CG503, CG1]\n", [2]),
    "ignore-all": ("ignore:\n  - CG\n", [2]),
    "ignore-CG10": ("ignore: [CG10]\n", [1]),
    "per-file-ignores": ('per-file-ignores:\n  "ci/*.sh": [CG303]\n', [2]),
    "select": ("# team rules\nselect: [CG2, CG3]\n", [2]),
    "severity": ("severity:\n  CG201: error\n  CG101: warning\n", [3]),
    "forbidden-env": ("forbidden-env:\n  - OPENAI_API_KEY\n", [1]),
    "sandboxed-host": ("workspace: .\nsandboxed-host: true\n", [2]),
    "hook-on-error": ("hook:\n  fail-closed: false\n  on-error: allow\n", [3]),
    "exec-on-error": ("exec:\n  on-error: allow\n", [2]),
    "everything": (
        "select: [CG2]\nignore: [CG]\nseverity: {CG303: info}\nforbidden-env: []\n"
        "sandboxed-host: true\nhook: {on-error: allow}\nexec: {on-error: allow}\n",
        [1, 2, 3, 4, 5, 6, 7],
    ),
}


@pytest.mark.parametrize(("content", "lines"), KINDS.values(), ids=KINDS.keys())
def test_lint_reports_each_loosening_at_its_key(
    content: str, lines: list[int], tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "r", {".codex-guard.yaml": content, "run.sh": "echo hi\n"})
    run = _lint(repo, tmp_path)
    assert run.code == 1, run.err
    assert _cg905(run) == [(".codex-guard.yaml", line) for line in lines]
    for finding in run.json()["findings"]:
        assert finding["severity"] == "warning" and finding["fix"]


def test_text_output_has_the_line_and_a_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {".codex-guard.yaml": "ignore: [CG1]\n"})
    run = console("lint", cwd=repo, env=_env(tmp_path))
    assert run.code == 1
    assert ".codex-guard.yaml:1:10: CG905 warning config-loosens-guard: " in run.out
    assert "covers CG101, CG102, CG103" in run.out and "  fix: " in run.out


def test_a_config_in_a_subfolder_and_in_pyproject(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.codex-guard]\nsandboxed-host = true\n',
            "team/.codex-guard.yml": "ignore: [CG303]\n",
            "other/pyproject.toml": '[project]\nname = "y"\n',  # not a codex-guard config
        },
    )
    assert _cg905(_lint(repo, tmp_path)) == [("pyproject.toml", 5), ("team/.codex-guard.yml", 1)]


def test_the_config_named_by_dash_dash_config(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"run.sh": "echo hi\n"})
    loose = write(tmp_path / "elsewhere" / "loose.yaml", "\nsandboxed-host: true\n")
    run = _lint(repo, tmp_path, "--config", str(loose))
    assert _cg905(run) == [(str(loose), 2)]
    # Named twice (walked and --config): reported once.
    write(repo / ".codex-guard.yaml", "ignore: [CG1]\n")
    run = _lint(repo, tmp_path, "--config", ".codex-guard.yaml")
    assert len(_cg905(run)) == 1


def test_a_config_cannot_silence_the_finding_about_itself(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {".codex-guard.yaml": "ignore: [CG9, CG1]\n"})
    assert _cg905(_lint(repo, tmp_path)) == [(".codex-guard.yaml", 1)]
    write(repo / ".codex-guard.yaml", "select: [CG2]\nseverity: {CG905: info}\n")
    run = _lint(repo, tmp_path)
    assert [f["severity"] for f in run.json()["findings"]] == ["warning"]
    # The command line can; so can a directive in the file, with a reason.
    assert _cg905(_lint(repo, tmp_path, "--ignore", "CG905")) == []
    assert _cg905(_lint(repo, tmp_path, "--select", "CG2")) == []
    write(
        repo / ".codex-guard.yaml",
        "# codex-guard: disable=CG905 -- lint-only profile; the doors keep the floor\n"
        "select: [CG2]\n",
    )
    assert _lint(repo, tmp_path).json()["findings"] == []


@pytest.mark.parametrize(
    "content",
    [
        "ignore: [CG104, CG503]\nseverity: {CG103: error, CG301: error}\n",
        "forbidden-env: [OPENAI_API_KEY, CODEX_API_KEY, AZURE_OPENAI_API_KEY]\n",
        "select: [CG1, CG2, CG3]\nsandboxed-host: false\n",
        "hook: {fail-closed: true, deny-on: warning, on-error: deny}\nexec: {refuse-on: info}\n",
        "",
    ],
)
def test_a_tightening_config_is_not_reported(content: str, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {".codex-guard.yaml": content, "run.sh": "echo\n"})
    run = _lint(repo, tmp_path)
    assert run.code == 0 and run.json()["findings"] == [], run.out


def test_lint_still_uses_the_repository_config_as_it_is(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            ".codex-guard.yaml": "sandboxed-host: true\n",
            "run.sh": 'codex exec -C . -s danger-full-access "p" </dev/null\n',
        },
    )
    rules = {f["rule"] for f in _lint(repo, tmp_path).json()["findings"]}
    assert "CG905" in rules and "CG303" not in rules


# --- values that name nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("codex-version: 9.9.9\n", 1, f"(supported: {', '.join(supported_versions())})"),
        ("strict: true\nrules:\n  - rules/team\n", 3, "rules folder 'rules/team' does not exist"),
        ("select: [CG1, CG2O1]\n", 1, "select: unknown rule id 'CG2O1'"),
        ("ignore:\n  - CG503\n  - cg999\n", 3, "ignore: unknown rule id 'CG999'"),
        ("severity:\n  CG201: error\n  CG2: info\n", 3, "severity: unknown rule id 'CG2'"),
        ('per-file-ignores:\n  "a/*": [CG201]\n  "b/*": "CG1,CG0"\n', 3, "unknown rule id 'CG0'"),
        ("exec:\n  refuse-on: never\n", 2, "exec.refuse-on"),
        ("hook:\n  on-error: maybe\n", 2, "hook.on-error"),
    ],
)
def test_a_value_that_names_nothing_is_one_line_exit_2(
    content: str, line: int, words: str, tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "r", {".codex-guard.yaml": content, "run.sh": "echo\n"})
    run = console("lint", cwd=repo, env=_env(tmp_path))
    assert run.code == 2 and run.out == ""
    (message,) = run.err.splitlines()
    assert message.startswith(f"{(repo / '.codex-guard.yaml').resolve()}:{line}: "), message
    assert words in message


def test_the_same_values_in_pyproject(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {"pyproject.toml": '[tool.codex-guard]\nstrict = true\ncodex-version = "0.1.0"\n'},
    )
    run = console("lint", cwd=repo, env=_env(tmp_path))
    assert run.code == 2
    assert run.err.strip().startswith(f"{(repo / 'pyproject.toml').resolve()}:3: codex-version")


def test_prefixes_that_match_a_rule_are_fine(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {".codex-guard.yaml": "select: [CG, CG1, CG20, CG303]\nignore: [CG5]\n", "a.sh": "echo\n"},
    )
    assert console("lint", cwd=repo, env=_env(tmp_path)).code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--select", "CG1,CG77"), "--select: unknown rule id 'CG77'"),
        (("--ignore", "CG0"), "--ignore: unknown rule id 'CG0'"),
    ],
)
def test_unknown_ids_on_the_command_line(args: tuple[str, ...], words: str, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.sh": "echo\n"})
    run = console("lint", *args, cwd=repo, env=_env(tmp_path))
    assert run.code == 2 and run.out == ""
    (message,) = run.err.splitlines()
    assert words in message


CUSTOM_RULE = """id: ACME001
name: no-ephemeral-anywhere
severity: error
summary: ephemeral runs cannot be audited here
rationale: audit
fix: drop --ephemeral
match:
  ephemeral: true
examples:
  bad: ["codex exec --ephemeral -C . -s read-only p </dev/null"]
  good: ["codex exec -C . -s read-only p </dev/null"]
"""


def test_custom_rule_ids_are_known(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            ".codex-guard.yaml": "rules: [team-rules]\nselect: [ACME, CG1, CG303]\n"
            "severity: {ACME001: warning}\n",
            "team-rules/acme001.yaml": CUSTOM_RULE,
            "run.sh": "codex exec --ephemeral -C . -s read-only p </dev/null\n",
        },
    )
    run = _lint(repo, tmp_path)
    assert [(f["rule"], f["severity"]) for f in run.json()["findings"]] == [("ACME001", "warning")]
    assert _lint(repo, tmp_path, "--ignore", "ACME001").json()["findings"] == []
    # The rule file goes: the cached config is not trusted, the id names nothing now.
    (repo / "team-rules" / "acme001.yaml").unlink()
    run = console("lint", cwd=repo, env=_env(tmp_path))
    assert run.code == 2
    assert run.err.startswith(f"{(repo / '.codex-guard.yaml').resolve()}:2: select")


@pytest.mark.parametrize(
    ("rule_text", "line", "words"),
    [
        (CUSTOM_RULE.replace("severity: error", "severity: fatal"), 3, "severity must be"),
        (CUSTOM_RULE.replace("fix: drop --ephemeral\n", ""), 1, "missing field(s) fix"),
        (CUSTOM_RULE.replace("rationale: audit", "rationale: audit\nowner: me"), 6, "unknown"),
        (CUSTOM_RULE.replace("match:\n", "match: [\n"), 9, "not valid YAML"),
        (CUSTOM_RULE.replace("  ephemeral: true", "  ephemerall: true"), 7, "'ephemerall'"),
        (CUSTOM_RULE.replace("match:\n  ephemeral: true", "check: no_such_check"), 7, "no_such"),
        (CUSTOM_RULE.replace("ACME001", "CG101"), 1, "already defined"),
    ],
)
def test_a_custom_rule_error_is_file_and_line(
    rule_text: str, line: int, words: str, tmp_path: Path
) -> None:
    repo = make_repo(
        tmp_path / "r",
        {".codex-guard.yaml": "rules: [team-rules]\n", "team-rules/acme.yaml": rule_text},
    )
    for args in (("lint",), ("check", "codex exec -C . -s read-only p </dev/null")):
        run = console(*args, cwd=repo, env=_env(tmp_path))
        assert run.code == 2, (args, run.out, run.err)
        message = run.err.strip().splitlines()[-1]
        assert f"{(repo / 'team-rules' / 'acme.yaml').resolve()}:{line}: " in message, message
        assert words in message


# --- the config cache and the trust fields -----------------------------------------------------


def test_the_cache_keeps_which_keys_the_file_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = write(tmp_path / ".codex-guard.yaml", "ignore: [CG503]\nhook: {deny-on: warning}\n")
    first = load_config(config)
    second = load_config(config)  # from the cache
    assert list((tmp_path / "cache" / "codex-guard" / "config").glob("*.json"))
    assert second == first
    assert set(second.explicit) == {"ignore", "hook", "hook.deny-on"}
    assert second.extra == {"hook.deny-on": "warning"}
    user = Settings(sandboxed_host=True)
    door = door_settings(user, second, str(tmp_path), lambda: ALL_RULE_IDS)
    assert door.sandboxed_host and door.extra["hook.deny-on"] == "warning"


def test_an_old_cache_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = write(tmp_path / ".codex-guard.yaml", "sandboxed-host: false\n")
    load_config(config)
    (entry,) = (tmp_path / "cache" / "codex-guard" / "config").glob("*.json")
    # The shape an older codex-guard wrote (no record of which keys the file set).
    entry.write_text(json.dumps({"sandboxed_host": True}))
    forget_loaded()  # the entry is read again, not this process's Settings of the file
    assert load_config(config).explicit == ("sandboxed-host",)
    assert load_config(config).sandboxed_host is False


# --- the merge, property-tested -----------------------------------------------------------------

PIECES = {
    "select": st.lists(st.sampled_from(["CG", "CG1", "CG10", "CG2", "CG3", "CG30", "CG9"])),
    "ignore": st.lists(st.sampled_from(["CG", "CG1", "CG10", "CG101", "CG103", "CG3", "CG503"])),
    "severity": st.dictionaries(
        st.sampled_from(["CG101", "CG102", "CG103", "CG303", "CG301"]),
        st.sampled_from(["error", "warning", "info"]),
    ),
    "per-file-ignores": st.dictionaries(
        st.sampled_from(["*", "*.sh", "<hook>"]), st.lists(st.sampled_from(["CG", "CG1", "CG303"]))
    ),
    "forbidden-env": st.lists(st.sampled_from(["OPENAI_API_KEY", "CODEX_API_KEY", "MY_KEY"])),
    "sandboxed-host": st.booleans(),
    "hook": st.fixed_dictionaries(
        {},
        optional={
            "on-error": st.sampled_from(["allow", "deny"]),
            "deny-on": st.sampled_from(["error", "warning", "info"]),
            "fail-closed": st.booleans(),
        },
    ),
    "exec": st.fixed_dictionaries(
        {},
        optional={
            "on-error": st.sampled_from(["allow", "refuse"]),
            "refuse-on": st.sampled_from(["error", "warning", "info"]),
        },
    ),
}
CONFIGS = st.fixed_dictionaries({}, optional=PIECES)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(CONFIGS)
def test_no_repository_config_loosens_the_floor_at_the_doors(data: dict[str, object]) -> None:
    repo = settings_from_mapping(data)
    door = door_settings(Settings(), repo, ".", lambda: ALL_RULE_IDS)
    for rule in FLOOR_RULES:
        assert enabled(rule, door), (rule, door)
        assert all(enabled(rule, door.__class__(ignore=ids)) for _, ids in door.per_file_ignores)
        assert dict(door.severity).get(rule, "error") == "error"
    assert set(DEFAULT_FORBIDDEN_ENV) <= set(door.forbidden_env)
    assert set(repo.forbidden_env) <= set(door.forbidden_env)  # tightening is kept
    assert door.sandboxed_host is False
    assert door.hook_fail_closed == repo.hook_fail_closed
    for key, order in RUNTIME_ORDER.items():
        default = RUNTIME_DEFAULTS[key]
        value = str(door.extra.get(key, default))
        assert order.index(value) >= order.index(default)  # never looser than the default
        wanted = str(repo.extra.get(key, default))
        if order.index(wanted) >= order.index(default):
            assert value == wanted  # a tightening is kept
    # What the doors left out is exactly what lint reports.
    assert bool(loosenings(repo)) == (door_minus_repo(door, repo) != ())
    # Non-floor rules keep the repository's word.
    for rule in ("CG301", "CG503", "CG201"):
        assert enabled(rule, door) == enabled(rule, repo)
    for rule, level in repo.severity:
        if rule not in FLOOR_RULES:
            assert dict(door.severity)[rule] == level


def door_minus_repo(door: Settings, repo: Settings) -> tuple[str, ...]:
    """The fields the door changed from the repository's own settings."""
    changed = []
    if set(door.select) != set(repo.select) or set(door.ignore) != set(repo.ignore):
        changed.append("select/ignore")
    if door.per_file_ignores != repo.per_file_ignores:
        changed.append("per-file-ignores")
    if dict(door.severity) != dict(repo.severity):
        changed.append("severity")
    if set(door.forbidden_env) != set(repo.forbidden_env):
        changed.append("forbidden-env")
    if door.sandboxed_host != repo.sandboxed_host:
        changed.append("sandboxed-host")
    if door.extra != repo.extra:
        changed.append("runtime")
    return tuple(changed)


@settings(max_examples=60, deadline=None)
@given(CONFIGS)
def test_the_user_base_is_never_loosened_either(data: dict[str, object]) -> None:
    user = settings_from_mapping(
        {"sandboxed-host": True, "ignore": ["CG102"], "severity": {"CG101": "warning"},
         "forbidden-env": ["OPENAI_API_KEY"], "hook": {"deny-on": "warning"}}
    )  # fmt: skip
    repo = settings_from_mapping(data)
    door = door_settings(user, repo, ".", lambda: ALL_RULE_IDS)
    for rule in ("CG101", "CG103", "CG303"):
        assert enabled(rule, door)
    level = dict(door.severity).get("CG101", "error")
    assert LEVEL_RANK[level] >= LEVEL_RANK["warning"]
    assert "OPENAI_API_KEY" in door.forbidden_env
    assert door.sandboxed_host == ("sandboxed-host" not in repo.explicit or repo.sandboxed_host)
    deny_on = str(door.extra.get("hook.deny-on", "error"))
    assert LEVEL_RANK[deny_on] <= LEVEL_RANK["warning"]
