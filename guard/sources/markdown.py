"""Markdown: fenced blocks marked as shell (bash, sh, shell, zsh, console).

A `console` (or `shell-session`) block holds a terminal transcript: only lines starting with `$ `
are commands (and the lines a trailing backslash continues, with an optional `> ` prompt); output
lines become blank so line numbers stay exact. A `bash`, `sh`, `shell` or `zsh` block with a `$ `
prompt line is a transcript too (`$ ` then a space is no command bash would run): the text after
`$ ` is the command, the lines after it are its output. Fences in agent-instruction
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


def is_prompt(line: str) -> bool:
    """A `$ ` prompt line of a terminal transcript."""
    stripped = line.lstrip(" ")
    return stripped.startswith("$ ") or stripped.rstrip() == "$"


class Transcript:
    """Reads a terminal transcript line by line: `$ cmd` -> `  cmd` (columns kept); a line that a
    command's trailing backslash continues is command too (its `> ` prompt blanked); anything
    else is output -> blank."""

    def __init__(self) -> None:
        self.continued = False

    def line(self, line: str) -> str:
        stripped = line.lstrip(" ")
        lead = len(line) - len(stripped)
        if self.continued:
            if stripped.startswith("> "):
                stripped, lead = stripped[2:], lead + 2
            out = " " * lead + stripped
        elif is_prompt(line):
            out = " " * (lead + 2) + stripped[2:]
        else:
            out = ""
        self.continued = bool(out) and out.endswith("\\")
        return out


def _session_lines(lines: list[str]) -> list[str]:
    reader = Transcript()
    return [reader.line(line) for line in lines]


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
            if lang in SESSION_LANGS or any(is_prompt(line) for line in body):
                body = _session_lines(body)
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
    for a file too large to hold whole (the lint driver's token scan). Prose is never yielded.
    A `bash`/`sh` fence is read as a transcript from its first `$ ` prompt line on (the lines
    before it cannot wait in memory to be judged; in a real transcript there are none)."""
    closing: re.Pattern[str] | None = None  # inside a fence: what ends it
    lang = ""
    transcript: Transcript | None = None
    for number, line in lines:
        if closing is not None:
            if closing.match(line):
                closing = None
            elif lang in SHELL_LANGS:
                if transcript is None and is_prompt(line):
                    transcript = Transcript()
                yield number, transcript.line(line) if transcript is not None else line
            continue
        match = _FENCE.match(line)
        if match is None:
            continue
        fence = match.group("fence")
        if fence[0] == "`" and "`" in match.group("info"):
            continue  # an inline code span at the start of a line
        lang = _lang(match.group("info"))
        transcript = Transcript() if lang in SESSION_LANGS else None
        closing = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")
