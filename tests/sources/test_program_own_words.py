"""A word a spawn call writes in its own shell text is its own, not another call's.

The JavaScript and Go readers trace a flag of a rendered command line back to the one string
literal of the file with that value (a constant, a helper's return: guard/sources/spawnline.py,
LiteralIndex). A shell string handed to `execSync(...)` or `exec.Command("sh", "-c", ...)` holds
its words inside one literal, so `-C` there was traced to another spawn's `"-C"` literal further
down the file: CG402 on `codex exec resume --last -C .` pointed at an unrelated line as the place
`-C` "is set".
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.findings import Finding
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())


def lint_body(tmp_path: Path, body: str, name: str) -> list[Finding]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted(outcome.findings, key=lambda f: (f.location.line, f.rule))


def related_of(findings: list[Finding], rule: str) -> list[tuple[int, str]]:
    (found,) = [f for f in findings if f.rule == rule]
    return [(r.line, r.note or "") for r in found.related]


JS = """\
const { execSync, spawnSync } = require("child_process");
execSync("codex exec resume --last -C . -s read-only - < prompt.md", { stdio: "inherit" });
spawnSync("codex", ["exec", "-C", ".", "-s", "read-only", "-o", "r.md", "-"], { input: "x" });
"""

GO = """\
package main

import "os/exec"

func main() {
\t_ = exec.Command("sh", "-c", "codex exec resume --last -C . -s read-only - < p.md").Run()
\t_ = exec.Command("codex", "exec", "-C", ".", "-s", "read-only", "-o", "r.md", "-").Run()
}
"""


def test_a_javascript_shell_strings_flag_is_not_traced_to_another_spawn(tmp_path: Path) -> None:
    findings = lint_body(tmp_path, JS, "dispatch.js")
    assert [(f.rule, f.location.line) for f in findings if f.rule == "CG402"] == [("CG402", 2)]
    assert related_of(findings, "CG402") == []


def test_a_go_shell_strings_flag_is_not_traced_to_another_spawn(tmp_path: Path) -> None:
    findings = lint_body(tmp_path, GO, "main.go")
    assert [(f.rule, f.location.line) for f in findings if f.rule == "CG402"] == [("CG402", 6)]
    assert related_of(findings, "CG402") == []


def test_a_constant_in_a_template_is_still_traced(tmp_path: Path) -> None:
    body = """\
    const { execSync } = require("child_process");
    const DANGER = "--yolo";
    execSync(`codex exec ${DANGER} -C . - < prompt.md`, { stdio: "inherit" });
    spawnLater(["-C", "."]);
    """
    findings = lint_body(tmp_path, body, "run.js")
    assert related_of(findings, "CG303") == [(2, "`--yolo` is set here")]


GO_OUTPUT = """\
package main

import "os/exec"

func judge() {
\tout, _ := exec.Command("codex", "exec", "-C", ".", "-s", "read-only", "judge; VERDICT?").Output()
\tcmd := exec.Command("codex", "exec", "--yolo", "-C", ".", "-s", "read-only", "judge")
\tboth, _ := cmd.CombinedOutput()
\t_, _ = exec.Command("codex", "exec", "-C", ".", "-s", "read-only", "--json", "x").Output()
\t_ = exec.Command("codex", "exec", "--yolo", "-C", ".", "-s", "read-only", "judge").Run()
\t_, _ = out, both
}
"""


def test_a_go_commands_output_taken_by_the_program_is_a_scraped_result(tmp_path: Path) -> None:
    """`.Output()` / `.CombinedOutput()` is the shell's `$(...)`: CG601 (not with `--json`);
    the command's other findings keep their columns."""
    findings = lint_body(tmp_path, GO_OUTPUT, "judge.go")
    assert [(f.location.line, f.location.column) for f in findings if f.rule == "CG601"] == [
        (6, 12),
        (7, 9),
    ]
    yolo = [(f.location.line, f.location.column) for f in findings if f.rule == "CG303"]
    assert yolo == [(7, 20), (10, 17)]  # each the spawn's column + the same offset


def _go_commands(count: int) -> str:
    lines = ["package main", "", 'import "os/exec"', "", "func main() {"]
    for n in range(count):
        lines.append(
            f'\tc{n} := exec.Command("codex", "exec", "-s", "read-only", "-o", "o{n}", "-")'
        )
        lines.append(f"\t_ = c{n}.Run()")
    lines.append('\targs := []string{"exec", "--yolo"}')
    lines.append('\t_ = exec.Command("codex", args...).Run()')
    return "\n".join([*lines, "}", ""])


def test_a_go_function_of_many_commands_is_walked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command's Stdin, Env, StdinPipe and Output lookups walked the whole function, and
    each ran the function's value flow up to itself: 1,500 commands in one function took 800 s.
    The function is indexed once; the flow runs for a `slice...` spread only."""
    from guard.sources import golang

    walked: list[int] = []
    flows: list[int] = []
    real_walk, real_states = golang.walk, golang._Flow.states
    real_states_at = golang._Flow.states_at

    def counting_walk(node: Any) -> Any:
        walked.append(1)
        return real_walk(node)

    def counting_states(self: Any) -> Any:
        flows.append(1)
        return real_states(self)

    def counting_states_at(self: Any, targets: Any) -> Any:
        flows.append(1)
        return real_states_at(self, targets)

    monkeypatch.setattr(golang, "walk", counting_walk)
    monkeypatch.setattr(golang._Flow, "states", counting_states)
    monkeypatch.setattr(golang._Flow, "states_at", counting_states_at)
    counts = []
    for commands in (10, 40):
        walked.clear()
        flows.clear()
        snippets = golang.extract(_go_commands(commands), "main.go")
        assert len(snippets) == commands + 1
        counts.append(len(walked))
        assert len(flows) == 1  # the spread's
    assert counts[0] == counts[1]
