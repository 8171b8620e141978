"""justfile recipes: a recipe header at column 0 (`name params: deps`), then its indented body.

The body is one snippet with its leading `@` blanked; `{{expr}}` interpolations are left as text
(they are literal words to the shell layer). Shebang recipes (`#!/usr/bin/env python`) that are not
shell are skipped. Parameters may have defaults (`work task="x" $MODE='ci':`), which is still a
header, not an assignment (`name := value`).

The environment of a recipe (just's manual, "Getting and Setting Environment Variables"):
`export NAME := value` assignments, every assignment once `set export` is on, and the recipe's
`$NAME` parameters (every parameter under `set export`); `unexport NAME` takes one out. A string
literal's value is its text; any other expression is kept as written.
"""

from __future__ import annotations

import re

from guard.sources.base import shebang_dialect
from guard.sources.detect import kind_by_shebang
from guard.sources.snippet import RunContext, Snippet

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_STRING = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_DEFAULT = rf"{_STRING}|`[^`]*`|\([^()\n]*\)|{_NAME}"
_PARAM = rf"[+*]?\$?{_NAME}(?:=(?:{_DEFAULT}))?"
_PARAM_PARTS = re.compile(rf"(?P<dollar>\$?)(?P<name>{_NAME})(?:=(?P<default>{_DEFAULT}))?")
_HEADER = re.compile(rf"^@?{_NAME}(?P<params>(?:\s+{_PARAM})*)\s*:(?!=)")
_ASSIGNMENT = re.compile(rf"^(?P<export>export\s+)?(?P<name>{_NAME})\s*:=\s*(?P<value>.*)$")
_SET_EXPORT = re.compile(r"^set\s+export(?:\s*:=\s*(?P<value>true|false))?\s*(?:#.*)?$")
_UNEXPORT = re.compile(rf"^unexport\s+(?P<name>{_NAME})\s*(?:#.*)?$")
_LITERAL = re.compile(rf"^(?P<string>{_STRING})\s*(?:#.*)?$")

Env = list[tuple[str, str, int]]


def _value(expression: str, variables: dict[str, str] | None = None) -> str:
    """A string literal's text (`"1"` -> `1`), a variable's value (`MODE`); else as written."""
    literal = _LITERAL.match(expression.strip())
    if literal is None:
        return (variables or {}).get(expression.strip(), expression.strip())
    return literal.group("string")[1:-1]


def _variables(lines: list[str]) -> dict[str, str]:
    """Every top-level assignment's value (exported or not): a parameter default may name one."""
    found = (_ASSIGNMENT.match(line) for line in lines)
    return {m.group("name"): _value(m.group("value")) for m in found if m is not None}


def _exports_all(lines: list[str]) -> bool:
    """`set export` (or `set export := true`) is on: every variable and parameter is exported."""
    return any(
        (m := _SET_EXPORT.match(line)) is not None and m.group("value") != "false" for line in lines
    )


def _file_env(lines: list[str], export_all: bool) -> Env:
    """What every recipe gets: exported assignments (all of them under `set export`)."""
    unexported = {m.group("name") for line in lines if (m := _UNEXPORT.match(line))}
    env: Env = []
    for index, line in enumerate(lines):
        match = _ASSIGNMENT.match(line)
        if match is None or match.group("name") in unexported:
            continue
        if match.group("export") or export_all:
            env.append((match.group("name"), _value(match.group("value")), index + 1))
    return env


def _parameter_env(params: str, line: int, export_all: bool, variables: dict[str, str]) -> Env:
    """A recipe's exported parameters (`$NAME`, or all under `set export`) with their defaults."""
    env: Env = []
    for match in _PARAM_PARTS.finditer(params):
        if match.group("dollar") or export_all:
            default = match.group("default")
            env.append((match.group("name"), _value(default, variables) if default else "", line))
    return env


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    export_all = _exports_all(lines)
    file_env = _file_env(lines, export_all)
    variables = _variables(lines)
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        header = _HEADER.match(lines[index])
        if header is None:
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
            env = file_env + _parameter_env(
                header.group("params"), index + 1, export_all, variables
            )
            text_body = "\n".join(body) + "\n"
            snippets.append(
                Snippet(text_body, path, start, 0, dialect, RunContext.SCRIPT, tuple(env))
            )
        index = max(end, index + 1)
    return snippets
