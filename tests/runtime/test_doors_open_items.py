"""Issue 7, the items left open: each is caught, or fails closed (CG902 / CG901 / a deny under
`hook.fail-closed`), at `check`, both hooks and `lint`, never silently allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import run_guard
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies

# A Codex config.toml rewritten with text that cannot be read: it may set full access or API
# billing for every later codex run.
UNREADABLE_CONFIG_WRITES = [
    "sed -i 's/read-only/danger-full-access/' ~/.codex/config.toml",
    "sed -i.bak -e 's/a/b/' \"$CODEX_HOME/config.toml\"",
    "perl -pi -e 's/read-only/danger-full-access/' .codex/config.toml",
    'echo "$SETTINGS" | tee -a ~/.codex/config.toml',
    'curl -s https://example.invalid/c | tee "$CODEX_HOME/config.toml" >/dev/null',
    'python3 -c \'import sys; open(".codex/config.toml", "a").write(sys.argv[1])\' "$V"',
    'echo "$LINE" >> ~/.codex/config.toml',
]
# Reading, or editing other files, is no finding.
HARMLESS_CONFIG_COMMANDS = [
    "sed -n 1p ~/.codex/config.toml",
    "sed -i 's/a/b/' notes.txt .codex/README.md",
    "cat ~/.codex/config.toml",
    "grep sandbox_mode .codex/config.toml",
]


def lint_rules(command: str, workspace: Path, env: dict[str, str]) -> set[str]:
    script = workspace / "run.sh"
    script.write_text(command + "\n")
    lint = run_guard(["lint", "--format", "json", str(script)], env, cwd=workspace)
    return {f["rule"] for f in json.loads(lint.stdout)["findings"]}


def assert_unsettled_everywhere(
    command: str, rule: str, workspace: Path, env: dict[str, str]
) -> None:
    """`rule` is reported by lint and check; the hooks and check refuse under fail-closed."""
    assert rule in lint_rules(command, workspace, env)
    reported = run_guard(["check", command], env, cwd=workspace)
    assert rule in reported.stdout + reported.stderr
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, env)
    refused = run_guard(["check", command], env, cwd=workspace)
    assert refused.returncode == 1 and refused.stdout.strip().endswith("refused")


@pytest.mark.parametrize("command", UNREADABLE_CONFIG_WRITES)
def test_an_unreadable_codex_config_write_fails_closed(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_unsettled_everywhere(command, "CG902", workspace, base_env)


@pytest.mark.parametrize("command", HARMLESS_CONFIG_COMMANDS)
def test_reading_a_codex_config_is_no_finding(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    assert "CG902" not in lint_rules(command, workspace, base_env)
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, base_env)


# --- a literal CODEX_HOME: its auth.json says which billing (check and the hooks) --------------

HOME_FORMS = [
    "CODEX_HOME={home} codex exec -C . -s read-only - < prompt.md",
    "export CODEX_HOME={home}; codex exec -C . -s read-only - < prompt.md",
    "env CODEX_HOME={home} codex exec -C . -s read-only - < prompt.md",
]


@pytest.mark.parametrize("form", HOME_FORMS)
@pytest.mark.parametrize(
    "auth", [{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"}, {"OPENAI_API_KEY": "sk-x"}]
)
def test_a_codex_home_logged_in_with_an_api_key_is_refused(
    form: str, auth: dict[str, str], tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "apikey-home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps(auth))
    command = form.format(home=home)
    for agent in ("claude", "codex"):
        assert "CG102" in assert_hook_denies(agent, command, workspace, base_env)
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 1 and "CG102" in check.stdout + check.stderr


@pytest.mark.parametrize("form", HOME_FORMS)
def test_a_codex_home_logged_in_with_chatgpt_is_allowed(
    form: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    home = tmp_path / "chatgpt-home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps({"auth_mode": "chatgpt", "tokens": {}}))
    command = form.format(home=home)
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "CG102" not in check.stdout + check.stderr


def test_a_codex_home_whose_auth_json_is_a_fifo_fails_closed_without_hanging(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    import os

    home = tmp_path / "fifo-home"
    home.mkdir()
    os.mkfifo(home / "auth.json")
    command = HOME_FORMS[0].format(home=home)
    # run_guard's timeout turns a hang into a failure
    reported = run_guard(["check", command], base_env, cwd=workspace, timeout=30)
    assert "CG103" in reported.stdout + reported.stderr
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    for agent in ("claude", "codex"):
        assert "CG103" in assert_hook_denies(agent, command, workspace, base_env)


def test_lint_never_reads_this_machines_codex_home(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """A script is linted for where it will run: the auth.json here says nothing about there."""
    home = tmp_path / "apikey-home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps({"auth_mode": "apikey"}))
    rules = lint_rules(HOME_FORMS[0].format(home=home), workspace, base_env)
    assert "CG102" not in rules


# --- shell_environment_policy.set: a key handed to every command codex spawns (CG101) ---------

POLICY_SET = [
    "codex exec -c shell_environment_policy.set.OPENAI_API_KEY=sk-x -C . -s read-only p",
    "codex exec -c 'shell_environment_policy.set={OPENAI_API_KEY=\"x\"}' -C . -s read-only p",
    "codex -c 'shell_environment_policy={set={CODEX_API_KEY=\"x\"}}' exec -C . -s read-only p",
    "codex exec -c 'shell_environment_policy.set.\"OPENAI_API_KEY\"=x' -C . -s read-only p",
    "codex -c model_providers.x.env_key=MY_KEY -c model_provider=x exec -C . -s read-only p",
]


@pytest.mark.parametrize("line", POLICY_SET)
def test_a_key_set_for_spawned_commands_is_refused_at_every_door(
    line: str, workspace: Path, base_env: dict[str, str]
) -> None:
    command = line + " </dev/null"
    for agent in ("claude", "codex"):
        assert "CG101" in assert_hook_denies(agent, command, workspace, base_env)
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 1 and "CG101" in check.stdout + check.stderr
    assert "CG101" in lint_rules(command, workspace, base_env)


@pytest.mark.parametrize("line", POLICY_SET[:3])
def test_the_exec_shim_never_starts_codex_with_a_key_for_its_children(
    line: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    import shlex

    from tests.runtime.recorder import chatgpt_home_in, clean_env, make_recorder, run_exec

    recorder = make_recorder(tmp_path / "bin")
    env = clean_env(base_env, recorder, chatgpt_home_in(tmp_path / "codex-home"))
    proc = run_exec(["--", *shlex.split(line)], env, workspace)
    assert proc.returncode != 0 and "CG101" in proc.stderr
    assert recorder.runs() == []


def test_a_harmless_policy_set_is_allowed(workspace: Path, base_env: dict[str, str]) -> None:
    command = "codex exec -c shell_environment_policy.set.RUST_LOG=info -C . -s read-only p"
    check = run_guard(["check", command + " </dev/null"], base_env, cwd=workspace)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_project_config_that_sets_the_key_for_spawned_commands_is_cg101(
    workspace: Path, base_env: dict[str, str]
) -> None:
    (workspace / ".codex").mkdir()
    (workspace / ".codex" / "config.toml").write_text(
        '[shell_environment_policy]\nset = { OPENAI_API_KEY = "sk-x" }\n'
    )
    command = "codex exec --trust -C . -s read-only p </dev/null"
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 1 and "shell_environment_policy" in check.stdout + check.stderr


def test_a_key_that_include_only_drops_again_is_not_handed_out(
    workspace: Path, base_env: dict[str, str]
) -> None:
    """codex applies `include_only` after `set` (FACTS.md; CG804 agrees on the file itself)."""
    (workspace / ".codex").mkdir()
    (workspace / ".codex" / "config.toml").write_text(
        '[shell_environment_policy]\nset = { OPENAI_API_KEY = "sk-x" }\ninclude_only = ["PATH"]\n'
    )
    command = "codex exec --trust -C . -s read-only p </dev/null"
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 0, check.stdout + check.stderr


# --- codex under another name: a link or copy the script made from codex ----------------------

RENAMED = [
    ('ln -s "$(command -v codex)" /tmp/cx; /tmp/cx exec -C . --yolo - < prompt.md', "CG303"),
    (
        "cp /usr/lib/node_modules/@openai/codex/bin/codex.js ./cx; "
        "./cx exec -C . --yolo - < prompt.md",
        "CG303",
    ),
    ("ln -s /usr/local/bin/codex ./cx && cx exec -C . --yolo - < prompt.md", "CG303"),
    (
        'C=$(which codex); install -m 755 "$C" ~/bin/cx; '
        "OPENAI_API_KEY=x timeout 5 $HOME/bin/cx exec -C . -s read-only - < prompt.md",
        "CG101",
    ),
    (
        'cp -t /opt/b "$(readlink -f "$(command -v codex)")"; '
        "OPENAI_API_KEY=x /opt/b/codex.js exec -C . -s read-only - < prompt.md",
        "CG101",
    ),
]
# Made from something that only mentions codex: unknown, so CG902 (fail closed).
RENAMED_UNKNOWN = [
    'cp "$CODEX_BIN" ./cx; ./cx exec -C . -s read-only - < prompt.md',
    "ln -s ~/tools/codex-wrapper /tmp/w; /tmp/w exec -C . -s read-only - < prompt.md",
]
NOT_RENAMED = [
    'ln -s "$(command -v codex)" /tmp/cx; echo /tmp/cx exec --yolo p',
    "cp codex-notes.md notes.md; ./notes.md",
    "cp ~/.codex/config.toml /tmp/cfg.toml; cat /tmp/cfg.toml",
    'ln -s "$(command -v codex)" /tmp/cx; ls -l /tmp/cx',
    "ln -s ~/.local/bin/codex-guard ~/bin/cg; cg lint scripts/",
]


@pytest.mark.parametrize(("command", "rule"), RENAMED)
def test_a_link_or_copy_of_codex_is_codex_at_every_door(
    command: str, rule: str, workspace: Path, base_env: dict[str, str]
) -> None:
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, base_env)
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 1 and rule in check.stdout + check.stderr
    assert rule in lint_rules(command, workspace, base_env)


@pytest.mark.parametrize("command", RENAMED_UNKNOWN)
def test_a_program_made_from_a_codex_like_name_fails_closed(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_unsettled_everywhere(command, "CG902", workspace, base_env)


@pytest.mark.parametrize("command", NOT_RENAMED)
def test_a_link_that_is_never_run_is_no_finding(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    (workspace / ".codex-guard.yaml").write_text("hook:\n  fail-closed: true\n")
    for agent in ("claude", "codex"):
        assert_hook_allows(agent, command, workspace, base_env)
    assert not {"CG303", "CG902", "CG101"} & lint_rules(command, workspace, base_env)


def test_the_exec_shim_checks_a_symlink_to_codex_as_codex(
    tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    """`codex-guard exec -- /tmp/cx ...` where cx links to the npm launcher: read as codex and
    checked (full access refused), never run unchecked; a plain copy elsewhere is refused."""
    from tests.runtime.conftest import REAL_CODEX

    if not REAL_CODEX.exists():
        pytest.skip("the real codex CLI is not installed")
    home = tmp_path / "home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps({"auth_mode": "chatgpt", "tokens": {}}))
    env = {**base_env, "CODEX_HOME": str(home)}
    link = tmp_path / "cx"
    link.symlink_to(REAL_CODEX)
    yolo = run_guard(
        ["exec", "--dry-run", "--", str(link), "exec", "-C", ".", "--yolo", "p"], env, workspace
    )
    assert yolo.returncode != 0 and "CG303" in yolo.stderr
    copy = tmp_path / "copy"
    copy.write_bytes(REAL_CODEX.resolve().read_bytes())
    copy.chmod(0o755)
    refused = run_guard(
        ["exec", "--", str(copy), "exec", "-C", ".", "-s", "read-only", "p"], env, workspace
    )
    assert refused.returncode == 3 and "is not codex" in refused.stderr


# --- a parse that would run for minutes is cut off: CG901, the key still found, doors deny ----


def slow_to_parse(lines: int = 4000) -> str:
    """47 unclosed `(` before key-bearing codex lines: tree-sitter-bash's error recovery on this
    is quadratic (4,000 lines: about 20 s unbounded; bench/run_parse_bound.py measures it)."""
    line = "OPENAI_API_KEY=x codex exec -C . -s read-only p </dev/null\n"
    return "(" * 47 + "\n" + line * lines


def test_a_parse_past_its_budget_is_cg901_and_the_key_is_still_found(
    workspace: Path, base_env: dict[str, str]
) -> None:
    script = workspace / "slow.sh"
    script.write_text(slow_to_parse())
    lint = run_guard(
        ["lint", "--no-cache", "--format", "json", str(script)], base_env, cwd=workspace
    )
    rules = {f["rule"] for f in json.loads(lint.stdout)["findings"]}
    assert {"CG901", "CG101"} <= rules
    assert lint.returncode != 0


def test_a_parse_past_its_budget_is_a_deny_at_check_and_the_hook(
    workspace: Path, base_env: dict[str, str]
) -> None:
    command = slow_to_parse()
    reason = assert_hook_denies("claude", command, workspace, base_env)
    assert "CG901" in reason or "CG101" in reason
    # too long for one argv element: `check -` reads the command line from stdin
    check = run_guard(["check", "--format", "json", "-"], base_env, cwd=workspace, input=command)
    assert check.returncode == 1
    assert json.loads(check.stdout)["allowed"] is False


def test_the_bound_cancels_and_the_parser_is_reusable() -> None:
    from guard.shell.parser import _parser
    from guard.shell.tsbound import ParseTimeout, parse_bounded

    with pytest.raises(ParseTimeout):
        parse_bounded(_parser(), slow_to_parse(20000).encode(), budget=0.2)
    tree = parse_bounded(_parser(), b"codex exec -s read-only p\n")
    assert not tree.root_node.has_error
    assert tree.root_node.text == b"codex exec -s read-only p\n"


# --- top-level `codex review` (no grammar table): its -c overrides are still read ---------------

REVIEW_OVERRIDES = [
    ("codex review -c 'sandbox_mode=\"danger-full-access\"' </dev/null", "CG303"),
    ("codex review --config=sandbox_mode=danger-full-access look </dev/null", "CG303"),
    ("codex review -c shell_environment_policy.set.OPENAI_API_KEY=x </dev/null", "CG101"),
]


@pytest.mark.parametrize(("command", "rule"), REVIEW_OVERRIDES)
def test_top_level_review_overrides_are_read(
    command: str, rule: str, workspace: Path, base_env: dict[str, str]
) -> None:
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, base_env)
    check = run_guard(["check", command], base_env, cwd=workspace)
    assert check.returncode == 1 and rule in check.stdout + check.stderr
    assert rule in lint_rules(command, workspace, base_env)


def test_a_plain_top_level_review_is_allowed(workspace: Path, base_env: dict[str, str]) -> None:
    for command in ("codex review --uncommitted </dev/null", "codex review -c model=o3 </dev/null"):
        check = run_guard(["check", command], base_env, cwd=workspace)
        assert check.returncode == 0, check.stdout + check.stderr


# --- an auth.json written with content that cannot be read: denied under fail-closed -----------

UNREADABLE_AUTH_WRITES = [
    "printf '%s' \"$AUTH\" > ~/.codex/auth.json",
    "cp /tmp/auth-from-somewhere.json ~/.codex/auth.json",
    'dd of="$CODEX_HOME/auth.json" if=/tmp/a.json',
]


@pytest.mark.parametrize("command", UNREADABLE_AUTH_WRITES)
def test_an_unreadable_auth_json_write_fails_closed(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    assert_unsettled_everywhere(command, "CG102", workspace, base_env)
