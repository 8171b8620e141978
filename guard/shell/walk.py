"""The abstract execution: statements walked in order, one ``Command`` per simple command.

``Walker`` holds the walk's records (commands, errors, definitions) and binds each stage's
functions as its methods; each stage reaches it only through its own Protocol (the map is
guard/shell/__init__.py's docstring). ``parse`` is the layer's entry point."""

from __future__ import annotations

from guard.fastclass import replace
from guard.lazyre import lazy_re as re  # re itself at its first use
from guard.shell import assign, expand, flow, functions, redirs, sinks, unwrap, written
from guard.shell import parser as syntax
from guard.shell.assign import prefix_assignments, restore_prefix
from guard.shell.builtins import (
    ARITH_STATEMENTS,
    STATE_BUILTINS,
    arith_assigned,
)
from guard.shell.expand import _REF_RE, VANISHING, may_vanish
from guard.shell.functions import _FuncDef
from guard.shell.model import (
    Command,
    Context,
    EnvBinding,
    EnvFileLoad,
    EnvOrigin,
    Script,
    Span,
    Stdin,
    StdinKind,
    Unset,
    Word,
    Wrapper,
)
from guard.shell.parser import (
    _BIG_KEEP,
    _BIG_KEEP_NAMES,
    _BIG_STMT_KEEP,
    _DYNAMIC_HEAD_RE,
    _HEREDOC_TAIL_RE,
    _REDIRECTS,
    _SUBSTS,
    Node,
    _captures,
    _Heredoc,
    _repair_heredocs,
    _Src,
)
from guard.shell.redirs import _Redirs
from guard.shell.runctx import _Ctx
from guard.shell.scope import EXPORT_KEPT, Frame, State, Var, forks, meet, preset
from guard.shell.unwrap import _append_xargs_input
from guard.shell.wrappers import (
    Peeled,
    basename,
    peel,
    rsync_remote_shell,
    ssh_local_commands,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MAX_NEST = 64  # statements nested deeper than this are not walked (Python's stack is finite)
MAX_ERRORS = 200
MAX_ARGS = 5000  # argv words modelled per command (a 10 MB `echo a a a ...` line)
_IGNORERS = frozenset({"true", ":", "echo", "printf"})
_PRINTERS = frozenset({"echo", "printf"})  # what they print is read (Walker._printed_text)


def _split_command(
    node: Node, outer: list[Node]
) -> tuple[list[Node], Node | None, list[Node], list[Node]]:
    """A command node's prefix assignments, name, arguments and its own redirects (``outer``:
    the redirects of the statement around it)."""
    prefix: list[Node] = []
    name_node: Node | None = None
    args: list[Node] = []
    own: list[Node] = []
    for c in node.named_children[: MAX_ARGS + 8]:
        t = c.type
        if t == "variable_assignment" and name_node is None:
            prefix.append(c)
        elif t == "command_name":
            name_node = c
        elif t in _REDIRECTS:
            own.append(c)
        elif t != "comment":
            args.append(c)
    redirects = own + outer
    if (
        args
        and args[-1].type == "number"
        and any(r.start_byte == args[-1].end_byte for r in redirects)
    ):
        # tree-sitter-bash reads the `0` of `cmd 0</dev/null` (and the `1` of `1>out`) as an
        # argument; it is the redirect's descriptor, and the redirect's default one anyway.
        args.pop()
    stray = _words_after_redirects(redirects)
    if stray:
        args = sorted(args + stray, key=lambda n: n.start_byte)
    return prefix, name_node, args, own


def _discard_assignment(name_node: Node, src: _Src) -> bool:
    """Is a command's name `_=VALUE` (or `_+=VALUE`)? tree-sitter-bash 0.25.1 reads an
    assignment to `_` as a command word (`_=$(codex exec ...)`: a common way to throw a
    value away), which would make it a command that cannot be resolved (CG902)."""
    return src.b.startswith((b"_=", b"_+="), name_node.start_byte)


def _words_after_redirects(redirects: list[Node]) -> list[Node]:
    """The command's words that tree-sitter-bash 0.25.1 files under a redirect: it reads every
    word after `< FILE` as one more `destination` of that redirect, and every word after a
    here-doc's start as an `argument` of it (`codex exec < p.md -s read-only -`,
    `codex exec <<'E' --yolo -`). bash takes only the first word as the target; the rest are
    arguments of the command, in their place in the line."""
    stray: list[Node] = []
    for r in redirects:
        if r.type == "file_redirect":
            stray.extend(r.children_by_field_name("destination")[1:])
        elif r.type == "heredoc_redirect":
            stray.extend(r.children_by_field_name("argument"))
            # (`<<E >out -s x`: the redirect after the here-doc's start is a child of it)
            stray.extend(
                _words_after_redirects([c for c in r.named_children if c.type in _REDIRECTS])
            )
    return stray


def _continued_words(nodes: list[Node], src: _Src) -> list[list[Node]]:
    """The argument nodes grouped into shell words: nodes with only a backslash-newline between
    them are one word to bash (line continuation is removed before words are split), though
    tree-sitter-bash reads two."""
    groups: list[list[Node]] = []
    b = src.b
    prev_end = 0  # the end of the node before (read once a node: node attributes are calls)
    for node in nodes:
        start = node.start_byte
        # (only a gap of two bytes can be a backslash-newline: the slice is made for those)
        if groups and start - prev_end == 2 and b[prev_end:start] == b"\\\n":
            groups[-1].append(node)
        else:
            groups.append([node])
        prev_end = node.end_byte
    return groups


def _command_extent(node: Node, redirs: list[Node], src: _Src) -> tuple[Span, str]:
    """Span and text of a command with its redirects (a here-doc up to its start word only)."""
    last = node
    for r in redirs:
        end = r
        if r.type == "heredoc_redirect":
            end = next((k for k in r.children if k.type == "heredoc_start"), r)
        if end.end_byte > last.end_byte:
            last = end
    span = src.span(node) if last is node else src.span_between(node, last)
    return span, src.slice(node.start_byte, last.end_byte)


def _branch_forks(
    node: Node, st: State, src: _Src, skippable: bool = False
) -> list[tuple[State, str]]:
    """The states a command runs in, one per combination of the values its variables hold
    after branches (``scope.forks``); [] when there is one. A ``skippable`` command (no
    codex, no wrapper or builtin the walk knows: ``Walker._skippable``) can only run codex
    through a value that names it (`timeout 60 $cmd`, `trap "$cmd" EXIT`): others are walked
    once, so that a file of `echo "$x"` lines is not walked once per value of x."""
    b = src.b
    start, end = node.start_byte, node.end_byte
    if b.find(b"$", start, end) < 0:
        return []
    names = _REF_RE.findall(src.slice(start, end))
    if skippable and not any(_names_codex(st, name) for name in names):
        return []
    return forks(st, names)


def _names_codex(st: State, name: str) -> bool:
    """Does a value of this variable (on any branch) mention codex?"""
    var = st.vars.get(st.target(name) if st.namerefs else name)
    if var is None:
        return False
    for v in (var, *var.others):
        if v.value is not None and "codex" in v.value.text:
            return True
        if v.items is not None and any("codex" in w.text for w in v.items):
            return True
    return False


def _printer_forks(
    members: list[tuple[Node, Node | None]], st: State, src: _Src
) -> list[tuple[State, str]]:
    """The states a pipeline runs in when a member that prints text for the next one (`echo`,
    `printf`) expands a variable set on branches: one per value ([] otherwise)."""
    for m, _ in members[:-1]:
        name = m.child_by_field_name("name") if m.type == "command" else None
        if name is not None and src.text(name) in _PRINTERS:
            literal_codex = src.b.find(b"codex", m.start_byte, m.end_byte) >= 0
            forks = _branch_forks(m, st, src, skippable=not literal_codex)
            if forks:
                return forks
    return []


class Walker:
    """Walks a tree in execution order, carrying a ``State`` (scope.py) and an immutable ``_Ctx``
    (runctx.py). Each concern's code is a plain function in its stage module, bound below as a
    method; a stage calls the stages below it directly and reaches back into the walk only
    through the Protocol it declares. The statements, pipelines and simple commands themselves
    are walked here."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.cmds: list[Command] = []
        self.tags: list[tuple[int, int] | None] = []
        self.errors: list[Span] = []
        self.unsets: list[Unset] = []
        self.dynamic: list[int] = []
        self.nest = 0
        self.pipe_ids = 0
        self.defs: list[_FuncDef] = []
        self.called: set[tuple[int, int]] = set()
        self.callstack: list[str] = []
        self.frames: list[Frame] = []  # the function calls being walked, innermost last
        self.last_bg: tuple[int, int] | None = None
        self.nest_reported = False
        self.too_deep: list[Span] = []  # nested past a bound: not followed (Script.too_deep)
        self.subshell_ids = 0  # Context.subshells
        # What a pipeline member prints when it is a plain `echo`/`printf` of literal text, keyed
        # by the (pipeline, member) it feeds: `echo 'codex exec ...' | bash` is read, not guessed.
        self.pipe_text: dict[tuple[int, int], tuple[str, int, int, bool]] = {}
        self.written = written.WrittenScripts()  # here-doc-written files (written.py)
        # The EnvBinding of each exported Var object (by identity; the Var is kept, so its id is
        # not reused): every command's env holds every exported variable, most of them the
        # same Var objects command after command.
        self.bindings: dict[int, tuple[str, Var, EnvBinding]] = {}
        self.last_context: tuple[_Ctx, tuple[bool, bool, bool], Context] | None = None
        self.quiet = 0  # inside a walk whose commands are dropped (flow._quietly)
        self.unrolled = 0  # loop bodies walked once a word so far (flow.MAX_UNROLLED)
        # The PS4 values (and states) walked under `set -x` (sinks.traced)
        self.prompts: dict[tuple[int, ...], tuple[object, ...]] = {}

    def run_text(
        self,
        text: str,
        lo: int,
        co: int,
        st: State,
        ctx: _Ctx,
        override: Span | None = None,
        *,
        report_errors: bool = True,
    ) -> None:
        """Walk shell text whose first line starts at file line ``lo`` + 1, column ``co`` + 1.
        ``override``: text that is not the file's as written (an alias's value, a variable's
        text run by `eval`): every word of it sits there, and so does its parse error."""
        b = text.encode("utf-8", "replace")
        tree = syntax._parse_bytes(b)  # via the module: tests replace it
        root = tree.root_node
        for _ in range(syntax.MAX_JOIN_REPAIRS):
            split = syntax.repair_joined_lines(b, root)
            if split is None:
                break
            b = split
            tree = syntax._parse_bytes(b)
            root = tree.root_node
        parsed = b  # the text the tree is of; `b` stays the words' text (same offsets)
        unreserved = syntax.repair_reserved_words(b, root)
        if unreserved is not None:
            parsed = unreserved
            root = syntax._parse_bytes(parsed).root_node
        if root.has_error:
            read_write = syntax.repair_rw_redirects(parsed, root)
            if read_write is not None:
                parsed = read_write
                root = syntax._parse_bytes(parsed).root_node
        if root.has_error:
            unescaped = syntax.repair_escaped_tests(parsed)
            if unescaped is not None:
                parsed = unescaped
                root = syntax._parse_bytes(parsed).root_node
        if root.has_error:
            fell = syntax.repair_last_fallthrough(parsed)
            if fell is not None:
                parsed = fell
                root = syntax._parse_bytes(parsed).root_node
        fakes: dict[int, _Heredoc] = {}
        if b"<<" in b and _HEREDOC_TAIL_RE.search(b) is not None:
            fixed = _repair_heredocs(parsed, root)
            if fixed is not None:
                b2, fakes = fixed
                tree = syntax._parse_bytes(b2)
                root = tree.root_node
        src = _Src(b, lo, co, fakes, override)
        if root.has_error and report_errors and len(self.errors) < MAX_ERRORS:
            if override is not None:
                self.errors.append(override)
            else:
                found = _captures("(ERROR) @e (MISSING) @m", root)
                for n in syntax.real_parse_errors(found)[:MAX_ERRORS]:
                    if len(self.errors) < MAX_ERRORS:
                        self.errors.append(src.span(n))
        self._seq(root, st, ctx, src)

    def finish(self) -> None:
        """Functions that are never called still yield their body once (Context.function)."""
        i = 0
        while i < len(self.defs):
            d = self.defs[i]
            i += 1
            if d.key in self.called:
                continue
            self.called.add(d.key)
            ctx = d.ctx.derive(
                function=d.name,
                wrappers=(*d.ctx.wrappers, Wrapper("function", d.src.span(d.body), (d.name,))),
            )
            self.callstack.append(d.name)
            # Called from where the walk cannot see: as a call from where it was defined.
            state = d.state.copy()
            state.local_names = set()
            self.frames.append(Frame(state.local_names, {}, dict(state.vars), frozenset()))
            try:
                self._func_body(d.body, state, ctx, d.src)
            finally:
                self.callstack.pop()
                self.frames.pop()
        self._unrun_scripts()

    def script(self) -> Script:
        order = sorted(
            range(len(self.cmds)), key=lambda k: (self.cmds[k].span.line, self.cmds[k].span.column)
        )
        where = {k: i for i, k in enumerate(order)}
        cmds = tuple(self.cmds[k] for k in order)
        for i, c in enumerate(cmds):
            # Freshly built here and not shared yet: setting the index in place avoids a copy
            # of every command (this is the hot path).
            object.__setattr__(c, "index", i)
        dyn = tuple(cmds[where[k]] for k in sorted(set(self.dynamic)))
        return Script(
            cmds, self.dialect, tuple(self.errors), tuple(self.unsets), dyn, tuple(self.too_deep)
        )

    def _seq(self, node: Node, st: State, ctx: _Ctx, src: _Src, skip_until: str = "") -> None:
        """Walk a statement list; a statement followed by ``&`` is an asynchronous list."""
        kids = node.children
        n = len(kids)
        waiting = bool(skip_until)
        for i in range(n):
            c = kids[i]
            if waiting:
                waiting = c.type != skip_until
                continue
            if not c.is_named or c.type == "comment":
                continue
            if src.big and self._inert(c, st, src):
                continue
            if i + 1 < n and kids[i + 1].type == "&":
                self._async(c, st, ctx, src)
            else:
                self._stmt(c, st, ctx, src)

    def _inert(self, node: Node, st: State, src: _Src) -> bool:
        """In a huge input, a statement that mentions no codex, no function or alias, and none
        of the words that change variables, options or the command word cannot matter."""
        b, start, end = src.b, node.start_byte, node.end_byte
        if any(b.find(tok, start, end) >= 0 for tok in _BIG_STMT_KEEP):
            return False
        if b.startswith((b"$", b'"$'), start) or _DYNAMIC_HEAD_RE.search(b, start, end):
            return False  # `$CMD args`: a command word that may be codex
        names = (*st.functions, *st.aliases)
        return not any(b.find(name.encode(), start, end) >= 0 for name in names[:64])

    def _enter(self, node: Node, src: _Src) -> bool:
        """One level deeper; past MAX_NEST the inner commands are dropped and one parse error
        says where (the caller decrements `nest` in its `finally`)."""
        self.nest += 1
        if self.nest <= MAX_NEST:
            return True
        if not self.nest_reported:
            self.nest_reported = True
            self.errors.append(src.span(node))
        return False

    def _stmt(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        try:
            if self._enter(node, src):
                self._dispatch(node, st, ctx, src)
        finally:
            self.nest -= 1

    def _dispatch(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        if st.xtrace:
            sinks.traced(self, node, st, ctx, src)  # bash expands $PS4 before it: its $(...) run
        t = node.type
        if t == "command":
            self._command(node, [], [], st, ctx, src)
        elif t == "redirected_statement":
            self._redirected(node, st, ctx, src)
        elif t == "pipeline":
            self._pipeline(node, st, ctx, src, [])
        elif t == "list":
            self._list(node, st, ctx, src)
        elif t == "variable_assignment":
            self._assign(node, st, ctx, src, export=False, local=False)
        elif t == "variable_assignments":
            for c in node.named_children:
                if c.type == "variable_assignment":
                    self._assign(c, st, ctx, src, export=False, local=False)
        elif t == "declaration_command":
            self._declaration(node, st, ctx, src)
        elif t == "unset_command":
            self._unset(node, st, ctx, src)
        elif t == "subshell":
            self.subshell_ids += 1
            inner = ctx.derive(subshell=True, subshells=(*ctx.subshells, self.subshell_ids))
            self._seq(node, st.copy(), inner, src)
        elif t in ("compound_statement", "do_group", "program", "ERROR"):
            self._seq(node, st, ctx, src)
        elif t == "if_statement":
            self._if(node, st, ctx, src)
        elif t == "while_statement":
            self._while(node, st, ctx, src)
        elif t in ("for_statement", "c_style_for_statement"):
            self._for(node, st, ctx, src)
        elif t == "case_statement":
            self._case(node, st, ctx, src)
        elif t == "function_definition":
            self._define(node, st, ctx, src)
        elif t == "negated_command":
            self._seq(node, st, ctx.derive(status_checked=True), src)
        elif t == "comment":
            return
        else:
            if st.allexport and t in ARITH_STATEMENTS:
                # `(( K = 1 ))` under `set -a` exports K, as any assignment does.
                for name in arith_assigned(src.text(node)):
                    st.assign(name, Var(None, None, False, EnvOrigin.EXPORT, src.span(node)))
            self._scan_substs(node, st, ctx, src)
            if t == "test_command" and "-v" in src.text(node):
                sinks.test_v(self, src.text(node), src.span(node), st, ctx)
            if t in ARITH_STATEMENTS or t == "raw_string":  # (`(( 'x' ))` holds only that)
                sinks.quoted_subscripts(self, src.text(node), src.span(node), st, ctx)
            elif t == "test_command" and not st.vars and src.b.startswith(b"[[", node.start_byte):
                sinks.arithmetic_test(self, src.text(node), src.span(node), st, ctx)
            if st.vars:  # `(( a ))`, `[[ $a -eq 1 ]]`: a known value evaluated as arithmetic
                if t == "test_command":
                    if src.b.startswith(b"[[", node.start_byte):  # `[` (test) does no arithmetic
                        sinks.arithmetic_test(self, src.text(node), src.span(node), st, ctx)
                else:
                    sinks.arithmetic(self, src.text(node), src.span(node), st, ctx)

    def _scan_substs(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        """Commands hidden in `[[ ]]`, `(( ))` and other non-command statements."""
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in _SUBSTS:
                self._subst(n, st, ctx, src)
            else:
                stack.extend(reversed(n.named_children))

    def _list(
        self, node: Node, st: State, ctx: _Ctx, src: _Src, last_redirs: list[Node] | None = None
    ) -> None:
        """`left && right`, `left || right`; ``last_redirs`` are redirects that belong to the
        right side's last command (see ``_redirected_body``)."""
        kids = [c for c in node.children if c.type != "comment"]
        if len(kids) < 3:
            if last_redirs:  # not a list bash knows: keep the redirects over all of it
                r = self._redirs(last_redirs, self._base_stdin(st, ctx), ctx, st, src)
                ctx = ctx.derive(stdin=r.stdin, stdout=r.stdout or ctx.stdout)
            self._seq(node, st, ctx, src)
            return
        left, op, right = kids[0], kids[1].type, kids[-1]
        if op == "||" and self._is_ignorer(right, st, src):
            lctx = ctx.derive(status_ignored=True)
        else:
            lctx = ctx.derive(status_checked=True)
        self._stmt(left, st, lctx, src)
        if not self._may_change_state(right, st, src):
            stopped = st.stopped
            self._right(right, last_redirs, st, ctx, src)  # `|| exit 1`: nothing to join
            st.stopped = stopped  # `|| exit 1` exits on one outcome only
            return
        # The right side runs only on one outcome of the left: what it unsets may still be set.
        path = st.branch()
        self._right(right, last_redirs, path, ctx, src)
        # `[ -n "$SAFE" ] && FLAGS="-s read-only"`: a variable holds either value after it.
        where = f"the `{kids[1].type}` at line {src.span(kids[1]).line}"
        meet(st, [st, path], [f"{where} skips its right side", f"{where} runs its right side"])

    def _right(
        self, node: Node, redirs: list[Node] | None, st: State, ctx: _Ctx, src: _Src
    ) -> None:
        """A list's right side, with the redirects tree-sitter hung on the list, if any."""
        if not redirs:
            self._stmt(node, st, ctx, src)
            return
        try:
            if self._enter(node, src):
                self._redirected_body(node, redirs, st, ctx, src)
        finally:
            self.nest -= 1

    @staticmethod
    def _may_change_state(node: Node, st: State, src: _Src) -> bool:
        """Can this statement change variables, exports or options (so its path must be
        joined)? A plain external command cannot; builtins, functions and aliases may."""
        if node.type != "command":
            return True
        name = node.child_by_field_name("name")
        if name is None:
            return True  # an assignment
        prog = src.text(name)
        return (
            prog in STATE_BUILTINS
            or prog in st.functions
            or prog in st.aliases
            or prog.startswith(("$", '"'))
            or any(c.type == "variable_assignment" for c in node.named_children)
        )

    def _is_ignorer(self, node: Node, st: State, src: _Src) -> bool:
        """`|| true`, `|| :`, `|| echo ...`, or `|| log "..."` with a function that only
        reports (its body never exits or returns): the failure is swallowed."""
        if node.type != "command":
            return False
        name = node.child_by_field_name("name")
        if name is None:
            return False
        prog = src.text(name)
        if prog in _IGNORERS:
            return True
        fdef = st.functions.get(prog)
        if isinstance(fdef, _FuncDef):
            body = fdef.src.b[fdef.body.start_byte : fdef.body.end_byte]
            return re.search(rb"\b(exit|return|die|kill)\b", body) is None
        args = [src.text(a) for a in node.children_by_field_name("argument")]
        return prog in ("exit", "return") and args[:1] == ["0"]

    def _redirected(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        body = node.child_by_field_name("body")
        if body is None:
            return
        redirs = [c for c in node.named_children if c.type in _REDIRECTS]
        if body.type == "command":  # the common case, without a call more
            self._command(body, redirs, self._lone_dash(body, redirs, src), st, ctx, src)
        else:
            self._redirected_body(body, redirs, st, ctx, src)

    def _redirected_body(
        self, body: Node, redirs: list[Node], st: State, ctx: _Ctx, src: _Src
    ) -> None:
        if body.type == "command":
            self._command(body, redirs, self._lone_dash(body, redirs, src), st, ctx, src)
        elif body.type == "pipeline":
            self._pipeline(body, st, ctx, src, redirs)
        elif body.type == "list" and redirs:
            # tree-sitter-bash hangs the redirects after a list's last command on the whole list
            # (`mkdir -p d && echo x > d/f`); bash gives them to that command alone.
            self._list(body, st, ctx, src, redirs)
        else:
            r = self._redirs(redirs, self._base_stdin(st, ctx), ctx, st, src)
            nctx = ctx.derive(stdin=r.stdin, stdout=r.stdout or ctx.stdout)
            self._stmt(body, st, nctx, src)

    def _pipeline(
        self, node: Node, st: State, ctx: _Ctx, src: _Src, last_redirs: list[Node]
    ) -> None:
        kids = node.children
        members: list[tuple[Node, Node | None]] = []
        prev_op: Node | None = None
        for c in kids:
            if c.is_named and c.type != "comment":
                members.append((c, prev_op))
            elif c.type in ("|", "|&"):
                prev_op = c
        if not ctx.branch:
            forks = _printer_forks(members, st, src)
            if forks:
                # `echo "$cmd" | bash` with cmd set on branches: the text bash reads is each value.
                for k, (fork, label) in enumerate(forks):
                    fst = st if k == 0 else fork
                    self._pipeline(node, fst, ctx.derive(branch=label), src, last_redirs)
                return
        self.pipe_ids += 1
        pid = self.pipe_ids
        first = len(self.cmds)
        progs: list[str] = []
        last = len(members) - 1
        feeders: list[Command] = []
        for i, (m, op) in enumerate(members):
            if i == 0:
                mctx = ctx.derive(in_pipeline=True, pos=0, pipe=(pid, 0))
            else:
                stdin = _piped_stdin(
                    feeders, progs[-1], src.span(op) if op is not None else src.span(m)
                )
                mctx = ctx.derive(
                    in_pipeline=True, pos=i, pipe=(pid, i), stdin=stdin, pre_async=None
                )
            start = len(self.cmds)
            mst = st.copy()  # bash runs every pipeline member in a subshell
            if i == last and last_redirs:
                if m.type == "command":
                    self._command(m, last_redirs, [], mst, mctx, src)
                else:
                    r = self._redirs(last_redirs, mctx.stdin, mctx, mst, src)
                    self._stmt(m, mst, mctx.derive(stdin=r.stdin, stdout=r.stdout), src)
            else:
                self._stmt(m, mst, mctx, src)
            progs.append(self._member_prog(m, pid, i, start))
            feeders = self._simple_member(m, (pid, i), start)
            printed = self._printed_text(start, (pid, i))
            if printed is None and (pid, i) in self.pipe_text:
                # `echo TEXT | cat | bash`, `| tee log |`: a copier hands on the text it got
                cmd = next((self.cmds[k] for k in range(start, len(self.cmds))
                            if self.tags[k] == (pid, i)), None)  # fmt: skip
                if cmd is not None and redirs.copies_text_on(cmd):
                    printed = self.pipe_text[(pid, i)]
            if printed is not None:
                self.pipe_text[(pid, i + 1)] = printed
        for k in range(first, len(self.cmds)):
            tag = self.tags[k]
            if tag is not None and tag[0] == pid and tag[1] < last:
                # A Context is built in _emit and shared only by commands of one _Ctx, so of
                # one tag: setting it in place gives each of them this same value.
                nxt = tuple(progs[tag[1] + 1 :])
                object.__setattr__(self.cmds[k].context, "pipeline_next", nxt)

    def _simple_member(self, m: Node, tag: tuple[int, int], start: int) -> list[Command]:
        """The commands a pipeline member ran when it is one simple command (a function's
        body included; one per value of a variable set on branches): its stdout is the pipe,
        no shell of the member's own holds it too. [] for a compound member."""
        body = m.child_by_field_name("body") if m.type == "redirected_statement" else m
        if body is None or body.type != "command":
            return []
        return [self.cmds[k] for k in range(start, len(self.cmds)) if self.tags[k] == tag]

    def _printed_text(self, start: int, tag: tuple[int, int]) -> tuple[str, int, int, bool] | None:
        """The text a pipeline member prints, when it is `echo`/`printf` of literal words (as a
        here-string would hand it on: written.py ``printed_text``)."""
        cmd = next(
            (self.cmds[k] for k in range(start, len(self.cmds)) if self.tags[k] == tag), None
        )
        return written.printed_text(cmd) if cmd is not None else None

    def _member_prog(self, m: Node, pid: int, i: int, start: int) -> str:
        """The program name of a pipeline member, as `pipeline_next` and a PIPE's source."""
        if m.type in ("while_statement", "for_statement", "c_style_for_statement"):
            return m.children[0].type if m.children else "while"
        tagged = next((k for k in range(start, len(self.cmds)) if self.tags[k] == (pid, i)), None)
        if tagged is None:
            return str(m.type).split("_")[0]
        return self.cmds[tagged].program

    def _command(
        self,
        node: Node,
        redirs: list[Node],
        extra: list[Word],
        st: State,
        ctx: _Ctx,
        src: _Src,
    ) -> None:
        """One simple command: expand, resolve aliases/functions, peel, emit, re-parse bodies."""
        if src.big and self._skippable(node, st, src):
            return
        # `$` first: a command that expands nothing has no forks (a big file's skippable
        # commands returned above, so only a small file asks _skippable here).
        if not ctx.branch and src.b.find(b"$", node.start_byte, node.end_byte) >= 0:
            skippable = not src.big and self._skippable(node, st, src)
            forks = _branch_forks(node, st, src, skippable)
            if forks:
                # A variable it expands holds one of several values (set on different branches):
                # the command runs once with each, the first on the real state (as before).
                for k, (fork, label) in enumerate(forks):
                    fst = st if k == 0 else fork
                    self._command(node, redirs, extra, fst, ctx.derive(branch=label), src)
                return
        prefix, name_node, args, own = _split_command(node, redirs)
        all_redirs = own + redirs
        head_node = None
        if name_node is not None:
            head_node = name_node.named_children[0] if name_node.named_child_count else name_node
            if _discard_assignment(name_node, src):
                # bash assigns it: its value is expanded (a `$(...)` in it runs), and the
                # command, if any, is the word after it
                self._expand_joined([head_node], st, ctx, src)
                head_node = args[0] if args else None
                args = args[1:]
        if head_node is None:
            for a in prefix:
                self._assign(a, st, ctx, src, export=False, local=False)
            return
        pre = [
            (src.text(n), self._value_word(a, st, ctx, src), src.span(a))
            for a in prefix
            if (n := a.child_by_field_name("name")) is not None
        ]
        if head_node.is_missing or head_node.end_byte == head_node.start_byte:
            return  # a command word tree-sitter invented to close a syntax error
        words: list[Word] = []
        groups = _continued_words([head_node, *args], src)
        vanish = vanish_nodes = 0  # leading words that may be no word at all (`$SUDO codex`)
        leading = True
        for group in groups:
            got = self._expand_joined(group, st, ctx, src)
            if leading:
                leading = len(group) == 1 and (
                    not got or (group[0].type in VANISHING and may_vanish(group[0], got, st, src))
                )
                if leading:
                    vanish += len(got)
                    vanish_nodes += 1
            words.extend(got)
        words.extend(extra)
        if not words:
            for a in prefix:
                self._assign(a, st, ctx, src, export=False, local=False)
            return
        r = self._simple(node, redirs, all_redirs, head_node, words, pre, None, st, ctx, src)
        if 0 < vanish < len(words) and vanish_nodes < len(groups):
            # bash drops a word that expands to nothing: the rest is the command then
            rest = groups[vanish_nodes][0]
            self._simple(node, redirs, all_redirs, rest, words[vanish:], pre, r, st, ctx, src)

    def _simple(
        self,
        node: Node,
        redirs: list[Node],
        all_redirs: list[Node],
        head_node: Node,
        words: list[Word],
        pre: list[tuple[str, Word, Span]],
        given: _Redirs | None,
        st: State,
        ctx: _Ctx,
        src: _Src,
    ) -> _Redirs | None:
        """A simple command's expanded words run: the head resolved (aliases, unless it is
        the rest of a command whose first words expanded to nothing: ``given`` holds that
        command's redirects, walked once), builtins, functions, wrappers peeled, emitted."""
        if given is None:
            resolved = self._resolve_head(head_node, words, st, ctx, src)
            if resolved is None:
                return None  # a complex alias, already walked as shell text
            words, wrappers = resolved
        else:
            wrappers = []
        span, text = _command_extent(node, redirs, src)
        r = (
            given
            if given is not None
            else self._redirs(all_redirs, self._base_stdin(st, ctx), ctx, st, src)
        )
        if r.script is None and not r.explicit and ctx.pipe is not None:
            r.script = self.pipe_text.get(ctx.pipe)  # `echo 'text' | bash` reads that text
        if r.script is None and ctx.stdin_script is not None and r.stdin is ctx.stdin_script[0]:
            r.script = ctx.stdin_script[1]  # `ssh host 'bash -s' <<EOF`: the here-doc
        head = words[0]
        fdef = st.functions.get(head.text) if head.literal else None
        if isinstance(fdef, _FuncDef):
            idx = self._emit(tuple(words), span, text, pre, r, None, wrappers, st, ctx)
            if not self._call(fdef, words, pre, r, st, ctx, self.cmds[idx].span):
                self.too_deep.append(self.cmds[idx].span)  # calls nested past MAX_CALL_DEPTH
            return r
        temporary: dict[str, Var | None] = {}
        if head.literal:
            if pre and given is None:
                temporary = prefix_assignments(head.text, words, pre, st)
            sinks.named_subscripts(self, head.text, words, st, ctx)
            self._builtin(head.text, words, r, st, src, span, ctx)
            if head.text == "let":
                sinks.let_words(self, words, st, ctx)  # each argument evaluated as arithmetic
        p = peel(tuple(words))
        if p.exhausted:
            self.too_deep.append(span)  # wrappers past peel's MAX_ROUNDS: the program is unseen
        if p.lookup_only:
            p.argv = tuple(words)
        if p.args_from_input:
            printed = self.pipe_text.get(ctx.pipe) if ctx.pipe is not None else None
            _append_xargs_input(p, printed, span)
        prog = basename(p.argv[0].text) if p.argv else ""  # (p.argv is not changed below)
        if prog in ("ssh", "scp", "sftp"):
            self._ssh_local(words, p, span, text, pre, r, wrappers, st, ctx)
        idx = self._emit(p.argv, span, text, pre, r, p, wrappers, st, ctx)
        if p.argv and not p.argv[0].literal:
            self.dynamic.append(idx)
        else:
            self._unseen_script(p, r, idx, st, ctx)
        if prog == "rsync":
            self._rsync_shell(words, p, idx, pre, wrappers, st, ctx)
        self._nested_shell(p, r, idx, st, ctx)
        self._git_runs(p, idx, st, ctx)
        if prog in unwrap.ENV_RUNNERS:
            unwrap._env_runs(self, p, idx, st, ctx)
        self._written_script(p, r, idx, st, ctx)
        if temporary:
            restore_prefix(temporary, st)
        return r

    def _ssh_local(
        self,
        words: list[Word],
        p: Peeled,
        span: Span,
        text: str,
        pre: list[tuple[str, Word, Span]],
        r: _Redirs,
        wrappers: list[Wrapper],
        st: State,
        ctx: _Ctx,
    ) -> None:
        """`ssh -o ProxyCommand=TEXT host`: ssh runs TEXT here through a shell, with the env
        ssh has (not the remote command's cleared one): walked as `sh -c TEXT` in ssh's place,
        behind the same wrappers and prefix assignments."""
        local = ssh_local_commands(p.argv)
        if not local:
            return
        outer = words[: len(words) - len(p.argv)]
        for body in local:
            sh = Word("sh", True, body.span, "sh")
            flag = Word("-c", True, body.span, "-c")
            q = peel((*outer, sh, flag, body))
            idx = self._emit(q.argv, span, text, pre, r, q, wrappers, st, ctx)
            self._nested_shell(q, r, idx, st, ctx)

    def _rsync_shell(
        self,
        words: list[Word],
        p: Peeled,
        idx: int,
        pre: list[tuple[str, Word, Span]],
        wrappers: list[Wrapper],
        st: State,
        ctx: _Ctx,
    ) -> None:
        """`rsync -e CMD src host:dst` (or RSYNC_RSH=CMD): rsync runs CMD here as a program, not
        through a shell (wrappers.rsync_remote_shell), with the words it adds, with rsync's env:
        walked as that command in rsync's place, behind the same wrappers. Its stdin is the
        pipe rsync speaks its protocol on, open while it runs (never EOF for codex)."""
        cmd = self.cmds[idx]
        env_rsh: Word | None = None
        for b in cmd.env:
            if b.name == "RSYNC_RSH":
                env_rsh = b.value or Word("$RSYNC_RSH", False, b.span, "$RSYNC_RSH")
        run = rsync_remote_shell(p.argv, env_rsh)
        if run is None:
            return
        outer = words[: len(words) - len(p.argv)]
        q = peel((*outer, *run))
        shown = " ".join(w.text for w in run[: -4 if run[-1].text.startswith("${") else None])
        at_rsync = min(len(p.wrappers), len(q.wrappers))  # (after the wrappers rsync is behind)
        q.wrappers.insert(at_rsync, Wrapper("rsync -e", run[0].span, (shown,)))
        q.stdin = Stdin(StdinKind.INHERITED, reason="rsync")
        r = _Redirs(stdin=q.stdin)
        if q.argv and basename(q.argv[0].text) == "ssh":
            # `-e "ssh -o ProxyCommand=TEXT"`: ssh runs TEXT here, as on a line of its own
            self._ssh_local([*outer, *run], q, cmd.span, cmd.text, pre, r, wrappers, st, ctx)
        at = self._emit(q.argv, cmd.span, cmd.text, pre, r, q, wrappers, st, ctx)
        if q.argv and not q.argv[0].literal:
            self.dynamic.append(at)
            return
        self._unseen_script(q, r, at, st, ctx)
        self._nested_shell(q, r, at, st, ctx)

    def _call_site(self, program: Span, ctx: _Ctx, span: Span, text: str) -> tuple[Span, str]:
        """A command whose program word a function's caller gave (`retry codex exec ...` into
        `"$@"`) is the caller's command line: its findings, and their fixes, belong there."""
        for wrapper in reversed(ctx.wrappers):
            if wrapper.name == "function" and _within(program, wrapper.span):
                for cmd in reversed(self.cmds):
                    if cmd.span == wrapper.span:
                        return cmd.span, cmd.text
        return span, text

    def _skippable(self, node: Node, st: State, src: _Src) -> bool:
        """A command that names no codex, assigns nothing and is no wrapper, builtin, function
        or alias, nor a `$VAR` program: a huge input skips it, and it is walked once per value
        of a variable set on branches only when a value names codex (``_branch_forks``)."""
        b = src.b
        start, end = node.start_byte, node.end_byte
        if any(b.find(tok, start, end) >= 0 for tok in _BIG_KEEP):
            return False
        name = node.child_by_field_name("name")
        prog = src.text(name) if name is not None else ""
        return not (
            "$" in prog or prog in _BIG_KEEP_NAMES or prog in st.functions or prog in st.aliases
        )

    def _exported_env(self, st: State) -> dict[str, EnvBinding]:
        """``st.exported_env()``, each binding built once per Var object."""
        env: dict[str, EnvBinding] = {}
        bindings = self.bindings
        for name, var in st.vars.items():
            if var.exported:
                known = bindings.get(id(var))
                if known is None or known[1] is not var or known[0] != name:
                    known = (name, var, EnvBinding(name, var.value, var.origin, var.span))
                    bindings[id(var)] = known
                env[name] = known[2]
        return env

    @staticmethod
    def _context(ctx: _Ctx, facts: tuple[bool, bool, bool]) -> Context:
        job_control, detached, errexit_off = facts
        return Context(
            background=ctx.background,
            background_pipeline=ctx.background_pipeline,
            in_pipeline=ctx.in_pipeline,
            pipeline_position=ctx.pos,
            command_substitution=ctx.cmdsubst,
            loop=ctx.loop,
            function=ctx.function,
            subshell=ctx.subshell,
            subshells=ctx.subshells,
            job_control=job_control,
            detached=detached,
            status_ignored=ctx.status_ignored,
            status_checked=ctx.status_checked,
            errexit_off=errexit_off,
            depth=ctx.depth,
        )

    def _emit(
        self,
        argv: tuple[Word, ...],
        span: Span,
        text: str,
        pre: list[tuple[str, Word, Span]],
        r: _Redirs,
        p: Any,
        wrappers: list[Wrapper],
        st: State,
        ctx: _Ctx,
    ) -> int:
        env = self._exported_env(st)
        for name, value, vspan in pre:
            env[name] = EnvBinding(name, value, EnvOrigin.PREFIX, vspan)
        cleared = ctx.env_cleared
        removed = set(st.removed)
        kept: tuple[str, ...] | None = None
        files = st.env_files
        unresolved = st.unresolved
        stdin = r.stdin
        detached = ctx.detached
        all_wrappers = (*ctx.wrappers, *wrappers)
        if argv and ctx.function is not None and not _within(argv[0].span, span):
            span, text = self._call_site(argv[0].span, ctx, span, text)
        if p is not None:
            host = env
            for op in p.env_ops:
                if op.kind == "clear":
                    host = env
                    env, cleared, files, unresolved = {}, True, (), ()
                elif op.kind == "docker":
                    passed = host.get(op.name)
                    given = op.value
                    if given is None and passed is not None:
                        given = passed.value  # `-e K` passes the host's K through
                    env[op.name] = EnvBinding(op.name, given, EnvOrigin.DOCKER, op.span)
                elif op.kind == "send":
                    # `ssh -o SendEnv='OPENAI_*'`: each exported name the pattern matches
                    from fnmatch import fnmatchcase  # here: rare (ssh SendEnv)

                    for name, passed in host.items():
                        if fnmatchcase(name, op.name):
                            env[name] = EnvBinding(name, passed.value, EnvOrigin.DOCKER, op.span)
                elif op.kind == "unset":
                    env.pop(op.name, None)
                    removed.add(op.name)
                    unresolved = tuple(
                        replace(u, removed_after=(*u.removed_after, op.name)) for u in unresolved
                    )
                elif op.kind == "set":
                    env[op.name] = EnvBinding(op.name, op.value, EnvOrigin.ENV_WRAPPER, op.span)
                elif op.kind == "sudo" and op.keep is not None:
                    env = {k: v for k, v in env.items() if k in op.keep}
                    kept = op.keep if kept is None else tuple(k for k in kept if k in op.keep)
                    files = ()
                    if not op.keep:
                        unresolved = ()  # sudo's env_reset: no name crosses
                elif op.kind == "file":
                    form = "docker-env-file" if op.keep == ("docker",) else "env-cat"
                    files = (*files, EnvFileLoad(op.name, "$" not in op.name, form, op.span))
            if p.stdin_default is not None and not r.explicit:
                stdin = p.stdin_default
            if p.stdin is not None:
                stdin = p.stdin
            detached = detached or p.detached
            all_wrappers = (*all_wrappers, *p.wrappers)
        facts = (st.job_control, detached, st.errexit_off)
        last = self.last_context
        if last is not None and last[0] is ctx and last[1] == facts:
            context = last[2]  # the commands of one list share their _Ctx and its Context
        else:
            context = self._context(ctx, facts)
            self.last_context = (ctx, facts, context)
        cmd = Command(
            argv=argv,
            span=span,
            text=text,
            env=tuple(env.values()),
            env_cleared=cleared,
            env_removed=tuple(sorted(removed - env.keys())) if removed else (),
            env_kept=kept,
            env_files=files,
            env_unresolved=unresolved,
            stdin=stdin,
            stdout_redirect=r.stdout or ctx.stdout,
            wrappers=all_wrappers,
            context=context,
            branch=ctx.branch,
        )
        self.cmds.append(cmd)
        self.tags.append(ctx.pipe)
        return len(self.cmds) - 1

    def _quietly(self, walk: Callable[[], None]) -> None:
        """Run ``walk`` for what it does to a State only: every command, finding-relevant record
        and written-script mark it adds is dropped again."""
        cmds, tags, errors = list(self.cmds), list(self.tags), list(self.errors)
        unsets, dynamic, defs = list(self.unsets), list(self.dynamic), list(self.defs)
        called, pipe_text, last_bg = set(self.called), dict(self.pipe_text), self.last_bg
        files = dict(self.written.files)
        walked = {key: script.walked for key, script in files.items()}
        deferred = list(self.written.deferred)
        nest_reported = self.nest_reported
        self.quiet += 1
        try:
            walk()
        finally:
            # In place: a caller further up may hold these very lists.
            self.quiet -= 1
            self.cmds[:], self.tags[:], self.errors[:] = cmds, tags, errors
            self.unsets[:], self.dynamic[:], self.defs[:] = unsets, dynamic, defs
            self.called.clear()
            self.called.update(called)
            self.pipe_text.clear()
            self.pipe_text.update(pipe_text)
            self.last_bg = last_bg
            for key, script in files.items():
                script.walked = walked[key]
            self.written.files.clear()
            self.written.files.update(files)
            self.written.deferred[:] = deferred
            self.nest_reported = nest_reported

    # The stages' functions, bound as methods.
    # control flow (flow.py)
    _async = flow._async
    _if = flow._if
    _while = flow._while
    _for = flow._for
    _case = flow._case
    # shell functions and aliases (functions.py)
    _define = functions._define
    _func_body = functions._func_body
    _alias = functions._alias
    _call = functions._call
    # expansion (expand.py)
    _value_word = expand._value_word
    _expand_joined = expand._expand_joined
    _text = expand._text
    _subst = expand._subst
    # the walker's state builtins (assign.py)
    _assign = assign._assign
    _declaration = assign._declaration
    _unset = assign._unset
    _builtin = assign._builtin
    # redirections and stdin (redirs.py)
    _base_stdin = staticmethod(redirs.base_stdin)

    def _redirs(self, nodes: list[Node], base: Stdin, ctx: _Ctx, st: State, src: _Src) -> _Redirs:
        """The redirects applied (redirs.py), and what an unquoted here-doc's body runs when
        bash expands it, on any fd and before any command (a compound command's, a function
        call's: `{ cat; } <<E`, `f <<E`), backquoted ones too (tree-sitter-bash reads none)."""
        r = redirs._redirs(self, nodes, base, ctx, st, src)
        for hd in r.heredoc_nodes:
            self._scan_substs(hd, st, ctx, src)
            if "`" in src.text(hd):
                sinks.backquotes_in(self, src.text(hd), src.span(hd), st, ctx)
        for body, at in r.expanded_bodies:  # a here-doc the parse repair rewrote
            sinks.walk_expanded(self, body, at, st, ctx)
        return r

    _lone_dash = staticmethod(redirs._lone_dash)
    # wrappers on the walker's side (unwrap.py)
    _resolve_head = unwrap._resolve_head
    _unseen_script = unwrap._unseen_script
    _nested_shell = unwrap._nested_shell
    _git_runs = unwrap._git_runs
    # scripts a here-doc writes and the script runs later (written.py)
    _written_script = written._written_script
    _unrun_scripts = written._unrun_scripts


def parse(
    text: str,
    *,
    dialect: str = "bash",
    line_offset: int = 0,
    column_offset: int = 0,
    values: tuple[tuple[str, str, int, str], ...] = (),
    closed_stdin: bool = False,
    xtrace: bool = False,
    stdin_stream: str | None = None,
    values_exported: bool = False,
    posix: bool = False,
) -> Script:
    """Source text -> ``Script``. Never raises: what could not be read is a parse error.
    ``values``: variables the source knows before the text runs (``scope.preset``), in its
    environment too with ``values_exported``;
    ``closed_stdin``: the shell's own stdin is /dev/null, as after `exec </dev/null`;
    ``xtrace``: the shell starts with xtrace on, as after `set -x`; ``stdin_stream``: the shell's
    own stdin is that finite stream, as after `exec <FILE`; ``posix``: bash starts in posix
    mode (POSIXLY_CORRECT in its env)."""
    walker = Walker(dialect)
    try:
        state = preset(values, exported=values_exported)
        if closed_stdin:
            state.shell_stdin = Stdin(StdinKind.NULL, source="/dev/null")
        elif stdin_stream is not None:
            state.shell_stdin = Stdin(StdinKind.FILE, source=stdin_stream)
        state.xtrace = xtrace
        if dialect == "sh" or posix:
            state.posix = EXPORT_KEPT  # (/bin/sh may be bash in posix mode: the wider reading)
        walker.run_text(text.replace("\r\n", "\n"), line_offset, column_offset, state, _Ctx())
        walker.finish()
    except ImportError:
        # The parser is missing from the install: no input's fault, and no parse error to
        # report (nor to cache) for every file; the caller says it cannot run.
        raise
    except Exception:  # the linter must survive any input; keep what was modelled so far
        walker.errors.append(Span(line_offset + 1, 1, line_offset + 1, 1))
    try:
        return walker.script()
    except Exception:
        return Script((), dialect, (Span(line_offset + 1, 1, line_offset + 1, 1),))


def _piped_stdin(feeders: list[Command], program: str, span: Span) -> Stdin:
    """What a pipeline member reads through the pipe at ``span``: the output of the member
    before it (``program``); the caller's own stream when that member copies its inherited
    stdin (`cat | codex`: the pipe ends only when the caller's stdin does); a stream that never
    ends when that member never does (`tail -f log | codex`)."""
    for cmd in feeders:
        fed = redirs.fed_stdin(cmd, span)
        if fed is not None:
            return fed
    return Stdin(StdinKind.PIPE, source=program, span=span)


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line,
        inner.end_column,
    ) <= (outer.end_line, outer.end_column)
