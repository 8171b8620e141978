"""`lint`, `rules`, `explain`: the static front door.

The pipeline per file: detect the kind -> read and decode -> the kind's source gives snippets ->
the engine gives findings -> select/ignore, severity overrides, per-file-ignores -> inline
directives (which may add CG904). Files are independent, so many of them go through a process
pool; the output is sorted afterwards and does not depend on the pool.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping

from guard import purepaths
from guard.commands.echo import echo
from guard.fastclass import dataclass, field, replace
from guard.findings import FileError, Finding, LintResult, Location, Severity
from guard.reject import may_concern_file, may_start_unseen
from guard.settings import Settings
from guard.sources.decode import PARSE_LIMIT, decode, read_bytes, regular_file_size
from guard.sources.detect import GITLAB, PYTHON, SHELL, kind_by_name
from guard.sources.snippet import RunContext, Snippet

# The front of every file (its kind, bytes, text and keyword reject: guard.reject, .sources.decode,
# .sources.detect) is imported above rather than in the functions: import statements run per file
# cost about 7% of the instructions of a lint of 951 workflows the reject answers (callgrind, -j1).

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, SupportsIndex

    from guard.commands.cachedrun import CachedJobs, StatHits, WalkAside
    from guard.shell.model import Span
    from guard.sources.cache import (
        Reads,
        StatRow,
    )
    from guard.sources.walk import Candidate, QuickTest

YAML_SUFFIXES = (".yml", ".yaml")
PARALLEL_THRESHOLD = 64  # below this, starting processes costs more than it saves
RULE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_-]*$")  # CG201, CG2; a team's own: ACME001
PARSE_ERROR_RULE = "CG901"
PACKET_HEAD_BYTES = 4096  # how much of a YAML/JSON file is read for `kind: codex-packet`
# A file up to this size may wait in memory for its content key until its chunk's lints are
# done (`lint_unrecorded`'s `unkeyed`); a larger one is hashed at once (a chunk holds at most
# CHUNK_FILES of them, so a worker holds 2 MiB at most).
KEY_LATER_BYTES = 64 * 1024


# --- one file ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileJob:
    path: str
    explicit: bool
    settings: Settings
    rule_text: Mapping[str, Any] = field(default_factory=dict)  # CG901/CG904 name, fix, severity
    cache_dir: str | None = None  # content-hash cache folder; None = no cache
    code_key: str = ""  # fingerprint of the linter's code and rules (part of every cache key)
    error: str | None = None  # the walk already knows this path cannot be linted
    kind: str | None = None  # `--kind`: the reader for a file named on the command line
    content: bytes | None = None  # the file's bytes when they are not on disk (stdin, a fix try)
    config_key: str = ""  # digest of settings and rule text for the cache key ("" = work it out)
    cache_cold: bool = False  # the store holds nothing of this config yet: store, do not look up
    scope: str = ""  # the stat row's `stat_scope`, as the parent worked it out ("" = work it out)


@dataclass(slots=True)
class FileOutcome:
    findings: list[Finding]
    errors: list[FileError]
    checked: bool  # False when the file is not a kind we lint (skipped, not counted)
    skipped: list[FileError] = field(default_factory=list)  # named, but no reader takes it
    cache_key: str = ""  # the cache entry this outcome is (the run stores it when not a hit)
    cache_hit: bool = False
    entry_key: str = ""  # the cache entry of these findings, hit or not ("" = none)
    stat_row: StatRow | None = None  # how the file looked before it was read (the run stores it)
    reads: Reads | None = None  # the other files its lint looked at (None: not recorded)
    # ... as the store keeps them (`encode_reads`): what a worker sends back, encoded once
    reads_blob: bytes = b""
    # The findings as the store keeps them (`cache.encode`), for an outcome the run stores: made
    # where they were found, and what crosses back to the parent in their place (empty: not
    # stored, they could not be encoded).
    stored_findings: bytes = b""

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """An outcome crosses a process boundary as its fields in order (the constructor's
        arguments: cheaper both ways than a slotted object's state, and the pool sends one per
        file). One with `stored_findings` crosses with those, not its findings: the worker
        encoded them once (the store needs them so) and the parent decodes them, where it used
        to unpickle them and then encode them again."""
        rest = (
            self.errors,
            self.checked,
            self.skipped,
            self.cache_key,
            self.cache_hit,
            self.entry_key,
            self.stat_row,
            self.reads,
            self.reads_blob,
        )
        if self.stored_findings and self.findings:
            return (_outcome_found, (self.stored_findings, *rest))
        return (FileOutcome, (self.findings, *rest, self.stored_findings))


def _outcome_found(stored_findings: bytes, *fields: Any) -> FileOutcome:
    """A `FileOutcome` that crossed with its findings as the store keeps them
    (`FileOutcome.__reduce_ex__`)."""
    from guard.sources.cache import decoded_findings

    outcome = FileOutcome(decoded_findings(stored_findings), *fields)
    outcome.stored_findings = stored_findings
    return outcome


SKIPPED_MESSAGE = "skipped: codex-guard has no reader for this file; `--kind` forces one"


class _FullCheck:
    """What a file's full check calls (`_engine_findings`, `postprocess`), imported at the first
    one and kept (`_full_check()`): not at the top (the engine's side is not loaded until a file
    needs it), and not per file (a `from` import in a function costs ~8,000 instructions on
    CPython 3.11, and a full check took ten). The engine's entry points are still looked up per
    file (`_engine_findings`): a test puts a stand-in there."""

    __slots__ = (
        "PROGRAMS",
        "SOURCES",
        "SourceError",
        "apply_directives",
        "attach_origins",
        "clamp",
        "clamp_location",
        "parse_directives",
        "rule_enabled",
    )

    def __init__(self) -> None:
        from guard.directives import apply_directives, parse_directives, rule_enabled
        from guard.sources.base import SourceError
        from guard.sources.detect import GO, JAVASCRIPT
        from guard.sources.origins import attach_origins, clamp, clamp_location
        from guard.sources.registry import SOURCES

        self.PROGRAMS = (PYTHON, JAVASCRIPT, GO)  # one rendered line per spawn
        self.SOURCES = SOURCES
        self.SourceError = SourceError
        self.apply_directives = apply_directives
        self.attach_origins = attach_origins
        self.clamp = clamp
        self.clamp_location = clamp_location
        self.parse_directives = parse_directives
        self.rule_enabled = rule_enabled


_FULL_CHECK: list[_FullCheck] = []


def _full_check() -> _FullCheck:
    if not _FULL_CHECK:
        _FULL_CHECK.append(_FullCheck())
    return _FULL_CHECK[0]


def _kind(
    path: str,
    explicit: bool,
    content: bytes | None = None,
    packet_globs: tuple[str, ...] = (),
    root: str = ".",
) -> str | None:
    """The file's kind; an explicit file with no suffix and no binary content is shell."""
    kind = kind_by_name(path)
    if kind is not None:
        return kind
    from guard.sources.decode import HEAD_BYTES, bash_says_binary, read_bytes, read_head
    from guard.sources.detect import PACKET, SHELL, detect_kind, may_be_packet, needs_head

    if packet_globs and _matches_globs(path, packet_globs, root):
        return PACKET  # the config's `packets:` globs
    if not (explicit or needs_head(path) or may_be_packet(path)):
        return None
    head = read_head(path) if content is None else content[:HEAD_BYTES]
    if may_be_packet(path) and head is not None and len(head) >= PACKET_HEAD_BYTES // 16:
        # `kind:` need not be on a packet's line 1
        more = read_bytes(path, PACKET_HEAD_BYTES) if content is None else content
        head = more[:PACKET_HEAD_BYTES] if isinstance(more, bytes) else head
    kind = detect_kind(path, head)
    if kind is None and explicit and needs_head(path):
        # Named on the command line: the user says it is a script. A binary is still skipped.
        return SHELL if head is None or not bash_says_binary(head) else None
    return kind


# Suffixes whose files a reader takes or may take (by content): such a file is looked up.
_READ_SUFFIXES = (
    ".sh", ".bash", ".zsh", ".md", ".markdown", ".mdx", ".py", ".js", ".mjs", ".cjs", ".ts",
    ".mts", ".cts", ".tsx", ".go", ".yml", ".yaml", ".json", ".mk", ".just",
)  # fmt: skip


def no_reader_by_name(path: str, settings: Settings) -> bool:
    """`_kind` says None for this walked file (not named, no `--kind`) from its name alone,
    without reading it: no suffix or name of a kind, not a config's packet, not a file whose
    head may decide (no suffix: a shebang; YAML or JSON: `kind: codex-packet`)."""
    if path.endswith(_READ_SUFFIXES):
        return False  # the common case, decided without the full test (a lookup if wrong)
    from guard.sources.detect import kind_by_name, may_be_packet, needs_head

    if kind_by_name(path) is not None or needs_head(path) or may_be_packet(path):
        return False
    return not (settings.packets and _matches_globs(path, settings.packets, settings.root))


def _unread_dropped(jobs: Iterable[FileJob]) -> Iterator[FileJob]:
    """The jobs but the walked files no reader takes by their names: their outcome is known
    here (nothing found, not counted), so they cost no worker, no read and no stat row."""
    for job in jobs:
        if (
            job.kind is None
            and not job.explicit
            and job.error is None
            and job.content is None
            and no_reader_by_name(job.path, job.settings)
        ):
            continue
        yield job


@functools.lru_cache(maxsize=64)
def _gitignore_spec(globs: tuple[str, ...]) -> Any:
    """Compiled once per process: asked for every file of a config with `packets:` or
    `per-file-ignores:`."""
    from guard.sources.ignorespec import gitignore_spec

    return gitignore_spec(globs)


def _matches_globs(path: str, globs: tuple[str, ...], root: str) -> bool:
    return bool(_gitignore_spec(globs).match_file(_relative_to_root(path, root)))


def _rule_finding(
    rule_text: Mapping[str, Any], rule: str, message: str, location: Location
) -> Finding:
    text = rule_text.get(rule, {})
    return Finding(
        rule=rule,
        name=str(text.get("name", "parse-error")),
        severity=Severity(text.get("severity", "warning")),
        message=message,
        location=location,
        fix=text.get("fix"),
    )


def python_without_strings(text: str) -> str:
    """A Python file with every string literal blanked (same lines and columns): a string that
    holds `# codex-guard: ...` is data, a comment is a directive."""
    import io
    import tokenize

    lines = text.split("\n")
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.STRING:
                continue
            (srow, scol), (erow, ecol) = token.start, token.end
            for row in range(srow - 1, erow):
                line = lines[row]
                start = scol if row == srow - 1 else 0
                end = ecol if row == erow - 1 else len(line)
                lines[row] = line[:start] + " " * (end - start) + line[end:]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # what was read so far stands; the source reports the syntax error
    return "\n".join(lines)


def directive_text(text: str, kind: str, snippets: Iterable[Snippet]) -> str:
    """The part of a file where directives count: in Markdown only its code fences (prose and a
    `text` block that shows a directive are not code), in Python not its strings, in a
    package.json only its scripts' shell comments; elsewhere the whole file (a YAML comment above
    a step counts)."""
    from guard.sources.detect import GO, JAVASCRIPT, LINT_STAGED, MARKDOWN, PACKAGE_JSON, PYTHON

    if kind == PYTHON:
        return python_without_strings(text)
    if kind in (PACKAGE_JSON, LINT_STAGED):  # JSON has no comments: a script's own `# ...` counts
        from guard.sources.packagejson import directive_view as scripts_view
        from guard.sources.packagejson import is_json

        if kind == PACKAGE_JSON or is_json(text):
            return scripts_view(text, snippets)
    if kind in (JAVASCRIPT, GO):  # `//` comments hold directives; strings are data
        from guard.sources.spawnline import directive_view

        return directive_view(text, "go" if kind == GO else "tsx")
    if kind != MARKDOWN:
        return text
    lines = text.splitlines()
    code = [""] * len(lines)
    for snippet in snippets:
        for number in range(
            snippet.line_offset, snippet.line_offset + snippet.text.count("\n") + 1
        ):
            if 0 <= number < len(lines):
                code[number] = lines[number]
    return "\n".join(code)


def _engine_findings(job: FileJob, text: str, kind: str) -> tuple[list[Finding], str] | FileError:
    """The engine's findings for every snippet, and the text whose directives apply."""
    _FULL_CHECKS[0] += 1  # run_jobs starts the pool once enough files came this far
    parts = _full_check()
    try:
        snippets = parts.SOURCES[kind](text, job.path)
    except parts.SourceError as exc:
        where = Location(job.path, exc.line, exc.column, exc.line, exc.column)
        found = [_rule_finding(job.rule_text, PARSE_ERROR_RULE, exc.message, where)]
        return found + _unparsed_program(job, kind, text), text
    source_text = text
    source_lines = text.splitlines()
    text = directive_text(text, kind, snippets)
    lanes = parts.parse_directives(text).lanes
    findings: list[Finding] = []
    if not snippets:
        return findings, text
    from guard.engine.api import lint_snippet, session_plan

    attach_origins, clamp, programs = parts.attach_origins, parts.clamp, parts.PROGRAMS
    # Snippets written in another file (a GitLab job of a file this one includes): they answer
    # to that file's directives, read here once each (sources/gitlab.py recorded the read).
    elsewhere = _elsewhere(snippets, job.path)
    if lanes or elsewhere:
        snippets = [
            replace(s, lane_directives=_snippet_lanes(s, _lanes_of(s, lanes, elsewhere, parts)))
            for s in snippets
        ]
    # The snippets that share a machine (a GitHub job's steps, a program's spawns): a check may
    # follow a session from one into a later one (CG401). None for most files.
    plan = session_plan(
        source_text, snippets, job.settings, _placer(source_lines, kind in programs)
    )

    # A program source gives one snippet per reachable argv of a spawn (sources/javascript.py,
    # golang.py), all at the spawn: a finding its variants share is reported once.
    seen: dict[tuple[str, int, int, str, int, str], int] = {}
    for index, snippet in enumerate(snippets):
        try:
            found = lint_snippet(snippet, job.settings, plan)
            if snippet.block_indent or snippet.line_map:
                found = [_shift_block(f, snippet) for f in found]
            if snippet.line_map:
                # a line mapped to line 0 is another file's, run first (a GitLab job's items
                # from two files: sources/gitlab.py): that file's own snippet reports it
                found = [_placed_only(f) for f in found if f.location.line > 0]
            if snippet.origins or kind in programs:
                found = [clamp(attach_origins(f, snippet), snippet, source_lines) for f in found]
            for finding in found:
                origin = (snippet.line_offset, snippet.column_offset)
                if snippet.line_map:  # joined pieces: two runs sharing an item (a GitLab
                    # template's script in the job and on its own) report its finding once
                    origin = (finding.location.line, finding.location.column)
                key = (snippet.path, *origin, finding.rule, finding.location.line, finding.message)
                if seen.setdefault(key, index) == index:
                    findings.append(finding)
        except RecursionError:
            first_line = snippet.line_offset + 1
            return FileError(
                job.path, f"line {first_line}: too deeply nested to analyse (recursion limit)"
            )
        except Exception as exc:  # one bad file must not stop the others, nor print a traceback
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            first_line = snippet.line_offset + 1
            return FileError(job.path, f"line {first_line}: internal error while linting: {first}")
    if elsewhere:
        findings = _answered_elsewhere(findings, elsewhere, job)
    return findings, text


def _elsewhere(snippets: list[Snippet], path: str) -> dict[str, str]:
    """The text of each other file a snippet of this file's lint is written in (a GitLab
    file's local include), "" when it cannot be read again."""
    from guard.regularfile import read_regular

    texts: dict[str, str] = {}
    for snippet in snippets:
        if snippet.path != path and snippet.path not in texts:
            data = read_regular(snippet.path, PARSE_LIMIT)
            texts[snippet.path] = data.decode("utf-8", "replace") if data is not None else ""
    return texts


def _lanes_of(
    snippet: Snippet, lanes: tuple[tuple[int, str], ...], elsewhere: dict[str, str], parts: Any
) -> tuple[tuple[int, str], ...]:
    """The lane directives of the file the snippet is written in."""
    if snippet.path not in elsewhere:
        return lanes
    found: tuple[tuple[int, str], ...] = parts.parse_directives(elsewhere[snippet.path]).lanes
    return found


def _answered_elsewhere(
    findings: list[Finding], elsewhere: dict[str, str], job: FileJob
) -> list[Finding]:
    """Findings placed in another file: that file's directives apply (its stale ones are its
    own lint's to report), and no fix is offered (an edit belongs to that file's bytes). A file
    `lint` reads on its own (a GitLab file by its name: `.gitlab/ci/*.yml`) reports its own
    findings: only those its lines give here and not there (a key this file's `variables:`
    hands its job) are this file's to add, so a run over both reports each once."""
    own = [f for f in findings if f.location.path not in elsewhere]
    for path, text in elsewhere.items():
        there = [replace(f, edits=()) for f in findings if f.location.path == path]
        ignore = (*job.settings.ignore, "CG904")  # a stale directive there: its own lint's
        there = postprocess(there, replace(job.settings, ignore=ignore), path, text, {})
        if there and kind_by_name(path) == GITLAB and path not in _ELSEWHERE_OPEN:
            its_own = _own_findings(job, path, text)
            there = [f for f in there if _same(f) not in its_own]
        own.extend(there)
    return own


# Files whose own lint runs inside another's now (_own_findings): a cycle of includes stops.
_ELSEWHERE_OPEN: set[str] = set()


def _own_findings(job: FileJob, path: str, text: str) -> set[tuple[object, ...]]:
    """What the GitLab file `path` reports when linted on its own."""
    opened = {job.path, path} - _ELSEWHERE_OPEN
    _ELSEWHERE_OPEN.update(opened)
    try:
        found = _engine_findings(replace(job, path=path, content=None), text, GITLAB)
    finally:
        _ELSEWHERE_OPEN.difference_update(opened)
    if isinstance(found, FileError):
        return set()
    return {_same(f) for f in postprocess(found[0], job.settings, path, found[1], job.rule_text)}


def _placed_only(finding: Finding) -> Finding:
    """The finding without the related places that have no line in its file (line 0)."""
    if all(r.line > 0 for r in finding.related):
        return finding
    return replace(finding, related=tuple(r for r in finding.related if r.line > 0))


def _placer(lines: list[str], program: bool) -> Callable[[Snippet, Span], Location]:
    """Where a span of one of the file's snippets sits in the file, as its findings are reported
    (`_shift_block`, then a program's clamp): for a related location in another snippet."""
    clamp_location = _full_check().clamp_location

    def place(snippet: Snippet, span: Span) -> Location:
        loc = Location(snippet.path, span.line, span.column, span.end_line, span.end_column)
        if snippet.block_indent or snippet.line_map:
            loc = _shift_location(loc, snippet)
        if snippet.origins or program:
            loc = clamp_location(loc, snippet, lines)
        return loc

    return place


def _snippet_lanes(
    snippet: Snippet, lanes: tuple[tuple[int, str], ...]
) -> tuple[tuple[int, str], ...]:
    """The file's lane directives on the snippet's own lines (a joined snippet's lines may lie
    past the file's end: a directive follows the line it was written for)."""
    if not snippet.line_map:
        return lanes
    at: dict[int, list[int]] = {}
    for line, file_line, _ in snippet.line_map:
        at.setdefault(file_line, []).append(line)
    return tuple((line, lane) for file_line, lane in lanes for line in at.get(file_line, ()))


def _unparsed_program(job: FileJob, kind: str, text: str) -> list[Finding]:
    """A program that did not parse is still token-scanned for CG101, CG102 and CG303, as a
    shell script is (RULES.md CG901): its lines are read as the shell lines they may run."""
    from guard.sources.detect import GO, JAVASCRIPT, PYTHON

    if kind not in (PYTHON, JAVASCRIPT, GO):
        return []  # a YAML or TOML file that does not load holds no command to read
    from guard.engine.api import token_scan
    from guard.sources.programlines import program_shell_lines

    snippet = Snippet(text="", path=job.path, context=_token_context(job.path, kind))
    lines = program_shell_lines(enumerate(text.splitlines(), start=1))
    return token_scan(lines, snippet, job.settings)


def _shift_location(loc: Location, snippet: Snippet) -> Location:
    if snippet.line_map:
        if loc.path != snippet.path:
            return loc
        line, column = _mapped(loc.line, loc.column, snippet, end=False)
        end_line, end_column = _mapped(loc.end_line, loc.end_column, snippet, end=True)
        return replace(
            loc, line=line, column=column, end_line=max(end_line, line), end_column=end_column
        )
    first = snippet.line_offset + 1  # its columns already carry column_offset
    last = snippet.line_offset + snippet.text.count("\n") + 1
    if loc.path != snippet.path or not first < loc.line <= last:
        return loc
    end_column = loc.end_column + (snippet.block_indent if loc.end_line > first else 0)
    return replace(loc, column=loc.column + snippet.block_indent, end_column=end_column)


def _mapped(line: int, column: int, snippet: Snippet, end: bool) -> tuple[int, int]:
    """A snippet line and column as the file's, through its ``line_map`` and ``joins`` (a folded
    YAML line's words sit on the file lines they are written on); an end column (exclusive)
    right at a join stays on the line before it."""
    for joined, at, file_line, file_column in reversed(snippet.joins):
        if joined == line and (at < column or (at == column and not end)):
            return file_line, file_column + column - at
    for mapped, file_line, shift in snippet.line_map:
        if mapped == line:
            return file_line, column + shift
    return line, column


def _shift_block(finding: Finding, snippet: Snippet) -> Finding:
    """Columns on a dedented block's later lines, moved back to where they sit in the file.

    The shell layer shifts only the first line (`column_offset`); a YAML block scalar or an
    indented Markdown fence is dedented so here-docs still end, and its later lines sit
    `block_indent` columns further right in the file.
    """
    return replace(
        finding,
        location=_shift_location(finding.location, snippet),
        related=tuple(_shift_location(r, snippet) for r in finding.related),
        edits=tuple(
            replace(e, location=_shift_location(e.location, snippet)) for e in finding.edits
        ),
    )


def _relative_to_root(path: str, root: str) -> str:
    from pathlib import Path  # here: only a config's per-file-ignores ask

    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return Path(path).as_posix()


def _per_file_ignored(settings: Settings, path: str) -> tuple[str, ...]:
    if not settings.per_file_ignores:
        return ()
    relative = _relative_to_root(path, settings.root)
    ignored: list[str] = []
    for glob, ids in settings.per_file_ignores:
        if _gitignore_spec((glob,)).match_file(relative):
            ignored.extend(ids)
    return tuple(ignored)


def postprocess(
    findings: Iterable[Finding],
    settings: Settings,
    path: str,
    text: str,
    rule_text: Mapping[str, Any],
) -> list[Finding]:
    """select/ignore, severity overrides, per-file-ignores, then the file's inline directives."""
    parts = _full_check()
    apply_directives, parse_directives = parts.apply_directives, parts.parse_directives
    rule_enabled = parts.rule_enabled
    ignore = settings.ignore + _per_file_ignored(settings, path)
    ignores = {path: ignore}  # by the file a finding is placed in (another: _elsewhere)
    overrides = dict(settings.severity)
    kept: list[Finding] = []
    other: list[Finding] = []
    for finding in findings:
        where = finding.location.path
        if where not in ignores:
            ignores[where] = settings.ignore + _per_file_ignored(settings, where)
        if not rule_enabled(finding.rule, settings.select, ignores[where]):
            continue
        if finding.rule in overrides:
            finding = replace(finding, severity=Severity(overrides[finding.rule]))
        (kept if where == path else other).append(finding)
    directives = parse_directives(text)
    return apply_directives(kept, directives, path, rule_text, settings.select, ignore) + other


def config_digest(settings: Settings, rule_text: Mapping[str, Any]) -> str:
    """What a file's outcome depends on besides its bytes, path, kind and the linter's code."""
    import hashlib

    return hashlib.sha256(repr((settings, sorted(rule_text.items()))).encode()).hexdigest()


def lint_file(job: FileJob) -> FileOutcome:
    """Everything for one file; never raises (a failure is a FileError for this file only).

    With the cache on, the file is looked at (stat) before anything reads it: the stat row the
    run stores then never stands for bytes newer than the outcome's. The other files the lint
    looks at are recorded (guard/filereads.py) and stored with the outcome; a lint that read
    something no probe stands for is not stored."""
    outcome = _lint_recorded(job, full=True)
    assert outcome is not None  # with `full`, every file gets an answer
    return outcome


def lint_unless_full(job: FileJob) -> FileOutcome | None:
    """`lint_file`'s outcome when it needs no engine (an error, a skip, a cache hit, the keyword
    reject); None when the file goes to the full check (which `lint_file` then does from the
    start). The forked split (`_forked_then_pool`) leaves those files to a child."""
    return _lint_recorded(job, full=False)


def _lint_recorded(job: FileJob, *, full: bool) -> FileOutcome | None:
    if job.cache_dir is None:
        return lint_unrecorded(job, full=full)
    recorded: FileOutcome | None = (_CACHEDRUN or _cachedrun()).lint_recorded(job, full=full)
    return recorded


# guard/commands/cachedrun.py, once imported. Not `from guard.commands.cachedrun import ...`
# where it is used: that runs once a file, and on Python 3.11 each such import of a module that
# is not a package costs two formatted AttributeErrors (its missing `__path__`): ~6,000
# instructions a file, 10 M in a cold run of 2,000 files.
_CACHEDRUN: Any = None


def _cachedrun() -> Any:
    global _CACHEDRUN
    import guard.commands.cachedrun

    _CACHEDRUN = guard.commands.cachedrun
    return _CACHEDRUN


def lint_unrecorded(
    job: FileJob,
    *,
    full: bool = True,
    info: os.stat_result | None = None,
    unkeyed: list[tuple[bytes, str]] | None = None,
) -> FileOutcome | None:
    """`lint_file` but for the cache's look and record (`cachedrun.lint_recorded` does them):
    read, decode, reject or check. `info`: the file's stat, taken for the cache's look just
    before (one stat a file). `unkeyed`: where a full check leaves its bytes and kind when the
    caller makes its content key (a worker's chunk, after its lints: cachedrun.py); the outcome
    then has none yet."""
    if job.error is not None:
        return FileOutcome([], [FileError(job.path, job.error)], checked=True)
    try:
        kind = job.kind or _kind(
            job.path, job.explicit, job.content, job.settings.packets, job.settings.root
        )
        if kind is None and not job.explicit:
            return FileOutcome([], [], checked=False)
        size = regular_file_size(job.path, info) if job.content is None else len(job.content)
        if isinstance(size, FileError):
            return FileOutcome([], [size], checked=True)
        if kind is None:  # the user named it: say it was not read, never a silent "all clear"
            return FileOutcome([], [], False, [FileError(job.path, SKIPPED_MESSAGE)])
        if size > PARSE_LIMIT:
            return token_only(job, kind, size)
        data = _read_regular(job.path, size) if job.content is None else job.content
        if isinstance(data, FileError):
            return FileOutcome([], [data], checked=True)
        key = ""
        if job.cache_dir is not None and not job.cache_cold:
            from guard.commands.cachedrun import stored_outcome

            key, hit = stored_outcome(job, data, kind)
            if hit is not None:  # its bytes, and every other file its lint read, as they were
                return hit
        # Nothing is looked up in a cold store: the key is made only for a full check's entry
        # (most files are answered by the reject and store none).
        unhashed = data if job.cache_dir is not None and not key else None
        text = decode(data, job.path, python=kind == PYTHON, shell=kind == SHELL)
        del data  # the text is all that is needed from here on (but for `unhashed`)
        if isinstance(text, FileError):
            return FileOutcome([], [text], checked=True)
        # Under --strict a file with no codex word still goes on where its shell may be handed
        # text known only when it runs (`$CMD`, `curl ... | bash`): CG902 fails closed, as the
        # doors do under hook.fail-closed. In a shell script the gate reads the file's text; in
        # any other kind the shell sits inside quoting of its own (a JSON string, a YAML
        # scalar, a Makefile's `$$`) that the gate cannot read from the raw file, so the file
        # goes on and each of its snippets meets the gate (engine/run.py `prepare`).
        strict_reads = job.settings.strict and (kind != SHELL or may_start_unseen(text))
        if not strict_reads and not may_concern_file(text, kind):
            return FileOutcome([], [], checked=True)  # guard/reject.py: no source, no parser
        if not full:
            return None
        if unhashed is not None:
            if unkeyed is not None and len(unhashed) <= KEY_LATER_BYTES:
                unkeyed.append((unhashed, kind))
            else:
                key = _content_key(job, unhashed, kind)
            del unhashed
        found = _engine_findings(job, text, kind)
        if isinstance(found, FileError):
            return FileOutcome([], [found], checked=True)
        findings = postprocess(found[0], job.settings, job.path, found[1], job.rule_text)
        # The run stores it (one writer).
        return FileOutcome(findings, [], True, cache_key=key, entry_key=key)
    except Exception as exc:  # the contract: no traceback, and the other files go on
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return FileOutcome([], [FileError(job.path, f"internal error: {first}")], checked=True)


def _content_key(job: FileJob, data: bytes, kind: str) -> str:
    """`cachedrun.content_key` (imported once a process, not once a file: `_CACHEDRUN`)."""
    key: str = (_CACHEDRUN or _cachedrun()).content_key(job, data, kind)
    return key


def _read_regular(path: str, size: int) -> bytes | FileError:
    """The bytes of a file just statted as regular (`regular_file_size`): one open, one read for
    the size seen (and one more, that finds the end), no second stat and no buffered file object.
    O_NONBLOCK: if the path became a FIFO since the stat, the open does not wait for a writer."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return read_bytes(path)  # says why, as every other reader does
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return read_bytes(path)  # replaced since the stat: read_bytes refuses it
        pieces = [os.read(fd, size + 1)]
        while pieces[-1]:  # grown since the stat: read to the end, as read_bytes does
            pieces.append(os.read(fd, 1 << 20))
        return b"".join(pieces)
    except OSError:
        return read_bytes(path)
    finally:
        os.close(fd)


# --- a file too large to parse ------------------------------------------------------------------

TOKEN_RULES = ("CG101", "CG102", "CG303")  # what a token scan still checks (RULES.md CG901)
TOO_LARGE_FIX = (
    "Keep generated data out of scripts (split the file) so it can be parsed, or exclude it in "
    ".codex-guard.yaml if it is not something a shell runs."
)


def _token_context(path: str, kind: str) -> RunContext:
    from guard.sources.detect import CI_YAML_KINDS, GITLAB, MARKDOWN, WORKFLOW
    from guard.sources.markdown import context_for

    if kind in (WORKFLOW, GITLAB):
        return RunContext.CI
    if kind in CI_YAML_KINDS:
        from guard.sources.ciyaml import SPECS

        return SPECS[kind].context
    return context_for(path) if kind == MARKDOWN else RunContext.SCRIPT


def _directive_line(line: str) -> str:
    """What a line not mentioning codex is to the directive parser: code, comment or blank
    (one shared short string each, so a huge file's directive text stays small)."""
    stripped = line.strip()
    if not stripped:
        return ""
    return "#" if stripped.startswith("#") else ":"


def _scanned_lines(
    lines: Iterable[tuple[int, str]],
    markdown: bool,
    directive_lines: list[str],
    agent: bool = False,
    json_escapes: bool = False,
) -> Iterator[tuple[int, str]]:
    """The lines the token scan reads (in Markdown only its shell fences; with `json_escapes`
    also a line with a `\\u` escape, which may spell codex once decoded), while
    `directive_lines` gets a small stand-in of every line (the text directives are read from)."""
    from guard.sources.markdown import fenced_shell_lines

    def stand_ins(numbered: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        for number, line in numbered:
            while len(directive_lines) < number:  # a long line's later pieces share its number
                directive_lines.append("")
            yield number, line

    read = stand_ins(lines)
    for number, line in fenced_shell_lines(read, agent) if markdown else read:
        if "codex" in line.lower() or (json_escapes and "\\u" in line):
            directive_lines[number - 1] = line
            yield number, line
        elif not directive_lines[number - 1]:
            directive_lines[number - 1] = _directive_line(line)


def _token_settings(settings: Settings) -> Settings:
    """Only the token-scan rules (and CG901/CG904) can fire: a `disable=CG201` in the file is
    then not stale, it just was not checked."""
    from guard.directives import rule_matches

    wanted = (*TOKEN_RULES, PARSE_ERROR_RULE, "CG904")
    select = tuple(
        r for r in wanted if not settings.select or rule_matches(r, settings.select)
    ) or ("CG000",)  # nothing selected: a pattern no rule matches
    return replace(settings, select=select)


def token_only(job: FileJob, kind: str, size: int) -> FileOutcome:
    """A file over PARSE_LIMIT: streamed through the token scan for CG101, CG102 and CG303 in
    bounded memory, and reported with a CG901 finding that says it was not parsed."""
    if job.content is not None:  # stdin over the limit: there is no file to stream
        note = f"input too large to lint ({size:,} bytes)"
        return FileOutcome([], [FileError(job.path, note)], checked=True)
    from guard.engine.api import token_scan
    from guard.sources.decode import PARSE_LIMIT, stream_lines
    from guard.sources.detect import GO, JAVASCRIPT, MARKDOWN, PACKAGE_JSON, PYTHON, SHELL

    stream = stream_lines(job.path, python=kind == PYTHON, shell=kind == SHELL)
    if isinstance(stream, FileError):
        return FileOutcome([], [stream], checked=True)
    snippet = Snippet(text="", path=job.path, context=_token_context(job.path, kind))
    directive_lines: list[str] = []
    settings = _token_settings(job.settings)
    agent = kind == MARKDOWN and snippet.context is RunContext.AGENT  # its spans are commands
    lines = _scanned_lines(stream, kind == MARKDOWN, directive_lines, agent, kind == PACKAGE_JSON)
    if kind in (PYTHON, JAVASCRIPT, GO):  # a program's commands are in its string literals
        from guard.sources.programlines import program_shell_lines

        lines = program_shell_lines(lines)
    elif kind == PACKAGE_JSON:  # a script is a JSON string: its text, not one quoted word
        from guard.sources.jsonplaces import string_lines

        lines = string_lines(lines)
    findings = token_scan(lines, snippet, settings)
    note = (
        f"file too large to parse ({size:,} bytes; limit {PARSE_LIMIT:,}): only token-scanned "
        f"for {', '.join(TOKEN_RULES)}"
    )
    where = Location(job.path, 1, 1, 1, 1)
    too_large = _rule_finding(job.rule_text, PARSE_ERROR_RULE, note, where)
    findings.append(replace(too_large, fix=TOO_LARGE_FIX))
    text = "\n".join(directive_lines)
    kept = postprocess(findings, settings, job.path, text, job.rule_text)
    errors: list[FileError] = []
    if stream.nul_line is not None:
        errors.append(
            FileError(
                job.path, f"binary file (NUL byte on line {stream.nul_line}; not read past it)"
            )
        )
    return FileOutcome(kept, errors, checked=True)


# --- many files -------------------------------------------------------------------------------


CHUNK_FILES = 32  # files per task sent to a worker: small enough to balance the pool's end
# The pool starts only when the run has shown work for it: this many files went past the keyword
# reject to the full check (a rejected file never needs a worker), or the files linted in this
# process took this much of its CPU time. CPU, not wall time: on a loaded machine the wall clock
# runs on while the process waits for a core, and workers would only wait beside it (1,000
# workflows at load 5 started a pool at 0.5 s of wall time and cost 25% more CPU than `-j1`).
# Until then the files are linted here, and the engine this process has imported is the
# workers' too (they are forked from it).
# A run of more than PARALLEL_THRESHOLD files is shared with a forked child first
# (`_forked_then_pool`): this process answers every file the keyword reject can, the child does
# the full checks. A fork costs a millisecond or two and sends only the files that need the
# engine, where a pool sends every file and starts an engine per worker. A run where many files
# need the engine (FORK_FULL_CHECKS_MAX of them) goes on in the pool: there each worker has its
# engine and this process only walks, where the split reads a file here before it knows it needs
# one (5,000 generated scripts, nearly all full checks: the pool used about 10% less CPU). The
# split holds at most forksplit.MAX_PENDING outcomes back, so a long run stays in it; past
# FORK_MAX_FILES the pool's own start policy (`_here_then_pool`) decides.
FORK_FULL_CHECKS_MAX = 128
FORK_MAX_FILES = 100_000
POOL_AFTER_FULL_CHECKS = 64
POOL_AFTER_S = 0.5
_FULL_CHECKS = [0]  # files this process sent to the full check
TASKS_PER_WORKER = 4  # tasks in flight per worker: the walk streams ahead, never the whole tree


def run_jobs(
    jobs: Iterable[FileJob],
    workers: int,
    *,
    progress: bool = False,
    cache_folder: str | None = None,
) -> LintResult:
    """Lint every job (in a process pool when there are many) and sort the result.

    `jobs` may be a generator (the walk): the pool starts while the rest are still being found,
    once the run shows work for it (`_here_then_pool`), and the parent keeps only the findings.
    `workers` is `-j`: 1 lints in this process, 0 one process per CPU. With `progress`, a bar on
    stderr once the run passes a second, when stderr is a terminal (the bar needs the total, so
    the walk finishes first).
    With `cache_folder`, misses are written to the cache store there and hits marked as used."""
    stream = iter(jobs)
    head = list(itertools.islice(stream, PARALLEL_THRESHOLD + 1))
    total: int | None = None
    if progress and sys.stderr.isatty():
        head.extend(stream)
        total = len(head)
        stream = iter(())
    outcomes: Iterable[FileOutcome]
    if workers != 1 and len(head) > PARALLEL_THRESHOLD:
        yaml_ahead = any(job.path.endswith(YAML_SUFFIXES) for job in head)
        outcomes = _forked_then_pool(itertools.chain(head, stream), workers, yaml_ahead)
    else:
        outcomes = (lint_file(job) for job in itertools.chain(head, stream))
    del head
    if total is not None and total > 1:
        from guard.report.progress import with_progress

        outcomes = with_progress(outcomes, total)
    result = LintResult()
    writer = None
    if cache_folder is not None:
        from guard.commands.cachedrun import CacheWriter

        writer = CacheWriter(cache_folder)
    for outcome in outcomes:
        result.findings.extend(outcome.findings)
        result.errors.extend(outcome.errors)
        result.files += 1 if outcome.checked else 0
        result.skipped.extend(outcome.skipped)
        if writer is not None:
            writer.note(outcome)
    if writer is not None:
        writer.close()
    result.findings.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: (e.path, e.message))
    result.skipped.sort(key=lambda e: e.path)
    return result


def _same(finding: Finding) -> tuple[object, ...]:
    where = finding.location
    return (
        finding.rule,
        where.path,
        where.line,
        where.column,
        where.end_line,
        where.end_column,
        finding.severity,
        finding.message,
    )


def _here_then_pool(jobs: Iterator[FileJob], workers: int) -> Iterator[FileOutcome]:
    """Outcomes in job order: lint here until the run shows work for a pool (POOL_AFTER_...),
    then hand the rest of the walk to `_run_parallel`."""
    start, checks_before = time.process_time(), _FULL_CHECKS[0]
    for job in jobs:
        yield lint_file(job)
        full_checks = _FULL_CHECKS[0] - checks_before
        if full_checks >= POOL_AFTER_FULL_CHECKS or time.process_time() - start >= POOL_AFTER_S:
            yield from _run_parallel(jobs, workers)
            return


def _forked_then_pool(
    jobs: Iterator[FileJob], workers: int, yaml_ahead: bool = False
) -> Iterator[FileOutcome]:
    """Outcomes in job order: the jobs answered here where no engine is needed, their full
    checks in a forked child (guard/commands/forksplit.py), until the run shows work for the
    pool (FORK_FULL_CHECKS_MAX files that need the engine: the full checks still queued and the
    rest of the walk go to the pool at once) or passes FORK_MAX_FILES files (the rest of the
    walk goes to `_here_then_pool`). `yaml_ahead`: the run's first files hold YAML."""
    from guard.commands.forksplit import ForkSplit, children_for
    from guard.regexcodes import save_to_store

    split = ForkSplit(
        lint_unless_full,
        lint_file,
        _job_path,
        FileOutcome,
        children_for(workers),
        child_done=save_to_store,  # the child compiles the engine's patterns: keep them too
        child_start=_warm_engine if yaml_ahead else None,
    )
    try:
        if yaml_ahead:
            split.start()  # its engine loads while this process readies the reject
        _prepare_front()
        for job in itertools.islice(jobs, FORK_MAX_FILES):
            yield from split.submit(job)
            if split.full_checks >= FORK_FULL_CHECKS_MAX:
                break
        else:
            yield from split.finish()
            split.stop()
            yield from _here_then_pool(jobs, workers)
            return
        queued = split.hand_over()  # before the pool forks its workers
        pooled = _run_parallel(itertools.chain(queued, jobs), workers)
        for _job, outcome in zip(queued, pooled, strict=False):
            yield from split.fill(outcome)
        yield from split.finish()
        split.stop()
        yield from pooled
    finally:
        split.stop()


def _prepare_front() -> None:
    """What `lint_unless_full` needs for every file beyond this module's imports (the workflow
    source's masking, the keyword reject's patterns), loaded before the first file: this process
    needs it at its next file anyway, and a child forked after it starts with it there."""
    import guard.sources.workflow  # noqa: F401  (the reject masks `${{ }}` as the source does)
    from guard.reject import prepare_file_reject

    prepare_file_reject()


def _warm_engine() -> None:
    """What a YAML file's first full check loads, loaded by the split's child as soon as it is
    forked (`_forked_then_pool`), while this process still readies its reject.

    Why: the child is the split's longer path wherever YAML files need a full check (it imports
    the engine, about 30 ms, then checks them one by one, while this process rejects the rest:
    1,000 workflows of which 5% mention codex). Loaded at its first full check, that import
    started only once this process had readied its reject, found the first such file and sent
    it; and taking PyYAML here before the fork (as this did) put 7 ms of the child's work on
    this process's path, where nothing runs beside it.

    The cyclic collector pauses while they load, and what they made is frozen out of its walks
    after, as the parent's start-up is (`_collect_from_here`): the modules' objects live as long
    as the child, and the collections their ~100k objects set off (during the import, and each
    full collection after it) were about a tenth of the import and a few percent of each full
    check."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        import yaml  # noqa: F401

        import guard.directives
        import guard.engine.api
        import guard.engine.run
        import guard.shell.walk
        import guard.sources.registry
        import guard.sources.workflow  # noqa: F401
        from guard.shell.parser import _parser

        _parser()  # tree-sitter and its bash grammar
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def _job_path(job: FileJob) -> str:
    return job.path


def lint_chunk(jobs: list[FileJob]) -> list[FileOutcome]:
    """One worker task: a few files (their shared settings are pickled once per task)."""
    if any(job.cache_dir is not None for job in jobs):
        from guard.commands.cachedrun import lint_recorded_chunk

        return lint_recorded_chunk(jobs)
    return [lint_file(job) for job in jobs]


def _chunks(jobs: Iterable[FileJob]) -> Iterator[list[FileJob]]:
    stream = iter(jobs)
    while chunk := list(itertools.islice(stream, CHUNK_FILES)):
        yield chunk


def _run_parallel(jobs: Iterable[FileJob], workers: int) -> Iterator[FileOutcome]:
    """Outcomes in job order, as they finish (so a progress bar can follow them).

    At most TASKS_PER_WORKER tasks per worker are in flight: the parent's memory does not grow
    with the tree, and the walk runs ahead of the workers only that far."""
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    count = workers if workers > 0 else (os.cpu_count() or 1)
    chunks = _chunks(jobs)
    pending: deque[tuple[list[FileJob], Future[list[FileOutcome]]]] = deque()
    unsent: list[FileJob] = []  # a chunk taken from the walk that `submit` has not yet taken
    try:
        with ProcessPoolExecutor(max_workers=count) as pool:
            try:
                for chunk in chunks:
                    unsent = chunk  # `submit` forks the workers: it raises where none can be
                    future = pool.submit(lint_chunk, chunk)
                    unsent = []
                    pending.append((chunk, future))
                    while len(pending) >= count * TASKS_PER_WORKER:
                        done = pending[0][1].result()  # still pending if the pool breaks here
                        pending.popleft()
                        yield from done
                while pending:
                    done = pending[0][1].result()
                    pending.popleft()
                    yield from done
            except (BrokenProcessPool, OSError, NotImplementedError):
                _stop_workers(pool)
                raise
    except (BrokenProcessPool, OSError, NotImplementedError):
        # No processes here (sandbox): do the rest in-line, from the first unfinished task.
        for chunk, _future in pending:
            yield from lint_chunk(chunk)
        if unsent:  # after the chunks in flight: it came from the walk after them
            yield from lint_chunk(unsent)
        for chunk in chunks:
            yield from lint_chunk(chunk)


def _stop_workers(pool: Any) -> None:
    """End the workers a failed pool started. Where a later worker could not be forked, `submit`
    raised before the pool's manager thread began: nothing would tell the earlier ones to stop,
    and the interpreter's exit, which joins its children, would wait for them forever."""
    processes = getattr(pool, "_processes", None)  # (CPython: pid -> Process; None after shutdown)
    for process in list(processes.values()) if isinstance(processes, dict) else []:
        try:
            process.terminate()
            process.join(5)
        except Exception:  # gone already, or not ours to end: nothing more to do here
            pass


def _rule_text(rules: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The bits of the registry the workers need, as plain picklable data."""
    text: dict[str, dict[str, Any]] = {}
    for rule_id in (PARSE_ERROR_RULE, "CG904"):
        rule = rules.get(rule_id)
        if rule is not None:
            text[rule_id] = {"name": rule.name, "fix": rule.fix, "severity": rule.severity.value}
    text.setdefault(PARSE_ERROR_RULE, {"name": "parse-error", "severity": "warning"})
    text.setdefault("CG904", {"name": "unexplained-suppression", "severity": "warning"})
    return text


# --- the command ------------------------------------------------------------------------------


def _cache_enabled() -> bool:
    from guard.sources import cache

    return cache.enabled()


def _split_ids(values: tuple[str, ...], option: str) -> tuple[str, ...] | None:
    """`--select CG1,CG2 --select CG3` -> ("CG1", "CG2", "CG3"); None when not given at all."""
    if not values:
        return None
    parts = (part for value in values for part in value.split(","))
    ids = tuple(part.strip().upper() for part in parts if part.strip())
    bad = [i for i in ids if not RULE_PATTERN.match(i)]
    if bad:
        import click

        raise click.BadParameter(f"not a rule id or prefix: {', '.join(bad)}", param_hint=option)
    return ids


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line says over every config: select replaces, ignore adds."""

    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    strict: bool
    extend_select: tuple[str, ...] = ()  # added to the selection (an empty one is every rule)

    def apply(self, settings: Settings) -> Settings:
        select = self.select if self.select is not None else settings.select
        if select and self.extend_select:
            select = select + tuple(i for i in self.extend_select if i not in select)
        return replace(
            settings,
            select=select,
            ignore=settings.ignore + self.ignore,
            strict=settings.strict or self.strict,
        )


def _use_color(mode: str) -> bool:
    """`--color` first; then NO_COLOR (set at all) turns colour off and FORCE_COLOR (non-empty)
    on; else colour only on a terminal (no-color.org, force-color.org)."""
    if mode != "auto":
        return mode == "always"
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


class _WalkedConfigs:
    """The config files the walk meets, linted as met (CG905: guard/configlint.py), while the
    run's workers lint the files; `into` the result at the end, with the `--config` file."""

    def __init__(self, rules: Mapping[str, Any], select: Iterable[str], ignore: Iterable[str]):
        from guard.config import CONFIG_NAMES, PYPROJECT

        self._names = {*CONFIG_NAMES, PYPROJECT}  # by name first: asked once per walked file
        self._endings = tuple(self._names)  # a cheap first test: most paths end otherwise
        self._args = (rules, tuple(select), tuple(ignore))
        self._lints: Any = None  # guard.configlint.ConfigLints, once a config is met

    def _linter(self) -> Any:
        if self._lints is None:
            # Only now: guard.configlint brings guard.trust, which a tree without a config never
            # needs (a lint's start-up).
            from guard.configlint import ConfigLints

            self._lints = ConfigLints(*self._args)
        return self._lints

    def met(self, path: str) -> None:
        if path.endswith(self._endings) and os.path.basename(path) in self._names:
            self._linter().add(path)

    def noting(self, jobs: Iterable[FileJob]) -> Iterator[FileJob]:
        for job in jobs:
            self.met(job.path)
            yield job

    def into(self, result: LintResult, explicit: str | None) -> None:
        if self._lints is None and explicit is None:
            return  # none met: nothing to lint
        self._linter().into(result, explicit)


def _dir_only(spec: Any) -> bool:
    """Every pattern of the spec names folders only (`build/`): its answer for a file then
    depends on the file's folder alone, never on the file's name (a pattern's regex ends at
    the folder's `/`), so a folder's files share one answer."""
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if regex is not None and not regex.pattern.endswith("(?P<ps_d>/)"):
            return False
    return True


class _Exclusions:
    """The configs' `exclude` patterns (gitignore syntax, relative to each config's folder) as
    the walk asks them: `(shown, real, is_dir)` for a folder or a symlink, `files_in(folder)`
    for the plain files of a folder (settings and pattern set found once per folder).

    A path outside the config's folder (`--config`) is read as shown."""

    def __init__(self, resolver: Any) -> None:
        self._resolver = resolver
        # compiled, its quick test, dir-only?
        self._specs: dict[tuple[str, ...], tuple[Any, QuickTest | None, bool]] = {}

    def _spec(self, patterns: tuple[str, ...]) -> tuple[Any, QuickTest | None, bool]:
        known = self._specs.get(patterns)
        if known is None:
            from guard.sources.ignorespec import gitignore_spec
            from guard.sources.walk import quick_test

            spec = gitignore_spec(patterns)
            known = self._specs[patterns] = (spec, quick_test(spec), _dir_only(spec))
        return known

    def __call__(self, shown: str, real: str, is_dir: bool) -> bool:
        settings = self._resolver.settings_for_dir(real if is_dir else os.path.dirname(real))
        if not settings.exclude:
            return False
        root = settings.root.rstrip("/") + "/"
        if real.startswith(root):
            relative = real[len(root) :]
        else:  # outside the config's folder (`--config`): rare, so pathlib is imported here
            from pathlib import Path

            relative = Path(shown).as_posix()
        if relative.startswith(".."):
            return False
        spec = self._spec(settings.exclude)[0]
        return bool(spec.match_file(relative + ("/" if is_dir else "")))

    def listed(self, real_folder: str, names: frozenset[str]) -> None:
        """The walk has just read the folder's listing: its config is resolved now, looking
        only for the config names it holds (no `stat` per name in most folders)."""
        self._resolver.settings_for_dir(real_folder, frozenset(n.lower() for n in names))

    def files_in(self, real_folder: str) -> Callable[[str, str], bool] | None:
        """The check for the plain files of `real_folder`; None when no pattern can apply."""
        from guard.sources.walk import spec_answer

        settings = self._resolver.settings_for_dir(real_folder)
        if not settings.exclude:
            return None
        root = settings.root.rstrip("/") + "/"
        prefix = real_folder.rstrip("/") + "/"
        if not prefix.startswith(root):
            return lambda name, shown: self(shown, prefix + name, False)
        folder = prefix[len(root) :]  # "" for the config's own folder
        spec, quick, dir_only = self._spec(settings.exclude)
        shared: list[bool] = []  # the folder's one answer, when only folder patterns apply

        def excluded(name: str, _shown: str) -> bool:
            relative = folder + name
            if relative.startswith(".."):
                return False
            if not dir_only:
                return bool(spec_answer(spec, quick, relative))
            if not shared:
                shared.append(bool(spec.match_file(relative)))
            return shared[0]

        return excluded


def _collect_jobs(
    paths: tuple[str, ...],
    resolver: Any,
    overrides: Overrides,
    rule_text: Mapping[str, Any],
    kind: str | None = None,
    aside: WalkAside | None = None,
    make_job: Callable[..., FileJob] = FileJob,
) -> Iterator[FileJob]:
    """One job per walked file, as the walk finds it; config is resolved once per folder.
    With `aside`, the walk may go on in a child process (`WalkAside`). `make_job`: how a job
    is made (with the cache on, `cachedrun.CachedJobs.job`)."""
    from guard.sources.walk import walk

    applied: dict[int, tuple[Settings, Settings]] = {}  # the overrides, once per config
    folder_of: tuple[str, Settings] | None = None  # the last folder's settings (walk order)

    def with_overrides(settings: Settings) -> Settings:
        known = applied.get(id(settings))
        if known is None or known[0] is not settings:
            known = (settings, overrides.apply(settings))
            applied[id(settings)] = known
        return known[1]

    walked = walk(list(paths), _Exclusions(resolver))
    source: Iterator[tuple[Candidate, Any]] = ((c, None) for c in walked)
    if aside is not None:

        def settings_of(folder: str) -> Settings:
            return with_overrides(resolver.settings_for_dir(folder))

        resolver.take_learned()  # from here on: what the walk resolves goes with its batches
        from guard.commands.cachedrun import ChildLooks

        looks = ChildLooks(settings_of, rule_text, resolver.take_learned)
        source = aside.candidates(walked, looks, resolver.learn)
    for candidate, looked in source:
        if looked is not None and aside is not None:
            aside.looks[candidate.path] = looked
        if candidate.real is not None:
            folder = candidate.real[: candidate.real.rfind("/")] or "/"  # resolved: its dirname
            if folder_of is None or folder_of[0] != folder:
                folder_of = (folder, with_overrides(resolver.settings_for_dir(folder)))
            settings = folder_of[1]
        else:
            settings = with_overrides(resolver.settings_for(candidate.path))
        forced = kind if candidate.explicit else None  # a walked folder's files go by name
        yield make_job(
            candidate.path,
            candidate.explicit,
            settings,
            rule_text,
            error=candidate.error,
            kind=forced,
        )


def _collect_from_here() -> None:
    """Turn the cyclic collector back on for the rest of a run, with every object made so far
    (the modules, the rules) frozen out of its walks (and kept unshared by forked children).
    Only where guard/cli.py `console_main` turned it off: a test or a program that calls `main`
    keeps its own."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run_lint(
    paths: tuple[str, ...],
    output_format: str,
    text_style: str,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    strict: bool,
    config_file: str | None,
    jobs: int,
    color: str,
    no_cache: bool,
    kind: str | None,
    fix: bool,
    diff: bool,
    stdin_filename: str | None,
    statistics: bool,
    output_file: str | None,
    quiet: bool,
) -> int:
    """`codex-guard lint` with its options parsed (by click in guard/commands/lintcli.py, or by
    `fast_lint_options` for the plain command lines); click is imported only where it speaks."""
    from guard.config import ConfigError, ConfigResolver
    from guard.engine.registry import RuleFileError, load_rules
    from guard.sources.walk import WalkAsideError

    stdin = paths == ("-",)
    if "-" in paths and not stdin:
        import click

        raise click.BadParameter("`-` (stdin) cannot be mixed with other paths", param_hint="PATHS")
    if stdin_filename is not None and not stdin:
        import click

        raise click.BadParameter("needs the path `-`", param_hint="--stdin-filename")
    shown = stdin_filename or "stdin.sh"
    file_jobs: Iterable[FileJob]
    # The files answered from the store by their stat data, without a read (not under
    # `--no-cache`: the run then imports nothing of the cache: sqlite3, hashlib...).
    hits: StatHits | None = None
    made: CachedJobs | None = None
    if not (no_cache or stdin) and _cache_enabled():
        from guard.commands.cachedrun import CachedJobs, StatHits, WalkAside, with_cache

        hits = StatHits()
        made = CachedJobs()
    aside: WalkAside | None = None
    overrides = Overrides(
        select=_split_ids(select, "--select"),
        ignore=_split_ids(ignore, "--ignore") or (),
        strict=strict,
        extend_select=_split_ids(extend_select, "--extend-select") or (),
    )
    try:
        resolver = ConfigResolver(_config_path(config_file))
        first = shown if stdin else (paths[0] if paths else ".")
        primary = overrides.apply(resolver.settings_for(first))
        rules = load_rules(primary.rules_dirs)
        _check_option_ids(overrides, rules)
        configs = _WalkedConfigs(rules, overrides.select or (), overrides.ignore)
        if stdin:
            settings = overrides.apply(resolver.settings_for(purepaths.parent(shown)))
            content = sys.stdin.buffer.read()
            file_jobs = [FileJob(shown, True, settings, _rule_text(rules), content=content)]
        else:
            # The walk goes on in a child only to look files up in the store (not in a first
            # run: it has no stat rows), and never for a fix (which reads every file: the child
            # answers hits without a job).
            stored = made is not None and made.stored  # (a walk aside may answer files)
            aside_wanted = stored and jobs != 1 and (os.cpu_count() or 1) > 1
            if aside_wanted and hits is not None and not (fix or diff):
                aside = WalkAside(hits)
            rule_text = _rule_text(rules)
            # (`--diff` ends before the lint: its jobs need nothing of the store)
            make_job = FileJob if made is None or diff else made.job
            file_jobs = _collect_jobs(paths, resolver, overrides, rule_text, kind, aside, make_job)
        if fix or diff:
            file_jobs = list(file_jobs)  # a bad config further down is still exit 2 here
    except (ConfigError, RuleFileError) as exc:
        echo(str(exc), err=True)
        return 2
    _collect_from_here()  # before the walk (the jobs come from a generator)
    if fix or diff:
        fixed = _fix_jobs(list(file_jobs), write=fix and not diff, quiet=quiet)
        if diff or stdin:
            if not _emit(fixed.output, output_file, color=False) or fixed.errors:
                return 2
            return 1 if diff and fixed.changed else 0
        file_jobs = [replace(job, content=None) for job in file_jobs]
    cache_folder: str | None = None
    file_jobs = configs.noting(file_jobs)  # before the cache: a hit's config is linted too
    file_jobs = _unread_dropped(file_jobs)  # after the configs: a pyproject.toml is linted too
    if hits is not None and made is not None:
        cache_folder = made.folder
        if made.stored:  # a store with no stat rows (a first run) has nothing to look up
            file_jobs = with_cache(file_jobs, made, hits, aside)
    try:
        result = run_jobs(file_jobs, jobs, progress=not quiet, cache_folder=cache_folder)
    except (ConfigError, WalkAsideError) as exc:  # met only now (the walk streams)
        echo(str(exc), err=True)
        return 2
    if hits is not None:
        hits.merge_into(result)
    if not stdin:
        configs.into(result, config_file)  # CG905: the configs themselves
    result.exit_code = exit_code(result, fail_on or primary.fail_on)
    use_color = _use_color(color) and output_file is None
    output = _render(result, rules, output_format, text_style, statistics, quiet, use_color)
    try:
        emitted = _emit(output, output_file, color=use_color)
    finally:  # a spilled run's file goes now, however the report ends (a broken pipe too)
        result.findings.close()
    if cache_folder is not None:
        from guard.sources.cache import close_stores

        close_stores()
    from guard.regexcodes import save_to_store

    save_to_store()  # after the report: the patterns compiled anew, for the next run
    if not emitted:
        return 2
    if exit_zero and not result.errors:
        return 0
    return result.exit_code


def _config_path(config_file: str | None) -> Path | None:
    """`--config` as a Path (pathlib only when there is one: a plain lint does without it)."""
    if not config_file:
        return None
    from pathlib import Path

    return Path(config_file)


def _write_bytes(path: str, data: bytes) -> None:
    """`Path(path).write_bytes(data)` (`--fix` only: pathlib is not imported for a plain lint)."""
    from pathlib import Path

    Path(path).write_bytes(data)


def _render(
    result: LintResult,
    rules: Mapping[str, Any],
    output_format: str,
    text_style: str,
    statistics: bool,
    quiet: bool,
    color: bool,
) -> Iterable[str]:
    """The report in pieces, rendered a finding at a time as they are printed."""
    from guard.report import stream_of, text

    if statistics:
        return [text.statistics(result, rules, as_json=output_format == "json")]
    if output_format == "text":
        concise = text_style == "concise"
        return text.stream(result, rules, color=color, concise=concise, quiet=quiet)
    return stream_of(output_format)(result, rules, color=color)


EMIT_BYTES = 1 << 16  # pieces are gathered up to this much before each write


def _batches(pieces: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= EMIT_BYTES:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def _emit(output: str | Iterable[str], output_file: str | None, *, color: bool) -> bool:
    """The report on stdout, or in `--output-file` (never coloured there), written as it is
    rendered; False when the file cannot be written (said on stderr: an I/O error, exit 2)."""
    pieces = [output] if isinstance(output, str) else _batches(output)
    if output_file is None:
        for piece in pieces:
            echo(piece, nl=False, color=color)  # click strips ANSI off a TTY unless told
        return True
    try:
        with open(output_file, "w", encoding="utf-8", errors="surrogateescape") as handle:
            for piece in pieces:
                handle.write(piece)
    except OSError as exc:
        echo(f"codex-guard lint: --output-file {output_file}: {exc.strerror or exc}", err=True)
        return False
    return True


@dataclass(slots=True)
class FixRun:
    output: str = ""  # the diffs (--diff), or the fixed text (stdin)
    changed: bool = False
    errors: bool = False


def _fix_jobs(file_jobs: list[FileJob], *, write: bool, quiet: bool) -> FixRun:
    """`--fix` / `--diff` over every file, one at a time (each fix is re-linted)."""
    from guard.fix import fix_file, unified_diff
    from guard.report.paths import display_path
    from guard.sources.decode import read_bytes

    run = FixRun()
    for job in file_jobs:
        if job.error is not None:
            continue  # the lint that follows reports it
        data = job.content if job.content is not None else read_bytes(job.path)
        if isinstance(data, FileError):
            run.errors = job.content is not None
            continue
        kind = _kind(job.path, job.explicit, data, job.settings.packets, job.settings.root)
        if kind is None:
            continue

        def lint_bytes(content: bytes, job: FileJob = job) -> tuple[list[Finding], list[FileError]]:
            outcome = lint_file(replace(job, content=content, cache_dir=None))
            return outcome.findings, outcome.errors

        done = fix_file(job.path, data, kind, lint_bytes)
        shown = display_path(job.path)
        if done.skipped is not None and any(f.edits for f in lint_bytes(data)[0]):
            echo(f"{shown}: {done.skipped}", err=True)
        if write and job.content is not None:  # `--fix -`: the fixed text is the output
            run.output += done.fixed.decode("utf-8", "surrogateescape")
        if not done.changed:
            continue
        run.changed = True
        if not write:
            run.output += unified_diff(done, shown)
        elif job.content is None:
            try:
                _write_bytes(job.path, done.fixed)
            except OSError as exc:
                echo(f"{shown}: error: cannot write the fix: {exc.strerror}", err=True)
                run.errors = True
                continue
        if not quiet:
            counts = ", ".join(f"{r} x{n}" for r, n in sorted(Counter(done.applied).items()))
            verb = "fixed" if write else "would fix"
            echo(f"{shown}: {verb} {len(done.applied)} ({counts})", err=True)
    return run


def _check_option_ids(overrides: Overrides, rules: Mapping[str, Any]) -> None:
    """`--select/--ignore` ids that name no rule (custom rules count) are a usage error."""
    from guard.config import ConfigError, unknown_rule_ids

    for option, ids in (
        ("--select", overrides.select or ()),
        ("--extend-select", overrides.extend_select),
        ("--ignore", overrides.ignore),
    ):
        bad = unknown_rule_ids(ids, rules)
        if bad:
            raise ConfigError(
                f"codex-guard lint: {option}: unknown rule id {bad[0]!r}: not a rule id or prefix"
                " of any rule (see `codex-guard rules`)"
            )


def exit_code(result: LintResult, fail_on: str) -> int:
    if result.errors:
        return 2
    threshold = Severity(fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in result.findings) else 0
