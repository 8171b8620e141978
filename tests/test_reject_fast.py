"""The file-level reject's fast path (guard/reject.py): the workflow line reading looks only at
the lines one regex over the file marks as notable, and the word scan copies literal runs by
compiled pattern once a linter has compiled them. Both must give the verdicts of the slow path
they replace: the old line-by-line reading (tests/reject_reference.py) and the scan that copies
one character at a time (what the hook runs). A file either path skips has no finding when forced
through its kind's source and every rule (tests/test_reject_files.py `assert_sound`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guard import reject
from guard.reject import _GoOn, _run_values, may_concern_codex, may_concern_file
from tests.benchcorpus import generated_workflows
from tests.commandlines import command_lines, shell_noise
from tests.reject_reference import reference_run_values
from tests.test_reject_files import assert_sound, workflows

ROOT = Path(__file__).resolve().parents[1]


def _outcome(read: Callable[[str], list[str]], text: str) -> list[str] | None:
    """The `run:` values, or None where the reading hands the file to the parser."""
    try:
        return read(text)
    except _GoOn:
        return None


def test_the_bench_corpus_reads_as_before_and_skips_soundly() -> None:
    skipped = 0
    for text in generated_workflows(80, seed=11, codex_every=10):
        assert _outcome(_run_values, text) == _outcome(reference_run_values, text)
        skipped += not may_concern_file(text, "workflow")
        assert_sound(text, "workflow")
    assert skipped >= 40  # most of them are answered from their text


# Lines that make a line notable, or look as if they might, in and out of `run: |` bodies: a
# shell `: "${X:=1}"` or `? x` inside a block is body text, outside it a complex key.
TRICKY_LINES = [
    '      : "${X:=1}"',
    "      ? run",
    "      : $X exec",
    "\t- run: $X",
    "      - run: echo [a",
    "      - run: |",
    "      - run: |-",
    "      - run: >",
    "          echo ${{ matrix.x }} $Y",
    "      - {run: $X}",
    '      - "run": echo $X',
    "      - 'run' : echo $X",
    "      runs-on: ubuntu-latest",
    "      - name: run: $X",
    "  defaults:",
    "    run:",
    "      shell: bash",
    "    run: # a comment",
    "# run: $X",
    "          sudo \\",
    "            $X",
    "        branches: [ main ]",
    "        x: { a: [1, 2] }",
    "          cat <<EOF",
    "          EOF",
    "",
    "   ",
    "      - run: 'it''s $X'",
    '      - run: "a $X"',
    "      - run: echo x # y",
    "      - run: sudo",
    "          echo $X",
    "      x: ${{ run: 1 }}",
    '      x: "${{" }}',
    "      x: ${{ a #b }}",
    "      x: ${{ a }} [",
    "      x: ${{ {a} }}",
    "      - run: echo ${{ a }}",
    "      ${{ a }}: run:",
    "      x: '${{ a }}' }",
    "      x: ${{ a }}${{ b }} # ]",
]


@st.composite
def line_soup(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.sampled_from(TRICKY_LINES), min_size=1, max_size=12))
    return "on: push\njobs:\n  a:\n    steps:\n" + "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(line_soup(), workflows()))
def test_the_notable_line_reading_agrees_with_the_line_by_line_one(text: str) -> None:
    assert _outcome(_run_values, text) == _outcome(reference_run_values, text)


def test_every_tricky_line_and_pair_reads_as_before() -> None:
    head = "on: push\njobs:\n  a:\n    steps:\n"
    for first, second in itertools.product(["", *TRICKY_LINES], repeat=2):
        text = head + first + "\n" + second + "\n"
        assert _outcome(_run_values, text) == _outcome(reference_run_values, text), text


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_soup())
def test_a_workflow_of_tricky_lines_the_fast_path_skips_has_no_finding(text: str) -> None:
    assert_sound(text, "workflow")


PIECES = [*"run: -|\t\\[]{}?#'\"\n\r $Xab", "${{", "}}", "${{ x }}", "\n      - run: "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@example("${{[}}")  # a bracket inside an expression: the line stays notable
@example("a: ${{ x[0] }}\nrun: codex")
def test_the_notable_line_reading_agrees_on_any_text(text: str) -> None:
    assert _outcome(_run_values, text) == _outcome(reference_run_values, text)


def _char_by_char(text: str) -> bool:
    with mock.patch.object(reject, "_LITERAL_RUNS", None):
        return may_concern_codex(text)


# Words whose expansions sit inside quotes, `${...}` or substitutions: where the literal runs
# stop matters there.
QUOTED_WORDS = [
    '"$X"',
    '"a${X}b"',
    '"${X:-$(y)}"',
    '"$(x) y"',
    "'$X'",
    '"\\$X"',
    '"${X#"$Y"}"',
    '"`x`"',
    '"a b"',
    "a${X}",
    "${X:-'y'}",
    '"x"$Y',
    "$'\\x24X'",
    "~",
    "./cod*",
    "{a,b}",
    "#c",
    "x#c",
]
HEADS = ["sudo", "env", "bash -c", "eval", "echo", "cat", "mytool", "A=$X", ""]


@st.composite
def quoted_lines(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(QUOTED_WORDS), min_size=1, max_size=4))
    return (
        draw(st.sampled_from(HEADS))
        + " "
        + " ".join(words)
        + draw(st.sampled_from(["", " exec", "; x", " | y", ")"]))
    )


@settings(max_examples=300, deadline=None)
@given(st.one_of(quoted_lines(), command_lines(), shell_noise(), st.text(max_size=60)))
def test_the_scan_by_literal_runs_agrees_with_the_scan_by_characters(text: str) -> None:
    reject._file_patterns()  # what a linter has compiled after its first file
    assert reject._LITERAL_RUNS is not None
    assert may_concern_codex(text) == _char_by_char(text)


def test_every_head_word_and_tail_scans_alike_by_runs_and_by_characters() -> None:
    reject._file_patterns()
    tails = ["", " exec", "; x", " | y", ")"]
    for head, word, other, tail in itertools.product(HEADS, QUOTED_WORDS, QUOTED_WORDS, tails):
        line = f"{head} {word}{other} {word}{tail}"
        assert may_concern_codex(line) == _char_by_char(line), line


def _workflow_with_step(run: str) -> str:
    return f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: {run}\n"


def _uncached_verdict(text: str) -> bool:
    with (
        mock.patch.object(reject, "_RUN_VERDICTS", {}),
        mock.patch.object(reject, "_RUN_VERDICTS_MAX", 0),
    ):
        return may_concern_file(text, "workflow")


# Steps that repeat across workflows, each judged twice: the second answer comes from the
# per-process verdict cache and must be the first's (a wild head goes on, an echo does not).
REPEATED_STEPS = ["npm ci", "echo $HOME", "$CMD exec", "${{ matrix.tool }} exec x", "./co* x"]


def test_a_repeated_run_value_gets_the_verdict_of_a_fresh_scan() -> None:
    with mock.patch.object(reject, "_RUN_VERDICTS", {}):
        for _ in range(2):
            for step in REPEATED_STEPS:
                text = _workflow_with_step(step)
                assert may_concern_file(text, "workflow") == _uncached_verdict(text), step
        assert set(reject._RUN_VERDICTS) == set(REPEATED_STEPS)
    assert _uncached_verdict(_workflow_with_step("$CMD exec"))
    assert not _uncached_verdict(_workflow_with_step("echo $HOME"))


@settings(max_examples=200, deadline=None)
@given(st.one_of(quoted_lines(), command_lines(), shell_noise()))
def test_the_cached_verdict_of_any_step_is_its_fresh_verdict(line: str) -> None:
    value = line.replace("\n", " ")
    fresh = _uncached_verdict(_workflow_with_step(f"'{value}'")) if "'" not in value else None
    if fresh is None:
        return
    text = _workflow_with_step(f"'{value}'")
    assert may_concern_file(text, "workflow") == fresh  # judged (and maybe cached) now
    assert may_concern_file(text, "workflow") == fresh  # from the cache


def test_the_verdict_cache_stays_bounded() -> None:
    with (
        mock.patch.object(reject, "_RUN_VERDICTS", {}),
        mock.patch.object(reject, "_RUN_VERDICTS_MAX", 8),
    ):
        for index in range(20):
            may_concern_file(_workflow_with_step(f"echo $X{index}"), "workflow")
        may_concern_file(_workflow_with_step("echo " + "$Y " * 3000), "workflow")
        assert len(reject._RUN_VERDICTS) == 8
        assert all(len(value) <= reject._RUN_VERDICT_TEXT_MAX for value in reject._RUN_VERDICTS)
        # Past the bound a step is still judged, not answered from an old entry.
        assert may_concern_file(_workflow_with_step("$CMD exec"), "workflow")


def test_line_readings_kept_before_read_as_before_in_every_context() -> None:
    """Each distinct line is read once (`_LINE_CODES`, `_RUN_READINGS`): a line passed over
    (`steps:`, `branches: [ main ]`, a comment) is passed over at once later, a `run` key line
    (`- run: |`, `run: sudo`, a bare `run:`) gives its column and value at once, and what follows
    it (a block body, a deeper line, a mapping) is still read. With every tricky line read
    first, every pair and triple of lines reads as the line-by-line reading does."""
    head = "on: push\njobs:\n  a:\n    steps:\n"
    with (
        mock.patch.object(reject, "_LINE_CODES", {}),
        mock.patch.object(reject, "_RUN_READINGS", {}),
    ):
        for line in TRICKY_LINES:
            _outcome(_run_values, head + line + "\n")
        codes, readings = reject._LINE_CODES, reject._RUN_READINGS
        assert codes["    steps:"] == "."
        assert codes["        branches: [ main ]"] == "."
        assert codes["          echo ${{ matrix.x }} $Y"] == "."  # masked as the source does
        assert codes["# run: $X"] == "."
        assert readings["      - run: |"] == (8, "|", None)
        assert readings["    run:"] == (4, "", None)
        assert readings["      - run: sudo"] == (8, "sudo", "sudo")
        assert readings["      - run: echo ${{ a }}"] == (8, "echo ${{ a }}", "echo ${{ a }}")
        assert all(codes[line] == "r" for line in readings)
        assert "      - {run: $X}" not in codes  # it goes on: never kept
        run_key = reject._file_patterns().run_key
        assert not any(run_key.match(line) for line, code in codes.items() if code == ".")
        for first, second in itertools.product(["", *TRICKY_LINES], repeat=2):
            text = head + first + "\n" + second + "\n"
            assert _outcome(_run_values, text) == _outcome(reference_run_values, text), text
        for first, second, third in itertools.product(["", *TRICKY_LINES], repeat=3):
            text = head + first + "\n" + second + "\n" + third + "\n"
            assert _outcome(_run_values, text) == _outcome(reference_run_values, text), text


def test_the_line_readings_stay_bounded() -> None:
    with (
        mock.patch.object(reject, "_LINE_CODES", {}),
        mock.patch.object(reject, "_RUN_READINGS", {}),
        mock.patch.object(reject, "_LINE_READINGS_MAX", 5),
    ):
        for index in range(20):
            _run_values(f"on: push\nx{index}: [ a ]\ny: [ {'b' * 600} ]\n")
            _run_values(f"steps:\n  - run: echo {index}\n  - run: {'b' * 600}\n")
        assert len(reject._LINE_CODES) == 5
        assert all(len(line) <= 512 for line in reject._LINE_CODES)
        assert set(reject._RUN_READINGS) <= set(reject._LINE_CODES)
        # Past the bound a line is still read: a run key after it is read, one that goes on
        # still goes on.
        assert _run_values("z: 1\nrun: $X exec\n") == ["$X exec"]
        assert _run_values("z: 1\n  - run: |\n      a\n\n      b\nc: d\n") == ["a\n\nb"]
        assert _outcome(_run_values, "z: 1\n- {run: $X}\n") is None


def test_a_complex_key_or_tab_on_the_first_line_reads_as_before() -> None:
    """The notable search finds a complex key from the line break before it; the first line has
    none in the file, so it is searched with one in front."""
    for first in ["? run", ": $X exec", "  ? run", "\t- run: $X", "run: $X", "[run: $X]"]:
        for rest in ["", "\n: $X exec\n", "\n  - run: echo $X\n", "\nx: 1\n"]:
            text = first + rest
            assert _outcome(_run_values, text) == _outcome(reference_run_values, text), text


def test_the_engines_snippet_verdicts_are_fresh_verdicts_and_stay_bounded() -> None:
    """guard/engine/run.py `mentions_codex` remembers a verdict per snippet text: the answer a
    repeated step gets is the scan's own, and the memory is bounded in count and text length."""
    from guard.engine import run as engine_run

    with (
        mock.patch.object(engine_run, "_VERDICTS", {}),
        mock.patch.object(engine_run, "_VERDICTS_MAX", 4),
    ):
        for _ in range(2):
            for step in REPEATED_STEPS:
                assert engine_run.mentions_codex(step) == reject.may_concern_codex(step), step
        assert engine_run.mentions_codex("$CMD exec")
        assert not engine_run.mentions_codex("npm ci")
        engine_run.mentions_codex("echo " + "$Y " * 300)
        assert len(engine_run._VERDICTS) == 4
        assert all(len(text) <= engine_run._VERDICT_TEXT_MAX for text in engine_run._VERDICTS)
        # Past the bound a text is still judged, not answered from an old entry.
        assert engine_run.mentions_codex("./co* x")
        assert not engine_run.mentions_codex("echo done $X")
