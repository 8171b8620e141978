"""A Go shell text built with `fmt.Sprintf` is read, not one unknown word.

`exec.Command("sh", "-c", fmt.Sprintf("cd %s && codex exec --yolo ...", dir))` is how Go
orchestrators run codex behind a `cd` or a redirect: the format was an unknown value, so the
codex run inside it went unread (a missed CG303, CG101...). Each verb now takes its argument's
text when the file knows it (`%q` quoted as Go quotes it), else `$ARG`, as `strings.Join` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings
from guard.sources.golang import extract

RULE_TEXT = _rule_text(load_rules())

PROGRAM = """\
package main

import (
\t"fmt"
\t"os/exec"
)

func run(dir string) error {
\tscript := fmt.Sprintf(%s)
\treturn exec.Command("sh", "-c", script).Run()
}
"""


def lines(arguments: str) -> list[str]:
    return [s.text for s in extract(PROGRAM % arguments, "run.go")]


@pytest.mark.parametrize(
    ("arguments", "text"),
    [
        ('"cd %s && codex exec --yolo -o o.md - < t.md", dir', "cd $ARG && codex exec --yolo"),
        (
            '"cd %s && codex exec -s %s -", "/srv", "read-only"',
            "cd /srv && codex exec -s read-only",
        ),
        ('"codex exec -s read-only %q </dev/null", "fix it"', 'codex exec -s read-only "fix it"'),
        ('"echo 100%% && codex exec --yolo %-4s", dir', "echo 100% && codex exec --yolo $ARG"),
    ],
)
def test_the_format_is_the_shell_text(arguments: str, text: str) -> None:
    assert any(text in line for line in lines(arguments)), lines(arguments)


def test_a_run_inside_it_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "run.go"
    path.write_text(PROGRAM % '"cd %s && codex exec --yolo -o o.md - < t.md", dir', "utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert [f.rule for f in outcome.findings] == ["CG303"]


def test_a_format_it_cannot_read_stays_unknown() -> None:
    assert lines("format, dir") == lines("pick(dir)")
