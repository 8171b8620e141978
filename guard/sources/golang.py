"""Go orchestrators: each `exec.Command`/`exec.CommandContext` of codex is one command line.

As python.py and javascript.py do, the spawn is written back as the shell command it amounts to:
- argv: literal arguments, package constants and vars, and `[]string` slices built in the same
  function (`append`, spreads `args...`), every `if`/`switch`/loop arm kept apart so each
  reachable argv is linted (conditions are never evaluated); a function of the file, or a method
  whose name is unique in it, that returns a slice gives its returns, its parameters bound to the
  call's arguments, at most MAX_CALL_DEPTH deep;
- env: `cmd.Env = append(os.Environ(), "OPENAI_API_KEY="+k)` -> `OPENAI_API_KEY=... codex`; a
  `cmd.Env` without os.Environ()/cmd.Environ() replaces the parent's env (`env -i`);
  `os.Setenv("K", v)` earlier in the file reaches every spawn that inherits, unless an
  `os.Unsetenv("K")` on every path to the spawn takes it out again (`unset` in the shell);
- stdin (FACTS.md "Outside the shell": a nil `Stdin` gives /dev/null): `cmd.Stdin = os.Stdin`
  inherits the parent's; any other reader feeds input and ends; `w, _ := cmd.StdinPipe()` is an
  idle pipe unless `w.Close()` runs before the wait (a `defer w.Close()` in the spawning function
  runs only after `Run`/`Wait` return, and `Wait` waits for codex: still idle). RunContext.SPAWN
  marks the idle pipe: a bare command means exactly that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guard.sources.base import SourceError
from guard.sources.snippet import RunContext, Snippet
from guard.sources.spawnline import (
    CAPTURED,
    MAX_VARIANTS,
    Argv,
    LiteralIndex,
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
    text_of,
    walk,
)
from guard.sources.valueset import BranchFlow, Targets, join_states

FUNCTIONS = frozenset({"function_declaration", "method_declaration", "func_literal"})
SCOPES = FUNCTIONS | {"source_file", "block"}
LOOPS = frozenset({"for_statement"})
SWITCHES = frozenset({"expression_switch_statement", "type_switch_statement", "select_statement"})
CASES = frozenset({"expression_case", "default_case", "type_case", "communication_case"})
# os/exec, and execabs (the same Command API, kept for old Go versions).
EXEC_PACKAGES = frozenset({"os/exec", "golang.org/x/sys/execabs"})
ENVIRON = frozenset({"os.Environ()", "syscall.Environ()"})
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
SUPPLIED = ' <<<"$INPUT"'
CLOSED = " </dev/null"
MAX_DEPTH = 8
# A `fmt` verb: flags, width, precision and the letter (`%s`, `%-8v`, `%q`), or `%%`.
_FORMAT_VERB = re.compile(r"%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]")
MAX_CALL_DEPTH = 3  # a helper that calls a helper that calls a helper
MAX_NESTING = 64  # slices of slices, spreads of names: past this, a value is unknown

State = dict[str, Argv]


@dataclass(frozen=True, slots=True)
class Spawn:
    node: Any
    lines: tuple[str, ...]
    context: RunContext


def _ancestors(node: Any) -> Iterator[Any]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _function_of(node: Any) -> Any:
    return next((a for a in _ancestors(node) if a.type in FUNCTIONS | {"source_file"}), node)


def _string_value(node: Any) -> str | None:
    if node is None:
        return None
    if node.type == "raw_string_literal":
        return "".join(text_of(c) for c in node.named_children)
    if node.type != "interpreted_string_literal":
        return None
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "escape_sequence":
            raw = text_of(child)[1:]
            parts.append(ESCAPES.get(raw, raw))
        else:
            parts.append(text_of(child))
    return "".join(parts)


def _unwrap(node: Any) -> Any:
    while node is not None and node.type in ("parenthesized_expression", "expression_list"):
        node = node.named_children[0] if node.named_children else None
    return node


class _File:
    """The file's declarations and the local name of "os/exec" (or execabs)."""

    def __init__(self, root: Any, text: str) -> None:
        self.root = root
        self.text = text
        self.exec_names: set[str] = set()
        # Indexes of a function's statements (by node id), each built at its first ask: a
        # function of many commands is walked once, not once a command (_captured,
        # _field_assignments, _stdin_pipe).
        self.output_calls: dict[int, list[tuple[int, str]]] = {}  # [(start byte, receiver)]
        self.assignments: dict[int, dict[str, list[Any]]] = {}  # `x.F = v`: "x.F" -> [v]
        self.pipes: dict[int, dict[str, str]] = {}  # `w, _ := x.StdinPipe()`: "x" -> "w"
        self.env_calls: list[Any] | None = None  # the file's os.Setenv/os.Unsetenv calls
        # The spawns whose argv spreads a slice (`args...`), by the id of their function, and
        # the slices' states at each of them, walked once a function (spread_states).
        self.spreads: dict[int, list[Any]] = {}
        self.flows: dict[int, dict[int, list[State]]] = {}
        self.declarations: dict[str, list[tuple[Any, Any]]] = {}  # name -> [(statement, value)]
        self.functions: dict[str, Any] = {}  # top-level `func name(...)` of the file
        self.methods: dict[str, list[Any]] = {}  # `func (r *Runner) name(...)`, by name
        self.packages: set[str] = set()  # the local names of the file's imports
        self.bindings: list[dict[str, Any]] = []  # a helper's parameters, bound to its arguments
        # The values being resolved for a name now (by their span): met again inside itself, a
        # value refers to itself (`a = append(a, a...)`) and is unknown. Without it each such
        # name doubled the walk at each level, down to MAX_NESTING (40 s for a nine-line file).
        self.resolving: set[tuple[int, int]] = set()
        for node in walk(root):
            if node.type == "function_declaration" and node.child_by_field_name("name"):
                self.functions.setdefault(text_of(node.child_by_field_name("name")), node)
            elif node.type == "method_declaration" and node.child_by_field_name("name"):
                self.methods.setdefault(text_of(node.child_by_field_name("name")), []).append(node)
            if node.type == "import_spec":
                path = _string_value(node.child_by_field_name("path"))
                alias = node.child_by_field_name("name")
                if path is not None:  # `strings.Join` is the package's, never a method here
                    self.packages.add(text_of(alias) if alias is not None else path.split("/")[-1])
                if path in EXEC_PACKAGES:
                    default = path.rsplit("/", 1)[-1]
                    self.exec_names.add(text_of(alias) if alias is not None else default)
            elif node.type in ("short_var_declaration", "assignment_statement"):
                self._pairs(node, node.child_by_field_name("left"),
                            node.child_by_field_name("right"))  # fmt: skip
            elif node.type in ("var_spec", "const_spec"):
                names = [c for c in node.children_by_field_name("name")]
                value = node.child_by_field_name("value")
                if value is not None:
                    for name, item in zip(names, value.named_children, strict=False):
                        self.declarations.setdefault(text_of(name), []).append((node, item))

    def spread_states(self, call: Any) -> list[State]:
        """The states of the slice names at a spawn of `spreads` (_Flow.states for it); every
        such spawn of its function is walked to at once, the first time one of them asks."""
        function = _function_of(call)
        found = self.flows.get(function.id)
        if found is None:
            targets = Targets(self.spreads.get(function.id, [call]))
            found = self.flows[function.id] = _Flow(self, call).states_at(targets)
        return found.get(call.id) or [{}]

    def _pairs(self, statement: Any, left: Any, right: Any) -> None:
        if left is None or right is None:
            return
        names, values = left.named_children, right.named_children
        if len(names) != len(values):
            return
        for name, value in zip(names, values, strict=True):
            if name.type == "identifier":
                self.declarations.setdefault(text_of(name), []).append((statement, value))

    def declared(self, name: str, at: Any) -> Any:
        best = None
        for statement, value in self.declarations.get(name, ()):
            if statement.start_byte > at.start_byte or contains(statement, at):
                continue
            scope = next((a for a in _ancestors(statement) if a.type in SCOPES), None)
            in_scope = scope is not None and contains(scope, at)
            if in_scope and (best is None or statement.start_byte > best[0].start_byte):
                best = (statement, value)
        return None if best is None else best[1]

    def helper(self, call: Any) -> Any:
        """The function of this file a call names (`build(...)`), or None."""
        if call is None or call.type != "call_expression":
            return None
        function = call.child_by_field_name("function")
        if function is not None and function.type == "selector_expression":
            # `r.args(...)`: the one method of the file with that name (several: no guess)
            operand = function.child_by_field_name("operand")
            field = function.child_by_field_name("field")
            if operand is None or field is None or text_of(operand) in self.packages:
                return None
            methods = self.methods.get(text_of(field), [])
            return methods[0] if len(methods) == 1 else None
        if function is None or function.type != "identifier":
            return None
        return self.functions.get(text_of(function))

    def returns(self, call: Any, depth: int) -> list[Any]:
        """A helper's `return` values (nodes, with where they are read from), its parameters
        bound to the call's arguments; bounded by MAX_CALL_DEPTH and never recursive."""
        function = self.helper(call)
        if function is None or len(self.bindings) >= MAX_CALL_DEPTH:
            return []
        if any(b.get("\0function") is function for b in self.bindings):
            return []
        return [r for r in walk(function) if r.type == "return_statement"
                and _function_of(r).id == function.id]  # fmt: skip

    def bind(self, call: Any) -> dict[str, Any]:
        function = self.helper(call)
        binding: dict[str, Any] = {"\0function": function}
        parameters = function.child_by_field_name("parameters")
        names: list[str] = []
        for declaration in parameters.named_children if parameters is not None else []:
            names.extend(text_of(n) for n in declaration.children_by_field_name("name"))
        arguments = call.child_by_field_name("arguments")
        given = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
        for index, name in enumerate(names):
            binding[name] = self.resolve(given[index], call) if index < len(given) else None
        return binding

    def slice_returns(self, call: Any, depth: int) -> list[Argv]:
        found: list[Argv] = []
        returns = self.returns(call, depth)
        if not returns:
            return [(Unknown.SPREAD,)]
        self.bindings.append(self.bind(call))
        try:
            for node in returns:
                value = node.named_children[0] if node.named_children else None
                if value is None:
                    continue
                for state in _Flow(self, node).states():
                    found.extend(self.slice(value, node, state, depth + 1))
        finally:
            self.bindings.pop()
        return dedupe(found) or [(Unknown.SPREAD,)]

    def resolve(self, node: Any, at: Any) -> Any:
        node = _unwrap(node)
        depth = 0
        while node is not None and node.type == "identifier" and depth < MAX_DEPTH:
            binding = self.bindings[-1] if self.bindings else None
            if binding and text_of(node) in binding and contains(binding["\0function"], node):
                bound = binding[text_of(node)]
                return bound if bound is not None else node
            value = self.declared(text_of(node), at)
            if value is None:
                return node
            node, depth = _unwrap(value), depth + 1
        return node

    def string(self, node: Any, at: Any) -> str | None:
        node = self.resolve(node, at)
        value = _string_value(node)
        if value is None and node is not None and node.type == "call_expression":
            return self._joined(node, at) or self._formatted(node, at)
        if value is None and node is not None and node.type == "binary_expression":
            a = self.string(node.child_by_field_name("left"), at)
            b = self.string(node.child_by_field_name("right"), at)
            return a + b if a is not None and b is not None else None
        return value

    def _joined(self, call: Any, at: Any) -> str | None:
        """`strings.Join(words, " ")`: one string, unknown words as `$ARG`."""
        if text_of(call.child_by_field_name("function")) != "strings.Join":
            return None
        arguments = call.child_by_field_name("arguments")
        items = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
        if len(items) != 2:
            return None
        separator = self.string(items[1], at)
        variants = self.slice(items[0], at, {})
        if separator is None or len(variants) != 1:
            return None
        return separator.join("$ARG" if isinstance(w, Unknown) else w for w in variants[0])

    def _formatted(self, call: Any, at: Any) -> str | None:
        """`fmt.Sprintf("cd %s && codex exec ...", dir)`: the format with each verb's argument
        written in (`%q` quoted, as Go quotes it), an unknown one as `$ARG`: a shell text built
        so (`exec.Command("sh", "-c", script)`) is read, not one unknown word."""
        if text_of(call.child_by_field_name("function")) != "fmt.Sprintf":
            return None
        arguments = call.child_by_field_name("arguments")
        items = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
        template = self.string(items[0], at) if items else None
        if template is None or any(a.type == "variadic_argument" for a in items):
            return None
        values = iter(items[1:])

        def verb(match: re.Match[str]) -> str:
            if match.group() == "%%":
                return "%"
            argument = next(values, None)
            text = self.string(argument, at) if argument is not None else None
            if text is None:
                return "$ARG"
            return json.dumps(text) if match.group().endswith("q") else text

        return _FORMAT_VERB.sub(verb, template)

    def words(self, node: Any, at: Any, state: State, depth: int = 0) -> list[tuple[Word, ...]]:
        """One argument: a word, or a `slice...` spread (its reachable values)."""
        if node.type == "variadic_argument":
            inner = node.named_children[0] if node.named_children else None
            if inner is None:
                return [(Unknown.SPREAD,)]
            return self.slice(inner, at, state, depth + 1)
        text = self.string(node, at)
        return [(text,)] if text is not None else [(Unknown.VALUE,)]

    def slice(self, node: Any, at: Any, state: State, depth: int = 0) -> list[Argv]:
        """A `[]string`'s reachable values; an unknown one is one unknown spread."""
        node = _unwrap(node)
        unknown: list[Argv] = [(Unknown.SPREAD,)]
        if node is None or depth > MAX_NESTING:
            return unknown
        if node.type == "identifier":
            name = text_of(node)
            if name in state:
                return [state[name]]
            resolved = self.resolve(node, at)
            if resolved is None or resolved.type == "identifier":
                return unknown
            span = (resolved.start_byte, resolved.end_byte)
            if span in self.resolving:
                return unknown  # the value refers to itself
            self.resolving.add(span)
            try:
                return self.slice(resolved, at, {}, depth + 1)
            finally:
                self.resolving.discard(span)
        if node.type == "composite_literal":
            body = node.child_by_field_name("body")
            elements = [e.named_children[0] for e in (body.named_children if body else [])
                        if e.type == "literal_element" and e.named_children]  # fmt: skip
            return product([self.words(e, at, state, depth + 1) for e in elements])
        if node.type == "call_expression" and text_of(node.child_by_field_name("function")) == (
            "append"
        ):
            arguments = node.child_by_field_name("arguments")
            items = arguments.named_children if arguments is not None else []
            if not items:
                return unknown
            base = self.slice(items[0], at, state, depth + 1)
            return product([base, *[self.words(i, at, state, depth + 1) for i in items[1:]]])
        if node.type == "nil":
            return [()]
        if self.helper(node) is not None:
            return self.slice_returns(node, depth)
        return unknown


def _arms(node: Any) -> list[list[Any]] | None:
    kind = node.type
    if kind in ("block", "statement_list"):
        children = node.named_children
        if kind == "block" and children and children[0].type == "statement_list":
            children = children[0].named_children
        return [list(children)]
    if kind == "if_statement":
        consequence = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        return [
            [consequence] if consequence is not None else [],
            [alternative] if alternative is not None else [],
        ]
    if kind in LOOPS:
        body = node.child_by_field_name("body")
        return [[body] if body is not None else [], []]
    if kind in SWITCHES:
        cases = [c for c in node.named_children if c.type in CASES]
        options = [[s for s in c.named_children if s.type == "statement_list"] for c in cases]
        if not any(c.type == "default_case" for c in cases):
            options.append([])
        return options
    if kind == "labeled_statement":
        return [[c for c in node.named_children if c.type != "label_name"]]
    return None


class _Flow(BranchFlow[Argv]):
    """Every reachable value of each slice name at one call (the walk and the join are
    valueset.BranchFlow's, shared with jsvalues.ArrayFlow; the statement kinds are Go's)."""

    limit = MAX_VARIANTS

    def __init__(self, file: _File, target: Any) -> None:
        super().__init__(target)
        self.file = file

    def states(self) -> list[State]:
        body = _body(_function_of(self.target))
        if body is None:
            return [{}]
        found, _ = self.run([body], [{}])
        return found or [{}]

    def states_at(self, targets: Targets) -> dict[int, list[State]]:
        """The states at each of `targets` (nodes of the target's function, by id), in one walk
        of the function (BranchFlow.collect)."""
        body = _body(_function_of(self.target))
        found: dict[int, list[State]] = {}
        if body is not None:
            self.collect([body], [{}], targets, found)
        return found

    def arms(self, node: Any) -> list[list[Any]] | None:
        return _arms(node)

    def step(self, statement: Any, states: list[State]) -> list[State]:
        pairs: list[tuple[Any, Any]] = []
        if statement.type in ("short_var_declaration", "assignment_statement"):
            left = statement.child_by_field_name("left")
            right = statement.child_by_field_name("right")
            same = left is not None and right is not None
            if same and len(left.named_children) == len(right.named_children):
                pairs = list(zip(left.named_children, right.named_children, strict=True))
        elif statement.type == "var_declaration":
            for spec in statement.named_children:
                value = spec.child_by_field_name("value")
                names = spec.children_by_field_name("name")
                if value is not None and len(names) == len(value.named_children):
                    pairs.extend(zip(names, value.named_children, strict=True))
        for name, value in pairs:
            if name.type == "identifier":
                states = self.assign(text_of(name), value, states, statement)
        return states

    def assign(self, name: str, value: Any, states: list[State], at: Any) -> list[State]:
        """`name = value` in every state; a name the value reads that no state holds is the one
        declared before `at`, the statement (not before the target: one walk serves them all)."""
        result: list[State] = []
        value = _unwrap(value)
        for state in states:
            is_slice = value is not None and (
                value.type == "composite_literal"
                or (value.type == "identifier" and text_of(value) in state)
                or (
                    value.type == "call_expression"
                    and text_of(value.child_by_field_name("function")) == "append"
                )
            )
            if not is_slice:
                rest = dict(state)
                rest.pop(name, None)
                result.append(rest)
                continue
            for variant in self.file.slice(value, at, state):
                result.append({**state, name: variant})
        return _dedupe_states(result)


def _body(function: Any) -> Any:
    """The statements a flow walks: a function's body, or the file for a package-level value."""
    return function.child_by_field_name("body") if function.type in FUNCTIONS else function


def _dedupe_states(states: list[State]) -> list[State]:
    return join_states(states, MAX_VARIANTS)


# --- the spawned command's fields ---------------------------------------------------------------


# A command whose output the program takes (`out, err := cmd.Output()`) is written as
# spawnline.captured (CG601).
_OUTPUT_METHODS = ("Output", "CombinedOutput")


def _captured(call: Any, name: str | None, file: _File) -> bool:
    """Is the command's output the program's: `exec.Command(...).Output()`, or `cmd.Output()` /
    `cmd.CombinedOutput()` after it in the function that made `cmd`?"""
    parent = call.parent
    if parent is not None and parent.type == "selector_expression":
        field = parent.child_by_field_name("field")
        if field is not None and text_of(field) in _OUTPUT_METHODS:
            return True
    function = _function_of(call) if name is not None else None
    if function is None:
        return False
    calls = file.output_calls.get(function.id)
    if calls is None:  # each function walked once, however many commands it makes
        calls = file.output_calls[function.id] = _output_calls(function)
    return any(at > call.start_byte and receiver == name for at, receiver in calls)


def _output_calls(function: Any) -> list[tuple[int, str]]:
    """(start byte, receiver) of each `x.Output()` / `x.CombinedOutput()` in the function."""
    found: list[tuple[int, str]] = []
    for node in walk(function):
        if node.type != "call_expression":
            continue
        callee = node.child_by_field_name("function")
        if callee is None or callee.type != "selector_expression":
            continue
        field, operand = callee.child_by_field_name("field"), callee.child_by_field_name("operand")
        if field is not None and operand is not None and text_of(field) in _OUTPUT_METHODS:
            found.append((node.start_byte, text_of(operand)))
    return found


def _bound_name(call: Any) -> str | None:
    """`cmd := exec.Command(...)` / `cmd = ...` -> "cmd"."""
    parent = call.parent
    if parent is not None and parent.type == "expression_list":
        statement = parent.parent
        if statement is not None and statement.type in (
            "short_var_declaration", "assignment_statement", "var_spec",
        ):  # fmt: skip
            left = statement.child_by_field_name("left")
            names = (
                left.named_children
                if left is not None
                else statement.children_by_field_name("name")
            )
            index = parent.named_children.index(call) if call in parent.named_children else 0
            if index < len(names) and names[index].type == "identifier":
                return text_of(names[index])
    return None


def _field_assignments(function: Any, name: str, field: str, file: _File) -> list[Any]:
    """The values assigned to `name.field` in the function, in order."""
    index = file.assignments.get(function.id)
    if index is None:
        index = file.assignments[function.id] = {}
        for node in walk(function):
            if node.type != "assignment_statement":
                continue
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            for target, value in zip(left.named_children, right.named_children, strict=False):
                index.setdefault(text_of(target), []).append(value)
    return index.get(f"{name}.{field}", [])


def _env_key(node: Any, file: _File, at: Any) -> str | None:
    """`"K=" + v`, `"K=v"`, `fmt.Sprintf("K=%s", v)` -> K."""
    node = file.resolve(node, at)
    if node is None:
        return None
    text = _string_value(node)
    if text is None and node.type == "binary_expression":
        return _env_key(node.child_by_field_name("left"), file, at)
    if text is None and node.type == "call_expression":
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        text = _string_value(first) if first is not None else None
    if text is None or "=" not in text:
        return None
    return text.split("=", 1)[0]


def _env_entries(node: Any, file: _File, at: Any, depth: int = 0) -> tuple[bool, list[str]]:
    """(inherits the parent's env, keys it sets) for a `cmd.Env` value."""
    node = _unwrap(node)
    if node is None or depth > MAX_DEPTH:
        return True, []
    text = text_of(node)
    if node.type == "call_expression" and (text in ENVIRON or text.endswith(".Environ()")):
        return True, []
    if file.helper(node) is not None:
        returns = file.returns(node, depth)
        if not returns:
            return True, []
        file.bindings.append(file.bind(node))
        try:
            found = [_env_entries(r.named_children[0], file, r, depth + 1)
                     for r in returns if r.named_children]  # fmt: skip
        finally:
            file.bindings.pop()
        return all(i for i, _k in found), [k for _i, keys in found for k in keys]
    if node.type == "identifier":
        resolved = file.resolve(node, at)
        if resolved is None or resolved.type == "identifier":
            return True, []  # not visible here: make no claim
        inherits, keys = _env_entries(resolved, file, at, depth + 1)
        return inherits, keys + _appended_keys(text, file, at)
    if node.type == "composite_literal":
        body = node.child_by_field_name("body")
        elements = [e.named_children[0] for e in (body.named_children if body else [])
                    if e.named_children]  # fmt: skip
        return False, [k for e in elements if (k := _env_key(e, file, at))]
    if node.type == "call_expression" and text_of(node.child_by_field_name("function")) == (
        "append"
    ):
        arguments = node.child_by_field_name("arguments")
        items = arguments.named_children if arguments is not None else []
        if not items:
            return True, []
        inherits, keys = _env_entries(items[0], file, at, depth + 1)
        for item in items[1:]:
            if item.type == "variadic_argument" and item.named_children:
                more_inherits, more = _env_entries(item.named_children[0], file, at, depth + 1)
                inherits, keys = inherits or more_inherits, keys + more
            elif key := _env_key(item, file, at):
                keys.append(key)
        return inherits, keys
    return True, []


def _appended_keys(name: str, file: _File, at: Any) -> list[str]:
    """Keys added by `name = append(name, "K="+v)` in the function (on any branch)."""
    keys: list[str] = []
    for value in [v for s, v in file.declarations.get(name, ()) if s.start_byte < at.start_byte]:
        value = _unwrap(value)
        if value is None or value.type != "call_expression":
            continue
        if text_of(value.child_by_field_name("function")) != "append":
            continue
        arguments = value.child_by_field_name("arguments")
        items = arguments.named_children if arguments is not None else []
        if items and text_of(items[0]) == name:
            keys.extend(k for i in items[1:] if (k := _env_key(i, file, at)))
    return keys


def _setenv_keys(file: _File, before: Any) -> list[str]:
    """`os.Setenv("OPENAI_API_KEY", k)` earlier in the file: in every inheriting child's env,
    unless an `os.Unsetenv("OPENAI_API_KEY")` then takes it out again on every path to the
    spawn (as `unset` does in the shell: _unsets)."""
    keys: list[tuple[str, Any]] = []  # (K, the os.Setenv call)
    if file.env_calls is None:  # the file walked once, however many commands it makes
        file.env_calls = [
            node
            for node in walk(file.root)
            if node.type == "call_expression"
            and text_of(node.child_by_field_name("function")) in ("os.Setenv", "os.Unsetenv")
        ]
    for node in file.env_calls:
        if node.start_byte >= before.start_byte:
            break
        function = text_of(node.child_by_field_name("function"))
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        key = file.string(first, node) if first is not None else None
        if not key:
            continue
        if function == "os.Setenv":
            keys.append((key, node))
        elif _unsets(node, before):
            keys = [(k, at) for k, at in keys if k != key or not _set_before(at, node)]
    return [k for k, _at in keys]


def _unsets(unset: Any, spawn: Any) -> bool:
    """Does this `os.Unsetenv(K)` run on every path to the spawn? As a statement of its own
    (`os.Unsetenv(K)`, `_ = os.Unsetenv(K)`, `if err := os.Unsetenv(K); ...`: the header of an
    `if` always runs) in a statement list that holds the spawn further on; not a `defer` (it
    runs when the function returns) nor under an `if`, `for` or `switch` the spawn is outside
    of."""
    statement = unset.parent
    if statement is not None and statement.type == "expression_list":
        statement = statement.parent  # `_ = os.Unsetenv(K)`, `err := os.Unsetenv(K)`
    if statement is None or statement.type not in (
        "expression_statement", "assignment_statement", "short_var_declaration"
    ):  # fmt: skip
        return False
    header = statement.parent
    if header is not None and header.type == "if_statement":
        initializer = header.child_by_field_name("initializer")
        if initializer is None or initializer.id != statement.id:
            return False
        statement = header
    return runs_before(statement, spawn)


def _set_before(setenv: Any, unset: Any) -> bool:
    """Has this `os.Setenv` run whenever the later `os.Unsetenv` runs? It has when it is
    written in the unset's own function, or at the package level; in another function it runs
    when that function is called, which may be after the unset."""
    scope = _function_of(setenv)
    return bool(scope.type == "source_file" or scope.id == _function_of(unset).id)


def _env(call: Any, name: str | None, file: _File) -> str:
    inherited = _setenv_keys(file, call)
    function = _function_of(call)
    assigned = _field_assignments(function, name, "Env", file) if name else []
    if not assigned:
        return env_prefix(inherited, replaces=False)
    inherits, keys = _env_entries(assigned[-1], file, assigned[-1])
    return env_prefix([*inherited, *keys] if inherits else keys, replaces=not inherits)


def _stdin(call: Any, name: str | None, file: _File) -> tuple[str, RunContext]:
    if name is None:
        return CLOSED, RunContext.SCRIPT  # a nil Stdin: /dev/null
    function = _function_of(call)
    assigned = _field_assignments(function, name, "Stdin", file)
    if assigned:
        value = text_of(assigned[-1])
        if value == "nil":
            return CLOSED, RunContext.SCRIPT
        if value == "os.Stdin":
            return "", RunContext.SCRIPT
        return SUPPLIED, RunContext.SCRIPT
    pipe = _stdin_pipe(function, name, file)
    if pipe is None:
        return CLOSED, RunContext.SCRIPT
    return (SUPPLIED, RunContext.SCRIPT) if _closed(function, pipe) else ("", RunContext.SPAWN)


def _stdin_pipe(function: Any, name: str, file: _File) -> str | None:
    """`w, err := cmd.StdinPipe()` -> "w"."""
    pipes = file.pipes.get(function.id)
    if pipes is None:
        pipes = file.pipes[function.id] = {}
        for node in walk(function):
            if node.type not in ("short_var_declaration", "assignment_statement"):
                continue
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            if right is None or left is None or not left.named_children:
                continue
            made = text_of(right)
            if made.endswith(".StdinPipe()"):
                pipes.setdefault(made.removesuffix(".StdinPipe()"), text_of(left.named_children[0]))
    return pipes.get(name)


def _closed(function: Any, pipe: str) -> bool:
    """Is `pipe.Close()` called where it can run before the wait? (Not a `defer` of this same
    function: that runs after Run/Wait, which wait for codex, which waits for EOF.)"""
    for node in walk(function):
        if node.type != "call_expression" or text_of(node.child_by_field_name("function")) != (
            f"{pipe}.Close"
        ):
            continue
        deferred = node.parent is not None and node.parent.type == "defer_statement"
        if not deferred or _function_of(node).id != function.id:
            return True  # closed in line, or by a goroutine (`go func() { defer w.Close() ... }`)
    return False


def _env_key_writers(root: Any) -> dict[str, list[Any]]:
    """Where the file writes each env key: a `"K=..."` string (`"OPENAI_API_KEY="+k`,
    `fmt.Sprintf("K=%s", v)`) and `os.Setenv("K", v)` (origins: spawnline.LiteralIndex)."""
    found: dict[str, list[Any]] = {}
    for node in walk(root):
        value = _string_value(node)
        if value is None:
            continue
        if "=" in value:
            key = value.split("=", 1)[0]
        else:
            call = node.parent.parent if node.parent is not None else None
            if call is None or call.type != "call_expression":
                continue
            function = call.child_by_field_name("function")
            if function is None or text_of(function) != "os.Setenv":
                continue
            key = value
        if key.isidentifier():
            found.setdefault(key, []).append(node)
    return found


# --- the file ------------------------------------------------------------------------------


def _command_argvs(call: Any, file: _File) -> list[Argv]:
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    items = list(arguments.named_children) if arguments is not None else []
    if function is not None and text_of(function).endswith(".CommandContext"):
        items = items[1:]
    items = [i for i in items if i.type != "comment"]
    if not items:
        return []
    # The names' states matter to a `slice...` spread only (words() reads no state otherwise):
    # a command of plain arguments does not run the function's flow up to it.
    states = file.spread_states(call) if _spreads(call) else [{}]
    variants: list[Argv] = []
    for state in states:
        variants.extend(product([file.words(i, call, state) for i in items]))
    return dedupe(variants)


def _spreads(call: Any) -> bool:
    """Does the spawn's argv spread a slice (`exec.Command(bin, args...)`)?"""
    arguments = call.child_by_field_name("arguments")
    items = arguments.named_children if arguments is not None else []
    return any(i.type == "variadic_argument" for i in items)


def _is_spawn(node: Any, file: _File) -> bool:
    """`exec.Command(...)` / `exec.CommandContext(...)` (under the file's name for os/exec)."""
    if node.type != "call_expression":
        return False
    function = node.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return False
    operand = function.child_by_field_name("operand")
    field = function.child_by_field_name("field")
    if operand is None or field is None or text_of(operand) not in file.exec_names:
        return False
    return text_of(field) in ("Command", "CommandContext")


def _spawns(root: Any, file: _File) -> Iterator[Spawn]:
    calls = [node for node in walk(root) if _is_spawn(node, file)]
    for node in calls:
        if _spreads(node):
            file.spreads.setdefault(_function_of(node).id, []).append(node)
    for node in calls:
        name = _bound_name(node)
        redirect, context = _stdin(node, name, file)
        prefix = _env(node, name, file)
        argvs = _command_argvs(node, file)
        lines = [prefix + render(words) + redirect for words in argvs if is_codex_argv(words)]
        # An unknown program is one CG902, whatever its argv variants.
        dynamic = next((w for w in argvs if not is_codex_argv(w) and may_be_codex(w)), None)
        if dynamic is not None:
            lines.append(prefix + render_dynamic(dynamic) + redirect)
        if lines and _captured(node, name, file):
            lines = [captured(line) for line in lines]
        if lines:
            yield Spawn(node, tuple(dict.fromkeys(lines)), context)


def extract(text: str, path: str) -> list[Snippet]:
    if "codex" not in text.lower():  # `CODEX_BIN` may name the program: CG902 still applies
        return []
    try:
        root = parse("go", text, "Go")
        file = _File(root, text)
        spawns = list(_spawns(root, file))
        literals = LiteralIndex(root, _string_value, FUNCTIONS, _env_key_writers(root))
    except RecursionError:
        raise SourceError("too deeply nested to analyse") from None
    snippets = [_snippet(spawn, line, path, literals) for spawn in spawns for line in spawn.lines]
    return sorted(snippets, key=lambda s: (s.line_offset, s.column_offset))


def _snippet(spawn: Spawn, line: str, path: str, literals: LiteralIndex) -> Snippet:
    origins = literals.origins(spawn.node, line)
    taken = line.startswith(CAPTURED)  # (a rendered argv starts with a word or `K="$VALUE"`)
    return spawn_snippet(spawn.node, line, path, origins, spawn.context, taken)
