"""YAML folded block scalars (`run: >`, `- >-`, `command: >`): the shell gets the text YAML folds
(line breaks between lines of text become spaces: what really runs), and each finding points at
the file line and column its words are written on, not at the block's first line. Literal blocks
(`|`) keep their places."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.sources.test_source_gaps import lint as lint_with_status


def lint(path: Path) -> dict[str, Any]:
    return lint_with_status(path)[1]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    """(line, column) of the ``nth`` line holding ``word``, 1-based, as a user sees it."""
    holding = [(n, line) for n, line in enumerate(text.splitlines(), 1) if word in line]
    number, line = holding[nth]
    return number, line.index(word) + 1


def places(doc: dict[str, Any]) -> set[tuple[str, int, int]]:
    return {(f["rule"], f["line"], f["column"]) for f in doc["findings"]}


WORKFLOW = """\
on: push
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - run: >
          codex exec
          -C . -o out.md
          --dangerously-bypass-approvals-and-sandbox
          "Review" </dev/null
      - run: >-
          echo start;
          codex exec -s read-only -o out.md
            --yolo -C . "Review" </dev/null

          OPENAI_API_KEY=${{ secrets.OPENAI_KEY }}
          codex exec -s read-only -C . -o out.md "Review" </dev/null
"""


def test_workflow_findings_point_at_the_folded_lines_their_words_are_on(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", WORKFLOW))
    assert places(doc) == {
        ("CG303", *at(WORKFLOW, "--dangerously")),
        # `  --yolo` is more indented: YAML keeps the breaks around it, so the shell runs
        # `codex exec -s read-only -o out.md` on its own (no prompt, nothing on stdin) and
        # `--yolo ...` as another command: the folded text is what is checked.
        ("CG202", *at(WORKFLOW, "codex exec", 1)),
        ("CG503", *at(WORKFLOW, "codex exec", 1)),
        ("CG101", *at(WORKFLOW, "OPENAI_API_KEY")),
    }
    (key,) = [f for f in doc["findings"] if f["rule"] == "CG101"]
    assert key["end_line"] == at(WORKFLOW, "codex exec", 2)[0]  # the run spans both lines


def test_the_shell_gets_the_text_yaml_folds(tmp_path: Path) -> None:
    """`-C .` on the line after `codex exec` is on the same command line once folded (no
    CG503), and a workflow text reporter shows the line the word is on."""
    path = write(tmp_path, ".github/workflows/ci.yml", WORKFLOW)
    steps = yaml.safe_load(WORKFLOW)["jobs"]["review"]["steps"]
    assert steps[0]["run"].startswith("codex exec -C . -o out.md --dangerously")
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", str(path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    line, column = at(WORKFLOW, "--dangerously")
    assert f"ci.yml:{line}:{column}: CG303" in done.stdout
    assert f"{line} |           --dangerously-bypass-approvals-and-sandbox" in done.stdout


def test_a_literal_block_keeps_its_places(tmp_path: Path) -> None:
    text = WORKFLOW.replace("run: >-", "run: |").replace("run: >", "run: |")
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", text))
    # Each line its own command now: the first codex has no -C, the flag line is a command.
    assert ("CG503", *at(text, "codex exec")) in places(doc)
    assert all(f["rule"] != "CG303" for f in doc["findings"])


GITLAB = """\
review:
  image: node:20
  script:
    - echo start
    - >
      codex exec -C . -o out.md
      --dangerously-bypass-approvals-and-sandbox
      "Review" </dev/null
    - codex exec -C . -s read-only --yolo -o out.md "Again" </dev/null
"""


def test_gitlab_script_items_point_at_their_folded_lines(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB))
    assert places(doc) == {
        ("CG303", *at(GITLAB, "--dangerously")),
        ("CG303", *at(GITLAB, "--yolo")),  # the item after the folded one stays on its line
    }


PACKET = """\
kind: codex-packet
version: 1
id: ag-140
lane: worker
workspace: .
sandbox: workspace-write
prompt: "Implement ag-140."
command: >
  codex exec -C . -s workspace-write -o out.md
  --dangerously-bypass-approvals-and-sandbox -
"""


def test_a_packet_command_block_points_at_its_folded_lines(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, "f.packet.yaml", PACKET))
    assert ("CG303", *at(PACKET, "--dangerously")) in places(doc)
    codex = at(PACKET, "codex exec")
    assert {(f["line"], f["column"]) for f in doc["findings"] if f["rule"] == "CG302"} == {codex}
