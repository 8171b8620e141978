"""justfile recipes: a recipe header at column 0 (`name params: deps`), then its indented body.

The body is one snippet with just's `@`/`-` sigils blanked (_without_sigils). just writes each
`{{expr}}` interpolation's value into the text before the shell runs it; here each becomes a shell
variable of the same length (`{{sandbox}}` -> `${J0______}`, so columns stay exact) whose value is
handed to the shell layer as one of the snippet's known ``values``: a variable's value (`sandbox :=
"x"`), a parameter's default (one reachable value: the caller may pass another, which is unknown),
a string literal, `a + b`, `a / b` and both arms of `if ... { a } else { b }`. Anything else (a
function call, a backtick, a parameter with no default) is unknown: never read as a literal word,
so it is never an "invalid value"; joined to known text (`"-C " + repo + " -s read-only"`) it is
one unknown word among the known ones (`-C ${repo} -s read-only`). `{{{{` is just's escape for a
literal `{{`. Shebang recipes (`#!/usr/bin/env python`) that are not shell are skipped.
Parameters may have defaults (`work task="x" $MODE='ci':`), which is still a header, not an
assignment (`name := value`).

The environment of a recipe (just's manual, "Getting and Setting Environment Variables"):
`export NAME := value` assignments, every assignment once `set export` is on, and the recipe's
`$NAME` parameters (every parameter under `set export`); `unexport NAME` takes one out. A string
literal's value is its text; any other expression is kept as written. `set dotenv-load` (or a
`dotenv-filename`/`dotenv-path`/`dotenv-required` setting) loads an env file into every recipe:
the snippet starts with the shell's `. FILE` on the setting's line, its `.` where the file is
named (CG103), when the setting is written above the recipe.

Which recipes run after which (Snippet.session; just's manual, "Dependencies" and "Parallelism"):
only what one `just` run fixes. `just T` runs T's prior dependencies in order, each recipe once,
then T, then its subsequent ones (`T: a b && c`); under `[parallel]` a recipe's dependencies run
at once, in no order among themselves. So each recipe with dependencies is a sequence of its own
(_sessions): a recipe its run reaches after another is a later step. Besides, the recipes are
one session plan that a person or a workflow runs recipe by recipe (`just start`, later `just
continue`), every one in the justfile's folder, as a Makefile's targets are (makefile.py: read in
file order): each recipe is a step of the file's own sequence (_FOLDER), in file order, so
`--ephemeral` in `start:` and `codex exec resume` in `continue:` is CG401, and a resume `--last`
in `continue:` after a run with `-C .` in `start:` is no CG403. Where just runs a recipe
(Snippet.start_dir; just's manual, "Working Directory"): the justfile's folder, or the folder
`set working-directory` names, or a recipe's `[working-directory(DIR)]` (relative to that), or
the folder just was invoked from (`[no-cd]`, `set no-cd`): a resume in another folder than its
run is still CG403.
"""

from __future__ import annotations

import posixpath
import re

from guard.fastclass import dataclass
from guard.sources.base import shebang_dialect
from guard.sources.detect import SHELL, kind_by_shebang
from guard.sources.makevars import (
    COMMAND_START,
    MAX_TEXT,
    Partial,
    prefix_text,
    shell_text,
    unknown_word,
)
from guard.sources.snippet import RunContext, Snippet

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_STRING = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_DEFAULT = rf"{_STRING}|`[^`]*`|\([^()\n]*\)|{_NAME}"
_PARAM = rf"[+*]?\$?{_NAME}(?:=(?:{_DEFAULT}))?"
_PARAM_PARTS = re.compile(rf"(?P<dollar>\$?)(?P<name>{_NAME})(?:=(?P<default>{_DEFAULT}))?")
_HEADER = re.compile(rf"^@?(?P<name>{_NAME})(?P<params>(?:\s+{_PARAM})*)\s*:(?!=)")
_ASSIGNMENT = re.compile(rf"^(?P<export>export\s+)?(?P<name>{_NAME})\s*:=\s*(?P<value>.*)$")
_SET_EXPORT = re.compile(r"^set\s+export(?:\s*:=\s*(?P<value>true|false))?\s*(?:#.*)?$")
# `set dotenv-load`, and the settings that name the file (`dotenv-filename`, `dotenv-path`) or
# require it (`dotenv-required`): each makes just load the file into every recipe's env.
_SET_DOTENV = re.compile(
    r"^set\s+(?P<key>dotenv-(?:load|filename|path|required))"
    r"(?:\s*:=\s*(?:(?P<flag>true|false)|\"(?P<dq>[^\"\\]*)\"|'(?P<sq>[^']*)'))?\s*(?:#.*)?$"
)
_UNEXPORT = re.compile(rf"^unexport\s+(?P<name>{_NAME})\s*(?:#.*)?$")
_LITERAL = re.compile(rf"^(?P<string>{_STRING})\s*(?:#.*)?$")

_PLAIN_FILE = re.compile(r"[\w@%+=:,./~-]+")  # an env file's name that is one shell word
_INTERPOLATION = re.compile(r"\{\{\{\{|\{\{(?P<expr>.*?)\}\}")
# `env_var_or_default("CODEX_BIN", "codex")`, `env("CODEX_BIN", "codex")`: the environment's
# value when set, else the default (just's manual, "Environment Variables").
_ENV_DEFAULT = re.compile(
    rf"^(?:env_var_or_default|env)\(\s*(?:{_STRING})\s*,(?P<default>.*)\)$", re.S
)
_IF = re.compile(r"^if\b.*?\{\s*(?P<then>.*?)\s*\}\s*else\s*(?P<other>\{.*\}|if\b.*)$", re.S)
_SHELL_NAME_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
_UNKNOWN_WORD = "${__just_unknown_value}"  # an unknown term that names no variable
MAX_VALUES = 16  # values one expression may have (guard/shell/scope.py's bound)
MAX_DEPTH = 8  # `a := b`, `b := c`, ...: deeper is unknown

Env = list[tuple[str, str, int]]
Values = list[tuple[str, str, int, str]]
Known = list[str | None]  # the values an expression may have; None: one that is not known


def _string(term: str) -> str | None:
    """A just string literal's value: `'raw'`, or `"..."` with its escapes; None otherwise."""
    if len(term) >= 2 and term[0] == term[-1] == "'" and "'" not in term[1:-1]:
        return term[1:-1]
    if len(term) >= 2 and term[0] == term[-1] == '"' and not term.startswith('"""'):
        escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), term[1:-1])
    return None


def _terms(expr: str) -> list[tuple[str, str]] | None:
    """`a + "b" / c` -> [("", "a"), ("+", '"b"'), ("/", "c")]: split at the operators outside
    strings and parentheses; None when the text is not balanced."""
    terms: list[tuple[str, str]] = []
    op, start, depth, quote = "", 0, 0, ""
    for index, char in enumerate(expr):
        if quote:
            quote = "" if char == quote and expr[index - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char in "+/" and depth == 0:
            terms.append((op, expr[start:index].strip()))
            op, start = char, index + 1
    if quote or depth:
        return None
    terms.append((op, expr[start:].strip()))
    return terms


class _Scope:
    """The file's variables (raw expressions, read on demand: just orders them itself) and the
    recipe's parameters (their defaults)."""

    def __init__(self, variables: dict[str, str], params: dict[str, Known]) -> None:
        self.variables = variables
        self.params = params
        self.memo: dict[str, Known] = {}  # each variable is evaluated once (`a + a + a` chains)

    def evaluate(self, expr: str, depth: int = 0) -> Known:
        expr = expr.strip()
        if depth > MAX_DEPTH or not expr:
            return [None]
        branch = _IF.match(expr) if len(expr) <= MAX_TEXT else None
        if branch:
            other = branch.group("other").strip()
            other = other[1:-1] if other.startswith("{") else other
            both = self.evaluate(branch.group("then"), depth + 1) + self.evaluate(other, depth + 1)
            return list(dict.fromkeys(both))[:MAX_VALUES]
        terms = _terms(expr)
        if terms is None:
            return [None]
        outs = [Partial()]
        for op, term in terms:
            values = self.term(term, depth)
            # A term with no known value at all (a backtick, a function call, a variable set by
            # one) is one unknown word between the known ones: `"-C " + repo + " -s read-only"`
            # still says `-C` and `-s read-only`.
            unknown = unknown_word(_term_name(term), _UNKNOWN_WORD) if values == [None] else None
            sep = "/" if op == "/" else ""
            outs = [out.then(sep, value, unknown) for out in outs for value in values]
            outs = outs[:MAX_VALUES]
        return list(dict.fromkeys(out.value() for out in outs))

    def term(self, term: str, depth: int) -> Known:
        literal = _string(term)
        if literal is not None:
            return [literal]
        if term.startswith("(") and term.endswith(")"):
            return self.evaluate(term[1:-1], depth + 1)
        if term in self.params:
            return self.params[term]
        if re.fullmatch(_NAME, term) and term in self.variables:
            if term not in self.memo:
                self.memo[term] = [None]  # a variable defined by itself: unknown
                self.memo[term] = self.evaluate(self.variables[term], depth + 1)
            return self.memo[term]
        fallback = _ENV_DEFAULT.match(term)
        if fallback is not None:
            # unknown, or the default (as the shell layer reads `${CODEX_BIN:-codex}`)
            defaults = self.evaluate(fallback.group("default"), depth + 1)
            return list(dict.fromkeys([None, *defaults]))[:MAX_VALUES]
        return [None]  # a function call, a backtick, a name just does not know


def _term_name(term: str) -> str | None:
    """The variable or parameter a term names (its value's unknown word is named after it)."""
    return term if re.fullmatch(_NAME, term) else None


def _shell_name(index: int, width: int) -> str | None:
    """The `index`th interpolation's shell name, `width` characters long (`J0___`)."""
    digits = ""
    while True:
        index, rest = divmod(index, len(_SHELL_NAME_CHARS))
        digits = _SHELL_NAME_CHARS[rest] + digits
        if not index:
            break
    name = "J" + digits
    return name.ljust(width, "_") if len(name) <= width else None


def interpolate(text: str, first_line: int, scope: _Scope) -> tuple[str, Values]:
    """`text` with each `{{expr}}` as a same-length shell variable, and the values they hold."""
    names: dict[tuple[str, int], str] = {}  # (expression, width) -> shell name
    values: Values = []
    lines = text.split("\n")
    for number, line in enumerate(lines):
        pieces: list[str] = []
        cursor = 0
        continued = number > 0 and lines[number - 1].endswith("\\")
        for match in _INTERPOLATION.finditer(line):
            expr = match.group("expr")
            if expr is None:
                continue  # `{{{{`: a literal `{{`
            before = "".join(pieces) + line[cursor : match.start()]
            after = line[match.end() :].lstrip(" \t")
            prefix = _prefix(expr, before, continued, scope, after.startswith("{{"))
            if prefix is not None:
                pieces.append(line[cursor : match.start()] + prefix)
                cursor = match.end()
                continue
            width = len(match.group(0)) - 3
            key = (expr.strip(), width)
            name = names.get(key) or _shell_name(len(names), width)
            if name is None or len(name) != width:
                name = "U" * width  # never given a value: unknown
            else:
                names[key] = name
                for value in scope.evaluate(expr):
                    word = None if value is None else shell_text(value)
                    if word is not None:
                        values.append((name, word, first_line + number + 1, "{{" + expr + "}}"))
            pieces.append(line[cursor : match.start()] + "${" + name + "}")
            cursor = match.end()
        lines[number] = "".join(pieces) + line[cursor:]
    return "\n".join(lines), values


def _prefix(
    expr: str, before: str, continued: bool, scope: _Scope, interpolation_next: bool
) -> str | None:
    """just writes an interpolation's text into the line before the shell reads it: where a
    command starts, a value that starts with an assignment (`codex_env := "OPENAI_API_KEY=x"`,
    then `{{codex_env}} codex exec`) is the shell's prefix assignment, so it goes in as that
    text (prefix_text). The line grows by what the text is longer than the interpolation:
    columns after it on that line shift. One that is blank on every path (`empty := ""`) before
    another interpolation goes in as blanks of its width: the next one starts the command
    (`{{empty}}{{codex_env}} codex` is `OPENAI_API_KEY=x codex`)."""
    if not COMMAND_START.search(before) or (continued and not before.strip()):
        return None
    values = scope.evaluate(expr)
    if interpolation_next and values and all(v is not None and not v.strip() for v in values):
        return " " * (len(expr) + 4)
    return prefix_text(values)


def _parameters(params: str, scope_variables: dict[str, str]) -> dict[str, Known]:
    """Each parameter's one reachable value: its default; unknown without one (the caller's)."""
    known: dict[str, Known] = {}
    outer = _Scope(scope_variables, {})  # a default may name a variable, not another parameter
    for match in _PARAM_PARTS.finditer(params):
        default = match.group("default")
        known[match.group("name")] = outer.evaluate(default)[:1] if default else [None]
    return known


def _value(expression: str, variables: dict[str, str] | None = None) -> str:
    """A string literal's text (`"1"` -> `1`), a variable's value (`MODE`); else as written."""
    literal = _LITERAL.match(expression.strip())
    if literal is None:
        return (variables or {}).get(expression.strip(), expression.strip())
    return literal.group("string")[1:-1]


def _variables(lines: list[str]) -> dict[str, str]:
    """Every top-level assignment's value (exported or not): a parameter default may name one."""
    found = (_ASSIGNMENT.match(line) for line in lines)
    return {m.group("name"): _value(m.group("value")) for m in found if m is not None}


def _exports_all(lines: list[str]) -> bool:
    """`set export` (or `set export := true`) is on: every variable and parameter is exported."""
    return any(
        (m := _SET_EXPORT.match(line)) is not None and m.group("value") != "false" for line in lines
    )


def _dotenv(lines: list[str]) -> tuple[int, int, str] | None:
    """The env file just loads before every recipe: (0-based line and column of the setting
    that names it, or of `dotenv-load`, and the file's name); None when no setting loads one.
    `dotenv-path` wins over `dotenv-filename`, which wins over the default `.env`."""
    loads: tuple[int, int, str] | None = None
    named: dict[str, tuple[int, int, str]] = {}
    for index, line in enumerate(lines):
        match = _SET_DOTENV.match(line)
        if match is None:
            continue
        key = match.group("key")
        group = "dq" if match.group("dq") is not None else "sq"
        if match.group(group) is not None and key in ("dotenv-filename", "dotenv-path"):
            named[key] = (index, match.start(group), match.group(group))
        elif match.group("flag") != "false":
            loads = (index, match.start("key"), ".env")
    return named.get("dotenv-path") or named.get("dotenv-filename") or loads


def _file_env(lines: list[str], export_all: bool) -> Env:
    """What every recipe gets: exported assignments (all of them under `set export`)."""
    unexported = {m.group("name") for line in lines if (m := _UNEXPORT.match(line))}
    env: Env = []
    for index, line in enumerate(lines):
        match = _ASSIGNMENT.match(line)
        if match is None or match.group("name") in unexported:
            continue
        if match.group("export") or export_all:
            env.append((match.group("name"), _value(match.group("value")), index + 1))
    return env


def _parameter_env(params: str, line: int, export_all: bool, variables: dict[str, str]) -> Env:
    """A recipe's exported parameters (`$NAME`, or all under `set export`) with their defaults."""
    env: Env = []
    for match in _PARAM_PARTS.finditer(params):
        if match.group("dollar") or export_all:
            default = match.group("default")
            env.append((match.group("name"), _value(default, variables) if default else "", line))
    return env


def _sigils(text: str) -> int:
    """How many of a command's first characters are just's sigils, not shell: `@` (quiet) and
    `-` (errors ignored), alone or together in either order (`-@`, `@-`), one of each (just's
    Line.is_quiet / is_infallible; `--x` keeps `-x`)."""
    if text[:2] in ("-@", "@-"):
        return 2
    return 1 if text[:1] in ("-", "@") else 0


def _without_sigils(lines: list[str]) -> list[str]:
    """A linewise recipe's lines as the shell gets them: just strips the sigils from the first
    line of each command (not from a line a `\\` continues, nor in a shebang recipe), so
    `-codex exec ...` runs codex. Each sigil becomes a space: columns stay exact."""
    out: list[str] = []
    continued = False
    for line in lines:
        stripped = line.lstrip(" \t")
        lead = len(line) - len(stripped)
        count = 0 if continued else _sigils(stripped)
        out.append(line[:lead] + " " * count + stripped[count:] if count else line)
        continued = line.endswith("\\")
    return out


# One dependency in a header's list: a name, `(name args...)`, or `&&` (the subsequent ones).
_DEPENDENCY = re.compile(
    rf"\s*(?:(?P<then>&&)|\((?P<call>{_NAME})(?:{_STRING}|[^()\"'])*\)|(?P<name>{_NAME}))"
)
_MAX_SESSION_STEPS = 4096  # (recipe, step) pairs over the whole file: far past a real justfile
_ATTRIBUTES = re.compile(rf"^\[(?P<inner>(?:{_STRING}|[^\]\"'])*)\]\s*(?:#.*)?$")
# One attribute inside `[...]`: a name, then `: 'ARG'` or `('ARG', ...)`, then `,` or the end.
_ATTRIBUTE = re.compile(
    rf"\s*(?P<name>{_NAME})\s*(?::\s*(?P<colon>{_STRING})"
    rf"|\(\s*(?P<first>{_STRING})?(?:{_STRING}|[^()\"'])*\))?\s*(?:,|$)"
)
_SET_WORKDIR = re.compile(rf"^set\s+working-directory\s*:=\s*(?P<folder>{_STRING}|.*?)\s*(?:#.*)?$")
_SET_NO_CD = re.compile(r"^set\s+no-cd(?:\s*:=\s*(?P<value>true|false))?\s*(?:#.*)?$")
# The file's own sequence: every recipe, in file order (the module's docstring).
FOLDER = "just: the justfile's recipes"
# Where `[no-cd]` recipes run: one place for all of them (a person runs `just start` then `just
# continue` from one shell, as make's targets from make's cwd), not the justfile's folder.
INVOKED_FROM = "<the folder just was invoked from>"


@dataclass(frozen=True)
class _Recipe:
    prior: tuple[str, ...]
    subsequent: tuple[str, ...]
    parallel: bool


def _recipe(lines: list[str], index: int, header: re.Match[str]) -> tuple[str, _Recipe]:
    """A header's name and dependencies, and whether its attributes say `[parallel]`."""
    line = lines[index]
    prior: list[str] = []
    subsequent: list[str] = []
    into = prior
    at = header.end()
    while (found := _DEPENDENCY.match(line, at)) is not None:
        at = found.end()
        if found.group("then"):
            into = subsequent
        else:
            into.append(found.group("call") or found.group("name"))
    parallel = "parallel" in _attributes(lines, index)
    return header.group("name"), _Recipe(tuple(prior), tuple(subsequent), parallel)


def _attributes(lines: list[str], index: int) -> dict[str, str | None]:
    """The attributes written above the header on line `index` (`[no-cd]`, `[private, no-cd]`,
    `[working-directory: 'api']`, `[working-directory('api')]`, one per line or several), each
    name -> its first argument's value (None: none, or not a string literal)."""
    found: dict[str, str | None] = {}
    above = index - 1
    while above >= 0 and lines[above].startswith(("[", "#")):
        line = lines[above].strip()
        above -= 1
        listed = _ATTRIBUTES.match(line)
        if listed is None:
            continue  # a comment
        at, end = listed.span("inner")
        while at < end and (match := _ATTRIBUTE.match(line, at, end)) is not None:
            argument = match.group("colon") or match.group("first")
            found.setdefault(match.group("name"), _string(argument) if argument else None)
            at = match.end()
    return found


def _start_dir(lines: list[str], index: int, setting: _Folder) -> str | None:
    """Where just runs the recipe whose header is on line `index` (Snippet.start_dir): None for
    the justfile's folder; `[no-cd]` and `set no-cd` keep the folder just was invoked from; the
    `working-directory` attribute (which wins over `set no-cd`) and setting are relative to the
    justfile's folder, the attribute to the setting's folder."""
    attributes = _attributes(lines, index)
    if "no-cd" in attributes:
        return INVOKED_FROM
    if "working-directory" in attributes:
        folder = attributes["working-directory"]
        if folder is None:
            return f"<{lines[index].split(':', 1)[0]}: working-directory>"  # not a literal
        return _folder(posixpath.join(setting.folder or ".", folder))
    return INVOKED_FROM if setting.no_cd else setting.folder


def _folder(path: str) -> str | None:
    """A folder as one spelling (`api/../.` is the justfile's folder: None)."""
    normal = posixpath.normpath(path)
    return None if normal == "." else normal


@dataclass(frozen=True)
class _Folder:
    """What the settings say about where recipes run: `set working-directory` and `set no-cd`."""

    folder: str | None
    no_cd: bool


def _folder_settings(lines: list[str]) -> _Folder:
    folder: str | None = None
    no_cd = False
    for line in lines:
        if (match := _SET_WORKDIR.match(line)) is not None:
            named = _string(match.group("folder"))
            folder = _folder(named) if named is not None else f"<{line.strip()}>"
        elif (match := _SET_NO_CD.match(line)) is not None:
            no_cd = match.group("value") != "false"
    return _Folder(folder, no_cd)


def _run_order(target: str, recipes: dict[str, _Recipe]) -> list[tuple[str, int]]:
    """The recipes `just TARGET` runs, each with its step: a later step runs after an earlier
    one; equal steps run at once (`[parallel]` dependencies)."""
    order: list[tuple[str, int]] = []
    done: set[str] = set()
    step = 0

    def group(names: tuple[str, ...], parallel: bool, depth: int) -> None:
        nonlocal step
        start = len(order)
        for name in names:
            visit(name, depth + 1)
        if parallel and len(order) > start:  # run at once: no order among them
            step += 1
            order[start:] = [(name, step) for name, _step in order[start:]]

    def visit(name: str, depth: int) -> None:
        nonlocal step
        recipe = recipes.get(name)
        if recipe is None or name in done or depth > 64:
            return
        done.add(name)  # a recipe runs once a run (and just refuses a cycle)
        group(recipe.prior, recipe.parallel, depth)
        step += 1
        order.append((name, step))
        group(recipe.subsequent, recipe.parallel, depth)

    visit(target, 0)
    return order


def _sessions(lines: list[str]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each recipe's steps in the runs of the recipes that depend on it (and its own)."""
    recipes: dict[str, _Recipe] = {}
    for index, line in enumerate(lines):
        header = _HEADER.match(line)
        if header is not None:
            name, recipe = _recipe(lines, index, header)
            recipes.setdefault(name, recipe)
    steps: dict[str, list[tuple[str, int]]] = {}
    budget = _MAX_SESSION_STEPS
    for target, recipe in recipes.items():
        if not (recipe.prior or recipe.subsequent):
            continue
        order = _run_order(target, recipes)
        budget -= len(order)
        if budget < 0:
            break
        for name, step in order:
            steps.setdefault(name, []).append((f"just {target}", step))
    return {name: tuple(pairs) for name, pairs in steps.items()}


def _folder_step(header: int, lines: int) -> int:
    """A recipe's step in the file's own sequence (FOLDER): file order, below every step of a
    `just T` run (_sessions counts from 1). Where a resume `--last` has runs before it in both
    (guard/engine/sessionplan.py, runs_before, orders them by step), the newest is the one its
    dependency ran just before it, not one merely written above it."""
    return header - lines


def extract(text: str, path: str) -> list[Snippet]:
    lines = text.split("\n")
    export_all = _exports_all(lines)
    file_env = _file_env(lines, export_all)
    variables = _variables(lines)
    raw_variables = {
        m.group("name"): m.group("value") for line in lines if (m := _ASSIGNMENT.match(line))
    }
    sessions = _sessions(lines)
    settings = _folder_settings(lines)
    dotenv = _dotenv(lines)
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        header = _HEADER.match(lines[index])
        if header is None:
            index += 1
            continue
        start = index + 1
        end = start
        while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
            end += 1
        first = next((b.strip() for b in lines[start:end] if b.strip()), "")
        is_shebang = first.startswith("#!")
        body = lines[start:end] if is_shebang else _without_sigils(lines[start:end])
        # just hands a shebang recipe to the program its `#!` names: shell text only when that
        # program is a shell (`#!/usr/bin/env python3` runs Python, which is not read here).
        if any(b.strip() for b in body) and (
            not is_shebang or kind_by_shebang(first.encode()) == SHELL
        ):
            dialect = shebang_dialect(first) if is_shebang else "sh"
            env = file_env + _parameter_env(
                header.group("params"), index + 1, export_all, variables
            )
            params = _parameters(header.group("params"), raw_variables)
            text_body, values = interpolate(
                "\n".join(body) + "\n", start, _Scope(raw_variables, params)
            )
            first_line, column = start, 0
            if dotenv is not None and dotenv[0] < start and _PLAIN_FILE.fullmatch(dotenv[2]):
                # just loads the file first: the shell's `. FILE` on the setting's line (the
                # lines down to the recipe blank), its `.` where the file is named
                first_line, column, name = dotenv
                text_body = ". " + name + "\n" * (start - first_line) + text_body
            snippets.append(
                Snippet(
                    text_body,
                    path,
                    first_line,
                    column,
                    dialect,
                    RunContext.SCRIPT,
                    tuple(env),
                    values=tuple(values),
                    session=(
                        *sessions.get(header.group("name"), ()),
                        (FOLDER, _folder_step(index, len(lines))),
                    ),
                    start_dir=_start_dir(lines, index, settings),
                )
            )
        index = max(end, index + 1)
    return snippets
