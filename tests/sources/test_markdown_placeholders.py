"""Docs write `<repo>` for "your repo here": bash would read a redirect, a reader reads a word."""

from __future__ import annotations

from pathlib import Path

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings
from guard.sources.markdown import mask_placeholders


def test_placeholders_become_words_of_the_same_length() -> None:
    line = 'codex exec -C <repo> -s workspace-write "<task>"'
    masked = mask_placeholders(line)
    assert masked == 'codex exec -C _repo_ -s workspace-write "_task_"'
    assert len(masked) == len(line)


def test_real_redirects_are_left_alone() -> None:
    for line in ("sort <in >out", "cat <<EOF", "diff <(ls a) <(ls b)", "x <in>out", "a << b"):
        assert mask_placeholders(line) == line


def test_a_placeholder_command_is_read_as_the_author_meant(tmp_path: Path) -> None:
    doc = tmp_path / "AGENTS.md"
    doc.write_text('```bash\ncodex exec -C <repo> -s workspace-write "<task>" </dev/null\n```\n')
    outcome = lint_file(FileJob(str(doc), True, Settings(), _rule_text(load_rules())))
    assert [f.rule for f in outcome.findings] == []
