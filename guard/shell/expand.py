"""Expansion: shell words into values (quotes, parameters, defaults, braces, substitutions).

It sees the walker as ``ExpandWalker``: only to walk the commands a `$(...)` runs."""

from __future__ import annotations

from guard.fastclass import maker
from guard.lazyre import lazy_compile
from guard.shell import sinks
from guard.shell.model import (
    EnvOrigin,
    Span,
    Word,
)
from guard.shell.parser import _SUBSTS, Node, _Src
from guard.shell.redirs import base_stdin
from guard.shell.runctx import _Ctx
from guard.shell.scope import State, Var
from guard.shell.words import (
    DEFAULT_IFS,
    brace_expand,
    default_assignment,
    ifs_chars,
    ifs_separator,
    ifs_split,
    joins_with_ifs,
    lookup,
    may_be_empty,
    path_lookup,
    printed_by,
    unquote_ansi_c,
    unquote_bare,
    unquote_double,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from guard.shell.model import Command
    from guard.shell.sinks import SinkWalker

    class ExpandWalker(SinkWalker, Protocol):
        """What expansion needs of the walker, and nothing more: the dialect (brace expansion),
        and the walk of the commands a `$(...)` or `$(( ))` runs (with its nesting bound)."""

        dialect: str
        nest: int

        def _enter(self, node: Node, src: _Src) -> bool: ...

        def _seq(
            self, node: Node, st: State, ctx: _Ctx, src: _Src, skip_until: str = ""
        ) -> None: ...

        def _scan_substs(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None: ...


# `Word(text, literal, span, raw)`, built cheaper (fastclass.maker): one per argv word walked.
_word = maker(Word)
_REF_RE = lazy_compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_PLAIN_REF_RE = lazy_compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\}|[0-9])")


def _value_word(self: ExpandWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> Word:
    value = node.child_by_field_name("value")
    if value is None:
        return Word("", True, src.span(node), "")
    text, literal = _text(self, value, st, ctx, src)
    return _word(text, literal, src.span(value), src.text(value))


def _expand(self: ExpandWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> list[Word]:
    """One argv node -> its fields (0 for an empty unquoted expansion, n for arrays)."""
    t = node.type
    if t == "word" or t == "number":
        s = src.s  # src.text, inlined: the most common node
        raw = (
            s[node.start_byte : node.end_byte]
            if s is not None
            else src.b[node.start_byte : node.end_byte].decode("utf-8", "replace")
        )
        if "{" in raw and self.dialect != "sh":
            braced = _brace_words(raw, src.span(node))
            if braced is not None:
                return braced
        return [_word(unquote_bare(raw), True, src.span(node), raw)]
    if t == "concatenation" and self.dialect != "sh":
        raw = src.text(node)
        if "{" in raw:
            braced = _brace_words(raw, src.span(node))
            if braced is not None:
                return braced
    if t in ("simple_expansion", "expansion"):
        raw = src.text(node)
        span = src.span(node)
        if t == "expansion":
            _runs_code(self, node, raw, span, st, ctx, src)
        if "=" in raw:
            _default_assign(raw, st, span, self, ctx)
        found = lookup(raw, st)
        if found is None:
            return [Word(raw, False, span, raw)]
        vals, multi = found
        out: list[Word] = []
        ifs = ifs_chars(st)
        for v in vals:
            if multi:
                out.append(v)
            elif v.literal:
                out.extend(Word(part, True, span, raw) for part in _fields(v.text, ifs))
            elif ifs not in (None, DEFAULT_IFS):
                out.append(Word(v.text, False, span, raw))  # split where, with an unknown part?
            elif _splits_at_its_own_spaces(v.text):
                # `cmd="codex exec -C $REPO --yolo"; $cmd`: bash splits the known text at its
                # spaces; each unknown `$X` in it is one word (as in a flag's value position).
                out.extend(Word(part, "$" not in part, span, raw) for part in v.text.split())
            else:
                out.append(Word(v.text, False, span, raw))
        return out
    if t in _SUBSTS:
        text, literal = _text(self, node, st, ctx, src)
        if literal:
            # `$(echo codex exec)` unquoted: its text is split into fields, as a $VAR's is
            raw = src.text(node)
            span = src.span(node)
            return [Word(part, True, span, raw) for part in _fields(text, ifs_chars(st))]
        return [Word(text, literal, src.span(node), src.text(node))]
    if t == "string" and node.named_child_count == 1:
        kid = node.named_children[0]
        if (
            kid.type in ("simple_expansion", "expansion")
            and kid.end_byte - kid.start_byte == node.end_byte - node.start_byte - 2
        ):
            raw = src.text(node)
            found = lookup(src.text(kid), st)
            # `"${a[@]}"` is one word per item; `"${a[*]}"` and `"$*"` are one word, the items
            # joined with IFS's first character (`IFS=; "${a[*]}"`: c o d e x is `codex`)
            if found is not None and found[1] and not joins_with_ifs(src.text(kid)):
                return list(found[0])
    text, literal = _text(self, node, st, ctx, src)
    return [_word(text, literal, src.span(node), src.text(node))]


# The argv nodes that may give no word at all: an unquoted expansion or substitution, and
# `"$@"` / `"${A[@]}"` (a string holding only that).
VANISHING = frozenset({"simple_expansion", "expansion", "command_substitution", "string"})


def may_vanish(node: Node, got: list[Word], st: State, src: _Src) -> bool:
    """May this argv node, expanded to ``got``, be no word at all when bash runs it: `$SUDO`,
    `${DRY_RUN:+echo}`, `$(command -v sudo)`, `"${PRE[@]}"` whose value is not known here
    (then the next word is the program: `$SUDO codex exec ...` runs codex when SUDO is empty)."""
    t = node.type
    if t == "command_substitution":
        return not all(w.literal for w in got)
    if t == "string":
        kids = node.named_children
        if len(kids) != 1 or kids[0].type not in ("simple_expansion", "expansion"):
            return False
        raw = src.text(kids[0])
        if len(raw) != node.end_byte - node.start_byte - 2 or not raw.endswith(("@", "@}", "@]}")):
            return False
        return lookup(raw, st) is None
    return may_be_empty(src.text(node), st)


def _runs_code(
    self: ExpandWalker, node: Node, raw: str, span: Span | None, st: State, ctx: _Ctx, src: _Src
) -> None:
    """What a `${...}` runs besides its value: a `$(...)` in a default, a pattern or a subscript
    (`${x:-$(cmd)}`, `${arr[$(cmd)]}`), and a value run as code (sinks.py: `${y@P}`, a subscript
    evaluated as arithmetic). Cheap tests first: most expansions hold none of these (``span``:
    the node's, None when the caller has not made it yet: it is made only if needed)."""
    if "$(" in raw or "`" in raw:
        self._scan_substs(node, st, ctx, src)
    if "`" in raw:
        _backquotes(self, node, st, ctx, src)
    if "@P" in raw or "[" in raw or raw.startswith("${!"):
        sinks.expansion(self, raw, src.span(node) if span is None else span, st, ctx)


# written.py's `printed_text`, imported at the first `$(...)` and kept (written.py imports the
# walker's modules, so not at the top; not at each call: a `from` import in a function costs
# ~8,000 instructions on CPython 3.11).
_PRINTED_TEXT: list[Callable[[Command], tuple[str, int, int, bool] | None]] = []


def _printed_by_walked(self: ExpandWalker, start: int) -> str | None:
    """What a `$(...)` gives when the one command it ran prints known text: `$(cat <<'EOF'
    ... EOF)`, `$(cat <<< TEXT)` (written.printed_text), its trailing newlines removed."""
    if not _PRINTED_TEXT:
        from guard.shell import written

        _PRINTED_TEXT.append(written.printed_text)
    printed_text = _PRINTED_TEXT[0]
    ran = self.cmds[start:]
    if len(ran) != 1:
        return None
    printed = printed_text(ran[0])
    return printed[0].rstrip("\n") if printed is not None else None


def _backquotes(self: ExpandWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    """A backquoted command in a `${...}`'s default, pattern or replacement (`${y:=`cmd`}`,
    `${y#`cmd`}`): tree-sitter-bash 0.25.1 reads it as a plain word (or regex), not as a command
    substitution, so `_scan_substs` does not see it; bash runs it. Each leaf that holds one is
    walked as bash expands it (an adversarial pass: `: ${y:=`codex login --with-api-key`}` was
    allowed by `check`)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in _SUBSTS:
            continue  # a real substitution: `_scan_substs` walked it
        if n.named_child_count:
            stack.extend(reversed(n.named_children))
            continue
        text = src.text(n)
        if "`" in text:
            sinks.walk_expanded(self, text, src.span(n), st, ctx)


def _fields(text: str, ifs: str | None) -> list[str]:
    """The fields of an unquoted expansion's known text: split at IFS (`IFS=_; $c` splits at
    `_`), or at blanks when IFS is not known (what most scripts keep)."""
    return text.split() if ifs is None or ifs == DEFAULT_IFS else ifs_split(text, ifs)


def _splits_at_its_own_spaces(text: str) -> bool:
    """A value known but for plain ``$X``/``${X}`` references to unknown variables: its
    spaces are its own, so its fields are known (a `$(...)`, `${X:-a b}` or `$@` may hold
    spaces of its own, and then the fields are not)."""
    return (
        any(c.isspace() for c in text)
        and "`" not in text
        and text.count("$") == len(_PLAIN_REF_RE.findall(text))
    )


def _default_assign(
    raw: str, st: State, span: Span, self: ExpandWalker | None = None, ctx: _Ctx | None = None
) -> None:
    """``${K:=v}`` / ``${K=v}`` assigns K when it is unset (or empty): later commands see v
    (and under `set -a` the environment gets K)."""
    assigned = default_assignment(raw)
    if assigned is None:
        return
    name, if_empty = assigned
    var = st.vars.get(name)
    empty = var is not None and var.value is not None and var.value.text == ""
    if self is not None and ctx is not None and name in st.integers and _unset(var, if_empty):
        # `declare -i n; : ${n:='a[$(cmd)]'}`: the default assigned is evaluated as arithmetic
        default = raw[2 + len(name) : -1].removeprefix(":")[1:]
        if len(default) > 1 and default[0] == default[-1] == "'":
            default = default[1:-1]  # single-quoted: as written
        elif any(c in default for c in "$`'\"\\"):
            default = ""  # expanded by the walk as it is (its substitutions run there)
        if default:
            sinks.integer_value(self, name, [Word(default, True, span, raw)], st, ctx)
    if var is None or (if_empty and empty):
        # `: "${CODEX_BIN:=codex}"`: the default is the value from here on, when it is literal.
        found = lookup(raw, st)
        value = found[0][0] if found is not None and len(found[0]) == 1 and not found[1] else None
        known = value is not None and value.literal
        removed = name in st.removed
        st.assign(name, Var(value if known else None, None, False, EnvOrigin.EXPORT, span))
        if removed and not st.vars[name].exported:
            st.removed.add(name)  # after `unset K`, a K set here is still not in the environment


def _unset(var: Var | None, if_empty: bool) -> bool:
    """The variable may be unset (or, with ``if_empty``, empty) here: declared with no value
    (`declare -i n`), or a value not known."""
    return var is None or var.value is None or (if_empty and var.value.text == "")


def _brace_words(raw: str, span: Span) -> list[Word] | None:
    """An unquoted word bash brace-expands (``A_{KEY,X}=v``): one Word a result."""
    expanded = brace_expand(raw)
    if expanded is None:
        return None
    return [Word(unquote_bare(x), True, span, raw) for x in expanded]


def _expand_joined(
    self: ExpandWalker, group: list[Node], st: State, ctx: _Ctx, src: _Src
) -> list[Word]:
    """Expand the nodes of one shell word that tree-sitter split at a line continuation
    (`co\\<newline>dex`: bash removes the backslash-newline first, so that is `codex`)."""
    if len(group) == 1:  # nearly every word: its fields as read (the caller extends its argv)
        return _expand(self, group[0], st, ctx, src)
    parts = [_expand(self, node, st, ctx, src) for node in group]
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


def _text(self: ExpandWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> tuple[str, bool]:
    t = node.type
    if t == "word" or t == "number":  # src.text, inlined: the most common node
        s = src.s
        if s is not None:
            return unquote_bare(s[node.start_byte : node.end_byte]), True
        return unquote_bare(src.b[node.start_byte : node.end_byte].decode("utf-8", "replace")), True
    if t == "raw_string":
        return src.text(node)[1:-1], True
    if t == "ansi_c_string":
        return unquote_ansi_c(src.text(node)), True
    if t in ("simple_expansion", "expansion"):
        raw = src.text(node)
        # tree-sitter-bash puts the blanks between two expansions in a string into the second
        # node (`"$A $B"` gives `$A` and ` $B`): they are text before it.
        lead = raw[: len(raw) - len(raw.lstrip())]
        raw = raw[len(lead) :]
        if t == "expansion":
            _runs_code(self, node, raw, None, st, ctx, src)
        if "=" in raw:
            _default_assign(raw, st, src.span(node), self, ctx)
        found = lookup(raw, st)
        if found is None:
            return lead + raw, False
        vals = found[0]
        if len(vals) == 1 and "*" not in raw:  # one value, not `$*` (`joins_with_ifs`)
            v = vals[0]
            return lead + v.text, bool(v.literal)  # as `all` gives it
        sep = " "
        if joins_with_ifs(raw):
            ifs = ifs_separator(st)
            if ifs is None:
                return lead + raw, False  # joined with an IFS the linter does not know
            sep = ifs
        return lead + sep.join(v.text for v in vals), all(v.literal for v in vals)
    if t in _SUBSTS:
        start = len(self.cmds)
        _subst(self, node, st, ctx, src)
        raw = src.text(node)
        program = path_lookup(raw)
        if program is None:
            program = printed_by(raw)  # `$(echo codex)`: the text it prints
        if program is None and t == "command_substitution":
            program = _printed_by_walked(self, start)
        return (program, True) if program is not None else (raw, False)
    if t == "arithmetic_expansion":
        self._scan_substs(node, st, ctx, src)
        sinks.quoted_subscripts(self, src.text(node), src.span(node), st, ctx)
        sinks.arithmetic(self, src.text(node), src.span(node), st, ctx)
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
                s, lit = _text(self, k, st, ctx, src)
                parts.append(s)
                literal = literal and lit
            pos = k.end_byte
        if end > pos:
            gap = src.slice(pos, end)
            parts.append(unquote_double(gap) if quoted else unquote_bare(gap))
        return "".join(parts), literal
    return src.text(node), True


def _subst(self: ExpandWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    sctx = ctx.derive(
        cmdsubst=node.type == "command_substitution" or ctx.cmdsubst,
        in_pipeline=False,
        pos=0,
        pipe=None,
        background_pipeline=False,
        status_checked=False,
        status_ignored=False,
        stdout=None,
        stdin=base_stdin(st, ctx),
    )
    try:
        if self._enter(node, src):
            self._seq(node, st.copy(), sctx, src)
    finally:
        self.nest -= 1
