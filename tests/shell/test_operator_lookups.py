"""The pipelines and here-docs the parse repairs look at are found from their operators' bytes
(parser.py ``_operator_parents``), not by a tree query over every node: the two must find the
same nodes on any error-free tree (a tree with errors takes the query)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.shell import parser as syntax

Found = list[tuple[int, int, str]]

SCRIPTS = [
    "a | b > f | c\n",  # the inner pipeline starts where the outer one does
    "git log | grep x | head\ncodex exec - < p.md\n",
    "x | y |& z\nw 2> e.log\n",
    "a || b | c && d | e\n",
    "echo 'a | b' \"c | d\" | tr a b | cat\n",
    "case $x in a|b) f | g ;; esac\n",
    "cat <<'EOF' | codex exec -\nbody | with | pipes\nEOF\n",
    "cat <<-EOF | a | b\n\tx << y\n\tEOF\n",
    "cat <<A | tee o\na\nA\ncat <<B | sort | uniq\nb\nB\n",
    'f <<< "$x" | g <<<y | h\n',
    "echo $(( 1 << 3 )) | cat <<E\n$(a | b | c)\nE\n",
    "exec 3<<E\nx\nE\n",
    "{ a | b; } > f | c | d\ncodex exec - < p.md\n",
    "if x | y > f | z; then cat <<E | q\nE\nfi\n",
    "p=$(a | b | c > f | d)\n",
]


def by_query(query: str, root: syntax.Node) -> Found:
    return [(n.start_byte, n.end_byte, n.type) for n in syntax._captures(query, root)]


def by_bytes(b: bytes, root: syntax.Node) -> tuple[Found, Found]:
    joined = [(n.start_byte, n.end_byte, n.type) for n in syntax._joined_inners(b, root)]
    heredocs = [(n.start_byte, n.end_byte, n.type) for n in syntax._heredoc_redirects(b, root)]
    return joined, heredocs


def check(text: str) -> bool:
    """Compare on ``text``; False when its tree has errors (the query runs for those)."""
    b = text.encode()
    root = syntax._parse_bytes(b).root_node
    if root.has_error:
        return False
    joined, heredocs = by_bytes(b, root)
    # (the repair reads the joined pipelines as a set: two may start at one byte)
    assert sorted(joined) == sorted(by_query(syntax._JOINED_QUERY, root)), text
    assert heredocs == by_query("(heredoc_redirect) @h", root), text
    return True


@pytest.mark.parametrize("text", SCRIPTS)
def test_the_operators_find_what_the_queries_find(text: str) -> None:
    assert check(text)


def test_nested_pipelines_sharing_a_start_are_both_found() -> None:
    b = b"a | b > f | c\n"
    root = syntax._parse_bytes(b).root_node
    pipelines = syntax._operator_parents(b, root, b"|", ("|", "|&"), "pipeline")
    assert [(n.start_byte, n.end_byte) for n in pipelines] == [(0, 5), (0, 13)]


def test_a_tree_with_errors_takes_the_query() -> None:
    b = b"a | b > f | c\nif then | fi <<E\nE\n"
    root = syntax._parse_bytes(b).root_node
    assert root.has_error
    joined, heredocs = by_bytes(b, root)
    assert sorted(joined) == sorted(by_query(syntax._JOINED_QUERY, root))
    assert heredocs == by_query("(heredoc_redirect) @h", root)


PIECES = [
    "a", "b c", "codex exec -", "'x|y'", '"$v"', "$(p | q)", "| ", "|& ", "|| ", "&& ", "; ",
    "\n", "> f ", "2>e ", "< in ", "<<E\nbody\nE\n", "<<-'E'\n\tt | u\n\tE\n", "<<< s ", "{ ", "} ",
    "( ", ") ", "$(( 1 << 2 )) ", "# c | d\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
def test_random_scripts_agree(pieces: list[str]) -> None:
    check(" ".join(pieces) + "\n")


def _spy_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []
    real = syntax._captures

    def spy(query: str, root: syntax.Node) -> list[syntax.Node]:
        asked.append(query)
        return real(query, root)

    monkeypatch.setattr(syntax, "_captures", spy)
    return asked


def test_a_deep_tree_of_many_operators_takes_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each `> f |` nests the pipeline one level deeper, and a lookup walks down from the root:
    # a lookup per operator would cost operators x depth (5x the query at 8,000 operators).
    units = syntax.MAX_OPERATOR_LOOKUPS // 2 + 1  # two `|` a unit: just past the bound
    b = b"a | b > f | " * units + b"c\n"
    root = syntax._parse_bytes(b).root_node
    assert not root.has_error
    expected = sorted(by_query(syntax._JOINED_QUERY, root))
    asked = _spy_queries(monkeypatch)
    joined = [(n.start_byte, n.end_byte, n.type) for n in syntax._joined_inners(b, root)]
    assert asked == [syntax._JOINED_QUERY]
    assert sorted(joined) == expected
    assert len(joined) == units


def test_many_heredocs_take_the_query(monkeypatch: pytest.MonkeyPatch) -> None:
    b = b"cat <<E | x\nq\nE\n" * (syntax.MAX_OPERATOR_LOOKUPS + 1)
    root = syntax._parse_bytes(b).root_node
    assert not root.has_error
    expected = by_query("(heredoc_redirect) @h", root)
    asked = _spy_queries(monkeypatch)
    heredocs = [(n.start_byte, n.end_byte, n.type) for n in syntax._heredoc_redirects(b, root)]
    assert asked == ["(heredoc_redirect) @h"]
    assert heredocs == expected


def test_up_to_the_bound_the_operators_are_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    b = b"a | b > f | " * (syntax.MAX_OPERATOR_LOOKUPS // 2 - 1) + b"c | e <<E | d\nE\n"
    root = syntax._parse_bytes(b).root_node
    assert not root.has_error and b.count(b"|") == syntax.MAX_OPERATOR_LOOKUPS
    asked = _spy_queries(monkeypatch)
    syntax._joined_inners(b, root)
    syntax._heredoc_redirects(b, root)
    assert asked == []
