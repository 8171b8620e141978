"""Shell functions and aliases: definitions, and their bodies expanded where they are called.

It sees the walker as ``FunctionWalker`` (a function that runs "$@" is a wrapper)."""

from __future__ import annotations

from guard.fastclass import dataclass
from guard.lazyre import lazy_compile
from guard.shell import parser as syntax
from guard.shell.expand import _expand
from guard.shell.model import (
    EnvOrigin,
    Span,
    Word,
    Wrapper,
)
from guard.shell.parser import Node, _Src
from guard.shell.runctx import _Ctx
from guard.shell.scope import Frame, State, Var

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from guard.shell.expand import ExpandWalker
    from guard.shell.redirs import _Redirs
    from guard.shell.runctx import TextWalker

    class FunctionWalker(ExpandWalker, TextWalker, Protocol):
        """What functions and aliases need of the walker, and nothing more: the walk of a body
        (a statement, a statement list, or alias text to re-parse), expansion's needs (a plain
        alias's words), and the records of definitions, calls and the call stack."""

        defs: list[_FuncDef]
        called: set[tuple[int, int]]
        callstack: list[str]
        frames: list[Frame]
        subshell_ids: int

        def _stmt(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None: ...


_RETURN_RE = lazy_compile(rb"\breturn\b")
# printonly.py's `prints_only`, imported at the first call of a function (see _walked_alike)
_PRINTS_ONLY: list[Callable[[Node, _Src], tuple[str, ...] | None]] = []
MAX_CALL_DEPTH = 16  # function calls expanded inside function calls


@dataclass(slots=True)
class _FuncDef:
    name: str
    body: Node
    src: _Src
    key: tuple[int, int]
    state: State
    ctx: _Ctx
    # The command names of a body that only prints (printonly.py), () when it does more; None
    # until a second call asks.
    printers: tuple[str, ...] | None = None


def _define(self: FunctionWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    name_node = node.child_by_field_name("name")
    body = node.child_by_field_name("body")
    if name_node is None or body is None:
        return
    d = _FuncDef(src.text(name_node), body, src, (id(src), node.start_byte), st.copy(), ctx)
    st.functions[d.name] = d
    self.defs.append(d)


def _func_body(self: FunctionWalker, body: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    if body.type == "subshell":
        self.subshell_ids += 1
        inner = ctx.derive(subshell=True, subshells=(*ctx.subshells, self.subshell_ids))
        self._seq(body, st.copy(), inner, src)
    elif body.type == "compound_statement":
        self._seq(body, st, ctx, src)
    else:
        self._stmt(body, st, ctx, src)


def _alias(
    self: FunctionWalker, value: str, head: Word, words: list[Word], st: State, ctx: _Ctx, src: _Src
) -> list[Word] | None:
    """Alias words for a plain one-command alias; otherwise the alias is re-parsed as shell
    with the call's arguments (and None is returned)."""
    b = value.encode("utf-8", "replace")
    root = syntax._parse_bytes(b).root_node  # via the module: tests replace it
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
            out.extend(_expand(self, target, st, ctx, asrc))
        return out + words[1:]
    rest = " ".join(w.raw or w.text for w in words[1:])
    actx = ctx.derive(wrappers=(*ctx.wrappers, Wrapper("alias", head.span, (head.text,))))
    self.run_text(value + " " + rest, 0, 0, st, actx, override=head.span, report_errors=False)
    return None


def _walked_alike(fdef: _FuncDef, words: list[Word], st: State, ctx: _Ctx, r: _Redirs) -> bool:
    """Would walking this call's body again add nothing? True for a body that only prints
    (printonly.py), called where its output goes nowhere the walk reads (no pipeline, no
    redirected stdout), not under `set -x`, with no function or alias in place of one of its
    printers and no codex in its words (what it prints would then be worth a look anyway)."""
    if ctx.pipe is not None or ctx.stdout is not None or r.stdout is not None or st.xtrace:
        return False  # (under `set -x` each command expands $PS4, which may read the call's state)
    if fdef.printers is None:
        if not _PRINTS_ONLY:  # imported once, kept (a `from` import costs ~8,000 instructions)
            from guard.shell import printonly

            _PRINTS_ONLY.append(printonly.prints_only)
        fdef.printers = _PRINTS_ONLY[0](fdef.body, fdef.src) or ()
    if not fdef.printers:
        return False
    if any(name in st.functions or name in st.aliases for name in fdef.printers):
        return False
    return not any("codex" in w.text for w in words)


def _call(
    self: FunctionWalker,
    fdef: _FuncDef,
    words: list[Word],
    pre: list[tuple[str, Word, Span]],
    r: _Redirs,
    st: State,
    ctx: _Ctx,
    call_span: Span,
) -> bool:
    """Expand the body with the call's words as "$@" (a function that runs "$@" is a wrapper:
    its callers' words are the command). False when the calls nest too deep to follow: what
    the body would run is then unknown."""
    if fdef.key in self.called and _walked_alike(fdef, words, st, ctx, r):
        return True
    self.called.add(fdef.key)
    if fdef.name in self.callstack:
        return True  # recursion: this body is being expanded already
    if len(self.callstack) >= MAX_CALL_DEPTH:
        return False
    saved_pos, saved_locals = st.positional, st.local_names
    saved_vars = dict(st.vars)
    saved_integers = set(st.integers)
    st.positional = tuple(words[1:])
    st.local_names = set()
    frame = Frame(st.local_names, {}, saved_vars, frozenset(st.removed))
    for name, value, span in pre:
        st.vars[name] = frame.prefixed[name] = Var(value, None, True, EnvOrigin.PREFIX, span)
    fctx = ctx.derive(
        function=fdef.name,
        stdin=r.stdin,
        stdout=r.stdout or ctx.stdout,
        wrappers=(*ctx.wrappers, Wrapper("function", call_span, (fdef.name,))),
    )
    self.callstack.append(fdef.name)
    self.frames.append(frame)
    try:
        _func_body(self, fdef.body, st, fctx, fdef.src)
    finally:
        self.callstack.pop()
        self.frames.pop()
        # (a prefix assignment or a local a called function unset is gone: what it showed,
        # the caller's own variable, is what the caller has after the call too)
        restore = frame.restored(st.local_names)
        for name in restore:
            if name in saved_vars:
                st.vars[name] = saved_vars[name]
            else:
                st.vars.pop(name, None)
            if name in saved_integers:  # `local -i n`: the attribute is the function's too
                st.integers.add(name)
            else:
                st.integers.discard(name)
        st.positional, st.local_names = saved_pos, saved_locals
        if st.stopped and _RETURN_RE.search(fdef.src.b, fdef.body.start_byte, fdef.body.end_byte):
            st.stopped = ""  # a `return` may leave the body before its `exit`: the caller goes on
    return True
