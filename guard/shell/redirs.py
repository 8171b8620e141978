"""Redirections and stdin: what each command reads, from redirects, here-docs and here-strings.

It sees the walker as ``RedirWalker``: only the text of a word (a file name, a here-string) and
the commands a process substitution ran. A pipe or `<(...)` fed by a command that copies its own
inherited stdin (`cat | codex`) hands on the caller's stream: ``copied_stdin``."""

from __future__ import annotations

from guard.fastclass import dataclass, field, replace
from guard.lazyre import lazy_compile
from guard.shell.endless import endless_device, endless_output
from guard.shell.model import (
    Command,
    Span,
    Stdin,
    StdinKind,
    Word,
)
from guard.shell.parser import _REDIRECTS, Node, _Src, split_herestring
from guard.shell.runctx import _Ctx
from guard.shell.scope import State

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Protocol

    class RedirWalker(Protocol):
        """What the redirections need of the walker, and nothing more: the expansion stage's
        text of a word (a file name, a here-string), and the commands a `<(...)` ran."""

        cmds: list[Command]  # the commands walked so far: a `<(cat)`'s own

        def _text(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> tuple[str, bool]: ...


_STDIN_ALIASES = frozenset({"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
# The programs that copy their own stdin to their stdout until it ends, with the options that
# keep them doing so (GNU and POSIX; --help, --version or an unknown option make them exit):
# a pipe they feed ends only when their stdin does. Filters (`grep`, `sort`) and `head` are not
# here: whether they read stdin, and how much of it, depends on words the linter would guess.
_CAT_FLAGS = frozenset("AbeEnstTuv")
_CAT_LONG = frozenset(
    {
        "--show-all",
        "--number-nonblank",
        "--show-ends",
        "--number",
        "--squeeze-blank",
        "--show-tabs",
        "--show-nonprinting",
    }
)
_TEE_FLAGS = frozenset("aip")
_TEE_LONG = frozenset({"--append", "--ignore-interrupts", "--output-error"})
_LONE_DASH_RE = lazy_compile(rb"(?<![^ \t])-(?![^ \t\n])")


@dataclass(slots=True)
class _Redirs:
    stdin: Stdin
    stdout: str | None = None
    stdout_append: bool = False  # `>> F`: stdout is added to F's text, not put in its place
    explicit: bool = False  # a redirect set the stdin
    script: tuple[str, int, int, bool] | None = None  # body text, line0, col0, quoted
    # The here-doc / here-string text is what the command reads, no unknown expansion in it
    # (`read c <<< codex` assigns a known value).
    text_known: bool = False
    heredoc_nodes: list[Node] = field(default_factory=list)
    # The unquoted bodies of here-docs the repair pass rewrote (`cat <<E | cat`), and where
    # each is: bash expands them as it does the others (their `$(...)` run).
    expanded_bodies: list[tuple[str, Span]] = field(default_factory=list)
    # What the descriptors above 2 hold (`3<&0`, `3< list`), as State.shell_fds: shared with
    # the State until a redirect here changes one (then a copy).
    fds: dict[str, Stdin] = field(default_factory=dict)


def base_stdin(st: State, ctx: _Ctx) -> Stdin:
    """The stdin a command starts from before its own redirects: the statement's, or the
    shell's own (`exec < FILE`) where the statement inherits it."""
    s = ctx.stdin
    if s.kind is StdinKind.INHERITED and st.shell_stdin is not None:
        return replace(st.shell_stdin, shared_with_loop_read=s.shared_with_loop_read)
    return s


def fed_stdin(cmd: Command, span: Span) -> Stdin | None:
    """What a command hands on through a pipe (``span``) when that is more than "its output":
    the caller's own stream (``copied_stdin``), or a stream that never ends (`tail -f log`,
    `yes`, or a copier of such a stream: `yes | cat`). None otherwise."""
    copied = copied_stdin(cmd, span)
    if copied is not None:
        return copied
    never = endless_output(cmd)
    if never is None and cmd.stdin.kind is not StdinKind.INHERITED and copies_stdin(cmd):
        never = cmd.stdin.endless
    if never is None:
        return None
    return Stdin(StdinKind.PIPE, source=cmd.program, span=span, endless=never)


def copied_stdin(cmd: Command, span: Span) -> Stdin | None:
    """The stdin a command hands on through a pipe (``span``) when it copies its own inherited
    stdin there (`cat`, `cat -`, `tee log`): the caller's stream, as open and idle as it is, with
    the copier as its source. None when the command does anything else with it."""
    if cmd.stdin.kind is not StdinKind.INHERITED or not copies_stdin(cmd):
        return None
    return replace(cmd.stdin, source=cmd.program, span=span, reason="copied-stdin")


def copies_stdin(cmd: Command) -> bool:
    """The command copies its stdin, whatever it is, to its stdout until it ends (`cat`,
    `cat -`, `tee log`), and that stdout is the pipe (no redirect of its own)."""
    if cmd.stdout_redirect is not None:
        return False
    if cmd.seen_through is not None or not cmd.argv or not cmd.argv[0].literal:
        return False  # a program the linter does not know may do anything with its stdin
    args = cmd.argv[1:]
    if cmd.program == "cat":
        return _cat_reads_only_stdin(args)
    return cmd.program == "tee" and _tee_copies(args)


def copies_text_on(cmd: Command) -> bool:
    """The command prints exactly what its piped stdin holds: `cat`, `cat -`, `tee [-a] F...`
    with no redirect of its own (`echo TEXT | cat | bash`: bash reads TEXT)."""
    if cmd.stdin.kind is not StdinKind.PIPE or cmd.stdout_redirect is not None:
        return False
    if cmd.wrappers or not cmd.argv or not cmd.argv[0].literal:
        return False
    args = cmd.argv[1:]
    if cmd.program == "cat":
        return cat_copies_only_stdin(args)
    return cmd.program == "tee" and _tee_copies(args)


def cat_copies_only_stdin(args: tuple[Word, ...]) -> bool:
    """cat's words name only its stdin (none, `-`, `--`, `/dev/stdin`...): what it prints is
    what its stdin holds (written.printed_text reads the same: `cat -- <<< TEXT | bash`)."""
    return all(w.literal and (w.text in ("-", "--") or w.text in _STDIN_ALIASES) for w in args)


def _cat_reads_only_stdin(args: tuple[Word, ...]) -> bool:
    """`cat`, `cat -n`, `cat -`: no file operand, or only `-` / `/dev/stdin` (a file first,
    then stdin, still ends only when stdin does: `cat prompt.md -`)."""
    operands = _operands(args, _CAT_FLAGS, _CAT_LONG)
    if operands is None:
        return False
    if any(w.literal and (w.text == "-" or w.text in _STDIN_ALIASES) for w in operands):
        return True
    return not operands  # `cat $files` may name files, or nothing


def _tee_copies(args: tuple[Word, ...]) -> bool:
    """`tee`, `tee -a log`, `tee "$LOG"`: its operands are outputs; it always reads stdin."""
    return _operands(args, _TEE_FLAGS, _TEE_LONG) is not None


def _operands(
    args: tuple[Word, ...], flags: frozenset[str], long: frozenset[str]
) -> list[Word] | None:
    """The operands after the options, or None when an option is not one of ``flags`` (short,
    bundled) or ``long`` (`--name` or `--name=value`), or is not literal."""
    operands: list[Word] = []
    options_end = False
    for w in args:
        text = w.text
        if options_end or text == "-" or not text.startswith("-"):
            operands.append(w)
        elif not w.literal:
            return None
        elif text == "--":
            options_end = True
        elif text.startswith("--"):
            if text.split("=", 1)[0] not in long:
                return None
        elif not set(text[1:]) <= flags:
            return None
    return operands


def _redirs(
    self: RedirWalker, redirs: list[Node], base: Stdin, ctx: _Ctx, st: State, src: _Src
) -> _Redirs:
    """Apply redirects in order (a later one wins) to ``base``: the command's stdin and
    stdout, and the script text a shell would read from a here-doc or here-string."""
    out = _Redirs(base, fds=st.shell_fds)
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
            else:
                _other_fd_heredoc(r, out, src)
        elif t == "herestring_redirect" or (
            t == "file_redirect"
            and src.b[r.start_byte - 2 : r.start_byte] == b"<<"
            and split_herestring(r)
        ):
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
    out.text_known = quoted or not any(c in text for c in "$`\\")
    if hbody is not None:
        pt = hbody.start_point
        # tree-sitter starts the body at its first line's first non-blank: keep that column.
        col0 = pt.column + (src.co if pt.row == 0 else 0)
        out.script = (text, src.lo + pt.row, col0, quoted)
        if not quoted:
            out.heredoc_nodes.append(hbody)  # its $(...) still run


def _other_fd_heredoc(r: Node, out: _Redirs, src: _Src) -> None:
    """`cmd 3<<EOF`: not the command's stdin, but bash expands an unquoted body all the same."""
    hbody = next((k for k in r.named_children if k.type == "heredoc_body"), None)
    hstart = next((k for k in r.named_children if k.type == "heredoc_start"), None)
    quoted = hstart is not None and any(q in src.text(hstart) for q in "'\"\\")
    if hbody is not None and not quoted:
        out.heredoc_nodes.append(hbody)


def _herestring(self: RedirWalker, r: Node, out: _Redirs, st: State, ctx: _Ctx, src: _Src) -> None:
    word = next((k for k in r.named_children if k.type != "file_descriptor"), None)
    text = ""
    out.script = None
    out.text_known = word is None
    if word is not None:
        text, out.text_known = self._text(word, st, ctx, src)
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
        if fake is not None and not fake.quoted and ("$" in fake.body or "`" in fake.body):
            out.expanded_bodies.append(
                (fake.body, src.span_near(r, fake.body_byte, fake.body_byte))
            )
        if fake is not None and fd in (None, "0"):
            # A here-doc the repair pass rewrote to `< WORD` (see _repair_heredocs).
            out.stdin = Stdin(StdinKind.HEREDOC, source=fake.body, span=span)
            out.explicit = True
            pt = src.span_near(r, fake.body_byte, fake.body_byte)
            out.script = (fake.body, pt.line - 1, pt.column - 1, fake.quoted)
            return
        start = len(self.cmds)
        dtext, _ = self._text(dest, st, ctx, src)
        if dest.type == "process_substitution" and fd in (None, "0") and op == "<":
            # `< <(cat)`: a pipe fed by the command inside.
            out.stdin = _substituted_stdin(dest, self.cmds[start:], src) or Stdin(
                StdinKind.FILE, source=dtext, span=span
            )
            out.explicit = True
            out.script = None
            return
    if fd is not None and fd not in ("0", "1", "2"):
        _descriptor_redirect(fd, op, dtext, out, span)
    elif fd in (None, "0") and op in ("<", "<>") and dtext in _STDIN_ALIASES:
        # `< /dev/stdin` reopens the very input the command would have had.
        out.explicit = True
        out.script = None
        if out.stdin.kind is StdinKind.INHERITED:
            out.stdin = Stdin(StdinKind.INHERITED, source=dtext, span=span, reason="dup-stdin")
    elif fd in (None, "0") and op in ("<", "<>"):
        kind = StdinKind.NULL if dtext == "/dev/null" else StdinKind.FILE
        out.stdin = Stdin(kind, source=dtext, span=span, endless=endless_device(dtext))
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
        elif dtext in out.fds:
            # `exec 3<&0; cmd <&3`: the descriptor's input, the script's own stdin included.
            held = out.fds[dtext]
            reason = "dup-stdin" if held.kind is StdinKind.INHERITED else held.reason
            out.stdin = replace(held, span=span, reason=reason)
        else:
            out.stdin = Stdin(StdinKind.FILE, source="&" + dtext, span=span)
    elif (fd in (None, "1") and op in (">", ">>", ">|", "&>", "&>>")) or (
        fd is None and op == ">&" and not dtext.isdigit() and dtext != "-"
    ):
        out.stdout = dtext
        out.stdout_append = op.endswith(">>")


def _descriptor_redirect(fd: str, op: str, dtext: str, out: _Redirs, span: Span) -> None:
    """`3<&0`, `3< list`, `3<&-`, `3> out`: what descriptor ``fd`` reads from now, kept only
    where it is known (a later `<&3` reads it); anything else forgets it."""
    held: Stdin | None = None
    if op == "<&" and dtext == "0":
        held = out.stdin
    elif op == "<&" and dtext in out.fds:
        held = out.fds[dtext]
    elif op == "<" and "$" not in dtext:
        kind = StdinKind.NULL if dtext == "/dev/null" else StdinKind.FILE
        held = Stdin(kind, source=dtext, span=span, endless=endless_device(dtext))
    fds = {k: v for k, v in out.fds.items() if k != fd}
    if held is not None:
        fds[fd] = held
    out.fds = fds


def _substituted_stdin(node: Node, walked: list[Command], src: _Src) -> Stdin | None:
    """The stdin a process substitution (`<(cat)`, `<(tail -f log)`) hands on when its one
    command copies its inherited stdin or never ends (see ``fed_stdin``). ``walked``: the
    commands its walk emitted, its own and those of `$(...)` in its words."""
    body = [k for k in node.named_children if k.type != "comment"]
    if len(body) != 1 or body[0].type not in ("command", "redirected_statement"):
        return None
    first = src.span(body[0])
    span = src.span(node)
    for cmd in walked:
        if (cmd.span.line, cmd.span.column) == (first.line, first.column):
            fed = fed_stdin(cmd, span)
            if fed is not None:
                return fed
    return None


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
