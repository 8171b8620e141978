"""Safe rewrites a check can attach to its finding (`lint --fix`, guard/fix/).

An edit is a span of the snippet and its replacement text. It is offered only where the command's
words sit in the file as written: not inside a `bash -c` string, an `eval` or an alias body, where a
span of the inner command is not a span of the file's text.
"""

from __future__ import annotations

from guard.shell.model import Command, Span, Word

# Wrappers whose inner command is text the shell re-reads: its positions are not the file's.
_REPARSED = frozenset({"bash -c", "sh -c", "zsh -c", "eval", "alias", "function", "xargs"})

# (span, replacement, file text that must end at the span's end, that must start at its start)
Edits = tuple[tuple[Span, str, str, str], ...]


def editable(command: Command) -> bool:
    """True when the command's spans are the file's own text (no re-parsed string around it)."""
    if command.context.depth > 0:
        return False
    return not any(w.name in _REPARSED or w.name.startswith("$") for w in command.wrappers)


def append(command: Command, text: str) -> Edits:
    """Insert `text` right after the command (whose last line must be there)."""
    span = command.span
    where = Span(span.end_line, span.end_column, span.end_line, span.end_column)
    return ((where, text, command.text.rsplit("\n", 1)[-1], ""),)


def prepend(command: Command, text: str) -> Edits:
    """Insert `text` right before the command (whose first line must be there)."""
    span = command.span
    return ((Span(span.line, span.column, span.line, span.column), text, "", _first_line(command)),)


def _first_line(command: Command) -> str:
    return command.text.split("\n", 1)[0]


def replace_word(word: Word, text: str) -> Edits:
    return ((word.span, text, word.raw, word.raw),) if word.raw else ()


def delete_words(first: Word, last: Word | None = None) -> Edits:
    """Remove `first` (through `last`); the fixer also takes the blanks before it (guard/fix/)."""
    end = last or first
    if not (first.raw and end.raw):
        return ()
    span = Span(first.span.line, first.span.column, end.span.end_line, end.span.end_column)
    return ((span, "", end.raw, first.raw),)


def value_after(command: Command, flag: Word) -> Word | None:
    """The separate value word of `flag` (`-C DIR`), None when it is inline (`--cd=DIR`)."""
    if "=" in flag.text:
        return None
    if flag.text.startswith("-") and not flag.text.startswith("--") and len(flag.text) > 2:
        return None  # `-Cdir`: the value is glued on
    words = command.argv
    for index, word in enumerate(words[:-1]):
        if word.span == flag.span:
            return words[index + 1]
    return None
