"""Control flow: ``if``, ``case``, loops and async lists, and the stdin a loop's commands read.

Each body is a path of its own (``State.branch``); the paths meet after it (``scope.meet``),
named so that a finding can say which one it holds on. It sees the walker as ``FlowWalker``."""

from __future__ import annotations

from guard.fastclass import replace
from guard.lazyre import lazy_compile
from guard.shell import sinks
from guard.shell.builtins import (
    MAX_ALTERNATIVES,
    loop_var,
)
from guard.shell.expand import _expand
from guard.shell.model import (
    Command,
    EnvOrigin,
    LoopInfo,
    LoopKind,
    Span,
    Stdin,
    StdinKind,
    Word,
)
from guard.shell.parser import Node, _Src
from guard.shell.redirs import base_stdin
from guard.shell.runctx import _Ctx
from guard.shell.scope import State, Var, meet

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from guard.shell.expand import ExpandWalker

    class FlowWalker(ExpandWalker, Protocol):
        """What control flow needs of the walker, and nothing more: the walk of a statement and
        of a statement list (and expansion's needs, for a `for` list and a `case` word), and
        the commands so far (a loop's `read`; `disown`'s last background job)."""

        cmds: list[Command]
        last_bg: tuple[int, int] | None

        quiet: int
        unrolled: int

        def _stmt(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None: ...
        def _quietly(self, walk: Callable[[], None]) -> None: ...


# `a+=(...)`, `a[i]+=x`, `s+=...` in a loop body: a value built up across iterations.
_APPEND_RE = lazy_compile(rb"(?<![\w$])([A-Za-z_]\w*)(?:\[[^\]\n]*\])?\+=")
# Raw-text markers of an expansion that yields any number of words ("$@", "${ARGS[@]}", $*).
_SPLAT_MARKERS = ("[@]", "[*]", "$@", "$*", "${@", "${*")
_QUOTED_RE = lazy_compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
_GLOB_CHARS = frozenset("*?[")
# Loop bodies walked once a word (for what they append) in one script: each is a walk of its
# own, so loops nested in loops stop being unrolled here (their appends stay one pass's).
MAX_UNROLLED = 4 * MAX_ALTERNATIVES
# A body with a loop of its own is not unrolled: walking it once a word would multiply the walks.
_NESTED_LOOP_RE = lazy_compile(rb"\b(?:for|while|until|select)\b")
# `break` / `continue` in a loop body: a path may leave the body before an `exit` in it.
_LEAVES_BODY_RE = lazy_compile(rb"\b(?:break|continue)\b")
_BREAKS_RE = lazy_compile(rb"\bbreak\b")


def _reads_fd(cmd: Command) -> bool:
    """`read -u 3`: the loop reads another descriptor, not the commands' stdin."""
    return any(
        w.text.startswith("-") and not w.text.startswith("--") and "u" in w.text[1:]
        for w in cmd.argv[1:]
    )


def _async(self: FlowWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    start = len(self.cmds)
    base = base_stdin(st, ctx)
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


def _if(self: FlowWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    """Conditions run on the shell's state in order; each body is one path of its own, and
    the paths meet after `fi` (with the path that runs no body, when there is no `else`)."""
    paths: list[State] = []
    labels: list[str] = []
    line = src.span(node).line
    has_else = _if_clause(self, node, st, ctx, src, paths, labels, line)
    if not has_else:
        paths.insert(0, st.branch())  # no body ran
        labels.insert(0, f"the `if` at line {line} runs no branch")
    meet(st, paths, labels)


def _if_clause(
    self: FlowWalker,
    node: Node,
    st: State,
    ctx: _Ctx,
    src: _Src,
    paths: list[State],
    labels: list[str],
    line: int,
) -> bool:
    """Walk an if/elif/else clause; bodies go on new paths (``labels`` says which branch each
    is, for the `if` at ``line``). True when it has an `else`."""
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
            labels.append(_if_branch_label(node, t, line, src))
        elif t in ("elif_clause", "else_clause"):
            has_else = _if_clause(self, c, st, ctx, src, paths, labels, line) or has_else
        elif c.is_named and t != "comment":
            cctx = ctx.derive(status_checked=True) if cond else ctx
            if i + 1 < n and kids[i + 1].type == "&":
                _async(self, c, path, cctx, src)
            else:
                self._stmt(c, path, cctx, src)
    return has_else


def _while(self: FlowWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    until = bool(node.children) and node.children[0].type == "until"
    kind = LoopKind.UNTIL if until else LoopKind.WHILE
    base = base_stdin(st, ctx)
    cctx = ctx.derive(status_checked=True, stdin=base)
    start = len(self.cmds)
    body: Node | None = None
    kids = node.children
    for i, c in enumerate(kids):
        if c.type == "do_group":
            body = c
        elif c.is_named and c.type != "comment":
            if i + 1 < len(kids) and kids[i + 1].type == "&":
                _async(self, c, st, cctx, src)
            else:
                self._stmt(c, st, cctx, src)
    reads = any(
        cmd.program == "read" and cmd.stdin == base and not _reads_fd(cmd)
        for cmd in self.cmds[start:]
    )
    info = LoopInfo(kind, src.span(node), reads)
    stdin = replace(base, shared_with_loop_read=True) if reads else base
    if body is not None:
        appended = _appended_names(body, src)
        before = {name: st.vars.get(name) for name in appended}
        # The body may never run: what it unsets may still be set after the loop.
        path = st.branch()
        self._seq(body, path, ctx.derive(loop=info, stdin=stdin), src)
        _may_leave_early(path, body, src)
        meet(st, [st, path], _loop_labels(node, src))
        _spread_appends(st, before)
    if reads and not until and _drains(ctx, base, body, src):
        # `while read ...; do ...; done` on the shell's own stream ends at its EOF: a later
        # command reads nothing more from it (a pre-push hook's refs, read to the end, leave
        # no <stdin> block for the codex after the loop), as after `exec </dev/null`.
        st.shell_stdin = Stdin(StdinKind.NULL, reason="drained")


def _drains(ctx: _Ctx, base: Stdin, body: Node | None, src: _Src) -> bool:
    """Does the loop read the shell's own finite stdin until it ends? Only a loop with no
    redirect or pipe of its own (that stream is the loop's alone) and no `break` that may
    leave it before the end; a stream nobody closes (the script's inherited stdin) never
    ends, so the loop itself is what waits there."""
    if ctx.stdin.kind is not StdinKind.INHERITED or base.kind is not StdinKind.FILE:
        return False
    return body is None or _BREAKS_RE.search(src.b, body.start_byte, body.end_byte) is None


def _for(self: FlowWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    kids = node.children
    select = bool(kids) and kids[0].type == "select"
    base = base_stdin(st, ctx)
    info = LoopInfo(LoopKind.SELECT if select else LoopKind.FOR, src.span(node), select)
    body: Node | None = None
    var = node.child_by_field_name("variable")
    values: list[Word] = []
    listed = False
    for c in node.children_by_field_name("value"):
        listed = True
        values.extend(_expand(self, c, st, ctx, src))
    for c in kids:
        if c.type == "do_group":
            body = c
        elif (
            node.type == "c_style_for_statement"
            and c.is_named
            and c.type not in ("variable_name", "comment")
        ):
            self._scan_substs(c, st, ctx, src)
            sinks.arithmetic(self, src.text(c), src.span(c), st, ctx)  # `for ((i = a; ...))`
    appended = _appended_names(body, src) if body is not None else []
    before = {name: st.vars.get(name) for name in appended}
    # A list of known length: the body runs once a word, so what it appends accumulates.
    counted = (
        listed and not select and var is not None and 0 < len(values) <= MAX_ALTERNATIVES
        and all(_one_field(v) for v in values)
    )  # fmt: skip
    unrolled = st.branch() if counted and _may_unroll(self, body, appended, values, src) else None
    if var is not None:
        sinks.integer_value(self, src.text(var), values, st, ctx)  # `declare -i n; for n in V`
        st.assign(src.text(var), loop_var(values, src.span(var), src.text(var)))
    stdin = replace(base, shared_with_loop_read=True) if select else base
    if body is None:
        return
    bctx = ctx.derive(loop=info, stdin=stdin)
    if listed and values and all(v.literal for v in values) and not select:
        self._seq(body, st, bctx, src)  # a known, non-empty list: the body runs
        _may_leave_early(st, body, src)
    else:
        path = st.branch()
        self._seq(body, path, bctx, src)
        _may_leave_early(path, body, src)
        meet(st, [st, path], _loop_labels(node, src))
    if unrolled is not None and var is not None:
        name, span = src.text(var), src.span(var)
        self._quietly(lambda: _unroll(self, body, unrolled, name, span, values, bctx, src))
        for appended_name in appended:
            if appended_name in unrolled.vars:
                st.vars[appended_name] = unrolled.vars[appended_name]
    elif not counted:
        _spread_appends(st, before)


def _case(self: FlowWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    value = node.child_by_field_name("value")
    subject: str | None = None
    if value is not None:
        subject = _known_subject(value, _expand(self, value, st, ctx, src), st, src)
    items = [item for item in node.named_children if item.type == "case_item"]
    taken = _arm_taken(items, subject, src) if subject is not None else None
    paths: list[State] = []
    labels: list[str] = []
    line = src.span(node).line
    catch_all = False
    # bash's fall-through terminators: after `;&` the next item's body runs too, after `;;&`
    # the later patterns are tested again; either way from the state this body left. Those
    # states enter the items they reach, joined with the state the `case` started from.
    falling: list[tuple[State, str]] = []  # into the next item only (`;&`)
    testing: list[tuple[State, str]] = []  # into every later item (`;;&`)
    for index, item in enumerate(items):
        patterns = [src.text(v) for v in item.children_by_field_name("value")]
        catch_all = catch_all or "*" in patterns
        if taken is not None and index != taken:
            continue  # a known subject takes one arm only, or none (-1); no arm falls through
        label = f"the `case` at line {line} takes `{_short('|'.join(patterns))})`"
        path = st.branch()
        entering = falling + testing
        if entering:
            meet(path, [path, *(p for p, _ in entering)], [label, *(t for _, t in entering)])
        self._seq(item, path, ctx, src, skip_until=")")
        terminator = _case_terminator(item)
        falling = [(path, label)] if terminator == ";&" else []
        if terminator == ";;&":
            testing.append((path, label))
        if terminator != ";&":
            paths.append(path)
            labels.append(label)
    for path, label in falling:  # (the repair makes a last `;&` a `;;`: kept for safety)
        paths.append(path)
        labels.append(label)
    if (taken is None and not catch_all) or taken == -1:
        paths.insert(0, st.branch())  # no arm matched
        labels.insert(0, f"the `case` at line {line} matches no pattern")
    meet(st, paths, labels)


def _case_terminator(item: Node) -> str:
    """How a `case` item ends: `;;`, `;&` or `;;&` (tree-sitter-bash's token), "" for none."""
    for kid in reversed(item.children):
        if not kid.is_named and kid.type in (";;", ";&", ";;&"):
            return str(kid.type)
    return ""


# A case subject that names one variable (`$x`, `"${x}"`), or a pattern with nothing the shell
# expands but globs (`work`, `judge|val*`, `[a-z]*`)
_SUBJECT_NAME_RE = lazy_compile(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*|[1-9])\}?"?')
_PLAIN_PATTERN_RE = lazy_compile(r"[A-Za-z0-9_./:@%+,=*?\[\]!-]+")


def _known_subject(value: Node, words: list[Word], st: State, src: _Src) -> str | None:
    """The one text a `case` subject has on this path: a literal word, or a variable assigned a
    literal here (not one of several values paths met with, a loop's list, nor an expansion's
    default)."""
    if len(words) != 1 or not words[0].literal:
        return None
    text = src.text(value)
    name = _SUBJECT_NAME_RE.fullmatch(text)
    if name is None:
        return words[0].text if _PLAIN_PATTERN_RE.fullmatch(text) and "*" not in text else None
    found = name.group(1)
    if found.isdigit():  # a function's argument, as its call here passes it
        given = st.positional
        word = given[int(found) - 1] if given is not None and int(found) <= len(given) else None
    else:
        var = st.vars.get(found)
        if var is None or var.others or var.alts or var.items is not None:
            return None
        word = var.value
    if word is None or not word.literal or "$" in word.raw or "`" in word.raw:
        return None  # (`${1:-}`, `${MODE:-worker}`: one value it may have, not the one it has)
    return word.text


def _arm_taken(items: list[Node], subject: str, src: _Src) -> int | None:
    """Which arm a known subject takes: the first whose pattern matches it (-1: none does);
    None when that cannot be told (a pattern the shell expands or quotes, an arm that falls
    through to the next with `;&` or `;;&`)."""
    from fnmatch import fnmatchcase  # here: only a case of a known subject asks

    sensitive: int | None = None
    folded: int | None = None  # under `shopt -s nocasematch`, which may be set anywhere before
    for index, item in enumerate(items):
        if any(child.type in (";&", ";;&") for child in item.children):
            return None
        for pattern in item.children_by_field_name("value"):
            text = src.text(pattern)
            if not _PLAIN_PATTERN_RE.fullmatch(text) or "[:" in text or "[=" in text:
                return None  # (a POSIX class `[[:alpha:]]` fnmatch does not know)
            if sensitive is None and fnmatchcase(subject, text):
                sensitive = index
            if folded is None and fnmatchcase(subject.lower(), text.lower()):
                folded = index
    if sensitive != folded:
        return None  # the arm depends on nocasematch
    return -1 if sensitive is None else sensitive


def _if_branch_label(clause: Node, keyword: str, line: int, src: _Src) -> str:
    """Which branch of the `if` at ``line`` a body is, in words."""
    if keyword == "else":
        return f"the `if` at line {line} takes its else-branch"
    if clause.type == "elif_clause":
        return f"the `if` at line {line} takes its `elif` at line {src.span(clause).line}"
    return f"the `if` at line {line} takes its then-branch"


def _loop_labels(loop: Node, src: _Src) -> list[str]:
    """The two paths out of a loop whose body may not run: not run, run."""
    where = f"the loop at line {src.span(loop).line}"
    return [f"{where} runs no iteration", f"{where} runs its body"]


def _short(text: str, limit: int = 24) -> str:
    """A pattern as a message quotes it: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _may_leave_early(st: State, body: Node, src: _Src) -> None:
    """A body with `break` or `continue` may leave before its `exit` (`F=--yolo; break; exit 1`):
    break and continue are not followed, so such a body's path is not taken to have exited."""
    if st.stopped and _LEAVES_BODY_RE.search(src.b, body.start_byte, body.end_byte) is not None:
        st.stopped = ""


def _appended_names(body: Node, src: _Src) -> list[str]:
    """The variables a loop body appends to (`a+=("$f")`), by its text: cheap, and when there
    are none the loop needs no second look."""
    found = _APPEND_RE.finditer(src.b, body.start_byte, body.end_byte)
    return list(dict.fromkeys(m.group(1).decode("ascii") for m in found))


def _may_unroll(
    self: FlowWalker, body: Node | None, appended: list[str], values: list[Word], src: _Src
) -> bool:
    """Walk this body once a word? Only for a body that appends, has no loop of its own, while
    the script's budget lasts (it is taken here, before the loops nested in this one ask)."""
    if body is None or not appended or self.quiet:
        return False
    if self.unrolled + len(values) > MAX_UNROLLED:
        return False
    if _NESTED_LOOP_RE.search(src.b, body.start_byte + 2, body.end_byte) is not None:
        return False
    self.unrolled += len(values)
    return True


def _one_field(word: Word) -> bool:
    """A loop-list word that is exactly one iteration: not a glob, not `"$@"`/`${A[@]}` or an
    unquoted expansion the linter could not resolve (those are any number of words)."""
    if word.literal:
        return not _GLOB_CHARS.intersection(word.text)
    raw = word.raw or word.text
    if any(marker in raw for marker in _SPLAT_MARKERS):
        return False
    bare = _QUOTED_RE.sub("", raw)
    return "$" not in bare and "`" not in bare


def _unroll(
    self: FlowWalker,
    body: Node,
    st: State,
    name: str,
    span: Span,
    values: list[Word],
    ctx: _Ctx,
    src: _Src,
) -> None:
    """The body once a word, in order, on ``st`` (a copy: its commands are dropped)."""
    for value in values:
        st.assign(name, Var(value, None, False, EnvOrigin.EXPORT, span))
        self._seq(body, st, ctx, src)
        if st.stopped:
            return


def _spread_appends(st: State, before: dict[str, Var | None]) -> None:
    """After a loop that runs an unknown number of times (`for x in "$@"`, `while read`), an
    unknown word it appended to an array is any number of words: it becomes a splat (an array
    expansion the codex parser reads as "unknown count"), never exactly one word."""
    for name, old in before.items():
        var = st.vars.get(name)
        if var is None or var is old:
            continue
        prev: tuple[Word, ...] = ()
        if old is not None:
            prev = (
                old.items if old.items is not None else (() if old.value is None else (old.value,))
            )
        options = [_spread(option, prev, name) for option in (var, *var.others)]
        st.vars[name] = replace(options[0], others=tuple(options[1:]))


def _spread(var: Var, prev: tuple[Word, ...], name: str) -> Var:
    items = var.items
    if items is None or len(items) <= len(prev) or tuple(items[: len(prev)]) != prev:
        return var
    marker = f'"${{{name}[@]}}"'
    tail = tuple(
        w if w.literal else Word(w.text, False, w.span, marker) for w in items[len(prev) :]
    )
    return replace(var, items=(*prev, *tail))
