"""The code frame under a finding (as ruff and rustc print it): the line, the span underlined.

Columns are characters of the decoded line (a bad byte is one Latin-1 character, guard/sources/
decode.py). What is printed is measured in terminal cells: a tab runs to the next stop of 4, a CJK
character or an emoji takes two cells, a combining mark none, and a control character is shown as
its `\\xNN` escape, so the carets sit under the span whatever the line holds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

TAB_STOP = 4
MAX_LINES = 4  # a longer span shows its first lines, an ellipsis and its last line


def _cell(char: str, at: int) -> tuple[str, int]:
    """How `char` prints starting at cell `at`: its text and its width in cells."""
    if char == "\t":
        width = TAB_STOP - at % TAB_STOP
        return " " * width, width
    if unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029":
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a surrogate-escaped byte
            code -= 0xDC00
        shown = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
        return shown, len(shown)
    if unicodedata.combining(char):
        return char, 0
    return char, 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _layout(line: str) -> tuple[str, list[int]]:
    """The printable line and, for each character index (and one past the end), its cell."""
    if line.isascii() and line.isprintable():  # no tab, no control character: one cell each
        return line, list(range(len(line) + 1))
    out: list[str] = []
    cells = [0]
    at = 0
    for char in line:
        shown, width = _cell(char, at)
        out.append(shown)
        at += width
        cells.append(at)
    return "".join(out), cells


MAX_SHOWN = 240  # characters of a longer line shown around the span, the rest as "..."
CONTEXT = 80  # characters kept on either side of a span in a clipped line


def _clip(line: str, start: int, end: int) -> tuple[str, int, int]:
    """A line longer than MAX_SHOWN cut to the span and CONTEXT characters either side (a
    minified file's one line holds thousands of findings: each frame costs its window, not the
    whole line). Returns the text shown and the span's place in it."""
    if len(line) <= MAX_SHOWN:
        return line, start, end
    left = max(0, start - CONTEXT)
    right = min(len(line), max(end, start + 1) + CONTEXT, left + MAX_SHOWN)
    head = "..." if left > 0 else ""
    tail = "..." if right < len(line) else ""
    shift = len(head) - left
    return head + line[left:right] + tail, start + shift, min(end, right) + shift


def _underline(line: str, start: int, end: int) -> tuple[str, str]:
    """`line` as printed and the carets under characters [start, end) (0-based, clamped): at
    least one caret, just past the line's end when the span starts there."""
    start = max(0, min(start, len(line)))
    end = max(start, min(end, len(line)))
    line, start, end = _clip(line, start, end)
    shown, cells = _layout(line)
    left = cells[start]
    width = max(1, cells[end] - left)
    return shown, " " * left + "^" * width


def frame(
    lines: Sequence[str], line: int, column: int, end_line: int, end_column: int
) -> list[str]:
    """The frame for a 1-based span (end column exclusive), or [] when the line is not there."""
    if not 1 <= line <= len(lines):
        return []
    if end_line < line:
        end_line, end_column = line, column
    end_line = min(end_line, len(lines))
    if end_line > line and end_column <= 1:  # ends at the start of a line: the line before
        end_line -= 1
        end_column = len(lines[end_line - 1]) + 1
    numbers = list(range(line, end_line + 1))
    if len(numbers) > MAX_LINES:
        numbers = [*numbers[: MAX_LINES - 1], -1, numbers[-1]]
    gutter = len(str(end_line))
    out = [f"{'':>{gutter}} |"]
    for number in numbers:
        if number == -1:
            out.append(f"{'...':>{gutter}}")
            continue
        text = lines[number - 1]
        first = column - 1 if number == line else len(text) - len(text.lstrip())
        last = end_column - 1 if number == end_line else len(text)
        shown, carets = _underline(text, first, last)
        out.append(f"{number:>{gutter}} | {shown}".rstrip())
        out.append(f"{'':>{gutter}} | {carets}")
    return out
