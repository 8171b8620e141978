"""`--format sarif`: SARIF 2.1.0 for code scanning, validated against the OASIS schema in tests.

Rule metadata comes from the registry (the YAML): shortDescription is the summary,
fullDescription the rationale, help the fix. File errors are tool execution notifications.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from guard import __version__
from guard.engine.registry import Rule
from guard.findings import Finding, LintResult, Location, Severity
from guard.report.paths import printable_json, uri_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def uri(path: str) -> str:
    """The path's real bytes percent-encoded (a name that is not UTF-8 stays exact: `%FF`)."""
    encoded = uri_path(path)
    if encoded.startswith("/"):
        return "file://" + encoded
    return encoded.removeprefix("./")


def _physical(location: Location) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": uri(location.path)},
        "region": {
            "startLine": max(location.line, 1),
            "startColumn": max(location.column, 1),
            "endLine": max(location.end_line, location.line, 1),
        },
    }


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.fix},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.group]},
    }


def _fallback_descriptor(finding: Finding) -> dict[str, Any]:
    """A rule the registry does not know (should not happen): enough metadata to stay valid."""
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def _result(finding: Finding, index: int) -> dict[str, Any]:
    message = finding.message + (f"\nfix: {finding.fix.strip()}" if finding.fix else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(finding.location)}],
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": n, "physicalLocation": _physical(r), "message": {"text": r.note or "related"}}
            for n, r in enumerate(finding.related, start=1)
        ]
    if finding.lane:
        result["properties"] = {"lane": finding.lane}
    return result


def document(result: LintResult, rules: Mapping[str, Rule]) -> dict[str, Any]:
    descriptors = [_rule_descriptor(rule) for rule in rules.values()]
    index = {d["id"]: n for n, d in enumerate(descriptors)}
    for finding in result.findings:
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_fallback_descriptor(finding))
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(error.path)}}}],
        }
        for error in result.errors
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "codex-guard",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [_result(f, index[f.rule]) for f in result.findings],
            }
        ],
    }


def render(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> str:
    text = json.dumps(document(result, rules), indent=2, ensure_ascii=False) + "\n"
    return printable_json(text)  # a byte that is not UTF-8 in a message: still valid JSON
