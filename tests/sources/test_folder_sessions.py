"""A justfile's recipes and a package.json's scripts are one session plan, as a Makefile's are.

just runs every recipe in the justfile's folder, and npm every script in the package's folder,
whoever types `just continue` or `npm run continue` and from wherever: a run made with `-C .` in
one recipe is what `codex exec resume --last` in a later recipe finds (no CG403), and an
`--ephemeral` run is what a resume in a later recipe fails to find (CG401), as with a Makefile's
targets (guard/sources/makefile.py). The places just moves a recipe to (`set working-directory`,
`[working-directory(...)]`, `[no-cd]`: just's manual, "Working Directory") are another folder, so
a resume there is still CG403. Each file is linted through the real console script.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sources.test_source_gaps import lint

JUSTFILE = """\
# Start the agent; continue it by hand later.
start:
    codex exec -C . -s workspace-write -o start.md "Start ag-77." </dev/null

continue:
    codex exec resume --last -o continue.md "Fix the failing test." </dev/null
"""

MAKEFILE = """\
start:
\tcodex exec -C . -s workspace-write -o start.md "Start ag-77." </dev/null

continue:
\tcodex exec resume --last -o continue.md "Fix the failing test." </dev/null
"""

PACKAGE = """\
{
  "name": "agents",
  "scripts": {
    "start": "codex exec -C . -s workspace-write -o start.md 'Start ag-77.' </dev/null",
    "continue": "codex exec resume --last -o continue.md 'Fix the failing test.' </dev/null"
  }
}
"""


def found(folder: Path, name: str, text: str, *rules: str) -> list[tuple[str, int, int]]:
    """(rule, line, column) of each finding of `rules` in the file."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    doc = lint(path, "--select", ",".join(rules))[1]
    assert doc["errors"] == []
    return sorted((f["rule"], f["line"], f["column"]) for f in doc["findings"])


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def column_of(text: str, needle: str) -> int:
    return text.split("\n")[line_of(text, needle) - 1].index(needle) + 1


@pytest.mark.parametrize(
    ("name", "text"), [("Makefile", MAKEFILE), ("justfile", JUSTFILE), ("package.json", PACKAGE)]
)
def test_a_resume_in_a_later_recipe_finds_the_run_of_an_earlier_one(
    tmp_path: Path, name: str, text: str
) -> None:
    assert found(tmp_path, name, text, "CG403") == []


@pytest.mark.parametrize(
    ("name", "text"), [("Makefile", MAKEFILE), ("justfile", JUSTFILE), ("package.json", PACKAGE)]
)
def test_an_ephemeral_run_that_a_later_recipe_resumes(tmp_path: Path, name: str, text: str) -> None:
    ephemeral = text.replace("codex exec -C .", "codex exec --ephemeral -C .")
    at = (line_of(ephemeral, "--ephemeral"), column_of(ephemeral, "--ephemeral"))
    assert found(tmp_path, name, ephemeral, "CG401") == [("CG401", *at)]
    # A resume written above the run is not "later", in a Makefile's file order either.
    swapped = JUSTFILE.replace("codex exec -C .", "codex exec --ephemeral -C .")
    start, rest = swapped.split("\ncontinue:")
    assert found(tmp_path, "justfile", "continue:" + rest + "\n" + start, "CG401") == []


def test_the_json_report_names_the_later_recipe_as_resumed_here(tmp_path: Path) -> None:
    text = JUSTFILE.replace("codex exec -C .", "codex exec --ephemeral -C .")
    path = tmp_path / "justfile"
    path.write_text(text, encoding="utf-8")
    (finding,) = lint(path, "--select", "CG401")[1]["findings"]
    assert finding["message"].endswith(
        f"resumes the session (line {line_of(text, 'resume')}): the resume finds nothing"
    )


MOVED = [
    # just moves the recipe that resumes: it runs in another folder than the run
    ("continue:", "[working-directory: 'api']\ncontinue:"),
    ("continue:", "[working-directory('api')]\ncontinue:"),
    ("continue:", "[no-cd]\ncontinue:"),
    ("continue:", "[private, no-cd]\ncontinue:"),
    ("start:", "[working-directory('api')]\nstart:"),
    ("start:", "set working-directory := 'api'\n\n[working-directory('/srv/agents')]\nstart:"),
    # the run went elsewhere
    ("codex exec -C .", "codex exec -C api"),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_a_resume_in_another_folder_is_still_cg403(tmp_path: Path, old: str, new: str) -> None:
    assert old in JUSTFILE
    text = JUSTFILE.replace(old, new, 1)
    assert found(tmp_path, "justfile", text, "CG403") == [
        ("CG403", line_of(text, "resume --last"), 5)
    ]


SAME_PLACE = [
    # both recipes are moved to the same folder
    ("# Start", "set working-directory := 'api'\n\n# Start"),
    ("# Start", "set working-directory := 'api'\nset no-cd := true\n\n# Start"),
    ("continue:", "[working-directory: 'api/../.']\ncontinue:"),
    # both run in the folder just was invoked from
    ("# Start", "set no-cd\n\n# Start"),
    ("start:\n", "[no-cd]\nstart:\n"),
]


@pytest.mark.parametrize(("old", "new"), SAME_PLACE)
def test_recipes_just_runs_in_one_folder_share_the_session(
    tmp_path: Path, old: str, new: str
) -> None:
    text = JUSTFILE.replace(old, new, 1)
    if new.startswith("[no-cd]"):
        text = text.replace("continue:", "[no-cd]\ncontinue:")
    assert found(tmp_path, "justfile", text, "CG403") == []


def test_mentions_in_other_recipes_stay_silent(tmp_path: Path) -> None:
    text = JUSTFILE + (
        "\nhelp:\n"
        "    echo 'run: codex exec --ephemeral -C . \"x\", then codex exec resume --last'\n"
        "    # codex exec --ephemeral -s read-only 'never run' </dev/null\n"
    )
    assert found(tmp_path, "justfile", text, "CG401", "CG403") == []


PARALLEL = """\
[doc('review, then go on')]
both: review go-on

go-on:
    codex exec resume --last -o go-on.md "Go on." </dev/null

review:
    codex exec --ephemeral -C . -s read-only -o review.md "Review ag-77." </dev/null
"""


def test_only_the_parallel_attribute_runs_dependencies_at_once(tmp_path: Path) -> None:
    # `just both` runs review, then go-on: the resume is later (a word in a doc string was
    # read as `[parallel]` once); under `[parallel]` the two run in no order.
    at = (line_of(PARALLEL, "--ephemeral"), column_of(PARALLEL, "--ephemeral"))
    doc = PARALLEL.replace("review, then go on", "runs in parallel? no: review, then go on")
    assert found(tmp_path, "justfile", doc, "CG401") == [("CG401", *at)]
    parallel = PARALLEL.replace("[doc('review, then go on')]", "[parallel, doc('at once')]")
    assert found(tmp_path, "justfile", parallel, "CG401") == []
