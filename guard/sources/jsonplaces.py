"""JSON read with places: where a member's value sits in the text, and a string's decoded text as
a snippet whose every character points back at the file (its escapes taken into account).

The text is checked by the `json` module first (C, fast), so a file that is not JSON is one
SourceError at the error's line and column; only then is the part a source needs walked again,
with `raw_decode` skipping every value it does not read (dependencies, `devDependencies`...).

A JSON string is on one line (a raw line break in it is not JSON). Each escape (`\\"`, `\\\\`,
`\\u0063`) is shorter decoded than written: the characters after it sit further right in the file
than in the text. `string_snippet` gives such a string a ``line_map`` and ``joins`` (Snippet's)
so a finding on a word after an escape still points at that word's column; a `\\n` escape starts
a new line of the text that is still on the string's file line.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator

from guard.sources.base import SourceError
from guard.sources.snippet import RunContext, Snippet

_BLANKS = re.compile(r"[ \t\n\r]*")
_ESCAPE_LENGTHS = {"u": 6}  # `\uXXXX`; every other escape is two characters


def load(text: str, what: str = "JSON") -> object:
    """The parsed value; SourceError at the syntax error (nesting too deep to read included)."""
    try:
        return json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        column = getattr(exc, "colno", 1)
        message = getattr(exc, "msg", "syntax error")
        raise SourceError(f"not valid {what}: {message}", line, column) from None
    except RecursionError:
        raise SourceError(f"not read: {what} nested too deeply") from None


class Places:
    """Offsets in a text as 1-based lines and 0-based columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_column(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]


def members(text: str, at: int) -> Iterator[tuple[str, int, int]]:
    """(key, value start, value end) of each member of the object at `text[at]` (`{`), in order,
    duplicates included (JSON.parse keeps the last). `text` must be JSON `load` accepted."""
    decoder = json.JSONDecoder()
    scan = json.decoder.scanstring  # type: ignore[attr-defined]
    i = _BLANKS.match(text, at + 1).end()  # type: ignore[union-attr]
    if text.startswith("}", i):
        return
    while True:
        key, i = scan(text, i + 1)
        i = _BLANKS.match(text, i).end()  # type: ignore[union-attr]  # at the `:`
        i = _BLANKS.match(text, i + 1).end()  # type: ignore[union-attr]
        _value, end = decoder.raw_decode(text, i)
        yield key, i, end
        i = _BLANKS.match(text, end).end()  # type: ignore[union-attr]  # a `,` or the `}`
        if text.startswith("}", i):
            return
        i = _BLANKS.match(text, i + 1).end()  # type: ignore[union-attr]


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_KEY_END = re.compile(r"[ \t]*:")


def string_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """(file line, text) of every JSON string value on numbered lines that mentions codex, its
    escapes decoded: the shell lines the token scan reads in a JSON file too large to parse (a
    package.json script is a string; split as shell, the quoted string would be one word). A
    line with a `\\u` escape is decoded before it is judged (`"\\u0063odex exec"` is codex)."""
    for number, line in lines:
        if "codex" not in line.lower() and "\\u" not in line:
            continue
        for match in _STRING.finditer(line):
            if _KEY_END.match(line, match.end()):
                continue  # a member's name
            try:
                value = json.loads(match.group(0))
            except ValueError:
                continue
            if "codex" in value.lower():
                yield number, value.replace("\n", " ; ")


def elements(text: str, at: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each element of the array at `text[at]` (`[`), in order. `text` must be
    JSON `load` accepted."""
    decoder = json.JSONDecoder()
    i = _BLANKS.match(text, at + 1).end()  # type: ignore[union-attr]
    if text.startswith("]", i):
        return
    while True:
        _value, end = decoder.raw_decode(text, i)
        yield i, end
        i = _BLANKS.match(text, end).end()  # type: ignore[union-attr]  # a `,` or the `]`
        if text.startswith("]", i):
            return
        i = _BLANKS.match(text, i + 1).end()  # type: ignore[union-attr]


def top_level(text: str) -> int | None:
    """The offset of the top-level object's `{`, or None when the value is not an object."""
    i = _BLANKS.match(text).end()  # type: ignore[union-attr]
    return i if text.startswith("{", i) else None


def string_snippet(
    places: Places,
    start: int,
    end: int,
    path: str,
    context: RunContext,
    dialect: str = "sh",
    session: tuple[tuple[str, int], ...] = (),
) -> Snippet:
    """The JSON string `text[start:end]` (quotes included) as a snippet of its decoded text."""
    raw = places.text[start + 1 : end - 1]
    line, column = places.line_column(start + 1)
    if "\\" not in raw:
        return Snippet(raw, path, line - 1, column, dialect, context, session=session)
    decoded: list[str] = []
    # (snippet line, column, file column) where a piece after an escape starts; 1-based
    pieces: list[tuple[int, int, int]] = [(line, 1, column + 1)]
    row, row_start = line, 0  # snippet line, and the decoded offset its text starts at
    i = length = 0  # offsets in `raw` and in the decoded text
    while i < len(raw):
        slash = raw.find("\\", i)
        if slash < 0:
            decoded.append(raw[i:])
            break
        decoded.append(raw[i:slash])
        length += slash - i
        size = _ESCAPE_LENGTHS.get(raw[slash + 1 : slash + 2], 2)
        if raw[slash + 1 : slash + 2] == "u" and _surrogate_pair(raw, slash):
            size = 12
        char = json.loads('"' + raw[slash : slash + size] + '"')
        decoded.append(char)
        length += len(char)
        i = slash + size
        if char == "\n":
            row, row_start = row + 1, length
            pieces.append((row, 1, column + i + 1))
        elif i < len(raw):
            pieces.append((row, length - row_start + 1, column + i + 1))
    line_map = tuple((r, line, file_column - 1) for r, at, file_column in pieces if at == 1)
    joins = tuple((r, at, line, file_column) for r, at, file_column in pieces if at > 1)
    return Snippet(
        "".join(decoded),
        path,
        line - 1,
        0,
        dialect,
        context,
        line_map=line_map,
        joins=joins,
        session=session,
    )


def _surrogate_pair(raw: str, slash: int) -> bool:
    """`\\ud83d\\ude00`: a high surrogate escape followed by a low one is one character."""
    high = raw[slash + 2 : slash + 6].lower()
    low = raw[slash + 6 : slash + 12].lower()
    return (
        len(high) == 4
        and "d800" <= high <= "dbff"
        and low[:2] == "\\u"
        and "dc00" <= low[2:] <= "dfff"
    )
