"""The code frame's ASCII fast path lays a line out exactly as the cell-by-cell reading does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guard.report.frame import _cell, _layout


def _by_cells(line: str) -> tuple[str, list[int]]:
    out: list[str] = []
    cells = [0]
    for char in line:
        shown, width = _cell(char, cells[-1])
        out.append(shown)
        cells.append(cells[-1] + width)
    return "".join(out), cells


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_any_ascii_line_lays_out_as_cell_by_cell(line: str) -> None:
    assert _layout(line) == _by_cells(line)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_line_lays_out_as_cell_by_cell(line: str) -> None:
    assert _layout(line) == _by_cells(line)


def test_tabs_and_controls_still_take_their_cells() -> None:
    assert _layout("a\tb") == ("a   b", [0, 1, 4, 5])
    assert _layout("a\x01b") == ("a\\x01b", [0, 1, 5, 6])
