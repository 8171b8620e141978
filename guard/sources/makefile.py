"""Makefile recipes: each rule's recipe is one snippet (RunContext.SCRIPT).

Per recipe line: the leading tab and the `@`/`-`/`+` prefixes become spaces (columns stay exact);
on a backslash-continued line make removes only the one leading tab and hands the rest (an `-C`,
an `@`) to the shell as written (GNU make manual, "Splitting Recipe Lines"). Then
`$$` becomes `$`, and a make variable `$(NAME)` becomes the shell's `${NAME}` (same length) so the
shell layer sees a variable, not a command substitution. Backslash continuations are kept: make
hands them to the shell as they are. Lines between recipe lines that are not recipe lines are
blanked, so line numbers are exact. Top-level `export NAME = value` lines are in every recipe's
environment: they become `external_env`.

Each recipe line really runs in its own shell (unless `.ONESHELL:`); the recipe is linted as one
script so that "the same file later resumes" reads naturally across lines.
"""

from __future__ import annotations

import re

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


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    env: list[tuple[str, str, int]] = []
    recipes: list[tuple[int, list[str]]] = []  # (0-based first line, lines)
    current: list[str] | None = None
    start = 0
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
    return [
        Snippet(
            text="\n".join(body) + "\n",
            path=path,
            line_offset=first,
            dialect="sh",  # make runs recipes with /bin/sh unless SHELL says otherwise
            context=RunContext.SCRIPT,
            external_env=tuple(env),
        )
        for first, body in recipes
        if any(part.strip() for part in body)
    ]
