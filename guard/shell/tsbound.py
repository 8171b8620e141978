"""A tree-sitter parse with a time bound: a door that never answers is a bypass.

tree-sitter-bash 0.25.1's error recovery is super-linear on some broken input: 47 unclosed `(`
before 8,000 `codex` lines (430 KB) take 14 s to parse, 20,000 lines over 100 s (bench/
run_pathological.py measures it), while a well-formed 2 MB script parses in about 0.3 s. An agent's
hook that runs that long is cut off by the agent, which then runs the command unchecked. So every
parse gets a budget; past it the parse is cancelled and the caller treats the text as unparsable:
CG901 in lint (the token scan still reports the key, the API-key login and full access) and a
deny at the hooks and `check`.

py-tree-sitter 0.26 has no `timeout_micros`; its `progress_callback` (called now and then while it
parses, honoured only when the text is read through a callback) cancels the parse by returning
True, and `parse` then raises ValueError("Parsing failed").
"""

from __future__ import annotations

import time

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Any

# CPU seconds one parse may take: several times a well-formed 2 MB script (the largest file that is
# parsed, PARSE_LIMIT in guard/sources/decode.py) on a loaded 2-core machine, and well under an
# agent's hook timeout (Claude Code's default is 60 s).
PARSE_BUDGET_SECONDS = 8.0
_CHUNK = 1 << 16


class ParseTimeout(Exception):
    """The parse ran past its budget and was cancelled."""


def parse_bounded(parser: Any, text: bytes, budget: float = PARSE_BUDGET_SECONDS) -> Any:
    """`parser.parse(text)`, cancelled after `budget` CPU seconds (raises ParseTimeout)."""
    # CPU time of this thread, not wall time: a loaded machine must not turn a well-formed script
    # into a parse error, and what the bound is for (super-linear work) is CPU.
    deadline = time.thread_time() + budget

    def read(offset: int, _point: object) -> bytes:
        return text[offset : offset + _CHUNK]

    def past_budget(_offset: int, _has_error: bool) -> bool:
        return time.thread_time() > deadline

    try:
        tree = parser.parse(read, progress_callback=past_budget)
    except ValueError:
        tree = None
    if tree is None:
        parser.reset()  # else the next parse would resume this one
        raise ParseTimeout(f"the shell parser ran past its {budget:g} s CPU budget")
    return tree
