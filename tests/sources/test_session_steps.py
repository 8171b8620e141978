"""CG401 across the snippets of one file that run on one machine (Snippet.session).

`--ephemeral` in one step and `codex exec resume` in a later step of the same GitHub job, a GitLab
job's `after_script`, a later spawn of a Python/JS/Go program, a later block of an agent's
instructions, a justfile recipe run after it: the resume finds nothing. Each file is linted
through the real console script, and the CG401 findings are compared whole (place, severity and
the "resumed here" location), so the look-alikes in the same file (another job, an ephemeral run
after the resume, a resume under another Codex home, argv variants of one spawn, a recipe written
after the resume that no dependency orders before it) are shown to stay clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.sources.test_source_gaps import lint as lint_with_status

Place = tuple[int, int]


def cg401(folder: Path, name: str, text: str) -> list[tuple[str, Place, str, list[Place]]]:
    """(file, (line, column), severity, related places) of every CG401 in the file."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    doc: dict[str, Any] = lint_with_status(path, "--select", "CG401")[1]
    assert not doc["errors"], doc["errors"]
    return [
        (
            Path(f["path"]).name,
            (f["line"], f["column"]),
            f["severity"],
            [(r["line"], r["column"]) for r in f.get("related", ()) if r["note"] == "resumed here"],
        )
        for f in doc["findings"]
    ]


def at(text: str, line: int, needle: str) -> Place:
    """(line, column) of `needle` on a 1-based line of `text`."""
    return line, text.split("\n")[line - 1].index(needle) + 1


# --- GitHub Actions: the steps of one job --------------------------------------------------------

WORKFLOW = """\
on: push
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: start
        run: codex exec --ephemeral -C . -s workspace-write "Start ag-77." </dev/null
      - name: continue
        run: |
          cd "$GITHUB_WORKSPACE"
          codex exec resume --last "Fix the failing test." </dev/null
  validate:
    runs-on: ubuntu-latest
    steps:
      - run: codex exec resume --last "Go on." </dev/null
      - run: codex exec --ephemeral -s read-only "Validate ag-77." </dev/null
  restored:
    runs-on: ubuntu-latest
    steps:
      - run: codex exec --ephemeral -s read-only "Validate ag-78." </dev/null
      - run: codex exec resume --last "Continue the restored session." </dev/null
        env:
          CODEX_HOME: /opt/restored-codex-home
  check:
    runs-on: ubuntu-latest
    steps:
      - run: codex exec --ephemeral -s read-only "Validate ag-79." </dev/null
  follow-up:
    needs: check
    runs-on: ubuntu-latest
    steps:
      - run: codex exec resume --last "Continue." </dev/null
"""


def test_a_later_step_of_the_same_github_job_resumes(tmp_path: Path) -> None:
    found = cg401(tmp_path, ".github/workflows/agent.yml", WORKFLOW)
    # Only `work`: `validate` resumes before its ephemeral run, `restored` resumes under another
    # CODEX_HOME, and `follow-up` is another job (a fresh runner), though it runs after `check`.
    assert found == [
        (
            "agent.yml",
            at(WORKFLOW, 8, "--ephemeral"),
            "error",
            [at(WORKFLOW, 12, "codex exec resume")],
        )
    ]


FOLDED = """\
on: push
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: >
          codex exec --ephemeral -C . -s workspace-write
          "Start ag-77." </dev/null
      - run: >-
          codex exec resume --last
          "Fix the failing test." </dev/null
"""


def test_folded_steps_of_the_same_github_job_are_one_session(tmp_path: Path) -> None:
    """A `run: >` step is a step of its job like a `run: |` one (its words on their own lines)."""
    found = cg401(tmp_path, ".github/workflows/agent.yml", FOLDED)
    assert found == [
        ("agent.yml", at(FOLDED, 7, "--ephemeral"), "error", [at(FOLDED, 10, "codex exec")])
    ]


COMPOSITE = """\
name: agent
runs:
  using: composite
  steps:
    - shell: bash
      run: codex exec --ephemeral -C . -s workspace-write "Start ag-77." </dev/null
    - shell: bash
      run: codex exec resume --last "Fix the failing test." </dev/null
"""


def test_a_later_step_of_a_composite_action_resumes(tmp_path: Path) -> None:
    found = cg401(tmp_path, "action.yml", COMPOSITE)
    assert found == [
        ("action.yml", at(COMPOSITE, 6, "--ephemeral"), "error", [at(COMPOSITE, 8, "codex")])
    ]


# --- GitLab CI: `after_script` runs after the job's `script`, in its build environment ------------

GITLAB = """\
work:
  after_script:
    - codex exec resume --last "Summarize what failed." </dev/null
  script:
    - codex exec --ephemeral -C . -s workspace-write "Start ag-77." </dev/null
validate:
  script:
    - codex exec --ephemeral -s read-only "Validate ag-77." </dev/null
follow-up:
  script:
    - codex exec resume --last "Continue." </dev/null
"""


def test_a_gitlab_after_script_resumes_the_script(tmp_path: Path) -> None:
    found = cg401(tmp_path, ".gitlab-ci.yml", GITLAB)
    # `after_script` runs last wherever it is written; `follow-up` is another job.
    assert found == [
        (".gitlab-ci.yml", at(GITLAB, 5, "--ephemeral"), "error", [at(GITLAB, 3, "codex")])
    ]


# --- Programs: a later spawn of the same file ----------------------------------------------------

PYTHON = """\
import os
import subprocess

subprocess.run(["codex", "exec", "--ephemeral", "-C", ".", "-s", "workspace-write", "Start."], stdin=subprocess.DEVNULL)
subprocess.run(["codex", "exec", "resume", "--last", "Fix the failing test."], stdin=subprocess.DEVNULL)

subprocess.run(["codex", "exec", "--ephemeral", "-s", "read-only", "Validate."], stdin=subprocess.DEVNULL)
subprocess.run(["codex", "exec", "resume", "--last", "Go on."], stdin=subprocess.DEVNULL, env={**os.environ, "CODEX_HOME": "/opt/restored"})
"""

PYTHON_VARIANTS = """\
import subprocess
import sys

fresh = len(sys.argv) > 1
args = ["exec", "--ephemeral", "-s", "read-only", "Validate."] if fresh else ["exec", "resume", "--last", "Go on."]
subprocess.run(["codex", *args], stdin=subprocess.DEVNULL)
"""


def test_a_later_python_spawn_resumes(tmp_path: Path) -> None:
    found = cg401(tmp_path, "dispatch.py", PYTHON)
    # The second ephemeral run (line 7) is resumed only under another CODEX_HOME.
    assert found == [("dispatch.py", (4, 12), "error", [(5, 1)])]
    # The argv variants of one spawn are alternatives: neither runs after the other.
    assert cg401(tmp_path, "variants.py", PYTHON_VARIANTS) == []


JAVASCRIPT = """\
const { spawnSync } = require("child_process");
spawnSync("codex", ["exec", "resume", "--last", "Go on."], { stdio: ["ignore", "inherit", "inherit"] });
spawnSync("codex", ["exec", "--ephemeral", "-C", ".", "-s", "workspace-write", "Start."], { stdio: ["ignore", "inherit", "inherit"] });
spawnSync("codex", ["exec", "resume", "--last", "Fix the failing test."], { stdio: ["ignore", "inherit", "inherit"] });
spawnSync("codex", ["exec", "--ephemeral", "-s", "read-only", "Validate."], { stdio: ["ignore", "inherit", "inherit"] });
"""


def test_a_later_javascript_spawn_resumes(tmp_path: Path) -> None:
    # Line 5's ephemeral run comes after every resume; line 2's resume is before line 3.
    assert cg401(tmp_path, "dispatch.js", JAVASCRIPT) == [
        ("dispatch.js", (3, 12), "error", [(4, 1)])
    ]


GO = """\
package main

import "os/exec"

func main() {
	exec.Command("codex", "exec", "--ephemeral", "-C", ".", "-s", "workspace-write", "Start.").Run()
	exec.Command("codex", "exec", "resume", "--last", "Fix the failing test.").Run()
	exec.Command("codex", "exec", "--ephemeral", "-s", "read-only", "Validate.").Run()
}
"""


def test_a_later_go_spawn_resumes(tmp_path: Path) -> None:
    found = cg401(tmp_path, "main.go", GO)
    assert [(place[0], related) for _name, place, _sev, related in found] == [(6, [(7, 2)])]


# --- Markdown: a later block of the same agent instructions --------------------------------------

AGENTS = """\
# Lane runbook

Start the work:

```bash
codex exec --ephemeral -C . -s workspace-write "Start ag-77." </dev/null
```

Then continue it:

```bash
cd "$REPO"
codex exec resume --last "Fix the failing test." </dev/null
```

Last, an independent check nothing resumes:

```bash
codex exec --ephemeral -s read-only "Validate ag-77." </dev/null
```
"""


def test_a_later_block_of_an_agent_file_resumes(tmp_path: Path) -> None:
    found = cg401(tmp_path, "AGENTS.md", AGENTS)
    assert found == [
        ("AGENTS.md", at(AGENTS, 6, "--ephemeral"), "error", [at(AGENTS, 13, "codex")])
    ]


# --- justfile: what one `just` run orders, and the recipes in file order, as make's -------------

JUSTFILE = """\
# `just continue` runs `start` first, wherever it is written.
continue: start
    codex exec resume --last "Fix the failing test." </dev/null

start:
    codex exec --ephemeral -C . -s workspace-write "Start ag-77." </dev/null

# Run by hand, `validate` then `go-on`, in the justfile's folder, as a Makefile's targets.
validate:
    codex exec --ephemeral -s read-only "Validate ag-77." </dev/null

go-on:
    codex exec resume --last "Go on." </dev/null

# At once: `review` and `go-on` run in no order (and `go-on` is written above `review`); `fix`,
# written below, resumes `review`'s session too.
[parallel]
both: review go-on

review:
    codex exec --ephemeral -s read-only "Review ag-77." </dev/null

# In order: `check`, then `fix`.
ci: check fix

check:
    codex exec --ephemeral -s read-only "Check ag-77." </dev/null

fix:
    cd "$REPO" && codex exec resume --last "Fix what the check found." </dev/null
"""


def test_a_justfile_recipe_run_after_the_ephemeral_one_resumes(tmp_path: Path) -> None:
    found = cg401(tmp_path, "justfile", JUSTFILE)
    assert sorted(found) == [
        ("justfile", at(JUSTFILE, 6, "--ephemeral"), "error", [at(JUSTFILE, 3, "codex")]),
        ("justfile", at(JUSTFILE, 10, "--ephemeral"), "error", [at(JUSTFILE, 13, "codex")]),
        ("justfile", at(JUSTFILE, 21, "--ephemeral"), "error", [at(JUSTFILE, 30, "codex")]),
        ("justfile", at(JUSTFILE, 27, "--ephemeral"), "error", [at(JUSTFILE, 30, "codex")]),
    ]


# --- One script: a resume under another Codex home ------------------------------------------------

HOMES = """\
codex exec --ephemeral -s read-only "Validate ag-77." </dev/null
CODEX_HOME=/opt/restored codex exec resume --last "Continue the restored session." </dev/null
caam exec codex pro-2 -- exec --ephemeral -s read-only "Validate ag-78." </dev/null
caam exec codex pro-3 -- exec resume --last "Continue." </dev/null
caam exec codex pro-2 -- exec resume --last "Continue." </dev/null
"""


def test_a_resume_under_another_codex_home_is_not_this_run(tmp_path: Path) -> None:
    # Line 1's run and line 2's resume read different homes; so do caam's profiles pro-2 and
    # pro-3. Line 5 resumes in pro-2's home, where line 3 ran.
    found = cg401(tmp_path, "dispatch.sh", HOMES)
    assert found == [("dispatch.sh", at(HOMES, 3, "--ephemeral"), "error", [(5, 1)])]
