"""A node's text is a slice of the source str when the source is ASCII (a byte offset is then a
character offset), else its bytes decoded: both must give what decoding the bytes gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guard.shell import parser as syntax


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
