"""Shared by the program sources (JavaScript/TypeScript, Go): tree-sitter plumbing, the argv
values a spawn may receive, and how one reachable argv is written back as a shell command line.

A program builds argv in code: literals, `push`/`append` in the same function, under `if`s. Each
source walks the statements before the spawn and keeps every *reachable* argv (an `if` without an
`else` gives two: with and without its push), so a flag added on one branch is still checked.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import Any

from guard.sources.base import SourceError

# Enough for real orchestrators (a few independent optional flags); past it the first ones are
# kept, in statement order, so a parse never explodes.
MAX_VARIANTS = 32


class Unknown(Enum):
    """A value the source cannot resolve: one unknown word, or any number of them."""

    VALUE = '"$ARG"'
    SPREAD = '"$@"'


Word = str | Unknown
Argv = tuple[Word, ...]

# Words that make an argv with an unknown program look like a codex command line (the same idea
# as CG902's own list in guard/engine/checks/linter.py: there the engine decides).
CODEX_LIKE_ARGS = frozenset({"exec", "e", "login", "resume", "--yolo", "--full-auto", "--sandbox"})


def render(words: Sequence[Word]) -> str:
    return " ".join(w.value if isinstance(w, Unknown) else shlex.quote(w) for w in words)


# Programs that run another command (the shell layer peels them: guard/shell/wrappers.py), so
# `env -u OPENAI_API_KEY codex ...` and `sh -c "codex exec ..."` are codex spawns too.
RUNNERS = frozenset(
    {"env", "sudo", "timeout", "nice", "nohup", "stdbuf", "setsid", "time", "npx", "bunx", "pnpx",
     "sh", "bash", "zsh", "dash", "ksh"}
)  # fmt: skip


def is_codex_argv(words: Sequence[Word]) -> bool:
    """`codex ...`, `/usr/local/bin/codex ...`, `npx @openai/codex ...`, `env ... codex ...`."""
    if not words or not isinstance(words[0], str):
        return False
    first = words[0].rsplit("/", 1)[-1]
    if first == "codex":
        return True
    return first in RUNNERS and any(isinstance(w, str) and "codex" in w for w in words[1:])


def may_be_codex(words: Sequence[Word]) -> bool:
    """An argv whose program is unknown but whose arguments look like codex's (CG902's case)."""
    if not words or not isinstance(words[0], Unknown):
        return False
    literal = [w for w in words[1:] if isinstance(w, str)]
    return any(w in CODEX_LIKE_ARGS or "codex" in w for w in literal)


def render_dynamic(words: Argv) -> str:
    """The unknown program as a `"$CMD"` word: the shell layer reports it as CG902."""
    rest = render(words[1:])
    return f'"$CMD" {rest}'.rstrip()


def env_prefix(keys: Sequence[str], replaces: bool) -> str:
    """`K="$VALUE" ` for every key a spawn's env sets; `env -i ` when it replaces the parent's."""
    prefix = "env -i " if replaces else ""
    return prefix + "".join(f'{key}="$VALUE" ' for key in keys if key.isidentifier())


def dedupe(variants: Sequence[Argv]) -> list[Argv]:
    seen: dict[Argv, None] = {}
    for variant in variants:
        seen.setdefault(variant, None)
        if len(seen) >= MAX_VARIANTS:
            break
    return list(seen)


def product(parts: Sequence[Sequence[Argv]]) -> list[Argv]:
    """Every combination of the parts' alternatives, in order (bounded)."""
    result: list[Argv] = [()]
    for alternatives in parts:
        result = dedupe([head + tail for head in result for tail in alternatives])
    return result


# --- tree-sitter -------------------------------------------------------------------------------


@functools.cache
def parser_for(language: str) -> Any:
    """A tree-sitter parser: javascript, typescript, tsx or go (imported only when used)."""
    import tree_sitter as ts

    if language == "javascript":
        import tree_sitter_javascript as grammar

        lang = grammar.language()
    elif language in ("typescript", "tsx"):
        import tree_sitter_typescript as ts_grammar

        lang = ts_grammar.language_tsx() if language == "tsx" else ts_grammar.language_typescript()
    else:
        import tree_sitter_go as go_grammar

        lang = go_grammar.language()
    return ts.Parser(ts.Language(lang))


def walk(node: Any) -> Iterator[Any]:
    """Every named node below `node`, in source order (iterative: deep nesting is fine)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def parse(language: str, text: str, what: str) -> Any:
    """The tree's root; a syntax error is a SourceError at its line (CG901), never a crash."""
    data = text.encode("utf-8", "surrogatepass")
    tree = parser_for(language).parse(data)
    root = tree.root_node
    if root.has_error:
        line, column = _first_error(root)
        raise SourceError(f"not valid {what}: syntax error", line, column)
    return root


def _first_error(root: Any) -> tuple[int, int]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            row, column = node.start_point
            return row + 1, column + 1
        if node.has_error:
            stack.extend(reversed(node.children))
    row, column = root.start_point
    return row + 1, column + 1


def text_of(node: Any) -> str:
    return bytes(node.text).decode("utf-8", "replace")


def contains(outer: Any, inner: Any) -> bool:
    return bool(outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte)


STRING_NODES = frozenset(
    {"string", "template_string", "regex", "interpreted_string_literal", "raw_string_literal",
     "rune_literal"}
)  # fmt: skip


def directive_view(text: str, language: str) -> str:
    """The file as the directive reader should see it (guard/directives.py reads `#` comments):
    string literals blanked, so a string that holds `codex-guard:` is data; `//` comments turned
    into `#` ones at the same columns, so `// codex-guard: disable=CG201 -- why` is a directive.
    Lines and columns are unchanged."""
    if "codex-guard:" not in text:
        return text
    data = text.encode("utf-8", "surrogatepass")
    root = parser_for(language).parse(data).root_node
    chars = list(text)
    # tree-sitter speaks bytes; the directive reader speaks characters.
    index = None if text.isascii() else _char_index(text)
    for node in walk(root):
        start = node.start_byte if index is None else index[node.start_byte]
        end = node.end_byte if index is None else index[node.end_byte]
        if node.type in STRING_NODES:
            for position in range(start, end):
                if chars[position] != "\n":
                    chars[position] = " "
        elif node.type == "comment" and text.startswith("//", start):
            chars[start : start + 2] = [" ", "#"]
    return "".join(chars)


def _char_index(text: str) -> list[int]:
    """byte offset -> character offset, for every byte (and the end)."""
    index: list[int] = []
    for position, char in enumerate(text):
        index.extend([position] * len(char.encode("utf-8", "surrogatepass")))
    index.append(len(text))
    return index


# --- where a word was written ------------------------------------------------------------------

Origin = tuple[int, int, int, int, str]  # snippet start, end, file line, column, note


class LiteralIndex:
    """The file's string literals by value, so a flag that reached a spawn through a constant, a
    helper or a branch can be traced back to the line that wrote it (Snippet.origins)."""

    def __init__(self, root: Any, value_of: Any, functions: frozenset[str]) -> None:
        self.functions = functions
        self.literals: dict[str, list[Any]] = {}
        for node in walk(root):
            if node.type in STRING_NODES:
                value = value_of(node)
                if isinstance(value, str) and value.startswith("-") and value != "-":
                    self.literals.setdefault(value, []).append(node)

    def origins(self, call: Any, line: str) -> tuple[Origin, ...]:
        """An origin for each flag of a rendered command line that the spawn call does not
        write itself (it came from a constant, a helper or a branch)."""
        if not self.literals:
            return ()
        found: list[Origin] = []
        for match in re.finditer(r"\S+", line):
            try:
                words = shlex.split(match.group(0))
            except ValueError:
                continue
            if len(words) != 1 or words[0] not in self.literals:
                continue
            origin = self._origin(call, words[0])
            if origin is not None:
                found.append((match.start(), match.end(), *origin))
        return tuple(found)

    def _origin(self, call: Any, word: str) -> tuple[int, int, str] | None:
        nodes = self.literals[word]
        if len(nodes) != 1 or contains(call, nodes[0]):
            return None  # written right there, or in several places: no guess
        node = nodes[0]
        row, column = node.start_point
        return row + 1, column + 1, self._note(node, call, word)

    def _note(self, node: Any, call: Any, word: str) -> str:
        ancestor = node.parent
        while ancestor is not None and not contains(ancestor, call):
            if ancestor.type in self.functions:
                return f"`{word}` comes from {_function_name(ancestor)}() here"
            if ancestor.type in ("if_statement", "ternary_expression", "switch_case",
                                 "expression_case"):  # fmt: skip
                return f"`{word}` is added on this branch"
            ancestor = ancestor.parent
        return f"`{word}` is set here"


def _function_name(function: Any) -> str:
    name = function.child_by_field_name("name")
    if name is None and function.parent is not None:
        name = function.parent.child_by_field_name("name")  # `const build = () => ...`
    return text_of(name) if name is not None else "a helper"
