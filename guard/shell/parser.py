"""tree-sitter-bash -> command model. The ONLY module that sees tree-sitter nodes.

The walker reads the tree in execution order, carrying a ``State`` (variables, exports, aliases,
functions, ``set`` options: see scope.py) and an immutable ``_Ctx`` (how the current statement is
run: its stdin, whether it is async, in a pipeline, a loop, a function...). Every simple command
becomes one ``Command``; wrappers are peeled in wrappers.py; shell text hidden in ``bash -c``,
``eval``, aliases and here-docs fed to a shell is parsed again with the same walker.

Two gaps of tree-sitter-bash 0.25.1 are repaired from the source text (DESIGN.md): the lone ``-``
dropped before a here-doc, and a here-doc followed on its line by ``| cmd`` / ``; cmd`` / another
here-doc (rewritten to a same-length plain redirect with the body blanked, then parsed again).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Any

from guard.shell.builtins import (
    ARITH_STATEMENTS,
    MAX_ALTERNATIVES,
    STATE_BUILTINS,
    arith_assigned,
    loop_var,
    names_of,
    printf_target,
    read_targets,
)
from guard.shell.model import (
    Command,
    Context,
    EnvBinding,
    EnvFileLoad,
    EnvOrigin,
    LoopInfo,
    LoopKind,
    Script,
    Span,
    Stdin,
    StdinKind,
    Unset,
    Word,
    Wrapper,
)
from guard.shell.scope import State, Var, meet
from guard.shell.words import (
    brace_expand,
    default_assignment,
    ifs_separator,
    joins_with_ifs,
    lookup,
    unquote_ansi_c,
    unquote_bare,
    unquote_double,
)
from guard.shell.wrappers import (
    SHELLS,
    Peeled,
    basename,
    env_file_from_subst,
    is_name,
    peel,
    shell_reads_script_from_stdin,
)

Node = Any  # tree-sitter ships no type information mypy can use

MAX_NEST = 64  # statements nested deeper than this are not walked (Python's stack is finite)
MAX_BODY_DEPTH = 8  # bash -c 'bash -c "..."' re-parsing depth
MAX_CALL_DEPTH = 16  # function calls expanded inside function calls
MAX_ERRORS = 200
MAX_ARGS = 5000  # argv words modelled per command (a 10 MB `echo a a a ...` line)
BIG_INPUT = 1_000_000  # bytes
_BIG_KEEP = (b"codex", b"`", b"\\")
_BIG_STMT_KEEP = (
    b"codex",
    b"=",
    b"export",
    b"unset",
    b"set",
    b"source",
    b". ",
    b"alias",
    b"declare",
    b"typeset",
    b"local",
    b"eval",
    b"exec",
    b"()",
    b"function",
    b"disown",
    b"$(",
    b"`",
    b"\\",
    b"bash",
    b"sh ",
)
_DYNAMIC_HEAD_RE = re.compile(rb"(?:^|[;&|(){}\n]|\bthen|\bdo|\belse)[ \t]*\"?\$")
_BIG_KEEP_NAMES = frozenset(
    {
        "set",
        "source",
        ".",
        "alias",
        "unalias",
        "export",
        "unset",
        "exec",
        "eval",
        "disown",
        "shift",
        "declare",
        "typeset",
        "local",
        "env",
        "sudo",
        "xargs",
        "parallel",
        "caam",
        "npx",
        *SHELLS,
    }
)
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SUBSTS = frozenset({"command_substitution", "process_substitution"})
_SCRIPT_RUNNERS = SHELLS | {"source", "."}  # programs that run script text they are given
_STDIN_ALIASES = frozenset({"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
_IGNORERS = frozenset({"true", ":", "echo", "printf"})
_HEREDOC_OK_KIDS = frozenset(
    {
        "heredoc_start",
        "heredoc_body",
        "heredoc_end",
        "file_redirect",
        "file_descriptor",
        "herestring_redirect",
    }
)
_META = frozenset(b" \t;|&<>()")
_LONE_DASH_RE = re.compile(rb"(?<![^ \t])-(?![^ \t\n])")
# A here-doc operator with something after its word on the same line: only then can the
# here-doc repair be needed (saves a tree query on every file that uses plain here-docs).
_HEREDOC_TAIL_RE = re.compile(rb"<<-?[ \t]*(?:'[^'\n]*'|\"[^\"\n]*\"|\\?[^\s;|&<>()]+)[ \t]*[^\s]")
_REF_RE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_VAR_HEAD_RE = re.compile(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?')


@functools.lru_cache(maxsize=1)
def _language() -> Any:
    import tree_sitter as ts
    import tree_sitter_bash as tsb

    return ts.Language(tsb.language())


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter as ts

    return ts.Parser(_language())


def _parse_bytes(b: bytes) -> Any:
    """The tree of `b`, parsed from an ASCII copy of the same length.

    tree-sitter-bash 0.25.1 reads past its tables on some non-ASCII input (`{` then U+7F831
    segfaults the process about one run in four: tree-sitter/tree-sitter-bash#337), and a crash
    at a door is a bypass. Every byte of a multi-byte code point becomes `x`, so the copy holds
    no non-ASCII at all while every byte offset stays valid: texts are still sliced from the
    original bytes (`_Src.b`), only the tree's shape comes from the copy. Bash itself treats
    such characters as word characters, as `x` is.
    """
    if not b.isascii():
        b = b.translate(_NON_ASCII_TO_X)
    return _parser().parse(b)


_NON_ASCII_TO_X = bytes(range(128)) + b"x" * 128


@functools.lru_cache(maxsize=4)
def _query(text: str) -> Any:
    import tree_sitter as ts

    return ts.Query(_language(), text)


def _captures(query: str, root: Node) -> list[Node]:
    import tree_sitter as ts

    found: dict[str, list[Node]] = ts.QueryCursor(_query(query)).captures(root)
    out: list[Node] = []
    for nodes in found.values():
        out.extend(nodes)
    out.sort(key=lambda n: n.start_byte)
    return out


@dataclass(frozen=True, slots=True)
class _Heredoc:
    """A here-doc the repair pass turned into ``< WORD`` (keyed by the WORD's byte offset)."""

    body: str
    quoted: bool
    body_byte: int


class _Src:
    """One parsed text (the file, or a re-parsed body) and how to map it into the file."""

    __slots__ = ("ascii", "b", "big", "co", "fakes", "lo", "override")

    def __init__(
        self, b: bytes, lo: int, co: int, fakes: dict[int, _Heredoc], override: Span | None
    ) -> None:
        self.b = b
        self.lo = lo
        self.co = co
        self.fakes = fakes
        self.ascii = b.isascii()
        self.override = override  # alias text: every word sits where the alias name was
        # Past this size only commands that can matter are modelled (a 10 MB script must still
        # lint in seconds): see _Walker._skippable.
        self.big = len(b) > BIG_INPUT

    def text(self, node: Node) -> str:
        return self.b[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def slice(self, start: int, end: int) -> str:
        return self.b[start:end].decode("utf-8", "replace")

    def _col(self, byte: int, col: int) -> int:
        """Character column from tree-sitter's byte column (they differ on non-ASCII lines).
        Past 4 KiB into a line the byte column is kept: decoding each word's whole line prefix
        would make a 10 MB one-line file quadratic."""
        if self.ascii or col == 0 or col > 4096:
            return col
        return len(self.b[byte - col : byte].decode("utf-8", "replace"))

    def span(self, node: Node) -> Span:
        if self.override is not None:
            return self.override
        sr, sc = node.start_point
        er, ec = node.end_point
        if not self.ascii:
            sc = self._col(node.start_byte, sc)
            ec = self._col(node.end_byte, ec)
        lo, co = self.lo + 1, self.co
        if co and (sr == 0 or er == 0):
            return self._mk(sr, sc, er, ec)
        return Span(sr + lo, sc + 1, er + lo, ec + 1)

    def span_near(self, ref: Node, start: int, end: int) -> Span:
        """Span of a byte range, counting lines from a nearby node (never from the top of a
        10 MB file: that would make the walk quadratic)."""
        if self.override is not None:
            return self.override
        row0 = ref.start_point.row
        base = ref.start_byte
        points = []
        for byte in (start, end):
            if byte >= base:
                row = row0 + self.b.count(b"\n", base, byte)
            else:
                row = row0 - self.b.count(b"\n", byte, base)
            col = byte - (self.b.rfind(b"\n", 0, byte) + 1)
            points.append((row, self._col(byte, col)))
        return self._mk(points[0][0], points[0][1], points[1][0], points[1][1])

    def _mk(self, sr: int, sc: int, er: int, ec: int) -> Span:
        co = self.co
        return Span(
            sr + 1 + self.lo,
            sc + 1 + (co if sr == 0 else 0),
            er + 1 + self.lo,
            ec + 1 + (co if er == 0 else 0),
        )


@dataclass(slots=True)
class _Ctx:
    """How the statement being walked is run. Treated as immutable: never assigned to after
    ``derive`` returns it (not frozen only because frozen dataclasses are slow to copy)."""

    stdin: Stdin = field(default_factory=Stdin)
    pre_async: Stdin | None = None  # the stdin an async list had before POSIX gave it /dev/null
    background: bool = False
    background_pipeline: bool = False
    in_pipeline: bool = False
    pos: int = 0
    pipe: tuple[int, int] | None = None  # (pipeline id, member) for pipeline_next patching
    cmdsubst: bool = False
    loop: LoopInfo | None = None
    function: str | None = None
    subshell: bool = False
    status_ignored: bool = False
    status_checked: bool = False
    depth: int = 0
    detached: bool = False
    wrappers: tuple[Wrapper, ...] = ()
    env_cleared: bool = False
    stdout: str | None = None

    def derive(self, **changes: Any) -> _Ctx:
        """A copy with ``changes`` (hand-written: ``dataclasses.replace`` is the hot spot)."""
        new = _Ctx.__new__(_Ctx)
        new.stdin = self.stdin
        new.pre_async = self.pre_async
        new.background = self.background
        new.background_pipeline = self.background_pipeline
        new.in_pipeline = self.in_pipeline
        new.pos = self.pos
        new.pipe = self.pipe
        new.cmdsubst = self.cmdsubst
        new.loop = self.loop
        new.function = self.function
        new.subshell = self.subshell
        new.status_ignored = self.status_ignored
        new.status_checked = self.status_checked
        new.depth = self.depth
        new.detached = self.detached
        new.wrappers = self.wrappers
        new.env_cleared = self.env_cleared
        new.stdout = self.stdout
        for name, value in changes.items():
            setattr(new, name, value)
        return new


@dataclass(slots=True)
class _FuncDef:
    name: str
    body: Node
    src: _Src
    key: tuple[int, int]
    state: State
    ctx: _Ctx


@dataclass(slots=True)
class _Redirs:
    stdin: Stdin
    stdout: str | None = None
    explicit: bool = False  # a redirect set the stdin
    script: tuple[str, int, int, bool] | None = None  # body text, line0, col0, quoted
    heredoc_nodes: list[Node] = field(default_factory=list)


class _Walker:
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
        self.last_bg: tuple[int, int] | None = None
        self.nest_reported = False
        # What a pipeline member prints when it is a plain `echo`/`printf` of literal text, keyed
        # by the (pipeline, member) it feeds: `echo 'codex exec ...' | bash` is read, not guessed.
        self.pipe_text: dict[tuple[int, int], tuple[str, int, int, bool]] = {}

    # ----------------------------------------------------------------- texts and trees
    def run_text(
        self,
        text: str,
        lo: int,
        co: int,
        st: State,
        ctx: _Ctx,
        override: Span | None = None,
    ) -> None:
        b = text.encode("utf-8", "replace")
        tree = _parse_bytes(b)
        root = tree.root_node
        fakes: dict[int, _Heredoc] = {}
        if b"<<" in b and _HEREDOC_TAIL_RE.search(b) is not None:
            fixed = _repair_heredocs(b, root)
            if fixed is not None:
                b2, fakes = fixed
                tree = _parse_bytes(b2)
                root = tree.root_node
        src = _Src(b, lo, co, fakes, override)
        if root.has_error and override is None:
            for n in _captures("(ERROR) @e (MISSING) @m", root)[:MAX_ERRORS]:
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
            try:
                self._func_body(d.body, d.state.copy(), ctx, d.src)
            finally:
                self.callstack.pop()

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
        return Script(cmds, self.dialect, tuple(self.errors), tuple(self.unsets), dyn)

    # ----------------------------------------------------------------- statements
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
            self._seq(node, st.copy(), ctx.derive(subshell=True), src)
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

    def _scan_substs(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        """Commands hidden in `[[ ]]`, `(( ))` and other non-command statements."""
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in _SUBSTS:
                self._subst(n, st, ctx, src)
            else:
                stack.extend(reversed(n.named_children))

    def _async(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        start = len(self.cmds)
        base = self._base_stdin(st, ctx)
        is_pipe = node.type == "pipeline" or (
            node.type == "redirected_statement"
            and (b := node.child_by_field_name("body")) is not None
            and b.type == "pipeline"
        )
        actx = ctx.derive(background=True, background_pipeline=is_pipe)
        if st.job_control:
            # Job control on (`set -m`): bash gives the background job the script's stdin.
            if base.kind is StdinKind.INHERITED:
                actx = actx.derive(stdin=replace(base, reason="job-control"))
        elif is_pipe and self.dialect != "sh":
            # bash does not give a background PIPELINE's first command /dev/null (FACTS.md).
            if base.kind is StdinKind.INHERITED:
                actx = actx.derive(stdin=replace(base, reason="background-pipeline"))
        else:
            # POSIX: an async list with job control off reads /dev/null unless redirected.
            actx = actx.derive(stdin=Stdin(StdinKind.NULL, reason="async"), pre_async=base)
        self._stmt(node, st.copy(), actx, src)
        self.last_bg = (start, len(self.cmds))

    def _list(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        kids = [c for c in node.children if c.type != "comment"]
        if len(kids) < 3:
            self._seq(node, st, ctx, src)
            return
        left, op, right = kids[0], kids[1].type, kids[-1]
        if op == "||" and self._is_ignorer(right, st, src):
            lctx = ctx.derive(status_ignored=True)
        else:
            lctx = ctx.derive(status_checked=True)
        self._stmt(left, st, lctx, src)
        if not self._may_change_state(right, st, src):
            self._stmt(right, st, ctx, src)  # `|| exit 1`, `&& echo ok`: nothing to join
            return
        # The right side runs only on one outcome of the left: what it unsets may still be set.
        path = st.branch()
        self._stmt(right, path, ctx, src)
        meet(st, [st, path])

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
        redirs = [c for c in node.named_children if c.type in _REDIRECTS]
        if body is None:
            return
        if body.type == "command":
            self._command(body, redirs, self._lone_dash(body, redirs, src), st, ctx, src)
        elif body.type == "pipeline":
            self._pipeline(body, st, ctx, src, redirs)
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
        self.pipe_ids += 1
        pid = self.pipe_ids
        first = len(self.cmds)
        progs: list[str] = []
        last = len(members) - 1
        for i, (m, op) in enumerate(members):
            if i == 0:
                mctx = ctx.derive(in_pipeline=True, pos=0, pipe=(pid, 0))
            else:
                stdin = Stdin(
                    StdinKind.PIPE,
                    source=progs[-1],
                    span=src.span(op) if op is not None else src.span(m),
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
            printed = self._printed_text(start, (pid, i))
            if printed is not None:
                self.pipe_text[(pid, i + 1)] = printed
        for k in range(first, len(self.cmds)):
            tag = self.tags[k]
            if tag is not None and tag[0] == pid and tag[1] < last:
                # Each Command owns its Context, built in _emit and not shared yet.
                nxt = tuple(progs[tag[1] + 1 :])
                object.__setattr__(self.cmds[k].context, "pipeline_next", nxt)

    def _printed_text(self, start: int, tag: tuple[int, int]) -> tuple[str, int, int, bool] | None:
        """The text a pipeline member prints, when it is `echo [-n] WORDS` or
        `printf '%s\\n' WORDS` of literal words (as a here-string would hand it on)."""
        cmd = next(
            (self.cmds[k] for k in range(start, len(self.cmds)) if self.tags[k] == tag), None
        )
        if cmd is None or cmd.wrappers or not all(w.literal for w in cmd.argv):
            return None
        args = [w.text for w in cmd.argv[1:]]
        sep = " "
        if cmd.program == "echo" and cmd.argv[0].text == "echo":
            if args[:1] == ["-n"]:
                args = args[1:]
            if any(a.startswith("-") for a in args[:1]):
                return None  # -e / -E: escapes the linter does not decode here
        elif cmd.program == "printf" and cmd.argv[0].text == "printf":
            if not args or args[0] not in (r"%s\n", "%s"):
                return None
            sep = "\n" if args[0] == r"%s\n" else ""  # the format repeats for each word
            args = args[1:]
        else:
            return None
        if not args:
            return None
        first = cmd.argv[1 + (len(cmd.argv) - 1 - len(args))]
        skip = 1 if (first.raw or "")[:1] in ("'", '"') else 0
        return sep.join(args), first.span.line - 1, first.span.column - 1 + skip, True

    def _member_prog(self, m: Node, pid: int, i: int, start: int) -> str:
        """The program name of a pipeline member, as `pipeline_next` and a PIPE's source."""
        if m.type in ("while_statement", "for_statement", "c_style_for_statement"):
            return m.children[0].type if m.children else "while"
        tagged = next((k for k in range(start, len(self.cmds)) if self.tags[k] == (pid, i)), None)
        if tagged is None:
            return str(m.type).split("_")[0]
        return self.cmds[tagged].program

    def _if(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        """Conditions run on the shell's state in order; each body is one path of its own, and
        the paths meet after `fi` (with the path that runs no body, when there is no `else`)."""
        paths: list[State] = []
        has_else = self._if_clause(node, st, ctx, src, paths)
        if not has_else:
            paths.insert(0, st.branch())  # no body ran
        meet(st, paths)

    def _if_clause(self, node: Node, st: State, ctx: _Ctx, src: _Src, paths: list[State]) -> bool:
        """Walk an if/elif/else clause; bodies go on new paths. True when it has an `else`."""
        cond = True
        has_else: bool = node.type == "else_clause"
        path = st
        kids = node.children
        n = len(kids)
        for i in range(n):
            c = kids[i]
            t = c.type
            if t in ("if", "elif"):
                cond = True
                path = st
            elif t in ("then", "else"):
                cond = False
                path = st.branch()
                paths.append(path)
            elif t in ("elif_clause", "else_clause"):
                has_else = self._if_clause(c, st, ctx, src, paths) or has_else
            elif c.is_named and t != "comment":
                cctx = ctx.derive(status_checked=True) if cond else ctx
                if i + 1 < n and kids[i + 1].type == "&":
                    self._async(c, path, cctx, src)
                else:
                    self._stmt(c, path, cctx, src)
        return has_else

    def _while(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        until = bool(node.children) and node.children[0].type == "until"
        kind = LoopKind.UNTIL if until else LoopKind.WHILE
        base = self._base_stdin(st, ctx)
        cctx = ctx.derive(status_checked=True, stdin=base)
        start = len(self.cmds)
        body: Node | None = None
        kids = node.children
        for i, c in enumerate(kids):
            if c.type == "do_group":
                body = c
            elif c.is_named and c.type != "comment":
                if i + 1 < len(kids) and kids[i + 1].type == "&":
                    self._async(c, st, cctx, src)
                else:
                    self._stmt(c, st, cctx, src)
        reads = any(
            cmd.program == "read" and cmd.stdin == base and not _reads_fd(cmd)
            for cmd in self.cmds[start:]
        )
        info = LoopInfo(kind, src.span(node), reads)
        stdin = replace(base, shared_with_loop_read=True) if reads else base
        if body is not None:
            # The body may never run: what it unsets may still be set after the loop.
            path = st.branch()
            self._seq(body, path, ctx.derive(loop=info, stdin=stdin), src)
            meet(st, [st, path])

    def _for(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        kids = node.children
        select = bool(kids) and kids[0].type == "select"
        base = self._base_stdin(st, ctx)
        info = LoopInfo(LoopKind.SELECT if select else LoopKind.FOR, src.span(node), select)
        body: Node | None = None
        var = node.child_by_field_name("variable")
        values: list[Word] = []
        listed = False
        for c in node.children_by_field_name("value"):
            listed = True
            values.extend(self._expand(c, st, ctx, src))
        for c in kids:
            if c.type == "do_group":
                body = c
            elif (
                node.type == "c_style_for_statement"
                and c.is_named
                and c.type not in ("variable_name", "comment")
            ):
                self._scan_substs(c, st, ctx, src)
        if var is not None:
            st.assign(src.text(var), loop_var(values, src.span(var)))
        stdin = replace(base, shared_with_loop_read=True) if select else base
        if body is None:
            return
        bctx = ctx.derive(loop=info, stdin=stdin)
        if listed and values and all(v.literal for v in values) and not select:
            self._seq(body, st, bctx, src)  # a known, non-empty list: the body runs
        else:
            path = st.branch()
            self._seq(body, path, bctx, src)
            meet(st, [st, path])

    def _case(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        value = node.child_by_field_name("value")
        if value is not None:
            self._expand(value, st, ctx, src)
        paths: list[State] = []
        catch_all = False
        for item in node.named_children:
            if item.type == "case_item":
                catch_all = catch_all or any(
                    src.text(v) == "*" for v in item.children_by_field_name("value")
                )
                path = st.branch()
                self._seq(item, path, ctx, src, skip_until=")")
                paths.append(path)
        if not catch_all:
            paths.insert(0, st.branch())  # no arm matched
        meet(st, paths)

    def _define(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name_node is None or body is None:
            return
        d = _FuncDef(src.text(name_node), body, src, (id(src), node.start_byte), st.copy(), ctx)
        st.functions[d.name] = d
        self.defs.append(d)

    def _func_body(self, body: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        if body.type == "subshell":
            self._seq(body, st.copy(), ctx.derive(subshell=True), src)
        elif body.type == "compound_statement":
            self._seq(body, st, ctx, src)
        else:
            self._stmt(body, st, ctx, src)

    # ----------------------------------------------------------------- assignments
    def _value_word(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> Word:
        value = node.child_by_field_name("value")
        if value is None:
            return Word("", True, src.span(node), "")
        text, literal = self._text(value, st, ctx, src)
        return Word(text, literal, src.span(value), src.text(value))

    def _assign(
        self, node: Node, st: State, ctx: _Ctx, src: _Src, *, export: bool, local: bool
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
            word = self._value_word(node, st, ctx, src)
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
        if value is not None and value.type == "array":
            new_items: list[Word] = []
            for c in value.named_children:
                if c.type != "comment":
                    new_items.extend(self._expand(c, st, ctx, src))
            if append and old is not None:
                prev = (
                    old.items
                    if old.items is not None
                    else ((old.value,) if old.value is not None else None)
                )
                var = Var(None, None if prev is None else (*prev, *new_items), export, origin, span)
            else:
                var = Var(None, tuple(new_items), export, origin, span)
        else:
            word = self._value_word(node, st, ctx, src)
            if append and old is not None and old.items is not None:
                var = Var(None, (*old.items, word), export, origin, span)
            elif append and old is not None:
                if old.value is None:
                    var = Var(None, None, export, origin, span)
                else:
                    joined = Word(
                        old.value.text + word.text,
                        old.value.literal and word.literal,
                        word.span,
                        word.raw,
                    )
                    var = Var(joined, None, export, origin, span)
            elif append:
                var = Var(None, None, export, origin, span)
            else:
                var = Var(word, None, export, origin, span)
        st.assign(name, var)
        if local and st.local_names is not None:
            st.local_names.add(name)

    def _declaration(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
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
        named = node.named_children
        i = 0
        while i < len(named):
            c = named[i]
            t = c.type
            nxt = named[i + 1] if i + 1 < len(named) else None
            i += 1
            if (
                t == "variable_name"
                and nxt is not None
                and nxt.start_byte == c.end_byte
                and nxt.type != "variable_assignment"
            ):
                # `export OPENAI_API_{KEY,X}=v`: tree-sitter splits the word after its name.
                i += 1
                for w in self._glued_words(c, nxt, st, ctx, src):
                    self._declare_word(w, st, export, unexport=unexport, nameref=nameref)
            elif t == "variable_assignment" and nameref:
                name_node = c.child_by_field_name("name")
                if name_node is not None:
                    value = self._value_word(c, st, ctx, src)
                    self._declare_word(
                        Word(f"{src.text(name_node)}={value.text}", value.literal, value.span),
                        st,
                        export,
                        nameref=True,
                    )
            elif t == "variable_assignment":
                if unexport:
                    self._assign(c, st, ctx, src, export=False, local=local)
                    self._unexport(c.child_by_field_name("name"), st, src)
                else:
                    self._assign(c, st, ctx, src, export=export, local=local)
            elif t == "variable_name":
                name = src.text(c)
                if nameref:
                    st.namerefs[name] = None  # a nameref with no target yet
                elif unexport:
                    self._unexport(c, st, src)
                elif export:
                    st.export(name, src.span(node))
                elif name not in st.vars:
                    st.assign(name, Var(None, None, False, EnvOrigin.EXPORT, src.span(c)))
                if local and st.local_names is not None:
                    st.local_names.add(name)
            elif t == "word" and src.text(c)[:1] in ("-", "+"):
                continue
            else:
                for w in self._name_variants(c, st, ctx, src):
                    self._declare_word(w, st, export, unexport=unexport, nameref=nameref)

    def _glued_words(self, name: Node, rest: Node, st: State, ctx: _Ctx, src: _Src) -> list[Word]:
        """The word tree-sitter split into a name and the rest, brace-expanded in its name part
        as bash does (`OPENAI_API_{KEY,X}=v` -> `OPENAI_API_KEY=v OPENAI_API_X=v`)."""
        raw = src.slice(name.start_byte, rest.end_byte)
        tail, literal = self._text(rest, st, ctx, src)
        text = src.text(name) + tail
        head_raw, eq, _ = raw.partition("=")
        value = text.partition("=")[2]
        names = brace_expand(head_raw) if self.dialect != "sh" else None
        span = src.span(name)
        if names is None:
            return [Word(text, literal, span, raw)]
        return [Word(n + eq + value, literal, span, raw) for n in names]

    def _name_variants(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> list[Word]:
        """A word in a name position expanded once for each value of a variable it uses that
        takes several (``export "$k=x"`` in ``for k in A B``), at most MAX_ALTERNATIVES."""
        words = self._expand(node, st, ctx, src)
        if all(w.literal for w in words):
            return words
        raw = src.text(node)
        if "$(" in raw or "`" in raw:
            return words  # expanding again would run the substitution twice
        multi = [
            name
            for name in dict.fromkeys(_REF_RE.findall(raw))
            if (v := st.vars.get(name)) is not None and v.value is None and v.alts
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
                out.extend(self._expand(node, st, ctx, src))
        finally:
            st.vars.update(saved)
        return out

    def _declare_word(
        self,
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
                st.unexport(name)
                self._record_unset(name, w.span, st)
            elif eq:
                word = Word(value, w.literal, w.span, w.raw)
                st.assign(name, Var(word, None, export, EnvOrigin.EXPORT, w.span))
            elif export:
                st.export(name, w.span)
        elif not w.literal and not nameref and not unexport and (export or st.allexport):
            # The name itself is unknown (`export "$k=x"`): it may be a forbidden key.
            st.export_unresolved(name, w.span)

    def _unexport(self, name_node: Node | None, st: State, src: _Src) -> None:
        if name_node is None:
            return
        name = src.text(name_node)
        st.unexport(name)
        self._record_unset(name, src.span(name_node), st)

    def _unset(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
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
                names = [w.text for w in self._glued_words(c, nxt, st, ctx, src)]
            elif c.type == "variable_name":
                names = [raw]
            else:
                names = [w.text for w in self._name_variants(c, st, ctx, src) if w.literal]
            for name in names:
                if funcs:
                    st.functions.pop(name, None)
                elif refs and name in st.namerefs:
                    st.namerefs.pop(name)  # `unset -n ref`: the reference, not its target
                else:
                    target = st.target(name) or name
                    st.unset(name)
                    self._record_unset(target, src.span(c), st)

    def _record_unset(self, name: str, span: Span, st: State) -> None:
        """Script.unsets holds the unsets that run on every path (CG103 trusts them)."""
        if not st.conditional:
            self.unsets.append(Unset(name, span))

    # ----------------------------------------------------------------- simple commands
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
        prefix, name_node, args, own = _split_command(node, redirs)
        all_redirs = own + redirs
        if name_node is None:
            for a in prefix:
                self._assign(a, st, ctx, src, export=False, local=False)
            return
        pre = [
            (src.text(n), self._value_word(a, st, ctx, src), src.span(a))
            for a in prefix
            if (n := a.child_by_field_name("name")) is not None
        ]
        head_node = name_node.named_children[0] if name_node.named_child_count else name_node
        if head_node.is_missing or head_node.end_byte == head_node.start_byte:
            return  # a command word tree-sitter invented to close a syntax error
        words: list[Word] = []
        for group in _continued_words([head_node, *args], src):
            words.extend(self._expand_joined(group, st, ctx, src))
        words.extend(extra)
        if not words:
            for a in prefix:
                self._assign(a, st, ctx, src, export=False, local=False)
            return
        resolved = self._resolve_head(head_node, words, st, ctx, src)
        if resolved is None:
            return  # a complex alias, already walked as shell text
        words, wrappers = resolved
        span, text = _command_extent(node, redirs, src)
        r = self._redirs(all_redirs, self._base_stdin(st, ctx), ctx, st, src)
        if r.script is None and not r.explicit and ctx.pipe is not None:
            r.script = self.pipe_text.get(ctx.pipe)  # `echo 'text' | bash` reads that text
        head = words[0]
        fdef = st.functions.get(head.text) if head.literal else None
        if isinstance(fdef, _FuncDef):
            idx = self._emit(tuple(words), span, text, pre, r, None, wrappers, st, ctx)
            self._call(fdef, words, pre, r, st, ctx, self.cmds[idx].span)
            return
        if head.literal:
            self._builtin(head.text, words, r, st, src, span)
        p = peel(tuple(words))
        if p.lookup_only:
            p.argv = tuple(words)
        if p.args_from_input:
            printed = self.pipe_text.get(ctx.pipe) if ctx.pipe is not None else None
            _append_xargs_input(p, printed, span)
        idx = self._emit(p.argv, span, text, pre, r, p, wrappers, st, ctx)
        if p.argv and not p.argv[0].literal:
            self.dynamic.append(idx)
        else:
            self._unseen_script(p, r, idx)
        for hd in r.heredoc_nodes:
            self._scan_substs(hd, st, ctx, src)
        self._nested_shell(p, r, idx, st, ctx)

    def _resolve_head(
        self, head_node: Node, words: list[Word], st: State, ctx: _Ctx, src: _Src
    ) -> tuple[list[Word], list[Wrapper]] | None:
        """The command word through `$VAR` / `"${ARR[@]}"` and aliases (recorded as wrappers)."""
        wrappers: list[Wrapper] = []
        raw_head = src.text(head_node)
        if raw_head.startswith(("$", '"$')) and words[0].literal:
            m = _VAR_HEAD_RE.match(raw_head)
            wname = "array" if m is not None and m.group(2) else "$VAR"
            wrappers.append(Wrapper(wname, src.span(head_node), (m.group(1),) if m else ()))
        head = words[0]
        if (
            head.literal
            and head.raw == head.text
            and head.text in st.aliases
            and not any(w.name == "alias" for w in ctx.wrappers)
        ):
            expanded = self._alias(st.aliases[head.text], head, words, st, ctx, src)
            if expanded is None:
                return None
            wrappers.append(Wrapper("alias", head.span, (head.text,)))
            words = expanded
        return words, wrappers

    def _unseen_script(self, p: Peeled, r: _Redirs, idx: int) -> None:
        """A shell that runs text the linter cannot read (`curl ... | base64 -d | bash`,
        `bash <(curl ...)`, `. <(...)`, `... | xargs env`): it may start codex with anything."""
        prog = basename(p.argv[0].text) if p.argv else ""
        if (
            not (p.program_from_input or p.args_from_input)
            and prog not in _SCRIPT_RUNNERS
            and prog != "make"
        ):
            return  # the common case: no shell at all
        cmd = self.cmds[idx]
        how: str | None = "xargs" if p.program_from_input or p.args_from_input else None
        if how is None and prog in SHELLS:
            # bash sources $BASH_ENV (sh: $ENV) before a non-interactive script, and runs
            # $PROMPT_COMMAND before each prompt of an interactive one: text set for it here.
            started = {b.name for b in cmd.env} & {"BASH_ENV", "ENV", "PROMPT_COMMAND"}
            how = f"${sorted(started)[0]}" if started else None
        if how is None and prog == "make":
            # `make -f /dev/stdin <<< ...`, `make -f -`: recipes the linter cannot read as a file
            words = [w.text for w in p.argv[1:]]
            for i, word in enumerate(words):
                target = (
                    words[i + 1]
                    if word in ("-f", "--file", "--makefile") and i + 1 < len(words)
                    else None
                )
                if word.startswith("--file=") or word.startswith("--makefile="):
                    target = word.partition("=")[2]
                if target in ("-", *_STDIN_ALIASES):
                    how = "make -f stdin"
        if how is None and not p.body and prog != "make":
            operands = p.argv[1:]
            if any((w.raw or "").lstrip('"').startswith("<(") for w in operands):
                how = "process-substitution"
            elif cmd.stdin.kind is StdinKind.PIPE and (
                (prog in SHELLS and r.script is None and shell_reads_script_from_stdin(p.argv))
                or any(w.text in _STDIN_ALIASES for w in operands[:1])
            ):
                how = "pipe"
        if how is not None:
            self.cmds[idx] = replace(cmd, unseen_script=how)
            self.dynamic.append(idx)

    def _nested_shell(self, p: Peeled, r: _Redirs, idx: int, st: State, ctx: _Ctx) -> None:
        """Shell text the command runs: `bash -c BODY`, `eval`, `trap`, `su -c`, `ssh host CMD`,
        or a script fed on stdin (`bash <<'EOF'`, `sh -s <<< "..."`)."""
        cmd = self.cmds[idx]
        prog = basename(p.argv[0].text) if p.argv else ""
        sources_stdin = (
            prog in ("source", ".") and len(p.argv) > 1 and p.argv[1].text in _STDIN_ALIASES
        )
        if not p.body and (r.script is None or (prog not in SHELLS and not sources_stdin)):
            return
        body_ctx = ctx.derive(
            depth=ctx.depth + 1,
            wrappers=cmd.wrappers,
            stdin=cmd.stdin,
            env_cleared=cmd.env_cleared,
            detached=cmd.context.detached,
        )
        if p.body:
            if p.body_clean_env:
                body_ctx = body_ctx.derive(env_cleared=True)
                cmd = replace(cmd, env=(), env_files=())
            self._run_body(p.body, p.body_kind, cmd, st, body_ctx, idx)
        elif r.script is not None and sources_stdin and ctx.depth < MAX_BODY_DEPTH:
            # `source /dev/stdin <<< 'text'`: this shell itself runs the text, as eval would.
            body, line0, col0, _quoted = r.script
            wrapper = Wrapper(f"{prog} stdin", cmd.span, ())
            self.run_text(body, line0, col0, st, body_ctx.derive(wrappers=(*cmd.wrappers, wrapper)))
        elif (
            r.script is not None
            and shell_reads_script_from_stdin(p.argv)
            and ctx.depth < MAX_BODY_DEPTH
        ):
            body, line0, col0, quoted = r.script
            prog = basename(p.argv[0].text)
            child = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
            if not quoted:
                # The outer shell expands an unquoted here-doc before the inner shell reads it.
                for k, v in st.vars.items():
                    child.vars.setdefault(k, v)
            wrapper = Wrapper(f"{prog} stdin", cmd.span, ())
            self.run_text(
                body, line0, col0, child, body_ctx.derive(wrappers=(*cmd.wrappers, wrapper))
            )

    def _skippable(self, node: Node, st: State, src: _Src) -> bool:
        """In a huge input, a command that names no codex, expands nothing, assigns nothing and
        is no wrapper, builtin, function or alias cannot change any finding: skip it."""
        b = src.b
        start, end = node.start_byte, node.end_byte
        if any(b.find(tok, start, end) >= 0 for tok in _BIG_KEEP):
            return False
        name = node.child_by_field_name("name")
        prog = src.text(name) if name is not None else ""
        return not (
            "$" in prog or prog in _BIG_KEEP_NAMES or prog in st.functions or prog in st.aliases
        )

    def _run_body(
        self, body: tuple[Word, ...], kind: str, cmd: Command, st: State, ctx: _Ctx, idx: int
    ) -> None:
        first = body[0]
        pure_expansion = not first.literal and re.fullmatch(
            r'"?\$(\{[^}]*\}|[A-Za-z_@*][A-Za-z0-9_]*|\([^()]*\))"?', first.raw or ""
        )
        if pure_expansion or ctx.depth > MAX_BODY_DEPTH:
            self.dynamic.append(idx)
            return
        text = " ".join(w.text for w in body)
        raw = first.raw or ""
        skip = 2 if raw.startswith(("$'", '$"')) else 1 if raw[:1] in ("'", '"') else 0
        wrapper = Wrapper(kind, first.span, ())
        bctx = ctx.derive(wrappers=(*ctx.wrappers, wrapper))
        if kind in ("eval", "trap"):
            self.run_text(text, first.span.line - 1, first.span.column - 1 + skip, st, bctx)
        else:
            child = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
            self.run_text(text, first.span.line - 1, first.span.column - 1 + skip, child, bctx)

    def _alias(
        self, value: str, head: Word, words: list[Word], st: State, ctx: _Ctx, src: _Src
    ) -> list[Word] | None:
        """Alias words for a plain one-command alias; otherwise the alias is re-parsed as shell
        with the call's arguments (and None is returned)."""
        b = value.encode("utf-8", "replace")
        root = _parse_bytes(b).root_node
        kids = [c for c in root.named_children if c.type != "comment"]
        asrc = _Src(b, 0, 0, {}, head.span)
        if (
            len(kids) == 1
            and kids[0].type == "command"
            and all(
                c.type
                in (
                    "command_name",
                    "word",
                    "string",
                    "raw_string",
                    "number",
                    "concatenation",
                    "simple_expansion",
                    "expansion",
                )
                for c in kids[0].named_children
            )
        ):
            out: list[Word] = []
            for c in kids[0].named_children:
                named = c.type == "command_name" and c.named_child_count
                target = c.named_children[0] if named else c
                out.extend(self._expand(target, st, ctx, asrc))
            return out + words[1:]
        rest = " ".join(w.raw or w.text for w in words[1:])
        actx = ctx.derive(wrappers=(*ctx.wrappers, Wrapper("alias", head.span, (head.text,))))
        self.run_text(value + " " + rest, 0, 0, st, actx, override=head.span)
        return None

    def _builtin(
        self, name: str, words: list[Word], r: _Redirs, st: State, src: _Src, span: Span
    ) -> None:
        args = [w.text for w in words[1:]]
        if name == "set":
            self._set(args, words, st)
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
        elif name == "exec" and len(words) == 1 and r.explicit:
            st.shell_stdin = r.stdin  # `exec </dev/null`: every later command reads that
        elif name == "printf":
            printed = printf_target(words)
            if printed is not None:
                self._assign_named(printed, st)
        elif name == "read":
            for read_into in read_targets(words):
                self._assign_named(read_into, st)
        elif name == "getopts" and len(words) > 2:
            self._assign_named(words[2], st)
        elif name == "let" and st.allexport:
            for w in words[1:]:
                for let_name in arith_assigned(w.text):
                    st.assign(let_name, Var(None, None, False, EnvOrigin.EXPORT, w.span))

    def _assign_named(self, w: Word, st: State) -> None:
        """A builtin assigns the variable a word names (`printf -v NAME`, `read NAME`): its
        value is unknown; under `set -a` it is exported, as any assignment is."""
        names = names_of(w, st.vars)
        if names is None:
            if st.allexport:
                st.export_unresolved(w.raw or w.text, w.span)
            return
        for name in names:
            st.assign(name, Var(None, None, False, EnvOrigin.EXPORT, w.span))

    def _set(self, args: list[str], words: list[Word], st: State) -> None:
        i = 0
        while i < len(args):
            a = args[i]
            if a == "--":
                st.positional = tuple(words[i + 2 :])
                return
            if a in ("-o", "+o") and i + 1 < len(args):
                self._set_opt(args[i + 1], a == "-o", st)
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
                    elif letter == "o" and i + 1 < len(args):
                        i += 1
                        self._set_opt(args[i], on, st)
            i += 1

    @staticmethod
    def _set_opt(opt: str, on: bool, st: State) -> None:
        if opt == "allexport":
            st.allexport = on
        elif opt == "monitor":
            st.job_control = on
        elif opt == "errexit":
            st.errexit_off = not on

    def _call(
        self,
        fdef: _FuncDef,
        words: list[Word],
        pre: list[tuple[str, Word, Span]],
        r: _Redirs,
        st: State,
        ctx: _Ctx,
        call_span: Span,
    ) -> None:
        self.called.add(fdef.key)
        if fdef.name in self.callstack or len(self.callstack) >= MAX_CALL_DEPTH:
            return
        saved_pos, saved_locals = st.positional, st.local_names
        saved_vars = dict(st.vars)
        st.positional = tuple(words[1:])
        st.local_names = set()
        for name, value, span in pre:
            st.vars[name] = Var(value, None, True, EnvOrigin.PREFIX, span)
        fctx = ctx.derive(
            function=fdef.name,
            stdin=r.stdin,
            stdout=r.stdout or ctx.stdout,
            wrappers=(*ctx.wrappers, Wrapper("function", call_span, (fdef.name,))),
        )
        self.callstack.append(fdef.name)
        try:
            self._func_body(fdef.body, st, fctx, fdef.src)
        finally:
            self.callstack.pop()
            restore = set(st.local_names or ()) | {name for name, _, _ in pre}
            for name in restore:
                if name in saved_vars:
                    st.vars[name] = saved_vars[name]
                else:
                    st.vars.pop(name, None)
            st.positional, st.local_names = saved_pos, saved_locals

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
        env = st.exported_env()
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
        context = Context(
            background=ctx.background,
            background_pipeline=ctx.background_pipeline,
            in_pipeline=ctx.in_pipeline,
            pipeline_position=ctx.pos,
            command_substitution=ctx.cmdsubst,
            loop=ctx.loop,
            function=ctx.function,
            subshell=ctx.subshell,
            job_control=st.job_control,
            detached=detached,
            status_ignored=ctx.status_ignored,
            status_checked=ctx.status_checked,
            errexit_off=st.errexit_off,
            depth=ctx.depth,
        )
        cmd = Command(
            argv=argv,
            span=span,
            text=text,
            env=tuple(env.values()),
            env_cleared=cleared,
            env_removed=tuple(sorted(removed - env.keys())),
            env_kept=kept,
            env_files=files,
            env_unresolved=unresolved,
            stdin=stdin,
            stdout_redirect=r.stdout or ctx.stdout,
            wrappers=all_wrappers,
            context=context,
        )
        self.cmds.append(cmd)
        self.tags.append(ctx.pipe)
        return len(self.cmds) - 1

    # ----------------------------------------------------------------- redirects and stdin
    def _base_stdin(self, st: State, ctx: _Ctx) -> Stdin:
        s = ctx.stdin
        if s.kind is StdinKind.INHERITED and st.shell_stdin is not None:
            return replace(st.shell_stdin, shared_with_loop_read=s.shared_with_loop_read)
        return s

    def _redirs(self, redirs: list[Node], base: Stdin, ctx: _Ctx, st: State, src: _Src) -> _Redirs:
        """Apply redirects in order (a later one wins) to ``base``: the command's stdin and
        stdout, and the script text a shell would read from a here-doc or here-string."""
        out = _Redirs(base)
        stack = list(reversed(redirs))
        while stack:
            r = stack.pop()
            t = r.type
            fd = None
            op = ""
            for k in r.children:
                if k.type == "file_descriptor":
                    fd = src.text(k)
                elif not k.is_named and not op:
                    op = k.type
            if t == "heredoc_redirect":
                stack.extend(reversed([k for k in r.named_children if k.type in _REDIRECTS]))
                if fd in (None, "0"):
                    self._heredoc(r, out, src)
            elif t == "herestring_redirect":
                if fd in (None, "0"):
                    self._herestring(r, out, st, ctx, src)
            else:
                self._file_redirect(r, fd, op, out, st, ctx, src)
        return out

    @staticmethod
    def _heredoc(r: Node, out: _Redirs, src: _Src) -> None:
        hbody = next((k for k in r.named_children if k.type == "heredoc_body"), None)
        hstart = next((k for k in r.named_children if k.type == "heredoc_start"), None)
        text = src.text(hbody) if hbody is not None else ""
        quoted = hstart is not None and any(q in src.text(hstart) for q in "'\"\\")
        out.stdin = Stdin(StdinKind.HEREDOC, source=text, span=src.span(r))
        out.explicit = True
        out.script = None
        if hbody is not None:
            pt = hbody.start_point
            out.script = (text, src.lo + pt.row, src.co if pt.row == 0 else 0, quoted)
            if not quoted:
                out.heredoc_nodes.append(hbody)  # its $(...) still run

    def _herestring(self, r: Node, out: _Redirs, st: State, ctx: _Ctx, src: _Src) -> None:
        word = next((k for k in r.named_children if k.type != "file_descriptor"), None)
        text = ""
        out.script = None
        if word is not None:
            text, _ = self._text(word, st, ctx, src)
            ws = src.span(word)
            skip = 1 if src.text(word)[:1] in ("'", '"') else 0
            out.script = (text, ws.line - 1, ws.column - 1 + skip, True)
        out.stdin = Stdin(StdinKind.HERESTRING, source=text, span=src.span(r))
        out.explicit = True

    def _file_redirect(
        self,
        r: Node,
        fd: str | None,
        op: str,
        out: _Redirs,
        st: State,
        ctx: _Ctx,
        src: _Src,
    ) -> None:
        span = src.span(r)
        dest = r.child_by_field_name("destination")
        dtext = ""
        if dest is not None:
            fake = src.fakes.get(dest.start_byte)
            if fake is not None and fd in (None, "0"):
                # A here-doc the repair pass rewrote to `< WORD` (see _repair_heredocs).
                out.stdin = Stdin(StdinKind.HEREDOC, source=fake.body, span=span)
                out.explicit = True
                pt = src.span_near(r, fake.body_byte, fake.body_byte)
                out.script = (fake.body, pt.line - 1, pt.column - 1, fake.quoted)
                return
            dtext, _ = self._text(dest, st, ctx, src)
        if fd in (None, "0") and op in ("<", "<>") and dtext in _STDIN_ALIASES:
            # `< /dev/stdin` reopens the very input the command would have had.
            out.explicit = True
            out.script = None
            if out.stdin.kind is StdinKind.INHERITED:
                out.stdin = Stdin(StdinKind.INHERITED, source=dtext, span=span, reason="dup-stdin")
        elif fd in (None, "0") and op in ("<", "<>"):
            kind = StdinKind.NULL if dtext == "/dev/null" else StdinKind.FILE
            out.stdin = Stdin(kind, source=dtext, span=span)
            out.explicit = True
            out.script = None
        elif fd in (None, "0") and op in ("<&", "<&-"):
            out.explicit = True
            out.script = None
            if dtext == "0":
                # `cmd <&0 &`: the async list keeps the stdin it had before POSIX's
                # /dev/null (bash: an explicit stdin redirect cancels that).
                if ctx.pre_async is not None:
                    out.stdin = replace(ctx.pre_async, span=span, reason="dup-stdin")
            elif dtext == "-" or op == "<&-":
                out.stdin = Stdin(StdinKind.NULL, source="-", span=span, reason="closed")
            else:
                out.stdin = Stdin(StdinKind.FILE, source="&" + dtext, span=span)
        elif (fd in (None, "1") and op in (">", ">>", ">|", "&>", "&>>")) or (
            fd is None and op == ">&" and not dtext.isdigit() and dtext != "-"
        ):
            out.stdout = dtext

    def _lone_dash(self, body: Node, redirs: list[Node], src: _Src) -> list[Word]:
        """tree-sitter-bash 0.25.1 drops a lone `-` right before a here-doc: put it back."""
        heredocs = [r for r in redirs if r.type == "heredoc_redirect"]
        if not heredocs:
            return []
        lo, hi = body.end_byte, heredocs[0].start_byte
        if hi <= lo or b"-" not in src.b[lo:hi]:
            return []
        seg = bytearray(src.b[lo:hi])
        for r in redirs:
            if lo <= r.start_byte < hi:
                a, z = r.start_byte - lo, min(r.end_byte, hi) - lo
                seg[a:z] = b" " * (z - a)
        return [
            Word("-", True, src.span_near(body, lo + m.start(), lo + m.start() + 1), "-")
            for m in _LONE_DASH_RE.finditer(bytes(seg))
        ]

    # ----------------------------------------------------------------- words
    def _expand(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> list[Word]:
        """One argv node -> its fields (0 for an empty unquoted expansion, n for arrays)."""
        t = node.type
        if t in ("word", "number"):
            raw = src.text(node)
            if "{" in raw and self.dialect != "sh":
                braced = self._brace_words(raw, src.span(node))
                if braced is not None:
                    return braced
            return [Word(unquote_bare(raw), True, src.span(node), raw)]
        if t == "concatenation" and self.dialect != "sh":
            raw = src.text(node)
            if "{" in raw:
                braced = self._brace_words(raw, src.span(node))
                if braced is not None:
                    return braced
        if t in ("simple_expansion", "expansion"):
            raw = src.text(node)
            span = src.span(node)
            if st.allexport and "=" in raw:
                self._default_assign(raw, st, span)
            found = lookup(raw, st)
            if found is None:
                return [Word(raw, False, span, raw)]
            vals, multi = found
            out: list[Word] = []
            for v in vals:
                if multi:
                    out.append(v)
                elif v.literal:
                    out.extend(Word(part, True, span, raw) for part in v.text.split())
                else:
                    out.append(Word(v.text, False, span, raw))
            return out
        if t == "string" and node.named_child_count == 1:
            kid = node.named_children[0]
            if (
                kid.type in ("simple_expansion", "expansion")
                and kid.end_byte - kid.start_byte == node.end_byte - node.start_byte - 2
            ):
                raw = src.text(node)
                found = lookup(src.text(kid), st)
                if found is not None and found[1]:
                    return list(found[0])
        text, literal = self._text(node, st, ctx, src)
        return [Word(text, literal, src.span(node), src.text(node))]

    @staticmethod
    def _default_assign(raw: str, st: State, span: Span) -> None:
        """``${K:=v}`` / ``${K=v}`` assigns K when it is unset (or empty): under `set -a` that
        exports it. Only then does it matter to the environment, so only then is it modelled."""
        assigned = default_assignment(raw)
        if assigned is None:
            return
        name, if_empty = assigned
        var = st.vars.get(name)
        empty = var is not None and var.value is not None and var.value.text == ""
        if var is None or (if_empty and empty):
            st.assign(name, Var(None, None, False, EnvOrigin.EXPORT, span))

    @staticmethod
    def _brace_words(raw: str, span: Span) -> list[Word] | None:
        """An unquoted word bash brace-expands (``A_{KEY,X}=v``): one Word a result."""
        expanded = brace_expand(raw)
        if expanded is None:
            return None
        return [Word(unquote_bare(x), True, span, raw) for x in expanded]

    def _expand_joined(self, group: list[Node], st: State, ctx: _Ctx, src: _Src) -> list[Word]:
        """Expand the nodes of one shell word that tree-sitter split at a line continuation
        (`co\\<newline>dex`: bash removes the backslash-newline first, so that is `codex`)."""
        parts = [self._expand(node, st, ctx, src) for node in group]
        if len(parts) == 1 or any(len(part) != 1 for part in parts):
            return [w for part in parts for w in part]  # a split field: leave it as read
        first, last = parts[0][0], parts[-1][0]
        span = Span(first.span.line, first.span.column, last.span.end_line, last.span.end_column)
        return [
            Word(
                "".join(part[0].text for part in parts),
                all(part[0].literal for part in parts),
                span,
                "".join(part[0].raw or part[0].text for part in parts),
            )
        ]

    def _text(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> tuple[str, bool]:
        t = node.type
        if t in ("word", "number"):
            return unquote_bare(src.text(node)), True
        if t == "raw_string":
            return src.text(node)[1:-1], True
        if t == "ansi_c_string":
            return unquote_ansi_c(src.text(node)), True
        if t in ("simple_expansion", "expansion"):
            raw = src.text(node)
            if st.allexport and "=" in raw:
                self._default_assign(raw, st, src.span(node))
            found = lookup(raw, st)
            if found is None:
                return raw, False
            vals = found[0]
            sep = " "
            if joins_with_ifs(raw):
                ifs = ifs_separator(st)
                if ifs is None:
                    return raw, False  # joined with an IFS the linter does not know
                sep = ifs
            return sep.join(v.text for v in vals), all(v.literal for v in vals)
        if t in _SUBSTS:
            self._subst(node, st, ctx, src)
            return src.text(node), False
        if t == "arithmetic_expansion":
            self._scan_substs(node, st, ctx, src)
            return src.text(node), False
        if t in ("string", "translated_string", "concatenation"):
            quoted = t != "concatenation"
            parts: list[str] = []
            literal = True
            pos = node.start_byte
            end = node.end_byte
            if quoted:
                opener = 2 if t == "translated_string" else 1
                pos += opener
                end -= 1
            for k in node.children:
                if not k.is_named:
                    continue
                if k.start_byte > pos:
                    gap = src.slice(pos, k.start_byte)
                    parts.append(unquote_double(gap) if quoted else unquote_bare(gap))
                if k.type == "string_content":
                    parts.append(unquote_double(src.text(k)))
                else:
                    s, lit = self._text(k, st, ctx, src)
                    parts.append(s)
                    literal = literal and lit
                pos = k.end_byte
            if end > pos:
                gap = src.slice(pos, end)
                parts.append(unquote_double(gap) if quoted else unquote_bare(gap))
            return "".join(parts), literal
        return src.text(node), True

    def _subst(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
        sctx = ctx.derive(
            cmdsubst=node.type == "command_substitution" or ctx.cmdsubst,
            in_pipeline=False,
            pos=0,
            pipe=None,
            background_pipeline=False,
            status_checked=False,
            status_ignored=False,
            stdout=None,
            stdin=self._base_stdin(st, ctx),
        )
        try:
            if self._enter(node, src):
                self._seq(node, st.copy(), sctx, src)
        finally:
            self.nest -= 1


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
    return prefix, name_node, args, own


def _append_xargs_input(p: Peeled, printed: tuple[str, int, int, bool] | None, span: Span) -> None:
    """`printf '%s\\n' exec --yolo p | xargs codex`: xargs appends the words of its input to
    codex's argv. When the input is literal text the script prints, those words are known."""
    xargs = next((w for w in p.wrappers if w.name == "xargs"), None)
    if xargs is None or any(a.startswith(("-I", "-i", "--replace")) for a in xargs.args):
        return  # a replace string puts each item where `{}` stands: keep it unknown
    import shlex

    try:
        items = shlex.split(printed[0], comments=False, posix=True) if printed else None
    except ValueError:
        items = None
    if items is None:  # input the linter cannot read: one unknown word stands for it
        p.argv = (*p.argv, Word("${xargs_input}", False, span, "${xargs_input}"))
        return
    p.argv = (*p.argv, *(Word(item, True, span, item) for item in items))
    p.args_from_input = False


def _continued_words(nodes: list[Node], src: _Src) -> list[list[Node]]:
    """The argument nodes grouped into shell words: nodes with only a backslash-newline between
    them are one word to bash (line continuation is removed before words are split), though
    tree-sitter-bash reads two."""
    groups: list[list[Node]] = []
    for node in nodes:
        if groups and src.slice(groups[-1][-1].end_byte, node.start_byte) == "\\\n":
            groups[-1].append(node)
        else:
            groups.append([node])
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
    span = src.span(node)
    if last is not node:
        tail = src.span(last)
        span = Span(span.line, span.column, tail.end_line, tail.end_column)
    return span, src.slice(node.start_byte, last.end_byte)


def _reads_fd(cmd: Command) -> bool:
    """`read -u 3`: the loop reads another descriptor, not the commands' stdin."""
    return any(
        w.text.startswith("-") and not w.text.startswith("--") and "u" in w.text[1:]
        for w in cmd.argv[1:]
    )


# --------------------------------------------------------------------- here-doc repair
def _repair_heredocs(b: bytes, root: Node) -> tuple[bytes, dict[int, _Heredoc]] | None:
    """Rewrite here-docs tree-sitter cannot parse into same-length ``< WORD`` redirects.

    A here-doc followed on its line by ``| cmd``, ``; cmd``, ``&`` or a second here-doc makes
    tree-sitter-bash 0.25.1 swallow or mangle the rest of the line. Keeping every byte offset,
    the line's ``<<WORD`` becomes ``< WORD`` and the body lines become blanks; the bodies are
    kept aside (keyed by the WORD's offset) so the walker still sees a here-doc.
    """
    bad_lines: list[int] = []
    for h in _captures("(heredoc_redirect) @h", root):
        start = next((k for k in h.children if k.type == "heredoc_start"), None)
        odd = any(k.is_named and k.type not in _HEREDOC_OK_KIDS for k in h.children)
        odd = odd or any(k.type == "ERROR" for k in h.children)
        if start is not None and start.end_byte > start.start_byte:
            odd = odd or b[start.end_byte - 1] in b";|&<>()"
        if odd:
            bad_lines.append(h.start_byte)
    if not bad_lines:
        return None
    out = bytearray(b)
    fakes: dict[int, _Heredoc] = {}
    done: set[int] = set()
    for at in bad_lines:
        eol = b.find(b"\n", at)
        eol = len(b) if eol < 0 else eol
        if eol in done:
            continue
        done.add(eol)
        pos = eol + 1
        for op_at, dash, word_at, delim, quoted in _heredoc_ops(b, at, eol):
            out[op_at : op_at + 2] = b"< "
            if dash:
                out[op_at + 2] = 0x20
            body_start = pos
            body_end = len(b)
            nxt = len(b)
            while pos < len(b):
                nl = b.find(b"\n", pos)
                line_end = len(b) if nl < 0 else nl
                line = b[pos:line_end]
                if (line.lstrip(b"\t") if dash else line) == delim:
                    body_end = pos
                    nxt = line_end
                    pos = line_end + 1
                    break
                pos = line_end + 1
            else:
                nxt = len(b)
            body = b[body_start:body_end].decode("utf-8", "replace")
            fakes[word_at] = _Heredoc(body, quoted, body_start)
            for k in range(body_start, min(nxt, len(b))):
                if out[k] != 0x0A:
                    out[k] = 0x20
    return bytes(out), fakes


def _heredoc_ops(b: bytes, start: int, end: int) -> list[tuple[int, bool, int, bytes, bool]]:
    """``<<[-]WORD`` operators on one line, quote-aware: (op offset, dash, word offset,
    delimiter, quoted)."""
    ops: list[tuple[int, bool, int, bytes, bool]] = []
    i = start
    quote = 0
    while i < end:
        c = b[i]
        if quote:
            if c == 0x5C and quote == 0x22:
                i += 2
                continue
            if c == quote:
                quote = 0
            i += 1
            continue
        if c in (0x27, 0x22):
            quote = c
        elif c == 0x5C:
            i += 2
            continue
        elif c == 0x23 and (i == start or b[i - 1] in b" \t"):
            break
        elif b.startswith(b"<<", i) and not b.startswith(b"<<<", i) and b[i - 1 : i] != b"<":
            j = i + 2
            dash = j < end and b[j] == 0x2D
            if dash:
                j += 1
            while j < end and b[j] in b" \t":
                j += 1
            word_at = j
            delim = bytearray()
            quoted = False
            while j < end and b[j] not in _META:
                ch = b[j]
                if ch in (0x27, 0x22):
                    quoted = True
                    k = b.find(bytes([ch]), j + 1, end)
                    k = end if k < 0 else k
                    delim += b[j + 1 : k]
                    j = k + 1
                elif ch == 0x5C:
                    quoted = True
                    delim += b[j + 1 : j + 2]
                    j += 2
                else:
                    delim.append(ch)
                    j += 1
            if delim:
                ops.append((i, dash, word_at, bytes(delim), quoted))
            i = j
            continue
        i += 1
    return ops


def parse(
    text: str, *, dialect: str = "bash", line_offset: int = 0, column_offset: int = 0
) -> Script:
    """Source text -> ``Script``. Never raises: what could not be read is a parse error."""
    walker = _Walker(dialect)
    try:
        walker.run_text(text.replace("\r\n", "\n"), line_offset, column_offset, State(), _Ctx())
        walker.finish()
    except Exception:  # the linter must survive any input; keep what was modelled so far
        walker.errors.append(Span(line_offset + 1, 1, line_offset + 1, 1))
    try:
        return walker.script()
    except Exception:
        return Script((), dialect, (Span(line_offset + 1, 1, line_offset + 1, 1),))


__all__ = ["SHELLS", "parse"]
