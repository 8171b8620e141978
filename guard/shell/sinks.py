"""Text a variable holds that bash runs as code where no command word shows it (found by an
adversarial pass: each was allowed by `check` though bash really started codex):

- prompt expansion: with `set -x` on, bash expands `$PS4` before each command it traces, and
  `${v@P}` expands v's value as a prompt; a `$(...)` or `` `...` `` in that text runs;
- arithmetic: a name in `$(( ))`, `$[ ]`, `(( ))`, `for (( ))`, `let`, an arithmetic test of
  `[[ ]]` or an array subscript is evaluated as an expression itself (`a=b; b=...` too), and an
  array subscript inside it (`x[$(cmd)]`) is expanded first: its substitutions run.

What runs is walked where bash expands it (the traced command, the `${v@P}`, the arithmetic), as
the text `eval "$cmd"` runs is: every word of it sits there. A prompt whose text cannot be known
(`PS4=$(cat f)`, `${v@P}` of an unknown v) is shell text that cannot be seen before it runs, as
`eval "$unknown"` is: a command whose program is unknown (CG902 where codex is in play, refused
under hook.fail-closed). An arithmetic value that cannot be known is not: numbers read at run time
are in every counter loop, and failing closed on each would refuse them all.
"""

from __future__ import annotations

from guard.lazyre import lazy_compile
from guard.shell import parser as syntax
from guard.shell.model import Command, Span, Word, Wrapper
from guard.shell.parser import Node, _Src
from guard.shell.redirs import _Redirs, base_stdin
from guard.shell.runctx import _Ctx
from guard.shell.scope import State, Var

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Any, Protocol

    class SinkWalker(Protocol):
        """What the sinks need of the walker: the walk of substitutions in parsed text, the
        emission of a command, the commands whose program is unknown (CG902), and the prompt
        values already walked."""

        cmds: list[Command]
        dynamic: list[int]
        prompts: dict[tuple[int, ...], tuple[object, ...]]

        def _scan_substs(self, node: Node, st: State, ctx: _Ctx, src: _Src) -> None: ...

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
        ) -> int: ...


PROMPT = "prompt expansion"  # the Wrapper a prompt that cannot be seen is run through
MAX_ARITH_DEPTH = 8  # names whose values name names... (bash stops at its own recursion bound)
MAX_VALUE = 4096  # a longer value is no number: bash fails on it before it gets far
_NAME = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*")
# `${NAME@P}`, `${NAME[i]@P}`, `${!NAME@P}`: the name whose value is expanded as a prompt.
_PROMPT_REF = lazy_compile(r"\$\{(!?)([A-Za-z_][A-Za-z0-9_]*)(?:\[([^]]*)\])?@P\}")
# `${!NAME}`: the name NAME holds is expanded in turn.
_INDIRECT_REF = lazy_compile(r"\$\{!([A-Za-z_][A-Za-z0-9_]*)\}")
# `${NAME[INDEX]...}`: the index an indexed array evaluates as arithmetic.
_SUBSCRIPT_REF = lazy_compile(r"\$\{!?[A-Za-z_][A-Za-z0-9_]*\[([^]]*)\]")
# `[[ x -eq y ]]`: the operators whose operands bash evaluates as arithmetic.
_ARITH_TEST = lazy_compile(r"\s-(?:eq|ne|lt|le|gt|ge)\s")
# A value that is only an unknown expansion (`"$x"`, `"$(cat f)"`): eval's rule (unwrap._run_body).
_PURE_EXPANSION = lazy_compile(r'"?\$(\{[^}]*\}|[A-Za-z_@*][A-Za-z0-9_]*|\([^()]*\))"?')


def _value(var: Var) -> Word | None:
    """What `$NAME` gives: the scalar, or an array's first item."""
    if var.value is not None:
        return var.value
    if var.items:
        return var.items[0]
    return None


def _prompt_text(word: Word | None) -> str | None:
    """The text a prompt expansion of this value expands again: None when it cannot be seen
    (an unknown value, or one that is only an unknown expansion, as for `eval "$x"`)."""
    if word is None:
        return None
    if word.literal:
        return word.text
    raw = word.raw or ""
    if _PURE_EXPANSION.fullmatch(raw) and (
        word.text.strip('"') == raw.strip('"') or "$(" in word.text or "`" in word.text
    ):
        return None
    return word.text  # known but for `$X`s in it: read, as eval reads such text


def walk_expanded(self: SinkWalker, text: str, pin: Span, st: State, ctx: _Ctx) -> None:
    """Walk the commands that expanding ``text`` as a double-quoted string runs (its `$(...)`,
    backquotes), every one of them sitting at ``pin``: the text as an unquoted here-doc's body,
    which bash expands the same way (a `"` in it is a plain character)."""
    if "$" not in text and "`" not in text:
        return
    if "`" in text:
        backquotes_in(self, text, pin, st, ctx)
    if "$" not in text:
        return
    delimiter = "CODEX_GUARD_EXPANDED"
    while delimiter in text:
        delimiter += "_"
    b = f": <<{delimiter}\n{text}\n{delimiter}\n".encode("utf-8", "replace")
    root = syntax._parse_bytes(b).root_node
    for heredoc in syntax._captures("(heredoc_body) @b", root):
        self._scan_substs(heredoc, st, ctx, _Src(b, 0, 0, {}, pin))


def backquotes_in(self: SinkWalker, text: str, pin: Span, st: State, ctx: _Ctx) -> None:
    """tree-sitter-bash 0.25.1 reads no backquoted command in a here-doc's body (nor in a
    `${x:-...}` word): each one in ``text`` is walked as the `$(...)` it is the old spelling
    of, at ``pin``."""
    for inner in _backquoted(text):
        walk_expanded(self, f"$({inner})", pin, st, ctx)


def _backquoted(text: str) -> list[str]:
    r"""The commands of the top-level `` `...` `` in ``text`` (outside `$(...)`, which the parse
    reads), with their backslash escapes (`\\`, `` \` ``, `\$`) removed as bash removes them.
    An unclosed one is a syntax error to bash; its text is still read (never silence)."""
    found: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c != "`":
            i += 1
            continue
        j = i + 1
        inner: list[str] = []
        while j < n and text[j] != "`":
            if text[j] == "\\" and j + 1 < n and text[j + 1] in "\\`$":
                inner.append(text[j + 1])
                j += 2
                continue
            inner.append(text[j])
            j += 1
        found.append("".join(inner))
        i = j + 1
    return found


def _unseen(self: SinkWalker, shown: str, pin: Span, st: State, ctx: _Ctx) -> None:
    """A prompt whose text cannot be known: one command whose program is unknown, at ``pin``."""
    word = Word(shown, False, pin, shown)
    r = _Redirs(stdin=base_stdin(st, ctx))
    sctx = ctx.derive(cmdsubst=True, in_pipeline=False, pos=0, pipe=None, stdout=None)
    idx = self._emit((word,), pin, shown, [], r, None, [Wrapper(PROMPT, pin, (shown,))], st, sctx)
    self.dynamic.append(idx)


def expand_prompt(
    self: SinkWalker, var: Var | None, shown: str, pin: Span, st: State, ctx: _Ctx
) -> None:
    """Bash expands ``var``'s value as a prompt at ``pin`` (``shown``: how, `${y@P}`)."""
    if var is None:
        return  # unset: an empty prompt (PS4 not set here: bash's `+ `, inherited or not)
    for each in (var, *var.others):
        text = _prompt_text(_value(each))
        if text is None:
            _unseen(self, shown, pin, st, ctx)
        else:
            walk_expanded(self, text, pin, st, ctx)


def traced(self: SinkWalker, node: Node, st: State, ctx: _Ctx, src: _Src) -> None:
    """A statement run under `set -x`: bash expands $PS4 before it. A value with no `$(...)` or
    backquote runs nothing, and is walked once; one with them runs commands whose words come
    from the state (`PS4='$($c ...)'`, then `c=codex`): walked again at each statement the
    state differs for (its variables, functions, aliases, positional parameters)."""
    var = st.vars.get("PS4")
    if var is None:
        return
    held: tuple[object, ...] = (var,)
    if any(_runs_commands(_value(each)) for each in (var, *var.others)):
        held = (var, *st.vars.values(), *st.functions.values(), st.positional, *st.aliases.values())
    key = tuple(map(id, held))
    if key in self.prompts:
        return
    self.prompts[key] = held  # kept: their ids are not reused while they are a key here
    expand_prompt(self, var, "${PS4@P}", src.span(node), st, ctx)


def _runs_commands(word: Word | None) -> bool:
    return word is not None and ("$(" in word.text or "`" in word.text)


def expansion(self: SinkWalker, raw: str, span: Span, st: State, ctx: _Ctx) -> None:
    """A parameter expansion that runs a value as code: `${y@P}`, or an array subscript
    evaluated as arithmetic (`${arr[i]}` with i holding `x[$(cmd)]`)."""
    if "@P" in raw:
        for m in _PROMPT_REF.finditer(raw):
            bang, name, index = m.group(1), m.group(2), m.group(3)
            var = st.vars.get(name)
            if bang or (index is not None and index not in ("0", "@", "*")):
                # `${!ref@P}`, `${arr[i]@P}`: which value is expanded is not modelled
                _unseen(self, m.group(0), span, st, ctx)
                continue
            if index in ("@", "*") and var is not None and var.items is not None:
                for item in var.items:
                    expand_prompt(self, Var(item), m.group(0), span, st, ctx)
                continue
            expand_prompt(self, var, m.group(0), span, st, ctx)
    if raw.startswith("${!"):
        # `${!ref}` with ref='a[$(cmd)]': the name it holds is expanded, subscript and all
        ref = _INDIRECT_REF.fullmatch(raw)
        var = st.vars.get(ref.group(1)) if ref is not None else None
        for each in (var, *var.others) if var is not None else ():
            word = _value(each)
            if word is not None and word.literal and "[" in word.text:
                named = _SUBSCRIPTED_NAME.fullmatch(word.text)
                if named is not None:
                    walk_expanded(self, named.group(1), span, st, ctx)
    if "[" in raw:
        for m in _SUBSCRIPT_REF.finditer(raw):
            index = m.group(1)
            if index not in ("@", "*") and not index.isdigit():
                arithmetic(self, index, span, st, ctx)


def arithmetic(
    self: SinkWalker, expr: str, pin: Span, st: State, ctx: _Ctx, *, value: bool = False
) -> None:
    """Bash evaluates ``expr`` as arithmetic at ``pin``. Each name in it is evaluated too (its
    value an expression of its own), and an array subscript in a value is expanded first: its
    substitutions run. ``value``: ``expr`` is such text itself (a `let 'x[$(cmd)]'` argument),
    not source text whose substitutions the walk reads already."""
    if not st.vars and not value:
        return  # the common case: no variable known, so no known value to run
    _evaluate(self, expr, pin, st, ctx, value, 0, set())


def _evaluate(
    self: SinkWalker,
    expr: str,
    pin: Span,
    st: State,
    ctx: _Ctx,
    value: bool,
    depth: int,
    seen: set[str],
) -> None:
    if depth > MAX_ARITH_DEPTH or len(expr) > MAX_VALUE:
        return
    if value and "[" in expr and ("$" in expr or "`" in expr):
        for index in _subscripts(expr):
            walk_expanded(self, index, pin, st, ctx)
    for name in _NAME.findall(expr):
        if name in seen:
            continue
        var = st.vars.get(name)
        if var is None:
            continue
        seen.add(name)
        for each in (var, *var.others):
            word = _value(each)
            if word is not None and word.literal and word.text and not word.text.isdigit():
                _evaluate(self, word.text, pin, st, ctx, True, depth + 1, seen)


def _subscripts(expr: str) -> list[str]:
    """The text inside each top-level `[...]` of an arithmetic expression."""
    out: list[str] = []
    level = 0
    start = 0
    for i, c in enumerate(expr):
        if c == "[":
            if level == 0:
                start = i + 1
            level += 1
        elif c == "]" and level:
            level -= 1
            if level == 0:
                out.append(expr[start:i])
    return out


def integer_value(self: SinkWalker, name: str, values: list[Word], st: State, ctx: _Ctx) -> None:
    """`declare -i n; n='a[$(cmd)]'`: bash evaluates each value assigned to a name with the
    integer attribute as arithmetic (checked with bash 5.2: also `n+=`, `declare -i n=V`, an
    array's items, `read n`, `printf -v n`, `for n in V`), so a subscript in it runs its
    substitutions. A literal value is such text itself; any other is walked for its names."""
    if not st.integers or (st.target(name) or name) not in st.integers:
        return
    for word in values:
        arithmetic(self, word.text, word.span, st, ctx, value=word.literal)


def arithmetic_test(self: SinkWalker, text: str, pin: Span, st: State, ctx: _Ctx) -> None:
    """`[[ $a -eq 1 ]]`: bash evaluates the operands of an arithmetic test as expressions."""
    if _ARITH_TEST.search(text) is not None:
        quoted_subscripts(self, text, pin, st, ctx)
        arithmetic(self, text, pin, st, ctx)


_QUOTED_SUBSCRIPTED = lazy_compile(r"'([^']*\[[^']*[$`][^']*)'")


def quoted_subscripts(self: SinkWalker, text: str, pin: Span, st: State, ctx: _Ctx) -> None:
    """`[[ 1 -eq 'a[$(cmd)]' ]]`, `(( 'a[$(cmd)]' ))`: a single-quoted operand of arithmetic is
    quote-removed and then evaluated, so its subscript is expanded there and cmd runs (checked
    with bash 5.2); the walk of the source saw only quoted text."""
    if "'" not in text:
        return
    for m in _QUOTED_SUBSCRIPTED.finditer(text):
        for index in _subscripts(m.group(1)):
            if "$" in index or "`" in index:
                walk_expanded(self, index, pin, st, ctx)


def let_words(self: SinkWalker, words: list[Word], st: State, ctx: _Ctx) -> None:
    """`let EXPR...`: each argument is an arithmetic expression; a literal one (`let 'x[...]'`)
    is text bash reads as such, subscripts and all."""
    for w in words[1:]:
        arithmetic(self, w.text, w.span, st, ctx, value=w.literal and w.raw != w.text)


# Builtins whose arguments name variables (`read NAME`, `declare NAME=V`, `printf -v NAME`): a
# name with a subscript (`'a[$(cmd)]'`, quoted so the outer shell leaves it) has that subscript
# expanded when the builtin assigns, reads or unsets it: its substitutions run.
_NAMING_BUILTINS = frozenset(
    {"read", "declare", "typeset", "local", "export", "readonly", "unset", "printf"}
    | {"mapfile", "readarray", "test", "["}  # (`test -v NAME`)
)
_SUBSCRIPTED_NAME = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*\[(.*?)\](?:\+?=.*)?", 16)  # re.DOTALL


def named_subscripts(
    self: SinkWalker, program: str, words: list[Word], st: State, ctx: _Ctx
) -> None:
    """`read 'a[$(cmd)]'`, `printf -v 'a[$(cmd)]' x`, `local 'a[$(cmd)]'=1`: the subscript of a
    name a builtin is given is expanded again there (an adversarial pass: codex ran, allowed)."""
    if program not in _NAMING_BUILTINS:
        return
    args = words[1:]
    if program in ("printf", "test", "["):
        args = [w for i, w in enumerate(words[2:], 2) if words[i - 1].text == "-v"]
    for w in args:
        if "[" not in w.text or ("$" not in w.text and "`" not in w.text):
            continue
        m = _SUBSCRIPTED_NAME.fullmatch(w.text)
        if m is not None:
            walk_expanded(self, m.group(1), w.span, st, ctx)


_TEST_V = lazy_compile(r"""-v\s+(['"]?)[A-Za-z_][A-Za-z0-9_]*\[(.*?)\]\1(?=\s)""", 16)


def test_v(self: SinkWalker, text: str, pin: Span, st: State, ctx: _Ctx) -> None:
    """`[[ -v 'a[$(cmd)]' ]]`, `test -v ...`: the subscript of the name tested is expanded."""
    for m in _TEST_V.finditer(text):
        if "$" in m.group(2) or "`" in m.group(2):
            walk_expanded(self, m.group(2), pin, st, ctx)
