"""Findings: what a rule reports, with every location that matters (zizmor-style)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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


SPILL_AFTER = 4096
"""Findings a `Findings` holds in memory; past it they go to temporary files in sorted runs."""
MERGE_RUNS = 16  # this many runs of one size are merged into one: the runs open stay few


class Findings:
    """A run's findings: a list while they are few; past SPILL_AFTER, kept in sorted runs in
    temporary files (pickled, read back a block at a time) and merged on iteration, so the
    parent's memory does not grow with the findings. A spilled `Findings` iterates in
    `Finding.sort_key` order (stably: ties keep the order they came in, as `list.sort` does);
    the one caller that gets that many (`lint`) sorts them anyway. The files are unlinked as
    they are made (nothing is left on disk however the process ends); `close()` closes them
    (so does garbage collection). Iterate only before `close()`."""

    __slots__ = ("__weakref__", "_count", "_runs", "_tail")

    def __init__(self, items: Iterable[Finding] = ()) -> None:
        self._tail: list[Finding] = []
        self._runs: list[_Run] = []  # oldest first; merged runs are never younger than others
        self._count = 0
        self.extend(items)

    def append(self, finding: Finding) -> None:
        self._tail.append(finding)
        self._count += 1
        if len(self._tail) > SPILL_AFTER:
            self._spill()

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.append(finding)

    def sort(self, key: Any = None) -> None:
        """Sort by `Finding.sort_key` (the only order a run is kept in)."""
        if key is not None and key is not Finding.sort_key:
            raise ValueError("Findings sort only by Finding.sort_key")
        self._tail.sort(key=Finding.sort_key)

    @property
    def spilled(self) -> bool:
        return bool(self._runs)

    def _spill(self) -> None:
        if not self._runs:
            import weakref

            weakref.finalize(self, _close_runs, self._runs)
        self._tail.sort(key=Finding.sort_key)
        self._runs.append(_Run.written(self._tail, 0))
        self._tail = []
        # Merge the youngest MERGE_RUNS runs while they are of one level (a binary counter in
        # base MERGE_RUNS): each finding is rewritten log(N / SPILL_AFTER) times at most.
        while len(self._runs) >= MERGE_RUNS:
            youngest = self._runs[-MERGE_RUNS:]
            level = youngest[0].level
            if any(run.level != level for run in youngest):
                break
            import heapq

            merged = heapq.merge(*(run.read() for run in youngest), key=Finding.sort_key)
            run = _Run.written(merged, level + 1)
            _close_runs(youngest)
            del self._runs[-MERGE_RUNS:]
            self._runs.append(run)

    def __iter__(self) -> Iterator[Finding]:
        if not self._runs:
            return iter(self._tail)
        import heapq

        tail = sorted(self._tail, key=Finding.sort_key)
        runs = [run.read() for run in self._runs]
        return heapq.merge(*runs, tail, key=Finding.sort_key)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index: int) -> Finding:
        if not self._runs:
            return self._tail[index]
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Findings | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Findings({list(self)!r})"

    def close(self) -> None:
        """Drop the findings and close the temporary files (if any)."""
        _close_runs(self._runs)
        self._runs.clear()
        self._tail = []
        self._count = 0


def _close_runs(runs: list[_Run]) -> None:
    for run in runs:
        run.file.close()


class _Run:
    """Findings in sort order, pickled one by one into an unlinked temporary file."""

    __slots__ = ("count", "file", "level")

    def __init__(self, file: Any, count: int, level: int) -> None:
        self.file = file
        self.count = count
        self.level = level

    @classmethod
    def written(cls, findings: Iterable[Finding], level: int) -> _Run:
        import pickle
        import tempfile

        # unlinked at once (POSIX): nothing is left on disk, however the process ends
        file = tempfile.TemporaryFile(prefix="codex-guard-findings-")  # noqa: SIM115
        count = 0
        try:
            pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
            for finding in findings:
                pickler.dump(finding)
                pickler.clear_memo()  # each finding on its own: read back one at a time
                count += 1
            file.flush()
        except BaseException:
            file.close()
            raise
        return cls(file, count, level)

    def read(self) -> Iterator[Finding]:
        import pickle

        reader = _RunReader(self.file.fileno(), 0)
        for _ in range(self.count):  # an unpickler each: their memo would keep every finding
            yield pickle.Unpickler(reader).load()


class _RunReader:
    """One run of a spill file read from its own offset (`os.pread`: the runs are read side by
    side, so they cannot share the file's position), a block at a time."""

    BLOCK = 1 << 14

    def __init__(self, fd: int, offset: int) -> None:
        self._fd = fd
        self._offset = offset
        self._buffer = b""
        self._at = 0

    def _fill(self, wanted: int) -> None:
        import os

        while len(self._buffer) - self._at < wanted:
            block = os.pread(self._fd, max(self.BLOCK, wanted), self._offset)
            if not block:
                return
            self._offset += len(block)
            self._buffer = self._buffer[self._at :] + block
            self._at = 0

    def read(self, size: int) -> bytes:
        self._fill(size)
        piece = self._buffer[self._at : self._at + size]
        self._at += len(piece)
        return piece

    def readinto(self, target: Any) -> int:
        piece = self.read(len(target))
        target[: len(piece)] = piece
        return len(piece)

    def readline(self) -> bytes:
        while True:
            end = self._buffer.find(b"\n", self._at)
            if end >= 0:
                return self.read(end + 1 - self._at)
            before = len(self._buffer) - self._at
            self._fill(before + 1)
            if len(self._buffer) - self._at == before:
                return self.read(before)


@dataclass(slots=True)
class LintResult:
    findings: Findings = field(default_factory=Findings)
    errors: list[FileError] = field(default_factory=list)
    files: int = 0
    exit_code: int | None = None  # set before rendering: SARIF's invocation reports it
    # files named on the command line that no reader takes (`--kind` forces one): never "all clear"
    skipped: list[FileError] = field(default_factory=list)
