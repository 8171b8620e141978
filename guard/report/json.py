"""`--format json`: the output contract other tools read (DESIGN.md). Keys and types are exact."""

from __future__ import annotations

import json as _json
from collections.abc import Iterator, Mapping
from json.encoder import encode_basestring as _encode_string
from typing import Any

from guard.engine.registry import Rule
from guard.findings import Finding, LintResult, Severity
from guard.report.paths import display_path, printable_json

VERSION = 1
FINDINGS_PER_PIECE = 8  # findings joined into one piece of the streamed report


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


_SEVERITY_JSON = {severity: _encode_string(severity.value) for severity in Severity}


def _optional(value: str | None) -> str:
    return "null" if value is None else _encode_string(value)


_LAST_PATH = ["", '""']  # the last path shown and its JSON text


def _shown_path(path: str) -> str:
    """`_scalar(display_path(path))`, the last one kept: a file's findings come together."""
    if path != _LAST_PATH[0]:
        _LAST_PATH[1] = _encode_string(display_path(path))
        _LAST_PATH[0] = path
    return _LAST_PATH[1]


# The JSON text of the strings findings repeat (a rule's name, message and fix), by the string:
# a large report is mostly a few of them again and again (13k findings of a 30k-file run hold
# 3.4 MB of messages and fixes, 69 distinct strings in all), and the escaper reads a string a
# character at a time where a lookup hashes it once. Bounded: the first MAX_ENCODED strings
# are kept, no more (a message that names its file is never seen again, and a report's memory
# must not grow with its findings, nor churn).
_ENCODED: dict[str, str] = {}
MAX_ENCODED = 256


def _repeated(text: str) -> str:
    """`_encode_string(text)`, remembered."""
    encoded = _ENCODED.get(text)
    if encoded is None:
        encoded = _encode_string(text)
        if len(_ENCODED) < MAX_ENCODED:
            _ENCODED[text] = encoded
    return encoded


def _optional_repeated(value: str | None) -> str:
    return "null" if value is None else _repeated(value)


def finding_text(finding: Finding, indent: str) -> str:
    """`pretty(finding_dict(finding), indent)`, written out field by field in one expression:
    the report writes one per finding (13k for a large cached run), so no dict, no join, and
    the constant parts (keys, the severity's text) are not encoded again each time."""
    loc = finding.location
    inner = indent + "  "
    if finding.related:
        deeper = inner + "  "
        deepest = deeper + "  "
        items = [
            f'{{\n{deepest}"path": {_shown_path(r.path)},\n{deepest}"line": '
            f'{int.__repr__(r.line)},\n{deepest}"column": {int.__repr__(r.column)},\n{deepest}'
            f'"note": {_repeated(r.note)}\n{deeper}}}'
            for r in finding.related
        ]
        related = f"[\n{deeper}" + f",\n{deeper}".join(items) + f"\n{inner}]"
    else:
        related = "[]"
    line = loc.line
    return (
        f'{{\n{inner}"rule": {_repeated(finding.rule)},\n{inner}"name": '
        f'{_repeated(finding.name)},\n{inner}"severity": {_SEVERITY_JSON[finding.severity]}'
        f',\n{inner}"path": {_shown_path(loc.path)},\n{inner}"line": {int.__repr__(line)},\n'
        f'{inner}"column": {int.__repr__(loc.column)},\n{inner}"end_line": '
        f'{int.__repr__(max(loc.end_line, line))},\n{inner}"message": '
        f'{_repeated(finding.message)},\n{inner}"fix": {_optional_repeated(finding.fix)},\n'
        f'{inner}"lane": {_optional(finding.lane)},\n{inner}"related": {related}\n{indent}}}'
    )


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


def _tail(result: LintResult) -> dict[str, Any]:
    """The document's keys after `findings`, in their order."""
    doc = document(LintResult(errors=result.errors, files=result.files, skipped=result.skipped))
    del doc["version"], doc["findings"]
    return doc


def pretty(value: Any, indent: str = "") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` for JSON data (str keys), written with
    `indent` before each later line. `dumps` with `indent` runs the pure-Python encoder, whose
    closures are cycles freed only by the garbage collector: a report rendered a value at a time
    would pile them up. Here only scalars go to `dumps` (its C encoder)."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = (f"{_scalar(key)}: {pretty(item, inner)}" for key, item in value.items())
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        inner = indent + "  "
        items = (pretty(item, inner) for item in value)
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    """A JSON scalar as `dumps(..., ensure_ascii=False)` writes it (strings by its C escaper)."""
    if isinstance(value, str):
        return _encode_string(value)
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if type(value) is int:
        return int.__repr__(value)
    return _json.dumps(value, ensure_ascii=False)


def list_items(items: Iterator[Any], indent: str) -> Iterator[str]:
    """A JSON list as `json.dumps(..., indent=2)` writes it at the nesting `indent` (of its key),
    an item at a time: `[]` when empty."""
    inner = indent + "  "
    first = True
    for item in items:
        yield ("[\n" if first else ",\n") + inner + pretty(item, inner)
        first = False
    yield "[]" if first else "\n" + indent + "]"


def stream(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> Iterator[str]:
    """`render`'s text, a finding at a time (only one finding's dict exists at once)."""
    # printable_json: a byte that is not UTF-8 (in a path or a message) must still give valid JSON.
    yield f'{{\n  "version": {VERSION},\n  "findings": '
    inner = "    "  # list_items at the `findings` key's nesting, without the dict per finding
    batch: list[str] = []  # findings checked for undecodable bytes a batch at a time
    first = True
    for finding in result.findings:
        batch.append(finding_text(finding, inner))
        if len(batch) == FINDINGS_PER_PIECE:
            yield printable_json(("[\n" if first else ",\n") + inner + f",\n{inner}".join(batch))
            batch, first = [], False
    if batch:
        yield printable_json(("[\n" if first else ",\n") + inner + f",\n{inner}".join(batch))
        first = False
    yield "[]" if first else "\n  ]"
    tail = _json.dumps(_tail(result), indent=2, ensure_ascii=False)
    yield printable_json(",\n" + tail[2:] + "\n")  # `{\n  "files": ...}` without its `{\n`


def render(result: LintResult, rules: Mapping[str, Rule], *, color: bool = False) -> str:
    return "".join(stream(result, rules, color=color))
