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


# `<repo>`, `<task>`, `<SESSION_ID>`, `<répertoire>`, `<提示>`, `<work dir>`: a placeholder in
# prose-y docs, which bash would read as a redirect (`<repo` then `>`). Only words that start with
# a letter (any script), in angle brackets, set off by blanks or quotes (not `sort <in 2> err`).
_LETTER_WORD = r"[^\W\d_][\w.-]*"
_PLACEHOLDER = re.compile(rf"(?<![<\w])<({_LETTER_WORD}(?: {_LETTER_WORD})*)>(?![>\w])")


def mask_placeholders(line: str) -> str:
    """`<repo>` -> `_repo_`, `<work dir>` -> `_work_dir_`: same length, so every column stays
    put; one plain word to the shell."""
    return _PLACEHOLDER.sub(lambda m: "_" + m.group(1).replace(" ", "_") + "_", line)


# An inline code span: a run of N backticks, its text, the same run again (CommonMark, one line).
_CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<code>.+?)(?<!`)(?P=ticks)(?!`)")
# `codex ...`, `/usr/local/bin/codex ...`, after `NAME=value` words (a wrapper in front, `npx -y
# @openai/codex ...`, is the command model's to peel: _codex_words_after_wrappers).
_CODEX_LINE = re.compile(
    r"(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:\S*/)?codex\s+(?P<rest>.*)",
    re.DOTALL,
)
# Words that name a part of the CLI: `codex exec`, `codex exec resume`, `codex login status` on
# their own are nouns ("`codex exec` is the headless mode"), not command lines.
_CLI_NOUNS = frozenset(
    {"exec", "e", "resume", "review", "fork", "login", "logout", "status", "apply", "mcp",
     "sandbox", "completion", "cloud", "features", "help"}
)  # fmt: skip
# A clause that forbids what its span shows ("never run `...`", "instead of `...`").
_FORBIDS = re.compile(
    r"\b(?:never|don'?t|do not|must not|should not|avoid|instead of|rather than|not allowed|"
    r"forbidden|prohibited|deprecated|removed|used to|if you see|formerly|"
    r"previously|outdated|migrat\w* (?:away )?from|old (?:form|style|syntax|flag|way))\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;!?:]|\.(?!\S)")  # not the dots of `0.171.0`
# A sentence that labels what follows as a counter-example ("Bad: `...`", "❌ `...`").
_COUNTER_EXAMPLE = re.compile(r"\b(?:bad|wrong|incorrect)\b|[❌🚫✗✘]", re.IGNORECASE)
# A clause that calls what it shows a mistake ("Typical mistake: `...`", "a common pitfall is
# `...`"). Scoped to the clause (and the one a colon ends right before the span) rather than the
# sentence, so "A common mistake is to forget it; run `...`" still reads the fix as an
# instruction; a clause that names the remedy ("fix the mistake with: `...`") shows the right way.
_MISTAKE = re.compile(r"\b(?:mistakes?|anti-?patterns?|pitfalls?)\b", re.IGNORECASE)
_REMEDY = re.compile(
    r"\b(?:fix\w*|correct(?:ed|s|ly)?|right|instead|solution|remedy|avoid\w*|prevent\w*)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[!?]|\.(?!\S)")


def is_codex_command_line(code: str) -> bool:
    """A whole codex command line (`codex exec -s read-only - < p.txt`), not a mention of a
    part of the CLI (`codex exec`, `codex login status`)."""
    match = _CODEX_LINE.fullmatch(code.strip())
    rest = match.group("rest").split() if match is not None else _codex_words_after_wrappers(code)
    if rest is None:
        return False
    while rest and rest[0] in _CLI_NOUNS:
        rest.pop(0)
    return bool(rest)


def _codex_words_after_wrappers(code: str) -> list[str] | None:
    """The words after codex when the span runs it through a wrapper the command model peels
    (`npx --yes @openai/codex@latest exec ...`, `timeout 600 codex exec ...`); None when the
    program is not codex. Words are split on blanks: a quoted `"codex ..."` is no program."""
    if "codex" not in code:
        return None
    from guard.shell.model import UNKNOWN_WRAPPER, Span, Word
    from guard.shell.wrappers import basename, peel

    texts = code.split()
    while texts and _ASSIGNMENT.fullmatch(texts[0]):
        texts.pop(0)
    if not texts:
        return None
    here = Span(1, 1, 1, 1)
    peeled = peel(tuple(Word(text, True, here) for text in texts))
    if peeled.body or peeled.lookup_only or not peeled.argv:
        return None
    if any(wrapper.name == UNKNOWN_WRAPPER for wrapper in peeled.wrappers):
        return None  # `the codex exec --yolo flag`: prose, not a program that carries codex
    if basename(peeled.argv[0].text) != "codex":
        return None
    return [word.text for word in peeled.argv[1:]]


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=\S*")

# What the words right after a span say of it when it is a thing not to run ("`codex -q` is
# deprecated", "`codex exec --full-auto` no longer works", "`...` fails on 0.171.0"); only as the
# span's own predicate, not further on ("`...` (it fails without auth)" is still an instruction).
_FORBIDDEN_AFTER = re.compile(
    r"[)\]\"'\u201d]*\s*(?:[|\u2014\u2013:]|--?)?\s*"  # a closing bracket, the next cell, a dash
    r"(?:(?:is|are|was|were|has|have|been|got|now|also|since|then|simply|just)\s+)*"
    r"(?:deprecated|removed|obsolete|no longer|not supported|unsupported|wrong|fails|breaks|"
    r"errors out|won'?t work|doesn'?t work|does not work|is rejected|rejected|exits with|"
    r"dangerous|unsafe|risky)\b",
    re.IGNORECASE,
)
# A heading names a topic (`## \`codex exec --json\` output`), not a step to run.
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")
# The rest of a clause, far enough to see whether it asks ("what does `...` do?").
_QUESTION_REACH = 200
_CLAUSE_REST = re.compile(r"[^.!?;:,]*(?P<end>[.!?;:,]|$)")
# The rest of a span's own sentence disowns it ("`...` bills the API; never do that."): "that"
# points back at the span only when no other span stands between them, so none may.
_DISOWNED_AFTER = re.compile(
    rf"[^`.!?]{{0,{_QUESTION_REACH}}}?"
    r"\b(?:never|don'?t|do not|must not|should not)\s+(?:ever\s+)?do\s+(?:this|that|it)"
    r"\s*(?:[.!]|$)",
    re.IGNORECASE,
)
# Words that tell the reader to run what follows ("run `...`", "dispatch it with `...`").
_IMPERATIVE = re.compile(
    r"\b(?:run|re-?run|use|start|invoke|execute|call|launch|dispatch|spawn|type|enter|issue|"
    r"try|trigger|kick off|log ?in|sign in|authenticate)\b",
    re.IGNORECASE,
)
# Words that make a span a thing talked about ("the difference between `...` and `...`",
# "`...` versus `...`", "what `...` does"), unless an imperative follows them in the clause.
_MENTIONS = re.compile(
    r"\b(?:between|versus|vs\.?|unlike|compar(?:e|ed|ing)|similar to|same as|"
    r"equivalent (?:to|of)|alias (?:of|for)|shorthand for|short for|expands? to|stands? for|"
    r"as opposed to|whether|what|prefer\w*\b.{0,120}?\bover)(?!\w)",
    re.IGNORECASE,
)
# The same words as the span's own predicate ("`...` versus `...`", "`...` is short for ...").
_MENTIONED_AFTER = re.compile(
    r"[)\]\"'\u201d]*\s*(?:(?:is|are|was|were|isn'?t|wasn'?t|aren'?t|has been)\b|"
    r"(?:versus|vs\.?|compared (?:to|with)|similar to|"
    r"same as|equivalent (?:to|of)|an? alias (?:of|for)|alias (?:of|for)|short(?:hand)? for|"
    r"expands? to|stands? for|differs?)(?!\w))",
    re.IGNORECASE,
)
# A table's delimiter row (`|---|:--:|`): the line before it is the header.
_TABLE_DELIMITER = re.compile(r" {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*\Z")
# A header cell that says its column holds commands to run.
_COMMAND_HEADER = re.compile(
    r"\b(?:command|commands|run|invocation|how to run|usage|dispatch|call)\b", re.IGNORECASE
)
_BLOCKQUOTE = re.compile(r" {0,3}(?:> ?)+")


def _last_end(pattern: re.Pattern[str], text: str, start: int, stop: int, found: int) -> int:
    """Where the text after the last match of `pattern` in text[start:stop] begins (`found`
    when none): the start of the clause or sentence that runs up to `stop`."""
    for match in pattern.finditer(text, start, stop):
        found = match.end()
    return found


class _Prose:
    """The prose of one line around its spans, read left to right once (a line of 10,000 spans
    is one pass, not one per span): for each span, whether its clause so far forbids and its
    sentence so far names a counter-example. The text between two spans' starts is read once;
    it begins at a backtick, so no word it is searched for straddles two reads."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.scanned = 0  # the text before this has been read
        self.clause_forbids = False
        self.sentence_counter = False
        self.clause_start = 0  # where the clause that runs up to the last span read begins
        self.sentence_start = 0

    def _read(self, start: int) -> None:
        line, scanned = self.line, self.scanned
        clause = _last_end(_CLAUSE_END, line, scanned, start, -1)
        if clause >= 0:
            self.clause_forbids = False
            self.clause_start = clause
            scanned_clause = clause
        else:
            scanned_clause = scanned
        self.clause_forbids = (
            self.clause_forbids or _FORBIDS.search(line, scanned_clause, start) is not None
        )
        sentence = _last_end(_SENTENCE_END, line, scanned, start, -1)
        if sentence >= 0:
            self.sentence_counter = False
            self.sentence_start = sentence
            scanned_sentence = sentence
        else:
            scanned_sentence = scanned
        self.sentence_counter = (
            self.sentence_counter
            or _COUNTER_EXAMPLE.search(line, scanned_sentence, start) is not None
        )
        self.scanned = start

    def mentioned(self, start: int) -> bool:
        """Does the clause before line[start] talk about the span ("the difference between")
        with no imperative after that? (Call after ``forbidden``, which reads up to start.)"""
        last_mention = _last_end(_MENTIONS, self.line, self.clause_start, start, -1)
        if last_mention < 0:
            return False
        return _IMPERATIVE.search(self.line, last_mention, start) is None

    def told_to_run(self, start: int, since: int) -> bool:
        """Is there an imperative ("run", "use", ...) between ``since`` and line[start], after
        the last mention word of the clause? (Call after ``forbidden``.)"""
        since = max(since, _last_end(_MENTIONS, self.line, self.clause_start, start, since))
        return _IMPERATIVE.search(self.line, since, start) is not None

    def _introduced_by_a_forbidding_clause(self, start: int) -> bool:
        """A span right after a colon whose clause forbids it ("with a key (never do this):
        `...`"); the clause is looked at within _QUESTION_REACH characters."""
        colon = self.clause_start - 1
        if colon < 0 or self.line[colon] != ":" or self.line[self.clause_start : start].strip():
            return False
        reach = max(0, colon - _QUESTION_REACH)
        before = _last_end(_CLAUSE_END, self.line, reach, colon, reach)
        return _FORBIDS.search(self.line, before, colon) is not None

    def _called_a_mistake(self, start: int) -> bool:
        """Does the clause before line[start] call the span a mistake, directly ("a common
        mistake is `...`") or as the label of a colon that opens its clause ("Typical mistake:
        `...`"), without naming a remedy?"""
        begin = self.clause_start
        if self.line[begin - 1 : begin] == ":":
            reach = max(0, begin - 1 - _QUESTION_REACH)
            begin = _last_end(_CLAUSE_END, self.line, reach, begin - 1, reach)
        return (
            _MISTAKE.search(self.line, begin, start) is not None
            and _REMEDY.search(self.line, begin, start) is None
        )

    def forbidden(self, start: int, end: int) -> bool:
        """Does the clause around line[start:end] say not to run it or call it a mistake, its
        sentence call it a counter-example or disown it ("...; never do that."), its clause ask
        about it, or is it a link's label (`[` span `](url)`)?"""
        self._read(start)
        line = self.line
        return (
            self.clause_forbids
            or self.sentence_counter
            or self._introduced_by_a_forbidding_clause(start)
            or self._called_a_mistake(start)
            or _FORBIDDEN_AFTER.match(line, end) is not None
            or _DISOWNED_AFTER.match(line, end) is not None
            or (line[start - 1 : start] == "[" and line.startswith("](", end))
            or _asks(line, end)
        )


def _asks(line: str, end: int) -> bool:
    """Does the clause that goes on after a span end in a question mark (within reach)?"""
    rest = _CLAUSE_REST.match(line, end, min(len(line), end + _QUESTION_REACH))
    return rest is not None and rest.group("end") == "?"


class AgentProse:
    """Reads the prose lines of an agent file in order and says which inline spans are whole
    codex command lines to run. A span is an instruction unless its sentence forbids it,
    labels it a counter-example, asks about it or talks about it ("the difference between
    `...` and ..."); in a blockquote (a quotation) and in a table (a list of flags and what
    they do) it is one only when it is told to be run: an imperative before it in its
    sentence or cell, or a table column headed as commands."""

    def __init__(self) -> None:
        self.previous = ""  # the line before, a table's header when this one is its delimiter
        self.header: list[str] | None = None  # the cells of the table this line is in

    def spans(self, line: str) -> list[re.Match[str]]:
        previous, self.previous = self.previous, line
        stripped = line.lstrip(" ")
        if "|" in line and "|" in previous and _TABLE_DELIMITER.match(line):
            self.header = _cells(previous)
            return []
        in_table = stripped.startswith("|") or (self.header is not None and "|" in line)
        if not in_table:
            self.header = None
        if "codex" not in line or _HEADING.match(line):
            return []
        quote = _BLOCKQUOTE.match(line)
        # A paragraph is one flow of sentences: "Do not use" at the end of one line forbids the
        # span that starts the next. The prose is read with the line before it in front.
        carry = previous + " " if not in_table and _soft_break(previous, line) else ""
        prose = _Prose(carry + line)
        at = len(carry)
        found: list[re.Match[str]] = []
        for span in _CODE_SPAN.finditer(line):
            start, end = span.start(), span.end()
            if not is_codex_command_line(span.group("code")) or prose.forbidden(
                at + start, at + end
            ):
                continue
            if prose.mentioned(at + start) or _MENTIONED_AFTER.match(line, end) is not None:
                continue
            if in_table:
                if not self._table_instruction(line, prose, start, end):
                    continue
            elif quote is not None and not prose.told_to_run(at + start, prose.sentence_start):
                continue
            found.append(span)
        return found

    def _table_instruction(self, line: str, prose: _Prose, start: int, end: int) -> bool:
        """A span in a table cell: told to run in its cell, or in a column of commands of a
        row that nowhere calls it dangerous or forbidden."""
        rest = line[:start] + " " + line[end:]  # the row but the span: is it called bad?
        if _FORBIDS.search(rest) is not None or _FORBIDDEN_AFTER.search(rest) is not None:
            return False
        if prose.told_to_run(start, line.rfind("|", 0, start) + 1):
            return True
        column = line.count("|", 0, start) - (1 if line.lstrip(" ").startswith("|") else 0)
        header = self.header or []
        return 0 <= column < len(header) and _COMMAND_HEADER.search(header[column]) is not None


def _soft_break(previous: str, line: str) -> bool:
    """Does `line` go on with the paragraph `previous` is in (CommonMark: a soft line break),
    rather than start a block of its own (a list item, a heading, a quote, a table row)?"""
    if not previous.strip() or not line.strip():
        return False
    if _HEADING.match(previous) or _FENCE.match(previous) or previous.lstrip().startswith("|"):
        return False
    starts_block = _HEADING.match(line) or _LIST_ITEM.match(line) or _FENCE.match(line)
    if starts_block or line.lstrip().startswith("|"):
        return False
    return bool(_BLOCKQUOTE.match(line)) == bool(_BLOCKQUOTE.match(previous))


_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


def _cells(row: str) -> list[str]:
    """The cells of a table row (`| a | b |` -> ["a", "b"])."""
    text = row.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [cell.strip() for cell in text.split("|")]


def instruction_line(line: str, reader: AgentProse | None = None) -> str:
    """A prose line of an agent file as the token scan reads it: its instruction spans at their
    columns, each ended by a `;` where its closing backticks were, everything else blank."""
    spans = (reader or AgentProse()).spans(line)
    if not spans:
        return ""
    out = [" "] * len(line)
    for span in spans:
        code = mask_placeholders(span.group("code"))
        out[span.start("code") : span.end("code")] = code
        out[span.end("code")] = ";"
    return "".join(out).rstrip()


def inline_commands(lines: list[str], path: str) -> list[Snippet]:
    """Inline code spans of an agent-instruction file that are whole codex command lines ("run
    `codex exec -s read-only - < /tmp/p.txt`"): an agent reads them as instructions. They are
    linted as documentation (RunContext.DOC: only the rules that hold for any caller), since
    nothing says how the agent will wire the command's stdin. Prose only: fences are `extract`'s."""
    snippets: list[Snippet] = []
    closing: re.Pattern[str] | None = None
    reader = AgentProse()
    for number, line in enumerate(lines):
        if closing is not None:
            if closing.match(line):
                closing = None
            continue
        fence = _FENCE.match(line)
        if fence is not None and not (
            fence.group("fence")[0] == "`" and "`" in fence.group("info")
        ):
            marker = fence.group("fence")
            closing = re.compile(rf"^ *{re.escape(marker[0])}{{{len(marker)},}}\s*$")
            reader = AgentProse()
            continue
        for span in reader.spans(line):
            code = span.group("code")
            snippets.append(
                Snippet(
                    text=mask_placeholders(code) + "\n",
                    path=path,
                    line_offset=number,
                    column_offset=span.start("code"),
                    dialect="bash",
                    context=RunContext.DOC,
                )
            )
    return snippets


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    context = context_for(path)
    snippets: list[Snippet] = []
    if context is RunContext.AGENT:
        snippets.extend(inline_commands(lines, path))
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
                    # The document's shell blocks are run in turn, in one terminal or by one
                    # agent: a later block is a later step on the same machine.
                    session=(("document", len(snippets)),),
                )
            )
        index = end + 1
    return snippets


def fenced_shell_lines(
    lines: Iterable[tuple[int, str]], agent: bool = False
) -> Iterator[tuple[int, str]]:
    """The lines of shell fences in a stream of (line number, text), as `extract` reads them:
    for a file too large to hold whole (the lint driver's token scan). Prose is yielded only in
    an agent file (`agent`), as its instruction spans (`instruction_line`), as `extract` reads it.
    A `bash`/`sh` fence is read as a transcript from its first `$ ` prompt line on (the lines
    before it cannot wait in memory to be judged; in a real transcript there are none)."""
    closing: re.Pattern[str] | None = None  # inside a fence: what ends it
    lang = ""
    transcript: Transcript | None = None
    reader = AgentProse()  # tables and quotes around the spans, read as `extract` reads them
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
        if match is None or (match.group("fence")[0] == "`" and "`" in match.group("info")):
            if agent:  # prose, or a span at the start of a line
                spans = instruction_line(line, reader)
                if spans:
                    yield number, spans
            continue
        fence = match.group("fence")
        lang = _lang(match.group("info"))
        transcript = Transcript() if lang in SESSION_LANGS else None
        reader = AgentProse()
        closing = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")
