"""The linear directive look-ups give exactly what the plain per-directive scans gave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guard.directives import (
    Disable,
    _covers,
    _DisableIndex,
    _is_code,
    _next_code_lines,
    apply_directives,
    parse_directives,
)
from guard.findings import Finding, Location, Severity

LINES = st.lists(st.sampled_from(["", "  ", "# note", "  # x", "echo a", "codex exec", "\t:"]))


def next_code_line_by_scan(lines: list[str], index: int) -> int | None:
    """The reference: look forward from each line (what the directive parser used to do)."""
    for later in range(index + 1, len(lines)):
        if _is_code(lines[later]):
            return later + 1
    return None


@settings(max_examples=200, deadline=None)
@given(LINES)
def test_next_code_lines_match_a_forward_scan(lines: list[str]) -> None:
    assert _next_code_lines(lines) == [next_code_line_by_scan(lines, i) for i in range(len(lines))]


DISABLES = st.lists(
    st.builds(
        Disable,
        line=st.integers(1, 30),
        column=st.just(1),
        rules=st.lists(st.sampled_from(["CG1", "CG101", "CG2", "CG201", "CG904"]), max_size=2).map(
            tuple
        ),
        reason=st.sampled_from(["", "why"]),
        whole_file=st.booleans(),
        targets=st.lists(st.integers(1, 30), min_size=1, max_size=2).map(tuple),
    ),
    max_size=8,
)
FINDINGS = st.lists(
    st.builds(
        lambda rule, line, span: Finding(
            rule, "n", Severity.WARNING, "m", Location("a.sh", line, 1, line + span, 1)
        ),
        st.sampled_from(["CG101", "CG201", "CG303"]),
        st.integers(1, 30),
        st.integers(-1, 4),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(DISABLES, FINDINGS)
def test_disable_index_matches_checking_every_directive(
    disables: list[Disable], findings: list[Finding]
) -> None:
    index = _DisableIndex(tuple(disables))
    for finding in findings:
        expected = [i for i, d in enumerate(disables) if _covers(d, finding)]
        assert index.covering(finding) == expected


def test_thousands_of_directive_lines_keep_their_targets() -> None:
    lines = [f"# codex-guard: disable=CG201 -- r{i}" for i in range(5000)]
    text = "\n".join([*lines, "", "codex exec 'p'", "# codex-guard: lane=worker", "codex exec x"])
    parsed = parse_directives(text)
    assert len(parsed.disables) == 5000
    assert all(d.targets == (d.line, 5002) for d in parsed.disables)
    assert parsed.lanes == ((5003, "worker"), (5004, "worker"))
    finding = Finding("CG201", "n", Severity.WARNING, "m", Location("a.sh", 5002, 1, 5002, 9))
    assert apply_directives([finding], parsed, "a.sh", {}) == []
