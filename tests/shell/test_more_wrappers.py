"""Commands that run the rest of their argv (or a string) as a command, found by an adversarial
pass over `check` and the hooks: each is run under real bash with a recording stand-in codex, and
the command model must see the codex it really starts."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.shell import parse_script
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import key_lab, run_in_lab

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")


# script -> the argv codex really gets (checked under bash below)
RUNS = {
    "builtin-command": ("builtin command codex exec --yolo p </dev/null", "exec --yolo p"),
    "builtin-eval": ("builtin eval 'codex exec --yolo p </dev/null'", "exec --yolo p"),
    "find-exec": ("find . -maxdepth 0 -exec codex exec --yolo p \\;", "exec --yolo p"),
    "find-execdir": ("find . -maxdepth 0 -execdir codex exec --yolo {} +", "exec --yolo ./."),
    "flock": ("flock ./lock codex exec --yolo p </dev/null", "exec --yolo p"),
    "flock-c": ("flock ./lock -c 'codex exec --yolo p </dev/null'", "exec --yolo p"),
    "taskset": ("taskset 1 codex exec --yolo p </dev/null", "exec --yolo p"),
    "runuser": ("runuser -u root -- codex exec --yolo p </dev/null", "exec --yolo p"),
    "script-qc": ("script -qc 'codex exec --yolo p </dev/null' /dev/null", "exec --yolo p"),
    "xargs-appends-printed-words": ("printf '%s\\n' exec --yolo p | xargs codex", "exec --yolo p"),
    "source-stdin": ("source /dev/stdin <<< 'codex exec --yolo p </dev/null'", "exec --yolo p"),
    "dot-stdin-heredoc": (
        ". /dev/stdin <<'EOF'\ncodex exec --yolo p </dev/null\nEOF\n",
        "exec --yolo p",
    ),
}
MODEL_ONLY = {
    "chrt": "chrt -o 0 codex exec --yolo p </dev/null",
    "strace": "strace -f -o /dev/null codex exec --yolo p </dev/null",
    "watch": "watch -n 5 codex exec --yolo p",
    "node-launcher": "node /opt/npm/lib/node_modules/@openai/codex/bin/codex.js exec --yolo p",
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return key_lab(tmp_path_factory.mktemp("wrappers"))


def run_bash(lab: Path, script: str) -> list[str]:
    log = run_in_lab(lab, script, str(BASH))
    return [line[5:] for line in log.splitlines() if line.startswith("ARGV ")]


def rules_of(script: str) -> set[str]:
    snippet = Snippet(text=script, path="<hook>", context=RunContext.AGENT)
    return {f.rule for f in lint_snippet(snippet, Settings())}


@pytest.mark.parametrize(("script", "argv"), RUNS.values(), ids=RUNS)
def test_the_codex_bash_really_starts_is_the_one_the_model_sees(
    lab: Path, script: str, argv: str
) -> None:
    assert run_bash(lab, script) == [argv]
    calls = [c for c in parse_script(script).commands if c.program == "codex"]
    assert calls, script
    assert [w.text for w in calls[0].argv[1:3]] == argv.split()[:2]
    assert "CG303" in rules_of(script)


@pytest.mark.parametrize("script", MODEL_ONLY.values(), ids=MODEL_ONLY)
def test_wrappers_not_run_here_are_peeled_too(script: str) -> None:
    assert "CG303" in rules_of(script)


def test_env_double_dash_still_sets_the_key(lab: Path) -> None:
    script = "env -- OPENAI_API_KEY=x codex exec -s read-only -C . p </dev/null"
    assert run_bash(lab, script) == ["exec -s read-only -C . p"]
    assert "KEY" in (lab / "codex.log").read_text()
    assert "CG101" in rules_of(script)


@pytest.mark.parametrize(
    "script",
    [
        'find . -name "*.md" -exec grep -l codex {} +',
        "watch -n 5 'grep -c codex ci.log'",
        "flock ./lock make test",
        "script -q -c 'make test' /dev/null",
    ],
)
def test_mentions_through_these_wrappers_stay_silent(script: str) -> None:
    assert rules_of(script) <= {"CG902"} and "CG303" not in rules_of(script)


def test_forcing_api_login_on_the_command_line_is_cg102() -> None:
    assert "CG102" in rules_of('codex exec -c forced_login_method="api" -C . -s read-only p')
    assert "CG102" not in rules_of(
        'codex exec -c forced_login_method="chatgpt" -C . -s read-only p'
    )


INLINE = {
    "python-os-system": (
        "python3 -c 'import os; os.system(\"codex exec --yolo p </dev/null\")'",
        "CG303",
    ),
    "python-argv-list": (
        'python3 -c \'import subprocess; subprocess.run(["codex", "exec", "--yolo", "p"])\'',
        "CG303",
    ),
    "perl-system": ("perl -e 'system(\"codex exec --yolo p </dev/null\")'", "CG303"),
    "python-key": (
        "python3 -c 'import os; os.system(\"OPENAI_API_KEY=x codex exec -C . -s read-only p\")'",
        "CG101",
    ),
}


@pytest.mark.parametrize(("script", "rule"), INLINE.values(), ids=INLINE)
def test_codex_command_lines_in_inline_code_are_checked(lab: Path, script: str, rule: str) -> None:
    if shutil.which(script.split()[0]) is not None:
        assert len(run_bash(lab, script)) == 1  # the interpreter really started codex
    assert rule in rules_of(script)


@pytest.mark.parametrize(
    "script",
    [
        "python3 -c 'print(\"codex is great\")'",
        "python3 -c 'print(\"see: codex exec --help\")'",
        "node -e 'console.log(process.version)'",
        'python3 -c \'import subprocess; subprocess.run(["codex", "exec", "-C", ".", "-s", "read-only", "p"], stdin=subprocess.DEVNULL)\'',
    ],
)
def test_inline_code_that_does_not_run_codex_badly_is_allowed(script: str) -> None:
    assert not rules_of(script) & {"CG101", "CG102", "CG201", "CG303", "CG901", "CG903"}


def test_xargs_input_the_linter_cannot_read_is_one_unknown_word() -> None:
    found = rules_of("cat tasks.txt | xargs -n1 codex exec -C . -s read-only")
    assert "CG902" in found  # its words could be `--yolo`: fails closed under hook.fail-closed
    assert "CG202" not in found  # the prompt may well be among them


@pytest.mark.parametrize(
    "script",
    [
        "BASH_ENV=<(echo 'codex exec --yolo p') bash -c true",
        # (a literal PROMPT_COMMAND is walked: tests/shell/test_hidden_runners.py, CG303)
        'PROMPT_COMMAND="$(cat pc) codex exec --yolo p" bash -i </dev/null',
        # (a literal here-string, here-doc or printf format is read:
        # tests/shell/test_hidden_runners.py)
        "printf 'a:\\n\\t%s\\n' 'codex exec --yolo p' | make -f /dev/stdin",
    ],
)
def test_text_a_shell_or_make_runs_unseen_is_cg902(lab: Path, script: str) -> None:
    if "bash -i" not in script:  # an interactive bash under test would wait on its terminal
        assert len(run_bash(lab, script)) == 1  # codex really ran
    assert "CG902" in rules_of(script)


@pytest.mark.parametrize(
    ("script", "rule"),
    [
        ("codex sandbox -- codex exec --yolo -C . p </dev/null", "CG303"),
        ("codex sandbox codex exec --yolo -C . p </dev/null", "CG303"),
        ("codex -c x=1 sandbox --transparent-tcp codex exec --yolo -C . p </dev/null", "CG303"),
        # an option a later codex may add: `--` still says where the command begins
        (
            "codex sandbox --new-flag -- env OPENAI_API_KEY=sk codex exec -s read-only -C . p"
            " </dev/null",
            "CG101",
        ),
        (
            "codex sandbox -c sandbox_mode=workspace-write -- "
            "bash -c 'OPENAI_API_KEY=sk codex exec -s read-only -C . p </dev/null'",
            "CG101",
        ),
        (
            "codex sandbox -P :workspace -C . -- env OPENAI_API_KEY=sk codex exec -s read-only p"
            " </dev/null",
            "CG101",
        ),
        (
            "export OPENAI_API_KEY=sk\ncodex sandbox -- codex exec -s read-only -C . p </dev/null",
            "CG101",
        ),
    ],
)
def test_the_command_codex_sandbox_runs_is_checked(script: str, rule: str) -> None:
    # `codex sandbox [OPTIONS] [--] CMD...` runs CMD with the caller's env (the real CLI:
    # tests/codex/test_codex_realcli.py `test_sandbox_options_are_the_grammars`).
    assert rule in rules_of(script)


@pytest.mark.parametrize(
    "script", ["codex sandbox -- make test", "codex sandbox uninstall", "codex sandbox --help"]
)
def test_codex_sandbox_running_no_codex_stays_silent(script: str) -> None:
    assert not rules_of(script) & {"CG101", "CG201", "CG303", "CG901", "CG903"}


def lint_file(folder: Path, script: str) -> list[tuple[str, int]]:
    """`codex-guard lint` on a dispatch script, as a user runs it: (rule, line) per finding."""
    path = folder / "dispatch.sh"
    path.write_text(script)
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=120, cwd=folder, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return [(f["rule"], f["line"]) for f in json.loads(done.stdout)["findings"]]


# docs/rules.md's CG201 good example: with a replace string xargs appends nothing, and each item
# becomes the one word the string stands in (an argument value, unknown), never more words.
XARGS_REPLACE = 'REPO=.\nxargs -I{} codex exec -C "$REPO" -s workspace-write "{}" < tasks.txt\n'


def test_xargs_replace_string_is_one_argument_not_unseen_words(lab: Path) -> None:
    (lab / "tasks.txt").write_text("fix the bug --yolo\n")
    assert run_bash(lab, XARGS_REPLACE) == ["exec -C . -s workspace-write fix the bug --yolo"]
    assert lint_file(lab, XARGS_REPLACE) == []


def test_xargs_replace_string_still_shows_the_mistakes_around_it(lab: Path) -> None:
    script = "xargs -I{} codex exec -C . --yolo '{}' < tasks.txt\n"
    script += "cat tasks.txt | xargs codex exec -C . -s read-only\n"
    assert lint_file(lab, script) == [("CG303", 1), ("CG902", 2)]


@pytest.mark.parametrize(
    "program", ["./bin/co?ex", "./bin/[c]odex", "./bin/cod*x", "./bin/codex*", "./b*/c?dex"]
)
def test_a_glob_that_names_codex_runs_it(lab: Path, program: str) -> None:
    """Pathname expansion of the command word (found by an adversarial pass: the key reached
    codex through `co?ex` with no finding)."""
    script = f"OPENAI_API_KEY=sk {program} exec -s read-only -C . p </dev/null"
    assert run_bash(lab, script) == ["exec -s read-only -C . p"]
    assert "KEY" in (lab / "codex.log").read_text()
    assert "CG101" in rules_of(script)


@pytest.mark.parametrize(
    "script", ["'co?ex' exec --yolo p", "ls ./bin/co?ex", "OPENAI_API_KEY=k ./*.sh", "c?t x"]
)
def test_globs_that_cannot_be_codex_stay_silent(script: str) -> None:
    assert not rules_of(script) & {"CG101", "CG303"}
