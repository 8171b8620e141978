"""The session plan (guard/engine/sessionplan.py): how `lint` follows a session from one snippet of
a file into the later ones that share its machine (CG401), and back into the earlier ones (CG403),
reading each snippet once, and only for a file that holds `ephemeral` or `--last` at all."""

from __future__ import annotations

from pathlib import Path

import pytest

import guard.engine.run
from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.config import settings_from_mapping
from guard.engine import load_rules
from guard.engine.api import session_plan
from guard.findings import Location
from guard.settings import Settings
from guard.shell.model import Span
from guard.sources import workflow
from guard.sources.snippet import Snippet

RULE_TEXT = _rule_text(load_rules())

STEPS = """\
on: push
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: codex exec --ephemeral -C . -s workspace-write "Start ag-77." </dev/null
      - run: npm ci
      - run: codex exec -C . -s read-only "Review ag-77." </dev/null
      - run: codex exec resume --last "Fix the failing test." </dev/null
      - run: codex exec --ephemeral -s read-only "Validate ag-77." </dev/null
"""


def _place(snippet: Snippet, span: Span) -> Location:
    return Location(snippet.path, span.line, span.column, span.end_line, span.end_column)


def test_each_snippet_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    parse = guard.engine.run.parse_script

    def counting(text: str, **options: object) -> object:
        parsed.append(text)
        return parse(text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(guard.engine.run, "parse_script", counting)
    path = tmp_path / ".github" / "workflows" / "agent.yml"
    path.parent.mkdir(parents=True)
    path.write_text(STEPS)
    settings = settings_from_mapping({}, root=tmp_path)
    outcome = lint_file(FileJob(str(path), True, settings, RULE_TEXT))
    found = [(f.rule, f.location.line, [r.line for r in f.related]) for f in outcome.findings]
    assert [f for f in found if f[0] == "CG401"] == [("CG401", 6, [9])]
    # The first step asked for the runs of the later ones: they were read then, once, and their
    # own turn used that reading. `npm ci` names no codex: never parsed.
    assert len(parsed) == len(set(parsed)) == 4


def test_no_plan_without_ephemeral_or_shared_machine() -> None:
    settings = Settings()
    plain = STEPS.replace("--ephemeral ", "").replace("--last", "019a-session-id")
    assert session_plan(plain, workflow.extract(plain, "a.yml"), settings, _place) is None
    # `resume --last` asks too: CG403 follows the session back to an earlier step's run
    last = STEPS.replace("--ephemeral ", "")
    assert session_plan(last, workflow.extract(last, "a.yml"), settings, _place) is not None
    # One step per job: no two snippets share a runner.
    jobs = "on: push\njobs:\n" + "".join(
        f"  j{n}:\n    runs-on: x\n    steps:\n      - run: {line}\n"
        for n, line in enumerate(
            ["codex exec --ephemeral -s read-only 'v' </dev/null", "codex exec resume --last"]
        )
    )
    assert session_plan(jobs, workflow.extract(jobs, "a.yml"), settings, _place) is None
    assert session_plan(STEPS, workflow.extract(STEPS, "a.yml"), settings, _place) is not None
