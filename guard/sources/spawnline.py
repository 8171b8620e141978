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
from guard.sources.snippet import RunContext, Snippet, position_step
from guard.sources.valueset import bounded
from guard.sources.valueset import product as bounded_product

# Enough for real orchestrators (a few independent optional flags); past it the first ones are
# kept, in statement order, so a parse never explodes.
MAX_VARIANTS = 32
# Words of one argv: past this its rest is one unknown spread. A name that refers to itself
# (`a = append(a, a...)`) doubles at each step of its resolution: without a bound a nine-line
# file took 40 s and rendered a 30,000-word command.
MAX_ARGV_WORDS = 256


class Unknown(Enum):
    """A value the source cannot resolve: one unknown word, or any number of them."""

    VALUE = '"$ARG"'
    SPREAD = '"$@"'


Word = str | Unknown
Argv = tuple[Word, ...]

# Words that make an argv with an unknown program look like a codex command line (the same idea
# as CG902's own list in guard/engine/checks/linter.py: there the engine decides).
CODEX_LIKE_ARGS = frozenset({"exec", "e", "login", "resume", "--yolo", "--full-auto", "--sandbox"})


# A spawn whose output the program takes is the shell's `out=$(codex exec ...)` (CG601), written
# left of the spawn's column so that the command itself starts there (Python, JS and Go alike).
CAPTURED = "out=$("


def captured(line: str) -> str:
    """The command line of a run whose output the program takes: `out=$(LINE)`."""
    return CAPTURED + line + ")"


def shifted_left(origins: Sequence[Origin], back: int) -> tuple[Origin, ...]:
    """The origins of a line written `back` columns left of the spawn (`out=$(` before it): an
    origin is matched by the column a finding has in the file, so it moves as far left."""
    return tuple((a - back, b - back, r, c, note) for a, b, r, c, note in origins)


def spawn_snippet(
    node: Any, line: str, path: str, origins: tuple[Origin, ...], context: RunContext,
    taken: bool,
) -> Snippet:  # fmt: skip
    """A program's spawn (JS, Go) as the command line it runs, placed at the spawn's call.
    `taken`: the line is `captured`, its `out=$(` left of the spawn's column, so that the
    command itself starts there."""
    row, column = node.start_point
    line_map: tuple[tuple[int, int, int], ...] = ()
    if taken:
        back = len(CAPTURED)
        line_map = ((row + 1, row + 1, -back),)
        origins = shifted_left(origins, back)
    return Snippet(
        text=line + "\n",
        path=path,
        line_offset=row,
        column_offset=column,
        context=context,
        origins=origins,
        # A later spawn runs on the same machine with the same Codex home.
        session=(("program", position_step(row, column)),),
        line_map=line_map,
    )


def render(words: Sequence[Word]) -> str:
    return " ".join(w.value if isinstance(w, Unknown) else shlex.quote(w) for w in words)


def is_codex_argv(words: Sequence[Word]) -> bool:
    """Does the argv start codex? It is read as the shell line it amounts to, by the command
    model (guard/shell/wrappers.py peels the wrappers, the one place that knows them): `codex
    ...`, `/usr/local/bin/codex ...`, `npx --yes @openai/codex ...`, `timeout 600 codex ...`,
    `ssh HOST codex ...`, `docker compose run -e K svc codex ...`, `uv run codex ...`, `bash -lc
    "codex exec ..."`, and a command codex-guard does not know whose words carry a codex line
    (`agent-run -- codex exec ...`). A word that only mentions codex (`grep codex`, `echo "codex
    exec"`) is not a run."""
    if not words or not any(isinstance(w, str) and "codex" in w.lower() for w in words):
        return False
    if isinstance(words[0], str) and words[0].rsplit("/", 1)[-1] == "codex":
        return True  # the program itself: no wrapper to peel
    return _model_reach(render(words))[0]


def may_be_codex(words: Sequence[Word]) -> bool:
    """An argv whose program is unknown but whose arguments look like codex's (CG902's case):
    the argv's own program (`[CODEX_BIN, "exec", ...]`), or the program a wrapper runs
    (`["timeout", "600", cli, "exec", "--yolo", p]`)."""
    if not words:
        return False
    if isinstance(words[0], Unknown):
        literal = [w for w in words[1:] if isinstance(w, str)]
        return any(w in CODEX_LIKE_ARGS or "codex" in w for w in literal)
    if not any(isinstance(w, Unknown) for w in words):
        return False
    return _model_reach(render(words))[1]


def text_may_be_codex(line: str) -> bool:
    """A shell text that runs a command the model cannot resolve with codex's arguments
    (`$ARG exec --yolo ...`): may_be_codex for a spawn's shell text."""
    return _model_reach(line)[1]


@functools.lru_cache(maxsize=512)
def _model_reach(line: str) -> tuple[bool, bool]:
    """(runs codex, runs an unresolved program with codex-like arguments) for one shell line,
    as the command model reads it (a spawn's variants repeat the same lines: cached)."""
    from guard.shell import parse_script

    script = parse_script(line)
    codex = any(command.program == "codex" for command in script.commands)
    dynamic = any(
        any(w.literal and (w.text in CODEX_LIKE_ARGS or "codex" in w.text) for w in c.argv[1:])
        for c in script.dynamic_commands
    )
    return codex, dynamic


def render_dynamic(words: Argv) -> str:
    """The unknown program as a `"$CMD"` word: the shell layer reports it as CG902 (behind a
    wrapper the line stays as it is: the wrapper runs the unknown word)."""
    if not words or not isinstance(words[0], Unknown):
        return render(words)
    rest = render(words[1:])
    return f'"$CMD" {rest}'.rstrip()


def env_prefix(keys: Sequence[str], replaces: bool) -> str:
    """`K="$VALUE" ` for every key a spawn's env sets; `env -i ` when it replaces the parent's."""
    prefix = "env -i " if replaces else ""
    return prefix + "".join(f'{key}="$VALUE" ' for key in keys if key.isidentifier())


def dedupe(variants: Sequence[Argv]) -> list[Argv]:
    return bounded(variants, MAX_VARIANTS)


def product(parts: Sequence[Sequence[Argv]]) -> list[Argv]:
    """Every combination of the parts' alternatives, in order (bounded)."""
    return bounded_product(parts, MAX_VARIANTS, (), _concat)


def _concat(head: Argv, tail: Argv) -> Argv:
    if len(head) + len(tail) <= MAX_ARGV_WORDS:
        return head + tail
    return (*(head + tail)[: MAX_ARGV_WORDS - 1], Unknown.SPREAD)


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


def runs_before(statement: Any, target: Any) -> bool:
    """Does `statement` run on every path to `target`? In structured code it does when the
    statement list that holds it holds `target` further on: a statement under an `if`, a loop
    or a `try` is in a list of its own, which what follows them is not in."""
    holder = statement.parent
    return bool(
        holder is not None and contains(holder, target) and statement.end_byte <= target.start_byte
    )


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
ENV_KEY = re.compile(r'(?<![\w$])([A-Za-z_][A-Za-z0-9_]*)="\$VALUE"')  # env_prefix's words


class LiteralIndex:
    """The file's string literals by value, so a flag that reached a spawn through a constant, a
    helper or a branch can be traced back to the line that wrote it (Snippet.origins)."""

    def __init__(
        self,
        root: Any,
        value_of: Any,
        functions: frozenset[str],
        keys: dict[str, list[Any]] | None = None,
    ) -> None:
        self.functions = functions
        self.root = root
        self.value_of = value_of
        self.uses: dict[str, list[Any]] | None = None  # names -> their nodes (read lazily)
        self.named: dict[str, list[Any]] | None = None  # function names -> their nodes (lazily)
        self.literals: dict[str, list[Any]] = {}
        # env keys by name -> the nodes that write them (`OPENAI_API_KEY: k` in an object,
        # `"OPENAI_API_KEY=" + k` in a Go slice): a key of a spawn's env is traced there too.
        self.keys = keys or {}
        for node in walk(root):
            if node.type in STRING_NODES:
                value = value_of(node)
                if _traced(value):
                    self.literals.setdefault(value, []).append(node)

    def origins(self, call: Any, line: str) -> tuple[Origin, ...]:
        """An origin for each flag of a rendered command line that the spawn call does not
        write itself (it came from a constant, a helper or a branch), and for each env key the
        line sets (`K="$VALUE"`, env_prefix) that the file writes elsewhere."""
        found: list[Origin] = []
        for match in ENV_KEY.finditer(line):
            key = match.group(1)
            if key in self.keys:
                for origin in self._origin(call, key, self.keys[key]):
                    found.append((match.start(), match.end(), *origin))
        if not self.literals:
            return tuple(found)
        own: set[str] | None = None  # the words the call's own literals write (read lazily)
        for match in re.finditer(r"\S+", line):
            try:
                words = shlex.split(match.group(0))
            except ValueError:
                continue
            if len(words) != 1 or words[0] not in self.literals:
                continue
            if own is None:
                own = self._own_words(call)
            if words[0] in own:
                continue  # written right there, in a command line the call hands to a shell
            for origin in self._origin(call, words[0], self.literals[words[0]]):
                found.append((match.start(), match.end(), *origin))
        return tuple(found)

    def _own_words(self, call: Any) -> set[str]:
        """The shell words of the string literals inside the spawn call (`execSync("codex exec
        -C . -")`, Go's `exec.Command("sh", "-c", "...")`): a word the call writes itself is no
        other literal's, though one elsewhere in the file (another spawn's `"-C"`) has its value."""
        own: set[str] = set()
        for node in walk(call):
            if node.type in STRING_NODES:
                value = self.value_of(node)
                if isinstance(value, str):
                    try:
                        own.update(shlex.split(value))
                    except ValueError:
                        own.update(value.split())
        return own

    def _origin(self, call: Any, word: str, nodes: list[Any]) -> list[tuple[int, int, str]]:
        """Where a word was written; for a constant's word, first the one line that put the
        constant into the command (`args = append(args, DangerFlags)` on a branch), as the
        Python source does."""
        if len(nodes) != 1 or contains(call, nodes[0]):
            return []  # written right there, or in several places: no guess
        node = nodes[0]
        row, column = node.start_point
        found = [(row + 1, column + 1, self._note(node, call, word))]
        use = self._put(node, call)
        if use is not None:
            note = self._note(use, call, word)
            if note.endswith(" is set here"):
                note = f"`{word}` is added here"
            row, column = use.start_point
            found.insert(0, (row + 1, column + 1, note))
        return found

    def _put(self, literal: Any, call: Any) -> Any:
        """The one use, outside the spawn call, of the module or class constant whose value
        holds `literal`; None when there is none, or several (no guess)."""
        declaration = literal.parent
        while declaration is not None and declaration.type not in CONSTANTS:
            if declaration.type in self.functions:
                return None  # a name local to a function: its own note says enough
            declaration = declaration.parent
        if declaration is None:
            return None
        name = _declared_name(declaration)
        if name is None:
            return None
        if self.uses is None:
            self.uses = {}
            for node in walk(self.root):
                if node.type in ("identifier", "property_identifier", "field_identifier"):
                    self.uses.setdefault(text_of(node), []).append(node)
        uses = [u for u in self.uses.get(text_of(name), ()) if not contains(declaration, u)]
        if len(uses) > 1:
            # Several uses: those this spawn can reach (its own function before the call, and
            # the helpers it calls); one of them is the put, several are no guess.
            reach = self._reach(call)
            uses = [u for u in uses if self._reached(u, call, reach)]
        if len(uses) != 1 or contains(call, uses[0]):
            return None
        return uses[0]

    def _enclosing(self, node: Any) -> Any:
        ancestor = node.parent
        while ancestor is not None and ancestor.type not in self.functions:
            ancestor = ancestor.parent
        return ancestor

    def _reach(self, call: Any) -> list[Any]:
        """The spawn's function and the functions of the file it calls, a few calls deep."""
        if self.named is None:
            self.named = {}
            for node in walk(self.root):
                if node.type in self.functions:
                    self.named.setdefault(_function_name(node), []).append(node)
        start = self._enclosing(call)
        if start is None:
            return []
        reach, frontier = [start], [start]
        for _depth in range(MAX_REACH):
            found: list[Any] = []
            for function in frontier:
                for node in walk(function):
                    if node.type != "call_expression":
                        continue
                    callee = node.child_by_field_name("function")
                    if callee is None:
                        continue
                    # `build()` is a function; `r.build()`, `this.build()` a method (not `cmd.Run()`
                    # matched to a function `Run`)
                    method = callee.type != "identifier"
                    name = text_of(callee).rsplit(".", 1)[-1]
                    for target in self.named.get(name, ()):
                        if (target.type in METHODS) != method:
                            continue
                        if all(t.id != target.id for t in reach):
                            reach.append(target)
                            found.append(target)
            frontier = found
        return reach

    def _reached(self, use: Any, call: Any, reach: list[Any]) -> bool:
        function = self._enclosing(use)
        if function is None or all(f.id != function.id for f in reach):
            return False
        # in the spawn's own function, only a use before the spawn counts
        return bool(function.id != reach[0].id or use.start_byte < call.start_byte)

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


MAX_REACH = 3  # helper -> helper -> helper, as the value models follow them
METHODS = frozenset({"method_definition", "method_declaration"})

# Declarations of a module or class constant (JavaScript/TypeScript, Go).
CONSTANTS = frozenset(
    {"variable_declarator", "public_field_definition", "field_definition", "const_spec",
     "var_spec"}
)  # fmt: skip


def _declared_name(declaration: Any) -> Any:
    name = declaration.child_by_field_name("name") or declaration.child_by_field_name("property")
    return name if name is not None and name.type in ("identifier", "property_identifier") else None


def _traced(value: object) -> bool:
    """A literal worth tracing: one word a command line may take (a flag, or a flag's value such
    as `danger-full-access`), not the program or subcommand every codex line has."""
    if not isinstance(value, str) or not value or value in ("codex", "exec", "e", "-"):
        return False
    return not any(c.isspace() for c in value)


def _function_name(function: Any) -> str:
    name = function.child_by_field_name("name")
    if name is None and function.parent is not None:
        name = function.parent.child_by_field_name("name")  # `const build = () => ...`
    return text_of(name) if name is not None else "a helper"
