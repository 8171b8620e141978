"""Findings: what a rule reports, with every location that matters (zizmor-style)."""

from __future__ import annotations

from guard.fastclass import dataclass, field
from guard.fastenum import StrEnum

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping
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


SPILL_AFTER = 8192
"""Findings a `Findings` holds in memory (about 4 MB); past it they go to temporary files in
sorted runs. A spilled finding costs ~5 us CPU (written, read back, merged): 13k findings of a
30k-file cached run spill one run (~40 ms), against ~4 MB more of the parent's memory per 8k."""
MERGE_RUNS = 8  # this many runs of one size are merged into one: the runs open stay few


class Findings:
    """A run's findings: a list while they are few; past SPILL_AFTER, kept in sorted runs in
    temporary files (marshalled, read back a block at a time) and merged on iteration, so the
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

    def absorb(self, other: Findings) -> None:
        """Take every finding of `other` (left empty), its spilled runs as they are: none is
        written or read again. Iteration merges the runs, so the order is `extend`'s, except
        between equal sort keys of the two (which the one caller's findings never share: each
        file's findings come from one of them)."""
        if other is self or not other:
            return
        if other._runs:
            if not self._runs:
                import weakref

                weakref.finalize(self, _close_runs, self._runs)
            self._runs.extend(other._runs)
            other._runs.clear()  # other's finalizer now closes nothing
        self._count += other._count
        tail, other._tail, other._count = other._tail, [], 0
        self._tail.extend(tail)
        if len(self._tail) > SPILL_AFTER:
            self._spill()

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
    """Findings in sort order, marshalled in chunks into an unlinked temporary file."""

    __slots__ = ("count", "file", "level")

    def __init__(self, file: Any, count: int, level: int) -> None:
        self.file = file
        self.count = count
        self.level = level

    @classmethod
    def written(cls, findings: Iterable[Finding], level: int) -> _Run:
        import tempfile

        # unlinked at once (POSIX): nothing is left on disk, however the process ends
        file = tempfile.TemporaryFile(prefix="codex-guard-findings-")  # noqa: SIM115
        count = 0
        try:
            chunk: list[tuple[Any, ...]] = []
            for finding in findings:
                chunk.append(finding_record(finding))
                if len(chunk) == CHUNK:
                    _write_chunk(file, chunk)
                    chunk = []
                count += 1
            if chunk:
                _write_chunk(file, chunk)
            file.flush()
        except BaseException:
            file.close()
            raise
        return cls(file, count, level)

    def read(self) -> Iterator[Finding]:
        """The run's findings in order, a block of the file at a time (`os.pread`: runs, and
        two readers of one run, are read side by side and cannot share the file's position)."""
        import marshal
        import os

        fd = self.file.fileno()
        offset, buffer, at = 0, b"", 0
        for _ in range(0, self.count, CHUNK):
            while True:
                size = (
                    int.from_bytes(buffer[at : at + 4], "little") if len(buffer) - at >= 4 else -1
                )
                if 0 <= size <= len(buffer) - at - 4:
                    break
                block = os.pread(fd, max(READ_BLOCK, size + 4), offset)
                if not block:
                    raise OSError("codex-guard: a findings spill file was cut short")
                offset += len(block)
                buffer, at = buffer[at:] + block, 0
            records = marshal.loads(buffer[at + 4 : at + 4 + size])
            at += 4 + size
            for record in records:
                yield finding_from_record(record)


READ_BLOCK = 1 << 12  # bytes read from a run at a time: the merge holds one block per run
CHUNK = 16  # findings marshalled together: one length and one `marshal` call per chunk


def _write_chunk(file: Any, chunk: list[tuple[Any, ...]]) -> None:
    """A chunk: its length (4 bytes), then its marshal data."""
    import marshal

    data = marshal.dumps(chunk)
    file.write(len(data).to_bytes(4, "little") + data)


_SEVERITIES = {severity.value: severity for severity in Severity}


def location_record(loc: Location) -> tuple[Any, ...]:
    return (loc.path, loc.line, loc.column, loc.end_line, loc.end_column, loc.note)


def finding_fields(finding: Finding) -> tuple[Any, ...]:
    """A finding as plain tuples, but its edits (what the lint cache stores)."""
    return (
        finding.rule,
        finding.name,
        finding.severity.value,
        finding.message,
        location_record(finding.location),
        finding.fix,
        tuple([location_record(r) for r in finding.related]) if finding.related else (),
        finding.lane,
    )


def finding_record(finding: Finding) -> tuple[Any, ...]:
    """A finding as plain tuples (marshal writes them fast), edits included."""
    edits = tuple(
        (location_record(e.location), e.replacement, e.before, e.after) for e in finding.edits
    )
    return (*finding_fields(finding), edits)


def finding_from_record(record: tuple[Any, ...]) -> Finding:
    rule, name, severity, message, location, fix, related, lane, edits = record
    return Finding(
        rule,
        name,
        _SEVERITIES[severity],
        message,
        Location(*location),
        fix,
        tuple(Location(*r) for r in related),
        lane,
        tuple(Edit(Location(*e[0]), *e[1:]) for e in edits),
    )


@dataclass(slots=True)
class LintResult:
    findings: Findings = field(default_factory=Findings)
    errors: list[FileError] = field(default_factory=list)
    files: int = 0
    exit_code: int | None = None  # set before rendering: SARIF's invocation reports it
    # files named on the command line that no reader takes (`--kind` forces one): never "all clear"
    skipped: list[FileError] = field(default_factory=list)
