"""What a Makefile puts in its recipes' environment, and what `$(NAME)`, `${NAME}` and `$X`
hold there, as GNU make really does it: `.EXPORT_ALL_VARIABLES:`, `export` / `unexport` alone
or with names, exports written before the definition or after the recipe (make reads the whole
file first), and make's own expansion of a recipe line (`$SANDBOX` is `$(S)ANDBOX`).

Each case is checked twice: by the linter, and by GNU make running the recipe against a
recording stand-in codex (skipped where make is not installed). CG101 is reported exactly when
the key reaches codex."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.sources.recorded_runs import run_recorded

CLI = [sys.executable, "-m", "guard.cli"]
HAS_MAKE = shutil.which("make") is not None
RUN = "\tcodex exec -C . -s read-only - < task.md\n"


def lint(path: Path) -> list[tuple[str, int, str]]:
    done = subprocess.run(
        [*CLI, "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=300, cwd=path.parent,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    assert doc["errors"] == []
    return sorted((f["rule"], f["line"], f["message"]) for f in doc["findings"])


def write(folder: Path, text: str) -> Path:
    path = folder / "Makefile"
    path.write_text(text, encoding="utf-8")
    (folder / "task.md").write_text("Review the last commit.\n", encoding="utf-8")
    return path


# (the Makefile, does the key reach codex when `make work` runs)
KEY_CASES = [
    pytest.param(
        ".EXPORT_ALL_VARIABLES:\nOPENAI_API_KEY = $(shell printenv BILLING_KEY)\n\nwork:\n" + RUN,
        True,
        id="export-all-variables",
    ),
    pytest.param(
        "export OPENAI_API_KEY\n\nwork:\n" + RUN + "\nOPENAI_API_KEY = $(BILLING_KEY)\n",
        True,
        id="export-before-a-definition-after-the-recipe",
    ),
    pytest.param(
        "export\nOPENAI_API_KEY := $(BILLING_KEY)\n\nwork:\n" + RUN, True, id="export-alone"
    ),
    pytest.param(
        "CODEX_API_KEY = $(BILLING_KEY)\nexport OPENAI_API_KEY CODEX_API_KEY  # for the worker\n"
        "\nwork:\n" + RUN,
        True,
        id="export-several-names",
    ),
    pytest.param(
        "unexport OPENAI_API_KEY\noverride export OPENAI_API_KEY = $(BILLING_KEY)\n\nwork:\n" + RUN,
        True,
        id="export-after-unexport",
    ),
    pytest.param(
        "export OPENAI_API_KEY = $(BILLING_KEY)\nunexport OPENAI_API_KEY\n\nwork:\n" + RUN,
        False,
        id="unexport-after-export",
    ),
    pytest.param(
        ".EXPORT_ALL_VARIABLES:\nOPENAI_API_KEY = $(BILLING_KEY)\nunexport OPENAI_API_KEY\n"
        "\nwork:\n" + RUN,
        False,
        id="unexport-one-of-all",
    ),
    pytest.param(
        "work: ; codex exec -C . -s read-only - < task.md\n"
        "export OPENAI_API_KEY = $(BILLING_KEY)\nunexport OPENAI_API_KEY\n",
        False,
        id="unexport-with-a-one-line-recipe-first",
    ),
    pytest.param(
        "export\nOPENAI_API_KEY = $(BILLING_KEY)\nunexport\n\nwork:\n" + RUN,
        False,
        id="unexport-alone-last",
    ),
    pytest.param(
        "OPENAI_API_KEY = $(BILLING_KEY)\n\nwork:\n" + RUN, False, id="a-make-variable-only"
    ),
]


@pytest.mark.parametrize(("makefile", "reaches"), KEY_CASES)
def test_cg101_is_reported_when_make_hands_codex_the_key(
    tmp_path: Path, makefile: str, reaches: bool
) -> None:
    path = write(tmp_path, makefile)
    codex_line = next(i for i, line in enumerate(makefile.splitlines(), 1) if "codex" in line)
    found = lint(path)
    assert [(r, n) for r, n, _ in found if r == "CG101"] == ([("CG101", codex_line)] * reaches)
    if HAS_MAKE:
        (run,) = run_recorded(tmp_path, ["make", "-s", "work"])
        assert run.has_key is reaches, run


def test_an_unexport_on_one_path_of_a_conditional_is_not_relied_on(tmp_path: Path) -> None:
    makefile = (
        "export OPENAI_API_KEY = $(BILLING_KEY)\nifdef KEEP_OFF\nunexport OPENAI_API_KEY\nendif\n"
        "\nwork:\n" + RUN
    )
    found = lint(write(tmp_path, makefile))
    assert [(r, n) for r, n, _ in found] == [("CG101", 7)]


# make's expansion of a recipe line: the sandbox codex really gets.
EXPANSION = """\
S = read-only
SANDBOX = danger-full-access

review:
\tcodex exec -C . -s $SANDBOX - < task.md

fix:
\tcodex exec -C . -s ${SANDBOX} - < task.md

check:
\tcodex exec -C . -s $S - < task.md

here:
\tD=$$(pwd); codex exec -C "$$D" -s read-only - < task.md
"""


def test_make_references_expand_as_make_expands_them(tmp_path: Path) -> None:
    found = lint(write(tmp_path, EXPANSION))
    by_line = {(rule, line) for rule, line, _ in found}
    # `$SANDBOX` is `$(S)ANDBOX`: `read-onlyANDBOX`, a value codex rejects; not full access.
    assert ("CG903", 5) in by_line and ("CG303", 5) not in by_line
    assert ("CG303", 8) in by_line  # `${SANDBOX}` is `$(SANDBOX)`
    assert not {n for _, n in by_line} & {11, 14}, found  # `$S` is read-only; `$$(pwd)` shell's


@pytest.mark.skipif(not HAS_MAKE, reason="make is not installed")
def test_the_expansion_is_the_one_make_prints(tmp_path: Path) -> None:
    write(tmp_path, EXPANSION)
    shown = subprocess.run(
        ["make", "-n", "review", "fix", "check", "here"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.splitlines()  # fmt: skip
    assert shown == [
        "codex exec -C . -s read-onlyANDBOX - < task.md",
        "codex exec -C . -s danger-full-access - < task.md",
        "codex exec -C . -s read-only - < task.md",
        'D=$(pwd); codex exec -C "$D" -s read-only - < task.md',
    ]


@pytest.mark.parametrize(
    "makefile",
    [
        # Help and mention-only recipes with every variable exported.
        ".EXPORT_ALL_VARIABLES:\nOPENAI_API_KEY = $(shell cat .key)\n\nhelp:\n"
        '\t@echo "make work  runs codex exec --yolo on the fleet"\n'
        "\t@grep -n 'codex exec' scripts/*.sh\n\t# codex exec --yolo is never run from here\n",
        # Exported, but the recipe only asks codex for its version.
        "export OPENAI_API_KEY = x\n\nversion:\n\tcodex --version\n",
        # Exported names that are not keys.
        "export\nSANDBOX = read-only\nROOT = $(CURDIR)\n\nwork:\n"
        "\tcodex exec -C $(ROOT) -s $(SANDBOX) - < task.md\n",
    ],
)
def test_exports_around_mentions_and_clean_runs_stay_silent(tmp_path: Path, makefile: str) -> None:
    assert lint(write(tmp_path, makefile)) == []


# Which value a recipe's `$(NAME)` has: make reads the whole file, the last plain assignment
# wins unless an `override` came first, `?=` only sets an unset name, `+=` appends (even after
# the recipe), and a target's own values reach the recipes of its prerequisites.
VALUES = """\
SANDBOX = read-only
SANDBOX ?= danger-full-access
override LANE = read-only
LANE = danger-full-access
FLAGS = -s read-only

guarded:
\tcodex exec -C . -s $(SANDBOX) - < task.md

pinned:
\tcodex exec -C . -s $(LANE) - < task.md

flags:
\tcodex exec -C . $(FLAGS) - < task.md

worker: SANDBOX = danger-full-access
worker: review
\tcodex exec -C . -s $(SANDBOX) - < task.md

review:
\tcodex exec -C . -s $(SANDBOX) - < review.md

FLAGS += --dangerously-bypass-approvals-and-sandbox
"""


def test_the_value_is_the_one_make_gives_the_recipe(tmp_path: Path) -> None:
    found = lint(write(tmp_path, VALUES))
    assert [(r, n) for r, n, _ in found] == [("CG303", 14), ("CG303", 18), ("CG303", 21)]
    review = next(m for r, n, m in found if n == 21)
    assert "`worker)`" in review  # the message says on which path it holds


@pytest.mark.skipif(not HAS_MAKE, reason="make is not installed")
def test_the_values_are_the_ones_make_prints(tmp_path: Path) -> None:
    write(tmp_path, VALUES)

    def shown(*goals: str) -> list[str]:
        return subprocess.run(
            ["make", "-n", *goals], capture_output=True, text=True, check=True, cwd=tmp_path
        ).stdout.splitlines()

    assert shown("guarded", "pinned", "flags") == [
        "codex exec -C . -s read-only - < task.md",
        "codex exec -C . -s read-only - < task.md",
        "codex exec -C . -s read-only --dangerously-bypass-approvals-and-sandbox - < task.md",
    ]
    # Built for `worker`, review gets worker's sandbox; built alone, the file's.
    assert shown("worker") == [
        "codex exec -C . -s danger-full-access - < review.md",
        "codex exec -C . -s danger-full-access - < task.md",
    ]
    assert shown("review") == ["codex exec -C . -s read-only - < review.md"]


def test_an_inherited_key_is_reported_at_the_prerequisite(tmp_path: Path) -> None:
    makefile = (
        "dispatch: export OPENAI_API_KEY = $(BILLING_KEY)\ndispatch: lane\n\t@echo dispatched\n"
        "\nlane:\n" + RUN
    )
    path = write(tmp_path, makefile)
    assert [(r, n) for r, n, _ in lint(path) if r == "CG101"] == [("CG101", 6)]
    if HAS_MAKE:
        (run,) = run_recorded(tmp_path, ["make", "-s", "dispatch"])
        assert run.has_key


def test_an_included_file_sets_values_and_exports(tmp_path: Path) -> None:
    """`include fleet.mk` brings its variables and exports in at that line (its own recipes
    are its own file's); a missing `-include` is no error; the lint cache sees the included
    file change."""
    (tmp_path / "fleet.mk").write_text(
        "SANDBOX = danger-full-access\n.EXPORT_ALL_VARIABLES:\n"
        "OPENAI_API_KEY = $(BILLING_KEY)\n\nhelp:\n\t@echo 'make work runs codex exec --yolo'\n",
        encoding="utf-8",
    )
    makefile = "include fleet.mk\n-include local.mk\n\nwork:\n" + RUN.replace(
        "read-only", "$(SANDBOX)"
    )
    path = write(tmp_path, makefile)
    found = lint(path)
    # local.mk is not there; where make runs it may be, and every variable is exported: CG103.
    assert [(r, n) for r, n, _ in found] == [("CG101", 5), ("CG103", 5), ("CG303", 5)], found
    if HAS_MAKE:
        (run,) = run_recorded(tmp_path, ["make", "-s", "work"])
        assert run.has_key and run.argv[:5] == ["exec", "-C", ".", "-s", "danger-full-access"]

    def cached_rules() -> list[str]:
        done = subprocess.run(
            [*CLI, "lint", "--format", "json", str(path)], capture_output=True, text=True,
            timeout=300, cwd=tmp_path, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "c")},
        )  # fmt: skip
        return [f["rule"] for f in json.loads(done.stdout)["findings"]]

    assert cached_rules() == ["CG101", "CG103", "CG303"]
    (tmp_path / "fleet.mk").write_text("SANDBOX = read-only\n", encoding="utf-8")
    assert cached_rules() == []


@pytest.mark.parametrize(
    "included",
    [
        "include Makefile\n",  # itself: make refuses, the linter stops at its bound
        "include $(ROOT)/fleet.mk\ninclude *.mk\ninclude /etc/fleet.mk\n",  # not read
        "include sub\n",  # a folder
    ],
)
def test_includes_that_cannot_be_read_are_no_crash(tmp_path: Path, included: str) -> None:
    (tmp_path / "sub").mkdir()
    path = write(tmp_path, included + "\nwork:\n" + RUN)
    assert lint(path) == []


TARGET_OPS = """\
FLAGS = -s read-only
SANDBOX = read-only

worker: FLAGS += --json
worker: SANDBOX ?= danger-full-access
worker:
\tcodex exec -C . $(FLAGS) - < task.md
\tcodex exec -C . -s $(SANDBOX) - < task.md

fixer: FLAGS += --dangerously-bypass-approvals-and-sandbox
fixer: MODE ?= danger-full-access
fixer:
\tcodex exec -C . $(FLAGS) - < task.md
\tcodex exec -C . -s $(MODE) - < task.md
"""


def test_target_specific_appends_and_defaults(tmp_path: Path) -> None:
    """`target: NAME += x` appends to the file's value; `target: NAME ?= x` holds only where
    the file does not set NAME."""
    found = lint(write(tmp_path, TARGET_OPS))
    assert [(r, n) for r, n, _ in found] == [("CG303", 13), ("CG303", 14)], found
    if HAS_MAKE:
        shown = subprocess.run(
            ["make", "-n", "worker", "fixer"],
            capture_output=True, text=True, check=True, cwd=tmp_path,
        ).stdout.splitlines()  # fmt: skip
        assert shown == [
            "codex exec -C . -s read-only --json - < task.md",
            "codex exec -C . -s read-only - < task.md",
            "codex exec -C . -s read-only --dangerously-bypass-approvals-and-sandbox - < task.md",
            "codex exec -C . -s danger-full-access - < task.md",
        ]


# The `.env` idiom: make reads a dotenv file as its own assignments and exports them.
DOTENV_CASES = [
    pytest.param("include .env\nexport\n", id="include-and-export"),
    pytest.param("-include .env\n.EXPORT_ALL_VARIABLES:\n", id="include-and-export-all"),
    pytest.param(
        "ifneq (,$(wildcard ./.env))\n    include .env\n    export $(shell sed 's/=.*//' .env)\nendif\n",
        id="export-the-names-sed-finds",
    ),
]


@pytest.mark.parametrize("head", DOTENV_CASES)
def test_a_dotenv_make_exports_is_loaded_env(tmp_path: Path, head: str) -> None:
    """In the checkout with a key: CG101, as make hands it to codex; not in the checkout (it
    is gitignored): CG103, env loaded from a file the linter cannot see."""
    makefile = head + "\nwork:\n" + RUN
    codex_line = next(i for i, line in enumerate(makefile.splitlines(), 1) if "codex" in line)
    path = write(tmp_path, makefile)
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-test\nLOG_LEVEL=debug\n", encoding="utf-8")
    assert [(r, n) for r, n, _ in lint(path)] == [("CG101", codex_line)]
    if HAS_MAKE:
        (run,) = run_recorded(tmp_path, ["make", "-s", "work"])
        assert run.has_key
    (tmp_path / ".env").unlink()
    # Where the linter runs there is no .env; where make runs there may be one (a `wildcard`
    # guard included): its keys would be exported.
    found = lint(path)
    assert [(r, n) for r, n, _ in found] == [("CG103", codex_line)], found


def test_a_dotenv_that_is_not_exported_or_is_unexported_stays_silent(tmp_path: Path) -> None:
    for head in (
        "-include .env\n",
        "-include .env\nexport\nunexport OPENAI_API_KEY CODEX_API_KEY\n",
    ):
        path = write(tmp_path, head + "\nwork:\n" + RUN)
        (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-test\n", encoding="utf-8")
        assert lint(path) == [], head
        (tmp_path / ".env").unlink()
        assert lint(path) == [], head


# `export NAME` of a name the file never sets: make still hands NAME to every recipe (its
# caller's value, or empty: make 4.3 runs the recipe with `OPENAI_API_KEY=`), as the shell's
# `export NAME` does. Names that are not keys, and a key exported then unexported, stay clean.
@pytest.mark.parametrize(
    ("makefile", "line"),
    [
        ("export OPENAI_API_KEY\n\nwork:\n" + RUN, 4),
        ("export SANDBOX CODEX_API_KEY  # for the worker\nwork:\n" + RUN, 3),
        ("ifdef CI\nexport OPENAI_API_KEY\nendif\n\nwork:\n" + RUN, 6),
        ("export SANDBOX TMPDIR\n\nwork:\n" + RUN, None),
        ("export OPENAI_API_KEY\nunexport OPENAI_API_KEY\n\nwork:\n" + RUN, None),
        ("export OPENAI_API_KEY\n\nhelp:\n\t@echo 'make work runs codex exec'\n", None),
    ],
)
def test_a_bare_export_of_a_key_the_file_never_sets(
    tmp_path: Path, makefile: str, line: int | None
) -> None:
    found = lint(write(tmp_path, makefile))
    assert [(r, n) for r, n, _ in found if r == "CG101"] == ([("CG101", line)] if line else [])


@pytest.mark.skipif(not HAS_MAKE, reason="make is not installed")
def test_make_exports_a_name_it_never_set(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text(
        'export OPENAI_API_KEY\nwork:\n\t@echo "[$${OPENAI_API_KEY+set}]"\n'
        'plain:\n\t@unset OPENAI_API_KEY; echo "[$${OPENAI_API_KEY+set}]"\n'
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "MAKEFLAGS")}
    shown = subprocess.run(
        ["make", "-s", "work", "plain"], capture_output=True, text=True, check=True,
        cwd=tmp_path, env=env,
    ).stdout.splitlines()  # fmt: skip
    assert shown == ["[set]", "[]"]


# make writes a variable's text into the recipe line before the shell reads it: where a command
# starts, a value that begins with an assignment is the shell's prefix assignment.
PREFIXES = """\
CODEX_ENV = OPENAI_API_KEY=$(BILLING_KEY)
RUNNER = CODEX_API_KEY= codex
TMP_ENV = TMPDIR=$(CURDIR)/tmp

work:
\t$(CODEX_ENV) codex exec -C . -s read-only - < task.md

other:
\tcd . && ${RUNNER} exec -C . -s read-only - < task.md

echoed:
\techo $(CODEX_ENV) codex exec -C . -s read-only - < task.md

shell:
\t$${CODEX_ENV} codex exec -C . -s read-only - < task.md

temp:
\t$(TMP_ENV) codex exec -C . -s read-only - < task.md
"""


def test_a_variable_that_expands_to_an_env_prefix_is_one(tmp_path: Path) -> None:
    found = lint(write(tmp_path, PREFIXES))
    # `echo ... codex` is an argument; `$${CODEX_ENV}` is the shell's variable (a command word
    # after expansion, not an assignment); TMPDIR is no key.
    assert [(r, n) for r, n, _ in found if r == "CG101"] == [("CG101", 6), ("CG101", 9)]
    assert {n for _r, n, _m in found} <= {6, 9, 15}, found


@pytest.mark.skipif(not HAS_MAKE, reason="make is not installed")
def test_the_prefix_is_the_one_make_prints(tmp_path: Path) -> None:
    write(tmp_path, PREFIXES)
    shown = subprocess.run(
        ["make", "-n", "work", "other", "BILLING_KEY=sk"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.splitlines()  # fmt: skip
    assert shown == [
        "OPENAI_API_KEY=sk codex exec -C . -s read-only - < task.md",
        "cd . && CODEX_API_KEY= codex exec -C . -s read-only - < task.md",
    ]
    (run,) = run_recorded(tmp_path, ["make", "-s", "work"])
    assert run.has_key, run


# make expands the whole recipe line before the shell reads it: a reference that expands to
# nothing (`EMPTY :=`, or a name nothing sets) in front of a prefix leaves that prefix where the
# command starts. (the recipe line, does the key reach codex when `make -i work` runs)
EMPTY_FIRST = (
    "CODEX_ENV = OPENAI_API_KEY=$(BILLING_KEY)\nENV_RUN = env OPENAI_API_KEY=$(BILLING_KEY)\n"
)
EMPTY_FIRST += "EMPTY :=\nSPACE := $(EMPTY) $(EMPTY)\n\nwork:\n"
TAIL = " codex exec -C . -s read-only - < task.md\n"
EMPTY_CASES = [
    pytest.param("\t$(EMPTY)$(CODEX_ENV)", True, id="empty-then-prefix"),
    pytest.param("\t$(EMPTY) $(CODEX_ENV)", True, id="empty-blank-prefix"),
    pytest.param("\t@$(EMPTY)$(SPACE)$(EMPTY) $(CODEX_ENV)", True, id="several-empty"),
    pytest.param("\t$(EMPTY)$(ENV_RUN)", True, id="empty-then-env"),
    pytest.param("\t$(CODEX_GUARD_TEST_UNSET)$(CODEX_ENV)", True, id="never-set-then-prefix"),
    pytest.param("\ttrue; $(EMPTY) $(CODEX_ENV)", True, id="after-a-semicolon"),
    pytest.param("\techo $(EMPTY) $(CODEX_ENV)", False, id="an-argument-of-echo"),
    pytest.param("\t$(EMPTY)x$(CODEX_ENV)", False, id="a-word-between"),
]


@pytest.mark.parametrize(("line", "reaches"), EMPTY_CASES)
def test_a_reference_that_expands_to_nothing_leaves_the_prefix_first(
    tmp_path: Path, line: str, reaches: bool
) -> None:
    found = _lint_and_make(tmp_path, EMPTY_FIRST + line + TAIL, reaches)
    # At the reference that holds the key, the line make runs (`x${BILLING_KEY}` is a command
    # the linter cannot resolve: CG902, info).
    column = line.rfind("$(") + 1
    assert [f for f in found if f[0] != "CG902"] == [("CG101", 7, column)] * reaches, found


def _lint_and_make(tmp_path: Path, text: str, reaches: bool) -> list[tuple[str, int, int]]:
    """The findings (rule, line, column) of the Makefile `text`; where make is installed, it
    also runs the `work` target under a recording codex, which gets the key just when
    `reaches`."""
    path = write(tmp_path, text)
    done = subprocess.run(
        [*CLI, "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    if HAS_MAKE:
        assert "CODEX_GUARD_TEST_UNSET" not in os.environ  # not set for make either
        runs = run_recorded(tmp_path, ["make", "-s", "-i", "work"])
        assert any(run.has_key for run in runs) is reaches, runs
    return [(f["rule"], f["line"], f["column"]) for f in json.loads(done.stdout)["findings"]]


def test_an_empty_reference_before_codex_changes_nothing(tmp_path: Path) -> None:
    """`$(EMPTY) codex` is codex (its findings where they were); `$(NOT_SET) codex` a command
    the linter cannot resolve (CG902), as `$NOT_SET codex` in a script, and, since a reference
    that expands to nothing leaves codex the program (make gives an unset variable no text),
    codex's own findings there too."""
    text = (
        "EMPTY :=\nwork:\n\t$(EMPTY) codex exec -C . - < task.md\nother:\n\t$(NOT_SET) codex exec\n"
    )
    found = lint(write(tmp_path, text))
    assert [(r, n) for r, n, _ in found] == [
        ("CG202", 5),
        ("CG301", 3),
        ("CG301", 5),
        ("CG503", 5),
        ("CG902", 5),
    ]


# make strips `@`, `-`, `+` and blanks from the start of the expanded recipe line (GNU make
# job.c), not only from the line as written: a reference there whose value is only those
# characters (`Q := @`, the quiet idiom, or so on one path of a conditional), and a literal
# `@-+` after a reference that expands to nothing, leave the prefix where the command starts.
QUIET_FIRST = EMPTY_FIRST.split("\nwork:\n")[0]
QUIET_FIRST += (
    "\nQ := @\nQQ ?= @\nifeq ($(V),1)\nQV :=\nSAY := echo\nelse\nQV := @\nSAY := -@\nendif\n"
)
QUIET_FIRST += "\nwork:\n"
QUIET_LINE = QUIET_FIRST.count("\n") + 1
QUIET_CASES = [
    pytest.param("\t$(Q)$(CODEX_ENV)", True, id="quiet-then-prefix"),
    pytest.param("\t$(Q) $(CODEX_ENV)", True, id="quiet-blank-prefix"),
    pytest.param("\t$(QQ)$(CODEX_ENV)", True, id="quiet-by-default"),
    pytest.param("\t$(QV)$(CODEX_ENV)", True, id="quiet-unless-verbose"),
    pytest.param("\t$(SAY)$(CODEX_ENV)", True, id="quiet-on-one-path"),
    pytest.param("\t$(EMPTY)@$(CODEX_ENV)", True, id="empty-at-prefix"),
    pytest.param("\t$(EMPTY)-$(CODEX_ENV)", True, id="empty-dash-prefix"),
    pytest.param("\t$(Q)$(EMPTY)+ $(Q)$(ENV_RUN)", True, id="empty-plus-env"),
    pytest.param("\ttrue; $(Q)$(CODEX_ENV)", False, id="not-at-the-line-start"),
    pytest.param("\ttrue; $(EMPTY)@$(CODEX_ENV)", False, id="literal-not-at-the-line-start"),
    pytest.param("\t$(Q)x$(CODEX_ENV)", False, id="a-word-between"),
    pytest.param("\techo $(Q)$(CODEX_ENV)", False, id="an-argument-of-echo"),
]


@pytest.mark.parametrize(("line", "reaches"), QUIET_CASES)
def test_make_prefix_characters_from_a_reference_leave_the_prefix_first(
    tmp_path: Path, line: str, reaches: bool
) -> None:
    found = _lint_and_make(tmp_path, QUIET_FIRST + line + TAIL, reaches)
    column = line.rfind("$(") + 1
    expected = [("CG101", QUIET_LINE, column)] * reaches
    assert [f for f in found if f[0] in ("CG101", "CG102")] == expected, found


def test_a_quiet_reference_before_codex_is_stripped_in_place(tmp_path: Path) -> None:
    """`$(Q)codex exec --yolo` is `codex exec --yolo` (findings at the columns as written);
    `$(Q)echo codex` runs echo; `$(Q)$(WRAP) codex` with a WRAP nothing sets stays a command
    the linter cannot resolve."""
    text = (
        "Q := @\nEMPTY :=\nwork:\n\t$(Q)codex exec -C . --yolo - < task.md\n"
        "\t$(EMPTY)@codex exec -C . --yolo - < task.md\n"
        "\t$(Q)echo codex exec --yolo\nother:\n\t$(Q)$(WRAP) codex exec -C . - < task.md\n"
    )
    path = write(tmp_path, text)
    done = subprocess.run(
        [*CLI, "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    found = sorted((f["rule"], f["line"], f["column"]) for f in json.loads(done.stdout)["findings"])
    lines = text.splitlines()
    yolo = [("CG303", n, lines[n - 1].index("--yolo") + 1) for n in (4, 5)]
    assert found == [*yolo, ("CG902", 8, 2)], found
    if HAS_MAKE:
        runs = run_recorded(tmp_path, ["make", "-s", "-i", "work"])
        assert [run.argv[:4] for run in runs] == [["exec", "-C", ".", "--yolo"]] * 2, runs
