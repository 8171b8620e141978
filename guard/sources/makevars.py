"""A Makefile's own variables, as a bounded set of values each: what `$(NAME)` holds in a recipe.

make reads the whole file before it runs a recipe, so a recipe sees the last assignment of the
file, whatever its place (GNU make manual, "How make Reads a Makefile"). Assignments:
`=` and `?=` (recursive: expanded when used), `:=`, `::=`, `:::=` (expanded now), `+=` (appends
with a space), `!=` (a shell command's output: unknown), each optionally after `export`,
`override` or `private`; once a name is set with `override`, a plain assignment to it is
ignored. `?=` sets a name only when it is not yet set: its value is one reachable
value, the environment or the command line may give another, which is unknown (so no finding
rests on it). Assignments inside `ifeq/ifneq/ifdef/ifndef ... else ... endif` happen on one path:
where the paths meet a name holds the values of every path (at most MAX_VALUES). A value with a
function call (`$(shell ...)`, `$(wildcard ...)`) or a reference the file does not set is unknown.
Only in part, when it has known words too: `-C $(REPO) -s read-only` with `REPO` a `$(shell
...)` is `-C ${REPO} -s read-only`, three known words and one the shell layer does not know (as
it reads `-C $REPO -s read-only` in a script); a value with no known word stays unknown.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

MAX_VALUES = 16  # values one variable may hold (guard/shell/scope.py's bound)
MAX_DEPTH = 8  # `A = $(B)`, `B = $(C)`, ...: deeper references are unknown
MAX_TEXT = 4096  # characters of one value: `A = $(B) $(B)` chains grow a longer one unknown

_MODS = r"(?:(?:export|override|private)\s+)*"
ASSIGNMENT = re.compile(
    rf"^(?P<mods>{_MODS})(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\s*"
    r"(?P<op>:::=|::=|:=|\?=|\+=|!=|=)\s*(?P<value>.*)$"
)
_CONDITIONAL = re.compile(r"^(?:ifeq|ifneq|ifdef|ifndef)\b")
_ELSE = re.compile(r"^else\b")
_ENDIF = re.compile(r"^endif\b")
# A conditional directive: make reads it, inside a recipe too (the recipe goes on after it).
DIRECTIVE = re.compile(r"^(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# `$@`, `$<`, ...: the target's and prerequisites' names (makefile.py's _MAKE_REF, in recipes)
_AUTOMATIC = "@%<?^+|*"
# The word an unknown part of a value is written as, when it has no shell name of its own (a
# function call, an automatic variable): target-specific values use it too (makefile.py).
UNKNOWN_WORD = "${__make_unknown_value}"

# One value of a variable: its text (None: unknown), the file line, and whether it still holds
# references to expand (a recursive `=`).
Value = tuple[str | None, int, bool]


def as_shell_value(text: str) -> str | None:
    """What a text that make (or just) writes into a recipe is to the shell, as one variable's
    value: the text itself; with quotes, the word they make (`"read-only"`); None when the shell
    would still expand it (`$HOME`, a backtick), or the quotes hold a space (`"review the code"`
    is one word where make writes it, but a variable holding it splits where it is unquoted)."""
    if "$" in text or "`" in text:
        return None
    if not any(c in text for c in "'\"\\"):
        return text
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    return words[0] if len(words) == 1 and not re.search(r"\s", words[0]) else None


_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Where a command starts in a recipe line's shell text before a reference: the line's start, or
# after an operator or a keyword that starts one (`a; $(ENV) codex`, `if {{env}} codex ...`).
COMMAND_START = re.compile(
    r"(?:\A|[;&|()!{}]|(?<![\w-])(?:then|do|else|elif|if|while|until|time))\s*\Z"
)
_ASSIGNMENT_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def prefix_text(values: list[str | None]) -> str | None:
    """Of the values make (or just) may write where a command starts, the first that starts
    with an assignment (`OPENAI_API_KEY=${KEY}`): written into the line as text, the shell
    reads it as a prefix assignment, not as a command named by a variable (a key on one path
    of a conditional reaches codex there). None when no value does, or it spans lines."""
    return next((v for v in values if v and _ASSIGNMENT_WORD.match(v) and "\n" not in v), None)


_UNKNOWN_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def shell_text(value: str) -> str | None:
    """A value as the shell layer takes it: known text (as_shell_value), or plain words around
    references the file does not set (`-C ${CURDIR} --json`: three words, the middle unknown)."""
    if "$" not in value or any(c in value for c in "'\"\\`"):
        return as_shell_value(value)
    return value if "$" not in _UNKNOWN_REF.sub("", value) else None


def _references(text: str) -> list[tuple[int, int, str | None]]:
    """What make expands in ``text``, in order: (start, end, variable name), the name None for
    a function call (`$(shell git rev-parse --show-toplevel)`, its parentheses balanced), a
    substitution reference (`$(SRC:.c=.o)`) or an automatic variable (`$@`, `$(@D)`). `$$` and
    make's one-letter `$X` are left in the text (a value holding them is not known)."""
    found: list[tuple[int, int, str | None]] = []
    index = text.find("$")
    while 0 <= index < len(text) - 1:
        opener = text[index + 1]
        end = index + 2
        if opener in "({":
            end = _closing(text, index + 1)
            if end < 0:
                break  # unbalanced: the rest stays as written
            inner = text[index + 2 : end - 1]
            name = inner if _VARIABLE_NAME.fullmatch(inner) else None
            found.append((index, end, name))
        elif opener in _AUTOMATIC:
            found.append((index, end, None))
        index = text.find("$", end)
    return found


def _closing(text: str, opener: int) -> int:
    """The index just after the bracket that closes the one at ``opener`` (make counts only
    that kind of bracket); -1 when none does."""
    close = ")" if text[opener] == "(" else "}"
    depth = 0
    for index in range(opener, len(text)):
        if text[index] == text[opener]:
            depth += 1
        elif text[index] == close:
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


def unknown_word(name: str | None, otherwise: str) -> str:
    """How an unknown part of a value is written for the shell layer: a shell reference it
    does not know, read as one word, as it reads `-C $REPO` (`${REPO}`: the variable's own
    name says what it is, a `-` in it as `_`; ``otherwise`` when it has no such name)."""
    shell_name = None if name is None else name.replace("-", "_")
    return f"${{{shell_name}}}" if shell_name and _SHELL_NAME.fullmatch(shell_name) else otherwise


@dataclass(frozen=True)
class Partial:
    """A value put together piece by piece (a make value around its references, a just
    expression's terms): its text so far (None: not known), and whether it holds a known word
    and an unknown one (`-C ${REPO}`: both; `${REPO}` alone is only unknown, so not a value)."""

    text: str | None = ""
    known: bool = False
    unknown: bool = False

    def then(self, piece: str, choice: str | None, unknown_word: str | None) -> Partial:
        """This value, then ``piece`` (text as written) and ``choice`` (a reference's value); a
        reference with no known value at all is ``unknown_word`` (None: then so is the value)."""
        if self.text is None:
            return _NOT_KNOWN
        if choice is None:
            if unknown_word is None:
                return _NOT_KNOWN
            known = self.known or bool(piece.strip())
            return Partial(self.text + piece + unknown_word, known, True)
        if len(self.text) + len(choice) > MAX_TEXT:
            return _NOT_KNOWN
        known = self.known or bool((piece + choice).strip())
        return Partial(self.text + piece + choice, known, self.unknown)

    def value(self, tail: str = "") -> str | None:
        """The value, ending with ``tail``; None when it is not known or has no known word."""
        if self.text is None or (self.unknown and not (self.known or tail.strip())):
            return None
        return self.text + tail


_NOT_KNOWN = Partial(None)


def _comment_free(value: str) -> str:
    """An assignment's value without its trailing comment (`\\#` is a literal #)."""
    match = re.search(r"(?<!\\)#", value)
    return (value[: match.start()] if match else value).strip()


@dataclass
class _Frame:
    before: dict[str, list[Value]]
    arms: list[dict[str, list[Value]]] = field(default_factory=list)
    has_else: bool = False


def _union(arms: list[dict[str, list[Value]]]) -> dict[str, list[Value]]:
    """Where the paths of a conditional meet: each name holds what any path gave it (unset on
    a path: unknown there, make would read the environment)."""
    names = dict.fromkeys(name for arm in arms for name in arm)
    out: dict[str, list[Value]] = {}
    for name in names:
        values: list[Value] = []
        for arm in arms:
            for value in arm.get(name, [(None, 0, False)]):
                if value[0] not in [v[0] for v in values] and len(values) < MAX_VALUES:
                    values.append(value)
        out[name] = values
    return out


class MakeVariables:
    """The variable table, read in file order (``read`` each top-level line, then ``values``)."""

    def __init__(self) -> None:
        self.table: dict[str, list[Value]] = {}
        self.frames: list[_Frame] = []
        # What each name expands to, while the table does not change: `A = $(B) $(B)`,
        # `B = $(C) $(C)`, ... is read once a name, not once a path.
        self.memo: dict[str, list[str | None]] = {}
        # Names set with `override`: make ignores a later plain `=`/`+=` to them (True), or
        # may (False: the override was read on one path of a conditional only).
        self.overridden: dict[str, bool] = {}

    def read(self, stripped: str, line: int) -> bool:
        """Take in one top-level line; True when it was a conditional or an assignment."""
        if _CONDITIONAL.match(stripped):
            self.frames.append(_Frame({k: list(v) for k, v in self.table.items()}))
            return True
        if _ELSE.match(stripped) and self.frames:
            frame = self.frames[-1]
            frame.arms.append(self.table)
            frame.has_else = frame.has_else or stripped == "else"
            self.table = {k: list(v) for k, v in frame.before.items()}
            self.memo.clear()
            return True
        if _ENDIF.match(stripped) and self.frames:
            frame = self.frames.pop()
            frame.arms.append(self.table)
            if not frame.has_else:
                frame.arms.append(frame.before)
            self.table = _union(frame.arms)
            self.memo.clear()
            return True
        match = ASSIGNMENT.match(stripped)
        if match is None:
            return False
        name, op, value = match.group("name"), match.group("op"), match.group("value")
        if "override" in match.group("mods").split():
            self.assign(name, op, value, line)
            self.overridden[name] = self.overridden.get(name, False) or not self.frames
        elif self.overridden.get(name):
            pass  # make keeps the override's value
        elif name in self.overridden:
            before = list(self.table.get(name, []))
            self.assign(name, op, value, line)
            kept = [v for v in before if v not in self.table[name]]
            self.table[name] = (self.table[name] + kept)[:MAX_VALUES]
        else:
            self.assign(name, op, value, line)
        return True

    def unknown(self, name: str, line: int) -> None:
        """`define NAME` ... `endef`: a multi-line value, not read."""
        self.memo.clear()
        self.table[name] = [(None, line, False)]

    def assign(self, name: str, op: str, raw: str, line: int) -> None:
        self.memo.clear()
        value = _comment_free(raw)
        if op == "!=":
            self.table[name] = [(None, line, False)]
        elif op == "?=":
            if name not in self.table:
                self.table[name] = [(value, line, True)]
        elif op == "+=":
            old = self.table.get(name)
            if old is None:
                self.table[name] = [(value, line, True)]
            else:
                self.table[name] = self._appended(old, value, line)
        elif op == "=":
            self.table[name] = [(value, line, True)]
        else:  # := ::= :::= expand now
            self.table[name] = [(v, line, False) for v in self.expand(value, 0)][:MAX_VALUES]

    def _appended(self, old: list[Value], value: str, line: int) -> list[Value]:
        """`NAME += value`: a recursive value takes the text as written, a simply expanded one
        (`:=`) its expansion now (GNU make manual, "Appending More Text to Variables"): what it
        already holds is never expanded again (an unknown `${REPO}` in it stays unknown)."""
        appended: list[Value] = []
        for text, _line, recursive in old:
            tails: list[str | None] = [value] if recursive else self.expand(value, 0)
            for tail in tails:
                joined = None if text is None or tail is None else f"{text} {tail}".strip()
                appended.append((joined, line, recursive))
        return list(dict.fromkeys(appended))[:MAX_VALUES]

    def expand(self, text: str | None, depth: int) -> list[str | None]:
        """Every value `text` may expand to (None: unknown); at most MAX_VALUES. A reference
        with no known value at all (a function call, a variable set by one) is an unknown word
        in the text around it; one with some known values has those (the unknown ones are
        not values). A value with no known word is unknown."""
        if text is None or depth > MAX_DEPTH:
            return [None]
        outs = [Partial()]
        cursor = 0
        for start, end, name in _references(text):
            choices = [None] if name is None else self.lookup(name, depth + 1)
            unknown = unknown_word(name, UNKNOWN_WORD) if choices == [None] else None
            piece = text[cursor:start]
            outs = [out.then(piece, choice, unknown) for out in outs for choice in choices]
            outs = outs[:MAX_VALUES]
            cursor = end
        results = [out.value(text[cursor:]) for out in outs]
        # What is left besides those references is `$$` (the shell's `$`) or a one-letter
        # reference: the value is not one known text.
        return [
            None if r is None or "$" in _UNKNOWN_REF.sub("", r) else r
            for r in dict.fromkeys(results)
        ]

    def lookup(self, name: str, depth: int) -> list[str | None]:
        if name in self.memo:
            return self.memo[name]
        values = self.table.get(name)
        if not values:
            # From the environment or make itself (`$(CURDIR)`): one word the shell does not
            # know, kept as a shell reference so the words around it stay words.
            return [f"${{{name}}}" if _SHELL_NAME.fullmatch(name) else None]
        self.memo[name] = [None]  # `A = $(A)` is a loop make refuses: unknown
        out: list[str | None] = []
        for text, _line, recursive in values:
            out.extend(self.expand(text, depth) if recursive else [text])
        self.memo[name] = list(dict.fromkeys(out))[:MAX_VALUES]
        return self.memo[name]

    def values(self) -> list[tuple[str, str, int, str]]:
        """(name, value, file line, `$(name)`) for every known value of every variable."""
        out: list[tuple[str, str, int, str]] = []
        for name, values in self.table.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                continue  # `$(a.b)` is not a shell name: the recipe keeps it unknown
            for text, line, recursive in values:
                for value in self.expand(text, 0) if recursive else [text]:
                    word = None if value is None else shell_text(value)
                    if word is not None:
                        out.append((name, word, line, f"$({name})"))
        return out
