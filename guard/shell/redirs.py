"""Redirections and stdin: what each command reads, from redirects, here-docs and here-strings.

It sees the walker as ``RedirWalker``: only the text of a word (a file name, a here-string)."""

from __future__ import annotations

from guard.fastclass import dataclass, field, replace
from guard.lazyre import lazy_compile
from guard.shell.model import (
    Stdin,
    StdinKind,
    Word,
)
from guard.shell.parser import _REDIRECTS, Node, _Src
from guard.shell.runctx import _Ctx
from guard.shell.scope import State

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Protocol

    class RedirWalker(Protocol):
        """What the redirections need of the walker, and nothing more: the expansion stage's
        text of a word (a file name, a here-string)."""

        def _text(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> tuple[str, bool]: ...


_STDIN_ALIASES = frozenset({"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
_LONE_DASH_RE = lazy_compile(rb"(?<![^ \t])-(?![^ \t\n])")


@dataclass(slots=True)
class _Redirs:
    stdin: Stdin
    stdout: str | None = None
    explicit: bool = False  # a redirect set the stdin
    script: tuple[str, int, int, bool] | None = None  # body text, line0, col0, quoted
    heredoc_nodes: list[Node] = field(default_factory=list)


def base_stdin(st: State, ctx: _Ctx) -> Stdin:
    """The stdin a command starts from before its own redirects: the statement's, or the
    shell's own (`exec < FILE`) where the statement inherits it."""
    s = ctx.stdin
    if s.kind is StdinKind.INHERITED and st.shell_stdin is not None:
        return replace(st.shell_stdin, shared_with_loop_read=s.shared_with_loop_read)
    return s


def _redirs(
    self: RedirWalker, redirs: list[Node], base: Stdin, ctx: _Ctx, st: State, src: _Src
) -> _Redirs:
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
                _heredoc(r, out, src)
        elif t == "herestring_redirect":
            if fd in (None, "0"):
                _herestring(self, r, out, st, ctx, src)
        else:
            _file_redirect(self, r, fd, op, out, st, ctx, src)
    return out


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
        # tree-sitter starts the body at its first line's first non-blank: keep that column.
        col0 = pt.column + (src.co if pt.row == 0 else 0)
        out.script = (text, src.lo + pt.row, col0, quoted)
        if not quoted:
            out.heredoc_nodes.append(hbody)  # its $(...) still run


def _herestring(self: RedirWalker, r: Node, out: _Redirs, st: State, ctx: _Ctx, src: _Src) -> None:
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
    self: RedirWalker,
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


def _lone_dash(body: Node, redirs: list[Node], src: _Src) -> list[Word]:
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
