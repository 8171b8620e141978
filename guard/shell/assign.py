"""The walker's state builtins: assignments, export/declare/local/readonly, unset and set.

They reach the walker only through ``StateWalker`` (below): expansion's needs and three
records; everything else they do is to the ``State`` they are handed."""

from __future__ import annotations

from guard.fastclass import replace
from guard.shell import sinks
from guard.shell.builtins import (
    MAX_ALTERNATIVES,
    arith_assigned,
    mapfile_items,
    names_of,
    printf_target,
    printf_value,
    read_delimiter,
    read_targets,
    read_values,
)
from guard.shell.expand import _REF_RE, _expand, _text, _value_word
from guard.shell.model import (
    Command,
    EnvFileLoad,
    EnvOrigin,
    Span,
    StdinKind,
    Unset,
    Word,
)
from guard.shell.parser import Node, _Src
from guard.shell.redirs import _Redirs
from guard.shell.runctx import _Ctx
from guard.shell.scope import EXPORT_KEPT, KEEP, Frame, State, Var, both_wheres, forks, with_values
from guard.shell.words import (
    brace_expand,
)
from guard.shell.wrappers import (
    env_file_from_subst,
    is_name,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Protocol

    from guard.shell.expand import ExpandWalker

    class StateWalker(ExpandWalker, Protocol):
        """What the state builtins need of the walker, and nothing more: expansion's needs (to
        read a value or a name), and the records they append to (the commands so far, for
        `disown`; the unsets that run on every path)."""

        cmds: list[Command]
        unsets: list[Unset]
        frames: list[Frame]
        last_bg: tuple[int, int] | None


def _assign(
    self: StateWalker, node: Node, st: State, ctx: _Ctx, src: _Src, *, export: bool, local: bool
) -> None:
    name_node = node.child_by_field_name("name")
    if name_node is None:
        return
    span = src.span(node)
    append = any(c.type == "+=" for c in node.children)
    value = node.child_by_field_name("value")
    origin = EnvOrigin.EXPORT
    if name_node.type == "subscript":
        base_node = name_node.child_by_field_name("name")
        index = name_node.child_by_field_name("index")
        if base_node is None:
            return
        name = src.text(base_node)
        if index is not None:
            # `a[$(cmd)]=1`: bash expands the subscript (its substitutions run) and evaluates
            # it as arithmetic for an indexed array
            self._scan_substs(index, st, ctx, src)
            sinks.arithmetic(self, src.text(index), src.span(index), st, ctx)
        word = _value_word(self, node, st, ctx, src)
        sinks.integer_value(self, name, [word], st, ctx)  # `declare -ai n; n[1]=V`
        old = st.vars.get(name)
        items = list(old.items) if old is not None and old.items is not None else None
        idx = src.text(index) if index is not None else ""
        if items is not None and idx.isdigit() and int(idx) <= len(items):
            k = int(idx)
            items[k : k + 1] = [word]
            st.assign(name, Var(None, tuple(items), export, origin, span))
        else:
            st.assign(name, Var(None, None, export, origin, span))
        return
    name = src.text(name_node)
    old = st.vars.get(name)
    # The old values `+=` extends: each value `old` holds after branches, with its branch.
    olds: list[Var | None] = [old, *old.others] if append and old is not None else [old]
    options: list[Var] = []
    assigned: list[Word] = []  # (evaluated as arithmetic for an integer name)
    for fork, label in _value_forks(value, st, src) or [(st, "")]:
        if value is not None and value.type == "array":
            new_items: list[Word] = []
            for c in value.named_children:
                if c.type != "comment":
                    new_items.extend(_expand(self, c, fork, ctx, src))
            made = [_array_var(o, new_items, append, export, origin, span) for o in olds]
            assigned.extend(new_items)
        else:
            word = _value_word(self, node, fork, ctx, src)
            made = [_scalar_var(o, word, append, export, origin, span) for o in olds]
            assigned.append(word)
        for o, var in zip(olds, made, strict=True):
            before = o.where if o is not None and append else ""
            where = both_wheres(before, label)
            options.append(replace(var, where=where) if where else var)  # made fresh: where=""
    # One value on no branch (most assignments): `with_values` would only copy it.
    var = options[0] if len(options) == 1 and not options[0].where else with_values(options)
    sinks.integer_value(self, name, assigned, st, ctx)
    st.assign(name, var)
    if local and st.local_names is not None:
        st.local_names.add(name)


def _declaration(self: StateWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    kids = node.children
    kw = kids[0].type if kids else "export"
    on: set[str] = set()
    off: set[str] = set()
    for c in node.named_children:
        if c.type == "word":
            t = src.text(c)
            if t.startswith("-"):
                on.update(t[1:])
            elif t.startswith("+"):
                off.update(t[1:])
    if "f" in on or ("p" in on and len(node.named_children) == 1):
        return
    export = kw == "export" or "x" in on
    unexport = (kw == "export" and "n" in on) or "x" in off
    # `declare -n ref=TARGET` (`local -n`, `typeset -n`): ref stands for TARGET from now on.
    nameref = kw in ("declare", "typeset", "local") and "n" in on
    local = kw == "local" or (
        kw in ("declare", "typeset") and ctx.function is not None and "g" not in on
    )
    # `declare -i n`, `local -i n=V`: each name gets the integer attribute (`+i` drops it);
    # `local` outside a function is an error bash declares nothing for
    integer = "i" in on and (
        kw in ("declare", "typeset") or (kw == "local" and ctx.function is not None)
    )
    plain = "i" in off
    named = node.named_children
    i = 0
    while i < len(named):
        c = named[i]
        t = c.type
        nxt = named[i + 1] if i + 1 < len(named) else None
        i += 1
        if integer or plain:
            _integer_attribute(c, st, src, integer)
        if (
            t == "variable_name"
            and nxt is not None
            and nxt.start_byte == c.end_byte
            and nxt.type != "variable_assignment"
        ):
            # `export OPENAI_API_{KEY,X}=v`: tree-sitter splits the word after its name.
            i += 1
            for w in _glued_words(self, c, nxt, st, ctx, src):
                _declare_word(self, w, st, export, unexport=unexport, nameref=nameref)
        elif t == "variable_assignment" and nameref:
            name_node = c.child_by_field_name("name")
            if name_node is not None:
                value = _value_word(self, c, st, ctx, src)
                _declare_word(
                    self,
                    Word(f"{src.text(name_node)}={value.text}", value.literal, value.span),
                    st,
                    export,
                    nameref=True,
                )
        elif t == "variable_assignment":
            if unexport:
                _assign(self, c, st, ctx, src, export=False, local=local)
                _unexport(self, c.child_by_field_name("name"), st, src)
            else:
                _assign(self, c, st, ctx, src, export=export, local=local)
        elif t == "variable_name":
            name = src.text(c)
            if nameref:
                st.namerefs[name] = None  # a nameref with no target yet
            elif unexport:
                _unexport(self, c, st, src)
            elif export:
                st.export(name, src.span(node))
            elif name not in st.vars:
                st.assign(name, Var(None, None, False, EnvOrigin.EXPORT, src.span(c)))
            if local and st.local_names is not None:
                st.local_names.add(name)
        elif t == "word" and src.text(c)[:1] in ("-", "+"):
            continue
        else:
            words = _name_variants(self, c, st, ctx, src)
            sinks.named_subscripts(self, kw, [Word(kw, True, src.span(node)), *words], st, ctx)
            for w in words:
                name, eq, given = w.text.partition("=")
                if integer and is_name(name):
                    st.integers.add(st.target(name) or name)  # `declare -i 'n=V'`
                elif plain:
                    st.integers.discard(st.target(name) or name)
                if eq and w.literal:
                    sinks.integer_value(self, name, [Word(given, True, w.span, w.raw)], st, ctx)
                _declare_word(self, w, st, export, unexport=unexport, nameref=nameref)


def _integer_attribute(node: Node, st: State, src: _Src, on: bool) -> None:
    """The name a declaration word gives (`n`, `n=V`) gets the integer attribute, or loses it."""
    if node.type == "variable_assignment":
        name_node = node.child_by_field_name("name")
        if name_node is not None and name_node.type == "subscript":
            name_node = name_node.child_by_field_name("name")
    elif node.type == "variable_name":
        name_node = node
    else:
        return  # a quoted word: its name is read with its value (`declare -i 'n=V'`)
    if name_node is None:
        return
    name = src.text(name_node)
    name = st.target(name) or name
    if on:
        st.integers.add(name)
    else:
        st.integers.discard(name)


def _glued_words(
    self: StateWalker, name: Node, rest: Node, st: State, ctx: _Ctx, src: _Src
) -> list[Word]:
    """The word tree-sitter split into a name and the rest, brace-expanded in its name part
    as bash does (`OPENAI_API_{KEY,X}=v` -> `OPENAI_API_KEY=v OPENAI_API_X=v`)."""
    raw = src.slice(name.start_byte, rest.end_byte)
    tail, literal = _text(self, rest, st, ctx, src)
    text = src.text(name) + tail
    head_raw, eq, _ = raw.partition("=")
    value = text.partition("=")[2]
    names = brace_expand(head_raw) if self.dialect != "sh" else None
    span = src.span(name)
    if names is None:
        return [Word(text, literal, span, raw)]
    return [Word(n + eq + value, literal, span, raw) for n in names]


def _name_variants(self: StateWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> list[Word]:
    """A word in a name position expanded once for each value of a variable it uses that
    takes several (``export "$k=x"`` in ``for k in A B``), at most MAX_ALTERNATIVES."""
    words = _expand(self, node, st, ctx, src)
    raw = src.text(node)
    if "$(" in raw or "`" in raw:
        return words  # expanding again would run the substitution twice
    # A loop variable expands to its first turn's value: each of its turns is a name here.
    multi = [
        name
        for name in dict.fromkeys(_REF_RE.findall(raw))
        if (v := st.vars.get(name)) is not None and v.alts
    ]
    if not multi:
        return words
    combos: list[dict[str, Word]] = [{}]
    for name in multi:
        alts = st.vars[name].alts or ()
        combos = [{**c, name: a} for c in combos for a in alts]
        if len(combos) > MAX_ALTERNATIVES:
            return words
    out: list[Word] = []
    saved = {name: st.vars[name] for name in multi}
    try:
        for combo in combos:
            for name, value in combo.items():
                st.vars[name] = replace(saved[name], value=value, alts=None)
            out.extend(_expand(self, node, st, ctx, src))
    finally:
        st.vars.update(saved)
    return out


def _declare_word(
    self: StateWalker,
    w: Word,
    st: State,
    export: bool,
    *,
    unexport: bool = False,
    nameref: bool = False,
) -> None:
    text = w.text
    name, eq, value = text.partition("=")
    if (not w.literal and not eq) or "$(" in name or "`" in name:
        path = env_file_from_subst(w.raw or w.text)
        if path is not None:
            load = EnvFileLoad(path, "$" not in path, "export-cat", w.span)
            st.env_files = (*st.env_files, load)
            return
    if is_name(name) and (eq or w.literal):
        if nameref:
            if not eq:
                st.namerefs[name] = None  # no target yet
            else:
                st.namerefs[name] = value if w.literal and is_name(value) else ""
        elif unexport:
            if not _scoped_drop(self, name, st, unexport=True):
                st.unexport(name)
                _record_unset(self, name, w.span, st)
        elif eq:
            word = Word(value, w.literal, w.span, w.raw)
            st.assign(name, Var(word, None, export, EnvOrigin.EXPORT, w.span))
        elif export:
            st.export(name, w.span)
    elif not w.literal and not nameref and not unexport and (export or st.allexport):
        # The name itself is unknown (`export "$k=x"`): it may be a forbidden key.
        st.export_unresolved(name, w.span)


def _unexport(self: StateWalker, name_node: Node | None, st: State, src: _Src) -> None:
    if name_node is None:
        return
    name = src.text(name_node)
    if not _scoped_drop(self, name, st, unexport=True):
        st.unexport(name)
        _record_unset(self, name, src.span(name_node), st)


def _unset(self: StateWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    funcs = False
    refs = False
    named = node.named_children
    i = 0
    while i < len(named):
        c = named[i]
        nxt = named[i + 1] if i + 1 < len(named) else None
        i += 1
        raw = src.text(c)
        if raw.startswith("-"):
            funcs = "f" in raw
            refs = "n" in raw
            continue
        if c.type == "variable_name" and nxt is not None and nxt.start_byte == c.end_byte:
            i += 1  # `unset OPENAI_API_{KEY,X}`
            names = [w.text for w in _glued_words(self, c, nxt, st, ctx, src)]
        elif c.type == "variable_name":
            names = [raw]
        else:
            variants = _name_variants(self, c, st, ctx, src)
            if not funcs:  # `unset 'a[$(cmd)]'`: bash expands the subscript again, cmd runs
                unset_word = Word("unset", True, src.span(node))
                sinks.named_subscripts(self, "unset", [unset_word, *variants], st, ctx)
            names = [w.text for w in variants if w.literal]
        for name in names:
            if funcs:
                st.functions.pop(name, None)
            elif refs and name in st.namerefs:
                st.namerefs.pop(name)  # `unset -n ref`: the reference, not its target
            elif not _scoped_drop(self, name, st, unexport=False):
                target = st.target(name) or name
                st.unset(name)
                _record_unset(self, target, src.span(c), st)


def _scoped_drop(self: StateWalker, name: str, st: State, *, unexport: bool) -> bool:
    """`unset K` / `export -n K` where K is a running function's local or its call's prefix
    assignment (bash's dynamic scoping, checked with bash 5.2): the environment a command gets
    afterwards holds what was under it, the caller's K (or the call's `K=V f`), however often
    it is unset in that function and with `shopt -s localvar_unset` too; unset from a function
    it called, the local is gone and a second unset reaches the caller's K. False when K is
    no function's: the plain unset. (Only the name's presence in the env is modelled: after
    `export -n` of a local its value is still the local's.)"""
    frames = self.frames
    if not frames:
        return False
    name = st.target(name) or name
    for depth, frame in enumerate(reversed(frames)):
        local = name in frame.names or (depth == 0 and name in (st.local_names or ()))
        if not local and name not in frame.prefixed:
            continue
        below = frame.below(name, local)
        if depth > 0 and local:
            frame.names.discard(name)  # the caller's local itself is gone
            if name not in frame.prefixed:
                frame.gone.add(name)
        elif not local:
            frame.prefixed.pop(name)  # the temporary `K=V f` is gone
            if name not in frame.names:
                frame.gone.add(name)
        _show(name, below, frame.removed, st, unexport)
        return True
    return False


def _show(name: str, below: Var | None, removed: frozenset[str], st: State, unexport: bool) -> None:
    """The env after a scoped unset shows ``below`` (None: the caller's inherited K, unless it
    had removed it)."""
    if unexport:
        var = st.vars.get(name)
        if var is not None and below is not None and below.exported:
            st.vars[name] = replace(var, exported=True, origin=below.origin, span=below.span)
            return
        if var is not None:
            st.vars[name] = replace(var, exported=False)
    elif below is not None:
        st.vars[name] = below
    else:
        st.vars.pop(name, None)
    if below is None and name in removed:
        st.removed.add(name)
    else:
        st.removed.discard(name)


def _record_unset(self: StateWalker, name: str, span: Span, st: State) -> None:
    """Script.unsets holds the unsets that run on every path (CG103 trusts them)."""
    if not st.conditional:
        self.unsets.append(Unset(name, span))


def _builtin(
    self: StateWalker,
    name: str,
    words: list[Word],
    r: _Redirs,
    st: State,
    src: _Src,
    span: Span,
    ctx: _Ctx,
) -> None:
    args = [w.text for w in words[1:]]
    if name == "set":
        _set(self, args, words, st)
    elif name in ("source", ".") and len(words) > 1:
        form = "set-a-source" if st.allexport else ("source" if name == "source" else "dot")
        path = words[1]
        st.env_files = (*st.env_files, EnvFileLoad(path.text, path.literal, form, span))
    elif name == "alias":
        for w in words[1:]:
            if "=" in w.text:
                k, v = w.text.split("=", 1)
                st.aliases[k] = v
    elif name == "unalias":
        if "-a" in args:
            st.aliases.clear()
        for a in args:
            st.aliases.pop(a, None)
    elif name == "shift" and st.positional is not None:
        n = int(args[0]) if args and args[0].isdigit() else 1
        st.positional = st.positional[n:]
    elif name == "disown" and self.last_bg is not None:
        for j in range(*self.last_bg):
            done = self.cmds[j]
            self.cmds[j] = replace(done, context=replace(done.context, detached=True))
    elif name == "exec" and len(words) == 1:
        if r.explicit:
            st.shell_stdin = r.stdin  # `exec </dev/null`: every later command reads that
        st.shell_fds = r.fds  # `exec 3<&0`: a later `<&3` reads the script's stdin
    elif name == "printf":
        printed = printf_target(words)
        if printed is not None:
            _assign_named(self, printed, st, printf_value(words), ctx)
    elif name == "read":
        targets = read_targets(words)
        values = _read_input(words, targets, r, st)
        for at, read_into in enumerate(targets):
            _assign_named(self, read_into, st, values[at] if values is not None else None, ctx)
    elif name in ("mapfile", "readarray"):
        _mapfile(self, words, r, st, ctx)
    elif name == "getopts" and len(words) > 2:
        _assign_named(self, words[2], st)
    elif name == "exit":
        st.stopped = name  # the rest of this path never runs (see scope.meet)
    # `return` is not a stop: it ends a function (or a sourced file), and what follows the
    # function's call runs on that path too; outside both, bash says so and goes on.
    elif name == "let" and st.allexport:
        for w in words[1:]:
            for let_name in arith_assigned(w.text):
                st.assign(let_name, Var(None, None, False, EnvOrigin.EXPORT, w.span))
    elif name == "shopt":
        _shopt(args, st)


# POSIX's special builtins: an assignment before one stays in the shell after it (XCU 2.14),
# in bash only in posix mode. `command :` and `builtin :` are not special (nothing stays).
SPECIAL_BUILTINS = frozenset(
    {":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return"}
    | {"set", "shift", "times", "trap", "unset"}
)
# Builtins that run shell text with the command's temporary environment in force, in bash's
# own mode too: `OPENAI_API_KEY=k eval 'codex exec ...'` gives codex the key.
_TEMP_ENV_RUNNERS = frozenset({"eval", ".", "source"})


def prefix_assignments(
    name: str, words: list[Word], pre: list[tuple[str, Word, Span]], st: State
) -> dict[str, Var | None]:
    """What `K=V builtin ARGS` does to the shell's variables before the builtin runs (checked
    with bash 5.2 and dash 0.5): in posix mode a special builtin keeps K (bash exports it,
    dash does not), and in bash's own mode `K=V export K` / `readonly K` keep it exported.
    `eval`, `.` and `source` in bash's own mode see K exported while they run: the values
    to put back once they return (``restore_prefix``)."""
    if not pre or (name == "exec" and len(words) > 1):
        return {}  # (`K=V exec prog`: prog's own env, and this shell is gone)
    named = {w.text for w in words[1:] if w.literal}
    if st.posix and name in SPECIAL_BUILTINS:
        for var, value, span in pre:
            exported = st.posix == EXPORT_KEPT or (name == "export" and var in named)
            st.assign(var, Var(value, None, exported, EnvOrigin.EXPORT, span))
        return {}
    if name in ("export", "readonly"):
        for var, value, span in pre:
            if var in named:
                st.assign(var, Var(value, None, True, EnvOrigin.EXPORT, span))
        return {}
    if name not in _TEMP_ENV_RUNNERS or st.posix:
        return {}
    saved: dict[str, Var | None] = {}
    for var, value, span in pre:
        saved.setdefault(var, st.vars.get(var))
        st.vars[var] = Var(value, None, True, EnvOrigin.PREFIX, span)
    return saved


def restore_prefix(saved: dict[str, Var | None], st: State) -> None:
    """Put back what ``prefix_assignments`` changed only while the builtin ran."""
    for var, old in saved.items():
        if old is None:
            st.vars.pop(var, None)
        else:
            st.vars[var] = old


def _known_input(r: _Redirs, st: State) -> str | None:
    """The text a command reads when it is a here-string or here-doc with nothing unknown in
    it, and IFS is bash's default (so `read` splits it at blanks); else None."""
    if r.script is None or not r.text_known or "IFS" in st.vars:
        return None
    if r.stdin.kind is StdinKind.HERESTRING:
        return r.script[0] + "\n"  # bash adds the newline
    if r.stdin.kind is StdinKind.HEREDOC:
        return r.script[0]
    return None


def _read_input(words: list[Word], targets: list[Word], r: _Redirs, st: State) -> list[Word] | None:
    """What `read NAME... <<< codex` assigns to each name, when its input is known."""
    text = _known_input(r, st)
    if text is None or not targets:
        return None
    # read_targets hands back the very name words; a REPLY it made up is not one of them (and
    # bash keeps REPLY's blanks, while it strips those of a named variable).
    given = len(targets) if targets[-1] is words[-1] else 0
    line = text.split("\n", 1)[0]
    delimiter = read_delimiter(words[1 : len(words) - given] if given else words[1:])
    if delimiter is not None:
        # `read -r -d '' cmd <<'EOF'`: up to the delimiter (none: all of it), IFS's blanks
        # and newlines trimmed at both ends for a named variable
        line = text if not delimiter else text.split(delimiter[0], 1)[0]
        line = line.strip(" \t\n") if given else line
    values = read_values(words, line, given)
    if values is None:
        return None
    span = r.stdin.span or targets[0].span
    return [Word(v, True, span, v) for v in values]


def _mapfile(self: StateWalker, words: list[Word], r: _Redirs, st: State, ctx: _Ctx) -> None:
    """`mapfile -t a <<< codex`: the array's items are the input's lines when it is known;
    otherwise it is still assigned (its old value is gone), to values not known."""
    text = _known_input(r, st)
    found = mapfile_items(words, text if text is not None else "")
    if found is None:
        return
    name, lines = found
    span = r.stdin.span or name.span
    items = tuple(Word(ln, True, span, ln) for ln in lines) if text is not None else None
    for target in names_of(name, st.vars) or ():
        sinks.integer_value(self, target, list(items or ()), st, ctx)
        st.assign(target, Var(None, items, False, EnvOrigin.EXPORT, name.span))
        assigned = st.target(target)
        if assigned in st.vars and st.vars[assigned].origin is EnvOrigin.ALLEXPORT:
            # bash puts no array in the environment, not even under `set -a`
            st.vars[assigned] = replace(st.vars[assigned], exported=False)


def _assign_named(
    self: StateWalker, w: Word, st: State, value: Word | None = None, ctx: _Ctx | None = None
) -> None:
    """A builtin assigns the variable a word names (`printf -v NAME`, `read NAME`): its
    value is ``value`` (None: unknown); under `set -a` it is exported, as any assignment is."""
    names = names_of(w, st.vars)
    if names is None:
        if st.allexport:
            st.export_unresolved(w.raw or w.text, w.span)
        return
    for name in names:
        if value is not None and ctx is not None:
            sinks.integer_value(self, name, [value], st, ctx)  # `declare -i n; read n <<< V`
        st.assign(name, Var(value, None, False, EnvOrigin.EXPORT, w.span))


def _set(self: StateWalker, args: list[str], words: list[Word], st: State) -> None:
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            st.positional = tuple(words[i + 2 :])
            return
        if a in ("-o", "+o") and i + 1 < len(args):
            _set_opt(args[i + 1], a == "-o", st)
            i += 2
            continue
        if a[:1] in ("-", "+") and len(a) > 1:
            on = a[0] == "-"
            for letter in a[1:]:
                if letter == "a":
                    st.allexport = on
                elif letter == "m":
                    st.job_control = on
                elif letter == "e":
                    st.errexit_off = not on
                elif letter == "x":
                    st.xtrace = on
                elif letter == "o" and i + 1 < len(args):
                    i += 1
                    _set_opt(args[i], on, st)
        i += 1


def _shopt(args: list[str], st: State) -> None:
    """`shopt -so xtrace` (`shopt -s -o xtrace`) is `set -o xtrace`; `shopt -uo xtrace` is
    `set +o xtrace`. Without `-o`, shopt's own options (`shopt -s extglob`) are no `set -o`."""
    flags, at = "", 0
    while at < len(args) and args[at][:1] == "-" and len(args[at]) > 1:
        if args[at] == "--":
            at += 1
            break
        flags += args[at][1:]
        at += 1
    if "o" in flags and ("s" in flags) != ("u" in flags):
        for opt in ("xtrace", "posix"):
            if opt in args[at:]:
                _set_opt(opt, "s" in flags, st)


def _set_opt(opt: str, on: bool, st: State) -> None:
    if opt == "posix":
        # bash's posix mode (dash rejects the option: a special builtin's error ends its script)
        if on and st.posix != KEEP:
            st.posix = EXPORT_KEPT
        elif not on and st.posix == EXPORT_KEPT:
            st.posix = ""
    elif opt == "allexport":
        st.allexport = on
    elif opt == "monitor":
        st.job_control = on
    elif opt == "errexit":
        st.errexit_off = not on
    elif opt == "xtrace":
        st.xtrace = on


def _array_var(
    old: Var | None,
    new_items: list[Word],
    append: bool,
    export: bool,
    origin: EnvOrigin,
    span: Span,
) -> Var:
    """`NAME=(...)` or `NAME+=(...)` over the variable's old value ``old``."""
    if append and old is not None:
        prev = (
            old.items
            if old.items is not None
            else ((old.value,) if old.value is not None else None)
        )
        return Var(None, None if prev is None else (*prev, *new_items), export, origin, span)
    return Var(None, tuple(new_items), export, origin, span)


def _scalar_var(
    old: Var | None, word: Word, append: bool, export: bool, origin: EnvOrigin, span: Span
) -> Var:
    """`NAME=word` or `NAME+=word` over the variable's old value ``old``."""
    if append and old is not None and old.items is not None:
        return Var(None, (*old.items, word), export, origin, span)
    if append and old is not None:
        if old.value is None:
            return Var(None, None, export, origin, span)
        joined = Word(
            old.value.text + word.text, old.value.literal and word.literal, word.span, word.raw
        )
        return Var(joined, None, export, origin, span)
    if append:
        return Var(None, None, export, origin, span)
    return Var(word, None, export, origin, span)


def _value_forks(value: Node | None, st: State, src: _Src) -> list[tuple[State, str]]:
    """The states an assigned value is expanded in: one per value its variables hold after
    branches (`cmd="$cli exec $mode"`), so the variable keeps every value, each with its
    branch; [] when there is one. A command substitution is expanded once (expanding it
    again would walk the commands it runs again)."""
    if value is None:
        return []
    raw = src.text(value)
    if "$" not in raw or "$(" in raw or "`" in raw:
        return []
    return forks(st, _REF_RE.findall(raw))
