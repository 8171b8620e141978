"""Command objects of Python's `sh` and `plumbum` libraries: a call that runs one is a spawn of
its argv (guard/sources/python.py reads it as one).

sh (amoffat/sh): `sh.codex(...)`, `sh.Command("codex")(...)`, `from sh import codex`; an
attribute of a command is a sub-command baked in (`codex.exec(...)` runs `codex exec ...`),
`.bake(...)` bakes arguments; keyword arguments are options (`sandbox="read-only"` is
`--sandbox=read-only`, `s="read-only"` is `-s read-only`, `True` a bare flag, `_` in a long name a
`-`), those starting with `_` are sh's own (`_env=` is the whole environment it gets). A
command's stdin is a pipe sh closes at once unless
`_in=` feeds it (sh.py OProc and input_thread: with no `_in` the writer is done at once and
closes the pipe), or `_fg=True` hands it this process's stdin.

plumbum: `local["codex"]`, `local.cmd.codex`, `local.get("codex")`; `cmd["exec", "-C", "."]`
binds arguments; `cmd(...)` and `cmd.run(...)` run it with a pipe for stdin that `communicate()`
closes; `(cmd < "prompt.md")()` reads that file, `(cmd << text)()` is fed text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

MAX_DEPTH = 8  # names bound to commands bound to commands, as deep as this

# How a run's stdin is given: closed, this process's, fed text, a file
CLOSED = "closed"
INHERITED = "inherited"
FED = "fed"
FILE = "file"


@dataclass(frozen=True)
class Run:
    """A call that runs a command object: its argv as expressions, and its stdin."""

    argv: tuple[ast.expr, ...]
    stdin: str
    env: ast.expr | None = None  # sh's `_env=`: the whole environment the command gets


@dataclass
class _Command:
    argv: list[ast.expr] = field(default_factory=list)
    stdin: str = CLOSED
    library: str = "sh"


class Commands:
    """The file's `sh` / `plumbum` imports and the names bound to their command objects."""

    def __init__(self, tree: ast.Module) -> None:
        self.sh_modules: set[str] = set()  # `import sh` (as ...)
        self.sh_programs: dict[str, str] = {}  # `from sh import codex` -> program
        self.sh_command: set[str] = set()  # `from sh import Command`
        self.plumbum_local: set[str] = set()  # `from plumbum import local`, `plumbum.local`
        self.plumbum_modules: set[str] = set()  # `import plumbum`
        self.bound: dict[str, ast.expr] = {}  # a name assigned once -> its value
        assigned: dict[str, int] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "sh":
                        self.sh_modules.add(alias.asname or "sh")
                    elif alias.name == "plumbum":
                        self.plumbum_modules.add(alias.asname or "plumbum")
            elif isinstance(node, ast.ImportFrom) and node.module == "sh":
                for alias in node.names:
                    local = alias.asname or alias.name
                    if alias.name == "Command":
                        self.sh_command.add(local)
                    elif alias.name != "*":
                        self.sh_programs[local] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module == "plumbum":
                self.plumbum_local.update(
                    a.asname or a.name for a in node.names if a.name == "local"
                )
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    assigned[target.id] = assigned.get(target.id, 0) + 1
                    self.bound[target.id] = node.value
        # (a name bound more than once may hold another command: not followed)
        self.bound = {n: v for n, v in self.bound.items() if assigned.get(n) == 1}

    @property
    def any(self) -> bool:
        return bool(
            self.sh_modules
            or self.sh_programs
            or self.sh_command
            or self.plumbum_local
            or self.plumbum_modules
        )

    def run(self, call: ast.Call) -> Run | None:
        """The run a call starts, when it runs an sh or plumbum command object."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ("run", "popen"):
            command = self._command(func.value, 0)
            if command is None or command.library != "plumbum":
                return None
            argv = [*command.argv, *_plumbum_arguments(call.args[:1])]
            return Run(_placed(argv, call), _plumbum_stdin(command.stdin, call))
        if isinstance(func, ast.Attribute) and func.attr == "bake":
            return None
        if isinstance(func, ast.Name) and func.id in self.sh_command:
            return None  # `Command("codex")` makes a command, runs nothing
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "Command"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.sh_modules
        ):
            return None
        command = self._command(func, 0)
        if command is None:
            return None
        if command.library == "plumbum":
            stdin = _plumbum_stdin(command.stdin, call)
            return Run(_placed([*command.argv, *call.args], call), stdin)
        argv = [*command.argv, *call.args, *_options(call.keywords)]
        env = next((k.value for k in call.keywords if k.arg == "_env"), None)
        return Run(_placed(argv, call), _sh_stdin(call), env)

    def _command(self, node: ast.expr, depth: int) -> _Command | None:
        """The command object an expression is, or None."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            if node.id in self.sh_programs:
                return _Command([ast.Constant(self.sh_programs[node.id])])
            value = self.bound.get(node.id)
            return self._command(value, depth + 1) if value is not None else None
        if isinstance(node, ast.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, ast.Call):
            return self._made(node, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            command = self._command(node.left, depth + 1)
            if command is not None and command.library == "plumbum":
                if isinstance(node.ops[0], ast.Lt):
                    command.stdin = FILE  # `cmd < "prompt.md"`
                return command
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.LShift):
            command = self._command(node.left, depth + 1)
            if command is not None and command.library == "plumbum":
                command.stdin = FED  # `cmd << "text"`
            return command
        return None

    def _attribute(self, node: ast.Attribute, depth: int) -> _Command | None:
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in self.sh_modules:
            return _Command([ast.Constant(node.attr)]) if node.attr != "Command" else None
        if self._is_local(owner):
            return None  # `local.cwd`, `local.env`: no command
        if isinstance(owner, ast.Attribute) and owner.attr == "cmd" and self._is_local(owner.value):
            return _Command([ast.Constant(node.attr)], library="plumbum")  # `local.cmd.codex`
        command = self._command(owner, depth + 1)
        if command is None or command.library != "sh":
            return None
        command.argv.append(ast.Constant(node.attr.replace("_", "-")))  # `codex.exec`
        return command

    def _made(self, node: ast.Call, depth: int) -> _Command | None:
        """`sh.Command("codex")`, `cmd.bake(...)`, `local.get("codex")`."""
        func = node.func
        made_by_sh = (isinstance(func, ast.Name) and func.id in self.sh_command) or (
            isinstance(func, ast.Attribute)
            and func.attr == "Command"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.sh_modules
        )
        if made_by_sh and node.args:
            return _Command([node.args[0]])
        if isinstance(func, ast.Attribute) and func.attr == "get" and self._is_local(func.value):
            return _Command(list(node.args[:1]), library="plumbum") if node.args else None
        if isinstance(func, ast.Attribute) and func.attr == "bake":
            command = self._command(func.value, depth + 1)
            if command is not None and command.library == "sh":
                command.argv.extend([*node.args, *_options(node.keywords)])
                return command
        return None

    def _subscript(self, node: ast.Subscript, depth: int) -> _Command | None:
        """`local["codex"]`, `cmd["exec", "-C", "."]`."""
        if self._is_local(node.value):
            return _Command([node.slice], library="plumbum")
        command = self._command(node.value, depth + 1)
        if command is None or command.library != "plumbum":
            return None
        command.argv.extend(_plumbum_arguments([node.slice]))
        return command

    def _is_local(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.plumbum_local
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "local"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.plumbum_modules
        )


def _placed(argv: list[ast.expr], call: ast.Call) -> tuple[ast.expr, ...]:
    """The argv, each word the linter wrote itself (a program or sub-command name, an option
    from a keyword) placed at the call: a finding on it points there."""
    return tuple(
        word if hasattr(word, "lineno") else ast.copy_location(word, call) for word in argv
    )


def _plumbum_arguments(nodes: list[ast.expr]) -> list[ast.expr]:
    """`["exec", "-C", "."]` / `("exec", "-C")` / one value: the arguments bound."""
    found: list[ast.expr] = []
    for node in nodes:
        found.extend(node.elts if isinstance(node, ast.Tuple | ast.List) else [node])
    return found


def _plumbum_stdin(stdin: str, call: ast.Call) -> str:
    """`stdin=None` hands the run this process's stdin; a file or a pipe given, that."""
    given = next((k.value for k in call.keywords if k.arg == "stdin"), None)
    if given is not None:
        return INHERITED if isinstance(given, ast.Constant) and given.value is None else FILE
    return stdin


def _options(keywords: list[ast.keyword]) -> list[ast.expr]:
    """sh's keyword arguments as the options they are (sh.py compile_args): `s="x"` is `-s x`,
    `sandbox="x"` is `--sandbox=x`, `True` a bare flag, `False`/`None` nothing; `_name` is sh's."""
    found: list[ast.expr] = []
    for keyword in keywords:
        name = keyword.arg
        if name is None or name.startswith("_"):
            continue
        value = keyword.value
        flag = f"-{name}" if len(name) == 1 else f"--{name.replace('_', '-')}"
        if isinstance(value, ast.Constant) and value.value in (False, None):
            continue
        if isinstance(value, ast.Constant) and value.value is True:
            found.append(ast.copy_location(ast.Constant(flag), keyword.value))
        else:
            found.extend([ast.copy_location(ast.Constant(flag), keyword.value), value])
    return found


def _sh_stdin(call: ast.Call) -> str:
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    foreground = keywords.get("_fg")
    if isinstance(foreground, ast.Constant) and foreground.value is True:
        return INHERITED
    given = keywords.get("_in")
    if given is None or (isinstance(given, ast.Constant) and given.value in (None, "", b"")):
        return CLOSED  # (an empty text is written as nothing: the pipe closes at once)
    return FED
