"""Python orchestrators: each `subprocess` / `asyncio` / `os` spawn of codex is one command line
(`os.exec*` / `os.spawn*` / `os.posix_spawn*` too: their program argument runs, OS_EXEC), and
each shell text an invoke or fabric task runs (`c.run(...)`, `Connection(host).run(...)`:
TASK_MODULES; a fabric connection's text runs in the remote host's environment, not this one's).

The spawn is written back as the shell command it amounts to, so the one rule set reads it:
- argv: every value the file gives it (guard/sources/pyvalues.py: constants, helpers, `+`,
  `append`/`extend`, spreads, branches), one command line per reachable value; an unresolved
  word is `"$ARG"`, an unresolved program `"$CMD"` (CG902); a string command (`shell=True`,
  `os.system`) is shell text (f-strings and `" ".join(...)` resolved the same way);
- env: `env={..., "OPENAI_API_KEY": k}`, `dict(os.environ, K=k)`, `env = os.environ.copy();
  env["K"] = k`, `os.environ | {"K": k}`, `env |= {"K": k}`, a helper that returns one ->
  `K=... cmd` (a mapping that does not copy os.environ also clears the rest: `env -i`);
  `os.environ[...] =`, `os.environ.update(...)`, `os.environ |= {...}`, `.setdefault(...)` and
  `os.putenv(...)` earlier in the file reach every later spawn that inherits (putenv only
  without env=: it does not change the os.environ mapping), unless a `del os.environ[...]` /
  `os.environ.pop(...)` on every path in between took the key out again, as `unset` does in
  the shell (read by pyvalues.Flow: see _environ_at for what it follows);
- words written elsewhere (a constant, a helper, a branch) are Snippet.origins: a finding on
  them points there too (guard/sources/origins.py);
- stdin (FACTS.md, "outside the shell"): `stdin=DEVNULL` -> `</dev/null`; `input=...` -> input
  supplied; `stdin=PIPE` that the file never closes or `communicate()`s (through the name the
  process is bound to: `p = Popen(...)`, `p = await asyncio.create_subprocess_exec(...)`) -> an
  idle pipe codex never sees the end of (RunContext.SPAWN, where a bare command means exactly
  that), written to or not: codex reads stdin to EOF, so `p.stdin.write(...)` then `p.wait()`
  hangs all the same (CG202 with `-`, CG201 with a positional prompt); no `stdin=` -> the
  parent's stdin, as a foreground call in a script (asyncio's default too: stdin=None inherits).
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from guard.sources import pycommands, pyvalues
from guard.sources.base import SourceError
from guard.sources.snippet import RunContext, Snippet, position_step
from guard.sources.spawnline import (
    CAPTURED,
    MAX_VARIANTS,
    Unknown,
    is_codex_argv,
    may_be_codex,
    shifted_left,
    text_may_be_codex,
)

SPAWNERS = frozenset(
    {"run", "Popen", "call", "check_call", "check_output", "create_subprocess_exec"}
)
SHELL_SPAWNERS = frozenset({"system", "popen", "create_subprocess_shell", "getoutput"})
# os.exec* / os.spawn* / os.posix_spawn*: (where the program is, where its argv list is (None:
# the `l` forms, whose words follow the program), where an `e` form's env is (-1: the last
# argument)). The program runs as given; the argv's first word is only the name it sees
# (argv[0]). An `e` form's env is the whole environment (Python docs, os.execve).
OS_EXEC: dict[str, tuple[int, int | None, int | None]] = {
    **dict.fromkeys(("execv", "execvp"), (0, 1, None)),
    **dict.fromkeys(("execve", "execvpe", "posix_spawn", "posix_spawnp"), (0, 1, 2)),
    **dict.fromkeys(("spawnv", "spawnvp"), (1, 2, None)),
    **dict.fromkeys(("spawnve", "spawnvpe"), (1, 2, 3)),
    **dict.fromkeys(("execl", "execlp"), (0, None, None)),
    **dict.fromkeys(("execle", "execlpe"), (0, None, -1)),
    **dict.fromkeys(("spawnl", "spawnlp"), (1, None, None)),
    **dict.fromkeys(("spawnle", "spawnlpe"), (1, None, -1)),
}
# How a `proc = Popen(..., stdin=PIPE)` pipe is ended: `proc.communicate(...)` writes and closes
# it, `proc.stdin.close()` (asyncio: also `.write_eof()`) closes it. A `proc.stdin.write(...)`
# alone does not: codex reads its stdin to EOF and waits for more.
ENDS_PIPE = frozenset({"close", "write_eof"})
SUPPLIED = ' <<<"$INPUT"'
# Input a group's spawn is given, as a file: the shell layer reads `{ ...\n} <<<x` as an error.
FROM_FILE = ' <"$FILE"'
# What makes a shell text more than one simple command: a list, a pipeline, more lines; and,
# for the stdin the spawn gives, a redirect of the text's own (which wins over the shell's).
_LIST_CHARS = ";&|\n"
_STDIN_CHARS = ";&|\n<"


SPAWN_MODULES = frozenset({"subprocess", "asyncio", "os"})
# Task runners whose `run` takes shell text (pyinvoke.org Context.run, fabfile.org
# Connection.run): `c.run("codex exec ...")` of a `@task`'s context, a `Connection(host)`, a
# `Context()`, and invoke's own `run`/`sudo`. Fabric runs the text on the remote host.
TASK_MODULES = frozenset({"invoke", "fabric"})
COMMAND_MODULES = frozenset({"sh", "plumbum"})  # command objects: guard/sources/pycommands.py
TASK_METHODS = frozenset({"run", "sudo", "local"})
TASK_OBJECTS = frozenset({"Context", "Connection", "SerialGroup", "ThreadingGroup", "Group"})
REMOTE_OBJECTS = frozenset({"Connection", "SerialGroup", "ThreadingGroup", "Group"})


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


class _Module:
    """The file's spawn-module imports and the names processes are bound to; its values are read
    by guard/sources/pyvalues.py."""

    def __init__(self, tree: ast.Module) -> None:
        self.values = pyvalues.Module(tree)
        self.tree = tree
        # (a `load_dotenv(...)` call, whether it runs at module level), read at the first ask
        self._dotenv: list[tuple[ast.Call, bool]] | None = None
        self._runners: dict[str, str] | None = None  # task runner names (task_runner)
        self.bound: dict[int, str] = {}  # id(spawn call) -> the name its process is bound to
        self.ended: set[str] = set()  # the names whose stdin pipe the file ends (_ends_pipe)
        self.modules: set[str] = set()  # local names of subprocess / asyncio / os
        self.functions: set[str] = set()  # `from subprocess import run` -> "run"
        # invoke / fabric: local name -> the module or name it imports (`task`, `Connection`)
        self.tasks: dict[str, str] = {}
        commands = False  # does the file import sh or plumbum (pycommands)?
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                self.modules.update(
                    a.asname or a.name for a in node.names if a.name in SPAWN_MODULES
                )
                self.tasks.update(
                    (a.asname or a.name, a.name) for a in node.names if a.name in TASK_MODULES
                )
                commands = commands or any(a.name in COMMAND_MODULES for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module in SPAWN_MODULES:
                self.functions.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module in TASK_MODULES:
                self.tasks.update((a.asname or a.name, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                commands = commands or node.module in COMMAND_MODULES
            ended = _ends_pipe(node)
            if ended is not None:
                self.ended.add(ended)
            if isinstance(node, ast.Assign | ast.AnnAssign):
                spawned = _spawned_process(node.value)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and spawned is not None:
                        self.bound[id(spawned)] = target.id
        self.commands = pycommands.Commands(tree) if commands else None
        self._runs: dict[int, tuple[ast.Call, pycommands.Run | None]] = {}

    def library_run(self, call: ast.Call) -> pycommands.Run | None:
        """The run of an sh or plumbum command object the call starts (pycommands), if any."""
        if self.commands is None:
            return None
        cached = self._runs.get(id(call))
        if cached is None or cached[0] is not call:  # (an id is reused once its node is gone)
            cached = self._runs[id(call)] = (call, self.commands.run(call))
        return cached[1]

    @contextmanager
    def standing_in(self, call: ast.Call, spawn: ast.Call) -> Iterator[None]:
        """While a wrapper's spawn is read as made at a call site (`call`, a node of its own),
        the name the spawn's process is bound to is the call's too."""
        name = self.bound.get(id(spawn))
        if name is None:
            yield
            return
        self.bound[id(call)] = name
        try:
            yield
        finally:
            del self.bound[id(call)]

    def spawns(self, call: ast.Call) -> bool:
        """`subprocess.run(...)`, `sp.Popen(...)`, or `run(...)` imported from subprocess: not
        any method that happens to be called `run` (`app.run([...])`)."""
        func = call.func
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id in self.modules:
                return True
        elif isinstance(func, ast.Name) and func.id in self.functions:
            return True
        return self.task_runner(call) is not None or self.library_run(call) is not None

    def task_runner(self, call: ast.Call) -> str | None:
        """ "local" or "remote" when the call runs shell text through invoke or fabric: `.run`,
        `.sudo` or `.local` of a `@task`'s first parameter, of a name bound to a `Context()` or
        a `Connection(host)` (a `with ... as c:` too), or invoke's own `run`/`sudo`."""
        if not self.tasks:
            return None
        if self._runners is None:
            self._runners = _task_runners(self.tree, self.tasks)
        func = call.func
        if isinstance(func, ast.Name):
            return "local" if self.tasks.get(func.id) in ("run", "sudo") else None
        if not isinstance(func, ast.Attribute) or func.attr not in TASK_METHODS:
            return None
        owner = func.value
        if isinstance(owner, ast.Name):
            if self.tasks.get(owner.id) == "invoke" and func.attr != "local":
                return "local"  # `invoke.run(...)`
            return self._runners.get(owner.id)
        if isinstance(owner, ast.Call):  # `Connection(host).run(...)`
            return _task_object(owner, self.tasks)
        return None

    def dotenv_files(self, spawn: ast.Call) -> list[str]:
        """The env files python-dotenv's `load_dotenv(...)` loads into the process before the
        spawn: a call at module level (an import, `if __name__ == "__main__":`), or in the
        spawn's own function above it. Default `.env`; a literal path argument as written."""
        if self._dotenv is None:
            self._dotenv = []
            for statement in self.tree.body:
                top = not isinstance(statement, _DEFINITIONS)
                for node in ast.walk(statement):
                    if isinstance(node, ast.Call) and _callee(node) == "load_dotenv":
                        self._dotenv.append((node, top))
        if not self._dotenv:
            return []
        enclosing = self.values.enclosing.get(id(spawn))
        function = (
            enclosing if isinstance(enclosing, ast.FunctionDef | ast.AsyncFunctionDef) else None
        )
        found: list[str] = []
        for call, top in self._dotenv:
            above = call.lineno < spawn.lineno
            # (a function runs once the module has loaded; a module-level spawn, where it is)
            if (top and (function is not None or above)) or (
                function is not None and above and pyvalues._contains(function, call)
            ):
                found.append(_dotenv_path(call))
        return list(dict.fromkeys(found))

    def feeds(self, call: ast.Call) -> bool:
        """Is the PIPE of this `Popen` ended anywhere in the file (closed, or communicate()d)?"""
        name = self.bound.get(id(call))
        return name is not None and name in self.ended


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _task_object(value: ast.expr | None, tasks: dict[str, str]) -> str | None:
    """ "local" / "remote" for `Context()` / `Connection(host)` (also `fabric.Connection(...)`),
    None for any other value."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Name):
        name = tasks.get(func.id)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        name = func.attr if func.value.id in tasks else None
    else:
        name = None
    if name not in TASK_OBJECTS:
        return None
    return "remote" if name in REMOTE_OBJECTS else "local"


def _is_task(decorator: ast.expr, tasks: dict[str, str]) -> bool:
    """`@task`, `@task(...)`, `@invoke.task`, `@fabric.task`."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Name):
        return tasks.get(decorator.id) == "task"
    return (
        isinstance(decorator, ast.Attribute)
        and decorator.attr == "task"
        and isinstance(decorator.value, ast.Name)
        and decorator.value.id in tasks
    )


def _task_runners(tree: ast.Module, tasks: dict[str, str]) -> dict[str, str]:
    """The names of the file that hold an invoke Context or a fabric Connection: a task's first
    parameter (a fabric task's is the host's Connection when it runs with hosts: remote), a
    name bound to `Context()` / `Connection(host)`, a `with Connection(host) as c:` target."""
    fabric = "fabric" in tasks.values() or any(
        isinstance(n, ast.ImportFrom) and n.module == "fabric" for n in ast.walk(tree)
    )
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.args.args and any(_is_task(d, tasks) for d in node.decorator_list):
                found.setdefault(node.args.args[0].arg, "remote" if fabric else "local")
        elif isinstance(node, ast.Assign):
            kind = _task_object(node.value, tasks)
            for target in node.targets if kind else ():
                if isinstance(target, ast.Name):
                    found[target.id] = kind or "local"
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                kind = _task_object(item.context_expr, tasks)
                if kind and isinstance(item.optional_vars, ast.Name):
                    found[item.optional_vars.id] = kind
    return found


def _dotenv_path(call: ast.Call) -> str:
    """The file `load_dotenv(...)` reads: its literal first argument or `dotenv_path=`, else
    `.env` (what `find_dotenv()` finds from the script's folder)."""
    given = call.args[0] if call.args else _keyword(call, "dotenv_path")
    if isinstance(given, ast.Constant) and isinstance(given.value, str) and given.value:
        return given.value
    return ".env"


def _ends_pipe(node: ast.AST) -> str | None:
    """The name whose stdin pipe `node` ends: `p.communicate(...)`, `p.stdin.close()`,
    `p.stdin.write_eof()`, or `with p.stdin:` (its exit closes the pipe)."""
    if isinstance(node, ast.With | ast.AsyncWith):
        for item in node.items:
            owner = _stdin_owner(item.context_expr)
            if owner is not None:
                return owner
        return None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    verb, target = node.func.attr, node.func.value
    if verb == "communicate" and isinstance(target, ast.Name):
        return target.id
    return _stdin_owner(target) if verb in ENDS_PIPE else None


def _stdin_owner(node: ast.expr) -> str | None:
    """`p.stdin` -> "p"."""
    if isinstance(node, ast.Attribute) and node.attr == "stdin":
        return node.value.id if isinstance(node.value, ast.Name) else None
    return None


def _spawned_process(value: ast.expr | None) -> ast.Call | None:
    """The call whose process a name is bound to: `proc = Popen(...)`, and asyncio's `proc =
    await create_subprocess_exec(...)` (the await gives the Process, whose stdin is the same
    pipe: `await proc.communicate(data)` feeds and closes it as Popen's does)."""
    if isinstance(value, ast.Await):
        value = value.value
    return value if isinstance(value, ast.Call) else None


def _is_codex(words: Sequence[pyvalues.W]) -> bool:
    return is_codex_argv([w.text for w in words])


@dataclass(frozen=True, slots=True)
class _Line:
    """One reachable command line of a spawn, and the words of it written elsewhere."""

    text: str
    origins: tuple[tuple[int, int, int, int, str], ...]


class _Writer:
    """Writes one command line, noting where each word written elsewhere in the file sits."""

    def __init__(self, module: _Module, call: ast.Call, captured: bool = False) -> None:
        self.module = module
        self.call = call
        self.parts: list[str] = []
        self.origins: list[tuple[int, int, int, int, str]] = []
        self.length = 0
        self.captured = captured
        self.closing = ""
        if captured:  # the program takes the run's output: `$(...)`, as the shell would
            self.add(CAPTURED)
        self.opened = self.length

    def load_env_files(self, files: list[str]) -> None:
        """The env files the process loaded before the spawn (python-dotenv), as the shell
        loads one: `{ set -a; . FILE; set +a` on a line of its own, the command on the next."""
        if files:
            # (`./` on a bare name: `. .env` would search PATH for it)
            loads = "; ".join(f". {shlex.quote(f if '/' in f else './' + f)}" for f in files)
            self.add(f"{{ set -a; {loads}; set +a\n")
            self.closing = "\n}"
            self.opened = self.length

    @property
    def words_written(self) -> bool:
        """Has anything but the capture's opening been written (an env)?"""
        return self.length > self.opened

    def add(self, text: str, word: pyvalues.W | None = None, subject: str = "",
            also: Sequence[pyvalues.W] = ()) -> None:  # fmt: skip
        """`text` with the origins of `word` (and of `also`: more places that wrote the same
        word, as a variable set in several places)."""
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        if not subject:
            return
        end = start + len(text.rstrip())
        for place in (word, *also) if word is not None else also:
            self.origin(start, end, place, subject)

    def origin(self, start: int, end: int, word: pyvalues.W, subject: str) -> None:
        """Where the word at start..end was written, when that is elsewhere than the spawn."""
        if word.line <= 0:
            return
        put = (word.put_line, word.put_column)
        if word.put_line and self.outside(word.put_line):
            # The line that put a constant into the argv (`argv.append(CODEX_FLAGS)`), then
            # where the constant is written.
            note = self.note(word.via, word.put_line, subject) or f"`{subject}` is added here"
            self.origins.append((start, end, *put, note))
            self.origins.append((start, end, word.line, word.column, f"`{subject}` is set here"))
            return
        note = self.note(word.via, word.line, subject)
        if not note and self.outside(word.line):
            note = f"`{subject}` is set here"
        if not note and word.line != self.call.lineno:
            note = f"`{subject}` is written here"  # a later line of a multi-line call
        if note:
            self.origins.append((start, end, word.line, word.column, note))

    def outside(self, line: int) -> bool:
        """Is `line` outside the spawn call itself?"""
        return not self.call.lineno <= line <= (self.call.end_lineno or self.call.lineno)

    def note(self, via: str, line: int, subject: str) -> str:
        """How a word came from a helper or a branch ("" when it did not)."""
        if via:
            return f"`{subject}` comes from {via} here"
        if self.module.values.on_branch(line, self.call.lineno):
            return f"`{subject}` is added on this branch"
        return ""

    def line(self, tail: str) -> _Line:
        tail += self.closing
        if self.captured:
            tail += ")"
        return _Line("".join(self.parts) + tail, tuple(self.origins))


def _env_variants(
    node: ast.Call, module: _Module, flow: pyvalues.Flow, state: pyvalues.State, task: bool = False
) -> list[pyvalues.Env | None]:
    """The env= values the spawn may get (None: no env=, the parent's environment). A task
    runner's `env=` adds to the environment unless `replace_env=True` (invoke's Runner)."""
    library = module.library_run(node)
    env = library.env if library is not None else _env_node(node)
    if env is None or (isinstance(env, ast.Constant) and env.value is None):
        return [None]
    replaces = _keyword(node, "replace_env")
    merges = task and not (isinstance(replaces, ast.Constant) and replaces.value is True)
    found: list[pyvalues.Env | None] = []
    for value in flow.values(env, state):
        if not isinstance(value, pyvalues.Env):
            value = pyvalues.Env((), True)
        found.append(replace(value, inherits=True) if merges else value)
    return list(dict.fromkeys(found))


def _environ_at(call: ast.Call, module: _Module, states: list[pyvalues.State]) -> list[pyvalues.W]:
    """The keys the file has put in its own environment when `call` runs ("putenv:K" for those
    only the process environment holds). The spawn's own function (or the module, for a spawn
    at module level) is read statement by statement: a key it sets, then deletes on every path,
    is gone (`unset` in the shell layer). Lines of the module before the spawn's function are
    read the same way, and a key its function then deletes on every path is gone too. A key set
    in another function, whose calls are not followed, counts from its line on, deleted or not;
    so does every key set above a wrapper's call site (`call` made there: no function of its
    own). A key set in many places comes with the last few of them (pyvalues.latest_per_name),
    so a file of many such spawns stays linear."""
    values = module.values
    scope = values.enclosing.get(id(call))
    if scope is None:
        return values.sets_before(call.lineno, None)
    own = pyvalues.environ_of(states)
    found = list(own.keys)
    if scope is not values.tree:
        above = values.environ_before(call).keys
        found += [k for k in above if k.text not in own.removed]
    found += values.sets_before(call.lineno, scope)
    return sorted(found, key=lambda k: (k.line, k.column))


def _write_env(
    writer: _Writer, env: pyvalues.Env | None, environ: list[pyvalues.W], group: bool = False
) -> None:
    """The spawn's env as prefix assignments (`K="$VALUE" `); with `group`, a group's start
    that exports them (`{ export K="$VALUE"; `), for a shell text of more than one command."""
    # A variable the file set in several places is one assignment, as the shell binds it once:
    # each place is kept as where it was set, but the line does not grow with each of them.
    inherited: dict[str, list[pyvalues.W]] = {}
    for key in environ:
        if str(key.text).startswith("putenv:"):
            if env is not None:
                continue
            key = replace(key, text=pyvalues.environ_name(key))
        if isinstance(key.text, str) and key.text.isidentifier():
            inherited.setdefault(key.text, []).append(key)
    if env is not None and not env.inherits:
        # (in a group, an env that replaces the parent's adds nothing a rule could miss: only
        # the keys it names are ever claimed)
        if not group:
            writer.add("env -i ")
        inherited = {}
    if group:
        writer.add("{ ")
    start, end = ("export ", "; ") if group else ("", " ")
    for name, places in inherited.items():
        writer.add(start)
        writer.add(f'{name}="$VALUE"', places[0], name, places[1:])
        writer.add(end)
    for key in env.keys if env is not None else ():
        if isinstance(key.text, str) and key.text.isidentifier():
            writer.add(start)
            writer.add(f'{key.text}="$VALUE"', key, key.text)
            writer.add(end)


def _write_argv(writer: _Writer, words: Sequence[pyvalues.W]) -> None:
    # An unknown program is the `"$CMD"` word CG902 names (render_dynamic).
    dynamic_program = bool(words) and isinstance(words[0].text, Unknown) and not _is_codex(words)
    for index, word in enumerate(words):
        if index:
            writer.add(" ")
        if index == 0 and dynamic_program:
            writer.add('"$CMD"')
            continue
        text = word.text
        rendered = text.value if isinstance(text, Unknown) else shlex.quote(text)
        writer.add(rendered, word, text if isinstance(text, str) else "")


def _env_node(node: ast.Call) -> ast.expr | None:
    """`env=`, or the env argument of an os.exec*e / os.spawn*e / os.posix_spawn* call."""
    given = _keyword(node, "env")
    form = OS_EXEC.get(_callee(node))
    if given is not None or form is None or form[2] is None:
        return given
    index = form[2] if form[2] >= 0 else len(node.args) - 1
    lowest = form[0] + 2 if form[1] is None else form[1] + 1  # after the program and its argv
    return node.args[index] if lowest <= index < len(node.args) else None


def _exec_argv(node: ast.Call, form: tuple[int, int | None, int | None], flow: pyvalues.Flow,
               state: pyvalues.State) -> list[pyvalues.Value]:  # fmt: skip
    """The argv an os.exec*/spawn* call runs: its program, then the words after argv[0]."""
    at, listed, env = form
    if len(node.args) <= at or any(isinstance(a, ast.Starred) for a in node.args):
        return []
    if listed is None:
        end = len(node.args) - 1 if env == -1 else len(node.args)
        tails = flow.sequence_literal(node.args[at + 1 : end], state, 0)
    elif listed < len(node.args):
        tails = list(flow.values(node.args[listed], state))
    else:
        return []
    found: list[pyvalues.Value] = []
    for program in flow.words(node.args[at], state):
        for tail in tails:
            if isinstance(tail, pyvalues.Seq) and tail.words:
                found.append(pyvalues.Seq((program, *tail.words[1:])))
    return found


def _argv_values(node: ast.Call, name: str, flow: pyvalues.Flow, state: pyvalues.State,
                 library: pycommands.Run | None = None) -> list[pyvalues.Value]:  # fmt: skip
    if library is not None:  # an sh or plumbum command object's argv
        return list(flow.sequence_literal(list(library.argv), state, 0))
    if name in OS_EXEC:
        return _exec_argv(node, OS_EXEC[name], flow, state)
    if name == "create_subprocess_exec":  # argv as positional arguments, not a list
        return list(flow.sequence_literal(node.args, state, 0))
    first = node.args[0] if node.args else _keyword(node, "args") or _keyword(node, "cmd")
    return flow.values(first, state)


def _command(
    node: ast.Call, module: _Module, states: list[pyvalues.State] | None = None
) -> list[_Line]:
    """The spawn's reachable command lines; `states`: its function's names (by default, as the
    function runs on its own: parameters unknown)."""
    name = _callee(node)
    given = node.args or _keyword(node, "args") or _keyword(node, "cmd")  # `run(args=[...])`
    task = module.task_runner(node)
    library = module.library_run(node)
    if library is not None:
        if not library.argv:
            return []
    elif not given or (task is None and name not in SPAWNERS | SHELL_SPAWNERS | OS_EXEC.keys()):
        return []
    if not module.spawns(node):
        return []
    shell = _keyword(node, "shell")
    shell_text = (
        task is not None
        or name in SHELL_SPAWNERS
        or (isinstance(shell, ast.Constant) and shell.value is True)
    )
    redirect, _context = _stdin(node, module)  # the context is read again by extract()
    captured = _captures_stdout(node, name)
    env_files = module.dotenv_files(node)
    lines: list[_Line] = []
    dynamic: dict[int, tuple[object, ...]] = {}  # index of a `"$CMD" ...` line -> its arguments
    unresolved: set[int] = set()  # index of a shell text whose command word may be codex
    read: set[tuple[object, ...]] = set()  # the arguments of the codex lines
    flow = pyvalues.Flow(module.values, node, (), 0)
    if states is None:
        states = module.values.states_at(node)
    # (a remote host's shell starts from its own login environment, not this process's)
    environ = _environ_at(node, module, states) if task != "remote" else []
    for state in states[: pyvalues.MAX_STATES]:
        for value in _argv_values(node, name, flow, state, library):
            for env in _env_variants(node, module, flow, state, task is not None):
                writer = _Writer(module, node, captured)
                writer.load_env_files(env_files)
                _write_env(writer, env, environ)
                if shell_text:
                    if not isinstance(value, pyvalues.W) or not isinstance(value.text, str):
                        continue
                    if "codex" not in value.text:
                        if not text_may_be_codex(value.text):
                            continue
                        # `f"{bin} exec --yolo ..."`, `bin` unknown (`os.environ["CODEX_BIN"]`):
                        # a command word that may be codex, CG902 as the shell reads `$CMD exec`
                        unresolved.add(len(lines))
                    text = value.text.strip("\n")
                    if _needs_group(text, writer.words_written, redirect):
                        # The env and stdin are the shell's: around all of it, as a group (its
                        # first line the exports, so the text's words keep their columns).
                        writer = _Writer(module, node, captured)
                        writer.load_env_files(env_files)
                        _write_env(writer, env, environ, group=True)
                        writer.add("\n" + text + "\n}")
                        stdin = FROM_FILE if redirect == SUPPLIED else redirect
                        lines.append(writer.line(stdin))
                        if len(lines) >= MAX_VARIANTS:
                            break
                        continue
                    writer.add(text)
                elif isinstance(value, pyvalues.Seq) and value.words:
                    texts = tuple(w.text for w in value.words)
                    if not (_is_codex(value.words) or may_be_codex(texts)):
                        continue
                    arguments = (env, *texts[1:])
                    if _is_codex(value.words):
                        read.add(arguments)
                    else:
                        dynamic[len(lines)] = arguments
                    _write_argv(writer, value.words)
                else:
                    continue
                lines.append(writer.line(redirect))
                if len(lines) >= MAX_VARIANTS:
                    break
            if len(lines) >= MAX_VARIANTS:
                break
        if len(lines) >= MAX_VARIANTS:
            break
    # `os.environ.get("CODEX_BIN", "codex")` is codex or anything: the unknown program (CG902)
    # adds nothing where the rules already read the same arguments on the codex variant.
    kept = [line for i, line in enumerate(lines) if dynamic.get(i, ()) not in read]
    if unresolved:
        # One CG902 for the spawn, and none when a variant runs codex itself (the fallback of
        # `os.environ.get("CODEX_BIN", "codex")`: the rules read that one)
        codex = [line for i, line in enumerate(lines) if i not in unresolved]
        first = [line for i, line in enumerate(lines) if i in unresolved][:1]
        kept = [line for line in kept if line in codex or (not codex and line in first)]
    return list({line.text: line for line in kept}.values())


def _stdin(node: ast.Call, module: _Module) -> tuple[str, RunContext]:
    if module.task_runner(node) is not None:
        return _task_stdin(node)
    library = module.library_run(node)
    if library is not None:
        return LIBRARY_STDIN[library.stdin], RunContext.SCRIPT
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


# An sh or plumbum run's stdin (pycommands) as the shell's redirect
LIBRARY_STDIN = {
    pycommands.CLOSED: " </dev/null",
    pycommands.INHERITED: "",
    pycommands.FED: SUPPLIED,
    pycommands.FILE: FROM_FILE,
}


def _task_stdin(node: ast.Call) -> tuple[str, RunContext]:
    """invoke's Runner (fabric's too) gives the command a pipe and copies its `in_stream` into
    it, closing it at the stream's end: by default this process's stdin (the parent's, as a
    foreground call in a script); `in_stream=False` copies nothing and never closes the pipe:
    an idle pipe (RunContext.SPAWN); any other stream is read to its end."""
    stream = _keyword(node, "in_stream")
    if stream is None or (isinstance(stream, ast.Constant) and stream.value is None):
        return "", RunContext.SCRIPT
    if isinstance(stream, ast.Constant) and stream.value is False:
        return "", RunContext.SPAWN
    return FROM_FILE, RunContext.SCRIPT


def _calls(tree: ast.Module) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _is_command(line: _Line) -> bool:
    """A line whose program is known (codex), not an unknown `"$CMD"` (CG902)."""
    return '"$CMD"' not in line.text


@dataclass(frozen=True, slots=True)
class _Wrapper:
    """A function of the file that spawns with what its callers give it (`def run(*args, **kw):
    return subprocess.run(list(args), **kw)`), and the spawn inside it."""

    function: ast.FunctionDef | ast.AsyncFunctionDef
    spawn: ast.Call


def _wrappers(module: _Module, spawns: list[ast.Call]) -> list[_Wrapper]:
    """Module-level functions whose spawn reads their parameters: `*args`, `**kw` passed on, or
    a named parameter used in the spawn's call (its argv alone names no program)."""
    found: list[_Wrapper] = []
    for spawn in spawns:
        function = module.values.enclosing.get(id(spawn))
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if module.values.functions.get(function.name) is not function:
            continue  # a method or a nested function: its callers are not read
        arguments = function.args
        names = {a.arg for a in pyvalues._parameters(function)}
        names |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
        used = {n.id for n in ast.walk(spawn) if isinstance(n, ast.Name)}
        if names & used:
            found.append(_Wrapper(function, spawn))
    return found


def _named_calls(calls: Sequence[ast.Call]) -> dict[str, list[ast.Call]]:
    """The calls of a plain name (`run_codex(...)`), by that name: read once for every wrapper
    (a walk of the file per wrapper was quadratic in a file of many wrappers)."""
    found: dict[str, list[ast.Call]] = {}
    for node in calls:
        if isinstance(node.func, ast.Name):
            found.setdefault(node.func.id, []).append(node)
    return found


def _call_sites(named: dict[str, list[ast.Call]], wrapper: _Wrapper) -> list[ast.Call]:
    """The calls of the wrapper by name, outside the wrapper itself."""
    calls = named.get(wrapper.function.name, [])
    return [node for node in calls if not pyvalues._contains(wrapper.function, node)]


def _at_call_site(wrapper: _Wrapper, site: ast.Call) -> ast.Call:
    """The wrapper's spawn as the call site makes it: its own keywords, plus the site's keywords
    that `**kw` hands on (`input=`, `env=`, `stdin=`), at the site's position."""
    function, spawn = wrapper.function, wrapper.spawn
    kwarg = function.args.kwarg
    named = {a.arg for a in pyvalues._parameters(function)}
    keywords = [k for k in spawn.keywords if k.arg is not None]
    forwarded = kwarg is not None and any(
        k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwarg.arg
        for k in spawn.keywords
    )
    if forwarded:
        keywords += [k for k in site.keywords if k.arg is not None and k.arg not in named]
    call = ast.Call(func=spawn.func, args=spawn.args, keywords=keywords)
    return ast.copy_location(call, site)


def _spawned(call: ast.Call) -> tuple[tuple[str, int], ...]:
    """A spawn is a step of the program's one sequence, by where it is written: a later spawn
    runs on the same machine with the same Codex home (Snippet.session)."""
    return (("program", position_step(call.lineno - 1, call.col_offset)),)


def _captures_stdout(node: ast.Call, name: str) -> bool:
    """Does the program take the run's output as its value: `check_output`, `getoutput`, or
    `run(..., capture_output=True)` / `stdout=PIPE` (CG601 reads it as the shell's `$(...)`)?"""
    if name in ("check_output", "getoutput", "getstatusoutput"):
        return True
    if name != "run":
        return False
    capture = _keyword(node, "capture_output")
    if isinstance(capture, ast.Constant) and capture.value is True:
        return True
    stdout = _keyword(node, "stdout")
    return (
        stdout.attr if isinstance(stdout, ast.Attribute) else getattr(stdout, "id", "")
    ) == "PIPE"


def _callers_give(lines: list[_Line]) -> bool:
    """Does a wrapper's spawn, read on its own, leave words to its callers: no codex line (the
    program is a parameter), or a codex line with words it cannot know (`"$@"` of `*args`, a
    parameter's `"$ARG"`)?"""
    if not any(_is_command(line) for line in lines):
        return True
    return any(
        _is_command(line)
        and (Unknown.SPREAD.value in line.text or Unknown.VALUE.value in line.text)
        for line in lines
    )


def _needs_group(text: str, env: bool, redirect: str) -> bool:
    """Are the env (`env`: the spawn sets or drops keys) and the stdin (`redirect`) the spawn
    gives a shell text more than its one simple command's? Then the text is written as a group
    they apply to as a whole; a prefix assignment or a redirect at the end of a list would give
    them to its first or last command only (`cd repo && codex exec ...` with the key in `env=`,
    `codex exec - < prompt.md` with `stdin=DEVNULL`). A text of several lines is a group too:
    its lines are kept as the shell reads them."""
    if "\n" in text:
        return True
    return (env and any(c in text for c in _LIST_CHARS)) or (
        bool(redirect) and any(c in text for c in _STDIN_CHARS)
    )


def _snippet(line: _Line, path: str, call: ast.Call, context: RunContext) -> Snippet:
    """The spawn's command line at the spawn. A shell text of several lines (a script in a
    string, or a group around a list) keeps its lines, as the shell runs them; each is placed
    on the spawn's line, as a one-line command is (a line past the first at the spawn's
    column, where a one-line command's words start)."""
    count = line.text.count("\n") + 1
    # A captured run's `out=$(` sits left of the spawn: the command starts at its column.
    back = len(CAPTURED) if line.text.startswith(CAPTURED) else 0
    line_map: tuple[tuple[int, int, int], ...] = ()
    origins = line.origins
    if count > 1 or back:
        first = call.lineno
        line_map = tuple((first + k, first, call.col_offset if k else -back) for k in range(count))
        # (an origin is matched by the column a finding has in the file: as far left)
        origins = shifted_left(origins, back)
    return Snippet(
        text=line.text + "\n",
        path=path,
        line_offset=call.lineno - 1,
        column_offset=call.col_offset,
        context=context,
        origins=origins,
        session=_spawned(call),
        line_map=line_map,
    )


def _wrapped_snippets(
    module: _Module, wrapper: _Wrapper, sites: list[ast.Call], path: str
) -> list[Snippet]:
    """Each call of a spawning wrapper, as the command line its spawn then runs: the wrapper's
    parameters bound to the call's arguments (README: helpers up to three deep)."""
    snippets: list[Snippet] = []
    function = wrapper.function
    for site in sites:
        call = _at_call_site(wrapper, site)
        states: list[pyvalues.State] = []
        for caller in module.values.states_at(site)[: pyvalues.MAX_STATES]:
            flow = pyvalues.Flow(module.values, None, (function.name,), 1)
            inner = pyvalues.Flow(module.values, None, (function.name,), 1)
            inner.targets = [wrapper.spawn]
            inner.run(function.body, flow.bind(function, site, caller))
            states.extend(inner.recorded.get(id(wrapper.spawn), []))
        # The call made here is the wrapper's spawn: the name its process is bound to (whose
        # pipe `proc.communicate(...)` ends) is that spawn's.
        with module.standing_in(call, wrapper.spawn):
            lines = [line for line in _command(call, module, states) if _is_command(line)]
            _redirect, context = _stdin(call, module)
        snippets.extend(_snippet(line, path, site, context) for line in lines)
    return snippets


def extract(text: str, path: str) -> list[Snippet]:
    if "codex" not in text.lower():  # `CODEX_BIN` may name the program: CG902 still applies
        return []
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise SourceError(
            f"not valid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SourceError(f"not valid Python: {type(exc).__name__}") from None
    module = _Module(tree)
    calls = list(_calls(tree))
    spawns = [c for c in calls if module.spawns(c)]
    wrappers = {id(w.spawn): w for w in _wrappers(module, spawns)}
    named = _named_calls(calls)
    sites = {key: _call_sites(named, w) for key, w in wrappers.items()}
    module.values.targets = spawns + [s for found in sites.values() for s in found]
    snippets: list[Snippet] = []
    for call in calls:
        lines = _command(call, module)
        if id(call) in wrappers and _callers_give(lines):
            # The program, or words of the codex line, are its callers' to give (`def
            # run_codex(*args): subprocess.run(["codex", "exec", *args, "-"])`): read the spawn
            # at each call of the wrapper, where `-s danger-full-access` or the key is written.
            wrapped = _wrapped_snippets(module, wrappers[id(call)], sites[id(call)], path)
            snippets.extend(wrapped)
            if wrapped:
                lines = []  # the `"$CMD"` and `"$@"` the callers resolve are no longer unknown
        if not lines:
            continue
        _redirect, context = _stdin(call, module)
        snippets.extend(_snippet(line, path, call, context) for line in lines)
    return sorted(snippets, key=lambda s: (s.line_offset, s.column_offset))
