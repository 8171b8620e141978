"""Makefile recipes: the file's recipes are one script, each recipe a subshell `( ... )` in it.

Per recipe line: the leading tab and the `@`/`-`/`+` prefixes become spaces (columns stay exact);
on a backslash-continued line make removes only the one leading tab and hands the rest (an `-C`,
an `@`) to the shell as written (GNU make manual, "Splitting Recipe Lines"). Then
`$$` becomes `$`, and a make variable `$(NAME)` becomes the shell's `${NAME}` (same length) so the
shell layer sees a variable, not a command substitution. Backslash continuations are kept: make
hands them to the shell as they are. Lines that are not recipe lines are blanked, so line numbers
are exact; a recipe's `(` is written on its (blanked) `target:` line and its `)` on the line after
it. Top-level `export NAME = value` (and `export NAME`) lines are in every recipe's environment:
they become `external_env`.

What `$(NAME)` holds is read from the file's own assignments (makevars.py) and handed to the shell
layer as the snippet's known ``values``: `CODEX ?= codex` then `$(CODEX) exec ...` is a codex run.
A target-specific `work: SANDBOX = x` holds in the recipe of `work` only: it is a shell assignment
at the start of that recipe's subshell.

Why one script: a Makefile's recipes are one session plan that a person or a workflow runs target
by target (`make start`, later `make continue`), every target from the same directory (make's own
cwd), in an order the file does not fix. Read in file order, they answer the session rules
(CG401, CG403) as the same lines in a shell script do: `start:` runs `--ephemeral` and
`continue:` resumes `--last` is CG401, and a resume from make's cwd after a run with `-C .` is no
CG403. Each recipe is a subshell because make starts every recipe in a fresh shell: a `cd` or a
variable of one recipe never reaches the next. Within a recipe each line really runs in its own
shell too (unless `.ONESHELL:`); the recipe is linted as one script so that "the same file later
resumes" reads naturally across lines.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from guard.sources.makevars import ASSIGNMENT, DIRECTIVE, MakeVariables
from guard.sources.snippet import RunContext, Snippet

_RULE = re.compile(r"^(?![\t#])[^=\t#]*?[^:=]:(?!=)")
_EXPORT = re.compile(
    r"^export\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:[:?+!]{0,2}=)\s*(?P<value>.*)$"
)
_MAKE_VAR = re.compile(r"\$\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)")


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


_TARGET_ASSIGN = re.compile(r"^(?P<targets>[^:=#\t][^:=#]*?)\s*::?\s*(?P<assignment>.+)$")
_BARE_EXPORT = re.compile(
    r"^export\s+(?P<names>[A-Za-z_][A-Za-z0-9_]*(?:\s+[A-Za-z_][A-Za-z0-9_]*)*)\s*$"
)
_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass
class _Recipe:
    header: int  # 0-based line of `target: deps`
    start: int  # 0-based line of the first recipe line (the header's for `target: ; cmd`)
    targets: tuple[str, ...]
    lines: list[str] = field(default_factory=list)


def _targets(header: str) -> tuple[str, ...]:
    return tuple(header.split(":", 1)[0].split())


def _target_values(recipe: _Recipe, own: _TargetValues, variables: MakeVariables) -> str:
    """Shell assignments for the recipe's target-specific variables (`work: SANDBOX = x`), put
    on its header line inside its subshell: they hold in that recipe only."""
    parts: list[str] = []
    for target in recipe.targets:
        for mods, name, raw, _line in own.get(target, []):
            if not _SHELL_NAME.match(name):
                continue
            values = variables.expand(raw, 0)
            value = values[0] if len(values) == 1 else None
            text = shlex.quote(value) if value is not None else '"${__make_unknown_value}"'
            parts.append(f"{'export ' if 'export' in mods.split() else ''}{name}={text};")
    return " ".join(parts)


_TargetValues = dict[str, list[tuple[str, str, str, int]]]  # target -> (mods, name, value, line)


def _read(
    text: str,
) -> tuple[list[_Recipe], MakeVariables, list[tuple[str, str, int]], _TargetValues]:
    lines = text.split("\n")
    variables = MakeVariables()
    env: list[tuple[str, str, int]] = []
    own: _TargetValues = {}
    recipes: list[_Recipe] = []
    current: _Recipe | None = None
    in_define = False
    continued = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if in_define:
            in_define = stripped != "endef"
            continue
        if current is not None and (line.startswith("\t") or continued):
            was_continued = continued
            continued = line.endswith("\\")
            current.lines.extend([""] * (index - current.start - len(current.lines)))
            current.lines.append(continued_line(line) if was_continued else recipe_line(line))
            continue
        continued = False
        if current is not None and (not stripped or stripped.startswith("#")):
            continue  # blank and comment lines do not end a recipe
        if current is not None and DIRECTIVE.match(stripped):
            variables.read(stripped, index + 1)  # `ifeq` in a recipe picks which lines it has
            continue
        if current is not None and current.lines:
            recipes.append(current)
        current = None
        if stripped.startswith("define "):
            in_define = True
            name = stripped.split()[1] if len(stripped.split()) > 1 else ""
            variables.unknown(name, index + 1)
            continue
        export = _EXPORT.match(stripped)
        if export:
            env.append((export.group("name"), export.group("value").strip(), index + 1))
        bare = _BARE_EXPORT.match(stripped)
        if bare:
            for name in bare.group("names").split():
                if name in variables.table:  # else it is make's own environment, passed anyway
                    known = [v for n, v, _, _ in variables.values() if n == name]
                    env.append((name, known[-1] if known else "", index + 1))
            continue
        if variables.read(stripped, index + 1) or line.startswith("\t"):
            continue  # a tab-led line with no rule before it is make's, not a recipe
        target_assign = _TARGET_ASSIGN.match(line)
        if target_assign:
            assignment = ASSIGNMENT.match(target_assign.group("assignment").strip())
            if assignment:
                for target in target_assign.group("targets").split():
                    own.setdefault(target, []).append(
                        (
                            assignment.group("mods"),
                            assignment.group("name"),
                            assignment.group("value"),
                            index + 1,
                        )
                    )
                continue
        if _RULE.match(line):
            current = _Recipe(index, index + 1, _targets(line))
            rest = line.split(";", 1)
            if len(rest) == 2 and rest[1].strip():  # `target: deps ; command`
                current.start = index
                current.lines.append(" " * (len(rest[0]) + 1) + _unescape(rest[1]))
    if current is not None and current.lines:
        recipes.append(current)
    return recipes, variables, env, own


def self_contained(recipe: str) -> bool:
    """The recipe's text closes every quote, backtick and parenthesis it opens, and writes no
    here-doc: joined with other recipes it cannot swallow them (a stray quote in one recipe of a
    Makefile breaks that recipe only, as each runs in a shell of its own)."""
    depth, quote, index = 0, "", 0
    while index < len(recipe):
        char = recipe[index]
        if quote == "'":
            quote = "" if char == "'" else quote
        elif char == "\\":
            index += 1  # an escaped character, in double quotes or out
        elif quote in ('"', "`"):
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == "#" and (index == 0 or recipe[index - 1] in " \t\n;|&("):
            index = recipe.find("\n", index)
            if index < 0:
                break
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif recipe.startswith("<<", index):
            return False
        index += 1
    return depth == 0 and not quote


def extract(text: str, path: str) -> list[Snippet]:
    """The file's recipes as one script, each recipe in a subshell of its own (see the module
    docstring); a recipe that is not self-contained is a snippet of its own. No snippet when no
    recipe runs anything."""
    recipes, variables, env, own = _read(text)
    recipes = [r for r in recipes if any(part.strip() for part in r.lines)]
    alone = [r for r in recipes if not self_contained("\n".join(r.lines))]
    joined = [r for r in recipes if r not in alone]
    snippets = [_snippet([r], text, path, variables, env, own) for r in alone]
    if joined:
        snippets.append(_snippet(joined, text, path, variables, env, own))
    return snippets


def _snippet(
    recipes: list[_Recipe],
    text: str,
    path: str,
    variables: MakeVariables,
    env: list[tuple[str, str, int]],
    own: _TargetValues,
) -> Snippet:
    """``recipes`` as one script, each a subshell, at their own lines of the file."""
    out = [""] * len(text.split("\n"))
    for recipe in recipes:
        if recipe.start == recipe.header:  # `target: ; cmd`: `(` takes a blank column
            lead = ");(" if out[recipe.header] == ")" else "("  # the blanks are 3 or more
            out[recipe.header] = lead + recipe.lines[0][len(lead) :]
            body = recipe.lines[1:]
        else:
            opening = ") ; (" if out[recipe.header] == ")" else "("
            out[recipe.header] = f"{opening} {_target_values(recipe, own, variables)}".rstrip()
            body = recipe.lines
        first = recipe.start + (1 if recipe.start == recipe.header else 0)
        for offset, part in enumerate(body):
            out[first + offset] = part
        close = recipe.start + len(recipe.lines)
        if close >= len(out):
            out.extend([""] * (close - len(out) + 1))
        out[close] = ")"
    return Snippet(
        text="\n".join(out) + "\n",
        path=path,
        line_offset=0,
        dialect="sh",  # make runs recipes with /bin/sh unless SHELL says otherwise
        context=RunContext.SCRIPT,
        external_env=tuple(env),
        values=tuple(variables.values()),
    )
