"""Static values in JavaScript/TypeScript: the strings, arrays and objects a spawn receives.

Scope is the file as written: a name is what its last declaration before the call says (nearest
enclosing scope first); an array is followed through the statements of the spawn's function
(`push`, reassignment, spreads) with every `if`/`switch`/loop arm kept apart, so each reachable
argv is one variant (the walk and the bounded join are valueset.BranchFlow's, shared with Go and
Python). Conditions are never evaluated: every arm is a possible value. Anything else is Unknown:
never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guard.sources.spawnline import (
    MAX_VARIANTS,
    Argv,
    Unknown,
    Word,
    contains,
    dedupe,
    product,
    text_of,
    walk,
)
from guard.sources.valueset import BranchFlow, join_states

FUNCTIONS = frozenset(
    {"function_declaration", "function_expression", "arrow_function", "method_definition",
     "generator_function_declaration", "generator_function"}
)  # fmt: skip
SCOPES = FUNCTIONS | {"program", "statement_block"}
WRAPPERS = frozenset(
    {"parenthesized_expression", "await_expression", "as_expression", "satisfies_expression",
     "non_null_expression", "type_assertion"}
)  # fmt: skip
LOOPS = frozenset(
    {"for_statement", "for_in_statement", "while_statement", "do_statement"}
)  # fmt: skip
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}
MAX_DEPTH = 8  # names that refer to names: `a = b; b = c; ...`
MAX_CALL_DEPTH = 3  # a helper that calls a helper that calls a helper
MAX_NESTING = 64  # arrays in arrays, spreads of names: past this, a value is unknown
FALLBACKS = frozenset({"||", "??"})  # `a || b`: a, or b when a is empty/unset
NAMES = frozenset({"identifier", "shorthand_property_identifier"})  # `{ env }` names `env`

State = dict[str, Argv]  # tracked array names -> one reachable value


def unwrap(node: Any) -> Any:
    while node is not None and node.type in WRAPPERS:
        inner = [c for c in node.named_children if c.type not in ("type_annotation",)]
        node = inner[0] if inner else None
    return node


def string_value(node: Any) -> str | None:
    """A string literal or a template with no substitution, decoded; else None."""
    node = unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return None
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(text_of(child))
        elif child.type == "escape_sequence":
            raw = text_of(child)[1:]
            parts.append(ESCAPES.get(raw, raw) if len(raw) == 1 else raw)
        else:
            return None  # a ${substitution}
    return "".join(parts)


def string_value_part(child: Any) -> str | None:
    """A string's or template's literal piece, decoded (None for a `${substitution}`)."""
    if child.type == "string_fragment":
        return text_of(child)
    if child.type == "escape_sequence":
        raw = text_of(child)[1:]
        return ESCAPES.get(raw, raw) if len(raw) == 1 else raw
    return None


def property_name(node: Any) -> str | None:
    if node is None:
        return None
    if node.type in ("property_identifier", "identifier", "shorthand_property_identifier"):
        return text_of(node)
    return string_value(node)


class Values:
    """Declarations of one file, looked up by name from a position."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.declarations: dict[str, list[tuple[Any, Any]]] = {}  # name -> [(declarator, value)]
        self.statics: dict[str, Any] = {}  # "Lanes.WORKER" -> the value of `static WORKER = ...`
        self.fields: dict[str, Any] = {}  # "Runner.flags" -> an instance field's initialiser
        self.methods: dict[str, Any] = {}  # "Runner.buildArgs" -> the method
        self.functions: dict[str, Any] = {}  # name -> a function declared in the file
        self.bindings: list[dict[str, Any]] = []  # a helper's parameters, bound to its arguments
        self.open_templates: set[int] = set()  # templates being read (a self-reference is unknown)
        for node in walk(root):
            if node.type == "variable_declarator":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
                if name is not None and name.type == "identifier" and value is not None:
                    self.declarations.setdefault(text_of(name), []).append((node, value))
                    if unwrap(value) is not None and unwrap(value).type in FUNCTIONS:
                        self.functions.setdefault(text_of(name), unwrap(value))
            elif node.type in ("function_declaration", "generator_function_declaration"):
                name = node.child_by_field_name("name")
                if name is not None:
                    self.functions.setdefault(text_of(name), node)
            elif node.type in ("class_declaration", "class"):
                self._statics(node)

    def _statics(self, declaration: Any) -> None:
        name, body = (
            declaration.child_by_field_name("name"),
            declaration.child_by_field_name("body"),
        )
        if name is None or body is None:
            return
        for member in body.named_children:
            if member.type == "method_definition":
                method = member.child_by_field_name("name")
                if method is not None:
                    self.methods.setdefault(f"{text_of(name)}.{text_of(method)}", member)
                continue
            if member.type not in ("public_field_definition", "field_definition"):
                continue
            static = any(c.type == "static" for c in member.children)
            prop = member.child_by_field_name("name") or member.child_by_field_name("property")
            value = member.child_by_field_name("value")
            if prop is not None and value is not None:
                table = self.statics if static else self.fields
                table[f"{text_of(name)}.{text_of(prop)}"] = value

    def member(self, node: Any) -> Any:
        """The value of a class field a member expression reads: `Lanes.WORKER` (static) or
        `this.flags` in a method of the class (static or an instance field's initialiser);
        None for anything else."""
        if node is None or node.type != "member_expression":
            return None
        key = _member_name(node)
        if key is None:
            return None
        return self.statics.get(key) if not key.startswith("this:") else (
            self.statics.get(key[5:]) or self.fields.get(key[5:])
        )  # fmt: skip

    def helper(self, call: Any) -> Any:
        """The function of this file a call names (`build(...)`), or None."""
        function = unwrap(call.child_by_field_name("function"))
        if function is not None and function.type == "member_expression":
            key = _member_name(function)  # `this.buildArgs(...)`, `Lanes.argv(...)`
            return self.methods.get(key.removeprefix("this:")) if key is not None else None
        if function is None or function.type != "identifier":
            return None
        return self.functions.get(text_of(function))

    def returned_objects(self, call: Any) -> list[tuple[Any, Any]]:
        """The object literals a helper of the file returns (`return {...process.env, K: v}`),
        each with the return it is read at."""
        function = self.helper(call)
        if function is None or self.bindings:
            return []
        body = function.child_by_field_name("body")
        found: list[tuple[Any, Any]] = []
        if body is not None and body.type != "statement_block":
            candidates = [(body, body)]
        else:
            candidates = [(r.named_children[0], r) for r in _own_returns(body) if r.named_children]
        for value, at in candidates:
            resolved = self.resolve(value, at)
            if resolved is not None and resolved.type == "object":
                found.append((resolved, at))
            else:
                return []  # one return we cannot read: no claim
        return found

    def returns(self, call: Any, depth: int) -> list[Argv]:
        """A helper's return values as arrays, its parameters bound to the call's arguments (each
        resolved at the call); bounded by MAX_CALL_DEPTH and never recursive."""
        function = self.helper(call)
        if function is None or len(self.bindings) >= MAX_CALL_DEPTH:
            return [(Unknown.SPREAD,)]
        if any(b.get("\0function") is function for b in self.bindings):
            return [(Unknown.SPREAD,)]
        binding: dict[str, Any] = {"\0function": function}
        parameters = function.child_by_field_name("parameters")
        arguments = call.child_by_field_name("arguments")
        given = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
        names = _parameter_names(function, parameters)
        for index, name in enumerate(names):
            value = self.resolve(given[index], call) if index < len(given) else None
            binding[name] = value
        self.bindings.append(binding)
        try:
            body = function.child_by_field_name("body")
            found: list[Argv] = []
            if body is not None and body.type != "statement_block":
                found.extend(self.array(body, body, None, spread=True, depth=depth + 1))
            for node in _own_returns(body):
                value = node.named_children[0] if node.named_children else None
                states = ArrayFlow(self, node).states() or [{}]
                for state in states:
                    found.extend(self.array(value, node, state, spread=True, depth=depth + 1))
            return dedupe(found) or [(Unknown.SPREAD,)]
        finally:
            self.bindings.pop()

    def declared(self, name: str, at: Any) -> Any:
        """The value of the last declaration of `name` before `at` in a scope holding `at`."""
        best = None
        for declarator, value in self.declarations.get(name, ()):
            if declarator.start_byte > at.start_byte or contains(declarator, at):
                continue
            scope = _scope_of(declarator)
            in_scope = scope is not None and contains(scope, at)
            if in_scope and (best is None or declarator.start_byte > best[0].start_byte):
                best = (declarator, value)
        return None if best is None else best[1]

    def resolve(self, node: Any, at: Any, depth: int = 0) -> Any:
        """Follow an identifier to its declared value (a few hops); other nodes as they are."""
        node = unwrap(node)
        field = self.member(node)
        if field is not None:
            node = unwrap(field)
        while node is not None and node.type in NAMES and depth < MAX_DEPTH:
            name = text_of(node)
            if (
                self.bindings
                and name in self.bindings[-1]
                and contains(self.bindings[-1]["\0function"], node)
            ):
                bound = self.bindings[-1][name]
                return bound if bound is not None else node
            value = self.declared(name, at)
            if value is None:
                return node
            node, depth = unwrap(value), depth + 1
        return node

    def string(self, node: Any, at: Any) -> str | None:
        resolved = self.resolve(node, at)
        value = string_value(resolved)
        if value is None and resolved is not None and resolved.type == "template_string":
            return self.template(resolved, at, unknown=None)
        if value is None and resolved is not None and _method(resolved) == "join":
            return self._joined(resolved, at)
        if value is None and resolved is not None and _operator(resolved) == "+":
            left = resolved.child_by_field_name("left")
            right = resolved.child_by_field_name("right")
            a, b = self.string(left, at), self.string(right, at)
            return a + b if a is not None and b is not None else None
        return value

    def template(self, node: Any, at: Any, unknown: str | None) -> str | None:
        r"""A template string with each `${x}` the string the file gives x; a part it cannot
        read is `unknown` (None: the whole string is unknown). A template that names itself
        (`a = \`${a}x\``) is unknown there, not a loop."""
        if node.id in self.open_templates or len(self.open_templates) >= MAX_DEPTH:
            return None
        self.open_templates.add(node.id)
        try:
            return self._template(node, at, unknown)
        finally:
            self.open_templates.discard(node.id)

    def _template(self, node: Any, at: Any, unknown: str | None) -> str | None:
        parts: list[str] = []
        for child in node.named_children:
            if child.type == "template_substitution":
                inner = child.named_children[0] if child.named_children else None
                text = self.string(inner, at) if inner is not None else None
                if text is None and unknown is None:
                    return None
                parts.append(text if text is not None else str(unknown))
            else:
                piece = string_value_part(child)
                if piece is None:
                    return None
                parts.append(piece)
        return "".join(parts)

    def _joined(self, call: Any, at: Any) -> str | None:
        """`[...].join(" ")`: the words as one string, unknown ones as `$ARG` (its one value)."""
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        given = [a for a in arguments.named_children if a.type != "comment"] if arguments else []
        separator = self.string(given[0], at) if given else ","
        owner = function.child_by_field_name("object") if function is not None else None
        variants = self.array(owner, at) if owner is not None else []
        if separator is None or len(variants) != 1:
            return None
        return separator.join("$ARG" if isinstance(w, Unknown) else w for w in variants[0])

    def words(
        self, node: Any, at: Any, state: State | None = None, depth: int = 0
    ) -> list[tuple[Word, ...]]:
        """One argv element: its reachable word alternatives (a ternary gives two)."""
        node = unwrap(node)
        if node is None or depth > MAX_NESTING:
            return [(Unknown.VALUE,)]
        if node.type == "ternary_expression":
            return dedupe(
                [
                    *self.words(node.child_by_field_name("consequence"), at, state, depth + 1),
                    *self.words(node.child_by_field_name("alternative"), at, state, depth + 1),
                ]
            )
        if node.type == "spread_element":
            inner = node.named_children[0] if node.named_children else None
            return self.array(inner, at, state, spread=True, depth=depth + 1)
        resolved = self.resolve(node, at)
        if resolved is not None and _operator(resolved) in FALLBACKS:
            # `process.env.CODEX_BIN || "codex"`: either side may be the value (as Python's
            # `os.environ.get("CODEX_BIN", "codex")` is the default or anything)
            return dedupe(
                [
                    *self.words(resolved.child_by_field_name("left"), at, state, depth + 1),
                    *self.words(resolved.child_by_field_name("right"), at, state, depth + 1),
                ]
            )
        text = self.string(node, at)
        if text is not None:
            return [(text,)]
        if node.type == "template_string":
            # Words with a part the file does not give: one unknown word, unless the text is
            # several words (`bash -c \`codex exec -C ${dir}\``): only a shell reads those, and
            # there the unknown part is `$ARG`, as in an f-string (pyvalues).
            line = self.template(node, at, unknown="$ARG")
            if line is not None and len(line.split()) > 1:
                return [(line,)]
        if node.type in ("true", "false", "number"):
            return [(text_of(node),)]
        return [(Unknown.VALUE,)]

    def array(
        self,
        node: Any,
        at: Any,
        state: State | None = None,
        spread: bool = False,
        depth: int = 0,
    ) -> list[Argv]:
        """An array's reachable values; an unknown array is one unknown spread. `depth` bounds
        names that refer back to themselves (`a = [...b]; b = [...a]`)."""
        node = unwrap(node)
        field = self.member(node)
        if field is not None:
            node = unwrap(field)
        unknown: list[Argv] = [(Unknown.SPREAD,)] if spread else []
        if node is None or depth > MAX_NESTING:
            return unknown
        if node.type == "ternary_expression":
            return dedupe(
                [
                    *self.array(
                        node.child_by_field_name("consequence"), at, state, spread, depth + 1
                    ),
                    *self.array(
                        node.child_by_field_name("alternative"), at, state, spread, depth + 1
                    ),
                ]
            )
        if node.type in NAMES:
            name = text_of(node)
            if state is not None and name in state:
                return [state[name]]
            resolved = self.resolve(node, at)
            if resolved is None or resolved.type in NAMES:
                return unknown
            return self.array(resolved, at, None, spread, depth + 1)
        if node.type == "array":
            return product([self.words(e, at, state, depth + 1) for e in node.named_children])
        if node.type in ("null", "undefined"):
            return [()]
        if node.type == "call_expression" and _method(node) == "concat":
            function = node.child_by_field_name("function")
            owner = function.child_by_field_name("object")
            arguments = node.child_by_field_name("arguments")
            parts = [self.array(owner, at, state, True, depth + 1)]
            for argument in arguments.named_children if arguments is not None else []:
                if argument.type != "comment":
                    parts.append(self.array(argument, at, state, False, depth + 1))
            return product(parts)
        if node.type == "call_expression" and self.helper(node) is not None:
            return self.returns(node, depth)
        if node.type == "call_expression" and _method(node) not in ("join", "toString"):
            return [(Unknown.SPREAD,)]  # an array some call returns: any number of words
        if spread:
            return unknown
        return [(w,) for alternative in self.words(node, at, state, depth + 1) for w in alternative]

    def object_pairs(self, node: Any, at: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
        """`{a: 1, b, ...rest}` -> ("a", value), ("b", identifier), ("...", spread argument)."""
        node = self.resolve(node, at)
        if node is None or not is_object(node) or depth > MAX_DEPTH:
            return
        if node.type == "call_expression":  # `Object.assign({}, process.env, {K: v})`
            arguments = node.child_by_field_name("arguments")
            for argument in arguments.named_children if arguments is not None else []:
                resolved = self.resolve(argument, at)
                if resolved is not None and is_object(resolved):
                    yield from self.object_pairs(resolved, at, depth + 1)
                elif argument.type != "comment":
                    yield "...", argument
            return
        for child in node.named_children:
            if child.type == "pair":
                name = property_name(child.child_by_field_name("key"))
                if name is not None:
                    yield name, child.child_by_field_name("value")
            elif child.type == "shorthand_property_identifier":
                yield text_of(child), child
            elif child.type == "spread_element" and child.named_children:
                argument = unwrap(child.named_children[0])
                resolved = self.resolve(argument, at)
                if resolved is not None and is_object(resolved):
                    yield from self.object_pairs(resolved, at, depth + 1)
                else:
                    yield "...", argument

    def keys_set_on(self, name: str, at: Any) -> list[tuple[str, Any | None]]:
        """Keys the spawn's function (or the program) adds to the object `name` before `at`, on
        any branch: `env.K = v`, `env["K"] = v`, `Object.assign(env, {K: v})`; a `delete env.K`
        that always runs (not under a branch) takes K out again: (K, None). In statement order;
        each added key comes with the node that wrote it."""
        body = scope_body(at)
        found: list[tuple[str, Any]] = []
        for node in walk(body):
            if node.start_byte >= at.start_byte:
                break
            if _inner_function(node, body):
                continue  # a write in a nested function happens only when that runs
            if node.type == "assignment_expression":
                key = _member_key(unwrap(node.child_by_field_name("left")), name)
                if key is not None:
                    found.append((key, node))
            elif node.type == "call_expression" and _callee(node) == "Object.assign":
                arguments = node.child_by_field_name("arguments")
                given = [a for a in arguments.named_children if a.type != "comment"]
                if given and given[0].type == "identifier" and text_of(given[0]) == name:
                    for argument in given[1:]:
                        found.extend((k, argument) for k, _v in self.object_pairs(argument, at)
                                     if k != "...")  # fmt: skip
            elif node.type == "unary_expression" and text_of(node).startswith("delete"):
                key = _member_key(unwrap(node.named_children[0]), name)
                statement = node.parent
                always = statement is not None and statement.parent.id == body.id
                if key is not None and always and statement.type == "expression_statement":
                    found.append((key, None))
        return found

    def option(self, options: Any, name: str, at: Any) -> Any:
        """The last value given to `name` in an options object (None when absent)."""
        found = None
        for key, value in self.object_pairs(options, at):
            if key == name:
                found = value
        return found


def env_key_writers(root: Any) -> dict[str, list[Any]]:
    """Where the file writes each name an env object may carry: `K: v` / `"K": v` / `{ K }` in
    an object literal, `process.env.K = v` and `env.K = v` / `env["K"] = v` (origins of a
    spawn's env keys: spawnline.LiteralIndex)."""
    found: dict[str, list[Any]] = {}
    for node in walk(root):
        key: Any = None
        if node.type == "pair" and node.parent is not None and node.parent.type == "object":
            key = node.child_by_field_name("key")
        elif node.type == "shorthand_property_identifier":
            key = node
        elif node.type == "assignment_expression":
            left = unwrap(node.child_by_field_name("left"))
            if left is not None and left.type in ("member_expression", "subscript_expression"):
                key = left
                name = property_name(
                    left.child_by_field_name("property") or left.child_by_field_name("index")
                )
                if name:
                    found.setdefault(name, []).append(key)
                continue
        name = property_name(key)
        if key is not None and name:
            found.setdefault(name, []).append(key)
    return found


def is_object(node: Any) -> bool:
    """An object literal, or `Object.assign(...)` (an object built of its arguments)."""
    return bool(node.type == "object" or (
        node.type == "call_expression" and _callee(node) == "Object.assign"
    ))  # fmt: skip


def _operator(node: Any) -> str:
    """A binary expression's operator (`+`, `||`, `??`); "" for any other node."""
    if node.type != "binary_expression":
        return ""
    operator = node.child_by_field_name("operator")
    return text_of(operator) if operator is not None else ""


def _callee(call: Any) -> str:
    function = call.child_by_field_name("function")
    return text_of(function) if function is not None else ""


def _member_key(node: Any, owner: str) -> str | None:
    """`env.K` / `env["K"]` with `env` named `owner` -> "K"."""
    if node is None or node.type not in ("member_expression", "subscript_expression"):
        return None
    target = node.child_by_field_name("object")
    if target is None or target.type != "identifier" or text_of(target) != owner:
        return None
    return property_name(node.child_by_field_name("property") or node.child_by_field_name("index"))


def _inner_function(node: Any, body: Any) -> bool:
    """Is `node` inside a function nested in `body` (its writes happen only when that runs)?"""
    ancestor = node.parent
    while ancestor is not None and ancestor.id != body.id:  # (tree-sitter nodes: compare ids)
        if ancestor.type in FUNCTIONS:
            return True
        ancestor = ancestor.parent
    return False


def _member_name(node: Any) -> str | None:
    """`Lanes.X` -> "Lanes.X"; `this.X` in a class `Runner` -> "this:Runner.X"; else None."""
    owner = node.child_by_field_name("object")
    prop = node.child_by_field_name("property")
    if owner is None or prop is None or prop.type not in ("property_identifier",):
        return None
    if owner.type == "identifier":
        return f"{text_of(owner)}.{text_of(prop)}"
    if owner.type != "this":
        return None
    for ancestor in _ancestors(node):
        if ancestor.type in ("class_declaration", "class"):
            name = ancestor.child_by_field_name("name")
            return f"this:{text_of(name)}.{text_of(prop)}" if name is not None else None
    return None


def _method(call: Any) -> str:
    """`x.concat(...)` -> "concat"; "" for anything else."""
    if call is None or call.type != "call_expression":
        return ""
    function = call.child_by_field_name("function")
    if function is None or function.type != "member_expression":
        return ""
    prop = function.child_by_field_name("property")
    return text_of(prop) if prop is not None else ""


def _parameter_names(function: Any, parameters: Any) -> list[str]:
    """`(a, b = 1, ...rest)` -> ["a", "b"]; an arrow's lone `x => ...` -> ["x"]."""
    if parameters is None:
        single = function.child_by_field_name("parameter")
        return [text_of(single)] if single is not None and single.type == "identifier" else []
    names: list[str] = []
    for parameter in parameters.named_children:
        pattern = parameter.child_by_field_name("pattern") or parameter
        if pattern.type == "assignment_pattern":
            pattern = pattern.child_by_field_name("left") or pattern
        names.append(text_of(pattern) if pattern.type == "identifier" else "\0")
    return names


def _own_returns(body: Any) -> Iterator[Any]:
    """The `return` statements of a function body, not of functions nested in it."""
    if body is None:
        return
    stack = list(reversed(body.named_children))
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            yield node
        elif node.type not in FUNCTIONS and node.type != "class_declaration":
            stack.extend(reversed(node.named_children))


def scope_body(node: Any) -> Any:
    """The body whose statements run before `node`: its innermost function's, or the program."""
    for ancestor in (node, *_ancestors(node)):
        if ancestor.type in FUNCTIONS:
            body = ancestor.child_by_field_name("body")
            return body if body is not None else ancestor
        if ancestor.type == "program":
            return ancestor
    return node


def _ancestors(node: Any) -> Iterator[Any]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _scope_of(declarator: Any) -> Any:
    return next((a for a in _ancestors(declarator) if a.type in SCOPES), None)


# --- following arrays through statements -----------------------------------------------------


def arms(node: Any) -> list[list[Any]] | None:
    """The alternative statement lists of a compound statement (an empty one: skipped); None for
    a simple statement."""
    kind = node.type
    if kind == "statement_block":
        return [list(node.named_children)]
    if kind == "if_statement":
        consequence = node.child_by_field_name("consequence")
        alternative = node.child_by_field_name("alternative")
        otherwise = list(alternative.named_children) if alternative is not None else []
        return [[consequence] if consequence is not None else [], otherwise]
    if kind in LOOPS:
        body = node.child_by_field_name("body")
        return [[body] if body is not None else [], []]
    if kind == "switch_statement":
        body = node.child_by_field_name("body")
        cases = list(body.named_children) if body is not None else []
        options = [[s for s in c.named_children if c.child_by_field_name("value") != s]
                   for c in cases]  # fmt: skip
        if not any(c.type == "switch_default" for c in cases):
            options.append([])
        return options
    if kind == "try_statement":
        return [[c for c in node.named_children if c.type in ("statement_block", "finally_clause")]]
    if kind in ("finally_clause", "else_clause"):
        return [list(node.named_children)]
    return None


class ArrayFlow(BranchFlow[Argv]):
    """The reachable values of every array name at one call, statement by statement (the walk
    and the join are valueset.BranchFlow's; the statement kinds are JavaScript's)."""

    limit = MAX_VARIANTS

    def __init__(self, values: Values, target: Any) -> None:
        super().__init__(target)
        self.values = values

    def states(self) -> list[State]:
        body = scope_body(self.target)
        if body.type in ("statement_block", "program"):
            statements = list(body.named_children)
        else:
            statements = [body]  # an arrow function's expression body
        found, _ = self.run(statements, [{}])
        return found

    def arms(self, node: Any) -> list[list[Any]] | None:
        return arms(node)

    def step(self, statement: Any, states: list[State]) -> list[State]:
        if statement.type in ("lexical_declaration", "variable_declaration"):
            for declarator in statement.named_children:
                if declarator.type != "variable_declarator":
                    continue
                name = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if name is not None and name.type == "identifier":
                    states = self.assign(text_of(name), value, states)
            return states
        if statement.type == "expression_statement" and statement.named_children:
            return self.expression(statement.named_children[0], states)
        return states

    def expression(self, node: Any, states: list[State]) -> list[State]:
        node = unwrap(node)
        if node is None:
            return states
        if node.type == "binary_expression" and text_of(node.child(1)) in ("&&", "||", "??"):
            right = node.child_by_field_name("right")
            taken = self.expression(right, [dict(s) for s in states])
            return _dedupe_states(states + taken)
        if node.type == "ternary_expression":
            return _dedupe_states(
                self.expression(node.child_by_field_name("consequence"), [dict(s) for s in states])
                + self.expression(
                    node.child_by_field_name("alternative"), [dict(s) for s in states]
                )
            )
        if node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                return self.assign(text_of(left), node.child_by_field_name("right"), states)
            return states
        if node.type == "call_expression":
            return self.push(node, states)
        return states

    def assign(self, name: str, value: Any, states: list[State]) -> list[State]:
        value = unwrap(value)
        result: list[State] = []
        for state in states:
            if value is not None and _is_concat(value):
                base = value.child_by_field_name("function").child_by_field_name("object")
                arguments = value.child_by_field_name("arguments").named_children
                variants = self.values.array(base, self.target, state)
                for argument in arguments:
                    more = self.values.array(argument, self.target, state)
                    variants = product([variants, more])
            elif value is not None and value.type in ("array", "identifier", "ternary_expression"):
                variants = self.values.array(value, self.target, state)
            else:
                variants = []
            if not variants:
                forgotten = dict(state)
                forgotten.pop(name, None)
                result.append(forgotten)
                continue
            for variant in variants:
                result.append({**state, name: variant})
        return _dedupe_states(result)

    def push(self, call: Any, states: list[State]) -> list[State]:
        function = call.child_by_field_name("function")
        if function is None or function.type != "member_expression":
            return states
        target = function.child_by_field_name("object")
        method = text_of(function.child_by_field_name("property") or function)
        if target is None or target.type != "identifier" or method not in ("push", "unshift"):
            return states
        name = text_of(target)
        arguments = call.child_by_field_name("arguments")
        elements = arguments.named_children if arguments is not None else []
        result: list[State] = []
        for state in states:
            if name not in state:
                result.append(state)
                continue
            added = product([self.values.words(e, self.target, state) for e in elements])
            for words in added:
                value = words + state[name] if method == "unshift" else state[name] + words
                result.append({**state, name: value})
        return _dedupe_states(result)


def _is_concat(node: Any) -> bool:
    if node.type != "call_expression":
        return False
    function = node.child_by_field_name("function")
    return bool(
        function is not None
        and function.type == "member_expression"
        and text_of(function.child_by_field_name("property") or function) == "concat"
    )


def _dedupe_states(states: list[State]) -> list[State]:
    return join_states(states, MAX_VARIANTS)
