"""`--format json`: the output contract other tools read (DESIGN.md). Keys and types are exact."""

from __future__ import annotations

import json as _json
from collections.abc import Mapping
from typing import Any

from guard.engine.registry import Rule
from guard.findings import Finding, LintResult
from guard.report.paths import display_path, printable_json

VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "path": display_path(loc.path),
        "line": loc.line,
        "column": loc.column,
        "end_line": max(loc.end_line, loc.line),
        "message": finding.message,
        "fix": finding.fix,
        "lane": finding.lane,
        "related": [
            {"path": display_path(r.path), "line": r.line, "column": r.column, "note": r.note}
            for r in finding.related
        ],
    }


def document(result: LintResult) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "files": result.files,
        "errors": [{"path": display_path(e.path), "message": e.message} for e in result.errors],
    }
    if result.skipped:  # only when there is one: the four keys above stay exactly as they were
        doc["skipped"] = [
            {"path": display_path(e.path), "message": e.message} for e in result.skipped
        ]
    return doc


def render(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> str:
    # printable_json: a byte that is not UTF-8 (in a path or a message) must still give valid JSON.
    text = _json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
    return printable_json(text)
