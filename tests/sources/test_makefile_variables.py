"""Make variables the Makefile defines are read with their values: `$(CODEX) exec $(FLAGS)` is
checked as codex with those flags, not as a command codex-guard cannot resolve (CG902), and a
variable set on both sides of an `ifeq` holds both values, each with its branch."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def lint(path: Path) -> list[tuple[str, int, str]]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    assert doc["errors"] == []
    return sorted((f["rule"], f["line"], f["message"]) for f in doc["findings"])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Makefile"
    path.write_text(text, encoding="utf-8")
    return path


FLEET = """\
CODEX ?= codex
PROMPT ?= prompts/task.md
FLAGS = -C $(CURDIR) --json

review:
\t$(CODEX) exec -s read-only $(FLAGS) - < $(PROMPT)

fix:
\t$(CODEX) exec --dangerously-bypass-approvals-and-sandbox $(FLAGS) - < $(PROMPT)
"""


def test_a_program_and_flags_from_make_variables_are_checked(tmp_path: Path) -> None:
    found = lint(write(tmp_path, FLEET))
    assert [(rule, line) for rule, line, _ in found] == [("CG303", 9)]


CONDITIONAL = """\
ifeq ($(CI),true)
  SANDBOX := read-only
else
  SANDBOX := danger-full-access
endif

run:
\tcodex exec -s $(SANDBOX) -C $(CURDIR) - < task.md
"""


def test_a_variable_set_in_an_ifeq_holds_both_values(tmp_path: Path) -> None:
    ((rule, line, message),) = lint(write(tmp_path, CONDITIONAL))
    assert (rule, line) == ("CG303", 8)
    assert message.endswith("(when the file sets `$(SANDBOX)` to `danger-full-access` (line 4))")


@pytest.mark.parametrize(
    "makefile",
    [
        # Defined by a shell command or a make function: unknown, never guessed.
        "SANDBOX != cat mode.txt\nrun:\n\tcodex exec -s $(SANDBOX) -C . - < t.md\n",
        "SANDBOX = $(shell cat mode.txt)\nrun:\n\tcodex exec -s $(SANDBOX) -C . - < t.md\n",
        # A variable that only mentions codex.
        'MSG = never run codex exec --yolo\nhelp:\n\t@echo "$(MSG)"\n',
        # A make variable is not in the recipe's environment unless exported.
        "OPENAI_API_KEY = sk-test\nrun:\n\tcodex exec -s read-only -C . - < t.md\n",
        # Clean on every branch.
        "ifdef CI\nS := read-only\nelse\nS := workspace-write\nendif\n"
        "run:\n\tcodex exec -s $(S) -C . - < t.md\n",
        # A recipe inside a conditional keeps only the definitions outside any.
        "S := read-only\nifdef DEBUG\nS := workspace-write\ndbg:\n\tcodex exec -s $(S) -C . - < t.md\n"
        "endif\n",
    ],
)
def test_unknown_and_clean_values_stay_silent(tmp_path: Path, makefile: str) -> None:
    assert lint(write(tmp_path, makefile)) == []


def test_an_exported_make_key_is_still_reported_once(tmp_path: Path) -> None:
    text = "export OPENAI_API_KEY = sk-test\nCODEX = codex\nrun:\n\t$(CODEX) exec -s read-only -C . - < t.md\n"
    # At the codex run, as without the variable (the prelude adds no second export).
    assert [(rule, line) for rule, line, _ in lint(write(tmp_path, text))] == [("CG101", 4)]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_argv_is_the_one_make_runs(tmp_path: Path) -> None:
    """make -n prints the recipe lines it would hand the shell: the flags the model read."""
    path = write(tmp_path, FLEET)
    shown = subprocess.run(
        ["make", "-n", "-f", str(path), "fix"], capture_output=True, text=True, check=True,
        cwd=tmp_path,
    ).stdout  # fmt: skip
    assert (
        f"codex exec --dangerously-bypass-approvals-and-sandbox -C {tmp_path} --json - <" in shown
    )


PYTHON_RECIPES = """\
SHELL := /usr/bin/env python3
.ONESHELL:
review:
\timport subprocess
\tsubprocess.run(["codex", "exec", "-C", "/srv/r", "-s", "read-only", "-"], input=b"Review")
"""

SHELL_PER_TARGET = """\
SHELL := /bin/bash
.ONESHELL:
review: SHELL := python3
review:
\timport subprocess
\tsubprocess.run(["codex", "exec", "-C", "/srv/r", "-s", "read-only", "-"], input=b"Review")
work:
\tset -euo pipefail
\tcodex exec -C /srv/r --yolo - < task.md
"""


def test_recipes_that_make_hands_to_python_are_not_read_as_shell(tmp_path: Path) -> None:
    """`SHELL := python3` makes the recipes Python (no CG901 on `subprocess.run([...])`); a
    recipe whose SHELL is bash is still shell, and its mistake is still found."""
    assert lint(write(tmp_path, PYTHON_RECIPES)) == []
    assert [(rule, line) for rule, line, _ in lint(write(tmp_path, SHELL_PER_TARGET))] == [
        ("CG303", 9)
    ]


@pytest.mark.parametrize(
    ("output", "prompt"),
    [("$@", "$<"), ("$@", "$^"), ("$@", "$+"), ("$*", "$<"), ("${@F}", "${<}"), ("$%", "$|")],
)
def test_automatic_variables_are_file_names(tmp_path: Path, output: str, prompt: str) -> None:
    """make writes the target's and prerequisites' names in place of `$@`, `$<`, `$^`, ...
    before the shell runs the line (`make -n` prints `-o out.md - < prompt.md`): `- < $<` is a
    prompt read from a file, not shell syntax (no CG901, no CG202, no CG903)."""
    text = f"out.md: prompt.md\n\tcodex exec -C /srv/r -s read-only -o {output} - < {prompt}\n"
    assert lint(write(tmp_path, text)) == []


AUTOMATIC = """\
out.md: prompt.md
\tcodex exec -C /srv/r -s read-only -o $@ - < $<
reports/%.md: prompts/%.md
\tcodex exec -C /srv/r -s read-only -o $(@D)/$(*F).md - < $(<F)
\tcodex exec -C /srv/r -s read-only -o $(@) - < $(^D)/$(*F).md
\tcodex exec -C /srv/r -s read-only -o $@.tmp - < $? && mv $@.tmp $@
"""

AUTOMATIC_MISTAKES = """\
out.md: prompt.md
\tcodex exec -C /srv/r -s read-only -o $@ -
\tcodex exec -C /srv/r -s read-only -o $@ "Summarise $$(cat $<)"
\tcodex exec -C /srv/r --yolo -o $@ - < $<
"""


def test_automatic_variables_keep_the_real_mistakes(tmp_path: Path) -> None:
    """Every form of automatic variable reads as a file name, and a recipe that really feeds
    codex nothing, leaves its stdin open or drops the sandbox is still reported."""
    assert lint(write(tmp_path, AUTOMATIC)) == []
    found = [(rule, line) for rule, line, _ in lint(write(tmp_path, AUTOMATIC_MISTAKES))]
    assert found == [("CG201", 3), ("CG202", 2), ("CG303", 4)]


PARTLY_UNKNOWN = """\
REPO := $(shell git rev-parse --show-toplevel)
FLAGS := -C $(REPO) -s read-only
run:
\tcodex exec $(FLAGS) - < prompt.md
"""


@pytest.mark.parametrize(
    "makefile",
    [
        PARTLY_UNKNOWN,
        PARTLY_UNKNOWN.replace("REPO := $(shell git", "REPO != git").replace(":=", "="),
        "FLAGS := -C $(shell git rev-parse --show-toplevel) -s read-only\n"
        "run:\n\tcodex exec $(FLAGS) - < prompt.md\n",
        "REPO := $(shell pwd)\nFLAGS := -C $(REPO)\nFLAGS += -s read-only\n"
        "run:\n\tcodex exec $(FLAGS) - < prompt.md\n",
    ],
)
def test_the_known_words_of_a_partly_unknown_value_are_kept(tmp_path: Path, makefile: str) -> None:
    """`-C $(REPO) -s read-only` with REPO a `$(shell ...)` still says `-s read-only` and `-C`
    (no CG301, no CG503): the shell command's output is one word the linter does not know."""
    assert lint(write(tmp_path, makefile)) == []


def test_a_partly_unknown_value_keeps_its_mistakes_and_its_unknown_word(tmp_path: Path) -> None:
    """The known words are checked (--yolo is CG303, a missing -s is CG301); the unknown part is
    never a literal word (`-s $(MODE)` is not the invalid sandbox `${MODE}`: no CG903); a value
    with no known word is as unknown as before (CG301 and CG503 on `$(FLAGS)` alone)."""
    yolo = PARTLY_UNKNOWN.replace("-s read-only", "--yolo")
    assert [(rule, line) for rule, line, _ in lint(write(tmp_path, yolo))] == [("CG303", 4)]
    no_sandbox = PARTLY_UNKNOWN.replace(" -s read-only", "")
    assert [(rule, line) for rule, line, _ in lint(write(tmp_path, no_sandbox))] == [("CG301", 4)]
    mode = "MODE := $(shell cat mode)\nFLAGS := -C /srv/r -s $(MODE)\nrun:\n\tcodex exec $(FLAGS) - < p.md\n"
    assert lint(write(tmp_path, mode)) == []
    unknown = "FLAGS := $(shell cat flags)\nrun:\n\tcodex exec $(FLAGS) - < p.md\n"
    assert [(rule, line) for rule, line, _ in lint(write(tmp_path, unknown))] == [
        ("CG301", 3),
        ("CG503", 3),
    ]


APPENDED = """\
FLAGS := -C /srv/r
FLAGS += -s $(MODE)
MODE := danger-full-access
run:
\tcodex exec $(FLAGS) - < prompt.md
"""


def test_appending_to_a_simple_variable_expands_the_text_then(tmp_path: Path) -> None:
    """`+=` on a `:=` variable expands what it appends there and then (GNU make manual,
    "Appending More Text to Variables"): MODE is not set yet, so the sandbox is not the
    danger-full-access of a later line (no CG303), and what the variable held is never
    expanded again (an unknown `$(REPO)` in it stays unknown)."""
    assert lint(write(tmp_path, APPENDED)) == []
    if shutil.which("make") is not None:
        shown = subprocess.run(
            ["make", "-n", "-f", str(tmp_path / "Makefile"), "run"],
            capture_output=True, text=True, check=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
        ).stdout  # fmt: skip
        assert "danger-full-access" not in shown


CANNED = """\
CODEX ?= codex
FLAGS := -C $(CURDIR) -o out

define codex_task
\t@mkdir -p out
\t$(CODEX) exec $(FLAGS)/$(1).md -s $(2) - < prompts/$(1).md
endef

define migrate_all
codex exec -C $(CURDIR) --dangerously-bypass-approvals-and-sandbox - < prompts/migrate.md
endef

review:
\t$(call codex_task,review,read-only)

fix:
\t$(call codex_task,fix,danger-full-access) && echo fixed

migrate:
\t$(migrate_all)
"""


def test_canned_recipes_run_their_lines_where_they_are_named(tmp_path: Path) -> None:
    # make writes a `define` body (its `$(1)` filled in by `call`) into the recipe line and runs
    # each of its lines: the flags they hold are checked there, not left unresolved (CG902).
    found = lint(write(tmp_path, CANNED))
    assert [(rule, line) for rule, line, _ in found] == [("CG303", 17), ("CG303", 20)]


def test_a_call_of_a_recursive_variable_fills_in_its_arguments(tmp_path: Path) -> None:
    makefile = (
        "run = codex exec -C $(CURDIR) -s $(1) -o out/$(2).md - < prompts/$(2).md\n"
        "review:\n\t$(call run,read-only,review)\n"
        "fix:\n\t$(call run,danger-full-access,fix)\n"
    )
    found = lint(write(tmp_path, makefile))
    assert [(rule, line) for rule, line, _ in found] == [("CG303", 5)]
