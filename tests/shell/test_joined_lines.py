"""tree-sitter-bash 0.25.1 glues a line that has a file redirect onto a pipeline of three or more
commands on the line before (`git log | grep x | head` then `codex exec --yolo - < p.md` parse as
one command `head codex exec --yolo -`). Bash ends a command at the newline; so must we, or every
codex line after such a pipeline is silently lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parse_script
from guard.sources.snippet import RunContext, Snippet

RUN = "OPENAI_API_KEY=sk-x codex exec --yolo - < prompt.md"
PIPELINES = [
    "git log --oneline | grep fix | head -5",
    "cat a | sort | uniq -c | sort -rn",
    "ps aux|grep codex|wc -l",
    "true && git diff | grep -c x | tee n.txt",
]


def rules(script: str) -> set[str]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return {f.rule for f in found}


@pytest.mark.parametrize("pipeline", PIPELINES)
@pytest.mark.parametrize("redirect", ["< prompt.md", "> out.txt", "2> err.log"])
def test_the_line_after_a_long_pipeline_is_its_own_command(pipeline: str, redirect: str) -> None:
    script = f"{pipeline}\ncodex exec -C . -s read-only - {redirect} </dev/null\n"
    codex = [c for c in parse_script(script).commands if c.program == "codex"]
    assert len(codex) == 1, script
    assert codex[0].span.line == 2 and codex[0].argv[1].text == "exec"


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_a_keyed_yolo_run_after_a_long_pipeline_is_reported(pipeline: str) -> None:
    assert {"CG101", "CG303"} <= rules(f"{pipeline}\n{RUN}\n")


def test_bash_runs_that_line_as_codex(tmp_path: Path) -> None:
    fake = tmp_path / "codex"
    fake.write_text('#!/bin/sh\necho "$OPENAI_API_KEY $*" > "$(dirname "$0")/ran"\n')
    fake.chmod(0o755)
    (tmp_path / "prompt.md").write_text("p\n")
    script = f"echo a | cat | cat > /dev/null\n{RUN}\n"
    subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, check=True
    )
    assert (tmp_path / "ran").read_text().split() == ["sk-x", "exec", "--yolo", "-"]
    assert {"CG101", "CG303"} <= rules(script)


def test_a_continued_line_is_still_one_command() -> None:
    script = "a | b | codex exec --yolo \\\n  -C . - < p.md\n"
    codex = [c for c in parse_script(script).commands if c.program == "codex"]
    assert len(codex) == 1 and [w.text for w in codex[0].argv][-3:-1] == ["-C", "."]


WORD = st.sampled_from(["cat", "grep x", "sort", "head -3", "tr a b", "wc -l"])


@settings(max_examples=60, deadline=None)
@given(
    stages=st.lists(WORD, min_size=1, max_size=5),
    blank=st.sampled_from(["", "\n", "  \n", "# note\n"]),
    redirect=st.sampled_from(["< p.md", "> o", "2>e", ">>o", "<p.md"]),
)
def test_any_pipeline_then_a_redirected_codex_line(
    stages: list[str], blank: str, redirect: str
) -> None:
    script = f"{' | '.join(stages)}\n{blank}codex exec -C . --yolo - {redirect}\n"
    codex = [c for c in parse_script(script).commands if c.program == "codex"]
    assert len(codex) == 1, script
    assert "CG303" in rules(script)
