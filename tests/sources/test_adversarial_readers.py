"""Adversarial input for this session's readers: here-doc runners nested past the walker's depth,
a line of thousands of code spans, long lines under a code frame. Nothing may pass silently,
print a traceback, or cost more than its size (sizes here are checked by what is reported; speed
goals live in bench/)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.report.frame import MAX_SHOWN, frame
from guard.sources.markdown import inline_commands


def lint(folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", "."],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def nested_runners(depth: int) -> str:
    """Each runner writes the next one and runs it; the innermost runs codex --yolo."""
    text = "codex exec --yolo deep\n"
    for level in range(depth):
        text = f"cat > r{level}.sh <<'E{level}'\n{text}E{level}\nbash r{level}.sh\n"
    return text


@pytest.mark.parametrize("depth", [3, 12, 40])
def test_runners_nested_past_the_walk_depth_are_never_silent(tmp_path: Path, depth: int) -> None:
    (tmp_path / "dispatch.sh").write_text(nested_runners(depth))
    rules = {f["rule"] for f in lint(tmp_path)["findings"]}
    # followed: the --yolo is found; too deep to follow: it may start codex (CG902)
    assert "CG303" in rules or "CG902" in rules, rules


def test_a_runner_that_runs_itself_is_walked_once(tmp_path: Path) -> None:
    (tmp_path / "dispatch.sh").write_text(
        "cat > r.sh <<'E'\nbash r.sh\nsource ./r.sh\ncodex exec --yolo x\nE\nbash r.sh\n"
    )
    found = [(f["rule"], f["line"]) for f in lint(tmp_path)["findings"]]
    assert found.count(("CG303", 4)) == 1


def test_a_line_of_thousands_of_spans_reads_each_span(tmp_path: Path) -> None:
    count = 3000
    line = " ".join(f"`codex exec --yolo x{i}`" for i in range(count))
    (tmp_path / "AGENTS.md").write_text(line + "\n")
    assert len(inline_commands([line], "AGENTS.md")) == count
    doc = lint(tmp_path)
    assert sum(f["rule"] == "CG303" for f in doc["findings"]) == count


def test_a_never_early_in_a_long_clause_still_forbids_every_span_of_it() -> None:
    line = "Never run " + " or ".join(f"`codex exec --yolo x{i}`" for i in range(500))
    assert inline_commands([line], "AGENTS.md") == []
    after = line + ". Run `codex exec --yolo y`."
    assert [s.text.strip() for s in inline_commands([after], "AGENTS.md")] == [
        "codex exec --yolo y"
    ]


_CLAUSE_END = re.compile(r"[,;!?:]|\.(?!\S)")
_FORBIDS = re.compile(r"\b(?:never|avoid|removed)\b", re.IGNORECASE)
_COUNTER = re.compile(r"\bbad\b", re.IGNORECASE)
_AFTER = re.compile(r"\s*(?:is\s+)?removed\b")


def forbidden_alone(line: str, start: int, end: int) -> bool:
    """The reading of one span on its own, from the whole prose before it (the words used below)."""
    before = line[:start]
    clause = _CLAUSE_END.split(before)[-1]
    sentence = re.split(r"[!?]|\.(?!\S)", before)[-1]
    return bool(_FORBIDS.search(clause) or _COUNTER.search(sentence) or _AFTER.match(line, end))


@settings(max_examples=80, deadline=None)
@given(
    prose=st.lists(
        st.sampled_from(["Never run", "Run", "Bad:", "then", ",", ".", ";", "avoid", "is removed"]),
        max_size=6,
    ),
)
def test_one_pass_reading_agrees_with_reading_each_span_alone(prose: list[str]) -> None:
    spans = [f"`codex exec --yolo x{i}`" for i in range(len(prose) + 1)]
    line = " ".join(part for pair in zip(spans, [*prose, ""], strict=True) for part in pair)
    kept = {s.column_offset for s in inline_commands([line], "AGENTS.md")}
    for span in spans:
        start = line.index(span)
        expected = not forbidden_alone(line, start, start + len(span))
        assert (start + 1 in kept) == expected, (line, span)


def test_a_frame_of_a_very_long_line_shows_a_window_with_the_carets_under_the_span() -> None:
    line = "x" * 100_000 + "codex exec --yolo" + "y" * 100_000
    start = 100_000
    shown, carets = frame([line], 1, start + 1, 1, start + 18)[1:3]
    text = shown.split(" | ", 1)[1]
    under = carets.split(" | ", 1)[1]
    assert len(text) <= MAX_SHOWN + 6
    assert text.startswith("...") and text.endswith("...")
    column = under.index("^")
    assert text[column : column + 17] == "codex exec --yolo" and under.count("^") == 17


def test_spans_of_an_agent_file_too_large_to_parse_are_still_token_scanned(
    tmp_path: Path,
) -> None:
    filler = "filler prose about nothing at all\n" * 70_000  # over the 2 MiB parse limit
    tail = "Run `codex exec --yolo x` now. Never run `codex exec --yolo y`.\n"
    for name in ("AGENTS.md", "README.md"):
        (tmp_path / name).write_text(filler + tail)
    findings = lint(tmp_path)["findings"]
    cg303 = [(f["path"], f["line"]) for f in findings if f["rule"] == "CG303"]
    assert cg303 == [("AGENTS.md", 70_001)]  # the instruction; not the forbidden one, not README
    assert {f["rule"] for f in findings} == {"CG303", "CG901"}
