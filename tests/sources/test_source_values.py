"""Values a Makefile, Dockerfile or justfile sets in its own language reach the codex argv (issue 8).

Each file below is linted by the real CLI (`codex-guard lint`), as a user runs it: a value the file
assigns (`CODEX ?= codex`, `ARG SANDBOX=...`, `sandbox := "..."`, a parameter's default) is what
the recipe runs; a value the file cannot know (a `$(shell ...)`, a parameter with no default,
`env_var(...)`) is unknown, never a literal word and never an "invalid value"; text that only
mentions codex stays silent. A Makefile's recipes read as the same lines in a shell script do.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from guard.sources import justfile, makefile


def lint(folder: Path, name: str, text: str) -> tuple[int, list[dict[str, Any]]]:
    path = folder / name
    path.write_text(text)
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", "--fail-on", "info", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


def hits(findings: list[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(f["rule"], f["line"]) for f in findings}


def rules(findings: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for f in findings}


def column_of(text: str, line: int, needle: str) -> int:
    return text.split("\n")[line - 1].index(needle) + 1


# --- Makefile ----------------------------------------------------------------------------------

MAKE_CODEX_VAR = """\
# Agent lanes for the nightly run.
CODEX ?= codex
REPO := .
export OPENAI_API_KEY := $(shell cat .openai-key)

review:
\t$(CODEX) exec -C $(REPO) -s read-only "Review the last commit" < /dev/null

fix:
\t$(CODEX) exec -C $(REPO) --yolo - < tasks/fix.md
"""


def test_a_make_variable_as_the_command_word_is_codex(tmp_path: Path) -> None:
    code, found = lint(tmp_path, "Makefile", MAKE_CODEX_VAR)
    assert {("CG101", 7), ("CG101", 10), ("CG303", 10)} <= hits(found)
    assert "CG902" not in rules(found)  # resolved, not "cannot be resolved statically"
    yolo = next(f for f in found if f["rule"] == "CG303")
    assert yolo["column"] == column_of(MAKE_CODEX_VAR, 10, "--yolo")
    assert code == 1


MAKE_CONDITIONAL = """\
ifeq ($(CI),true)
SANDBOX := read-only
else
SANDBOX := danger-full-access
endif

review:
\tcodex exec -C . -s $(SANDBOX) "Review the diff" < /dev/null
"""


def test_a_make_conditional_gives_a_set_of_values_and_says_which(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "Makefile", MAKE_CONDITIONAL)
    (full,) = [f for f in found if f["rule"] == "CG303"]
    assert full["line"] == 8
    assert "when the file sets `$(SANDBOX)` to `danger-full-access` (line 4)" in full["message"]
    assert "CG903" not in rules(found)


def test_a_make_conditional_without_a_bad_arm_is_silent(tmp_path: Path) -> None:
    text = MAKE_CONDITIONAL.replace("danger-full-access", "workspace-write")
    code, found = lint(tmp_path, "Makefile", text)
    assert found == [] and code == 0


MAKE_FLAVOURS = """\
BIN = codex
CODEX = $(BIN) exec
FLAGS = -C .
FLAGS += -s danger-full-access
SAFE ?= read-only
SAFE ?= danger-full-access
FROM_SHELL != cat .sandbox

all:
\t$(CODEX) $(FLAGS) "Implement the plan" < /dev/null

check:
\tcodex exec -C . -s $(SAFE) "Check the plan" < /dev/null

odd:
\tcodex exec -C . -s $(FROM_SHELL) "Check again" < /dev/null
"""


def test_recursive_append_default_and_shell_assignments(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "Makefile", MAKE_FLAVOURS)
    # `$(CODEX)` is `codex exec` through `$(BIN)`; `+=` appended the sandbox to FLAGS.
    assert ("CG303", 10) in hits(found)
    # The first `?=` set SAFE; the second changes nothing.
    assert ("CG303", 13) not in hits(found)
    # `!=` is a command's output: unknown, not the literal text `$(FROM_SHELL)`.
    assert not {r for r, line in hits(found) if line == 16} & {"CG903", "CG303", "CG301"}


MAKE_TARGET_SPECIFIC = """\
SANDBOX = workspace-write
unsafe: SANDBOX = danger-full-access

safe:
\tcodex exec -C . -s $(SANDBOX) "Implement ag-7" < /dev/null

unsafe:
\tcodex exec -C . -s $(SANDBOX) "Implement ag-8" < /dev/null
"""


def test_a_target_specific_value_holds_in_its_recipe_only(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "Makefile", MAKE_TARGET_SPECIFIC)
    assert [(f["rule"], f["line"]) for f in found if f["rule"] == "CG303"] == [("CG303", 8)]


MAKE_SESSION = """\
start:
\tcodex exec --ephemeral -C . -s workspace-write - < plan.md

continue:
\tcodex exec resume --last "go on" < /dev/null
"""


def test_makefile_targets_read_as_the_same_lines_in_a_shell_script(tmp_path: Path) -> None:
    _, make_found = lint(tmp_path, "Makefile", MAKE_SESSION)
    script = "\n".join(line.strip() for line in MAKE_SESSION.split("\n") if "\t" in line)
    _, shell_found = lint(tmp_path, "plan.sh", "#!/bin/sh\n" + script + "\n")
    session = {"CG401", "CG403"}
    assert rules(make_found) & session == rules(shell_found) & session == {"CG401"}
    assert ("CG401", 2) in hits(make_found)


def test_a_cd_in_one_recipe_does_not_reach_the_next(tmp_path: Path) -> None:
    text = (
        "work:\n\tcd services/api && codex exec -C . -s workspace-write 'Start' < /dev/null\n"
        "\tcd services/api\n\n"
        "resume:\n\tcd services/api && codex exec resume --last 'Continue' < /dev/null\n"
        "\nresume-here:\n\tcodex exec resume --last 'Continue' < /dev/null\n"
    )
    (snippet,) = makefile.extract(text, "Makefile")
    _, found = lint(tmp_path, "Makefile", text)
    # Each recipe is its own subshell: its `cd` never moves a later recipe. `resume` goes to
    # where `work` ran; `resume-here` runs from make's own directory, not services/api.
    assert snippet.text.count("(") == snippet.text.count(")") == 3
    assert {line for rule, line in hits(found) if rule == "CG403"} == {9}


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        # The same cds in subshells of their own: the resume runs where the run ran.
        (
            "(cd api && codex exec -s workspace-write 'Start' < /dev/null)\n"
            "(cd api && codex exec resume --last 'Continue' < /dev/null)\n",
            set(),
        ),
        # A run in a subshell's cd, resumed outside it.
        (
            "(cd api && codex exec -s workspace-write 'Start' < /dev/null)\n"
            "codex exec resume --last 'Continue' < /dev/null\n",
            {2},
        ),
        # In one shell the second `cd api` goes to api/api.
        (
            "cd api && codex exec -s workspace-write 'Start' < /dev/null\n"
            "cd api && codex exec resume --last 'Continue' < /dev/null\n",
            {2},
        ),
        (
            "cd api\ncodex exec -s workspace-write 'Start' < /dev/null\n"
            "codex exec resume --last 'Continue' < /dev/null\n",
            set(),
        ),
    ],
)
def test_shell_scripts_answer_cg403_as_the_makefile_does(
    tmp_path: Path, script: str, expected: set[int]
) -> None:
    _, found = lint(tmp_path, "plan.sh", script)
    assert {line for rule, line in hits(found) if rule == "CG403"} == expected


def test_a_recipe_with_an_open_quote_does_not_hide_the_others(tmp_path: Path) -> None:
    text = "notes:\n\techo \"it's not closed\n\nwork:\n\tcodex exec -C . -s workspace-write -\n"
    assert not makefile.self_contained('echo "open')
    assert makefile.self_contained("echo \"it's\" 'a \"b' $$(date) `pwd` # it's")
    _, found = lint(tmp_path, "Makefile", text)
    assert ("CG202", 5) in hits(found)


def test_make_values_are_bounded() -> None:
    lines = ["V0 = codex", *(f"V{i} = " + " ".join([f"$(V{i - 1})"] * 10) for i in range(1, 400))]
    lines += [f"ifeq ($(X),{i})\nS := v{i}\nendif" for i in range(40)]
    text = "\n".join(lines) + "\nall:\n\t$(V399) -s $(S) x </dev/null\n"
    (snippet,) = makefile.extract(text, "Makefile")
    assert len([v for v in snippet.values if v[0] == "S"]) == 16
    assert all(len(v[1]) <= 4096 for v in snippet.values)


MAKE_MENTIONS = """\
HELP = codex exec --yolo -s danger-full-access
SANDBOX := danger-full-access

# codex exec --yolo is never run from here
help:
\t@echo "run codex exec --yolo - < task.md yourself"
\t@echo "$(HELP)"
\t@echo "sandbox: $(SANDBOX)"
\tgrep -n "codex exec" README.md
"""


MAKE_QUOTED = """\
PROMPT = "Review the last commit"
MODE = "danger-full-access"
DIR = $$HOME/src
ifeq ($(CI),1)
\tSANDBOX := read-only
else
\tSANDBOX := danger-full-access
endif

review:
\t@echo start
ifdef FAST
\tcodex exec -C $(DIR) -s $(SANDBOX) $(PROMPT) < /dev/null
else
\tcodex exec -C . -s $(MODE) "$(PROMPT)" < /dev/null
endif
"""


def test_make_quotes_directives_in_recipes_and_tab_led_assignments(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "Makefile", MAKE_QUOTED)
    # `"danger-full-access"` is the word make writes; the tab-led assignments in `ifeq` are
    # make's; `ifdef` inside the recipe does not end it. A quoted text with spaces, or one the
    # shell still expands (`$$HOME`), is unknown: never split into stray arguments (CG903).
    assert hits(found) == {("CG303", 13), ("CG303", 15)}


def test_a_bare_make_export_is_env_for_names_the_file_sets_or_not(tmp_path: Path) -> None:
    # make 4.3 hands a recipe `CODEX_API_KEY=` for an `export CODEX_API_KEY` it never set
    # (tests/sources/test_make_exports.py, test_make_exports_a_name_it_never_set).
    text = (
        "OPENAI_API_KEY := $(shell cat .key)\nexport OPENAI_API_KEY CODEX_API_KEY\n\n"
        "review:\n\tcodex exec -C . -s read-only 'Review' < /dev/null\n"
    )
    (snippet,) = makefile.extract(text, "Makefile")
    assert sorted(name for name, _v, _l in snippet.external_env) == [
        "CODEX_API_KEY",
        "OPENAI_API_KEY",
    ]
    _, found = lint(tmp_path, "Makefile", text)
    assert ("CG101", 5) in hits(found)


def test_make_values_that_are_only_mentioned_stay_silent(tmp_path: Path) -> None:
    code, found = lint(tmp_path, "Makefile", MAKE_MENTIONS)
    assert found == [] and code == 0


# --- Dockerfile --------------------------------------------------------------------------------

DOCKER_ARG = """\
FROM node:22-slim AS agent
ARG SANDBOX=danger-full-access
ENV REVIEW_MODE=read-only
RUN npm install -g @openai/codex@0.171.0
RUN codex exec -C /src -s $SANDBOX - < /src/TASK.md
RUN codex exec -C /src -s "${REVIEW_MODE}" "Review" < /dev/null
"""


def test_dockerfile_arg_and_env_values_reach_run(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "Dockerfile", DOCKER_ARG)
    assert ("CG303", 5) in hits(found)
    (full,) = [f for f in found if f["rule"] == "CG303"]
    assert full["column"] == column_of(DOCKER_ARG, 5, "$SANDBOX")
    assert not {r for r, line in hits(found) if line == 6}


DOCKER_STAGES = """\
ARG MODE=danger-full-access
FROM node:22-slim AS build
ARG SANDBOX=danger-full-access
RUN codex exec -C /src -s $SANDBOX - < /src/build.md

FROM node:22-slim AS test
RUN codex exec -C /src -s $SANDBOX - < /src/test.md
RUN codex exec -C /src -s $MODE - < /src/test.md

FROM node:22-slim AS release
ARG MODE
RUN codex exec -C /src -s $MODE - < /src/release.md
RUN codex exec -C /src -s $LATER - < /src/release.md
ENV LATER=danger-full-access
"""


def test_dockerfile_env_writes_in_earlier_env_and_arg_values(tmp_path: Path) -> None:
    """Docker expands `$NAME`/`${NAME}` in an ENV value from the ENV and ARG before the
    instruction (Dockerfile reference, "Environment replacement": `ENV abc=bye def=$abc` gives
    def the abc from before); a single-quoted value is kept as written (unknown)."""
    text = (
        "FROM node:22-slim\nARG TOOL=codex\nENV BASE=$TOOL\n"
        'ENV RUNNER="$BASE exec --yolo" OTHER=${BASE}\n'
        "RUN bash -c '$RUNNER \"fix\" </dev/null'\n"
        "RUN $OTHER exec --yolo -C /src - < /src/t.md\n"
        "ENV BASE=make SAME=$BASE\n"
        "RUN $SAME exec --yolo -C /src - < /src/t.md\n"
        "ENV QUOTED='$BASE exec --yolo'\n"
        'RUN echo "$QUOTED"\n'
        "ARG GIVEN\n"
        'ENV LATER="$GIVEN exec --yolo"\n'
        "RUN $LATER -C /src - < /src/t.md\n"
    )
    _, found = lint(tmp_path, "Dockerfile", text)
    assert {line for rule, line in hits(found) if rule == "CG303"} == {5, 6, 8}
    assert not {rule for rule, line in hits(found) if line == 10}
    # a build argument with no default is what `--build-arg` gives: unknown, as is a value
    # built from it (no CG303 on `exec --yolo` read alone)
    from guard.sources.dockerfile import extract

    last = extract(text, "Dockerfile")[-1]
    assert "LATER" not in {name for name, *_ in last.values}
    assert ("RUNNER", "codex exec --yolo") in {(n, v) for n, v, *_ in last.values}


def test_dockerfile_env_and_arg_are_the_environment_of_a_child_shell(tmp_path: Path) -> None:
    """ENV and ARG are the RUN's environment, not only its shell's variables: `bash -c '$X'` (a
    child shell, single-quoted so the RUN's shell does not expand it) sees them; CMD gets ENV."""
    text = (
        'FROM node:22-slim\nENV RUNNER="codex exec --yolo"\nARG MODE=danger-full-access\n'
        "RUN bash -c '$RUNNER \"fix\" </dev/null'\n"
        "RUN sh -c 'codex exec -C /src -s $MODE - < /src/t.md'\n"
        "RUN sh -c 'echo $RUNNER'\n"
        'CMD ["sh", "-c", "$RUNNER -C /src - < /src/t.md"]\n'
    )
    _, found = lint(tmp_path, "Dockerfile", text)
    assert {line for rule, line in hits(found) if rule == "CG303"} == {4, 5, 7}
    assert not {rule for rule, line in hits(found) if line == 6}


def test_dockerfile_values_only_mentioned_stay_silent(tmp_path: Path) -> None:
    text = (
        "FROM node:22-slim\nARG SANDBOX=danger-full-access\nARG CODEX=codex\n"
        'RUN echo "then run: $CODEX exec -s $SANDBOX --yolo"\n'
        "# RUN $CODEX exec -s $SANDBOX\n"
    )
    code, found = lint(tmp_path, "Dockerfile", text)
    assert found == [] and code == 0


def test_dockerfile_values_follow_stages_and_order(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "Dockerfile", DOCKER_STAGES)
    full = {line for rule, line in hits(found) if rule == "CG303"}
    # Line 4: the stage's ARG. Line 7: FROM reset it. Line 8: a global ARG not declared in the
    # stage is unset. Line 12: the global ARG redeclared. Line 13: ENV comes later.
    assert full == {4, 12}
    assert "CG903" not in rules(found)  # an unknown value is not an invalid one


# --- justfile ----------------------------------------------------------------------------------

JUST_VARIABLE = """\
sandbox := "danger-full-access"
repo := justfile_directory()

work task:
    codex exec -C {{repo}} -s {{sandbox}} - < {{task}}
"""


def test_a_just_variable_is_its_value(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "justfile", JUST_VARIABLE)
    assert ("CG303", 5) in hits(found)
    (full,) = [f for f in found if f["rule"] == "CG303"]
    assert full["column"] == column_of(JUST_VARIABLE, 5, "{{sandbox}}")
    assert not rules(found) & {"CG903", "CG301"}


JUST_PARAMETERS = """\
# Dispatch one task.
work task sandbox="read-only":
    codex exec -C . -s {{sandbox}} - < {{task}}

risky task sandbox="danger-full-access":
    codex exec -C . -s {{ sandbox }} - < {{ task }}

given task sandbox:
    codex exec -C . -s {{sandbox}} - < {{task}}
"""


def test_just_parameters_are_their_defaults_or_unknown(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "justfile", JUST_PARAMETERS)
    assert hits(found) == {("CG303", 6)}


JUST_EXPRESSIONS = """\
mode := if env("CI", "") == "true" { "read-only" } else { "danger-full-access" }
root := "/srv" / "repos"
flags := "-s " + "workspace-write"

review:
    codex exec -C {{root}} -s {{mode}} "Review" < /dev/null

work:
    codex exec -C {{root / "api"}} {{flags}} "Work" < /dev/null
    codex exec -C . -s {{ env_var("SANDBOX") }} "Work" < /dev/null
"""


def test_just_expressions_and_if_arms(tmp_path: Path) -> None:
    _, found = lint(tmp_path, "justfile", JUST_EXPRESSIONS)
    (full,) = [f for f in found if f["rule"] == "CG303"]
    assert full["line"] == 6 and "sets `{{mode}}` to `danger-full-access`" in full["message"]
    assert not rules(found) & {"CG903", "CG301"}


def test_just_values_are_bounded() -> None:
    lines = [
        'v0 := "codex"',
        *(f"v{i} := " + " + ".join([f"v{i - 1}"] * 10) for i in range(1, 200)),
    ]
    text = "\n".join(lines) + "\nall:\n    {{v199}} {{v2}} exec x </dev/null\n"
    (snippet,) = justfile.extract(text, "justfile")
    assert [v[1] for v in snippet.values] == ["codex" * 100]  # v199 is too deep: unknown


def test_just_interpolations_keep_columns_and_the_escape() -> None:
    text = 'x := "a"\n\nr:\n    echo {{{{x}} {{x}} {{ x }}\n'
    (snippet,) = justfile.extract(text, "justfile")
    line = snippet.text.split("\n")[0]
    assert len(line) == len(text.split("\n")[3])
    assert "{{{{x}}" in line  # just's escape is literal text
    assert {(v[0][:2], v[1]) for v in snippet.values} == {("J0", "a"), ("J1", "a")}


@pytest.mark.parametrize(
    "body",
    [
        '    @echo "run codex exec -s {{sandbox}} --yolo - < task.md"',
        "    # codex exec -s {{sandbox}} is for people",
        '    grep -rn "codex exec -s {{sandbox}}" docs/',
    ],
)
def test_just_mentions_stay_silent(tmp_path: Path, body: str) -> None:
    text = 'sandbox := "danger-full-access"\n\nhelp:\n' + body + "\n"
    code, found = lint(tmp_path, "justfile", text)
    assert found == [] and code == 0


JUST_PARTLY_UNKNOWN = """\
repo := `git rev-parse --show-toplevel`
flags := "-C " + repo + " -s read-only"

run:
    codex exec {{flags}} - < prompt.md
"""


@pytest.mark.parametrize(
    "text",
    [
        JUST_PARTLY_UNKNOWN,
        JUST_PARTLY_UNKNOWN.replace("repo + ", "invocation_directory() + "),
        'run dir:\n    codex exec {{"-C " + dir + " -s read-only"}} - < prompt.md\n',
    ],
)
def test_the_known_words_of_a_partly_unknown_just_value_are_kept(tmp_path: Path, text: str) -> None:
    """`"-C " + repo + " -s read-only"` with repo a backtick still says `-C` and `-s read-only`
    (no CG301, no CG503): the unknown term is one word the linter does not know."""
    code, found = lint(tmp_path, "justfile", text)
    assert found == [] and code == 0


def test_a_partly_unknown_just_value_keeps_its_mistakes_and_its_unknown_word(
    tmp_path: Path,
) -> None:
    """The known words are checked (--yolo is CG303); the unknown term is never a literal word
    (`-s " + mode` is not the invalid sandbox `${mode}`: no CG903); a value with no known word
    is as unknown as before (CG301 and CG503 on `{{flags}}` alone)."""
    _, found = lint(tmp_path, "justfile", JUST_PARTLY_UNKNOWN.replace("-s read-only", "--yolo"))
    assert hits(found) == {("CG303", 5)}
    mode = 'mode := `cat mode`\nflags := "-C /srv/r -s " + mode\nrun:\n    codex exec {{flags}} - < p\n'
    assert lint(tmp_path, "justfile", mode)[1] == []
    unknown = "flags := `cat flags`\nrun:\n    codex exec {{flags}} - < p\n"
    assert hits(lint(tmp_path, "justfile", unknown)[1]) == {("CG301", 3), ("CG503", 3)}
