"""Dockerfile `RUN` instructions in shell form (JSON exec form is not shell): one snippet each.

Continuations (a trailing backslash) are followed, comment lines inside them are blanked (Docker
drops them), `RUN --mount=...` style flags are blanked, and `RUN <<EOF` here-doc bodies are the
script. `ENV` keys set before a RUN are in its environment: they become `external_env`.
"""

from __future__ import annotations

import re

from guard.sources.snippet import RunContext, Snippet

_INSTRUCTION = re.compile(r"^\s*(?P<word>[A-Za-z]+)(?P<sep>\s+)")
_FLAG = re.compile(r"--[a-z-]+=\S*\s+")
_HEREDOC = re.compile(r"^<<-?\s*(?P<q>['\"]?)(?P<tag>[A-Za-z_][A-Za-z0-9_]*)(?P=q)\s*$")
_ENV_PAIR = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>\"[^\"]*\"|'[^']*'|\S*)")


def _env_pairs(rest: str, line: int) -> list[tuple[str, str, int]]:
    if "=" not in rest.split(None, 1)[0]:  # legacy form: `ENV NAME value`
        parts = rest.split(None, 1)
        return [(parts[0], parts[1].strip() if len(parts) > 1 else "", line)]
    return [
        (m.group("name"), m.group("value").strip("\"'"), line) for m in _ENV_PAIR.finditer(rest)
    ]


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    env: list[tuple[str, str, int]] = []
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        match = _INSTRUCTION.match(lines[index])
        word = match.group("word").upper() if match else ""
        if word == "ENV" and match:
            env.extend(_env_pairs(lines[index][match.end() :].strip() or "_", index + 1))
        if word != "RUN" or match is None:
            index += 1
            continue
        first = index
        head = lines[index][match.end() :]
        while True:  # blank leading flags, keeping columns
            flag = _FLAG.match(head)
            if not flag:
                break
            head = " " * flag.end() + head[flag.end() :]
        column = match.end() + (len(head) - len(head.lstrip()))
        head = head.lstrip()
        if head.startswith("["):
            index += 1  # exec form: no shell
            continue
        heredoc = _HEREDOC.match(head)
        if heredoc:
            body: list[str] = []
            index += 1
            while index < len(lines) and lines[index].strip() != heredoc.group("tag"):
                body.append(lines[index])
                index += 1
            snippets.append(
                Snippet(
                    "\n".join(body) + "\n", path, first + 1, 0, "sh", RunContext.SCRIPT, tuple(env)
                )
            )
            index += 1
            continue
        body = [head]
        while body[-1].rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            line = lines[index]
            body.append("" if line.lstrip().startswith("#") else line)
            if line.lstrip().startswith("#"):
                body[-1] = "\\"  # a dropped comment line must not end the continuation
        snippets.append(
            Snippet(
                "\n".join(body) + "\n", path, first, column, "sh", RunContext.SCRIPT, tuple(env)
            )
        )
        index += 1
    return snippets
