"""The tree-sitter adapter: source text to syntax trees, with byte offsets mapped to spans.

The only module that reads tree-sitter (the stages walk the nodes it hands them, through ``Node``
and ``_Src``); it knows nothing of the walk. The entry point, text -> ``Script``, is walk.py's
``parse``; the map of the stages is guard/shell/__init__.py's docstring.

Two gaps of tree-sitter-bash 0.25.1 are repaired from the source text (DESIGN.md): the lone ``-``
dropped before a here-doc, and a here-doc followed on its line by ``| cmd`` / ``; cmd`` / another
here-doc (rewritten to a same-length plain redirect with the body blanked, then parsed again).
The byte prefilter of big inputs (``_BIG_KEEP*``) is here too: it reads text, not trees.
"""

from __future__ import annotations

import itertools

from guard.fastclass import dataclass, maker
from guard.lazyre import lazy_compile
from guard.lrucache import lru_cache
from guard.shell.model import Span
from guard.shell.tsbound import parse_bounded
from guard.shell.wrappers import (
    SHELLS,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Any

    Node = Any  # tree-sitter ships no type information mypy can use
else:
    Node = object

BIG_INPUT = 1_000_000  # bytes
# `Span(line, column, end_line, end_column)`, built cheaper (fastclass.maker): nearly every node
# walked gets a span.
_span = maker(Span)
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
_DYNAMIC_HEAD_RE = lazy_compile(rb"(?:^|[;&|(){}\n]|\bthen|\bdo|\belse)[ \t]*\"?\$")
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


# A here-doc operator with something after its word on the same line: only then can the
# here-doc repair be needed (saves a tree query on every file that uses plain here-docs).
_HEREDOC_TAIL_RE = lazy_compile(
    rb"<<-?[ \t]*(?:'[^'\n]*'|\"[^\"\n]*\"|\\?[^\s;|&<>()]+)[ \t]*[^\s]"
)


@lru_cache(maxsize=1)
def _language() -> Any:
    from guard.shell.tslang import bash_language, tree_sitter_module

    return tree_sitter_module().Language(bash_language())


@lru_cache(maxsize=1)
def _parser() -> Any:
    from guard.shell.tslang import tree_sitter_module

    return tree_sitter_module().Parser(_language())


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
    return parse_bounded(_parser(), b)  # a parse past its budget is a parse error (CG901)


_NON_ASCII_TO_X = bytes(range(128)) + b"x" * 128


@lru_cache(maxsize=4)
def _query(text: str) -> Any:
    from guard.shell.tslang import tree_sitter_module

    return tree_sitter_module().Query(_language(), text)


@lru_cache(maxsize=1)
def _query_cursor() -> Any:
    # Looked up once: `_captures` runs on most files, and a `from` import in a function costs
    # ~8,000 instructions on CPython 3.11.
    from guard.shell.tslang import tree_sitter_module

    return tree_sitter_module().QueryCursor


def _captures(query: str, root: Node) -> list[Node]:
    found: dict[str, list[Node]] = _query_cursor()(_query(query)).captures(root)
    out: list[Node] = []
    for nodes in found.values():
        out.extend(nodes)
    out.sort(key=lambda n: n.start_byte)
    return out


# Past this many operators the query runs instead of a lookup each: a lookup walks down from the
# root, so its cost grows with the tree's depth, and `a | b > f | c > g | ...` nests a pipeline
# per operator: n lookups over a depth of n took 5x the query's time at n = 8,000 (1.7 s more, a
# 48 KB file); the query walks each node once. Short scripts, where the lookups pay, have few.
MAX_OPERATOR_LOOKUPS = 256


def _operator_parents(
    b: bytes, root: Node, op: bytes, tokens: tuple[str, ...], kind: str
) -> list[Node]:
    """The ``kind`` nodes of an error-free tree that hold one of ``tokens`` (each starting
    with the bytes ``op``) as a child, in source order: each occurrence of ``op`` in ``b`` is
    asked for the token there (a lookup down one branch of the tree), not the whole tree walked
    by a query (~12x the cost on a 60-line script, which runs these on nearly every file).
    The caller makes sure the tree has no error: only then does every such node hold its
    tokens with their bytes (error recovery may leave a zero-width MISSING token instead)."""
    found: list[Node] = []
    # (a node's own operator lies outside any node of its kind nested in it, so two of them
    # never share both ends: `a | b > f | c` nests a pipeline at the same start)
    seen: set[tuple[int, int]] = set()
    at = b.find(op)
    while at >= 0:
        token = root.descendant_for_byte_range(at, at + 1)
        parent = token.parent if token is not None and token.type in tokens else None
        if parent is not None and parent.type == kind:
            key = (parent.start_byte, parent.end_byte)
            if key not in seen:
                seen.add(key)
                found.append(parent)
        at = b.find(op, at + 1)
    found.sort(key=lambda n: n.start_byte)
    return found


@dataclass(frozen=True, slots=True)
class _Heredoc:
    """A here-doc the repair pass turned into ``< WORD`` (keyed by the WORD's byte offset)."""

    body: str
    quoted: bool
    body_byte: int


class _Src:
    """One parsed text (the file, or a re-parsed body) and how to map it into the file."""

    __slots__ = ("ascii", "b", "big", "co", "fakes", "lo", "lo1", "override", "plain", "s")

    def __init__(
        self, b: bytes, lo: int, co: int, fakes: dict[int, _Heredoc], override: Span | None
    ) -> None:
        self.b = b
        self.lo = lo
        self.co = co
        self.fakes = fakes
        self.ascii = b.isascii()
        # The text as str when it is ASCII (nearly always), where a byte offset is a character
        # offset: a node's text is then a slice of it, not a slice of `b` decoded (a call that
        # costs several times the slice, made for most nodes walked).
        self.s: str | None = b.decode("ascii") if self.ascii else None
        self.override = override  # alias text: every word sits where the alias name was
        # Past this size only commands that can matter are modelled (a 10 MB script must still
        # lint in seconds): see Walker._skippable (walk.py).
        self.big = len(b) > BIG_INPUT
        # `span` runs for nearly every node walked: the common text (the file itself, ASCII,
        # from its first column) takes a short path, decided here once.
        self.plain = override is None and self.ascii and not co
        self.lo1 = lo + 1

    def text(self, node: Node) -> str:
        s = self.s
        if s is not None:
            return s[node.start_byte : node.end_byte]
        return self.b[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def slice(self, start: int, end: int) -> str:
        s = self.s
        if s is not None:
            return s[start:end]
        return self.b[start:end].decode("utf-8", "replace")

    def _col(self, byte: int, col: int) -> int:
        """Character column from tree-sitter's byte column (they differ on non-ASCII lines).
        Past 4 KiB into a line the byte column is kept: decoding each word's whole line prefix
        would make a 10 MB one-line file quadratic."""
        if self.ascii or col == 0 or col > 4096:
            return col
        return len(self.b[byte - col : byte].decode("utf-8", "replace"))

    def span(self, node: Node) -> Span:
        if self.plain:  # (what the lines below give for such a text)
            sr, sc = node.start_point
            er, ec = node.end_point
            lo = self.lo1
            return _span(sr + lo, sc + 1, er + lo, ec + 1)
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
        return _span(sr + lo, sc + 1, er + lo, ec + 1)

    def span_between(self, first: Node, last: Node) -> Span:
        """From where ``span(first)`` starts to where ``span(last)`` ends, made as one Span."""
        if self.plain:  # (what the lines below give for such a text)
            sr, sc = first.start_point
            er, ec = last.end_point
            lo = self.lo1
            return _span(sr + lo, sc + 1, er + lo, ec + 1)
        head, tail = self.span(first), self.span(last)
        return _span(head.line, head.column, tail.end_line, tail.end_column)

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


# Word-like children of a `command` node: two of them never stand on different lines in bash
# (a newline ends the command) unless a backslash continues the line.
_WORD_KIDS = frozenset(
    {
        "command_name", "word", "string", "raw_string", "ansi_c_string", "translated_string",
        "concatenation", "simple_expansion", "expansion", "command_substitution", "number",
        "arithmetic_expansion", "process_substitution",
    }
)  # fmt: skip
_JOINED_QUERY = "(pipeline (redirected_statement body: (pipeline) @inner))"
MAX_JOIN_REPAIRS = 4  # re-parses at most; each one splits every joined line it finds


def _joined_line_breaks(b: bytes, root: Node) -> list[int]:
    """Newlines tree-sitter-bash 0.25.1 read as blanks inside one command.

    After a pipeline of three or more commands, a next line that has a file redirect is glued onto
    the pipeline's last command: `a | b | c` then `codex exec - < p.md` parse as one command
    `c codex exec -` with `< p.md` on the whole pipeline, so the codex line is not a command at
    all. The tree shows it as a redirected pipeline inside a pipeline, whose command has words
    on two lines with only blanks between them. Returns the offsets of those newlines."""
    if b.count(b"|") < 2 or b"\n" not in b:
        return []
    breaks: list[int] = []
    for inner in _joined_inners(b, root):
        for command in inner.named_children:
            if command.type != "command":
                continue
            kids = [k for k in command.children if k.type in _WORD_KIDS]
            for left, right in itertools.pairwise(kids):
                if _blank_lines_between(b[left.end_byte : right.start_byte]):
                    breaks.append(left.end_byte)
    return breaks


def _joined_inners(b: bytes, root: Node) -> list[Node]:
    """What ``_JOINED_QUERY`` captures (as a set): each pipeline that is the body of a redirected
    statement inside a pipeline. Every pipeline of tree-sitter-bash holds its `|`/`|&`
    operators as children (its own alias in a here-doc's `<<E | cmd` too), so in a tree
    without errors the outer pipelines are found from the `|` bytes."""
    if root.has_error or b.count(b"|") > MAX_OPERATOR_LOOKUPS:
        return _captures(_JOINED_QUERY, root)
    inners: list[Node] = []
    for pipeline in _operator_parents(b, root, b"|", ("|", "|&"), "pipeline"):
        for kid in pipeline.named_children:
            if kid.type == "redirected_statement":
                body = kid.child_by_field_name("body")
                if body is not None and body.type == "pipeline":
                    inners.append(body)
    inners.sort(key=lambda n: n.start_byte)
    return inners


def _heredoc_redirects(b: bytes, root: Node) -> list[Node]:
    """Every `heredoc_redirect` of the tree, in source order, as the query `(heredoc_redirect)`
    finds them: in a tree without errors each holds its `<<`/`<<-` operator as a child, so
    they are found from the `<<` bytes."""
    if root.has_error or b.count(b"<<") > MAX_OPERATOR_LOOKUPS:
        return _captures("(heredoc_redirect) @h", root)
    return _operator_parents(b, root, b"<<", ("<<", "<<-"), "heredoc_redirect")


def _blank_lines_between(gap: bytes) -> bool:
    """The bytes between two words span a line end with nothing but blanks and comments (no
    `\\` continuing the line)."""
    lines = gap.split(b"\n")
    return len(lines) > 1 and all(
        not (t := line.strip(b" \t")) or t.startswith(b"#") for line in lines
    )


def repair_joined_lines(b: bytes, root: Node) -> bytes | None:
    """``b`` with a `;` right after the last word of each line tree-sitter joined to the next,
    or None when there is none. Bash ends the command at that line's end, so a `;` there means
    the same; rows and columns of every node stay as they were (only blanks or a comment follow
    the `;` on its line)."""
    breaks = _joined_line_breaks(b, root)
    if not breaks:
        return None
    out = bytearray()
    last = 0
    for at in sorted(set(breaks)):
        out += b[last:at] + b";"
        last = at
    out += b[last:]
    return bytes(out)


# Words after which tree-sitter-bash 0.25.1 mis-reads `time`/`coproc` as a command name: a
# compound command (`time { ...; }`, `coproc while ...; do ...; done`), which it then splits
# into commands named `{`, `then`, `do`... that run nothing.
_COMPOUND_OPENERS = frozenset(
    {b"{", b"(", b"((", b"[[", b"if", b"while", b"until", b"for", b"case", b"select", b"!"}
)
_RESERVED_NAMES = (b"time", b"coproc")
# What may stand right before a command's first word (then blanks): a superset, for a cheap
# look before the tree is asked (`_reserved_head`).
_COMMAND_STARTS = frozenset(b"\n;&|(){}`!")
_KEYWORDS_BEFORE = (b"then", b"do", b"else", b"elif", b"if", b"while", b"until", b"time")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.=/-")


def _reserved_head(b: bytes) -> bool:
    """Might `time` or `coproc` stand where a command starts? (`timeout`, `date +%T` and
    `echo time` do not: most scripts skip the tree query.)"""
    for word in _RESERVED_NAMES:
        at = b.find(word)
        while at >= 0:
            end = at + len(word)
            if end == len(b) or b[end] not in _WORD_BYTES:
                before = b[max(0, at - 8) : at].rstrip(b" \t")
                if not before or before[-1] in _COMMAND_STARTS or before.endswith(_KEYWORDS_BEFORE):
                    return True
            at = b.find(word, end)
    return False


def repair_rw_redirects(b: bytes, root: Node) -> bytes | None:
    """``b`` with the `>` of each read-write redirect `[N]<>FILE` blanked (same length), or None
    when there is none. tree-sitter-bash 0.25.1 has no `<>` operator (an ERROR node: `exec
    3<>/tmp/lock; codex exec ...` was a parse error, refused at every door); bash opens FILE
    for reading and writing on N (default 0), which the model reads as the `N<FILE` it is for
    whatever reads N."""
    if b"<>" not in b:
        return None  # nearly every script: no tree query
    out: bytearray | None = None
    for error in _captures("(ERROR) @e", root):
        start, end = error.start_byte, error.end_byte
        if end - start != 1:
            continue
        if b[start : start + 1] == b">" and b[start - 1 : start] == b"<":
            at = start
        elif b[start : start + 2] == b"<>":
            at = start + 1
        else:
            continue
        if out is None:
            out = bytearray(b)
        out[at] = 0x20
    return None if out is None else bytes(out)


# A one-line `[ ... ]` test holding an escaped operator or parenthesis (`[ "$a" \\< "$b" ]`,
# `[ \\( -f a \\) ]`): valid bash that tree-sitter-bash 0.25.1 cannot parse.
_ESCAPED_TEST = lazy_compile(rb"(?<![^\s;&|(!{])\[[ \t][^\]\n]*?\\[<>()][^\]\n]*?[ \t]\]")
_ESCAPED_STANDINS = {b"\\<": b" =", b"\\>": b" =", b"\\(": b"  ", b"\\)": b"  "}


def repair_escaped_tests(b: bytes) -> bytes | None:
    """``b`` with each escaped `<`/`>` of a `[ ]` test made ` =` and each escaped parenthesis
    blank (same length), or None when there is none: `[ "$a" \\< "$b" ] && codex exec ...` was a
    parse error (CG901, refused at every door). The test's operator means nothing to the
    model; its words are still read from the text as written (same offsets)."""
    if b"[" not in b or b"\\" not in b:
        return None
    out: bytearray | None = None
    for m in _ESCAPED_TEST.finditer(b):
        if out is None:
            out = bytearray(b)
        i = m.start()
        while i < m.end() - 1:
            pair = bytes(b[i : i + 2])
            if pair in _ESCAPED_STANDINS:
                out[i : i + 2] = _ESCAPED_STANDINS[pair]
                i += 2
            elif pair[:1] == b"\\":
                i += 2  # an escaped character of another kind, or an escaped backslash
            else:
                i += 1
    return None if out is None else bytes(out)


# A bash fall-through terminator (`;&`, `;;&`) ending the last item of a `case`: only blanks,
# newlines and comments between it and `esac`.
_LAST_FALLTHROUGH = lazy_compile(rb";;?&(?=(?:[ \t\r\n]|#[^\n]*\n)*esac(?![A-Za-z0-9_]))")


def repair_last_fallthrough(b: bytes) -> bytes | None:
    """``b`` with the fall-through terminator of each `case`'s last item made `;;` (`;&` ->
    `;;`, `;;&` -> `;; `: same length), or None when there is none. tree-sitter-bash 0.25.1
    takes `;&` and `;;&` after any item but the last (its `_case_item_last` ends in `;;` or
    nothing): `case $m in a) codex exec ... ;& esac` was a parse error (CG901, refused at every
    door). On the last item bash has nothing to fall into and no pattern left to test, so it
    runs as `;;` does. The walk reads the terminators of the other items (flow.py ``_case``)."""
    if b";&" not in b:
        return None
    out: bytearray | None = None
    for m in _LAST_FALLTHROUGH.finditer(b):
        if out is None:
            out = bytearray(b)
        out[m.start() : m.end()] = b";; " if m.end() - m.start() == 3 else b";;"
    return None if out is None else bytes(out)


def repair_reserved_words(b: bytes, root: Node) -> bytes | None:
    """``b`` with each reserved `time [-p] [--]` and `coproc [NAME]` before a compound command
    blanked (same length: every other node keeps its offsets), or None when there is none.
    Bash runs the compound command the same without them (`time` only reports how long it
    took); a coprocess's background and stdin are then modelled as a plain command's: its
    stdin the script's, as open as the coprocess pipe (CG201 still applies)."""
    if not _reserved_head(b):
        return None  # most scripts: no `time`/`coproc` where a command starts, no tree query
    out: bytearray | None = None
    for command in _captures("(command name: (command_name) @n)", root):
        cut = _reserved_prefix_end(b, command.parent)
        if cut is None:
            continue
        if out is None:
            out = bytearray(b)
        start = command.start_byte
        out[start:cut] = bytes(0x0A if c == 0x0A else 0x20 for c in b[start:cut])
    return None if out is None else bytes(out)


def _reserved_prefix_end(b: bytes, command: Node) -> int | None:
    """Where the compound command after a leading `time`/`coproc` begins, when ``command``
    is that shape (no assignment before the reserved word; nothing quoted in it)."""
    kids = command.children
    if not kids or kids[0].type != "command_name":
        return None
    name = b[kids[0].start_byte : kids[0].end_byte]
    if name not in _RESERVED_NAMES:
        return None
    i = 1
    if name == b"time":
        while i < len(kids) and b[kids[i].start_byte : kids[i].end_byte] in (b"-p", b"--"):
            i += 1
    elif i + 1 < len(kids) and kids[i].type == "word" and _opens_compound(b, kids[i + 1]):
        i += 1  # `coproc NAME { ...; }`
    if i < len(kids) and _opens_compound(b, kids[i]):
        cut: int = kids[i].start_byte
        return cut
    return None


def _opens_compound(b: bytes, node: Node) -> bool:
    if node.type in ("subshell", "compound_statement"):
        return True
    return node.type == "word" and b[node.start_byte : node.end_byte] in _COMPOUND_OPENERS


def split_herestring(redirect: Node) -> bool:
    """A here-string tree-sitter-bash 0.25.1 split after another redirect: `cmd 2>/dev/null
    <<<"$P"` parses as the first redirect, an ERROR holding `<<`, and a file redirect `<"$P"`
    right after it. True for that file redirect (bash reads it as `<<<"$P"`)."""
    if redirect.type != "file_redirect":
        return False
    before = redirect.prev_sibling
    return before is not None and _herestring_head(before, redirect)


def _herestring_head(error: Node, after: Node | None) -> bool:
    """The ERROR of a split here-string: `<<` alone, the `<` of a file redirect right after."""
    return (
        error.type == "ERROR"
        and error.child_count == 1
        and error.children[0].type == "<<"
        and after is not None
        and after.type == "file_redirect"
        and after.start_byte == error.end_byte
        and after.child_count > 0
        and after.children[0].type == "<"
    )


def real_parse_errors(nodes: list[Node]) -> list[Node]:
    """The ERROR/MISSING nodes that are parse errors: not the head of a split here-string."""
    return [n for n in nodes if not _herestring_head(n, n.next_sibling)]


def _repair_heredocs(b: bytes, root: Node) -> tuple[bytes, dict[int, _Heredoc]] | None:
    """Rewrite here-docs tree-sitter cannot parse into same-length ``< WORD`` redirects.

    A here-doc followed on its line by ``| cmd``, ``; cmd``, ``&`` or a second here-doc makes
    tree-sitter-bash 0.25.1 swallow or mangle the rest of the line. Keeping every byte offset,
    the line's ``<<WORD`` becomes ``< WORD`` and the body lines become blanks; the bodies are
    kept aside (keyed by the WORD's offset) so the walker still sees a here-doc.
    """
    bad_lines: list[int] = []
    for h in _heredoc_redirects(b, root):
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


__all__ = ["SHELLS"]
