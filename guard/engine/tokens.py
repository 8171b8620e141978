"""The token scan behind CG901: a snippet that does not parse is still read line by line.

A parse error must never hide an API key, an API-key login or a full-access sandbox
(RULES.md CG901). Each line is split like the shell would (shlex), cut at shell operators, and
every piece that starts codex becomes a plain Command for the billing and sandbox checks.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator

from guard.lazyre import lazy_compile
from guard.shell.model import Command, EnvBinding, EnvOrigin, Script, Span, Word
from guard.shell.wrappers import peel
from guard.sources.snippet import Snippet

OPERATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", "|&", ";;"})
ASSIGNMENT = lazy_compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
LAUNCHERS = frozenset({"codex", "@openai/codex"})
# Words before a command word that leave it the command word: shell keywords, and the leads of
# the files the scan reads whole when they are too large to parse (Dockerfile `RUN`, a YAML
# `- run:` step or `script:` item).
LEADS = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "{", "-", "RUN"})
YAML_KEY = lazy_compile(r"^[A-Za-z_][\w-]*:$")
RECIPE_PREFIXES = "@+-"  # a make/just recipe line's `@codex ...`
CHUNK_COMMANDS = 2000  # commands held at once by the streaming scan of a very large file


def _split(line: str) -> list[str]:
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        return list(lexer)
    except ValueError:  # an unterminated quote: split on blanks, strip stray quotes
        return [t.strip("'\"") for t in line.split("#", 1)[0].split()]


def _pieces(tokens: list[str]) -> list[list[str]]:
    pieces: list[list[str]] = [[]]
    for token in tokens:
        if token in OPERATORS:
            pieces.append([])
        else:
            pieces[-1].append(token)
    return [p for p in pieces if p]


def _is_launcher(token: str) -> bool:
    return token.rsplit("/", 1)[-1].split("@", 2)[0] in LAUNCHERS or token.startswith(
        "@openai/codex"
    )


def _codex_position(piece: list[str]) -> int | None:
    """Where codex starts in a piece, if it is the command word (so `echo use codex --yolo` or
    `grep codex log` never counts): after shell keywords, a source's own lead (`RUN`, `run:`,
    `- `, a recipe's `@`), assignments, and the wrappers the command model peels (env, sudo,
    timeout, nohup, npx ...)."""
    start = 0
    while start < len(piece) and (
        piece[start] in LEADS or YAML_KEY.match(piece[start]) or ASSIGNMENT.match(piece[start])
    ):
        start += 1
    if start == len(piece):
        return None
    head = piece[start]
    if head[:1] in RECIPE_PREFIXES and _is_launcher(head.lstrip(RECIPE_PREFIXES)):
        return start
    span = Span(1, 1, 1, 1)
    peeled = peel(tuple(Word(t, True, span) for t in piece[start:]))
    if not peeled.argv or peeled.lookup_only or not _is_launcher(peeled.argv[0].text):
        return None
    return len(piece) - len(peeled.argv)


def _command(piece: list[str], line: int, index: int) -> Command | None:
    start = _codex_position(piece)
    if start is None:
        return None
    span = Span(line, 1, line, 1)
    env = tuple(
        EnvBinding(m.group(1), Word(m.group(2), True, span), EnvOrigin.PREFIX, span)
        for m in (ASSIGNMENT.match(t) for t in piece[:start])
        if m
    )
    argv = (Word("codex", True, span), *(Word(t, True, span) for t in piece[start + 1 :]))
    return Command(argv=argv, span=span, text=" ".join(piece), env=env, index=index)


def line_commands(line: str, number: int, first_index: int = 0) -> list[Command]:
    """The codex commands one line holds, token by token (`number` is its file line)."""
    if line.lstrip().startswith("#") or "codex" not in line.lower():
        return []
    commands: list[Command] = []
    for piece in _pieces(_split(line)):
        command = _command(piece, number, first_index + len(commands))
        if command is not None:
            commands.append(command)
    return commands


def fallback_script(snippet: Snippet) -> Script:
    commands: list[Command] = []
    for number, line in enumerate(snippet.text.splitlines(), start=snippet.line_offset + 1):
        commands.extend(line_commands(line, number, len(commands)))
    return Script(commands=tuple(commands), dialect=snippet.dialect)


def token_scripts(
    lines: Iterable[tuple[int, str]], dialect: str = "bash", chunk: int = CHUNK_COMMANDS
) -> Iterator[Script]:
    """The token scan of a stream of (file line, text): Scripts of at most `chunk` commands each,
    so a file of any size is scanned in bounded memory (a file too large to parse)."""
    commands: list[Command] = []
    for number, line in lines:
        commands.extend(line_commands(line, number, len(commands)))
        if len(commands) >= chunk:
            yield Script(commands=tuple(commands), dialect=dialect)
            commands = []
    if commands:
        yield Script(commands=tuple(commands), dialect=dialect)
