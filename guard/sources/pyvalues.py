"""Static values in a Python file: the argv, the shell text and the env a spawn receives.

The same value model the shell layer has, within one file: a name has a bounded set of possible
values. Module and class constants (also `Final`), a helper function of the file whose `return`
gives an argv or an env (with the call's literal arguments bound to its parameters, at most
MAX_CALL_DEPTH helpers deep), `+`, `+=`, `append`/`extend`/`insert`, starred elements,
`" ".join(...)`, f-strings, `shlex.split` of a literal and conditional expressions are followed;
every `if`/loop/`try` arm before the spawn is kept apart, so a flag added on one branch is still
checked. Loops are not unrolled (a body runs once or not at all). Anything else is unknown.

Each word keeps where it was written (line, column) and the helper it came through, so a
finding can point at the line that put a flag there.

The process environment is a value of the run too (ENVIRON_STATE): the keys `os.environ[K] = v`
and the like set, less those `del os.environ[K]` / `os.environ.pop(K)` remove, joined where
branches meet as the shell layer joins `export` and `unset` (a key set on some path is set; a
key is removed only when every path removed it).
"""

from __future__ import annotations

import ast
import bisect
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from guard.sources.spawnline import Unknown
from guard.sources.valueset import bounded, join_states, product

MAX_VALUES = 16  # alternatives of one name or one expression
MAX_STATES = 16  # reachable states of a function's names at one statement
MAX_CALL_DEPTH = 3  # helper -> helper -> helper
MAX_NESTING = 48  # nested expressions: past this, a value is unknown
ENVIRON = frozenset({"os.environ", "environ"})
# A state's entry for the process environment (an Environ): no Python name is spelt so.
ENVIRON_STATE = "os.environ"


@dataclass(frozen=True, slots=True)
class W:
    """One word (or string) and where it was written."""

    text: str | Unknown
    line: int = 0
    column: int = 0
    via: str = ""  # the helper it came through: "build_codex_command()"
    # where a constant's name put it into this value (`argv.append(CODEX_FLAGS)`): line, column
    put_line: int = 0
    put_column: int = 0


@dataclass(frozen=True, slots=True)
class Seq:
    """A list or tuple of words (an argv, or a piece of one)."""

    words: tuple[W, ...]


@dataclass(frozen=True, slots=True)
class Env:
    """A mapping a spawn may get as env=: the keys it sets, and whether it copies os.environ."""

    keys: tuple[W, ...] = ()
    inherits: bool = False


@dataclass(frozen=True, slots=True)
class EnvironEdit:
    """One edit of the process environment by `statement`: a key set (`os.environ["K"] = v`,
    `.update(K=v)`, `os.environ |= {"K": v}`, `.setdefault("K", v)`; `os.putenv("K", v)` as
    "putenv:K": it changes the process environment, not the os.environ mapping) or removed
    (`del os.environ["K"]`, `os.environ.pop("K", None)`: both unset it in the process
    environment too, when the mapping holds K)."""

    key: W
    removes: bool
    statement: ast.stmt


@dataclass(frozen=True, slots=True)
class Environ:
    """What the statements run so far did to the process environment, joined over the paths
    that reach here: the keys set on some path (and not removed after), the keys every path
    removed (and did not set again)."""

    keys: tuple[W, ...] = ()  # set on some path
    removed: frozenset[str] = frozenset()  # removed on every path

    def after(self, edits: Sequence[EnvironEdit]) -> Environ:
        current, removed = self.keys, set(self.removed)
        for edit in edits:
            # Keys compare as written: a del/pop of "K" leaves "putenv:K" (os.environ never
            # held it, so the pop finds nothing and calls no unsetenv).
            key = edit.key.text
            current = tuple(w for w in current if w.text != key)
            if edit.removes:
                removed.add(str(key))
            else:
                current = (*current, edit.key)
                removed.discard(str(key))
        return Environ(current, frozenset(removed))


Value = W | Seq | Env | Environ | None  # None: unknown
State = dict[str, Value]
UNKNOWN_WORD = W(Unknown.VALUE)
UNKNOWN_SPREAD = W(Unknown.SPREAD)


def _bounded(values: Sequence[Value]) -> list[Value]:
    return bounded(values, MAX_VALUES)


def _dedupe_states(states: Sequence[State]) -> list[State]:
    """The distinct states, at most MAX_STATES. Values are immutable and shared between the
    arms that did not change them, so identity finds the repeats without hashing every argv."""
    return join_states(states, MAX_STATES, identity=True)


def environ_name(key: W) -> str:
    """The variable an edit's key names ("putenv:K" -> "K")."""
    return str(key.text).removeprefix("putenv:")


NO_EDITS = Environ()


def environ_of(states: Sequence[State]) -> Environ:
    """The process environment the states leave, joined: a key set on any of them is set; a key
    is removed only when all of them removed it."""
    found = [s.get(ENVIRON_STATE) for s in states]
    known = [e if isinstance(e, Environ) else NO_EDITS for e in found]
    if not known:
        return Environ()
    if all(e is known[0] for e in known):
        return known[0]
    keys = {(w.text, w.line, w.column): w for e in known for w in e.keys}
    removed = frozenset.intersection(*(e.removed for e in known))
    return Environ(latest_per_name(tuple(keys.values())), removed)


def latest_per_name(keys: tuple[W, ...]) -> tuple[W, ...]:
    """At most MAX_VALUES places per variable, the last written (in their order). Why: a key set
    under each of many `if`s is set on some path at every later line; each such line is one more
    place a finding points to, and without a bound every later spawn carries them all (quadratic
    in the file). The variable itself is never dropped, only the older places that set it."""
    if len(keys) <= MAX_VALUES:
        return keys
    places: dict[str | Unknown, list[W]] = {}
    for key in keys:
        places.setdefault(key.text, []).append(key)
    if all(len(found) <= MAX_VALUES for found in places.values()):
        return keys
    kept = {id(w) for found in places.values()
            for w in sorted(found, key=lambda k: (k.line, k.column))[-MAX_VALUES:]}  # fmt: skip
    return tuple(w for w in keys if id(w) in kept)


def _join_environ(states: list[State]) -> list[State]:
    """The states the arms of a branch leave, with their process environments joined (one value
    for all: the states stay few, and a bound on them never drops the path that kept a key)."""
    if not any(ENVIRON_STATE in s for s in states):
        return states
    return _with_environ(states, environ_of(states))


def _with_environ(states: Sequence[State], environ: Environ) -> list[State]:
    """The states, each with the one joined `environ` (shared: states that differed only in it
    are the same state again)."""
    return [s if s.get(ENVIRON_STATE) is environ else {**s, ENVIRON_STATE: environ}
            for s in states]  # fmt: skip


def dotted(node: ast.expr) -> str:
    """`os.environ` -> "os.environ"; anything but names and attributes -> ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = dotted(node.value)
        return f"{owner}.{node.attr}" if owner else ""
    return ""


def _word(node: ast.AST, text: str | Unknown) -> W:
    return W(text, getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1)


def _via(value: Value, name: str, first: int, last: int) -> Value:
    """Words written inside a helper (lines first..last) came through it."""

    def mark(word: W) -> W:
        line = word.put_line or word.line
        inside = first <= line <= last and not word.via
        return replace(word, via=name) if inside else word

    if isinstance(value, W):
        return mark(value)
    if isinstance(value, Seq):
        return Seq(tuple(mark(w) for w in value.words))
    if isinstance(value, Env):
        return Env(tuple(mark(k) for k in value.keys), value.inherits)
    return value


def join_text(words: Sequence[W], separator: str = " ") -> str:
    """`" ".join(argv)`: the words as the shell will read them (unknown ones as `$ARG`)."""
    return separator.join("$ARG" if isinstance(w.text, Unknown) else w.text for w in words)


class Module:
    """One Python file: its functions, classes, module constants and spawn-module imports."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
        self.environ_edits = environ_edits(tree)  # in file order
        self.edits_by_statement: dict[int, list[EnvironEdit]] = {}
        for edit in self.environ_edits:
            self.edits_by_statement.setdefault(id(edit.statement), []).append(edit)
        self.enclosing: dict[int, ast.AST] = {}  # id(node) -> its innermost function or class
        self.branches: list[tuple[int, int]] = []  # line ranges of `if` statements
        self._branch_starts: list[int] | None = None  # on_branch's index of them (_nest_branches)
        self._branch_parents: list[int] = []
        self._index(tree, tree)
        # The keys set anywhere / in a function or class, by variable, in file order: a spawn
        # looks up the few set last before it (sets_before) instead of reading every edit.
        self._sets: dict[str | Unknown, list[EnvironEdit]] = {}
        self._sets_in_scopes: dict[str | Unknown, list[EnvironEdit]] = {}
        for edit in self.environ_edits:
            if edit.removes:
                continue
            self._sets.setdefault(edit.key.text, []).append(edit)
            if self.enclosing.get(id(edit.statement)) is not tree:
                self._sets_in_scopes.setdefault(edit.key.text, []).append(edit)
        self._top_lines = [statement.lineno for statement in tree.body]
        self._module_states: list[State] | None = None
        self._before_top: dict[int, list[State]] = {}  # id(module statement) -> states before it
        self.targets: list[ast.Call] = []  # the spawns whose states are wanted (python.py)
        self._targets_seen: list[ast.Call] | None = None  # the list _targets_by_scope groups
        self._targets_count = 0
        self._targets_by_scope: dict[int, list[ast.Call]] = {}  # id(scope) -> its targets
        self._recorded: dict[int, dict[int, list[State]]] = {}  # id(scope) -> id(call) -> states
        # (helper, depth, callers, bound parameters) -> its return values: a helper called at
        # many spawns is evaluated once per distinct set of arguments.
        self.helper_results: dict[tuple[object, ...], list[Value]] = {}
        self._class_states: dict[str, list[State]] = {}

    def _index(self, node: ast.AST, owner: ast.AST) -> None:
        stack: list[tuple[ast.AST, ast.AST]] = [(node, owner)]
        while stack:
            current, scope = stack.pop()
            self.enclosing[id(current)] = scope
            if isinstance(current, ast.If):
                self.branches.append((current.lineno, current.end_lineno or current.lineno))
            inner = current
            if not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = scope
            stack.extend((child, inner) for child in ast.iter_child_nodes(current))

    def on_branch(self, line: int, spawn_line: int) -> bool:
        """Was `line` written in an `if` that does not also hold the spawn? The `if`s that hold
        a line are nested in one another (a compound statement has lines of its own), so it is
        enough to ask the innermost one: an outer one holds everything it holds."""
        if self._branch_starts is None:
            self._nest_branches()
        assert self._branch_starts is not None
        at = bisect.bisect_right(self._branch_starts, line) - 1
        while at >= 0 and self.branches[at][1] < line:
            at = self._branch_parents[at]  # an earlier `if` that ended before `line`: go out
        if at < 0:
            return False
        start, end = self.branches[at]
        return not start <= spawn_line <= end

    def _nest_branches(self) -> None:
        """The `if` ranges in line order, each with the innermost one holding it (-1: none)."""
        self.branches.sort(key=lambda r: (r[0], -r[1]))
        self._branch_starts = [start for start, _end in self.branches]
        self._branch_parents = []
        open_ones: list[int] = []
        for index, (start, _end) in enumerate(self.branches):
            while open_ones and self.branches[open_ones[-1]][1] < start:
                open_ones.pop()
            self._branch_parents.append(open_ones[-1] if open_ones else -1)
            open_ones.append(index)

    # --- scopes ---------------------------------------------------------------------------

    def module_states(self) -> list[State]:
        if self._module_states is None:
            self._module_states = [{}]  # a constant that names itself: unknown, not a loop
            flow = Flow(self, None, (), depth=0)
            states: list[State] = [{}]
            for statement in self.tree.body:
                self._before_top[id(statement)] = states
                states = flow.run([statement], states)
            self._module_states = states
        return self._module_states

    def environ_before(self, node: ast.AST) -> Environ:
        """The process environment the module's own lines leave before the module statement
        that holds `node` (a function's spawn runs after the module lines above its `def`,
        as spawns are read in line order)."""
        self.module_states()
        # Module statements are in line order: the one that holds `node` is among the last ones
        # starting at or before its line (a bisection, not a scan of the module per spawn).
        line = getattr(node, "lineno", 0)
        at = bisect.bisect_right(self._top_lines, line) - 1
        while at >= 0:
            statement = self.tree.body[at]
            if _contains(statement, node):
                return environ_of(self._before_top.get(id(statement), []))
            if (statement.end_lineno or statement.lineno) < line:
                break
            at -= 1
        return NO_EDITS

    def sets_before(self, line: int, skip: ast.AST | None) -> list[W]:
        """The keys set on lines before `line`: with `skip` (a spawn's function), only those set
        in other functions and classes (not module level, not `skip`); without, all of them. At
        most MAX_VALUES places per variable, the last ones (latest_per_name says why)."""
        index = self._sets if skip is None else self._sets_in_scopes
        found: list[W] = []
        for edits in index.values():
            at = bisect.bisect_left(edits, line, key=lambda e: e.key.line) - 1
            kept: list[W] = []
            while at >= 0 and len(kept) < MAX_VALUES:
                edit = edits[at]
                if skip is None or self.enclosing.get(id(edit.statement)) is not skip:
                    kept.append(edit.key)
                at -= 1
            found.extend(reversed(kept))
        return found

    def class_states(self, name: str) -> list[State]:
        if name not in self._class_states:
            self._class_states[name] = [{}]
            flow = Flow(self, None, (), depth=0)
            self._class_states[name] = flow.run(self.classes[name].body, [{}])
        return self._class_states[name]

    def global_values(self, name: str) -> list[Value]:
        found = [s[name] for s in self.module_states() if name in s]
        return _bounded(found) if found else [None]

    def class_values(self, owner: str, name: str) -> list[Value]:
        if owner not in self.classes:
            return [None]
        found = [s[name] for s in self.class_states(owner) if name in s]
        return _bounded(found) if found else [None]

    def owner_class(self, node: ast.AST) -> str | None:
        """The class a method belongs to (for `self.X` and `self.helper()`)."""
        scope = self.enclosing.get(id(node))
        while scope is not None and not isinstance(scope, ast.ClassDef | ast.Module):
            scope = self.enclosing.get(id(scope))
        return scope.name if isinstance(scope, ast.ClassDef) else None

    def states_at(self, call: ast.Call) -> list[State]:
        """The reachable states of names in the function (or module) right before `call`. Each
        scope runs once, recording the states at every spawn in it (`targets`)."""
        scope = self.enclosing.get(id(call), self.tree)
        if not isinstance(
            scope, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            return [{}]
        start: State = {}
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            start = {a.arg: None for a in _parameters(scope)}
        if id(scope) not in self._recorded:
            flow = Flow(self, None, (), depth=0)
            flow.targets = list(self._targets_in(scope))
            if call not in flow.targets:
                flow.targets.append(call)
            flow.run(scope.body, [start])
            self._recorded[id(scope)] = flow.recorded
        recorded = self._recorded[id(scope)]
        if id(call) not in recorded:  # added after the scope ran, or after a `return`
            flow = Flow(self, None, (), depth=0)
            flow.targets = [call]
            flow.run(scope.body, [start])
            recorded[id(call)] = flow.recorded.get(id(call), [])
        return recorded[id(call)] or [start]

    def _targets_in(self, scope: ast.AST) -> list[ast.Call]:
        """The targets whose innermost scope is `scope`, grouped once for every scope (a filter
        of all targets per scope was quadratic in a file of many spawning functions)."""
        if self._targets_seen is not self.targets or len(self.targets) != self._targets_count:
            self._targets_by_scope = {}
            for call in self.targets:
                owner = self.enclosing.get(id(call))
                self._targets_by_scope.setdefault(id(owner), []).append(call)
            self._targets_seen, self._targets_count = self.targets, len(self.targets)
        return self._targets_by_scope.get(id(scope), [])


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    arguments = function.args
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]


def _start(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _end(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    return _start(outer) <= _start(inner) < _end(outer)


class Flow:
    """Runs statements over a set of states; evaluates expressions to bounded value sets."""

    def __init__(self, module: Module, target: ast.AST | None, stack: tuple[str, ...], depth: int):
        self.module = module
        self.target = target
        self.stack = stack  # helpers being evaluated (no recursion)
        self.depth = depth
        self.returns: list[Value] = []
        self.targets: list[ast.Call] = []
        self.recorded: dict[int, list[State]] = {}  # id(target) -> the states right before it
        self._sorted_from: list[ast.Call] | None = None  # the targets _sorted was made from
        self._sorted: list[ast.Call] = []  # the targets by position (_targets_within)
        self._positions: list[tuple[int, int]] = []

    # --- statements -------------------------------------------------------------------------

    def run(self, body: Sequence[ast.stmt], states: list[State]) -> list[State]:
        for statement in body:
            if not states:
                return states
            if self.targets:
                self._record(statement, states)
            states = self.statement(statement, states)
        return states

    def _record(self, statement: ast.stmt, states: list[State]) -> None:
        """Targets in this statement but not in one of its arms (those are met when the arm
        runs): `subprocess.run(cmd)`, `if subprocess.run(...).returncode:`."""
        inside = self._targets_within(statement)
        if not inside:
            return
        armed = {id(t) for arm in _arms(statement) for s in arm for t in self._targets_within(s)}
        for target in inside:
            if id(target) not in armed:
                self.recorded.setdefault(id(target), []).extend(states)

    def _targets_within(self, node: ast.AST) -> list[ast.Call]:
        """The targets inside `node` (as _contains reads it), found by bisection in the targets
        sorted by position: a check of every target at every statement was quadratic in a
        module of many spawns."""
        if self._sorted_from is not self.targets or len(self.targets) != len(self._sorted):
            self._sorted = sorted(self.targets, key=_start)
            self._positions = [_start(t) for t in self._sorted]
            self._sorted_from = self.targets
        low = bisect.bisect_left(self._positions, _start(node))
        high = bisect.bisect_left(self._positions, _end(node))
        return self._sorted[low:high]

    def statement(self, node: ast.stmt, states: list[State]) -> list[State]:
        edits = self.module.edits_by_statement.get(id(node))
        if edits:
            states = _with_environ(states, environ_of(states).after(edits))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return states
        if isinstance(node, ast.Return):
            for state in states:
                self.returns.extend(self.values(node.value, state) if node.value else [None])
            return []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                states = self.assign(target, node.value, states)
            return states
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            return self.assign(node.target, node.value, states)
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if isinstance(node.op, ast.Add | ast.BitOr):  # `argv += [...]`, `env |= {...}`
                combined = ast.BinOp(left=node.target, op=node.op, right=node.value)
                return self.assign(node.target, ast.copy_location(combined, node), states)
            return self.assign(node.target, None, states)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            return self.method(node.value, states)
        arms = _arms(node)
        if not arms:
            return states
        merged: list[State] = []
        for arm in arms:
            merged.extend(self.run(arm, [dict(s) for s in states]))
        return _dedupe_states(_join_environ(merged))

    def assign(self, target: ast.expr, value: ast.expr | None, states: list[State]) -> list[State]:
        result: list[State] = []
        for state in states:
            if isinstance(target, ast.Name):
                values = self.values(value, state) if value is not None else [None]
                result.extend({**state, target.id: v} for v in values)
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                # `env["OPENAI_API_KEY"] = k`: a key added to an env built in the file
                name = target.value.id
                current = state.get(name)
                key = self.words(target.slice, state)
                if isinstance(current, Env) and key and isinstance(key[0], W):
                    result.append({**state, name: Env((*current.keys, key[0]), current.inherits)})
                elif isinstance(current, Seq):
                    result.append({**state, name: None})
                else:
                    result.append(state)
            elif isinstance(target, ast.Tuple | ast.List):
                forgotten = dict(state)
                for element in ast.walk(target):
                    if isinstance(element, ast.Name):
                        forgotten[element.id] = None
                if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                    pending = [forgotten]
                    for element, item in zip(target.elts, value.elts, strict=True):
                        pending = self.assign(element, item, pending)
                    result.extend(pending)
                else:
                    result.append(forgotten)
            else:
                result.append(state)
        return _dedupe_states(result)

    def method(self, call: ast.Call, states: list[State]) -> list[State]:
        """`argv.append(x)`, `argv.extend(xs)`, `argv.insert(i, x)`, `env.update(...)`."""
        func = call.func
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
            return states
        name, verb = func.value.id, func.attr
        result: list[State] = []
        for state in states:
            current = state.get(name)
            if isinstance(current, Seq) and verb in ("append", "extend", "insert"):
                items = call.args[1:] if verb == "insert" else call.args[:1]
                if not items:
                    result.append(state)
                    continue
                if verb == "extend":
                    added = self.sequences(items[0], state)
                else:
                    added = [Seq((w,)) for w in self.words(items[0], state)]
                at_start = verb == "insert" and _is_zero(call.args[0])
                for more in added:
                    words = (*more.words, *current.words) if at_start else (
                        *current.words, *more.words)  # fmt: skip
                    result.append({**state, name: Seq(words)})
            elif isinstance(current, Env) and verb in ("update", "setdefault"):
                keys = self.env_keys_of_call(call, state)
                result.append({**state, name: Env((*current.keys, *keys), current.inherits)})
            elif isinstance(current, Seq | Env) and verb in ("clear", "pop", "remove"):
                result.append({**state, name: None})
            else:
                result.append(state)
        return _dedupe_states(result)

    def env_keys_of_call(self, call: ast.Call, state: State) -> list[W]:
        """The keys `update({...}, K=v)` / `setdefault("K", v)` set."""
        keys: list[W] = [_word(k, k.arg) for k in call.keywords if k.arg]
        if call.args:
            first = call.args[0]
            if isinstance(call.func, ast.Attribute) and call.func.attr == "setdefault":
                keys.extend(w for w in self.words(first, state) if isinstance(w.text, str))
            else:
                for value in self.values(first, state):
                    if isinstance(value, Env):
                        keys.extend(value.keys)
        return keys

    # --- expressions ------------------------------------------------------------------------

    def values(self, node: ast.expr | None, state: State, nesting: int = 0) -> list[Value]:
        if node is None or nesting > MAX_NESTING:
            return [None]
        nested = nesting + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return [_word(node, node.value)]
            if isinstance(node.value, int | float) and not isinstance(node.value, bool):
                return [_word(node, str(node.value))]
            return [None]
        if isinstance(node, ast.Name):
            if node.id in state:
                return [state[node.id]]
            return [_put(v, node) for v in self.module.global_values(node.id)]
        if isinstance(node, ast.Attribute):
            return [_put(v, node) for v in self.attribute(node)]
        if isinstance(node, ast.List | ast.Tuple):
            return self.sequence_literal(node.elts, state, nested)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            # `shutil.which("codex") or "codex"`, `os.environ.get("X") or DEFAULT`: any of them
            return _bounded([v for item in node.values for v in self.values(item, state, nested)])
        if isinstance(node, ast.IfExp):
            return _bounded(
                [*self.values(node.body, state, nested), *self.values(node.orelse, state, nested)]
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.add(node, state, nested)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self.percent(node, state, nested)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.union(node, state, nested)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, state, nested)
        if isinstance(node, ast.Dict):
            return self.dict_literal(node, state, nested)
        if isinstance(node, ast.Call):
            return self.call(node, state, nested)
        return [None]

    def attribute(self, node: ast.Attribute) -> list[Value]:
        if dotted(node) in ENVIRON:
            return [Env((), inherits=True)]
        if dotted(node) == "sys.executable":  # the Python interpreter, never codex
            return [_word(node, "python3")]
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in self.module.classes:
            return self.module.class_values(owner.id, node.attr)
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            cls = self.module.owner_class(node)
            if cls is not None:
                found = self.module.class_values(cls, node.attr)
                if found == [None]:
                    found = self.instance_values(cls, node.attr)
                return found
        return [None]

    def instance_values(self, cls: str, name: str) -> list[Value]:
        """`self.name = value` in a method of the class (read with the module's names only)."""
        found: list[Value] = []
        for method in self.module.classes[cls].body:
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            parameters: State = {a.arg: None for a in _parameters(method)}  # not module names
            for node in ast.walk(method):
                if not isinstance(node, ast.Assign):
                    continue
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and dotted(target) == f"self.{name}":
                        found.extend(self.values(node.value, parameters))
        return _bounded(found) if found else [None]

    def words(self, node: ast.expr, state: State, nesting: int = 0) -> list[W]:
        """One word's alternatives (an unknown or non-string value: one unknown word)."""
        found: list[W] = []
        for value in self.values(node, state, nesting):
            found.append(value if isinstance(value, W) else replace(UNKNOWN_WORD,
                         line=getattr(node, "lineno", 0)))  # fmt: skip
        return bounded(found, MAX_VALUES)

    def sequences(self, node: ast.expr, state: State, nesting: int = 0) -> list[Seq]:
        """A spread's alternatives: a sequence, or one unknown spread."""
        found: list[Seq] = []
        for value in self.values(node, state, nesting):
            if isinstance(value, Seq):
                found.append(value)
            elif isinstance(value, W) and isinstance(value.text, str):
                # `[*"ab"]` is letters; `extend("--flag")` likewise: never a real argv
                found.append(Seq((UNKNOWN_SPREAD,)))
            else:
                found.append(Seq((UNKNOWN_SPREAD,)))
        return bounded(found, MAX_VALUES)

    def sequence_literal(self, elements: list[ast.expr], state: State, nesting: int) -> list[Value]:
        parts: list[list[Seq]] = []
        for element in elements:
            if isinstance(element, ast.Starred):
                parts.append(self.sequences(element.value, state, nesting))
            else:
                parts.append([Seq((w,)) for w in self.words(element, state, nesting)])
        return list(_product(parts))

    def add(self, node: ast.BinOp, state: State, nesting: int) -> list[Value]:
        found: list[Value] = []
        for left in self.values(node.left, state, nesting):
            for right in self.values(node.right, state, nesting):
                if isinstance(left, Seq) and isinstance(right, Seq):
                    found.append(Seq(left.words + right.words))
                elif isinstance(left, W) and isinstance(right, W | None):
                    right_text = right.text if right is not None else Unknown.VALUE
                    found.append(replace(left, text=_concat_text(left.text, right_text)))
                elif left is None and isinstance(right, W):
                    found.append(replace(right, text=_concat_text(Unknown.VALUE, right.text)))
                elif isinstance(left, Seq) or isinstance(right, Seq):
                    found.append(Seq((*_words_of(left), *_words_of(right))))
                else:
                    found.append(None)
        return _bounded(found)

    def union(self, node: ast.BinOp, state: State, nesting: int) -> list[Value]:
        """`os.environ | {"K": v}` (PEP 584): a mapping with the keys of both sides, as
        `{**a, **b}` is; an unknown side is a mapping that may copy os.environ, as an unknown
        `**spread` is. `|` of anything else (sets, flags) is no env: unknown."""
        found: list[Value] = []
        for left in self.values(node.left, state, nesting):
            for right in self.values(node.right, state, nesting):
                if not isinstance(left, Env) and not isinstance(right, Env):
                    found.append(None)
                    continue
                found.append(_merge(_as_mapping(left), _as_mapping(right)))
        return _bounded(found)

    def fstring(self, node: ast.JoinedStr, state: State, nesting: int) -> list[Value]:
        """An f-string: its literal text, with each `{x}` a string the file gives x, or `$ARG`."""
        texts = [""]
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                pieces = [part.value]
            elif isinstance(part, ast.FormattedValue):
                pieces = [w.text if isinstance(w.text, str) else "$ARG"
                          for w in self.words(part.value, state, nesting)]  # fmt: skip
            else:
                pieces = ["$ARG"]
            texts = bounded((t + p for t in texts for p in pieces), MAX_VALUES)
        return [_word(node, t) for t in texts]

    def _field(self, node: ast.expr | None, state: State, nesting: int) -> str:
        """What one `%s` / `{}` field puts into a shell string: a string the file gives it, or
        `$ARG` (an unknown word to the shell layer, never codex)."""
        if node is None:
            return "$ARG"
        words = self.words(node, state, nesting)
        texts = {w.text for w in words}
        if len(texts) == 1 and isinstance(words[0].text, str):
            return words[0].text
        return "$ARG"

    def percent(self, node: ast.BinOp, state: State, nesting: int) -> list[Value]:
        """`"codex exec -C %s -" % repo`: the template with each field filled (or `$ARG`)."""
        items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        by_name = isinstance(node.right, ast.Dict)
        found: list[Value] = []
        for template in self.words(node.left, state, nesting):
            if not isinstance(template.text, str):
                found.append(None)
                continue
            fields = iter(items)

            def fill(match: re.Match[str], fields: Iterator[ast.expr] = fields) -> str:
                if match.group(0) == "%%":
                    return "%"
                if by_name or match.group("name") is not None:
                    return "$ARG"
                return self._field(next(fields, None), state, nesting)

            found.append(replace(template, text=_PERCENT_FIELD.sub(fill, template.text)))
        return _bounded(found)

    def format_call(self, node: ast.Call, state: State, nesting: int) -> list[Value]:
        """`"codex exec -C {} -".format(repo)`: the template with each field filled (or `$ARG`)."""
        assert isinstance(node.func, ast.Attribute)
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        found: list[Value] = []
        for template in self.words(node.func.value, state, nesting):
            if not isinstance(template.text, str):
                found.append(None)
                continue
            auto = iter(node.args)

            def fill(match: re.Match[str], auto: Iterator[ast.expr] = auto) -> str:
                if match.group(0) in ("{{", "}}"):
                    return match.group(0)[0]
                key = match.group("key")
                if key == "":
                    return self._field(next(auto, None), state, nesting)
                if key.isdigit():
                    index = int(key)
                    arg = node.args[index] if index < len(node.args) else None
                    return self._field(arg, state, nesting)
                return self._field(keywords.get(key), state, nesting)

            found.append(replace(template, text=_FORMAT_FIELD.sub(fill, template.text)))
        return _bounded(found)

    def dict_literal(self, node: ast.Dict, state: State, nesting: int) -> list[Value]:
        variants: list[Env] = [Env()]
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # `**mapping`
                spread = [v if isinstance(v, Env) else Env((), inherits=True)
                          for v in self.values(value, state, nesting)]  # fmt: skip
                variants = [_merge(a, b) for a in variants for b in spread][:MAX_VALUES]
            else:
                names = [w for w in self.words(key, state, nesting) if isinstance(w.text, str)]
                variants = [Env((*v.keys, *names), v.inherits) for v in variants]
        return list(dict.fromkeys(variants))

    def call(self, node: ast.Call, state: State, nesting: int) -> list[Value]:
        name = dotted(node.func)
        args = node.args
        if name in ("list", "tuple") and len(args) == 1:
            return list(self.sequences(args[0], state, nesting))
        if name in ("os.environ.get", "environ.get", "os.getenv", "getenv") and len(args) == 2:
            # `os.environ.get("CODEX_BIN", "codex")`: the default, or anything
            return _bounded([None, *self.values(args[1], state, nesting)])
        if name in ("shutil.which", "which") and args:
            # `shutil.which("codex")` is that program (or None): its name is what matters
            return list(self.words(args[0], state, nesting))
        if name == "shlex.split" and args:
            return self.split(args[0], state, nesting)
        if name in ("dict", "os.environ.copy", "environ.copy") or (
            isinstance(node.func, ast.Attribute) and node.func.attr == "copy"
        ):
            return self.dict_call(node, state, nesting)
        if name in ("shlex.quote", "pipes.quote") and len(args) == 1:
            return [replace(w, text=shlex.quote(w.text)) if isinstance(w.text, str) else w
                    for w in self.words(args[0], state, nesting)]  # fmt: skip
        if name == "shlex.join" and args:  # before `sep.join(...)`: `shlex` is no separator
            sequences = self.sequences(args[0], state, nesting)
            return [_word(node, _shell_join(s.words)) for s in sequences]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "join" and len(args) == 1:
            return self.join(node, state, nesting)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return self.format_call(node, state, nesting)
        return self.helper(node, state)

    def split(self, node: ast.expr, state: State, nesting: int) -> list[Value]:
        found: list[Value] = []
        for word in self.words(node, state, nesting):
            if not isinstance(word.text, str):
                found.append(Seq((UNKNOWN_SPREAD,)))
                continue
            try:
                parts = shlex.split(word.text)
            except ValueError:
                found.append(None)
                continue
            found.append(Seq(tuple(replace(word, text=p) for p in parts)))
        return _bounded(found)

    def join(self, node: ast.Call, state: State, nesting: int) -> list[Value]:
        assert isinstance(node.func, ast.Attribute)
        separators = self.words(node.func.value, state, nesting)
        found: list[Value] = []
        for separator in separators:
            if not isinstance(separator.text, str):
                return [None]
            for seq in self.sequences(node.args[0], state, nesting):
                found.append(_word(node, join_text(seq.words, separator.text)))
        return _bounded(found)

    def dict_call(self, node: ast.Call, state: State, nesting: int) -> list[Value]:
        """`dict(os.environ, K=v)`, `os.environ.copy()`, `env.copy()`, `dict(**a, **b)`."""
        if isinstance(node.func, ast.Attribute) and node.func.attr == "copy":
            bases = self.values(node.func.value, state, nesting)
        elif node.args:
            bases = self.values(node.args[0], state, nesting)
        else:
            bases = [Env()]
        variants: list[Env] = []
        for base in bases:
            variants.append(base if isinstance(base, Env) else Env((), inherits=base is None))
        for keyword in node.keywords:
            if keyword.arg is None:
                spread = [v if isinstance(v, Env) else Env((), inherits=True)
                          for v in self.values(keyword.value, state, nesting)]  # fmt: skip
                variants = [_merge(a, b) for a in variants for b in spread][:MAX_VALUES]
            else:
                key = _word(keyword, keyword.arg)
                variants = [Env((*v.keys, key), v.inherits) for v in variants]
        return list(dict.fromkeys(variants))

    def helper(self, node: ast.Call, state: State) -> list[Value]:
        """A function of this file: the values its `return`s give, its parameters bound to the
        call's arguments (unknown when not literal)."""
        function = self._function(node)
        if function is None or self.depth >= MAX_CALL_DEPTH or function.name in self.stack:
            return [None]
        bound = self.bind(function, node, state)
        key = (id(function), self.depth, self.stack,
               tuple(tuple(sorted(s.items(), key=lambda kv: kv[0])) for s in bound))  # fmt: skip
        cached = self.module.helper_results.get(key)
        if cached is not None:
            return cached
        inner = Flow(self.module, None, (*self.stack, function.name), self.depth + 1)
        inner.run(function.body, bound)
        label = f"{function.name}()"
        last = function.end_lineno or function.lineno
        found = [_via(v, label, function.lineno, last) for v in inner.returns]
        result: list[Value] = _bounded(found) if found else [None]
        self.module.helper_results[key] = result
        return result

    def bind(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, node: ast.Call, state: State
    ) -> list[State]:
        """The function's parameters bound to the call's arguments (each read in `state`):
        defaults, keywords, and `*args` as the sequence of the positional arguments left over
        (`run("codex", "exec", *flags)` -> args is `("codex", "exec", *flags)`); a value the
        call does not give is unknown."""
        start: State = {}
        parameters = _parameters(function)
        positional = [*function.args.posonlyargs, *function.args.args]
        if (
            positional
            and positional[0].arg in ("self", "cls")
            and isinstance(node.func, ast.Attribute)
        ):
            positional = positional[1:]
        defaults = function.args.defaults
        first_default = len(positional) - len(defaults)
        for index, parameter in enumerate(positional):
            if index >= first_default >= 0 and index - first_default < len(defaults):
                default = defaults[index - first_default]
                start[parameter.arg] = self.values(default, {})[0]
            else:
                start[parameter.arg] = None
        for parameter, keyword_default in zip(function.args.kwonlyargs, function.args.kw_defaults,
                                      strict=True):  # fmt: skip
            start[parameter.arg] = (
                self.values(keyword_default, {})[0] if keyword_default is not None else None
            )
        for parameter in parameters:
            start.setdefault(parameter.arg, None)
        for rest in (function.args.vararg, function.args.kwarg):
            if rest is not None:
                start[rest.arg] = None  # `*args`, `**kw`: never a module name of the same spelling
        bound: list[State] = [start]
        taken = 0  # positional arguments bound to named parameters
        for parameter, argument in zip(positional, node.args, strict=False):
            if isinstance(argument, ast.Starred):
                break
            bound = [{**s, parameter.arg: v} for s in bound
                     for v in self.values(argument, state)][:MAX_STATES]  # fmt: skip
            taken += 1
        vararg = function.args.vararg
        if vararg is not None and taken == len(positional):
            extra = self.sequence_literal(node.args[taken:], state, 0)
            bound = [{**s, vararg.arg: v} for s in bound for v in extra][:MAX_STATES]
        names = {p.arg for p in parameters}
        for keyword in node.keywords:
            if keyword.arg in names:
                bound = [{**s, keyword.arg: v} for s in bound
                         for v in self.values(keyword.value, state)][:MAX_STATES]  # fmt: skip
        return bound

    def _function(self, node: ast.Call) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        func = node.func
        if isinstance(func, ast.Name):
            return self.module.functions.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            if owner in ("self", "cls"):
                owner = self.module.owner_class(node) or ""
            cls = self.module.classes.get(owner)
            if cls is None:
                return None
            for item in cls.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    item.name == func.attr
                ):
                    return item
        return None


# `%s`, `%(name)s`, `%-10d`, `%%` (printf-style formatting)
_PERCENT_FIELD = re.compile(r"%%|%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.\d+)?[a-zA-Z]")
# `{}`, `{0}`, `{repo}`, `{x!r:>10}`, `{{`, `}}` (str.format); attribute/index keys are unknown.
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{(?P<key>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")


def _put(value: Value, node: ast.expr) -> Value:
    """A constant's words, marked with where its name was used (the first use is kept)."""

    def mark(word: W) -> W:
        if word.put_line:
            return word
        return replace(word, put_line=node.lineno, put_column=node.col_offset + 1)

    if isinstance(value, W):
        return mark(value)
    if isinstance(value, Seq):
        return Seq(tuple(mark(w) for w in value.words))
    if isinstance(value, Env):
        return Env(tuple(mark(k) for k in value.keys), value.inherits)
    return value


def _concat_text(left: str | Unknown, right: str | Unknown) -> str | Unknown:
    """`"codex exec --yolo " + shlex.quote(p)`: read as the f-string `f"codex exec --yolo {p}"`
    is (an unknown piece is `$ARG` in the text); unknown when neither side is known text."""
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    if isinstance(left, str) and right is Unknown.VALUE and left:
        return left + "$ARG"
    if isinstance(right, str) and left is Unknown.VALUE and right:
        return "$ARG" + right
    return Unknown.VALUE


def _words_of(value: Value) -> tuple[W, ...]:
    if isinstance(value, Seq):
        return value.words
    if isinstance(value, W):
        return (value,)
    return (UNKNOWN_SPREAD,)


def _shell_join(words: Sequence[W]) -> str:
    """`shlex.join(argv)`: each word quoted for the shell (unknown ones as `"$ARG"`)."""
    return " ".join(shlex.quote(w.text) if isinstance(w.text, str) else '"$ARG"' for w in words)


def _as_mapping(value: Value) -> Env:
    """A side of a mapping union: an env, or one the linter cannot read (it may copy os.environ)."""
    return value if isinstance(value, Env) else Env((), inherits=True)


def _merge(a: Env, b: Env) -> Env:
    return Env((*a.keys, *b.keys), a.inherits or b.inherits)


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


def _product(parts: Sequence[Sequence[Seq]]) -> Iterator[Seq]:
    return iter(product(parts, MAX_VALUES, Seq(()), _concat))


def _concat(head: Seq, tail: Seq) -> Seq:
    return Seq(head.words + tail.words)


def _arms(node: ast.stmt) -> list[list[ast.stmt]]:
    """The alternative statement lists of a compound statement ([] for a simple one). A loop's
    body runs once or not at all; a `try` body is followed by its `else`, or cut short into a
    handler; `with` and `finally` always run."""
    if isinstance(node, ast.If):
        return [node.body, node.orelse]
    if isinstance(node, ast.For | ast.AsyncFor | ast.While):
        return [node.body + node.orelse, node.orelse]
    if isinstance(node, ast.With | ast.AsyncWith):
        return [node.body]
    if isinstance(node, ast.Try | ast.TryStar):
        arms = [node.body + node.orelse + node.finalbody]
        arms.extend(h.body + node.finalbody for h in node.handlers)
        return arms
    if isinstance(node, ast.Match):
        arms = [case.body for case in node.cases]
        return [*arms, []]
    return []


# --- edits of the process environment ------------------------------------------------------


def environ_edits(tree: ast.Module) -> list[EnvironEdit]:
    """Every edit of the process environment in the file, in file order."""
    found = [e for node in ast.walk(tree) if isinstance(node, ast.stmt)
             for e in _statement_edits(node)]  # fmt: skip
    return sorted(found, key=lambda e: (e.key.line, e.key.column))


def _statement_edits(statement: ast.stmt) -> Iterator[EnvironEdit]:
    """The edits `statement` makes itself (those of the statements nested in it are theirs)."""
    if isinstance(statement, ast.Assign | ast.Delete):
        removes = isinstance(statement, ast.Delete)
        for target in statement.targets:
            key = _environ_item(target)
            if key is not None:
                yield EnvironEdit(_word(statement, key), removes, statement)
    if _updates_environ(statement):
        assert isinstance(statement, ast.AugAssign) and isinstance(statement.value, ast.Dict)
        for item in statement.value.keys:
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                yield EnvironEdit(_word(item, item.value), False, statement)
    for node in _own_nodes(statement):
        if isinstance(node, ast.Call):
            yield from _call_edits(node, statement)


def _updates_environ(statement: ast.stmt) -> bool:
    """`os.environ |= {"K": v}`: the mapping updated in place, as `.update({...})` does."""
    return (
        isinstance(statement, ast.AugAssign)
        and isinstance(statement.op, ast.BitOr)
        and dotted(statement.target) in ENVIRON
        and isinstance(statement.value, ast.Dict)
    )


def _own_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The expressions of `statement`, not those of the statements nested in it."""
    stack = list(ast.iter_child_nodes(statement))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _environ_item(target: ast.expr) -> str | None:
    """`os.environ["K"]` -> "K"."""
    if not isinstance(target, ast.Subscript) or dotted(target.value) not in ENVIRON:
        return None
    key = target.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _call_edits(call: ast.Call, statement: ast.stmt) -> Iterator[EnvironEdit]:
    """`os.environ.update(K=v)` / `.update({"K": v})` / `.setdefault("K", v)`, `os.putenv("K",
    v)`; `os.environ.pop("K", ...)` removes K only as a statement of its own or the value of an
    assignment (not under `and`/`or`, a conditional or a lambda, which may not run it)."""
    if not isinstance(call.func, ast.Attribute):
        return
    owner, verb = dotted(call.func.value), call.func.attr
    first = call.args[0] if call.args else None
    literal = first.value if isinstance(first, ast.Constant) else None
    named = literal if isinstance(literal, str) else None
    if owner in ENVIRON and verb == "update":
        yield from (EnvironEdit(_word(call, k.arg), False, statement) for k in call.keywords
                    if k.arg)  # fmt: skip
        if isinstance(first, ast.Dict):
            for item in first.keys:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    yield EnvironEdit(_word(call, item.value), False, statement)
    elif owner in ENVIRON and verb == "setdefault" and named:
        yield EnvironEdit(_word(call, named), False, statement)
    elif owner == "os" and verb == "putenv" and named:
        yield EnvironEdit(_word(call, "putenv:" + named), False, statement)
    elif owner in ENVIRON and verb == "pop" and named and _whole_value(call, statement):
        yield EnvironEdit(_word(call, named), True, statement)


def _whole_value(call: ast.Call, statement: ast.stmt) -> bool:
    """Is `call` all the statement runs (`os.environ.pop(K)`, `old = os.environ.pop(K)`)?"""
    if isinstance(statement, ast.Expr | ast.Assign | ast.AnnAssign):
        return statement.value is call
    return False
