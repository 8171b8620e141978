"""Makefile recipes: the file's recipes are one script, each recipe a subshell `( ... )` in it.

Per recipe line: the leading tab and the `@`/`-`/`+` prefixes become spaces (columns stay exact);
on a backslash-continued line make removes only the one leading tab and hands the rest (an `-C`, an
`@`) to the shell as written (GNU make manual, "Splitting Recipe Lines"). Then `$$` becomes `$`,
and a make reference `$(NAME)` / `${NAME}` becomes the shell's `${NAME}` (same length) so the shell
layer sees a variable, not a command substitution; `$X` is make's one-letter reference (`$SANDBOX`
is `$(S)ANDBOX`); an automatic variable (`$@`, `$<`, `$(@D)`) is a file name make writes in, one
unknown word (_automatic_word). Backslash continuations are kept: make hands them to the shell as
they are. Where a command starts, a reference whose value begins with an assignment (`CODEX_ENV =
OPENAI_API_KEY=$(KEY)`) is written in as that text, as make writes it, so the shell reads a prefix
assignment (_prefixed). Lines that are not recipe lines are blanked, so line numbers are exact; a
recipe's `(` is written on its (blanked) `target:` line and its `)` on the line after it. A recipe
make hands to a program that is not a shell (`SHELL := python3`) is not read (_runs_in_a_shell).
The variables make exports (`export NAME = value`, `export NAME`, `export` alone,
`.EXPORT_ALL_VARIABLES:`, wherever in the file: _Exports) are in every recipe's environment: they
become `external_env`; an `unexport NAME` is an `unset` before the first recipe. `include
common.mk` reads that file's variables and exports in at that line (_read_include); an included
file that is not there (`include .env`) whose variables make exports is env loaded from a file
(_prelude).

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

import os
import re
import shlex
from dataclasses import dataclass, field

from guard import filereads
from guard.regularfile import read_regular
from guard.sources.detect import SHELL, kind_by_shebang
from guard.sources.makevars import (
    ASSIGNMENT,
    COMMAND_START,
    DIRECTIVE,
    UNKNOWN_WORD,
    MakeVariables,
    _references,
    prefix_text,
)
from guard.sources.snippet import RunContext, Snippet

_RULE = re.compile(r"^(?![\t#])[^=\t#]*?[^:=]:(?!=)")
# What make itself expands in a recipe line, read left to right: `$$` (the shell's `$`),
# `$(NAME)` and `${NAME}` (the same to make), an automatic variable (`$@`, `$<`, `$^`, `$(@D)`,
# `${<F}`: GNU make manual, "Automatic Variables"), and `$X`, a one-letter name (`$SANDBOX` is
# `$(S)ANDBOX` to make). Functions (`$(shell ...)`) stay as written.
_MAKE_REF = re.compile(
    r"\$(?:\$|\((?P<paren>[A-Za-z_][A-Za-z0-9_]*)\)|\{(?P<brace>[A-Za-z_][A-Za-z0-9_]*)\}"
    r"|(?P<automatic>[@%<?^+|*]|\([@%<?^+|*][DF]?\)|\{[@%<?^+|*][DF]?\})"
    r"|(?P<letter>[A-Za-z_]))"
)
# The shell names automatic variables are written as in braces (`${_}`, `${__}`): no value the
# snippet is handed may set them (_not_automatic).
_AUTOMATIC_NAME = re.compile(r"_+\Z")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")


# A make reference where a command starts in a recipe line: (start, end, variable name, chained,
# lead), the columns in the line as the shell layer gets it; ``chained``: it follows the
# reference before it with nothing but blanks between (`$(EMPTY)$(ENV) codex`, `$(A) $(B)
# codex`): it starts the command when the ones before it expand to nothing (_prefixed);
# ``lead``: only blanks, make's prefix characters `@-+` and references come before it from the
# start of the recipe line (`$(Q)$(ENV) codex`, `$(EMPTY)@$(ENV) codex`), where make strips the
# `@-+` of the expanded line too (_MAKE_PREFIX); a lead reference after another is chained.
Reference = tuple[int, int, str, bool, bool]
# What make strips from the start of a recipe line after expanding it (GNU make job.c,
# start_job_command: `@`, `-`, `+` and blanks), so a value of only these there is no text.
_MAKE_PREFIX = re.compile(r"[ \t@+-]*")


def recipe_line(line: str) -> tuple[str, list[Reference]]:
    """One raw recipe line (starting with a tab) as the shell will see it, columns kept, and
    the make references in it where a command starts."""
    body = line[1:]
    prefix = len(body) - len(body.lstrip("@-+ \t"))
    out = " " * (prefix + 1) + body[prefix:]
    return _unescape(out)


def continued_line(line: str) -> tuple[str, list[Reference]]:
    """A line after a backslash continuation: only its first tab goes (a space keeps columns);
    its start is not where a command starts (the line before goes on)."""
    text = " " + line[1:] if line.startswith("\t") else line
    return _unescape(text, at_start=False)


def _unescape(text: str, at_start: bool = True) -> tuple[str, list[Reference]]:
    """The shell text of a recipe line, and where a `$(NAME)` / `${NAME}` in it starts a
    command (_prefixed: its value may be an assignment the shell must read as one)."""
    out: list[str] = []
    references: list[Reference] = []
    cursor = 0
    lead = at_start  # still in the line's leading blanks, `@-+` and references
    for match in _MAKE_REF.finditer(text):
        out.append(text[cursor : match.start()])
        shell = _shell_reference(match)
        name = match.group("paren") or match.group("brace")
        before = "".join(out)
        lead = lead and _MAKE_PREFIX.fullmatch(text, cursor, match.start()) is not None
        if name and (lead or (COMMAND_START.search(before) and (at_start or before.strip()))):
            chained = bool(references) and (lead or references[-1][1] == len(before.rstrip(" \t")))
            references.append((len(before), len(before) + len(shell), name, chained, lead))
        lead = lead and bool(name)
        out.append(shell)
        cursor = match.end()
    out.append(text[cursor:])
    return "".join(out), references


def _shell_reference(match: re.Match[str]) -> str:
    """A make reference as the shell's `${NAME}` (same length for `$(NAME)`), which the
    snippet's known values resolve; `$X` stays `$X` unless a name character follows it."""
    name = match.group("paren") or match.group("brace")
    if name:
        return "${" + name + "}"
    if match.group("automatic"):
        return _automatic_word(match.group(0))
    letter = match.group("letter")
    if letter is None:
        return "$"  # `$$`
    following = match.string[match.end() : match.end() + 1]
    return "${" + letter + "}" if _NAME_CHAR.match(following) else "$" + letter


def _automatic_word(written: str) -> str:
    """An automatic variable as a shell reference of the same length that no value sets
    (`$<` -> `$-`, `$(@D)` -> `${__}`). make writes the target's or the prerequisites' file
    names there before the shell runs: text the linter does not know, read as one word (as an
    unknown `$X` is), so `- < $<` is stdin from a file, not shell syntax (`$<` is `$` then a
    redirection to the shell, `$(<F)` a command substitution). `$-` (the shell's option
    letters) ends where it starts, so `$@x` stays two parts (`$_x` would name `_x`)."""
    return "$-" if len(written) == 2 else "${" + "_" * (len(written) - 3) + "}"


def _not_automatic(name: str) -> bool:
    """A variable the snippet may be handed a value for: not one of the names automatic
    variables are written as (a Makefile's own `_ := x` would make `$@` read as `x`)."""
    return _AUTOMATIC_NAME.match(name) is None


_TARGET_ASSIGN = re.compile(r"^(?P<targets>[^:=#\t][^:=#]*?)\s*::?\s*(?P<assignment>.+)$")
# `export NAME...` / `unexport NAME...`, and `export` / `unexport` alone (the default for every
# variable); a trailing comment is make's.
_EXPORT_NAMES = re.compile(
    r"^(?P<verb>export|unexport)(?P<names>(?:\s+[A-Za-z_][A-Za-z0-9_.-]*)*)\s*(?:#.*)?$"
)
_EXPORT_ALL = re.compile(r"^\.EXPORT_ALL_VARIABLES\s*:")
_EXPORT_COMPUTED = re.compile(r"^export\s+\$[({]")  # names from a reference or a function
_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass
class _Exports:
    """Which make variables are in a recipe's environment (GNU make manual, "Communicating
    Variables to a Sub-make"; each checked with make 4.3 in tests/sources/test_make_exports.py).
    make reads the whole file first, so the order against the recipes does not matter:
    - `export NAME` / `export NAME = v` / `unexport NAME`: the last one for a name wins;
    - otherwise `.EXPORT_ALL_VARIABLES:` (anywhere), or the last `export` / `unexport` alone,
      exports every variable whose name the shell can take;
    - `unexport NAME` takes the name out of the recipes' environment even when make inherited
      it. Read on one path of a conditional only, it is not relied on (it may not happen); an
      export there is (it may)."""

    names: dict[str, tuple[bool, int]] = field(default_factory=dict)  # name -> (exported, line)
    all_target: bool = False
    default: bool = False
    # `export $(shell sed 's/=.*//' .env)`: names known only when make runs, so any variable
    # of the file may be one of them (read as exporting all of them)
    computed: bool = False

    def read(self, stripped: str, line: int, conditional: bool) -> bool:
        """Take in an export line; True when it was one (not an assignment)."""
        if _EXPORT_ALL.match(stripped):
            self.all_target = True
            return False  # still a rule line (with no recipe)
        if _EXPORT_COMPUTED.match(stripped):
            self.computed = True
            return True
        match = _EXPORT_NAMES.match(stripped)
        if match is None:
            return False
        exported = match.group("verb") == "export"
        names = match.group("names").split()
        if not names and (exported or not conditional):
            self.default = exported
        for name in names:
            if exported or not conditional:
                self.names[name] = (exported, line)
        return True

    def assigned(self, mods: str, name: str, line: int) -> None:
        """`export NAME = value` (also after `override`)."""
        if "export" in mods.split():
            self.names[name] = (True, line)

    def environment(self, variables: MakeVariables) -> list[tuple[str, str, int]]:
        """(name, value, line) of each variable the file puts in the recipes' environment: the
        line of its `export`, or of its last definition when every variable is exported (and
        the names it exports but never sets: _unset_exports)."""
        values: dict[str, list[tuple[str, int]]] = {}
        for name, value, line, _written in variables.values():
            values.setdefault(name, []).append((value, line))
        env = self._unset_exports(variables)
        for name, definitions in variables.table.items():
            if not _SHELL_NAME.match(name):
                continue
            explicit = self.names.get(name)
            if explicit is not None and explicit[0]:
                known = values.get(name)
                env.append((name, known[-1][0] if known else "", explicit[1]))
            elif explicit is None and (self.all_target or self.default or self.computed):
                known = values.get(name)
                last = definitions[-1][1] if definitions else 0
                env.append((name, known[-1][0] if known else "", last))
        return sorted(env, key=lambda item: item[2])

    def _unset_exports(self, variables: MakeVariables) -> list[tuple[str, str, int]]:
        """`export OPENAI_API_KEY` of a name the file never sets: make hands it to every recipe
        all the same, with the value make got from its caller's environment, or empty when it
        got none (make 4.3 exports it as ``OPENAI_API_KEY=``), as the shell's `export NAME`
        does. The value is not known: it is written as empty, which still counts (CG101)."""
        return [
            (name, "", line)
            for name, (exported, line) in self.names.items()
            if exported and name not in variables.table and _SHELL_NAME.match(name)
        ]

    def removed(self) -> list[str]:
        """Names `unexport`ed: not in any recipe's environment, inherited or not."""
        return [n for n, (exported, _line) in self.names.items() if not exported]


@dataclass
class _Recipe:
    header: int  # 0-based line of `target: deps`
    start: int  # 0-based line of the first recipe line (the header's for `target: ; cmd`)
    targets: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    # Make references where a command starts: (index in ``lines``, *Reference)
    references: list[tuple[int, int, int, str, bool, bool]] = field(default_factory=list)
    # Targets that have this one among their prerequisites, directly or not (make hands their
    # target-specific variables down to it when it is built for them).
    callers: tuple[str, ...] = ()
    # Lines that name a canned recipe (a `define`, or `$(call NAME,...)`): (index in ``lines``,
    # the line as written, whether it continues the line before it), expanded once the whole
    # file is read (_expand_canned)
    canned: list[tuple[int, str, bool]] = field(default_factory=list)


def _targets(header: str) -> tuple[str, ...]:
    return tuple(header.split(":", 1)[0].split())


def _prerequisites(header: str) -> list[str]:
    """`a b: c d | e ; cmd` -> c, d, e (order-only ones too)."""
    rest = header.split(":", 1)[1] if ":" in header else ""
    rest = rest.lstrip(":").split(";", 1)[0].split("#", 1)[0]
    return [word for word in rest.split() if word != "|"]


MAX_CALLERS = 16  # targets whose variables one recipe may inherit (a bounded walk up the graph)


def _callers(target: str, parents: dict[str, list[str]]) -> list[str]:
    found: list[str] = []
    frontier = [target]
    while frontier and len(found) < MAX_CALLERS:
        current = frontier.pop(0)
        for parent in parents.get(current, ()):
            if parent != target and parent not in found and len(found) < MAX_CALLERS:
                found.append(parent)
                frontier.append(parent)
    return found


def _target_values(recipe: _Recipe, own: _TargetValues, variables: MakeVariables) -> str:
    """Shell assignments for the recipe's target-specific variables (`work: SANDBOX = x`), put
    on its header line inside its subshell: they hold in that recipe only."""
    parts: list[str] = []
    for target in recipe.targets:
        parts.extend(_assignments(own.get(target, []), variables))
    # Built as a prerequisite of a target with its own values, the recipe sees those (GNU make
    # manual, "Target-specific Variable Values"); built alone, it does not: one arm each.
    mine = {a[1] for target in recipe.targets for a in own.get(target, [])}
    arms: list[str] = []
    for caller in recipe.callers:
        inherited = [a for a in own.get(caller, []) if a[1] not in mine]
        assignments = _assignments(inherited, variables)
        if assignments and _SHELL_PATTERN.match(caller):
            arms.append(f"{caller}) {' '.join(assignments)};")
    if arms:
        parts.append(f'case "${{__make_goal-}}" in {" ".join(arms)} esac;')
    return " ".join(parts)


_SHELL_PATTERN = re.compile(r"[A-Za-z0-9_./-]+\Z")  # a target name that is a plain case pattern


def _assignments(found: list[_TargetValue], variables: MakeVariables) -> list[str]:
    """Shell assignments for target-specific values, as make applies them: `?=` only when the
    file does not set the name, `+=` appends to the value it has (the shell's `${NAME}`, which
    the snippet's known values resolve), `!=` is a command's output (unknown)."""
    parts: list[str] = []
    for mods, name, op, raw, _line in found:
        if not _SHELL_NAME.match(name) or (op == "?=" and name in variables.table):
            continue
        values = variables.expand(raw, 0) if op != "!=" else [None]
        value = values[0] if len(values) == 1 else None
        text = shlex.quote(value) if value is not None else f'"{UNKNOWN_WORD}"'
        if op == "+=" and name in variables.table:
            text = f'"${{{name}}} "{text}'
        parts.append(f"{'export ' if 'export' in mods.split() else ''}{name}={text};")
    return parts


_TargetValue = tuple[str, str, str, str, int]  # (mods, name, op, value, line)
_TargetValues = dict[str, list[_TargetValue]]  # target -> its own values


@dataclass
class _File:
    """What make has read so far: the main file and the files it includes share it."""

    folder: str | None  # the Makefile's folder (relative `include`s are read from it)
    variables: MakeVariables = field(default_factory=MakeVariables)
    exports: _Exports = field(default_factory=_Exports)
    own: _TargetValues = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)  # prerequisite -> its targets
    included: int = 0  # files read for `include` (bounded by MAX_INCLUDES)
    # `include .env` of a file that is not there or cannot be read: (name, main-file line)
    unread: list[tuple[str, int]] = field(default_factory=list)
    # `define NAME` ... `endef`: the body as written (a canned recipe, or text `$(call)` fills in)
    defines: dict[str, str] = field(default_factory=dict)


_INCLUDE = re.compile(r"^(?:-include|sinclude|include)\s+(?P<files>[^#]*?)\s*(?:#.*)?$")
MAX_INCLUDES = 16  # files one Makefile's `include`s may bring in (nested ones too)
MAX_INCLUDE_DEPTH = 4
MAX_INCLUDE_BYTES = 256 * 1024


def _read_include(words: str, file: _File, line: int, depth: int) -> None:
    """`include common.mk`: make reads the file there, so its variables, exports and
    target-specific values count from that point (its own recipes are not this file's lines,
    and are not linted here; the include's variables are said to be set at the `include`
    line). Only plain relative names are read (not `$(VAR).mk`, not a pattern), from the
    Makefile's folder, a bounded number, each read recorded for the lint cache."""
    if file.folder is None or depth >= MAX_INCLUDE_DEPTH:
        return
    for name in words.split():
        if any(c in name for c in "$*?[") or os.path.isabs(name):
            continue
        if file.included >= MAX_INCLUDES:
            return
        file.included += 1
        path = os.path.join(file.folder, name)
        filereads.note(filereads.FILE, path)
        data = read_regular(path, MAX_INCLUDE_BYTES)
        if data is None:  # absent (`-include`), a folder, a FIFO, unreadable, too large
            file.unread.append((name, line))
            continue
        _read(data.decode("utf-8", "replace"), file, line, depth + 1)


def _read(text: str, file: _File, at: int | None = None, depth: int = 0) -> list[_Recipe]:
    """The file's recipes, and its variables, exports and target-specific values into
    ``file``; ``at``: the `include` line of the main file this text was included at."""
    lines = text.split("\n")
    variables, exports, own, parents = file.variables, file.exports, file.own, file.parents
    recipes: list[_Recipe] = []
    current: _Recipe | None = None
    define: _Define | None = None
    continued = False
    for index, line in enumerate(lines):
        number = index + 1 if at is None else at
        stripped = line.strip()
        if define is not None:
            if define.read(line, stripped):
                file.defines[define.name] = "\n".join(define.body)
                define = None
            continue
        if current is not None and (line.startswith("\t") or continued):
            was_continued = continued
            continued = line.endswith("\\")
            current.lines.extend([""] * (index - current.start - len(current.lines)))
            shell, found = continued_line(line) if was_continued else recipe_line(line)
            if _CANNED.search(line):
                current.canned.append((len(current.lines), line, was_continued))
            current.references.extend((len(current.lines), *ref) for ref in found)
            current.lines.append(shell)
            continue
        continued = False
        if current is not None and (not stripped or stripped.startswith("#")):
            continue  # blank and comment lines do not end a recipe
        if current is not None and DIRECTIVE.match(stripped):
            variables.read(stripped, number)  # `ifeq` in a recipe picks which lines it has
            continue
        if current is not None and current.lines:
            recipes.append(current)
        current = None
        if stripped.startswith("define "):
            name = _define_name(stripped)
            define = _Define(name)
            variables.unknown(name, number)
            continue
        if exports.read(stripped, number, bool(variables.frames)):
            continue
        include = _INCLUDE.match(stripped) if not line.startswith("\t") else None
        if include:
            _read_include(include.group("files"), file, number, depth)
            continue
        assignment = ASSIGNMENT.match(stripped)
        if assignment:
            exports.assigned(assignment.group("mods"), assignment.group("name"), number)
        if variables.read(stripped, number) or line.startswith("\t"):
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
                            assignment.group("op"),
                            assignment.group("value"),
                            number,
                        )
                    )
                continue
        if _RULE.match(line):
            for prerequisite in _prerequisites(line):
                parents.setdefault(prerequisite, []).extend(_targets(line))
            current = _Recipe(index, index + 1, _targets(line))
            rest = line.split(";", 1)
            if len(rest) == 2 and rest[1].strip():  # `target: deps ; command`
                current.start = index
                # its `@-+` prefix goes as a tab line's does (`x: ; @echo ...`)
                command = rest[1]
                prefix = len(command) - len(command.lstrip("@-+ \t"))
                shell, found = _unescape(" " * prefix + command[prefix:])
                lead = len(rest[0]) + 1
                current.references.extend(
                    (0, lead + a, lead + b, n, c, first) for a, b, n, c, first in found
                )
                current.lines.append(" " * lead + shell)
    if current is not None and current.lines:
        recipes.append(current)
    if own and at is None:
        for recipe in recipes:
            callers = [c for t in recipe.targets for c in _callers(t, parents) if c in own]
            recipe.callers = tuple(dict.fromkeys(callers))
    return recipes


# A recipe line that may name a canned recipe: a reference, or a `$(call ...)` (_expand_canned)
_CANNED = re.compile(r"\$[({]")
_DEFINE = re.compile(r"^define\s+(?P<name>[^\s=:?+!]+)")
_DEFINE_NESTED = re.compile(r"^(?:(?:export|override|private)\s+)*define\b")
_CALL = re.compile(r"call[ \t]+")
# `$(1)`, `${2}`, `$1`: a `call` argument in the text it fills in (`$(0)`: the name called)
_CALL_ARGUMENT = re.compile(r"\$(?:\((?P<paren>\d+)\)|\{(?P<brace>\d+)\}|(?P<digit>\d))")
MAX_CANNED_DEPTH = 4  # canned recipes naming canned recipes, as deep as this
MAX_CANNED_TEXT = 64 * 1024  # characters one expanded recipe line may grow to


def _define_name(stripped: str) -> str:
    """`define NAME`, `define NAME =`, `define NAME :=` -> NAME."""
    match = _DEFINE.match(stripped)
    return match.group("name") if match else ""


@dataclass
class _Define:
    """A `define NAME` being read: its body lines up to the `endef` that closes it (a nested
    `define` needs its own `endef` first, as make counts them)."""

    name: str
    body: list[str] = field(default_factory=list)
    depth: int = 0

    def read(self, line: str, stripped: str) -> bool:
        """Take in one line; True at the closing `endef` (not part of the body)."""
        if stripped == "endef" or stripped.startswith(("endef ", "endef\t", "endef#")):
            if self.depth == 0:
                return True
            self.depth -= 1
        elif _DEFINE_NESTED.match(stripped):
            self.depth += 1
        self.body.append(line)
        return False


def _expand_canned(recipe: _Recipe, file: _File) -> None:
    """make expands a recipe line before it runs it, and a line of the expansion is a recipe line
    of its own (GNU make manual, "Defining Canned Recipes"; job.c splits the expanded text at
    its newlines): `$(run_codex)` of a `define run_codex` body, or `$(call task,docs)` with
    `$(1)` filled in, runs the body's lines as if they were written there. Each such line is
    written in its recipe line's place, one snippet line each (the snippet's line_map puts them
    all on that file line), and its references read as any recipe line's are."""
    for index, raw, was_continued in recipe.canned:
        text = _canned_text(raw, file, 0)
        if text is None:
            continue
        pieces = text.split("\n")
        shells: list[str] = []
        references: list[tuple[int, int, int, str, bool, bool]] = []
        offset = 0
        for k, piece in enumerate(pieces):
            if k == 0:
                shell, found = continued_line(piece) if was_continued else recipe_line(piece)
            elif pieces[k - 1].endswith("\\"):
                shell, found = continued_line(piece)
            else:
                shell, found = recipe_line("\t" + piece.lstrip(" \t"))
            references.extend(
                (index, offset + start, offset + end, name, chained, lead)
                for start, end, name, chained, lead in found
            )
            shells.append(shell)
            offset += len(shell) + 1
        recipe.lines[index] = "\n".join(shells)
        recipe.references = [r for r in recipe.references if r[0] != index] + references
        recipe.references.sort(key=lambda r: (r[0], r[1]))


def _canned_text(text: str, file: _File, depth: int) -> str | None:
    """``text`` with each reference to a `define` and each `$(call NAME,...)` of a `define` or a
    recursive variable written in as make expands it; None when it names none."""
    if depth > MAX_CANNED_DEPTH:
        return None
    out: list[str] = []
    cursor = 0
    size = len(text)
    for start, end, name in _references(text):
        body = _called(text[start + 2 : end - 1], name, file, depth)
        if body is None:
            continue
        size += len(body) - (end - start)
        if size > MAX_CANNED_TEXT:
            return None  # (bodies naming bodies: the text would grow past any real recipe)
        out.append(text[cursor:start])
        out.append(body)
        cursor = end
    if not out:
        return None
    out.append(text[cursor:])
    joined = "".join(out)
    deeper = _canned_text(joined, file, depth + 1)
    return joined if deeper is None else deeper


def _called(inner: str, name: str | None, file: _File, depth: int) -> str | None:
    """What one reference's inside expands to when it is a canned recipe: a `define`'s body, or
    a `call`'s variable with its arguments filled in; None for any other reference."""
    if name is not None:
        return file.defines.get(name)
    call = _CALL.match(inner)
    if call is None:
        return None
    parts = _call_arguments(inner[call.end() :])
    called = parts[0].strip()
    body = file.defines.get(called)
    if body is None:
        values = file.variables.table.get(called, [])
        if len(values) != 1 or values[0][0] is None or not values[0][2]:
            return None  # unknown, several, or already expanded (`:=`): not text to fill in
        body = values[0][0]
    arguments = [called, *parts[1:]]

    def argument(match: re.Match[str]) -> str:
        number = int(match.group("paren") or match.group("brace") or match.group("digit"))
        return arguments[number] if number < len(arguments) else ""

    return _CALL_ARGUMENT.sub(argument, body)


def _call_arguments(text: str) -> list[str]:
    """`NAME,a,b` -> [NAME, a, b], split at the commas outside any brackets (make's
    `$(call task,$(foo,bar))` keeps the inner comma)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


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
    file = _File(os.path.dirname(path) or ".")
    recipes = _read(text, file)
    variables, own = file.variables, file.own
    env = file.exports.environment(variables)
    prelude = _prelude(file, file.exports.removed())
    for recipe in recipes:
        if recipe.canned and (file.defines or any("call" in raw for _i, raw, _c in recipe.canned)):
            _expand_canned(recipe, file)
        _prefixed(recipe, variables, own)
    recipes = [r for r in recipes if any(part.strip() for part in r.lines)]
    recipes = [r for r in recipes if _runs_in_a_shell(r, variables, own)]
    alone = [r for r in recipes if not self_contained("\n".join(r.lines))]
    joined = [r for r in recipes if r not in alone]
    snippets = [_snippet([r], text, path, variables, env, own, prelude) for r in alone]
    if joined:
        snippets.append(_snippet(joined, text, path, variables, env, own, prelude))
    return snippets


def _prefixed(recipe: _Recipe, variables: MakeVariables, own: _TargetValues) -> None:
    """make writes a variable's text into the recipe line before the shell reads it, so a
    value that starts with an assignment (`CODEX_ENV = OPENAI_API_KEY=$(KEY)`) where a command
    starts is the shell's prefix assignment (`$(CODEX_ENV) codex exec` is `OPENAI_API_KEY=...
    codex exec`, make -n prints it so), not a command named by a variable: that text replaces
    the reference. Of several values (a conditional) the first such one is taken: a key on
    one path reaches codex there. A name the recipe's target sets for itself keeps its
    reference (the target-specific assignment in its subshell gives it). The line grows by
    what the text is longer than the reference: columns after it on that line shift.

    A reference that expands to nothing (`EMPTY :=`) leaves the command start to the one after
    it: `$(EMPTY)$(CODEX_ENV) codex` and `$(EMPTY) $(CODEX_ENV) codex` are `OPENAI_API_KEY=...
    codex` to the shell (make expands the whole line first, make -n prints it so). Before a
    reference the file gives a value, such a reference is written as blanks (columns kept), so
    that value is the command's start. So is a name nothing sets (make expands it to nothing
    unless its caller's environment sets it: _unset) before a prefix assignment: on that path
    the key reaches codex; before anything else it stays a word the linter does not know
    (`$(WRAP) codex` is a command it cannot resolve, CG902, as `$WRAP codex` in a script).
    At the start of a recipe line make also strips the `@-+` of the expanded text: there a
    value of only those (`Q := @`: `$(Q)$(CODEX_ENV) codex`), and a literal `@-+` after a
    reference that expands to nothing (`$(EMPTY)@$(CODEX_ENV)`), is no text either."""
    targets = {*recipe.targets, *recipe.callers}
    shadowed = {value[1] for target in targets for value in own.get(target, [])}
    edits: list[tuple[int, int, int, str]] = []  # (line index, start, end, new text)
    # The chain's references so far that may expand to nothing: (line index, start, end,
    # maybe: only on some path, lead)
    pending: list[tuple[int, int, int, bool, bool]] = []
    for index, start, end, name, chained, lead in recipe.references:
        if not chained or name in shadowed or not _not_automatic(name):
            edits.extend(_stripped(pending, recipe.lines))
            pending = []
        if name in shadowed or not _not_automatic(name):
            continue
        values = variables.lookup(name, 0)
        text = prefix_text(values)
        gone = [_vanishes(value, lead) for value in values if value is not None]
        if text is None and (any(gone) or _unset(name, variables)):
            pending.append((index, start, end, not (gone and all(gone)) or None in values, lead))
            continue
        if text is not None or any(value is not None for value in values):
            for k, (i, s, _e, maybe, _lead) in enumerate(pending):
                if maybe and text is None:  # the run from the chain's start: a word between
                    break  # two words would split them
                until = pending[k + 1][1] if k + 1 < len(pending) else start
                edits.append((i, s, until, " " * (until - s)))  # with the blanks and `@-+` after
        if text is not None:
            edits.append((index, start, end, text))
        pending = []
    edits.extend(_stripped(pending, recipe.lines))
    for index, start, end, text in sorted(edits, reverse=True):
        line = recipe.lines[index]
        recipe.lines[index] = line[:start] + text + line[end:]


def _vanishes(value: str, lead: bool) -> bool:
    """The value is no text where it is written: blanks, or at the start of a recipe line only
    make's prefix characters (`Q := @`), which make strips from the expanded line."""
    return not value.strip(" \t") or (lead and _MAKE_PREFIX.fullmatch(value) is not None)


def _stripped(
    pending: list[tuple[int, int, int, bool, bool]], lines: list[str]
) -> list[tuple[int, int, int, str]]:
    """A chain that ends at plain text (`$(Q)codex exec`, `$(Q)echo`): when each of its
    references is at the start of the line and never more than blanks and make's `@-+`, make
    strips all of it with the `@-+` after it (`$(EMPTY)@codex` runs `codex`): it is written as
    blanks (columns kept). A reference that may also be more (a name nothing sets, another
    value on some path) keeps the chain as it was."""
    if not pending or any(maybe or not lead for _i, _s, _e, maybe, lead in pending):
        return []
    index, start, end = pending[0][0], pending[0][1], pending[-1][2]
    match = _MAKE_PREFIX.match(lines[index], end)
    until = match.end() if match else end
    return [(index, start, until, " " * (until - start))]


# Variables make sets itself (`make -p -f /dev/null`, GNU make 4.3) and ones every environment
# has: not unset where the file does not set them.
_MAKE_OWN = frozenset(
    (
        *("AR", "ARFLAGS", "AS", "CC", "CO", "COFLAGS", "CPP", "CTANGLE", "CURDIR", "CWEAVE"),
        *("CXX", "F77", "F77FLAGS", "FC", "GET", "GNUMAKEFLAGS", "LD", "LEX", "LINT", "M2C"),
        *("MAKE", "MAKEFILES", "MAKEFILE_LIST", "MAKEFLAGS", "MAKEINFO", "MAKELEVEL"),
        *("MAKE_COMMAND", "MAKE_HOST", "MAKE_VERSION", "MFLAGS", "OUTPUT_OPTION", "PC", "RM"),
        *("SHELL", "SUFFIXES", "TANGLE", "TEX", "TEXI2DVI", "WEAVE", "YACC"),
        *("HOME", "PATH", "PWD", "USER", "LOGNAME"),
    )
)


def _blank(values: list[str | None]) -> bool:
    """Every value the variable may have is blanks or nothing (`EMPTY :=`)."""
    return bool(values) and all(value is not None and not value.strip(" \t") for value in values)


def _unset(name: str, variables: MakeVariables) -> bool:
    """The file never sets the name and make has no value of its own for it: make expands it to
    nothing unless its caller's environment sets it."""
    return name not in variables.table and name not in _MAKE_OWN


def _runs_in_a_shell(recipe: _Recipe, variables: MakeVariables, own: _TargetValues) -> bool:
    """make hands a recipe to the program `SHELL` names (GNU make manual, "Choosing the
    Shell"; never taken from the environment): `/bin/sh` unless the file sets it, for every
    recipe or for the recipe's own target (`run: SHELL := python3`). A recipe is shell text
    unless every value SHELL may have there is a known program that is not a shell: a Python
    recipe (`SHELL := /usr/bin/env python3`) is not read as shell, as a justfile's Python
    shebang recipe is not."""
    programs: list[str | None] = []
    for target in recipe.targets:
        for _mods, name, op, raw, _line in own.get(target, []):
            if name == "SHELL":
                programs = variables.expand(raw, 0) if op != "!=" else [None]
    if not programs and "SHELL" in variables.table:
        programs = variables.lookup("SHELL", 0)
    return not programs or any(
        program is None or kind_by_shebang(f"#!{program}".encode()) == SHELL for program in programs
    )


def _prelude(file: _File, removed: list[str]) -> tuple[str, int | None]:
    """What holds for every recipe before any runs, as shell text, and the line it belongs on:
    - an included file the linter cannot read (`include .env`, not in the checkout) whose
      variables make exports (`export` alone, `.EXPORT_ALL_VARIABLES:`, `export $(shell sed
      's/=.*//' .env)`) is env loaded from a file: `set -a; . ./.env; set +a` (CG103, read
      by the shell layer as the same line in a script);
    - `unexport NAME`: make takes NAME out of every recipe's environment, inherited or not
      (after the loads: make unexports whatever the file sets)."""
    exports = file.exports
    loads = ""
    if file.unread and (exports.all_target or exports.default or exports.computed):
        for name, _line in file.unread:
            path = name if "/" in name else f"./{name}"
            loads += f"set -a; . {shlex.quote(path)}; set +a; "
    unsets = "".join(f"unset {name}; " for name in removed if _SHELL_NAME.match(name))
    line = file.unread[0][1] if loads else None
    return (loads + unsets).rstrip(), line


def _place_prelude(out: list[str], prelude: str, line: int | None) -> None:
    """The prelude goes before the first recipe's subshell, so it holds in all of them: on its
    own line when that is blank and before the first recipe, else on the first blank line, or
    in front of the first recipe's `(` when the file starts with one."""
    if not prelude:
        return
    first = next((i for i, text in enumerate(out) if text.strip()), len(out))
    if line is not None and line - 1 < first and not out[line - 1]:
        out[line - 1] = prelude
        return
    blank = next((i for i in range(first) if not out[i]), None)
    if blank is not None:
        out[blank] = prelude
    elif out:
        out[0] = prelude + " " + out[0]


def _canned_lines(out: list[str]) -> tuple[tuple[int, int, int], ...]:
    """Where a file line holds a canned recipe's several lines (_expand_canned), every snippet
    line's file line (Snippet.line_map); none when each file line is one snippet line."""
    if not any("\n" in part for part in out):
        return ()
    places: list[tuple[int, int, int]] = []
    for index, part in enumerate(out):
        for _piece in range(part.count("\n") + 1):
            places.append((len(places) + 1, index + 1, 0))
    places.append((len(places) + 1, len(out) + 1, 0))  # the text's final newline
    return tuple(places)


def _snippet(
    recipes: list[_Recipe],
    text: str,
    path: str,
    variables: MakeVariables,
    env: list[tuple[str, str, int]],
    own: _TargetValues,
    prelude: tuple[str, int | None],
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
    _place_prelude(out, *prelude)
    return Snippet(
        text="\n".join(out) + "\n",
        path=path,
        line_offset=0,
        line_map=_canned_lines(out),
        dialect="sh",  # make runs recipes with /bin/sh unless SHELL says otherwise
        context=RunContext.SCRIPT,
        external_env=tuple(item for item in env if _not_automatic(item[0])),
        values=tuple(value for value in variables.values() if _not_automatic(value[0])),
    )
