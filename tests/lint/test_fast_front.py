"""`codex-guard lint` without click: the plain command lines are parsed by
guard/commands/lintargs.py and printed by guard/commands/echo.py. Both are held to click here:
the same parameters for every line the fast parser takes (click parses the rest), the same bytes
out, the same report end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import console
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.commands.lintargs import LINT_DEFAULTS, fast_lint_options
from guard.commands.lintcli import lint_command

# Words a lint command line is made of: what the fast parser takes, what it must leave to click
# (help, `--`, stdin, other options, values click refuses or converts), and paths.
WORDS = [
    *("--no-cache", "-q", "--quiet", "--exit-zero", "--strict", "--statistics"),
    *("--format", "--format=json", "--format=JSON", "json", "sarif", "github", "text"),
    *("--output-format", "concise", "full", "--output-format=concise"),
    *("--fail-on", "error", "warning", "info", "--fail-on=info", "--color", "never", "always"),
    *("-j", "-j1", "-j2", "-j0", "-j=2", "-j-1", "--jobs", "--jobs=3", "4", "07", "-1", "+2"),
    *("١", "²", "-qj1", "-jq", "--", "-", "", "--help", "-h", "--select", "CG2", "--ignore"),
    *("--kind", "shell", "--config", "x.yaml", "--fix", "--diff", "--no-cache=1", "--quiet=x"),
    *("--stdin-filename", "--output-file", "out.txt", "--extend-select", "--unknown", "-x"),
    *(".", "src", "a b", "dir/-name", "--format", "-q"),
]


def _click_params(args: list[str]) -> dict[str, object] | None:
    try:
        with lint_command.make_context("lint", list(args)) as ctx:
            return dict(ctx.params)
    except (click.ClickException, click.exceptions.Exit):
        return None


def test_defaults_are_clicks() -> None:
    assert _click_params([]) == LINT_DEFAULTS
    assert fast_lint_options([]) == LINT_DEFAULTS


@pytest.mark.parametrize(
    "args",
    [
        ["--no-cache", "-q", "-j1", "."],
        ["--no-cache", "-q", "-j", "1", "src", "."],
        ["--format", "json", "--format=sarif", "--jobs=0", "--color", "never", "a b"],
        ["--output-format", "concise", "--fail-on", "info", "--exit-zero", "--strict", "x"],
        ["--statistics", "--quiet", "-j07", "dir"],
    ],
)
def test_plain_lines_are_parsed_as_click_parses_them(args: list[str]) -> None:
    fast = fast_lint_options(args)
    assert fast is not None
    assert fast == _click_params(args)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--", "-q"],
        ["-"],
        ["-j=2", "."],
        ["-qj1", "."],
        ["-j"],
        ["-j", "-1"],
        ["-j", "+2"],
        ["-j", "١"],
        ["--format", "JSON"],
        ["--select", "CG2", "."],
        ["--kind", "shell", "x"],
        ["--no-cache=1"],
        [""],
        ["--fix", "."],
    ],
)
def test_other_lines_are_left_to_click(args: list[str]) -> None:
    assert fast_lint_options(args) is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=8))
def test_any_line_the_fast_parser_takes_click_parses_alike(args: list[str]) -> None:
    fast = fast_lint_options(args)
    if fast is not None:
        assert fast == _click_params(args)


ECHO_SCRIPT = """
import sys
from guard.commands.echo import echo
import click
write = click.echo if sys.argv[1] == "click" else echo
messages = ["plain", "", "caf\\u00e9", "\\x1b[31mred\\x1b[0m tail", "a\\x1b]0;t\\x07b", "x\\x1b"]
for message in messages:
    for color in (None, True, False):
        for nl in (True, False):
            write(message, nl=nl, color=color)
            write(message, nl=nl, color=color, err=True)
"""


@pytest.mark.parametrize("encoding", [None, "ascii", "latin-1"])
def test_echo_writes_what_click_echo_writes(encoding: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    if encoding is not None:
        env["PYTHONIOENCODING"] = encoding
    runs = [
        subprocess.run(
            [sys.executable, "-c", ECHO_SCRIPT, which], capture_output=True, env=env, check=True
        )
        for which in ("click", "fast")
    ]
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stderr == runs[1].stderr


def test_a_plain_lint_imports_no_click(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: codex exec 'fix it'\n"
    )
    script = (
        "import sys; from guard.cli import main; code = main(sys.argv[1:]); "
        "print('click' in sys.modules, code, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "lint", "--no-cache", "-q", "-j1", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.stderr.strip().splitlines()[-1] == "False 1"
    assert "ci.yml:6" in done.stdout


def test_fast_and_click_lines_give_the_same_report(tmp_path: Path) -> None:
    """`--` ends the options: click parses that line, the same line without it is the fast one."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    for args in (["--no-cache"], ["--no-cache", "-q", "--format", "json"], ["--statistics"]):
        fast = console("lint", *args, "-j1", str(examples), cwd=tmp_path)
        slow = console("lint", *args, "-j1", "--", str(examples), cwd=tmp_path)
        assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err)
        assert fast.out
