"""A node's text is a slice of the source str when the source is ASCII (a byte offset is then a
character offset), else its bytes decoded: both must give what decoding the bytes gives. A span
over two nodes is made in one step where it can be: it must be what the two spans give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guard.shell import parser as syntax
from guard.shell.model import Span


def nodes(root: syntax.Node) -> list[syntax.Node]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def check(text: str) -> None:
    b = text.encode()
    src = syntax._Src(b, 0, 0, {}, None)
    assert (src.s is not None) == b.isascii()
    for node in nodes(syntax._parse_bytes(b).root_node):
        start, end = node.start_byte, node.end_byte
        assert src.text(node) == b[start:end].decode("utf-8", "replace")
        assert src.slice(start, end) == b[start:end].decode("utf-8", "replace")
        assert src.slice(start, end + 3) == b[start : end + 3].decode("utf-8", "replace")


def test_ascii_and_non_ascii_sources() -> None:
    check('codex exec -C "$REPO" "fix it" <<EOF\nbody\nEOF\n')
    check('echo "héllo wörld" | codex exec -  # ünïcode\n')
    check("printf '%s' 'Ω' > f; cat f\n")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab $\"'|;\n(){}<>=-é€\U0001f600")), max_size=40))
def test_any_source(text: str) -> None:
    check(text)


def check_span_between(text: str) -> None:
    """``span_between`` is the first node's span start with the last one's end, whatever the
    source: the file itself, a body at a line and column offset, an alias's text."""
    b = text.encode()
    found = nodes(syntax._parse_bytes(b).root_node)
    for lo, co, override in ((0, 0, None), (3, 0, None), (2, 5, None), (0, 0, PIN)):
        src = syntax._Src(b, lo, co, {}, override)
        for first, last in zip(found, reversed(found), strict=True):
            head, tail = src.span(first), src.span(last)
            expected = Span(head.line, head.column, tail.end_line, tail.end_column)
            assert src.span_between(first, last) == expected


PIN = Span(7, 2, 7, 9)


def test_span_between() -> None:
    check_span_between("codex exec -C . 'p' </dev/null >out 2>&1\nls\n")
    check_span_between("echo 'é' >f; cat <<E >g\nx\nE\n")


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab $\"'|;\n<>=-é")), max_size=30))
def test_span_between_any_source(text: str) -> None:
    check_span_between(text)
