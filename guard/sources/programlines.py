"""The token scan of a program (Python, JavaScript/TypeScript, Go) that could not be parsed.

A syntax error, or a file too large to parse, must never hide an API key, an API-key login or a
full-access sandbox (RULES.md CG901). The shell token scan (guard/engine/tokens.py) reads shell
lines; a program line holds its command as string literals instead. So each program line is
turned here into the shell lines it may run, and those go through the same token scan:
- an argv written out (`["codex", "exec", "--yolo", p]`, `exec.Command("codex", "exec", ...)`):
  the words from a launcher literal to the end of its list, an unknown word as `"$ARG"`;
- a command line handed to a shell (`os.system("codex exec --yolo")`, `execSync(...)`, zx's
  `` $`codex ...` ``), the literal itself;
- an env key written on the same line (`env={"OPENAI_API_KEY": k}`, `{...process.env,
  OPENAI_API_KEY: k}`, Go's `"OPENAI_API_KEY=k"`), as a prefix assignment of that line's command.
A line is read alone, as the shell token scan reads one: what a program spreads over several lines
(an argv built in one statement, its env in another) is left to the parsed reading.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator

# A string literal as the three languages write one on a line (Python's prefixes are dropped by
# the `\b` before the quote; a triple-quoted string opens with an empty "" and is read from its
# third quote).
_LITERAL = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`]*`")
_ESCAPE = re.compile(r"\\(.)")
# Callees that hand their string to a shell: Python's os.system/os.popen/subprocess.getoutput
# (and `run(..., shell=True)` and the like), asyncio's shell form, Node's exec/execSync, execa's
# command forms; a zx template is `$` right before the backtick.
_SHELL_CALL = re.compile(
    r"(?:\b(?:system|popen|getoutput|getstatusoutput|check_output|check_call|call|run|Popen|"
    r"create_subprocess_shell|exec|execSync|execaCommand|execaCommandSync)\s*\(\s*|\$)$"
)
# An env key written on the line: an object or dict key, or Go's "NAME=value" env entry.
_ENV_KEY = re.compile(r"(?<![\w.])([\"']?)([A-Z_][A-Z0-9_]*)\1\s*:(?!:)")
_ENV_ENTRY = re.compile(r"^([A-Z_][A-Z0-9_]*)=")
_LIST_END = frozenset("])}")


def _is_launcher(word: str) -> bool:
    """`codex`, a path to it, or npm's `@openai/codex[@version]` (as the shell token scan's)."""
    name = word.rsplit("/", 1)[-1]
    return name == "codex" or word.startswith("@openai/codex")


def _value(literal: str) -> str:
    body = literal[1:-1]
    return body if literal[0] == "`" else _ESCAPE.sub(r"\1", body)


def _skip_blanks(line: str, index: int) -> int:
    while index < len(line) and line[index] in " \t":
        index += 1
    return index


def _expression_end(line: str, index: int) -> int:
    """Where an element that is no literal ends: the next comma or list end at its own depth."""
    depth = 0
    while index < len(line) and (depth or (line[index] != "," and line[index] not in _LIST_END)):
        depth += line[index] in "([{"
        depth -= depth > 0 and line[index] in ")]}"
        index += 1
    return index


def _items(line: str, index: int) -> tuple[list[str], int]:
    """The words of the list or call arguments that go on from `index`, and where they end: each
    literal as it is, a nested list's items in place (Node's `spawn("codex", [...])`), anything
    else one unknown word."""
    words: list[str] = []
    while True:
        index = _skip_blanks(line, index)
        literal = _LITERAL.match(line, index)
        if index < len(line) and line[index] == "[":
            inner, index = _items(line, index + 1)
            words.extend(inner)
        elif literal:
            words.append(shlex.quote(_value(literal.group(0))))
            index = literal.end()
        else:
            end = _expression_end(line, index)
            if line[index:end].strip():
                words.append('"$ARG"')
            index = end
        index = _skip_blanks(line, index)
        if index >= len(line) or line[index] != ",":
            return words, index + 1
        index += 1


def _env(line: str, literals: list[re.Match[str]]) -> list[str]:
    names = [m.group(2) for m in _ENV_KEY.finditer(line)]
    names += [e.group(1) for m in literals if (e := _ENV_ENTRY.match(_value(m.group(0))))]
    return [f"{name}=x" for name in dict.fromkeys(names)]


def shell_lines(line: str) -> list[str]:
    """The shell lines one program line may run (see the module doc); none when it runs none."""
    if "codex" not in line.lower():
        return []
    literals = list(_LITERAL.finditer(line))
    commands: list[str] = []
    for literal in literals:
        value = _value(literal.group(0))
        if _is_launcher(value):
            commands.append(" ".join(_items(line, literal.start())[0]))
        elif "codex" in value.lower() and _SHELL_CALL.search(line[: literal.start()]):
            commands.append(value.replace("\n", " "))
    if not commands:
        return []
    prefix = " ".join(_env(line, literals))
    return [f"{prefix} {command}" if prefix else command for command in commands]


def program_shell_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """(file line, shell line) for every shell line a program's numbered lines may run."""
    for number, line in lines:
        for command in shell_lines(line):
            yield number, command
