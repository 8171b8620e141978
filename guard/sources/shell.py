"""A shell script: the whole file is one snippet; the dialect comes from its shebang, and so
does xtrace when the shebang turns it on (`#!/bin/bash -x`: shebang_traces). A git hook in a
hook manager's folder (`.husky/pre-commit`) runs with the stdin git gives hooks: /dev/null, or
the finite stream it feeds a few (`pre-push`: the refs; detect.git_hook_stdin)."""

from __future__ import annotations

from guard.sources.base import shebang_dialect
from guard.sources.detect import git_hook_stdin
from guard.sources.snippet import RunContext, Snippet


def extract(text: str, path: str) -> list[Snippet]:
    first = text.split("\n", 1)[0]
    closed, stream = git_hook_stdin(path)
    return [
        Snippet(
            text=text,
            path=path,
            dialect=shebang_dialect(first),
            context=RunContext.SCRIPT,
            xtrace=shebang_traces(first),
            closed_stdin=closed,
            stdin_stream=stream,
        )
    ]


def shebang_traces(first_line: str) -> bool:
    """The shebang starts a shell with xtrace on: `#!/bin/bash -x`, `#!/bin/bash -ex`,
    `#!/usr/bin/env -S bash -x`. Linux hands the interpreter everything after its path as one
    word (`#!/bin/bash -e -x` is the option word `-e -x`, which bash refuses), and `env` runs
    that word as a program unless `-S` splits it (`#!/usr/bin/env bash -x` finds no program)."""
    if not first_line.startswith("#!") or "x" not in first_line:
        return False
    parts = first_line[2:].strip().split(None, 1)
    if not parts:
        return False
    from guard.shell.wrappers import SHELLS, basename, starts_traced

    program, rest = parts[0], parts[1].strip() if len(parts) > 1 else ""
    words = [rest] if rest else []
    if basename(program) == "env":
        if not rest.startswith("-S"):
            return False
        words = rest[2:].split()
        while words and "=" in words[0] and not words[0].startswith("-"):
            words.pop(0)  # `env -S NAME=V bash -x`
        if not words:
            return False
        program, words = words[0], words[1:]
    return basename(program) in SHELLS and starts_traced(words)
