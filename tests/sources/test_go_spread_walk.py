"""A Go function of many `exec.Command(bin, args...)` spawns is walked once, not once a spawn.

A `slice...` spread reads the slice's reachable values at the spawn (golang._Flow: every
`if`/`switch`/loop arm kept apart). Each spawn ran that flow from the top of its function to
itself, so a function of N such spawns stepped ~N²/2 statements: 1,500 of them took ~60 s to
read. The flow now walks the function once and keeps the states at every spreading spawn of it
(valueset.BranchFlow.collect). The growth is bounded by counting the statements the flow steps,
not by timing; the states each spawn gets are checked through `lint`, where they differ from
spawn to spawn (a flag appended on one branch, the slice replaced further down).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings
from guard.sources import golang

RULE_TEXT = _rule_text(load_rules())


def _spawns(count: int) -> str:
    """A dispatcher of `count` reviews, each `exec.Command(bin, args...)` with its own prompt."""
    lines = [
        "package main",
        "",
        'import (\n\t"os"\n\t"os/exec"\n)',
        "",
        "func main() {",
        '\tbin := os.Getenv("CODEX_BIN")',
        '\tif bin == "" {',
        '\t\tbin = "codex"',
        "\t}",
        '\tbase := []string{"exec", "-C", ".", "-s", "read-only"}',
    ]
    for n in range(count):
        lines.append(f'\targs{n} := append(base, "-o", "review-{n}.md", "Review part {n}.")')
        lines.append(f"\tcmd{n} := exec.Command(bin, args{n}...)")
        lines.append(f"\t_ = cmd{n}.Run()")
    return "\n".join([*lines, "}", ""])


def _steps(monkeypatch: pytest.MonkeyPatch, count: int) -> int:
    """The statements the flow steps while reading a file of `count` spawns."""
    stepped: list[int] = []
    real = golang._Flow.step

    def counting(self: Any, statement: Any, states: Any) -> Any:
        stepped.append(1)
        return real(self, statement, states)

    monkeypatch.setattr(golang._Flow, "step", counting)
    snippets = golang.extract(_spawns(count), "dispatch.go")
    # every spawn is read with its own prompt and output file (no state of another spawn)
    assert [s.text.split(" -o ")[1].split(" ")[0] for s in snippets] == [
        f"review-{n}.md" for n in range(count)
    ]
    return len(stepped)


def test_the_flow_steps_grow_linearly_with_the_spawns(monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = _steps(monkeypatch, 500), _steps(monkeypatch, 1500)
    # three times the spawns, three times the statements (a walk per spawn: nine times)
    assert large <= 3 * small + 10, (small, large)
    assert large >= 3 * 500  # each spawn's three statements are stepped: the walk happened


def _calls(count: int) -> int:
    """The Python function calls reading a file of `count` spawns makes (deterministic: not
    a timing), once the file's text is made."""
    text = _spawns(count)
    calls = [0]

    def profile(_frame: Any, event: str, _arg: Any) -> None:
        if event == "call":
            calls[0] += 1

    sys.setprofile(profile)
    try:
        golang.extract(text, "dispatch.go")
    finally:
        sys.setprofile(None)
    return calls[0]


def test_reading_the_spawns_grows_linearly() -> None:
    """The whole read, not only the flow's steps (asking each spawn's statement which targets
    lie in it once went through every target: 2.25 M calls for 1,500 spawns)."""
    small, large = _calls(500), _calls(1500)
    assert large <= 3.3 * small, (small, large)


DISPATCH = """\
package main

import (
	"os"
	"os/exec"
)

const bin = "codex"

// codex exec --dangerously-bypass-approvals-and-sandbox is never run from here without FULL.
func main() {
	args := []string{"exec", "-C", ".", "-s", "read-only", "-o", "review.md", "Review ag-77."}
	review := exec.Command(bin, args...)
	_ = review.Run()
	if os.Getenv("FULL") != "" {
		args = append(args, "--dangerously-bypass-approvals-and-sandbox")
		full := exec.Command(bin, args...)
		_ = full.Run()
	}
	again := exec.Command(bin, args...)
	_ = again.Run()
	args = []string{"exec", "-C", ".", "-s", "read-only", "-o", "v.md", "Validate ag-77."}
	validate := exec.Command(bin, args...)
	_ = validate.Run()
	for _, part := range []string{"a", "b"} {
		each := exec.Command(bin, append(args, "--add-dir", part)...)
		_ = each.Run()
	}
}
"""


def test_each_spawn_gets_the_slice_it_spreads_there(tmp_path: Path) -> None:
    path = tmp_path / "dispatch.go"
    path.write_text(textwrap.dedent(DISPATCH), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    bypass = sorted(f.location.line for f in outcome.findings if f.rule == "CG303")
    line = {
        name: next(n for n, text in enumerate(DISPATCH.split("\n"), 1) if f"{name} :=" in text)
        for name in ("full", "again")
    }
    # `full` after the append, `again` on the path through the `if`; not `review` (before it),
    # `validate` nor `each` (after `args` is replaced), nor the comment that names the flag.
    assert bypass == [line["full"], line["again"]]
    assert not [f for f in outcome.findings if f.rule in ("CG901", "CG902", "CG903")]
