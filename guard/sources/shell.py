"""A shell script: the whole file is one snippet; the dialect comes from its shebang."""

from __future__ import annotations

from guard.sources.base import shebang_dialect
from guard.sources.snippet import RunContext, Snippet


def extract(text: str, path: str) -> list[Snippet]:
    first = text.split("\n", 1)[0]
    return [
        Snippet(text=text, path=path, dialect=shebang_dialect(first), context=RunContext.SCRIPT)
    ]
