"""Python orchestrators: each `subprocess` / `asyncio` / `os` spawn of codex is one command line.

The spawn is written back as the shell command it amounts to, so the one rule set reads it:
- argv: a list or tuple literal (or a name assigned one in the file); string items are words,
  anything else a `$VAR` word; a string command (`shell=True`, `os.system`) is shell text;
- env: `env={..., "OPENAI_API_KEY": k}` or `dict(os.environ, OPENAI_API_KEY=k)` -> `K=... cmd`
  (a dict without `**os.environ` also clears the rest: `env -i`);
- stdin (FACTS.md, "outside the shell"): `stdin=DEVNULL` -> `</dev/null`; `input=...` -> input
  supplied; `stdin=PIPE` that the file never writes, closes or `communicate()`s (through the name
  the `Popen` is bound to) -> an idle pipe
  codex never sees the end of (RunContext.SPAWN, where a bare command means exactly that);
  no `stdin=` -> the parent's stdin, as a foreground call in a script.
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator

from guard.sources.base import SourceError
from guard.sources.snippet import RunContext, Snippet

SPAWNERS = frozenset(
    {"run", "Popen", "call", "check_call", "check_output", "create_subprocess_exec"}
)
SHELL_SPAWNERS = frozenset({"system", "popen", "create_subprocess_shell", "getoutput"})
# How a `proc = Popen(..., stdin=PIPE)` is fed and ended: `proc.communicate(...)` and the like.
FEEDS_PIPE = (".communicate(", ".stdin.write(", ".stdin.close(", ".stdin.writelines(")
SUPPLIED = ' <<<"$INPUT"'


SPAWN_MODULES = frozenset({"subprocess", "asyncio", "os"})


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _word(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return shlex.quote(node.value)
    if isinstance(node, ast.Starred):
        return '"$@"'
    if isinstance(node, ast.Name):
        return f'"${node.id}"'
    return '"$ARG"'


def _shell_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("$ARG")
        return "".join(parts)
    return None


class _Module:
    """The file's simple `NAME = [...]` assignments, so `subprocess.run(cmd)` can be read."""

    def __init__(self, tree: ast.Module, text: str) -> None:
        self.text = text
        self.values: dict[str, ast.expr] = {}  # NAME -> the last value assigned to it
        self.bound: dict[int, str] = {}  # id(call) -> the name it is assigned to
        self.modules: set[str] = set()  # local names of subprocess / asyncio / os
        self.functions: set[str] = set()  # `from subprocess import run` -> "run"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                self.modules.update(
                    a.asname or a.name for a in node.names if a.name in SPAWN_MODULES
                )
            elif isinstance(node, ast.ImportFrom) and node.module in SPAWN_MODULES:
                self.functions.update(a.asname or a.name for a in node.names)
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.values[target.id] = node.value
                    if isinstance(node.value, ast.Call):
                        self.bound[id(node.value)] = target.id

    def spawns(self, call: ast.Call) -> bool:
        """`subprocess.run(...)`, `sp.Popen(...)`, or `run(...)` imported from subprocess: not
        any method that happens to be called `run` (`app.run([...])`)."""
        func = call.func
        if isinstance(func, ast.Attribute):
            return isinstance(func.value, ast.Name) and func.value.id in self.modules
        return isinstance(func, ast.Name) and func.id in self.functions

    def resolve(self, node: ast.expr | None) -> ast.expr | None:
        if isinstance(node, ast.Name) and node.id in self.values:
            return self.values[node.id]
        return node

    def feeds(self, call: ast.Call) -> bool:
        """Is the PIPE of this `Popen` written or closed anywhere in the file?"""
        name = self.bound.get(id(call))
        return name is not None and any(f"{name}{m}" in self.text for m in FEEDS_PIPE)

    def argv(self, node: ast.expr) -> list[ast.expr] | None:
        node = self.resolve(node) or node
        if isinstance(node, ast.List | ast.Tuple):
            return list(node.elts)
        return None


def _is_codex(words: list[ast.expr]) -> bool:
    heads = [w.value for w in words[:2] if isinstance(w, ast.Constant) and isinstance(w.value, str)]
    first = heads[0].rsplit("/", 1)[-1] if heads else ""
    return first == "codex" or (first in ("npx", "bunx") and "@openai/codex" in " ".join(heads))


def _env_prefix(node: ast.Call, module: _Module) -> str:
    """`K=V ` for every key the spawn's env= sets; `env -i ` when it replaces os.environ."""
    env = module.resolve(_keyword(node, "env"))
    keys: list[str] = []
    inherits = True
    if isinstance(env, ast.Dict):
        inherits = any(k is None for k in env.keys)  # `**os.environ`
        keys = [
            k.value for k in env.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
        ]
    elif isinstance(env, ast.Call) and _callee(env) == "dict":
        keys = [k.arg for k in env.keywords if k.arg]
    prefix = "" if inherits or env is None else "env -i "
    return prefix + "".join(f'{key}="$VALUE" ' for key in keys if key.isidentifier())


def _stdin(node: ast.Call, module: _Module) -> tuple[str, RunContext]:
    if _keyword(node, "input") is not None:
        return SUPPLIED, RunContext.SCRIPT
    stdin = _keyword(node, "stdin")
    if stdin is None:
        return "", RunContext.SCRIPT  # the parent's stdin: idle under an agent or a daemon
    name = stdin.attr if isinstance(stdin, ast.Attribute) else getattr(stdin, "id", "")
    if name == "DEVNULL":
        return " </dev/null", RunContext.SCRIPT
    if name == "PIPE":
        return (SUPPLIED, RunContext.SCRIPT) if module.feeds(node) else ("", RunContext.SPAWN)
    return ' <"$FILE"', RunContext.SCRIPT  # an open file or descriptor


def _command(node: ast.Call, module: _Module) -> tuple[str, RunContext] | None:
    name = _callee(node)
    if not node.args or name not in SPAWNERS | SHELL_SPAWNERS or not module.spawns(node):
        return None
    first = node.args[0]
    words = module.argv(first) if name in SPAWNERS else None
    if name == "create_subprocess_exec":  # argv as positional arguments, not a list
        words = list(node.args)
    shell = _keyword(node, "shell")
    if words is not None and _is_codex(words):
        line = " ".join(_word(w) for w in words)
    elif name in SHELL_SPAWNERS or (isinstance(shell, ast.Constant) and shell.value is True):
        text = _shell_text(first)
        if text is None or "codex" not in text:
            return None
        line = text.replace("\n", " ")
    else:
        return None
    redirect, context = _stdin(node, module)
    return _env_prefix(node, module) + line + redirect, context


def _calls(tree: ast.Module) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def extract(text: str, path: str) -> list[Snippet]:
    if "codex" not in text:
        return []
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise SourceError(
            f"not valid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SourceError(f"not valid Python: {type(exc).__name__}") from None
    module = _Module(tree, text)
    snippets: list[Snippet] = []
    for call in _calls(tree):
        found = _command(call, module)
        if found is None:
            continue
        line, context = found
        snippets.append(
            Snippet(
                text=line + "\n",
                path=path,
                line_offset=call.lineno - 1,
                column_offset=call.col_offset,
                context=context,
            )
        )
    return sorted(snippets, key=lambda s: (s.line_offset, s.column_offset))
