"""The JSON report writes each finding field by field: the same text as the generic writer, and
as `json.dumps(document, indent=2, ensure_ascii=False)`, for any finding."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from guard.findings import Finding, LintResult, Location, Severity
from guard.report.json import document, finding_dict, finding_text, pretty, render
from guard.report.paths import printable_json

_TEXT = st.text(max_size=12)  # any code point, lone surrogates (undecodable bytes) included
_NUMBER = st.integers(min_value=0, max_value=10**6)
_LOCATIONS = st.builds(Location, _TEXT, _NUMBER, _NUMBER, _NUMBER, _NUMBER, _TEXT)
_FINDINGS = st.builds(
    Finding,
    rule=_TEXT,
    name=_TEXT,
    severity=st.sampled_from(list(Severity)),
    message=_TEXT,
    location=_LOCATIONS,
    fix=st.none() | _TEXT,
    related=st.lists(_LOCATIONS, max_size=3).map(tuple),
    lane=st.none() | _TEXT,
)


@settings(max_examples=300, deadline=None)
@given(_FINDINGS, st.sampled_from(["", "  ", "    "]))
def test_a_finding_is_written_as_the_generic_writer_writes_its_dict(
    finding: Finding, indent: str
) -> None:
    assert finding_text(finding, indent) == pretty(finding_dict(finding), indent)


@settings(max_examples=100, deadline=None)
@given(st.lists(_FINDINGS, max_size=4), _NUMBER)
def test_the_report_is_json_dumps_of_the_document(findings: list[Finding], files: int) -> None:
    result = LintResult(findings=findings, files=files)
    expected = printable_json(json.dumps(document(result), indent=2, ensure_ascii=False))
    assert render(result, {}) == expected + "\n"


@settings(max_examples=50, deadline=None)
@given(st.lists(_FINDINGS, min_size=2, max_size=8))
def test_repeated_strings_are_written_as_the_first_time(findings: list[Finding]) -> None:
    """A rule's name, message, fix and notes are written from what they were written as
    before (`_repeated`): the same text, however often a string comes back, remembered or not
    (a bound of 2 here: most are not)."""
    import guard.report.json as report_json

    bound = report_json.MAX_ENCODED
    report_json.MAX_ENCODED = 2
    try:
        report_json._ENCODED.clear()
        for finding in [*findings, *findings, *reversed(findings)]:
            assert finding_text(finding, "    ") == pretty(finding_dict(finding), "    ")
        assert len(report_json._ENCODED) <= 2
    finally:
        report_json.MAX_ENCODED = bound
        report_json._ENCODED.clear()
