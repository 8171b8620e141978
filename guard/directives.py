"""Inline directives: `# codex-guard: disable=CG201 -- reason`, `disable-file=`, `lane=`.

Directives live only in comments: a `#` at the start of a line or after whitespace, outside the
quotes of that line. The check is naive on purpose (one line at a time, no parser): it must work the
same in shell, workflow YAML, Makefiles and Markdown fences, and it errs towards *not* seeing a
directive inside a string.

Scope (shellcheck-style):
- `disable=` as a trailing comment covers findings whose line range holds that line; on a comment
  line of its own it also covers the next code line (the next line that is neither blank nor only
  a comment): a directive above a command covers the whole command, however many lines it spans.
- `disable-file=` anywhere covers the whole file.
- `lane=` sets the lane of the command on the same line or on the next code line.
"""

from __future__ import annotations

# collections.abc's own Mapping (it re-exports _collections_abc), without importing the
# `collections` package: the agent hook's codex path imports neither it nor functools.
from _collections_abc import Mapping

from guard.fastclass import dataclass
from guard.findings import Finding, Location, Severity
from guard.lazyre import lazy_compile

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable

SUPPRESSION_RULE = "CG904"
SUPPRESSION_NAME = "unexplained-suppression"

# The body after the `#`: `codex-guard: disable=CG201,CG3 -- why`. Ids are kept loose (letters and
# digits) so a typo is reported as stale rather than silently ignored.
_DIRECTIVE = lazy_compile(
    r"codex-guard:\s*(?P<verb>disable-file|disable|lane)\s*=\s*(?P<value>[\w-]*(?:\s*,\s*[\w-]+)*)"
    r"(?P<rest>.*)$"
)
_REASON = lazy_compile(r"^\s*--\s*(?P<reason>.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Disable:
    line: int  # 1-based line of the directive in the file
    column: int  # 1-based column of its `#`
    rules: tuple[str, ...]
    reason: str  # "" when the directive gave none
    whole_file: bool
    targets: tuple[int, ...]  # lines it covers (the directive's own line and the next code line)


@dataclass(frozen=True, slots=True)
class Directives:
    disables: tuple[Disable, ...] = ()
    lanes: tuple[tuple[int, str], ...] = ()  # (line the lane applies to, lane)

    def lane_at(self, line: int) -> str | None:
        """The lane a directive sets for a command starting on `line` (file line), if any."""
        for target, lane in self.lanes:
            if target == line:
                return lane
        return None


NO_DIRECTIVES = Directives()  # frozen: one answer for every text with none (most of them)


def comment_start(line: str) -> int | None:
    """Index of the `#` that starts a comment on this line, or None.

    A `#` counts at the start of the line or after whitespace, and only outside single or double
    quotes opened on the same line (a backslash escapes the next character outside single quotes).
    """
    quote: str | None = None
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
            continue
        if char == "\\" and quote != "'":
            escaped = True
            continue
        if quote:
            if char == quote:
                quote = None
            continue
        if char in ("'", '"'):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
    return None


_HEREDOC_TAG = lazy_compile(r"""-?[ \t]*(?:'([^']+)'|"([^"]+)"|\\?([A-Za-z_][\w.-]*))""")


def heredoc_tags(code: str) -> list[tuple[str, bool]]:
    """Here-docs a line opens, outside quotes: (terminator, strip leading tabs) in order.

    `<<<` (a here-string) and `$((1 << 2))` open nothing. A here-doc body is data, never a
    comment: a directive-looking line inside one is not a directive.
    """
    tags: list[tuple[str, bool]] = []
    quote: str | None = None
    index = 0
    while index < len(code):
        char = code[index]
        if char == "\\" and quote != "'":
            index += 2
            continue
        if quote:
            quote = None if char == quote else quote
        elif char in ("'", '"'):
            quote = char
        elif code.startswith("<<<", index):
            index += 3  # a here-string: its word is on this line
            continue
        elif code.startswith("<<", index):
            match = _HEREDOC_TAG.match(code, index + 2)
            if match:
                tag = next(group for group in match.groups() if group)
                tags.append((tag, code[index + 2 : index + 3] == "-"))
                index = match.end()
                continue
        index += 1
    return tags


def _is_code(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _next_code_lines(lines: list[str]) -> list[int | None]:
    """For each line (0-based), the 1-based number of the first code line after it, if any.

    One backward pass: a run of thousands of directive comments costs one look at each line,
    not one scan to the end per directive.
    """
    following: list[int | None] = [None] * len(lines)
    found: int | None = None
    for index in range(len(lines) - 1, -1, -1):
        following[index] = found
        if _is_code(lines[index]):
            found = index + 1
    return following


def parse_directives(text: str, line_offset: int = 0) -> Directives:
    """Every directive in `text`; lines are file lines (`line_offset` added, as in Snippet)."""
    if "codex-guard:" not in text:  # the common case: no directive, no per-line work
        return NO_DIRECTIVES
    lines = text.splitlines()
    disables: list[Disable] = []
    lanes: list[tuple[int, str]] = []
    pending: list[tuple[str, bool]] = []  # here-docs still open: their bodies are data
    next_code: list[int | None] | None = None  # built on the first comment-line directive
    for index, line in enumerate(lines):
        if pending:
            tag, strip_tabs = pending[0]
            if (line.lstrip("\t") if strip_tabs else line) == tag:
                pending.pop(0)
            continue
        start = comment_start(line)
        if "<<" in line:
            pending.extend(heredoc_tags(line if start is None else line[:start]))
        if start is None or "codex-guard:" not in line:
            continue
        match = _DIRECTIVE.search(line, start + 1)
        if match is None or line[start + 1 : match.start()].strip():
            continue  # the comment holds other words before `codex-guard:`: prose, not a directive
        number = index + 1 + line_offset
        # A trailing directive (code before the `#`) is about its own line; a comment line is about
        # the command below it.
        following = None
        if not line[:start].strip():
            if next_code is None:
                next_code = _next_code_lines(lines)
            following = next_code[index]
        targets = (number,) if following is None else (number, following + line_offset)
        verb = match.group("verb")
        value = match.group("value")
        if verb == "lane":
            lanes.extend((target, value.strip()) for target in targets)
            continue
        reason_match = _REASON.match(match.group("rest"))
        reason = reason_match.group("reason") if reason_match else ""
        rules = tuple(part.strip().upper() for part in value.split(",") if part.strip())
        disables.append(
            Disable(
                line=number,
                column=start + 1,
                rules=rules,
                reason=reason,
                whole_file=verb == "disable-file",
                targets=targets,
            )
        )
    return Directives(disables=tuple(disables), lanes=tuple(lanes))


def rule_matches(rule: str, patterns: Iterable[str]) -> bool:
    """True when `rule` is one of the ids or starts with one of the prefixes (`CG2`, `CG201`)."""
    return any(rule.startswith(pattern) for pattern in patterns)


def rule_enabled(rule: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    selected = tuple(select)
    if selected and not rule_matches(rule, selected):
        return False
    return not rule_matches(rule, ignore)


def _covers(disable: Disable, finding: Finding) -> bool:
    if not rule_matches(finding.rule, disable.rules):
        return False
    if disable.whole_file:
        return True
    first, last = finding.location.line, max(finding.location.end_line, finding.location.line)
    return any(first <= target <= last for target in disable.targets)


class _DisableIndex:
    """The disables by the lines they target, so each finding looks only at the directives on
    its own lines (and the file-wide ones), not at every directive of the file."""

    def __init__(self, disables: tuple[Disable, ...]) -> None:
        self.disables = disables
        self.whole_file = [i for i, d in enumerate(disables) if d.whole_file]
        self.by_line: dict[int, list[int]] = {}
        for i, disable in enumerate(disables):
            if not disable.whole_file:
                for target in set(disable.targets):
                    self.by_line.setdefault(target, []).append(i)
        self.lines = sorted(self.by_line)

    def covering(self, finding: Finding) -> list[int]:
        """Indices of the disables that cover `finding`, in directive order."""
        first, last = finding.location.line, max(finding.location.end_line, finding.location.line)
        candidates = list(self.whole_file)
        if self.lines:  # bisect (~0.35 ms to import) only where a directive names lines
            from bisect import bisect_left, bisect_right

            start = bisect_left(self.lines, first)
            for line in self.lines[start : bisect_right(self.lines, last)]:
                candidates.extend(self.by_line[line])
        return sorted(i for i in set(candidates) if _covers(self.disables[i], finding))


def _field(rule: object, name: str) -> str | None:
    """A field of a registry Rule, or of the plain dict a worker process gets instead."""
    value = rule.get(name) if isinstance(rule, Mapping) else getattr(rule, name, None)
    if isinstance(value, Severity):
        return value.value
    return None if value is None else str(value)


def _suppression_finding(
    disable: Disable, path: str, message: str, rules: Mapping[str, object]
) -> Finding:
    rule = rules.get(SUPPRESSION_RULE)
    name = _field(rule, "name") or SUPPRESSION_NAME
    fix = _field(rule, "fix")
    try:
        severity = Severity(_field(rule, "severity") or "warning")
    except ValueError:
        severity = Severity.WARNING
    return Finding(
        rule=SUPPRESSION_RULE,
        name=str(name),
        severity=severity,
        message=message,
        location=Location(path, disable.line, disable.column, disable.line, disable.column),
        fix=str(fix) if fix else None,
    )


def apply_directives(
    findings: list[Finding],
    directives: Directives,
    path: str,
    rules: Mapping[str, object],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    unsuppressible: Iterable[str] = (),
) -> list[Finding]:
    """Drop suppressed findings; add CG904 for a disable with no reason or that suppresses nothing.

    `rules` is the registry (id -> Rule): CG904's name and fix come from it. A stale check only
    counts rules that are enabled under select/ignore: `--select CG1` must not make every
    `disable=CG201` look stale. CG904 itself obeys select/ignore. Findings of an `unsuppressible`
    rule are kept whatever a directive says (the runtime doors' floor: `door_directives`).
    """
    select, ignore = tuple(select), tuple(ignore)
    if not directives.disables:
        return list(findings)
    kept_always = frozenset(unsuppressible)
    used: set[int] = set()
    kept: list[Finding] = []
    index = _DisableIndex(directives.disables)
    for finding in findings:
        if finding.rule in kept_always:
            kept.append(finding)
            continue
        covering = index.covering(finding)
        if covering:
            used.update(covering)
        else:
            kept.append(finding)
    if not rule_enabled(SUPPRESSION_RULE, select, ignore):
        return kept
    extra: list[Finding] = []
    for number, disable in enumerate(directives.disables):
        verb = "disable-file" if disable.whole_file else "disable"
        ids = ",".join(disable.rules) or "(no rule)"
        if not disable.reason:
            extra.append(
                _suppression_finding(
                    disable,
                    path,
                    f"`{verb}={ids}` gives no reason: add `-- why this is safe`",
                    rules,
                )
            )
        if number in used:
            continue
        stale = [r for r in disable.rules if _may_fire(r, select, ignore)]
        if stale or not disable.rules:
            extra.append(
                _suppression_finding(
                    disable, path, f"`{verb}={ids}` suppresses nothing here: remove it", rules
                )
            )
    # A file-wide `disable-file=CG904 -- reason` may silence these too.
    extra = [f for f in extra if not index.covering(f)]
    return kept + extra


def _may_fire(pattern: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Whether any rule the disable names could have been reported under select/ignore."""
    if rule_matches(pattern, ignore):
        return False
    if not select:
        return True
    # `disable=CG2` with `--select CG201`, or `disable=CG201` with `--select CG2`: either overlaps.
    return any(pattern.startswith(s) or s.startswith(pattern) for s in select)


def door_directives(
    findings: list[Finding], command: str, path: str, rules: Mapping[str, object]
) -> list[Finding]:
    """The directives of a command line checked at a runtime door (hook, `check`, exec shim).

    `# codex-guard: disable=CG101 -- reason` (or `disable-file=`) written into the command itself
    may suppress other rules there, never the billing and full-access floor: the command's author
    is the party the door guards (README "Trust model"). Stale-suppression notes (CG904) are a
    linter's business and are not added here.
    """
    from guard.settings import FLOOR_RULES

    directives = parse_directives(command)
    if not directives.disables:
        return list(findings)
    kept = apply_directives(findings, directives, path, rules, unsuppressible=FLOOR_RULES)
    return [f for f in kept if f.rule != SUPPRESSION_RULE or f in findings]
