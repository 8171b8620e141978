"""Markdown: fenced blocks marked as shell (bash, sh, shell, zsh, console).

A `console` (or `shell-session`) block holds a terminal transcript: only lines starting with `$ `
are commands; output lines become blank so line numbers stay exact. Fences in agent-instruction
files (SKILL.md, AGENTS.md, CLAUDE.md, anything under .claude/, .codex/, skills/, ...) are what an
agent's Bash tool will run: RunContext.AGENT. Elsewhere they are examples a person types: DOC.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator

from guard.sources.snippet import RunContext, Snippet

SHELL_LANGS = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session", "shellsession"})
SESSION_LANGS = frozenset({"console", "shell-session", "shellsession"})
AGENT_FILES = frozenset(
    {"skill.md", "agents.md", "agent.md", "claude.md", "gemini.md", "copilot-instructions.md"}
)
AGENT_DIRS = frozenset({".claude", ".codex", ".cursor", ".agents", "skills", "agents", "commands"})

# Any indentation, not CommonMark's 0-3: fences in list items sit 4+ spaces deep in real docs.
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n]*)$")


def context_for(path: str) -> RunContext:
    parts = path.replace("\\", "/").lower().split("/")
    if posixpath.basename(parts[-1]) in AGENT_FILES or any(p in AGENT_DIRS for p in parts[:-1]):
        return RunContext.AGENT
    return RunContext.DOC


def _lang(info: str) -> str:
    word = info.strip().split()[0] if info.strip() else ""
    return word.strip("{}").lstrip(".").split(",")[0].lower()


def _dedent(line: str, indent: int) -> str:
    strip = min(indent, len(line) - len(line.lstrip(" ")))
    return line[strip:]


def _session_line(line: str) -> str:
    """`$ cmd` -> `  cmd` (columns kept); anything else is output -> blank."""
    stripped = line.lstrip(" ")
    if stripped.startswith("$ ") or stripped == "$":
        return " " * (len(line) - len(stripped) + 2) + stripped[2:]
    return ""


# `<repo>`, `<task>`, `<SESSION_ID>`: a placeholder in prose-y docs, which bash would read as a
# redirect (`<repo` then `>`). Only a whole word in angle brackets, set off by blanks or quotes.
_PLACEHOLDER = re.compile(r"(?<![<\w])<([A-Za-z][\w.-]*)>(?![>\w])")


def mask_placeholders(line: str) -> str:
    """`<repo>` -> `_repo_`: same length, so every column stays put; a plain word to the shell."""
    return _PLACEHOLDER.sub(lambda m: "_" + m.group(1) + "_", line)


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    context = context_for(path)
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        fence = match.group("fence")
        if fence[0] == "`" and "`" in match.group("info"):
            index += 1  # not a fence: an inline code span at the start of a line
            continue
        indent = len(match.group("indent"))
        lang = _lang(match.group("info"))
        start = index + 1
        end = start
        closing = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if lang in SHELL_LANGS:
            body = [mask_placeholders(_dedent(line, indent)) for line in lines[start:end]]
            if lang in SESSION_LANGS:
                body = [_session_line(line) for line in body]
            snippets.append(
                Snippet(
                    text="\n".join(body) + "\n",
                    path=path,
                    line_offset=start,
                    column_offset=indent,
                    dialect="bash",
                    context=context,
                    block_indent=indent,
                )
            )
        index = end + 1
    return snippets


def fenced_shell_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """The lines of shell fences in a stream of (line number, text), as `extract` reads them:
    for a file too large to hold whole (the lint driver's token scan). Prose is never yielded."""
    closing: re.Pattern[str] | None = None  # inside a fence: what ends it
    lang = ""
    for number, line in lines:
        if closing is not None:
            if closing.match(line):
                closing = None
            elif lang in SHELL_LANGS:
                yield number, _session_line(line) if lang in SESSION_LANGS else line
            continue
        match = _FENCE.match(line)
        if match is None:
            continue
        fence = match.group("fence")
        if fence[0] == "`" and "`" in match.group("info"):
            continue  # an inline code span at the start of a line
        lang = _lang(match.group("info"))
        closing = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")
