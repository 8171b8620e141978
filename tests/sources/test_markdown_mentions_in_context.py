"""Agent-file spans read in their context: a span that documents a flag in a table, one quoted
in a blockquote and one talked about in prose ("the difference between `...` and ...") are
mentions; the same spans told to be run (an imperative before them, a column of commands) are
instructions. A false positive is as bad as a miss: both directions are tested."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from guard.sources.markdown import fenced_shell_lines, inline_commands


def lint(path: Path) -> list[tuple[str, int]]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return sorted((f["rule"], f["line"]) for f in doc["findings"])


def spans(text: str) -> list[tuple[int, str]]:
    return [
        (s.line_offset + 1, s.text.strip()) for s in inline_commands(text.split("\n"), "AGENTS.md")
    ]


def streamed(text: str) -> list[int]:
    lines = enumerate(text.split("\n"), start=1)
    return [number for number, _ in fenced_shell_lines(lines, agent=True)]


MENTIONS = """\
# Flags we document

| Flag | Meaning |
|------|---------|
| `codex exec --yolo "x"` | never use |
| `codex exec --full-auto "x"` | workspace-write with on-request approvals |
| `codex exec --dangerously-bypass-approvals-and-sandbox -` | no sandbox at all |

> We once ran `codex exec --yolo "clean up"` on a laptop and lost a day.
> The old docs said `codex exec --full-auto -` was the low-friction mode.

There is a difference between `codex exec --full-auto "x"` and `codex exec -s workspace-write "x"`.
Compare `codex exec --yolo "x"` with the sandboxed form before you pick one.
`codex exec --yolo -` versus `codex exec -s read-only -`: only the second is safe here.
Whether `codex exec --full-auto -` still works depends on the version.

| Lane | Command |
|------|---------|
| old | `codex exec --yolo -C . -` (removed) |
| risky | `codex exec --yolo -C . -` | dangerous |

- `codex exec --yolo -` is what the old scripts used; we do not use it any more.
- The `--full-auto` shortcut (`codex exec --full-auto -`) was removed upstream.
- Prefer `-s workspace-write` over `codex exec --dangerously-bypass-approvals-and-sandbox -`.
Or with an explicit key (never do this): `OPENAI_API_KEY=sk-x codex exec -s read-only -C . -`
"""


@pytest.mark.parametrize("where", ["AGENTS.md", "CLAUDE.md", ".claude/commands/fix.md"])
def test_documented_quoted_and_compared_spans_are_mentions(tmp_path: Path, where: str) -> None:
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MENTIONS, encoding="utf-8")
    assert lint(path) == []
    assert spans(MENTIONS) == []
    assert streamed(MENTIONS) == []


INSTRUCTIONS = """\
# Lanes

| Lane | Command |
|------|---------|
| review | `codex exec --yolo -C . - < /tmp/review.txt` |
| fix | run `codex exec --full-auto -C . - < /tmp/fix.txt` |

| Step | Notes |
|------|-------|
| 1 | start the worker with `codex exec --yolo -C . - < /tmp/w.txt` |

> [!IMPORTANT]
> Always run `codex exec --yolo -C . - < /tmp/p.txt` inside the VM.

- `codex exec --yolo -C . - < /tmp/list.txt`
Then run `codex exec --full-auto -C . - < /tmp/a.txt` and compare it with `codex exec --yolo -C . - < /tmp/b.txt`.
"""


def test_spans_told_to_run_are_instructions(tmp_path: Path) -> None:
    path = tmp_path / "AGENTS.md"
    path.write_text(INSTRUCTIONS, encoding="utf-8")
    assert lint(path) == [
        ("CG303", 5),
        ("CG303", 10),
        ("CG303", 13),
        ("CG303", 15),
        ("CG903", 6),
        ("CG903", 16),
    ]
    assert [line for line, _ in spans(INSTRUCTIONS)] == [5, 6, 10, 13, 15, 16]
    # The token scan of a file too large to parse reads the same spans.
    assert streamed(INSTRUCTIONS) == [5, 6, 10, 13, 15, 16]


def test_a_table_ends_at_the_first_line_that_is_not_a_row() -> None:
    text = "| Flag | Command |\n|---|---|\n| a | b |\n\nThe difference: none.\n`codex exec --yolo -C . -`\n"
    assert [line for line, _ in spans(text)] == [6]


def test_spans_in_fences_do_not_change_the_table_reading() -> None:
    text = "| A | Command |\n|---|---|\n```bash\necho hi\n```\n| x | `codex exec --yolo -C . -` |\n"
    # The fence ends the table: the row after it has no header, so its span is documentation.
    assert spans(text) == []


# Counter-examples an agent file shows to warn against them: labelled a mistake, or disowned by
# the rest of their own sentence. Each would bill the API if it were an instruction (CG101).
MISTAKES = """\
# Billing

Typical mistake: `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "check" </dev/null`
Common mistake: `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "check" </dev/null`
Anti-pattern: `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "check" </dev/null`
`OPENAI_API_KEY=sk-x codex exec -C . -s read-only "check" </dev/null` bills the API; never do that.
Setting `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "x" </dev/null` bills; never do this.
"""


@pytest.mark.parametrize("where", ["AGENTS.md", "CLAUDE.md"])
def test_spans_called_a_mistake_or_disowned_are_mentions(tmp_path: Path, where: str) -> None:
    path = tmp_path / where
    path.write_text(MISTAKES, encoding="utf-8")
    assert lint(path) == []
    assert spans(MISTAKES) == []
    assert streamed(MISTAKES) == []


# The same words where the span is the thing to run: the fix after a mistake's clause, a span
# named as the remedy, and one that "never do that" cannot point back to past another span.
MISTAKE_WORDS_AROUND_INSTRUCTIONS = """\
# Billing

A common mistake is to forget stdin; run `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "v" </dev/null`.
Fix the mistake with: `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "check" </dev/null`
Run `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "v" </dev/null`, not `codex exec --yolo -`; never do that.
Run `OPENAI_API_KEY=sk-x codex exec -C . -s read-only "v" </dev/null` and never do that with a key.
"""


def test_mistake_words_do_not_hide_the_instruction_they_stand_near(tmp_path: Path) -> None:
    path = tmp_path / "AGENTS.md"
    path.write_text(MISTAKE_WORDS_AROUND_INSTRUCTIONS, encoding="utf-8")
    assert lint(path) == [("CG101", 3), ("CG101", 4), ("CG101", 5), ("CG101", 6)]
    assert [line for line, _ in spans(MISTAKE_WORDS_AROUND_INSTRUCTIONS)] == [3, 4, 5, 6]
    assert streamed(MISTAKE_WORDS_AROUND_INSTRUCTIONS) == [3, 4, 5, 6]
