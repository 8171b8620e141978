"""justfile recipes: a recipe header at column 0 (`name args:`), then its indented body lines.

The body is one snippet with its leading `@` blanked; `{{expr}}` interpolations are left as text
(they are literal words to the shell layer). Shebang recipes (`#!/usr/bin/env python`) that are not
shell are skipped.
"""

from __future__ import annotations

import re

from guard.sources.base import shebang_dialect
from guard.sources.detect import kind_by_shebang
from guard.sources.snippet import RunContext, Snippet

_HEADER = re.compile(r"^@?[A-Za-z_][A-Za-z0-9_-]*(?:\s+[^:=]*)?:(?!=)")


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        if not _HEADER.match(lines[index]):
            index += 1
            continue
        start = index + 1
        end = start
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
            end += 1
        body = []
        for line in lines[start:end]:
            stripped = line.lstrip(" \t")
            lead = len(line) - len(stripped)
            body.append(" " * (lead + 1) + stripped[1:] if stripped.startswith("@") else line)
        first = next((b.strip() for b in body if b.strip()), "")
        is_shebang = first.startswith("#!")
        if any(b.strip() for b in body) and (
            not is_shebang or kind_by_shebang(first.encode()) is not None
        ):
            dialect = shebang_dialect(first) if is_shebang else "sh"
            text_body = "\n".join(body) + "\n"
            snippets.append(Snippet(text_body, path, start, 0, dialect, RunContext.SCRIPT))
        index = max(end, index + 1)
    return snippets
