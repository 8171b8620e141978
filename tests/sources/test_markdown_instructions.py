"""Markdown an agent acts on (issue 8, item 7): inline code spans that are whole codex command
lines, `$ ` prompts in sh/bash/shell fences, and placeholders that stay words.

Every case is a file a user writes, linted through the real console script. The prose comes from
READMEs of the kind real projects ship: it names `codex exec` and its flags as nouns, and that must
stay silent; only a span that is a whole command line, in a file an agent reads, is an instruction.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from guard.sources.markdown import is_codex_command_line, mask_placeholders
from tests.commandlines import MENTIONS as MENTION_LINES
from tests.commandlines import codex_line


def lint(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode in (0, 1), done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    assert doc["errors"] == []
    return doc


def hits(doc: dict[str, Any]) -> set[tuple[str, int, int]]:
    return {(f["rule"], f["line"], f["column"]) for f in doc["findings"]}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# Prose in the style of real READMEs: every codex mention here is a noun, a flag named in a
# sentence, or a part of the CLI; none is a command line to run.
MENTIONS = """\
# Working on this repository

`codex exec` is the headless mode of the Codex CLI: it runs one task and exits.
`codex exec resume` continues a session; `codex login status` tells you which account is used.
The `--json` flag of `codex exec` prints one event per line, and `-o FILE` keeps the last message.
Use `codex` interactively when you want to watch; the `codex exec` subcommand is for scripts.
Never run `codex exec --dangerously-bypass-approvals-and-sandbox` on your laptop.
Prefer `-s workspace-write` instead of `codex exec --yolo "..."`.
The old `--full-auto` flag was removed in 0.171.0 (`codex exec --full-auto` exits 2).
Set `OPENAI_API_KEY` only for the API examples; `codex-guard` checks the rest.

Bad: `codex exec --yolo -C . - < task.md`. Good: `codex exec -s workspace-write -C . - < task.md`.
- ❌ `OPENAI_API_KEY=$KEY codex exec -s read-only -C . - < task.md`
"""


@pytest.mark.parametrize(
    "where",
    ["AGENTS.md", "CLAUDE.md", "skills/review/SKILL.md", ".claude/commands/fix.md",
     ".codex/prompts/triage.md", "README.md"],
)  # fmt: skip
def test_prose_that_mentions_codex_is_silent(tmp_path: Path, where: str) -> None:
    doc = lint(write(tmp_path / where, MENTIONS))
    assert doc["findings"] == []


def test_a_span_that_is_a_whole_command_line_is_an_instruction(tmp_path: Path) -> None:
    agents = write(
        tmp_path / "AGENTS.md",
        "# Dispatch\n"
        "\n"
        "To hand a task to a worker, run `codex exec --full-auto - < /tmp/p.txt` from the root.\n"
        "For a review that may touch anything, use `codex exec --yolo -C . - < /tmp/r.txt`.\n",
    )
    doc = lint(agents)
    line3 = agents.read_text().split("\n")[2]
    line4 = agents.read_text().split("\n")[3]
    assert hits(doc) == {
        ("CG903", 3, line3.index("--full-auto") + 1),
        ("CG303", 4, line4.index("--yolo") + 1),
    }


@pytest.mark.parametrize(
    "where", [".claude/commands/dispatch.md", ".codex/prompts/worker.md", "skills/w/SKILL.md"]
)
def test_agent_command_and_prompt_files_read_spans(tmp_path: Path, where: str) -> None:
    text = (
        "Dispatch the task: `OPENAI_API_KEY=$KEY codex exec -s workspace-write -C . - < task.md`\n"
        "then log in again with `codex login --with-api-key`.\n"
    )
    doc = lint(write(tmp_path / where, text))
    assert {(f["rule"], f["line"]) for f in doc["findings"]} == {("CG101", 1), ("CG102", 2)}


def test_only_documentation_rules_apply_to_a_span(tmp_path: Path) -> None:
    # A positional prompt with no sandbox and no -C: in a fence of AGENTS.md that is CG201,
    # CG301, CG503 (the agent's Bash tool runs it); a span says nothing of how it is wired.
    doc = lint(write(tmp_path / "AGENTS.md", 'Then run `codex exec "fix the flaky test"`.\n'))
    assert doc["findings"] == []


def test_spans_in_ordinary_docs_are_not_instructions(tmp_path: Path) -> None:
    doc = lint(write(tmp_path / "docs/usage.md", "Run `codex exec --yolo - < p.txt` to try.\n"))
    assert doc["findings"] == []


def test_spans_inside_fences_are_read_once_as_the_fence(tmp_path: Path) -> None:
    text = "```bash\necho '`codex exec --yolo -`' > notes.txt\n```\n"
    assert lint(write(tmp_path / "AGENTS.md", text))["findings"] == []


@pytest.mark.parametrize(
    ("code", "is_line"),
    [
        ("codex exec", False),
        ("codex exec resume", False),
        ("codex login status", False),
        ("codex", False),
        ("codex-guard lint .", False),
        ("codex exec --json", True),
        ("CODEX_HOME=/tmp/h codex exec -s read-only - < p.txt", True),
        ("npx -y @openai/codex exec --yolo -", True),
        ("/usr/local/bin/codex exec -s read-only -", True),
        ("echo codex exec --yolo", False),
        ("the codex exec --yolo flag", False),
    ],
)
def test_what_counts_as_a_whole_command_line(code: str, is_line: bool) -> None:
    assert is_codex_command_line(code) is is_line


@pytest.mark.parametrize("lang", ["sh", "bash", "shell"])
def test_prompt_lines_in_shell_fences_are_a_transcript(tmp_path: Path, lang: str) -> None:
    text = (
        f"```{lang}\n"
        "$ codex exec --yolo -C . - < /tmp/p.txt\n"
        "codex exec --yolo is what the model printed\n"
        "$ codex exec -s read-only -C . - < /tmp/q.txt\n"
        "```\n"
    )
    doc = lint(write(tmp_path / "AGENTS.md", text))
    # Line 3 is output: the `--yolo` in it is text, not a command.
    assert {(f["rule"], f["line"]) for f in doc["findings"]} == {("CG303", 2)}


@pytest.mark.parametrize(
    "line",
    [
        'codex exec -s read-only -C <workdir> "<prompt>" </dev/null',
        'codex exec -s read-only -C <répertoire> "<提示>" </dev/null',
        "codex exec -s read-only -C <ディレクトリ> <作業内容> </dev/null",
        'codex exec -s read-only -C <work dir> "<your prompt here>" </dev/null',
    ],
)
def test_placeholders_stay_words_in_fences_and_spans(tmp_path: Path, line: str) -> None:
    masked = mask_placeholders(line)
    assert len(masked) == len(line)
    assert masked.count("<") == 1  # only the real `</dev/null` is left
    text = f"```bash\n{line}\n```\n\nOr in prose: run `{line}`.\n"
    doc = lint(write(tmp_path / "AGENTS.md", text))
    assert doc["findings"] == []
    assert doc["errors"] == []


def test_a_placeholder_run_is_still_checked(tmp_path: Path) -> None:
    # The placeholder is a word: the flags around it are still read (and the bad one found).
    text = 'Run `codex exec --yolo -C <workdir> "<prompt>" </dev/null` in the repo.\n'
    doc = lint(write(tmp_path / "AGENTS.md", text))
    assert {f["rule"] for f in doc["findings"]} == {"CG303"}


def test_fix_rewrites_the_span_in_place(tmp_path: Path) -> None:
    doc = write(
        tmp_path / "AGENTS.md",
        "# Dispatch\n\nRun `codex exec --full-auto -C . - < /tmp/p.txt` from the root.\n",
    )
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--fix", str(doc)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr + done.stdout
    assert doc.read_text() == (
        "# Dispatch\n\nRun `codex exec -s workspace-write -C . - < /tmp/p.txt` from the root.\n"
    )
    assert lint(doc)["findings"] == []


def _findings_in_process(path: Path, text: str) -> list[str]:
    from guard.commands.lint import FileJob, _rule_text, lint_file
    from guard.engine import load_rules
    from guard.settings import Settings

    job = FileJob(str(path), True, Settings(), _rule_text(load_rules()), content=text.encode())
    return [f.rule for f in lint_file(job).findings]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mention=st.sampled_from(MENTION_LINES), line=codex_line())
def test_spans_outside_agent_files_and_mentions_are_silent(
    tmp_path: Path, mention: str, line: str
) -> None:
    assume("`" not in line + mention)
    # Ordinary docs: even a whole command line in a span is an example, not an instruction.
    assert _findings_in_process(tmp_path / "README.md", f"Try `{line}` here.\n") == []
    # Agent files: a line that only mentions codex is prose wherever it sits.
    assert _findings_in_process(tmp_path / "AGENTS.md", f"Then `{mention}` is shown.\n") == []
