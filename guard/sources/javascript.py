"""JavaScript / TypeScript orchestrators: each spawn of codex is one command line, as in python.py.

Spawns read (each written back as the shell command it amounts to, so the one rule set applies):
- node:child_process `spawn`/`spawnSync`/`execFile`/`execFileSync` (argv) and `exec`/`execSync`
  (shell text), also through `util.promisify`; execa `execa`/`execaSync`/`execaCommand` and its
  `$`; zx `$`; `Bun.spawn`/`Bun.spawnSync`/`Bun.$`; `new Deno.Command`;
- the Codex TypeScript SDK (`@openai/codex-sdk`): `startThread`/`resumeThread` of a `new Codex`
  become the `codex exec` argv the SDK itself builds (see `_sdk_thread`).
argv arrays may be built in the same function (`push`, spreads, `cond ? [...] : []`): every
reachable argv is linted (jsvalues.ArrayFlow), so a flag on one branch is never missed.

stdin, by spawner (FACTS.md "Outside the shell"; the rest observed with Node 20 against `cat`,
see test_node_stdin_facts and test_what_node_really_runs_is_what_the_source_reads in
tests/sources/test_program_sources.py):
- child_process async spawns default to stdio 'pipe' and never end it: an idle pipe unless the
  file calls `<child>.stdin.end()` (RunContext.SPAWN: a bare command means exactly that);
- the sync ones (`spawnSync`, `execSync`, `execFileSync`) write `input` (or nothing) into that
  pipe and close it: closed stdin, fed when `input:` is given;
- execa: default 'pipe', not ended (observed: `cat` hangs under execa 9.6.1); `input`/`inputFile`
  feed it; execa's `$` inherits stdin unless input/inputFile/stdio are set (its
  lib/methods/script.js);
- zx `$`: stdio 'pipe', not ended (observed: `cat` hangs under zx 8.8.5 even with the parent's
  stdin at /dev/null; zx build/core.cjs sets `stdio: "pipe"`); these two were observed by hand,
  the tests cannot install the packages;
- Bun.spawn: stdin defaults to "ignore" (bun.sh Spawn.BaseOptions.stdin); Bun.$ is taken to
  inherit the parent's (an assumption: Bun is not installed here; a warning, never an error);
- Deno.Command: stdin defaults to "inherit" (docs.deno.com Deno.CommandOptions.stdin).
env: Node/Bun `env:` replaces process.env (`env -i` unless it spreads `...process.env`); execa
extends unless `extendEnv: false`; Deno merges unless `clearEnv: true`. `process.env.K = v` in the
file reaches every later spawn that inherits, unless a `delete process.env.K` on every path to the
spawn takes it out again (`unset` in the shell). An env object the spawn names takes the keys its
function adds before the spawn, on any branch (`env.K = v`, `env["K"] = v`, `Object.assign(env,
{...})`; also in a helper that returns it), less those a `delete env.K` off every branch removes.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guard.sources.base import SourceError
from guard.sources.jsvalues import (
    FUNCTIONS,
    NAMES,
    ArrayFlow,
    State,
    Values,
    env_key_writers,
    is_object,
    property_name,
    scope_body,
    string_value,
    unwrap,
)
from guard.sources.snippet import RunContext, Snippet
from guard.sources.spawnline import (
    ENV_KEY,
    MAX_VARIANTS,
    Argv,
    LiteralIndex,
    Origin,
    Unknown,
    Word,
    captured,
    contains,
    dedupe,
    env_prefix,
    is_codex_argv,
    may_be_codex,
    parse,
    product,
    render,
    render_dynamic,
    runs_before,
    spawn_snippet,
    text_may_be_codex,
    text_of,
    walk,
)

CHILD_PROCESS = frozenset({"child_process", "node:child_process"})
NODE_ARGV = frozenset({"spawn", "spawnSync", "execFile", "execFileSync"})
NODE_SHELL = frozenset({"exec", "execSync"})
NODE_SYNC = frozenset({"spawnSync", "execFileSync", "execSync"})
EXECA = frozenset({"execa", "execaSync", "execaNode", "execaCommand", "execaCommandSync", "$"})
SDK_MODULE = "@openai/codex-sdk"
SUPPLIED = ' <<<"$INPUT"'
CLOSED = " </dev/null"
FROM_FILE = ' <"$FILE"'
# How a child's stdin pipe is ended: `child.stdin.end()` (Node, execa, zx, Bun's FileSink) or
# `child.stdin.close()` (Deno's WritableStream, through its writer too).
ENDS_PIPE = (".stdin.end(", ".stdin?.end(", ".stdin.close(", ".stdin.destroy(")
STATEMENT_LISTS = frozenset(
    {"statement_block", "program", "switch_case", "switch_default", "class_body", "arrow_function"}
)
WRITES_PIPE = (".stdin.write(", ".stdin?.write(", ".stdin.getWriter(")


@dataclass(frozen=True, slots=True)
class Spawner:
    """What a callee is: its library and function (`child_process`, `spawnSync`)."""

    library: str
    name: str


@dataclass(frozen=True, slots=True)
class Spawn:
    node: Any  # the call, for the finding's location
    lines: tuple[str, ...]  # one shell command line per reachable argv
    context: RunContext = RunContext.SCRIPT  # SPAWN: a bare command's stdin is an idle pipe
    # Env keys the spawn sets from a place of the file that no key name marks (the SDK's
    # `apiKey` is CODEX_API_KEY): (key, the node that sets it, note)
    keys: tuple[tuple[str, Any, str], ...] = ()
    # The program takes the run's output as its value (`const out = execSync(...)`): the
    # shell's `out=$(...)`, a scraped result unless the run writes -o/--json (CG601)
    captured: bool = False


class _File:
    """The file's imports: which local names are spawners, modules or the SDK's Codex class."""

    def __init__(self, root: Any, text: str) -> None:
        self.text = text
        self.values = Values(root)
        self.modules: dict[str, str] = {}  # local name -> module (`cp` -> child_process)
        self.functions: dict[str, Spawner] = {}  # local name -> spawner
        self.sdk_classes: set[str] = set()
        self.zx_global = text.startswith("#!") and "zx" in text.split("\n", 1)[0]
        for node in walk(root):
            if node.type == "import_statement":
                self._import(node)
            elif node.type == "variable_declarator":
                self._require(node)
        self.zx_global = self.zx_global or "zx/globals" in self.modules.values()

    def _bind(self, module: str, imported: str, local: str) -> None:
        if module in CHILD_PROCESS and imported in NODE_ARGV | NODE_SHELL:
            self.functions[local] = Spawner("child_process", imported)
        elif module == "execa" and imported in EXECA:
            self.functions[local] = Spawner("execa", imported)
        elif module in ("zx", "zx/core") and imported == "$":
            self.functions[local] = Spawner("zx", "$")
        elif module == "bun" and imported == "$":
            self.functions[local] = Spawner("bun", "$")
        elif module == SDK_MODULE and imported == "Codex":
            self.sdk_classes.add(local)

    def _import(self, node: Any) -> None:
        source = string_value(node.child_by_field_name("source"))
        if source is None:
            return
        self.modules.setdefault(f"\0{source}", source)  # side-effect imports (`zx/globals`)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":  # default import
                    self.modules[text_of(part)] = source
                elif part.type == "namespace_import" and part.named_children:
                    self.modules[text_of(part.named_children[-1])] = source
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        name = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias") or name
                        if name is not None and alias is not None:
                            self._bind(source, text_of(name), text_of(alias))

    def _require(self, declarator: Any) -> None:
        value = unwrap(declarator.child_by_field_name("value"))
        pattern = declarator.child_by_field_name("name")
        if value is None or pattern is None:
            return
        if value.type == "call_expression" and _callee_text(value) in ("promisify",):
            self._promisified(pattern, value)
            return
        module = _required_module(value)
        if module is None:
            return
        if pattern.type == "identifier":
            self.modules[text_of(pattern)] = module
        elif pattern.type == "object_pattern":
            for part in pattern.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    self._bind(module, text_of(part), text_of(part))
                elif part.type == "pair_pattern":
                    key = property_name(part.child_by_field_name("key"))
                    local = part.child_by_field_name("value")
                    if key is not None and local is not None and local.type == "identifier":
                        self._bind(module, key, text_of(local))

    def _promisified(self, pattern: Any, call: Any) -> None:
        """`const run = promisify(execFile)`: the same spawner (its promise keeps the child)."""
        arguments = call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        spawner = self.spawner(first) if first is not None else None
        if spawner is not None and pattern.type == "identifier":
            self.functions[text_of(pattern)] = spawner

    def spawner(self, function: Any) -> Spawner | None:
        """The spawner a call's function expression names, or None."""
        function = unwrap(function)
        if function is None:
            return None
        if function.type == "identifier":
            name = text_of(function)
            if name in self.functions:
                return self.functions[name]
            return Spawner("zx", "$") if name == "$" and self.zx_global else None
        if function.type != "member_expression":
            return None
        owner = unwrap(function.child_by_field_name("object"))
        prop = text_of(function.child_by_field_name("property") or function)
        if owner is None:
            return None
        owner_name = text_of(owner) if owner.type == "identifier" else ""
        module = self.modules.get(owner_name) or _required_module(owner)
        if module in CHILD_PROCESS and prop in NODE_ARGV | NODE_SHELL:
            return Spawner("child_process", prop)
        if module == "execa" and prop in EXECA:
            return Spawner("execa", prop)
        if owner_name == "Bun" and prop in ("spawn", "spawnSync", "$"):
            return Spawner("bun", prop)
        return None


def _required_module(node: Any) -> str | None:
    """`require("child_process")` (or `await import(...)`) -> its module name."""
    node = unwrap(node)
    if node is None or node.type != "call_expression":
        return None
    if _callee_text(node) not in ("require", "import"):
        return None
    arguments = node.child_by_field_name("arguments")
    first = arguments.named_children[0] if arguments and arguments.named_children else None
    return string_value(first) if first is not None else None


def _callee_text(call: Any) -> str:
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    if function.type == "member_expression":
        prop = function.child_by_field_name("property")
        return text_of(prop) if prop is not None else ""
    return text_of(function)


def _arguments(call: Any) -> list[Any]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type == "template_string":
        return []
    return [a for a in arguments.named_children if a.type != "comment"]


def _is_options(node: Any, values: Values, at: Any) -> bool:
    resolved = values.resolve(node, at)
    return resolved is not None and resolved.type == "object"


# --- stdin and env ----------------------------------------------------------------------------


def _bound_name(call: Any) -> str | None:
    """The name a spawn's result is kept in: `const child = spawn(...)`, `p = $\\`...\\``."""
    node = call
    while node.parent is not None and node.parent.type in (
        "await_expression", "parenthesized_expression", "as_expression", "non_null_expression",
    ):  # fmt: skip
        node = node.parent
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        return text_of(name) if name is not None and name.type == "identifier" else None
    if parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        return text_of(left) if left is not None else None
    return None


def _pipe_fate(call: Any, through_spawn: bool = False) -> tuple[str, RunContext]:
    """A pipe the program holds: ended (fed, or empty) or idle forever. Read where the child is
    within reach: the rest of its statement (`spawn(...).stdin.end()`) and, through the name it
    is bound to, the function that spawns it. A Deno.Command is not the child (`cmd.spawn()`
    is): there any `.stdin.close()` in the function counts."""
    name = "" if through_spawn else _bound_name(call)
    statement = call
    while statement.parent is not None and statement.parent.type not in STATEMENT_LISTS:
        statement = statement.parent
    chained = text_of(statement)[call.end_byte - statement.start_byte :]
    places = [("", chained)]
    if name is not None:
        places.append((name, text_of(scope_body(call))))
    for prefix, text in places:
        ends = [text.find(f"{prefix}{end}") for end in ENDS_PIPE]
        # A Deno stream's writer closes the stream it writes (WritableStreamDefaultWriter.close)
        ends += [text.find(f"{writer}.close(") for writer in _stdin_writers(prefix, text)]
        found = [i for i in ends if i >= 0]
        if not found:
            continue
        # `child.stdin.end(prompt)` writes as it ends; `write()` before it feeds too.
        end_call = text[min(found) :].split("(", 1)[1].lstrip()
        written = not end_call.startswith(")") or any(f"{prefix}{w}" in text for w in WRITES_PIPE)
        return (SUPPLIED if written else CLOSED), RunContext.SCRIPT
    return "", RunContext.SPAWN


# `const writer = child.stdin.getWriter()`: the name a Deno child's stdin writer is bound to
_STDIN_WRITER = re.compile(
    r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*([\w$.?]*?)\.stdin\??\.getWriter\("
)


def _stdin_writers(prefix: str, text: str) -> list[str]:
    """The names ``text`` binds to a writer of the child's stdin (``prefix``: the child's name,
    "" for any child)."""
    return [m.group(1) for m in _STDIN_WRITER.finditer(text) if not prefix or m.group(2) == prefix]


def _stdio_in(value: Any, file: _File, at: Any) -> str | None:
    """stdin's setting in a `stdio:` option (a string for all three, or an array's first)."""
    value = file.values.resolve(value, at)
    if value is None:
        return None
    if value.type == "array":
        first = value.named_children[0] if value.named_children else None
        return _stdio_in(first, file, at) if first is not None else None
    text = string_value(value)
    if text is not None:
        return text
    if value.type in ("null", "undefined"):
        return None
    if value.type == "number":
        return "inherit" if text_of(value) == "0" else "file"
    if text_of(value) in ("process.stdin", "Bun.stdin", "Deno.stdin"):
        return "inherit"
    return "file"


def _stdin(call: Any, spawner: Spawner, options: Any, file: _File) -> tuple[str, RunContext]:
    def option(name: str) -> Any:
        return file.values.option(options, name, call) if options is not None else None

    if option("input") is not None:
        return SUPPLIED, RunContext.SCRIPT
    if option("inputFile") is not None:
        return FROM_FILE, RunContext.SCRIPT
    setting = _stdio_in(option("stdin"), file, call)
    if setting is None:
        setting = _stdio_in(option("stdio"), file, call)
    sync = spawner.name in NODE_SYNC or spawner.name.endswith("Sync")
    if setting is None:
        setting = _default_stdin(spawner)
    if setting in ("inherit",):
        return "", RunContext.SCRIPT
    if setting in ("ignore", "null"):
        return CLOSED, RunContext.SCRIPT
    if setting in ("pipe", "piped", "overlapped"):
        # A sync spawn writes `input` (none here) and closes the pipe before it waits.
        if sync:
            return CLOSED, RunContext.SCRIPT
        return _pipe_fate(call, through_spawn=spawner.library == "deno")
    return FROM_FILE, RunContext.SCRIPT


def _default_stdin(spawner: Spawner) -> str:
    if spawner.library == "bun":
        return "inherit" if spawner.name == "$" else "ignore"
    if spawner.library == "deno":
        return "inherit"
    if spawner.library == "execa" and spawner.name == "$":
        return "inherit"
    return "pipe"


def _process_env_keys(file: _File, before: Any) -> list[str]:
    """Keys the file sets in its own environment before the spawn: `process.env.K = v`, less
    those a `delete process.env.K` then takes out again on every path to the spawn (as `unset`
    does in the shell: _deletes)."""
    keys: list[tuple[str, Any]] = []  # (K, the assignment that set it)
    for node in walk(file.values.root):
        if node.start_byte >= before.start_byte:
            break
        if node.type == "assignment_expression":
            name = _process_env_key(node.child_by_field_name("left"))
            if name:
                keys.append((name, node))
        elif node.type == "unary_expression" and text_of(node).startswith("delete"):
            name = _process_env_key(node.named_children[0])
            if name and _deletes(node, before):
                keys = [(k, at) for k, at in keys if k != name or not _set_before(at, node)]
    return [k for k, _at in keys]


def _process_env_key(node: Any) -> str | None:
    """`process.env.K` / `process.env["K"]` (and Bun.env's) -> "K"."""
    member = unwrap(node)
    if member is None or member.type not in ("member_expression", "subscript_expression"):
        return None
    owner = member.child_by_field_name("object")
    if owner is None or text_of(owner) not in ("process.env", "Bun.env"):
        return None
    return property_name(member.child_by_field_name("property") or
                         member.child_by_field_name("index"))  # fmt: skip


def _deletes(delete: Any, spawn: Any) -> bool:
    """Does this `delete process.env.K` run, as a statement of its own, on every path to the
    spawn? (Not under an `if`, a loop or a `try` the spawn is outside of, nor in `a && delete
    ...`.)"""
    statement = delete.parent
    return statement.type == "expression_statement" and runs_before(statement, spawn)


def _set_before(assignment: Any, delete: Any) -> bool:
    """Has `process.env.K = v` run whenever the later delete runs? It has when it is written
    in the delete's own function, or at the top of the program (which runs before functions
    are called, as spawns are read in file order); in another function it runs when that
    function is called, which may be after the delete."""
    scope = scope_body(assignment)
    return bool(scope.type == "program" or scope.id == scope_body(delete).id)


def _env(call: Any, spawner: Spawner, options: Any, file: _File) -> str:
    inherited = _process_env_keys(file, call)
    env = file.values.option(options, "env", call) if options is not None else None
    added: list[str] = []  # keys `$.env.K = v` sets on zx's env
    if env is None and spawner.library == "zx":
        default, added = _zx_default_env(file, call)
        env = default  # `$.env = {...}`: the env of every later `$` (zx's $.env)
    if env is None:
        return env_prefix([*inherited, *added], replaces=False)
    keys: list[str] = []
    spreads_parent = False
    resolved = file.values.resolve(env, call)
    objects = [(resolved, call)] if resolved is not None and is_object(resolved) else []
    named = unwrap(env)
    edits: list[tuple[str, Any]] = []  # `env.K = v` / `delete env.K` after `const env = {...}`
    if objects and named is not None and named.type in NAMES:
        edits.extend(file.values.keys_set_on(text_of(named), call))
    if resolved is not None and resolved.type == "call_expression" and not objects:
        objects = file.values.returned_objects(resolved)  # `env: billingEnv()`
    for found, at in objects:
        returned = at.named_children[0] if at.type == "return_statement" else None
        for key, _value in file.values.object_pairs(found, at):
            if key == "...":
                spreads_parent = True  # `...process.env`, or something we cannot see into
            else:
                keys.append(key)
        if returned is not None and unwrap(returned).type in NAMES:  # `return env` of a helper
            keys = _edited(keys, file.values.keys_set_on(text_of(unwrap(returned)), at))
    keys = _edited(keys, edits) + added
    if not objects:
        spreads_parent = True  # `env: process.env` or a value we cannot read: no claim
    replaces = not spreads_parent
    if spawner.library == "execa":
        extend = file.values.option(options, "extendEnv", call)
        replaces = replaces and extend is not None and text_of(extend) == "false"
    elif spawner.library == "deno":
        clear = file.values.option(options, "clearEnv", call)
        replaces = replaces and clear is not None and text_of(clear) == "true"
    return env_prefix(keys if replaces else [*inherited, *keys], replaces)


def _zx_default_env(file: _File, before: Any) -> tuple[Any, list[str]]:
    """zx runs every `$` with `$.env` (process.env unless the file sets it): the last
    `$.env = {...}` before the call (its object, as an `env:` option), and the keys
    `$.env.K = v` sets on it."""
    names = {local for local, spawner in file.functions.items() if spawner.library == "zx"}
    if file.zx_global:
        names.add("$")
    default: Any = None
    keys: list[str] = []
    for node in walk(file.values.root):
        if node.start_byte >= before.start_byte:
            break
        if node.type != "assignment_expression":
            continue
        left = unwrap(node.child_by_field_name("left"))
        if left is None or left.type not in ("member_expression", "subscript_expression"):
            continue
        owner = left.child_by_field_name("object")
        if owner is None:
            continue
        if text_of(owner) in {f"{n}.env" for n in names}:
            key = property_name(left.child_by_field_name("property") or
                                left.child_by_field_name("index"))  # fmt: skip
            if key:
                keys.append(key)
        elif text_of(owner) in names and text_of(left.child_by_field_name("property")) == "env":
            default, keys = node.child_by_field_name("right"), []
    return default, keys


def _edited(keys: list[str], edits: list[tuple[str, Any]]) -> list[str]:
    """Keys after the edits, in order: (K, writer) adds K, (K, None) deletes it."""
    for key, writer in edits:
        keys = [*keys, key] if writer is not None else [k for k in keys if k != key]
    return keys


# --- output the program takes ----------------------------------------------------------------
# A run whose output the program takes is written as spawnline.captured (CG601).
# Spawners whose value is the child's stdout itself (Node's sync exec forms, stdio 'pipe').
RETURNS_OUTPUT = frozenset({"execSync", "execFileSync"})
# The spawners whose result (or its promise) holds the run's output as a string or buffer:
# spawnSync's `.stdout`, execa's and promisified exec's `{stdout, all}`, zx's and Bun's `$`.
# An async `spawn` hands a stream, read as it comes: a log more often than a result.
RESULT_FIELDS = frozenset({"stdout", "all"})
# Methods of zx's and Bun's `$` that resolve to the run's stdout (`await $\`...\`.text()`).
TEXT_METHODS = frozenset({"text", "json", "lines"})
# What a stream is read with: `sub.stdout.pipe(process.stdout)` logs the output, takes nothing.
STREAM_USES = (".pipe(", ".on(", ".once(", ".setEncoding(", ".pipeTo(", ".getReader(", ".resume(")
_VALUE_WRAPPERS = ("await_expression", "parenthesized_expression", "as_expression",
                   "non_null_expression", "satisfies_expression")  # fmt: skip


def _output_taken(call: Any, spawner: Spawner, options: Any, file: _File) -> bool:
    """Does the program take the run's output (its stdout piped back, not inherited or
    ignored) as its value: `const out = execSync(...)`, `spawnSync(...).stdout`, `const
    {stdout} = await execa(...)`, `exec(cmd, (err, stdout) => ...)` with `stdout` read?"""
    library, name = spawner.library, spawner.name
    if name == "spawn" or library == "deno":
        return False  # a stream, read as it comes
    if _stdout_setting(options, file, call) not in ("pipe", "overlapped", None):
        return False
    value = call
    while value.parent is not None and value.parent.type in _VALUE_WRAPPERS:
        value = value.parent
    parent = value.parent
    if parent is None:
        return False
    if library == "child_process" and name in RETURNS_OUTPUT:
        return parent.type not in ("expression_statement", "sequence_expression")
    if library == "child_process" and name in ("exec", "execFile"):
        callback = _arguments(call)[-1:]
        if callback and callback[0].type in ("arrow_function", "function_expression"):
            return _parameter_read(callback[0], 1)
    if parent.type == "member_expression" and parent.child_by_field_name("object") == value:
        field = text_of(parent.child_by_field_name("property") or parent)
        if field in TEXT_METHODS and library in ("zx", "bun"):
            return True
        if field in RESULT_FIELDS:
            return not _streamed(parent)
        return field == "then" and _then_reads(parent)
    if parent.type == "variable_declarator":
        pattern = parent.child_by_field_name("name")
        if pattern is not None and pattern.type == "object_pattern":
            return _pattern_takes(pattern)
    bound = _bound_name(call)
    return bound is not None and _fields_read(bound, scope_body(call), call.end_byte)


def _then_reads(then: Any) -> bool:
    """`.then(r => r.stdout)` / `.then(({stdout}) => ...)`: the handler takes the output."""
    call = then.parent
    if call is None or call.type != "call_expression":
        return False
    handler = _arguments(call)[:1]
    return (
        bool(handler)
        and handler[0].type in ("arrow_function", "function_expression")
        and _parameter_read(handler[0], 0, fields=True)
    )


def _stdout_setting(options: Any, file: _File, at: Any) -> str | None:
    """stdout's setting: execa's `stdout:`, else the second of a `stdio:` array (or its one
    string for all three); None when not given (a pipe, for every spawner read here)."""
    if options is None:
        return None
    own = file.values.option(options, "stdout", at)
    if own is not None:
        value = file.values.resolve(own, at)
        if value is not None and value.type == "array":
            texts = {string_value(v) for v in value.named_children}
            return "pipe" if "pipe" in texts else "file"
        return _stdio_in(own, file, at)
    stdio = file.values.resolve(file.values.option(options, "stdio", at), at)
    if stdio is not None and stdio.type == "array":
        second = stdio.named_children[1:2]
        return _stdio_in(second[0], file, at) if second else None
    return _stdio_in(stdio, file, at) if stdio is not None else None


def _pattern_takes(pattern: Any) -> bool:
    """`{stdout}` / `{stdout: out}` / `{all}`: a destructuring that takes the output."""
    for part in pattern.named_children:
        if part.type == "shorthand_property_identifier_pattern":
            key = text_of(part)
        elif part.type in ("pair_pattern", "object_assignment_pattern"):
            key = text_of(part.named_children[0]) if part.named_children else ""
        else:
            continue
        if key in RESULT_FIELDS:
            return True
    return False


def _parameter_read(function: Any, index: int, fields: bool = False) -> bool:
    """Is the callback's parameter at ``index`` read in its body: the output itself (exec's
    `(err, stdout) => ...`), or with ``fields`` the result whose `.stdout` it reads (`.then(r
    => r.stdout)`, `.then(({stdout}) => ...)`)?"""
    parameters = function.child_by_field_name("parameters")
    listed = parameters.named_children if parameters is not None else []
    if parameters is None:  # `r => ...`: one bare parameter
        single = function.child_by_field_name("parameter")
        listed = [single] if single is not None else []
    listed = [p for p in listed if p.type != "comment"]
    if index >= len(listed):
        return False
    parameter = listed[index]
    if parameter.type in ("required_parameter", "optional_parameter"):
        parameter = parameter.child_by_field_name("pattern") or parameter
    body = function.child_by_field_name("body")
    if parameter.type == "object_pattern":
        return fields and _pattern_takes(parameter)
    if parameter.type != "identifier" or body is None:
        return False
    name = text_of(parameter)
    if fields:
        return _fields_read(name, body, body.start_byte)
    return any(n.type == "identifier" and text_of(n) == name for n in walk(body))


def _fields_read(name: str, scope: Any, after: int) -> bool:
    """Does ``scope`` read `name.stdout` (or `.all`, or destructure it) past ``after``, other than
    as a stream it pipes or listens to?"""
    for node in walk(scope):
        if node.start_byte < after:
            continue
        if node.type == "member_expression":
            owner = node.child_by_field_name("object")
            field = node.child_by_field_name("property")
            if (owner is not None and field is not None and text_of(owner) == name
                    and text_of(field) in RESULT_FIELDS and not _streamed(node)):  # fmt: skip
                return True
        elif node.type == "variable_declarator":
            pattern = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if (pattern is not None and pattern.type == "object_pattern" and value is not None
                    and text_of(value) == name and _pattern_takes(pattern)):  # fmt: skip
                return True
    return False


def _streamed(member: Any) -> bool:
    """`x.stdout.pipe(...)`, `x.stdout.on("data", ...)`: the output as a stream, not a value."""
    parent = member.parent
    if parent is None or parent.type != "member_expression":
        return False
    field = parent.child_by_field_name("property")
    return field is not None and f".{text_of(field)}(" in STREAM_USES


# --- the spawn forms --------------------------------------------------------------------------


def _template_texts(template: Any, file: _File, at: Any, raw: bool) -> list[str]:
    """A tagged template's shell text. zx, execa and Bun quote each `${value}` (an array gives
    several words); a plain `exec(\\`...\\`)` pastes it raw."""
    parts: list[list[str]] = []
    for child in template.named_children:
        if child.type == "string_fragment":
            parts.append([text_of(child)])
        elif child.type == "escape_sequence":
            parts.append([text_of(child)[1:]])
        elif child.type == "template_substitution" and child.named_children:
            value = child.named_children[0]
            text = file.values.string(value, at)
            if text is not None:
                parts.append([text if raw else render([text])])
            elif raw:
                parts.append(_pasted(value, file, at))
            else:
                parts.append([render(v) for v in file.values.array(value, at, spread=False)]
                             or ['"$ARG"'])  # fmt: skip
    texts = [""]
    for alternatives in parts:
        texts = list(dict.fromkeys(t + a for t in texts for a in alternatives))[:32]
    return texts


def _pasted(value: Any, file: _File, at: Any) -> list[str]:
    """What a raw `${value}` may paste into a shell text: each string the file gives it, else
    `$ARG` (one unknown word): `process.env.CODEX_BIN || "codex"` is `$ARG` or `codex`, as the
    argv readers take it (jsvalues.Values.words)."""
    found = [
        words[0] if len(words) == 1 and isinstance(words[0], str) else "$ARG"
        for words in file.values.words(value, at)
    ]
    return list(dict.fromkeys(found)) or ["$ARG"]


def _shell_text(node: Any, file: _File, at: Any) -> list[str]:
    node = unwrap(node)
    if node is None:
        return []
    text = file.values.string(node, at)
    if text is not None:
        return [text]
    if node.type == "template_string":
        return _template_texts(node, file, at, raw=True)
    if node.type == "binary_expression":
        left = _shell_text(node.child_by_field_name("left"), file, at) or ["$ARG"]
        right = _shell_text(node.child_by_field_name("right"), file, at) or ["$ARG"]
        return [a + b for a in left for b in right][:32]
    resolved = file.values.resolve(node, at)
    if resolved is not None and resolved is not node:
        return _shell_text(resolved, file, at)
    return []


def _argvs(program: Any, arguments: Any, file: _File, call: Any) -> list[Argv]:
    """Every reachable argv: the program word(s) then the args array's variants."""
    flow = ArrayFlow(file.values, call)
    states: list[State] = flow.states() or [{}]
    heads = file.values.words(program, call)
    variants: list[Argv] = []
    for state in states:
        tails = file.values.array(arguments, call, state) if arguments is not None else [()]
        variants.extend(product([heads, tails]))
    return dedupe(_shell_scripts(variants, arguments, file, call))


def _shell_scripts(variants: list[Argv], arguments: Any, file: _File, call: Any) -> list[Argv]:
    """A template string among the args that holds a codex command line (`spawn("bash", ["-lc",
    cmd])`, `spawn("timeout", ["600", "bash", "-lc", cmd])`, `spawn("ssh", [host, cmd])`):
    the text, read as `exec(...)` reads its string (each unknown `${...}` a `$ARG` word in it),
    not one unknown word that hides the codex call. Which program runs it as shell text is the
    command model's to say (guard/shell/wrappers.py)."""
    array = unwrap(arguments)
    if array is None or array.type != "array":
        return variants
    elements = [e for e in array.named_children if e.type != "comment"]
    if any(e.type == "spread_element" for e in elements):
        return variants
    texts_at: dict[int, list[str]] = {}
    found: list[Argv] = []
    for argv in variants:
        if len(argv) != len(elements) + 1:
            found.append(argv)
            continue
        choices: list[list[Word]] = []
        for index, word in enumerate(argv):
            if index == 0 or not isinstance(word, Unknown):
                choices.append([word])
                continue
            if index not in texts_at:
                texts = _shell_text(elements[index - 1], file, call)
                texts_at[index] = [t for t in texts if "codex" in t]
            choices.append(list(texts_at[index]) or [word])
        found.extend(product([[(w,) for w in choice] for choice in choices]))
    return found


def _lines_for_argvs(argvs: list[Argv], suffix: str, prefix: str) -> tuple[str, ...]:
    lines = [prefix + render(words) + suffix for words in argvs if is_codex_argv(words)]
    # An unknown program is one CG902, whatever its argv variants; none when the program is a
    # fallback of codex (`process.env.CODEX_BIN || "codex"`): the rules read those same arguments
    # on the codex variant.
    read = {w[1:] for w in argvs if is_codex_argv(w)}
    dynamic = next(
        (w for w in argvs if not is_codex_argv(w) and may_be_codex(w) and w[1:] not in read), None
    )
    if dynamic is not None:
        lines.append(prefix + render_dynamic(dynamic) + suffix)
    return tuple(dict.fromkeys(lines))


def _node_spawn(call: Any, spawner: Spawner, file: _File) -> Spawn | None:
    args = _arguments(call)
    if not args:
        return None
    if spawner.name in NODE_SHELL:
        options = args[1] if len(args) > 1 and _is_options(args[1], file.values, call) else None
        redirect, context = _stdin(call, spawner, options, file)
        prefix = _env(call, spawner, options, file)
        texts = _shell_text(args[0], file, call)
        captured = _output_taken(call, spawner, options, file)
        return _shell_spawn(call, texts, redirect, prefix, context, captured)
    rest = args[1:]
    array = rest[0] if rest and not _is_options(rest[0], file.values, call) else None
    options = next((a for a in rest if _is_options(a, file.values, call)), None)
    shell = file.values.option(options, "shell", call) if options is not None else None
    redirect, context = _stdin(call, spawner, options, file)
    prefix = _env(call, spawner, options, file)
    captured = _output_taken(call, spawner, options, file)
    if shell is not None and text_of(shell) not in ("false", "undefined", "null"):
        texts = [" ".join(w if isinstance(w, str) else w.value for w in argv)
                 for argv in _argvs(args[0], array, file, call)]  # fmt: skip
        return _shell_spawn(call, texts, redirect, prefix, context, captured)
    lines = _lines_for_argvs(_argvs(args[0], array, file, call), redirect, prefix)
    return Spawn(call, lines, context, captured=captured) if lines else None


def _shell_spawn(
    call: Any,
    texts: list[str],
    redirect: str,
    prefix: str,
    context: RunContext,
    captured: bool = False,
) -> Spawn | None:
    """Shell text run by a spawn: a group, so the spawn's stdin and env apply to all of it (its
    lines stay the template's lines)."""
    shell = [t for t in texts if "codex" in t]
    if not shell:
        # `${bin} exec --yolo ...` where the file cannot say what `bin` is (`process.env.
        # CODEX_BIN`): a command word that may start codex, CG902 as the shell layer reads
        # `$CMD exec`; one for the spawn, whatever its variants. None when a variant runs
        # codex itself (`process.env.CODEX_BIN || "codex"`): the rules read that one.
        shell = [t for t in texts if text_may_be_codex(t)][:1]
    # The keys the spawn's env sets are exported inside the group (an env that replaces the
    # parent's adds nothing the rules could miss: only named keys are ever claimed). Input the
    # program writes is a file redirect here: the shell layer reads `{ ...\n} <<<x` as an error.
    assignments = prefix.removeprefix("env -i ").split()
    exports = "".join(f"export {assignment}; " for assignment in assignments)
    redirect = FROM_FILE if redirect == SUPPLIED else redirect
    lines = ["{ " + exports + t + "\n}" + redirect for t in shell]
    unique = tuple(dict.fromkeys(lines))
    return Spawn(call, unique, context, captured=captured) if unique else None


def _execa_spawn(call: Any, spawner: Spawner, file: _File) -> Spawn | None:
    template = _template(call)
    options = _template_options(call, file) if template is not None else None
    if template is not None:
        redirect, context = _stdin(call, spawner, options, file)
        prefix = _env(call, spawner, options, file)
        lines = _lines_for_argvs(_template_argvs(template, file, call), redirect, prefix)
        captured = _output_taken(call, spawner, options, file)
        return Spawn(call, lines, context, captured=captured) if lines else None
    args = _arguments(call)
    if not args:
        return None
    if spawner.name.startswith("execaCommand"):
        options = args[1] if len(args) > 1 else None
        texts = _shell_text(args[0], file, call)
        argvs = _split_texts(texts)
    else:
        rest = args[1:]
        array = rest[0] if rest and not _is_options(rest[0], file.values, call) else None
        options = next((a for a in rest if _is_options(a, file.values, call)), None)
        argvs = _argvs(args[0], array, file, call)
        texts = [" ".join(w if isinstance(w, str) else w.value for w in argv) for argv in argvs]
    redirect, context = _stdin(call, spawner, options, file)
    prefix = _env(call, spawner, options, file)
    captured = _output_taken(call, spawner, options, file)
    shell = file.values.option(options, "shell", call) if options is not None else None
    if shell is not None and text_of(shell) not in ("false", "undefined", "null"):
        # `{shell: true}`: execa joins the command and its arguments and a shell runs the text.
        return _shell_spawn(call, texts, redirect, prefix, context, captured)
    lines = _lines_for_argvs(argvs, redirect, prefix)
    return Spawn(call, lines, context, captured=captured) if lines else None


def _template_argvs(template: Any, file: _File, at: Any) -> list[Argv]:
    """execa's template: text split on spaces, each `${value}` one argument (an array several).
    A value glued to text (`--cd=${dir}`) makes that whole argument unknown."""
    parts: list[list[Argv]] = []
    open_word = False  # the last part may continue into the next piece (no space between)
    for child in template.named_children:
        if child.type in ("string_fragment", "escape_sequence"):
            raw = text_of(child) if child.type == "string_fragment" else text_of(child)[1:]
            pieces = raw.split()
            if open_word and pieces and not raw[:1].isspace():
                parts[-1] = [(Unknown.VALUE,)]
                pieces = pieces[1:]
            parts.extend([[(piece,)] for piece in pieces])
            open_word = bool(raw) and not raw[-1:].isspace()
        elif child.type == "template_substitution" and child.named_children:
            value = child.named_children[0]
            text = file.values.string(value, at)
            if open_word and parts:
                parts[-1] = [(Unknown.VALUE,)]
            elif text is not None:
                parts.append([(text,)])
            else:
                parts.append(file.values.array(value, at, spread=True))
            open_word = True
    return product(parts)


def _split_texts(texts: list[str]) -> list[Argv]:
    """execa's template and `execaCommand` split on spaces, with no shell in between."""
    argvs: list[Argv] = []
    for text in texts:
        words: list[Word] = []
        for part in text.split():
            words.append(Unknown.VALUE if part == '"$ARG"' else part.strip("'"))
        argvs.append(tuple(words))
    return argvs


def _template(call: Any) -> Any:
    arguments = call.child_by_field_name("arguments")
    return arguments if arguments is not None and arguments.type == "template_string" else None


def _template_options(call: Any, file: _File) -> Any:
    """`$({input: x})\\`...\\``: the options object of a configured tag."""
    function = unwrap(call.child_by_field_name("function"))
    if function is None or function.type != "call_expression":
        return None
    args = _arguments(function)
    return args[0] if args and _is_options(args[0], file.values, call) else None


def _template_spawn(call: Any, spawner: Spawner, file: _File) -> Spawn | None:
    """zx `$` and Bun's `$`: the template is shell text, each `${value}` quoted."""
    template = _template(call)
    if template is None:
        return None
    options = _template_options(call, file)
    texts = _template_texts(template, file, call, raw=False)
    redirect, context = _stdin(call, spawner, options, file)
    prefix = _env(call, spawner, options, file)
    captured = _output_taken(call, spawner, options, file)
    return _shell_spawn(call, texts, redirect, prefix, context, captured)


def _bun_spawn(call: Any, spawner: Spawner, file: _File) -> Spawn | None:
    args = _arguments(call)
    if not args:
        return None
    first = file.values.resolve(args[0], call)
    if first is not None and first.type == "object":
        options, command = first, file.values.option(first, "cmd", call)
    else:
        options = args[1] if len(args) > 1 else None
        command = args[0]
    flow_states = ArrayFlow(file.values, call).states() or [{}]
    argvs = dedupe([v for s in flow_states for v in file.values.array(command, call, s)])
    redirect, context = _stdin(call, spawner, options, file)
    lines = _lines_for_argvs(argvs, redirect, _env(call, spawner, options, file))
    captured = _output_taken(call, spawner, options, file)
    return Spawn(call, lines, context, captured=captured) if lines else None


def _deno_command(node: Any, file: _File) -> Spawn | None:
    arguments = node.child_by_field_name("arguments")
    args = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
    if not args:
        return None
    options = args[1] if len(args) > 1 else None
    array = file.values.option(options, "args", node) if options is not None else None
    spawner = Spawner("deno", "Command")
    redirect, context = _stdin(node, spawner, options, file)
    lines = _lines_for_argvs(
        _argvs(args[0], array, file, node), redirect, _env(node, spawner, options, file)
    )
    return Spawn(node, lines, context) if lines else None


# --- the Codex TypeScript SDK -----------------------------------------------------------------
# @openai/codex-sdk 0.163.0, dist/index.js `CodexExec.run()`: the argv it spawns is
#   codex exec --experimental-json [--config <each config/configOverrides entry>]
#     [--config openai_base_url=...] [--model M] [--sandbox S] [--cd DIR] [--add-dir D]...
#     [--skip-git-repo-check] [--config model_reasoning_effort="E"]
#     [--config sandbox_workspace_write.network_access=B] [--config web_search="W"]
#     [--config approval_policy="A"] [resume THREAD_ID]
# with the prompt written to stdin and `child.stdin.end()`; `apiKey` is set as CODEX_API_KEY in
# the child's env, and `env:` (CodexOptions) replaces process.env (dist/index.d.ts). The real
# codex 0.169.0 accepts the hidden `--experimental-json` (tests/sources: test_sdk_flag_facts);
# it is written here as `--json`, the flag the grammar tables know, for the same JSONL stream.
SDK_VALUE_FLAGS = (
    ("model", "--model"),
    ("sandboxMode", "--sandbox"),
    ("workingDirectory", "--cd"),
)
SDK_CONFIG_OPTIONS = (  # thread option -> the config key the SDK sets, in its order
    ("modelReasoningEffort", "model_reasoning_effort"),
    ("networkAccessEnabled", "sandbox_workspace_write.network_access"),
    ("webSearchMode", "web_search"),
    ("approvalPolicy", "approval_policy"),
)


def _toml(value: Any, file: _File, at: Any) -> list[str] | None:
    """A JS value as the SDK serialises it for `--config` (strings quoted as JSON)."""
    value = file.values.resolve(value, at)
    if value is None:
        return None
    text = string_value(value)
    if text is not None:
        return ['"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"']
    if value.type in ("true", "false", "number"):
        return [text_of(value)]
    if value.type == "ternary_expression":
        a = _toml(value.child_by_field_name("consequence"), file, at) or []
        b = _toml(value.child_by_field_name("alternative"), file, at) or []
        return list(dict.fromkeys(a + b)) or None
    return None


def _flatten(config: Any, file: _File, at: Any, prefix: str = "") -> list[list[Argv]]:
    """`config: {sandbox_workspace_write: {network_access: true}}` -> `--config` words, each
    override with its reachable values (a ternary gives two; an unknown value one unknown)."""
    overrides: list[list[Argv]] = []
    for key, value in file.values.object_pairs(config, at):
        if key == "...":
            continue
        path = f"{prefix}.{key}" if prefix else key
        resolved = file.values.resolve(value, at)
        if resolved is not None and resolved.type == "object":
            overrides.extend(_flatten(resolved, file, at, path))
            continue
        literal = _toml(value, file, at)
        if literal:
            overrides.append([("--config", f"{path}={v}") for v in literal])
        else:
            overrides.append([("--config", Unknown.VALUE)])
    return overrides


def _option_words(
    options: Any, file: _File, at: Any
) -> list[Argv]:  # the thread options' argv variants
    parts: list[list[Argv]] = []
    values = file.values
    for name, flag in SDK_VALUE_FLAGS:
        value = values.option(options, name, at) if options is not None else None
        if value is not None:
            parts.append([(flag, *w) for w in values.words(value, at)])
    dirs = values.option(options, "additionalDirectories", at) if options is not None else None
    if dirs is not None:
        parts.append(
            [tuple(x for d in argv for x in ("--add-dir", d)) for argv in values.array(dirs, at)]
        )
    skip = values.option(options, "skipGitRepoCheck", at) if options is not None else None
    if skip is not None and text_of(skip) != "false":
        parts.append([("--skip-git-repo-check",)])
    for name, key in SDK_CONFIG_OPTIONS:
        value = values.option(options, name, at) if options is not None else None
        if name == "webSearchMode" and value is None:
            parts.extend(_web_search_enabled(options, file, at))
        if value is None:
            continue
        literal = _toml(value, file, at)
        if literal is None and name == "networkAccessEnabled":
            literal = ["true", "false"]  # an unknown boolean: both are reachable
        parts.append([("--config", f"{key}={v}") for v in literal] if literal else
                     [("--config", Unknown.VALUE)])  # fmt: skip
    return product(parts)


def _web_search_enabled(options: Any, file: _File, at: Any) -> list[list[Argv]]:
    """`webSearchEnabled` (only without `webSearchMode`): live or disabled web search."""
    web = file.values.option(options, "webSearchEnabled", at) if options is not None else None
    if web is None:
        return []
    states = {"true": ['web_search="live"'], "false": ['web_search="disabled"']}
    chosen = states.get(text_of(web), ['web_search="live"', 'web_search="disabled"'])
    return [[("--config", c) for c in chosen]]


# The note on where the SDK's `apiKey` is set: the key of the codex it spawns (CG101).
SDK_KEY_NOTE = "`CODEX_API_KEY` is set here: the SDK hands `apiKey` to codex as CODEX_API_KEY"


def _sdk_client(new: Any, file: _File) -> tuple[list[Argv], str, tuple[tuple[str, Any, str], ...]]:
    """The Codex constructor's options: its `--config` words (each reachable variant), the
    env prefix, and where `apiKey` is set (its `apiKey: ...` pair)."""
    arguments = new.child_by_field_name("arguments")
    args = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
    options = args[0] if args else None
    parts: list[list[Argv]] = []
    keys: list[str] = []
    setters: tuple[tuple[str, Any, str], ...] = ()
    replaces = False
    values = file.values
    if options is not None:
        config = values.option(options, "config", new)
        if config is not None:
            parts.extend(_flatten(config, file, new))
        raw = values.option(options, "configOverrides", new)
        if raw is not None:
            parts.append(
                [tuple(x for w in argv for x in ("--config", w)) for argv in values.array(raw, new)]
            )
        base = values.option(options, "baseUrl", new)
        if base is not None:
            literal = _toml(base, file, new)
            parts.append(
                [("--config", f"openai_base_url={literal[0]}" if literal else Unknown.VALUE)]
            )
        env = values.option(options, "env", new)
        if env is not None:
            replaces = True
            own = [k for k, _v in values.object_pairs(env, new) if k != "..."]
            named = unwrap(env)
            if named is not None and named.type in NAMES:
                # `env.K = v` / `delete env.K` between `const env = {...}` and the client
                own = _edited(own, values.keys_set_on(text_of(named), new))
            keys.extend(own)
        api_key = values.option(options, "apiKey", new)
        if api_key is not None:
            keys.append("CODEX_API_KEY")
            pair = api_key.parent if api_key.parent is not None else api_key
            setters = (("CODEX_API_KEY", pair if pair.type == "pair" else api_key, SDK_KEY_NOTE),)
    if not replaces:
        keys = [*_process_env_keys(file, new), *keys]
    return product(parts), env_prefix(keys, replaces), setters


def _sdk_spawns(root: Any, file: _File) -> Iterator[Spawn]:
    if not file.sdk_classes:
        return
    news: list[Any] = []
    for node in walk(root):
        if node.type != "new_expression":
            continue
        constructor = node.child_by_field_name("constructor")
        if constructor is not None and text_of(constructor) in file.sdk_classes:
            news.append(node)
    threads = [n for n in walk(root) if n.type == "call_expression"
               and _callee_text(n) in ("startThread", "resumeThread")]  # fmt: skip
    used: set[int] = set()
    for call in threads:
        function = call.child_by_field_name("function")
        owner = unwrap(function.child_by_field_name("object")) if function is not None else None
        client = file.values.resolve(owner, call) if owner is not None else None
        if client is None or client.type != "new_expression":
            # `this.codex.startThread()`, a client passed in: the one client of the file, if any
            client = news[0] if len(news) == 1 else None
        if client is None:
            continue
        used.add(client.start_byte)
        yield from _sdk_thread(call, client, file)
    for new in news:
        if new.start_byte not in used:
            # A client made here and used elsewhere (exported): its own facts (key, env, config)
            # still hold; the thread options live where the thread starts: unknown, not absent.
            variants, prefix, setters = _sdk_client(new, file)
            unknown = ("--sandbox", Unknown.VALUE, "--cd", Unknown.VALUE)
            lines = [
                prefix + render(("codex", "exec", "--json", *words, *unknown)) + SUPPLIED
                for words in variants
            ]
            yield Spawn(new, tuple(dict.fromkeys(lines)), keys=setters)


def _sdk_thread(call: Any, client: Any, file: _File) -> Iterator[Spawn]:
    variants, prefix, setters = _sdk_client(client, file)
    args = _arguments(call)
    resume = _callee_text(call) == "resumeThread"
    options = args[1 if resume else 0] if len(args) > (1 if resume else 0) else None
    tail: list[Argv] = [()]
    if resume:
        tail = (
            [("resume", *w) for w in file.values.words(args[0], call)]
            if args
            else [("resume", Unknown.VALUE)]
        )
    lines = [
        prefix + render(("codex", "exec", "--json", *words, *flags, *end)) + SUPPLIED
        for words in variants
        for flags in _option_words(options, file, call)
        for end in tail
    ][:MAX_VARIANTS]
    yield Spawn(call, tuple(dict.fromkeys(lines)), keys=setters)


# --- the file ---------------------------------------------------------------------------------


def _spawns(root: Any, file: _File) -> Iterator[Spawn]:
    for node in walk(root):
        found: Spawn | None = None
        if node.type == "call_expression":
            spawner = file.spawner(node.child_by_field_name("function"))
            if spawner is None:
                inner = unwrap(node.child_by_field_name("function"))
                if inner is not None and inner.type == "call_expression" and _template(node):
                    spawner = file.spawner(inner.child_by_field_name("function"))
            if spawner is None:
                continue
            if spawner.library == "child_process":
                found = _node_spawn(node, spawner, file)
            elif spawner.library == "execa":
                found = _execa_spawn(node, spawner, file)
            elif spawner.name == "$":
                found = _template_spawn(node, spawner, file)
            else:
                found = _bun_spawn(node, spawner, file)
        elif node.type == "new_expression":
            constructor = node.child_by_field_name("constructor")
            if constructor is not None and text_of(constructor) == "Deno.Command":
                found = _deno_command(node, file)
        if found is not None:
            yield found
    yield from _sdk_spawns(root, file)


def _key_origins(spawn: Spawn, line: str) -> tuple[Origin, ...]:
    """Where the spawn's keys that no key name marks are set (the SDK's `apiKey`: CG101's
    related location, where the user takes the key out), on each `K="$VALUE"` of the line; none
    for one the call writes on its own first line (the finding's line shows it)."""
    found: list[Origin] = []
    for key, node, note in spawn.keys:
        row, column = node.start_point
        if contains(spawn.node, node) and row == spawn.node.start_point[0]:
            continue
        for match in ENV_KEY.finditer(line):
            if match.group(1) == key:
                found.append((match.start(), match.end(), row + 1, column + 1, note))
    return tuple(found)


def language_of(path: str) -> str:
    suffix = posixpath.splitext(path.replace("\\", "/").lower())[1]
    if suffix == ".tsx":
        return "tsx"
    if suffix in (".ts", ".mts", ".cts"):
        return "typescript"
    return "javascript"


def extract(text: str, path: str) -> list[Snippet]:
    if "codex" not in text.lower():  # `CODEX_BIN` may name the program: CG902 still applies
        return []
    language = language_of(path)
    try:
        root = parse(language, text, "TypeScript" if language != "javascript" else "JavaScript")
        file = _File(root, text)
        spawns = list(_spawns(root, file))
        literals = LiteralIndex(root, string_value, FUNCTIONS, env_key_writers(root))
    except RecursionError:
        raise SourceError("too deeply nested to analyse") from None
    snippets = [_snippet(spawn, line, path, literals) for spawn in spawns for line in spawn.lines]
    return sorted(snippets, key=lambda s: (s.line_offset, s.column_offset))


def _snippet(spawn: Spawn, line: str, path: str, literals: LiteralIndex) -> Snippet:
    if spawn.captured:
        line = captured(line)
    origins = literals.origins(spawn.node, line) + _key_origins(spawn, line)
    return spawn_snippet(spawn.node, line, path, origins, spawn.context, spawn.captured)
