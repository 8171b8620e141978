"""openai/codex-action steps: the `codex exec` the action runs (its action.yml and
src/runCodexExec.ts at 9cdb6f3), read from the step's inputs, through every rule; plus what only the
inputs show (CG307) and the billing policy for `openai-api-key`."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.config import settings_from_mapping
from guard.engine import load_rules
from guard.findings import Finding
from guard.sources.codexaction import _codex_args

RULE_TEXT = _rule_text(load_rules())


def workflow(
    with_lines: str,
    on: str = "[pull_request]",
    job_env: str = "",
    before: str = "      - uses: actions/checkout@v4\n",
) -> str:
    return (
        f"name: codex\non: {on}\njobs:\n  run:\n    runs-on: ubuntu-latest\n{job_env}"
        f"    steps:\n{before}      - uses: openai/codex-action@v1\n        with:\n"
        + "".join(f"          {line}\n" for line in with_lines.strip().splitlines())
    )


def lint(tmp_path: Path, text: str, config: dict[str, object] | None = None) -> list[Finding]:
    path = tmp_path / ".github" / "workflows" / "codex.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    outcome = lint_file(FileJob(str(path), False, settings_from_mapping(config or {}), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return outcome.findings


def rules(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


API = {"billing": "api-in-ci"}
KEY = "openai-api-key: ${{ secrets.OPENAI_API_KEY }}\n"


def test_a_plain_review_step_is_clean_under_api_in_ci(tmp_path: Path) -> None:
    text = workflow(KEY + 'prompt: "Review this PR; do not edit files."\nsandbox: read-only')
    assert lint(tmp_path, text, API) == []


@pytest.mark.parametrize(
    "inputs",
    [
        "sandbox: danger-full-access",
        'permission-profile: ":danger-full-access"',
        "codex-args: --dangerously-bypass-approvals-and-sandbox",
        'codex-args: \'["--model", "gpt-5-codex", "--yolo"]\'',
    ],
)
def test_full_access_is_cg303(tmp_path: Path, inputs: str) -> None:
    text = workflow(KEY + 'prompt: "Fix the failing tests."\n' + inputs)
    assert "CG303" in rules(lint(tmp_path, text, API))


@pytest.mark.parametrize(
    "inputs",
    [
        'permission-profile: ":read-only"',
        'permission-profile: ":workspace"',
        "",
        # The action puts its own `--sandbox` (default workspace-write) after `codex-args`, and
        # an explicit sandbox flag wins over `-c sandbox_mode` (runCodexExec.ts; FACTS.md).
        "codex-args: '-c sandbox_mode=\"danger-full-access\"'",
    ],
)
def test_narrow_sandboxes_are_not_cg303(tmp_path: Path, inputs: str) -> None:
    text = workflow(KEY + 'prompt: "Fix the failing tests."\n' + inputs)
    assert "CG303" not in rules(lint(tmp_path, text, API))


def test_sandboxed_host_allows_full_access(tmp_path: Path) -> None:
    text = workflow(KEY + 'prompt: "Fix it."\nsandbox: danger-full-access')
    assert "CG303" not in rules(lint(tmp_path, text, {**API, "sandboxed-host": True}))


def test_safety_strategy_unsafe_and_allow_all_users(tmp_path: Path) -> None:
    text = workflow(KEY + 'prompt: "Fix it."\nsafety-strategy: unsafe\nallow-users: "*"')
    found = [f for f in lint(tmp_path, text, API) if f.rule == "CG307"]
    assert {(f.location.line, f.severity.value) for f in found} == {(12, "error"), (13, "error")}
    safe = workflow(KEY + 'prompt: "Fix it."\nsafety-strategy: drop-sudo\nallow-users: octocat')
    assert lint(tmp_path, safe, API) == []


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("openai_api_key", "openai-api-key"),
        ("codex_args", "codex-args"),
        ("promptfile", "prompt-file"),
    ],
)
def test_misspelled_input_is_a_warning_naming_the_input(
    tmp_path: Path, name: str, meant: str
) -> None:
    text = workflow(KEY + f'prompt: "Fix it."\n{name}: "x"')
    found = [f for f in lint(tmp_path, text, API) if f.rule == "CG307"]
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert f"`{name}`" in found[0].message and f"`{meant}`" in found[0].message
    assert found[0].location.line == 12


def test_outsider_text_in_the_prompt_is_cg305(tmp_path: Path) -> None:
    text = workflow(
        KEY + 'prompt: "Fix this issue: ${{ github.event.issue.body }}"',
        on="{issues: {types: [opened]}}",
    )
    found = [f for f in lint(tmp_path, text, API) if f.rule == "CG305"]
    assert found and found[0].severity.value == "warning"
    yolo = text + "          sandbox: danger-full-access\n"
    found = [f for f in lint(tmp_path, yolo, API) if f.rule == "CG305"]
    assert found and found[0].severity.value == "error"


def test_prompt_file_from_the_pr_head_under_pull_request_target(tmp_path: Path) -> None:
    head = (
        "      - uses: actions/checkout@v4\n        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"
    )
    inputs = KEY + "prompt-file: .github/codex/review.md\nsandbox: read-only"
    text = workflow(inputs, on="pull_request_target", before=head)
    found = [f for f in lint(tmp_path, text, API) if f.rule == "CG305"]
    assert len(found) == 1 and found[0].location.line == 13
    assert found[0].related[0].line == 9
    # The base branch's checkout, or a plain pull_request trigger: the file is the repository's.
    base = workflow(inputs, on="pull_request_target")
    assert "CG305" not in rules(lint(tmp_path, base, API))
    plain = workflow(inputs, on="pull_request", before=head)
    assert "CG305" not in rules(lint(tmp_path, plain, API))


def test_api_key_input_follows_the_billing_policy(tmp_path: Path) -> None:
    text = workflow(KEY + 'prompt: "Review."\nsandbox: read-only')
    found = [f for f in lint(tmp_path, text) if f.rule == "CG101"]
    assert len(found) == 1 and "openai-api-key" in found[0].message
    assert found[0].severity.value == "error"
    assert lint(tmp_path, text, API) == []


def test_job_wide_key_is_flagged_even_under_api_in_ci(tmp_path: Path) -> None:
    job_env = "    env:\n      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"
    text = workflow('prompt: "Review."\nsandbox: read-only', job_env=job_env)
    found = [f for f in lint(tmp_path, text, API) if f.rule == "CG101"]
    assert len(found) == 1 and "whole workflow or job" in found[0].message
    assert found[0].related[0].line == 7


def test_mentions_of_the_action_are_silent(tmp_path: Path) -> None:
    text = (
        "name: docs\non: [push]\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - name: openai/codex-action@v1 with openai-api-key and sandbox danger-full-access\n"
        "        run: \"echo 'uses: openai/codex-action@v1 (safety-strategy: unsafe)'\"\n"
        "      - uses: some/other-action@v1\n        with:\n          codex_args: --yolo\n"
    )
    assert lint(tmp_path, text) == []


def test_codex_args_forms() -> None:
    assert _codex_args('["--model", "gpt 5"]') == "--model 'gpt 5'"
    assert _codex_args("--model gpt-5") == "--model gpt-5"
    assert _codex_args("[not json") == "[not json"


REAL_CODEX = Path(__file__).resolve().parents[2] / ".codex-cli/node_modules/.bin/codex"


def _real_banner_sandbox(argv: list[str], home: Path) -> str:
    """The `sandbox:` line of the real CLI's run banner (printed before any network use); the
    run is killed as soon as the line is read."""
    import contextlib
    import os
    import signal
    import subprocess
    import threading

    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env["CODEX_HOME"] = str(home)
    proc = subprocess.Popen(
        [str(REAL_CODEX), *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    watchdog = threading.Timer(30, lambda: os.killpg(proc.pid, signal.SIGKILL))
    watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("sandbox:"):
                return line.split()[1]
        return ""
    finally:
        watchdog.cancel()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_real_cli_the_actions_sandbox_flag_wins_over_codex_args(tmp_path: Path) -> None:
    """What the model above assumes: the action's trailing `--sandbox` beats a `-c sandbox_mode`
    in `codex-args` (and with no `--sandbox`, the override widens the run)."""
    if not REAL_CODEX.is_file():
        pytest.skip("the real codex CLI is not installed (bash .ci/run installs it)")
    home = tmp_path / "home"
    home.mkdir()
    base = ["exec", "--skip-git-repo-check", "-c", 'sandbox_mode="danger-full-access"']
    assert _real_banner_sandbox([*base, "--sandbox", "read-only", "hi"], home) == "read-only"
    assert _real_banner_sandbox([*base, "hi"], home) == "danger-full-access"


@pytest.mark.parametrize(
    ("inputs", "value"),
    [
        (
            "prompt: Review this PR.\nsandbox: read-only\nworking-directory: ../outside",
            "../outside",
        ),
        (
            "prompt: Review this PR.\noutput-file: ../../etc/review.md\nsandbox: read-only",
            "../../etc/review.md",
        ),
    ],
)
def test_a_finding_on_an_input_points_at_its_value(tmp_path: Path, inputs: str, value: str) -> None:
    """CG504 on `working-directory`/`output-file` pointed past the end of the `uses:` line (a
    finding-position pass): it points at the input's value, on its own line."""
    text = workflow(inputs)
    found = [f for f in lint(tmp_path, text) if f.rule == "CG504"]
    assert len(found) == 1
    lines = text.splitlines()
    where = found[0].location
    assert lines[where.line - 1].strip().endswith(value)
    assert lines[where.line - 1][where.column - 1 :].startswith(value)
