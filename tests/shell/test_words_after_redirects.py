"""Words after a redirect are the command's arguments, as bash has them.

tree-sitter-bash 0.25.1 reads every word after `< FILE` (or `> FILE`, `2>&1`) as one more
`destination` of that redirect, and every word after a here-doc's start as an `argument` of the
here-doc. The command model lost them: `codex exec -C . </dev/null --yolo "p"` hid the bypass flag
(a missed CG303), and `codex exec < p.md -s read-only -` lost its sandbox and its `-` prompt (a
false CG301, a false CG202). openai/codex-action's command line, as guard/sources/codexaction.py
writes it, puts `< prompt-file` before the inputs that follow it in the step, so a codex-action
step with `prompt-file:` and `sandbox:` got a false CG301 too.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.model import Command, StdinKind
from guard.sources.snippet import Snippet
from guard.sources.workflow import extract as extract_workflow

BASH = shutil.which("bash")


def codex(text: str) -> Command:
    (found,) = [c for c in parse_script(text).commands if c.program == "codex"]
    return found


def argv(cmd: Command) -> list[str]:
    return [w.text for w in cmd.argv]


@pytest.mark.parametrize(
    ("line", "words", "stdin"),
    [
        (
            "codex exec -C . < p.md -s read-only -o o.txt -",
            ["codex", "exec", "-C", ".", "-s", "read-only", "-o", "o.txt", "-"],
            StdinKind.FILE,
        ),
        (
            "codex exec -C . </dev/null --yolo -o o.txt 'p'",
            ["codex", "exec", "-C", ".", "--yolo", "-o", "o.txt", "p"],
            StdinKind.NULL,
        ),
        (
            'codex exec 2>/dev/null -s read-only "hi" </dev/null',
            ["codex", "exec", "-s", "read-only", "hi"],
            StdinKind.NULL,
        ),
        (
            "codex exec >out 2>&1 -s read-only -o o.txt - <in",
            ["codex", "exec", "-s", "read-only", "-o", "o.txt", "-"],
            StdinKind.FILE,
        ),
        (
            "true && codex exec < p.md -s read-only -",
            ["codex", "exec", "-s", "read-only", "-"],
            StdinKind.FILE,
        ),
    ],
)
def test_words_after_a_file_redirect_are_arguments(
    line: str, words: list[str], stdin: StdinKind
) -> None:
    cmd = codex(line + "\n")
    assert argv(cmd) == words
    assert cmd.stdin.kind is stdin


def test_the_redirect_target_is_still_the_first_word_only() -> None:
    cmd = codex("codex exec < p.md -s read-only -\n")
    assert cmd.stdin.source == "p.md"
    # each word keeps its own place in the line
    assert [(w.text, w.span.column) for w in cmd.argv[2:]] == [
        ("-s", 19),
        ("read-only", 22),
        ("-", 32),
    ]


def test_words_after_a_heredoc_start_are_arguments() -> None:
    cmd = codex("codex exec <<'E' -C . --yolo -o o.txt -\nhello\nE\n")
    assert argv(cmd) == ["codex", "exec", "-C", ".", "--yolo", "-o", "o.txt", "-"]
    assert cmd.stdin.kind is StdinKind.HEREDOC
    assert cmd.stdin.source == "hello\n"


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_bash_gives_those_words_to_the_command() -> None:
    done = subprocess.run(
        [str(BASH), "-c", "printf '<%s>' < /dev/null a b 2>/dev/null c; cat <<'E' - x\nE\n"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.stdout.startswith("<a><b><c>")
    assert "cat: x: No such file or directory" in done.stderr


def rules(text: str, path: str = "run.sh") -> list[tuple[str, int]]:
    found = lint_snippet(Snippet(text, path), Settings())
    return sorted((f.rule, f.location.line) for f in found)


def test_a_bypass_flag_after_a_redirect_is_found() -> None:
    text = (
        "cd /srv/app\n"
        "codex exec -C . </dev/null --dangerously-bypass-approvals-and-sandbox -o o.txt p\n"
    )
    assert rules(text) == [("CG303", 2)]


def test_a_sandbox_and_prompt_after_a_redirect_are_seen() -> None:
    text = "cd /srv/app\ncodex exec -C . < p.md -s read-only -o o.txt -\n"
    assert rules(text) == []


CODEX_ACTION = """\
on: pull_request
jobs:
  codex:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: openai/codex-action@v1
        with:
          prompt-file: .github/codex/prompts/review.md
          output-file: codex-output.md
          sandbox: read-only
"""


def test_a_codex_action_sandbox_after_its_prompt_file_is_seen() -> None:
    (snippet,) = extract_workflow(CODEX_ACTION, ".github/workflows/review.yml")
    assert [f.rule for f in lint_snippet(snippet, Settings())] == []
    implicit = CODEX_ACTION.replace("          sandbox: read-only\n", "")
    (snippet,) = extract_workflow(implicit, ".github/workflows/review.yml")
    # the action's own default is workspace-write: said for it, so still no CG301
    assert [f.rule for f in lint_snippet(snippet, Settings())] == []
