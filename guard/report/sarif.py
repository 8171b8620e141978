"""`--format sarif`: SARIF 2.1.0 that GitHub code scanning takes as it is.

- Artifact URIs are relative to the repository root (`uriBaseId: "%SRCROOT%"`, whose absolute
  location is in `originalUriBaseIds`); a file outside the repository keeps a `file://` URI.
- Each result carries a `partialFingerprints` entry built from the rule, the file and the text of
  the flagged line (not its number), so an alert follows its line when code above it moves.
- Rule metadata comes from the registry (the YAML): shortDescription is the summary,
  fullDescription the rationale, help the fix (and the whole rule text as markdown), helpUri the
  rule's section of docs/rules.md.
- The invocation records the exit code; file errors are tool execution notifications.
Validated against the OASIS schema in tests (tests/data/sarif-schema-2.1.0.json).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from guard import __version__
from guard.engine.registry import Rule, builtin_rules_dir
from guard.findings import Finding, LintResult, Location, Severity
from guard.report.paths import printable_json, uri_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SRCROOT = "%SRCROOT%"
# The project's home; helpUri points into its docs/rules.md (the file generated from rules/).
INFORMATION_URI = "https://github.com/codex-guard/codex-guard"
RULES_DOC_URI = INFORMATION_URI + "/blob/main/docs/rules.md"
FINGERPRINT_KEY = "codexGuardLineHash/v1"


def repository_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding `.git` (a folder, or a worktree's file);
    `start` itself when there is none."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _relative(path: str, root: Path) -> str | None:
    """`path` (relative to the cwd, or absolute) relative to `root`; None when outside it."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive (Windows)
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative


def uri(path: str) -> str:
    """The path's real bytes percent-encoded (a name that is not UTF-8 stays exact: `%FF`)."""
    encoded = uri_path(path)
    if encoded.startswith("/"):
        return "file://" + encoded
    return encoded.removeprefix("./")


def artifact_location(path: str, root: Path) -> dict[str, Any]:
    relative = _relative(path, root)
    if relative is None:
        return {"uri": uri(os.path.abspath(path))}
    return {"uri": uri(relative), "uriBaseId": SRCROOT}


def _physical(location: Location, root: Path) -> dict[str, Any]:
    return {
        "artifactLocation": artifact_location(location.path, root),
        "region": {
            "startLine": max(location.line, 1),
            "startColumn": max(location.column, 1),
            "endLine": max(location.end_line, location.line, 1),
        },
    }


def help_uri(rule: Rule) -> str | None:
    """The rule's section of docs/rules.md; None for a team's own rule (not documented there)."""
    if not rule.source_file:
        return None
    if Path(rule.source_file).resolve().parent != builtin_rules_dir().resolve():
        return None
    return f"{RULES_DOC_URI}#{rule.id.lower()}"


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    from guard.docs import rule_doc

    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.fix, "markdown": rule_doc(rule, heading="#")},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.group]},
    }
    link = help_uri(rule)
    if link is not None:
        descriptor["helpUri"] = link
    return descriptor


def _fallback_descriptor(finding: Finding) -> dict[str, Any]:
    """A rule the registry does not know (should not happen): enough metadata to stay valid."""
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def _wanted_lines(path: str, numbers: set[int]) -> dict[int, str]:
    """The text of the given 1-based lines of a file, read a line at a time (a huge file too);
    lines that cannot be read are left out."""
    found: dict[int, str] = {}
    last = max(numbers, default=0)
    try:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number in numbers:
                    found[number] = raw.decode("utf-8", "surrogateescape")
                if number >= last:
                    break
    except OSError:
        pass
    return found


def fingerprints(findings: Iterable[Finding], root: Path) -> list[str]:
    """One line hash per finding: rule, file and the flagged line's text with its whitespace
    normalised, plus the count of earlier identical keys in the file (`hash:n`, as GitHub's own
    `primaryLocationLineHash`). The line number is not in it: a line that moves keeps its alert."""
    return list(_line_hashes(findings, root))


def _line_hashes(findings: Iterable[Finding], root: Path) -> Iterator[str]:
    """`fingerprints`, a finding at a time: a file's flagged lines are read when its findings
    come (they come sorted by path), and only that file's are held."""
    for path, group in itertools.groupby(findings, key=lambda f: f.location.path):
        # A digest holds the path, so one path's counts never meet another's: kept per path,
        # the counter does not grow with the run.
        seen: dict[str, int] = {}
        items = list(group)
        texts = _wanted_lines(path, {f.location.line for f in items})
        relative = _relative(path, root) or os.path.abspath(path)
        for finding in items:
            line = texts.get(finding.location.line)
            # A line that cannot be read falls back to the message (which names no line number).
            content = " ".join(line.split()) if line is not None else finding.message
            key = "\0".join((finding.rule, relative, content))
            digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
            seen[digest] = seen.get(digest, 0) + 1
            yield f"{digest}:{seen[digest]}"


def _result(finding: Finding, index: int, root: Path, fingerprint: str) -> dict[str, Any]:
    message = finding.message + (f"\nfix: {finding.fix.strip()}" if finding.fix else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(finding.location, root)}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": n,
                "physicalLocation": _physical(r, root),
                "message": {"text": r.note or "related"},
            }
            for n, r in enumerate(finding.related, start=1)
        ]
    if finding.lane:
        result["properties"] = {"lane": finding.lane}
    return result


def _invocation(result: LintResult, root: Path, exit_code: int | None) -> dict[str, Any]:
    notifications = [
        {
            "level": "error",
            "message": {"text": error.message},
            "locations": [
                {"physicalLocation": {"artifactLocation": artifact_location(error.path, root)}}
            ],
        }
        for error in result.errors
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": not result.errors,
        "toolExecutionNotifications": notifications,
    }
    if exit_code is not None:
        invocation["exitCode"] = exit_code
    return invocation


def document(
    result: LintResult,
    rules: Mapping[str, Rule],
    *,
    root: Path | None = None,
    exit_code: int | None = None,
) -> dict[str, Any]:
    """The SARIF log; `root` is the repository root (default: the one around the cwd)."""
    base = repository_root(Path.cwd()) if root is None else Path(os.path.abspath(root))
    doc, index = _skeleton(result, rules, base, exit_code)
    doc["runs"][0]["results"] = list(_results(result.findings, index, base))
    return doc


def _results(findings: Iterable[Finding], index: Mapping[str, int], base: Path) -> Iterator[Any]:
    prints = _line_hashes(findings, base)
    for finding, fingerprint in zip(findings, prints, strict=True):
        yield _result(finding, index[finding.rule], base, fingerprint)


def _skeleton(
    result: LintResult, rules: Mapping[str, Rule], base: Path, exit_code: int | None
) -> tuple[dict[str, Any], dict[str, int]]:
    """The log with no results yet (its last key), and each rule's index in it."""
    descriptors = [_rule_descriptor(rule) for rule in rules.values()]
    index = {d["id"]: n for n, d in enumerate(descriptors)}
    for finding in result.findings:
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_fallback_descriptor(finding))
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "codex-guard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": uri(str(base)).rstrip("/") + "/"}},
                "invocations": [_invocation(result, base, exit_code)],
                "results": [],
            }
        ],
    }
    return doc, index


RESULTS_KEY = '"results": []'  # the log's last key: a JSON string cannot hold it (its `"` is `\"`)


def stream(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> Iterator[str]:
    """`render`'s text, a result at a time (only one result's dict exists at once)."""
    from guard.report.json import list_items

    base = repository_root(Path.cwd())
    doc, index = _skeleton(result, rules, base, result.exit_code)
    head, tail = json.dumps(doc, indent=2, ensure_ascii=False).rsplit(RESULTS_KEY, 1)
    # printable_json: a byte that is not UTF-8 in a message still gives valid JSON
    yield printable_json(head + '"results": ')
    for piece in list_items(_results(result.findings, index, base), " " * 6):
        yield printable_json(piece)
    yield printable_json(tail + "\n")


def render(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> str:
    return "".join(stream(result, rules, color=color))
