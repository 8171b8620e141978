"""A `for` loop over a known list runs its body once per word: a command that expands the loop
variable is checked with each value, and the finding names the turn that breaks a rule."""

from __future__ import annotations

import subprocess
from pathlib import Path

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet


def findings(script: str) -> list[tuple[str, str]]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return [(f.rule, f.message) for f in found]


SANDBOX_SWEEP = """#!/bin/bash
# Sweep the validator over each sandbox, to compare the verdicts.
for mode in read-only danger-full-access; do
  codex exec -C "$PWD" -s "$mode" "Review the diff." </dev/null
done
"""


def test_each_turn_of_a_loop_is_checked_and_named() -> None:
    found = findings(SANDBOX_SWEEP)
    full = [m for rule, m in found if rule == "CG303"]
    assert len(full) == 1, found
    assert "the `for` at line 3 sets `mode` to `danger-full-access`" in full[0]


def test_a_loop_over_safe_values_stays_silent_on_the_sandbox() -> None:
    script = SANDBOX_SWEEP.replace("danger-full-access", "workspace-write")
    assert not [r for r, _ in findings(script) if r in ("CG303", "CG903")]


def test_a_loop_over_files_is_one_finding_not_one_per_turn() -> None:
    script = (
        "export OPENAI_API_KEY=sk-x\n"
        'for f in a.md b.md c.md; do codex exec -C . -s read-only - < "$f"; done\n'
    )
    assert [r for r, _ in findings(script)].count("CG101") == 1


def test_a_loop_that_exports_each_name_still_resolves_them() -> None:
    script = (
        'for k in OPENAI_API_KEY CODEX_API_KEY; do export "$k=x"; done\n'
        "codex exec -C . -s read-only - < p.md\n"
    )
    assert "CG101" in {r for r, _ in findings(script)}


def test_bash_really_runs_each_value(tmp_path: Path) -> None:
    # What the finding claims: the second turn hands `danger-full-access` to codex.
    fake = tmp_path / "codex"
    fake.write_text('#!/bin/sh\necho "$5" >> "$(dirname "$0")/log"\n')
    fake.chmod(0o755)
    subprocess.run(
        ["bash", "-c", SANDBOX_SWEEP], env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, check=True,
        cwd=tmp_path,
    )  # fmt: skip
    assert (tmp_path / "log").read_text().split() == ["read-only", "danger-full-access"]
