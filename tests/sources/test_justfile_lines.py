"""What just hands the shell from a recipe line: the `@` (quiet) and `-` (errors ignored)
sigils are just's, stripped one of each in either order from the first line of a command in a
linewise recipe (just's Line.is_quiet / is_infallible), so `-codex exec ...` runs codex. A line
a backslash continues, and a shebang recipe's lines, keep them: the shell gets them as written.
(just is not installed here: this follows its documented behaviour and its source.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "guard.cli"]


def lint(folder: Path, text: str) -> list[tuple[str, int]]:
    path = folder / "justfile"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [*CLI, "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=300, cwd=folder,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    assert doc["errors"] == []
    return sorted((f["rule"], f["line"]) for f in doc["findings"])


SIGILS = """\
deploy:
    -codex exec -C . --dangerously-bypass-approvals-and-sandbox -o out.txt "Deploy" </dev/null
    -OPENAI_API_KEY=$K codex exec -C . -s workspace-write -o out.txt "Deploy" </dev/null
    -@codex exec -C . --yolo -o out.txt "Deploy" </dev/null
    @-codex exec -C . --yolo -o out.txt "Deploy" </dev/null
"""


LOOK_ALIKES = """\
help:
    -echo "codex exec --yolo runs the fleet" </dev/null
    @-echo 'OPENAI_API_KEY=x codex exec --yolo' </dev/null

review:
    echo start \\
    -codex exec --yolo
    --codex exec -C . --yolo -o out.txt "Deploy" </dev/null

script:
    #!/usr/bin/env bash
    -codex exec -C . --yolo -o out.txt "Deploy" </dev/null
"""


def test_sigils_are_stripped_and_the_command_is_linted(tmp_path: Path) -> None:
    assert lint(tmp_path, SIGILS) == [("CG101", 3), ("CG303", 2), ("CG303", 4), ("CG303", 5)]
    # Look-alikes: `-codex` after a continuation is an argument of echo; `--codex` is the command `-codex`
    # (one sigil goes); in a shebang recipe bash runs the command `-codex`, not codex.
    assert lint(tmp_path, LOOK_ALIKES) == []


# just writes an interpolation's text into the line before the shell reads it: where a command
# starts, a value that begins with an assignment is the shell's prefix assignment.
PREFIXES = """\
codex_env := "OPENAI_API_KEY=abc"
billing := "OPENAI_API_KEY=" + env_var_or_default("KEY", "")
tmp_env := "TMPDIR=" + justfile_directory() + "/tmp"

work:
    {{codex_env}} codex exec -C . -s read-only -o out.txt "Review" </dev/null

other:
    cd . && {{ billing }} codex exec -C . --yolo -o out.txt "Review" </dev/null

echoed:
    echo {{codex_env}} codex exec -C . -s read-only -o out.txt "Review" </dev/null
    {{tmp_env}} codex exec -C . -s read-only -o out.txt "Review" </dev/null
"""


def test_an_interpolation_that_expands_to_an_env_prefix_is_one(tmp_path: Path) -> None:
    assert lint(tmp_path, PREFIXES) == [("CG101", 6), ("CG101", 9), ("CG303", 9)]


# An interpolation that is empty writes nothing: the next one starts the command.
EMPTY_FIRST = """\
codex_env := "OPENAI_API_KEY=abc"
empty := ""
wrap := "echo"

work:
    {{empty}}{{codex_env}} codex exec -C . -s read-only -o out.txt "Review" </dev/null
    {{ empty }} {{empty}}{{codex_env}} codex exec -C . -s read-only -o out.txt "Review" </dev/null

other:
    echo {{empty}}{{codex_env}} codex exec -C . -s read-only -o out.txt "Review" </dev/null
    {{wrap}} {{empty}}{{codex_env}} codex exec -C . -s read-only -o out.txt "Review" </dev/null
    {{empty}} codex exec -C . -s read-only -o out.txt "Review" </dev/null
"""


def test_an_empty_interpolation_before_a_prefix_leaves_it_first(tmp_path: Path) -> None:
    assert lint(tmp_path, EMPTY_FIRST) == [("CG101", 6), ("CG101", 7)]


DOTENV = """\
set dotenv-load
set dotenv-filename := ".env.ci"

review:
    codex exec -C . -s read-only -o out.txt - < prompt.md

docs:
    @echo "codex exec is run by review"
"""


def test_dotenv_settings_load_an_env_file_before_every_recipe(tmp_path: Path) -> None:
    # just loads the named file (`.env` by default) into each recipe's env: CG103, and an error
    # when the file is in the repo and sets a key
    assert lint(tmp_path, DOTENV) == [("CG103", 5)]
    assert lint(tmp_path, DOTENV.replace("set dotenv-load\n", "set dotenv-load := false\n")) == [
        ("CG103", 5)  # the file's name still loads it
    ]
    off = "set dotenv-load := false\n" + DOTENV.split("\n", 2)[2]
    assert lint(tmp_path, off) == []
    (tmp_path / ".env.ci").write_text("OPENAI_API_KEY=sk-x\n", encoding="utf-8")
    path = tmp_path / "justfile"
    path.write_text(DOTENV, encoding="utf-8")
    done = subprocess.run(
        [*CLI, "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["rule"], finding["severity"]) == ("CG103", "error")
    assert [(r["line"], r["column"]) for r in finding["related"]] == [(2, 25)]  # the file's name
