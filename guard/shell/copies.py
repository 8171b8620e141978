"""Programs a script makes out of codex: `ln -s "$(command -v codex)" /tmp/cx; /tmp/cx exec ...`.

A link or copy of the codex launcher (or of its native binary) is codex under another name: the
same argv starts the same agent, so the rules must read it as codex. This pass runs over the
finished command model, in source order: `ln`, `cp`, `install` and `mv` whose source is codex
record their destination, and a later command whose program word is that destination becomes a
codex command (its word renamed `codex`, a `path` wrapper keeping what was written, as the model
does for `/opt/x/bin/codex`). A source that only mentions codex (`cp "$CODEX_BIN" ./cx`) makes an
unknown program that may be codex: running it is a dynamic command (CG902), never silent.
"""

from __future__ import annotations

import posixpath

from guard.fastclass import replace
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.model import Command, Script, Word, Wrapper

COPIERS = frozenset({"ln", "cp", "install", "mv"})
# Options of the copiers that take a value (GNU coreutils): their value is no operand.
_VALUE_OPTIONS = frozenset({"-t", "-S", "-m", "-o", "-g", "--suffix", "--mode", "--owner"})
_TARGET_DIR = ("-t", "--target-directory")
# The source is codex: a word `codex` / `codex.js` / a native `codex-<arch>-...` binary / the npm
# package, as a path's last part or the argument of a lookup (`$(command -v codex)`).
_SURE = lazy_compile(
    r"(?<![\w.$-])(codex(\.js)?|codex-(x86_64|aarch64)-[\w-]+)(?![\w.-])|@openai/codex"
)
# The source may be codex: the name appears in any spelling (`$CODEX_BIN`, `codex-wrapper`); not
# codex-guard, which starts codex only through its own checks.
_MAYBE = lazy_compile(r"codex(?!-guard)", re.IGNORECASE)


def _operands(argv: tuple[Word, ...]) -> tuple[list[Word], str | None]:
    """A copier's operands and its `-t DIR` target, options skipped."""
    operands: list[Word] = []
    target: str | None = None
    i = 1
    while i < len(argv):
        text = argv[i].text
        if text == "--":
            operands.extend(argv[i + 1 :])
            break
        if text in _TARGET_DIR and i + 1 < len(argv):
            target = argv[i + 1].text
            i += 2
            continue
        if text.startswith("--target-directory="):
            target = text.split("=", 1)[1]
        elif text in _VALUE_OPTIONS:
            i += 1
        elif not text.startswith("-") or text == "-":
            operands.append(argv[i])
        i += 1
    return operands, target


def _norm(path: str) -> str:
    path = path.strip("'\"")
    for home in ("~/", "$HOME/", "${HOME}/"):
        if path.startswith(home):
            path = "~/" + path[len(home) :]
    return posixpath.normpath(path)


def _destinations(command: Command) -> list[tuple[str, str]]:
    """(destination, source text) for each file a copier makes."""
    operands, target = _operands(command.argv)
    if target is not None:
        return [(posixpath.join(target, _name_in(w.text)), w.text) for w in operands]
    if len(operands) == 1:  # `ln -s SRC`: a link of the same name in the current folder
        return [(posixpath.basename(operands[0].text.rstrip("/")), operands[0].text)]
    if len(operands) < 2:
        return []
    dest = operands[-1].text
    return [(dest, w.text) for w in operands[:-1]]


def _name_in(source: str) -> str:
    """The name a copy into a folder gets; `*` when the source's own name is not known
    (`cp -t DIR "$(command -v codex)"`)."""
    if "$" in source or "`" in source:
        return "*"
    return posixpath.basename(source.rstrip("/"))


def _runs(program: str, made: str) -> bool:
    """Does the program word `program` run the file `made`?"""
    if posixpath.basename(made) == "*":  # any file of that folder
        return "/" in program and _norm(posixpath.dirname(program)) == _norm(
            posixpath.dirname(made)
        )
    if "/" not in program:  # found on PATH: a file of that name in a PATH folder
        return program == posixpath.basename(made.rstrip("/"))
    return _norm(program) == _norm(made)


def _as_codex(command: Command) -> Command:
    head = command.argv[0]
    word = Word("codex", True, head.span, head.raw or head.text)
    wrapper = Wrapper("path", head.span, (head.text,))
    return replace(command, argv=(word, *command.argv[1:]), wrappers=(*command.wrappers, wrapper))


def resolve_codex_copies(script: Script) -> Script:
    """The model with every run of a link or copy of codex read as codex (see the module doc)."""
    if not any(c.program in COPIERS for c in script.commands):
        return script
    made: list[tuple[str, bool]] = []  # (destination, surely codex), in source order
    commands: list[Command] = []
    dynamic: list[Command] = []
    changed = False
    for command in script.commands:
        head = command.argv[0] if command.argv else None
        if head is not None and command.program not in ("", "codex"):
            if any(sure and _runs(head.text, dest) for dest, sure in made):
                command = _as_codex(command)
                changed = True
            elif any(_runs(head.text, dest) for dest, _sure in made):
                dynamic.append(command)
                changed = True
        if command.program in COPIERS:
            for dest, source in _destinations(command):
                if _SURE.search(source):
                    made.append((dest, True))
                elif _MAYBE.search(source):
                    made.append((dest, False))
        commands.append(command)
    if not changed:
        return script
    by_index = {c.index: c for c in commands}
    old_dynamic = tuple(by_index.get(c.index, c) for c in script.dynamic_commands)
    return replace(
        script,
        commands=tuple(commands),
        dynamic_commands=(*old_dynamic, *dynamic),
    )


def read_as_codex(script: Script, programs: frozenset[str] | set[str]) -> Script:
    """The model with every program word in `programs` (words the runtime doors found to be codex
    on this machine: a link or copy made earlier, guard/runtime/machine.py) read as codex: as the
    command's program, or carried in the words of a command codex-guard does not know."""
    from guard.shell.model import UNKNOWN_WRAPPER
    from guard.shell.wrappers import NEVER_RUN_ARGS, basename, starts_codex_line

    programs = set(programs)
    commands: list[Command] = []
    for command in script.commands:
        argv = command.argv
        if command.program == "hash":  # `hash -p /tmp/cx git`: `git` now runs /tmp/cx
            words = [w.text for w in argv]
            at = words.index("-p") if "-p" in words else -1
            if 0 < at < len(words) - 2 and words[at + 1] in programs:
                programs.update(words[at + 2 :])
        if argv and command.program != "codex" and argv[0].text in programs:
            command = _as_codex(command)
        elif argv and command.program != "codex" and basename(argv[0].text) not in NEVER_RUN_ARGS:
            for j in range(1, len(argv) - 1):
                if argv[j].text in programs and starts_codex_line([w.text for w in argv[j + 1 :]]):
                    carrier = Wrapper(UNKNOWN_WRAPPER, argv[0].span, (argv[0].text,))
                    carried = replace(command, argv=argv[j:], wrappers=(*command.wrappers, carrier))
                    command = _as_codex(carried)
                    break
        commands.append(command)
    by_index = {c.index: c for c in commands}
    dynamic = tuple(by_index.get(c.index, c) for c in script.dynamic_commands)
    return replace(script, commands=tuple(commands), dynamic_commands=dynamic)
