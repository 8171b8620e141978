"""The file-level reject's workflow line reading as it was before it looked only at notable lines
(guard/reject.py before the fast path): the reference tests/test_reject_fast.py holds the fast
path to. Kept verbatim but for names; not used by the package."""

from __future__ import annotations

import re

from guard.reject import _OTHER_BREAKS, _GoOn


def reference_run_values(text: str) -> list[str]:
    """The text of every `run:` value, as YAML reads it; `_GoOn` where that is not certain."""
    text = text.replace("\r\n", "\n")
    if any(b in text for b in _OTHER_BREAKS):
        raise _GoOn
    run_key = re.compile(
        r"""^(?P<lead>[ ]*(?:-[ ]+)*)(?P<q>["']?)run(?P=q)[ ]*:(?:[ ]+(?P<value>.*?))?[ ]*$"""
    )
    any_run_key = re.compile(r"""(?<![\w-])["']?run["']?[ \t]*:""")
    lines = text.split("\n")
    values: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = line[: len(line) - len(line.lstrip(" \t-"))]
        if "\t" in lead:
            raise _GoOn
        if "\\" in line or stripped.startswith(("?", ": ")) or stripped == ":":
            raise _GoOn
        if _unbalanced_flow(line):
            raise _GoOn
        match = run_key.match(line)
        if match is None:
            if any_run_key.search(line):
                raise _GoOn
            continue
        column = len(match.group("lead"))
        value = match.group("value") or ""
        if value.startswith("|"):
            if not re.fullmatch(r"\|(?:[+-]?[1-9]?|[1-9][+-])(?:[ ]+#.*)?", value):
                raise _GoOn
            block: list[str] = []
            while i < len(lines):
                body = lines[i]
                if body.strip() and len(body) - len(body.lstrip(" ")) <= column:
                    break
                block.append(body.lstrip(" \t"))
                i += 1
            values.append("\n".join(block))
            continue
        if not value or value.startswith("#"):
            if _next_is_mapping(lines, i, column):
                continue
            raise _GoOn
        values.append(_single_line_scalar(value))
        if _next_is_deeper(lines, i, column):
            raise _GoOn
    return values


def _unbalanced_flow(line: str) -> bool:
    bare = re.sub(r"\"[^\"]*\"|'[^']*'", "", line).split(" #", 1)[0]
    return bare.count("[") + bare.count("{") != bare.count("]") + bare.count("}")


def _single_line_scalar(value: str) -> str:
    if value.startswith('"'):
        quoted = re.fullmatch(r'"([^"]*)"(?:[ ]+#.*)?', value)
        if quoted is None:
            raise _GoOn
        return quoted.group(1)
    if value.startswith("'"):
        quoted = re.fullmatch(r"'((?:[^']|'')*)'(?:[ ]+#.*)?", value)
        if quoted is None:
            raise _GoOn
        return quoted.group(1).replace("''", "'")
    if value[0] in "&*!>[]{}%@`|,?:-" or " #" in value:
        raise _GoOn
    return value


def _next_is_deeper(lines: list[str], i: int, column: int) -> bool:
    for line in lines[i:]:
        if line.strip():
            return len(line) - len(line.lstrip(" ")) > column
    return False


def _next_is_mapping(lines: list[str], i: int, column: int) -> bool:
    for line in lines[i:]:
        if line.strip() and not line.strip().startswith("#"):
            deeper = len(line) - len(line.lstrip(" ")) > column
            return deeper and re.match(r"^[ ]+[A-Za-z_][\w-]*[ ]*:(?:[ ]|$)", line) is not None
    return False
