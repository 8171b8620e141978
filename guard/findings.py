"""Findings: what a rule reports, with every location that matters (zizmor-style)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from guard.fastclass import dataclass, field

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Any


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    note: str = ""  # what this place is: "the key is exported here", "resumed here"


@dataclass(frozen=True, slots=True)
class Edit:
    """A safe rewrite a check knows for its finding: replace `location`'s text (1-based lines,
    end column exclusive) by `replacement`. `lint --fix` applies it (guard/fix/) only when the
    file text ending at the span's end ends with `before` and the text from its start starts with
    `after`: an edit that does not land on the words it was made for is dropped."""

    location: Location
    replacement: str
    before: str = ""
    after: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # "CG201"
    name: str  # "positional-prompt-open-stdin"
    severity: Severity
    message: str
    location: Location
    fix: str | None = None
    related: tuple[Location, ...] = ()
    lane: str | None = None
    edits: tuple[Edit, ...] = ()  # a safe fix, when the check knows one (not cached)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.column, self.rule)


def _location_to_cache(loc: Location) -> list[Any]:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column, loc.note]


def finding_to_cache(finding: Finding) -> dict[str, Any]:
    """A compact JSON form for the caches (not the report contract: see guard/report/)."""
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "location": _location_to_cache(finding.location),
        "fix": finding.fix,
        "related": [_location_to_cache(r) for r in finding.related],
        "lane": finding.lane,
    }


def finding_from_cache(raw: Mapping[str, Any]) -> Finding:
    """The inverse of finding_to_cache; raises KeyError/TypeError/ValueError on a bad entry."""
    return Finding(
        rule=str(raw["rule"]),
        name=str(raw["name"]),
        severity=Severity(raw["severity"]),
        message=str(raw["message"]),
        location=Location(*raw["location"]),
        fix=None if raw["fix"] is None else str(raw["fix"]),
        related=tuple(Location(*r) for r in raw["related"]),
        lane=None if raw["lane"] is None else str(raw["lane"]),
    )


@dataclass(slots=True)
class FileError:
    """A file that could not be read or decoded: reported, never a traceback."""

    path: str
    message: str


@dataclass(slots=True)
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files: int = 0
    exit_code: int | None = None  # set before rendering: SARIF's invocation reports it
    # files named on the command line that no reader takes (`--kind` forces one): never "all clear"
    skipped: list[FileError] = field(default_factory=list)
