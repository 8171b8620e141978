"""Each source kind: snippets with exact line offsets, the right context and dialect."""

from __future__ import annotations

import pytest

from guard.sources import dockerfile, justfile, makefile, markdown, shell, workflow
from guard.sources.base import SourceError, shebang_dialect
from guard.sources.snippet import RunContext, Snippet


def file_line(snippet: Snippet, needle: str) -> int:
    """The file line (1-based) of the first snippet line holding `needle`."""
    for index, line in enumerate(snippet.text.split("\n")):
        if needle in line:
            return snippet.line_offset + index + 1
    raise AssertionError(f"{needle!r} not in snippet")


def test_shell_whole_file_and_dialect() -> None:
    (snippet,) = shell.extract("#!/bin/sh\ncodex exec -\n", "run.sh")
    assert snippet.dialect == "sh"
    assert snippet.context is RunContext.SCRIPT
    assert snippet.line_offset == 0
    (bash,) = shell.extract("#!/usr/bin/env bash\n", "run.sh")
    assert bash.dialect == "bash"


@pytest.mark.parametrize(
    ("line", "dialect"),
    [
        ("#!/bin/sh", "sh"),
        ("#!/usr/bin/env dash", "sh"),
        ("#!/bin/bash", "bash"),
        ("#!/usr/bin/env zsh", "bash"),
        ("echo", "bash"),
    ],
)
def test_shebang_dialect(line: str, dialect: str) -> None:
    assert shebang_dialect(line) == dialect


WORKFLOW = """\
name: review
on: [pull_request]
env:
  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
jobs:
  review:
    runs-on: ubuntu-latest
    env:
      REPO: .
    steps:
      - uses: actions/checkout@v4
      - name: one-liner
        run: codex exec -s read-only "review"
      - name: block
        env:
          MODEL: o4
        run: |
          echo start
          codex exec -C "$REPO" -s read-only \\
            "Validate the change"
      - name: quoted
        run: "codex exec -s read-only hi"
      - name: powershell
        shell: pwsh
        run: codex exec hi
"""


def test_workflow_steps_lines_and_env() -> None:
    snippets = workflow.extract(WORKFLOW, ".github/workflows/review.yml")
    assert [s.context for s in snippets] == [RunContext.CI] * 3
    one, block, quoted = snippets
    assert file_line(one, "codex exec") == 13
    assert one.column_offset == len("        run: ")
    assert file_line(block, "echo start") == 18
    assert file_line(block, "codex exec") == 19
    assert file_line(block, "Validate") == 20
    assert block.block_indent == 10
    assert block.column_offset == 10
    assert quoted.column_offset == len('        run: "')
    assert file_line(quoted, "codex") == 22
    env = {name: (value, line) for name, value, line in block.external_env}
    assert env["OPENAI_API_KEY"] == ("${{ secrets.OPENAI_API_KEY }}", 4)
    assert env["REPO"] == (".", 9)
    assert env["MODEL"] == ("o4", 16)
    assert "MODEL" not in {name for name, _, _ in one.external_env}


def test_workflow_shell_defaults() -> None:
    text = "defaults:\n  run:\n    shell: sh\njobs:\n  a:\n    steps:\n      - run: codex exec x\n"
    (snippet,) = workflow.extract(text, ".github/workflows/a.yml")
    assert snippet.dialect == "sh"
    assert file_line(snippet, "codex") == 7


def test_composite_action() -> None:
    text = (
        "runs:\n  using: composite\n  steps:\n"
        "    - shell: bash\n      run: |\n        codex exec x\n"
    )
    (snippet,) = workflow.extract(text, "action.yml")
    assert file_line(snippet, "codex") == 6


def test_workflow_bad_yaml_is_a_source_error() -> None:
    with pytest.raises(SourceError) as info:
        workflow.extract("jobs:\n  a: [\n", ".github/workflows/x.yml")
    assert info.value.line >= 2
    assert workflow.extract("", ".github/workflows/empty.yml") == []


MARKDOWN = """\
# Dispatch

Run the worker:

```bash
codex exec -s workspace-write "task"
```

```python
codex = 1
```

- in a list:

  ```sh
  codex exec -s read-only "check"
  ```

```console
$ codex exec -s read-only "hello"
Reading additional input from stdin...
$ echo done
```

~~~shell
codex exec --ephemeral "x"
~~~
"""


def test_markdown_fences_lines_and_context() -> None:
    snippets = markdown.extract(MARKDOWN, "docs/guide.md")
    assert len(snippets) == 4
    first, listed, console, tilde = snippets
    assert first.context is RunContext.DOC
    assert file_line(first, "codex exec") == 6
    assert file_line(listed, "codex exec") == 16
    assert listed.text.startswith("codex exec")  # dedented by the fence's indent
    assert file_line(console, "codex exec") == 20
    assert "Reading additional input" not in console.text
    assert file_line(console, "echo done") == 22
    assert file_line(tilde, "--ephemeral") == 26


@pytest.mark.parametrize(
    "path",
    ["AGENTS.md", "CLAUDE.md", "skills/codex/SKILL.md", ".claude/commands/x.md", "agents/a.md"],
)
def test_markdown_agent_files(path: str) -> None:
    (snippet,) = markdown.extract("```bash\ncodex exec x\n```\n", path)
    assert snippet.context is RunContext.AGENT


def test_markdown_unclosed_fence_runs_to_the_end() -> None:
    (snippet,) = markdown.extract("```bash\ncodex exec x\n", "README.md")
    assert file_line(snippet, "codex") == 2


MAKEFILE = """\
export OPENAI_API_KEY ?= sk-dev
REPO := .

.PHONY: work
work: deps
\t@echo "dispatching"
\t-codex exec -C $(REPO) -s workspace-write \\
\t  "Implement $$TASK" </dev/null

# a comment between rules
validate:
\tcodex exec -s read-only -o verdict.txt "Validate"
"""


def test_makefile_recipes() -> None:
    (work,) = makefile.extract(MAKEFILE, "Makefile")  # one script: every recipe a subshell
    assert work.context is RunContext.SCRIPT
    assert file_line(work, "dispatching") == 6
    assert file_line(work, "codex exec") == 7
    assert file_line(work, "Implement") == 8
    assert "${REPO}" in work.text  # a make variable, not a command substitution
    assert '"Implement $TASK"' in work.text
    assert "@" not in work.text and "-codex" not in work.text
    line7 = work.text.split("\n")[file_line(work, "codex exec") - work.line_offset - 1]
    assert line7.index("codex") == MAKEFILE.split("\n")[6].index("codex")  # columns kept
    assert file_line(work, "-o verdict.txt") == 12
    assert ("OPENAI_API_KEY", "sk-dev", 1) in work.external_env


def test_dockerfile_run_lines() -> None:
    text = (
        "FROM node:20\n"
        "ENV OPENAI_API_KEY=sk-x MODE=ci\n"
        "RUN npm i -g @openai/codex\n"
        'RUN ["codex", "--version"]\n'
        "RUN --mount=type=cache,target=/root/.npm codex exec -s read-only \\\n"
        "    # a comment docker drops\n"
        '    "check" </dev/null\n'
    )
    snippets = dockerfile.extract(text, "Dockerfile")
    assert len(snippets) == 3  # the exec form is read too (as its quoted argv)
    install, version, run = snippets
    assert version.text.split() == ['"codex"', '"--version"']
    assert file_line(install, "npm") == 3
    assert file_line(run, "codex exec") == 5
    assert file_line(run, '"check"') == 7
    assert "--mount" not in run.text
    assert ("OPENAI_API_KEY", "sk-x", 2) in run.external_env


def test_dockerfile_heredoc() -> None:
    text = "FROM x\nRUN <<EOF\ncodex exec -s read-only hi </dev/null\nEOF\n"
    (snippet,) = dockerfile.extract(text, "Dockerfile")
    assert file_line(snippet, "codex") == 3


def test_justfile_recipes() -> None:
    text = (
        'repo := "."\n\nwork task:\n    @codex exec -s workspace-write "{{task}}"\n'
        "\nlint:\n    ruff check\n"
    )
    work, lint = justfile.extract(text, "justfile")
    assert file_line(work, "codex") == 4
    assert "@codex" not in work.text
    assert file_line(lint, "ruff") == 7


GITLAB = """\
variables:
  OPENAI_API_KEY: $CI_OPENAI_KEY
stages: [review]

review:
  stage: review
  variables:
    REPO: .
  before_script:
    - npm i -g @openai/codex
  script:
    - codex exec -C "$REPO" -s read-only "Review"
    - |
      echo more
      codex exec -C . -s read-only - < prompt.md
"""


def test_gitlab_script_items() -> None:
    from guard.sources import gitlab
    from guard.sources.detect import kind_by_name

    assert kind_by_name(".gitlab-ci.yml") == "gitlab"
    (job,) = gitlab.extract(GITLAB, ".gitlab-ci.yml")  # before_script + script: one shell
    assert job.context is RunContext.CI
    assert file_line(job, "npm") == 10
    assert file_line(job, 'codex exec -C "$REPO"') == 12
    assert (12, 12, len("    - ")) in job.line_map  # its own line, after `- `
    assert file_line(job, "echo more") == 14
    assert file_line(job, "codex exec -C .") == 15
    env = {name: line for name, _, line in job.external_env}
    assert env == {"OPENAI_API_KEY": 2, "REPO": 8}


def test_markdown_fence_deep_in_a_list() -> None:
    text = "1. Dispatch:\n\n    ```bash\n    codex exec -s read-only x\n    ```\n"
    (snippet,) = markdown.extract(text, "docs/how.md")
    assert snippet.text.startswith("codex exec")
    assert file_line(snippet, "codex") == 4
