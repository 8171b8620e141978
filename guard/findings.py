"""Findings: what a rule reports, with every location that matters (zizmor-style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
class Finding:
    rule: str  # "CG201"
    name: str  # "positional-prompt-open-stdin"
    severity: Severity
    message: str
    location: Location
    fix: str | None = None
    related: tuple[Location, ...] = ()
    lane: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.column, self.rule)


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
