"""Makefile recipes: each rule's recipe is one snippet (RunContext.SCRIPT).

Per recipe line: the leading tab and the `@`/`-`/`+` prefixes become spaces (columns stay exact);
on a backslash-continued line make removes only the one leading tab and hands the rest (an `-C`,
an `@`) to the shell as written (GNU make manual, "Splitting Recipe Lines"). Then
`$$` becomes `$`, and a make variable `$(NAME)` becomes the shell's `${NAME}` (same length) so the
shell layer sees a variable, not a command substitution. Backslash continuations are kept: make
hands them to the shell as they are. Lines between recipe lines that are not recipe lines are
blanked, so line numbers are exact. Top-level `export NAME = value` lines are in every recipe's
environment: they become `external_env`.

Make expands its own variables before the shell runs a recipe line. So that `$(CODEX) exec
$(FLAGS)` is read with the values the Makefile gives them, a recipe that uses a variable the
file defines is preceded by the file's definitions before it, as plain (not exported) shell
assignments on their own lines, and `ifeq`/`ifdef` ... `else` ... `endif` around them as shell
`if`s: a variable defined on both sides holds both values, each with its branch.

Each recipe line really runs in its own shell (unless `.ONESHELL:`); the recipe is linted as one
script so that "the same file later resumes" reads naturally across lines.
"""

from __future__ import annotations

import re
import shlex

from guard.sources.snippet import RunContext, Snippet

_RULE = re.compile(r"^(?![\t#])[^=\t#]*?[^:=]:(?!=)")
_EXPORT = re.compile(
    r"^export\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:[:?+!]{0,2}=)\s*(?P<value>.*)$"
)
_MAKE_VAR = re.compile(r"\$\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)")
_DEFINITION = re.compile(
    r"^(?:(?:export|override)\s+)*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*"
    r"(?P<op>:::=|::=|:=|\?=|\+=|!=|=)\s*(?P<value>.*)$"
)
_CONDITIONAL = re.compile(r"^(?P<kw>ifeq|ifneq|ifdef|ifndef|else|endif)(?:\s+(?P<rest>.*))?$")
_VALUE_COMMENT = re.compile(r"(?<!\\)#.*$")
_CONDITION = '[ -n "$MAKE_CONDITION" ]'  # which side make takes is not known here


class _Definitions:
    """The variable definitions and conditionals of a Makefile's top level, in order, as
    shell lines: (line index, text, depth of conditionals it sits in)."""

    def __init__(self) -> None:
        self.lines: list[tuple[int, str, int]] = []
        self.names: set[str] = set()
        self.depth = 0

    def read(self, index: int, stripped: str) -> bool:
        """Take one top-level line; True when it was a definition or a conditional."""
        conditional = _CONDITIONAL.match(stripped)
        if conditional is not None:
            self._conditional(index, conditional.group("kw"), conditional.group("rest") or "")
            return True
        definition = _DEFINITION.match(stripped)
        if definition is None:
            return False
        name, op = definition.group("name"), definition.group("op")
        value = _unescape(_VALUE_COMMENT.sub("", definition.group("value")).strip())
        if op == "!=" or "$(" in value or "`" in value or value.endswith("\\"):
            text = f"unset {name}"  # a shell command's output, or text make builds: unknown
        elif op == "+=" and name in self.names:
            text = f"{name}={_quoted('${' + name + '} ' + value)}"
        else:
            text = f"{name}={_quoted(value)}"
        self.names.add(name)
        self.lines.append((index, text, self.depth))
        return True

    def _conditional(self, index: int, keyword: str, rest: str) -> None:
        if keyword == "endif":
            if self.depth:
                self.depth -= 1
                self.lines.append((index, "fi", self.depth))
            return
        if keyword == "else":
            if not self.depth:
                return
            nested = _CONDITIONAL.match(rest)
            if nested is not None and nested.group("kw") not in ("else", "endif"):
                text = f"elif {_CONDITION}; then :"  # `else ifeq (...)`
            else:
                text = "else :"
            self.lines.append((index, text, self.depth - 1))
            return
        self.lines.append((index, f"if {_CONDITION}; then :", self.depth))
        self.depth += 1

    def prelude(self, before: int, recipe: list[str]) -> tuple[int, list[str]]:
        """The lines to put before a recipe starting at line ``before``: (first line, lines),
        or (before, []) when the recipe uses none of the variables."""
        used = {m.group(1) for part in recipe for m in re.finditer(r"\$\{(\w+)\}", part)}
        if not used & self.names:
            return before, []
        kept = [(i, text, depth) for i, text, depth in self.lines if i < before]
        if self.depth_at(before):
            # The recipe sits inside a conditional: only what is defined outside any is kept.
            kept = [(i, t, d) for i, t, d in kept if d == 0 and not _is_structure(t)]
        if not kept:
            return before, []
        first = kept[0][0]
        out = [""] * (before - first)
        for i, text, _depth in kept:
            out[i - first] = text
        return first, out

    def depth_at(self, before: int) -> int:
        depth = 0
        for i, text, _d in self.lines:
            if i >= before:
                break
            if text.startswith("if "):
                depth += 1
            elif text == "fi":
                depth -= 1
        return depth


def _is_structure(text: str) -> bool:
    return text.startswith(("if ", "elif ", "else")) or text == "fi"


def _quoted(value: str) -> str:
    """A value as one shell word that expands its `${NAME}` references, as make does."""
    if "$" not in value:
        return shlex.quote(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def recipe_line(line: str) -> str:
    """One raw recipe line (starting with a tab) as the shell will see it, columns kept."""
    body = line[1:]
    prefix = len(body) - len(body.lstrip("@-+ \t"))
    out = " " * (prefix + 1) + body[prefix:]
    return _unescape(out)


def continued_line(line: str) -> str:
    """A line after a backslash continuation: only its first tab goes (a space keeps columns)."""
    return _unescape(" " + line[1:] if line.startswith("\t") else line)


def _unescape(text: str) -> str:
    text = _MAKE_VAR.sub(lambda m: "${" + m.group("name") + "}", text)
    return re.sub(r"\$\$", "$", text)


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    env: list[tuple[str, str, int]] = []
    recipes: list[tuple[int, list[str]]] = []  # (0-based first line, lines)
    current: list[str] | None = None
    start = 0
    in_define = False
    continued = False
    definitions = _Definitions()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if in_define:
            in_define = stripped != "endef"
            continue
        if current is not None and (line.startswith("\t") or continued):
            was_continued = continued
            continued = line.endswith("\\")
            current.extend([""] * (index - start - len(current)))
            current.append(continued_line(line) if was_continued else recipe_line(line))
            continue
        continued = False
        if current is not None and (not stripped or stripped.startswith("#")):
            continue  # blank and comment lines do not end a recipe
        if current:
            recipes.append((start, current))
        current = None
        if stripped.startswith("define "):
            in_define = True
            continue
        export = _EXPORT.match(stripped)
        if export:
            env.append((export.group("name"), export.group("value").strip(), index + 1))
        if (export or not _RULE.match(line)) and definitions.read(index, stripped):
            continue
        if export:
            continue
        if _RULE.match(line):
            current = []
            start = index + 1
            rest = line.split(";", 1)
            if len(rest) == 2 and rest[1].strip():  # `target: deps ; command`
                start = index
                current.append(" " * (len(rest[0]) + 1) + _unescape(rest[1]))
    if current:
        recipes.append((start, current))
    snippets: list[Snippet] = []
    for first, body in recipes:
        if not any(part.strip() for part in body):
            continue
        start, prelude = definitions.prelude(first, body)
        snippets.append(
            Snippet(
                text="\n".join([*prelude, *body]) + "\n",
                path=path,
                line_offset=start,
                dialect="sh",  # make runs recipes with /bin/sh unless SHELL says otherwise
                context=RunContext.SCRIPT,
                external_env=tuple(env),
            )
        )
    return snippets
