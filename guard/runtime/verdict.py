"""`codex-guard verdict FILE...`: the CG603 verdict-file contract (RULES.md; the skill's gate).

Line 1 exactly `VERDICT: PASS` or `VERDICT: FAIL`; line 2 blank; line 3 a bare `COMMANDS RUN:`;
inside that section a `judge_source: codex-<model>` line and at least one `$ <cmd>` followed by its
output. The gate parses these lines anchored, so a `## ` heading, a parenthetical or trailing text
breaks them. A missing element means the verdict is unverified: it is reported, one line each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

RULE = "CG603"
RULE_NAME = "verdict-contract"
VERDICT_LINE = re.compile(r"^VERDICT: (PASS|FAIL)$")
JUDGE_LINE = re.compile(r"^judge_source: codex-\S+$")
# A section header such as `REASONS:` ends COMMANDS RUN.
SECTION_HEADER = re.compile(r"^[A-Z][A-Z0-9 _-]*:$")
# A verdict is a page of text: a larger file is no verdict, and is not read whole.
MAX_VERDICT_BYTES = 16 << 20
QUOTED_CHARS = 120  # a line quoted in a problem's message is cut to this many characters


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


@dataclass(slots=True)
class VerdictReport:
    path: str
    verdict: str | None = None
    judge_source: str | None = None
    commands: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None  # the file could not be read

    @property
    def valid(self) -> bool:
        return self.error is None and not self.problems


def _quoted(text: str) -> str:
    """`text` as a message quotes it: repr, cut when long (a 200 KB line 1 is not echoed)."""
    if len(text) <= QUOTED_CHARS:
        return repr(text)
    return f"{text[:QUOTED_CHARS]!r}... ({len(text):,} characters)"


def _line(lines: list[str], number: int) -> str | None:
    return lines[number - 1] if len(lines) >= number else None


def _check_header(lines: list[str], report: VerdictReport) -> None:
    first = _line(lines, 1)
    if first is None:
        report.problems.append(
            Problem(1, "the file is empty: line 1 must be `VERDICT: PASS` or `VERDICT: FAIL`")
        )
        return
    match = VERDICT_LINE.match(first)
    if match:
        report.verdict = match.group(1)
    else:
        loose = re.search(r"VERDICT:\s*(PASS|FAIL)", first, re.IGNORECASE)
        hint = " (no heading, no parenthetical, nothing else on the line)" if loose else ""
        report.problems.append(
            Problem(
                1,
                f"line 1 must be exactly `VERDICT: PASS` or `VERDICT: FAIL`{hint}, "
                f"found {_quoted(first)}",
            )
        )
    second = _line(lines, 2)
    if second is None or second != "":
        found = "end of file" if second is None else _quoted(second)
        report.problems.append(Problem(2, f"line 2 must be blank, found {found}"))


def _commands_section(lines: list[str], report: VerdictReport) -> tuple[int, int] | None:
    """(first, end) line numbers of the COMMANDS RUN section body, 1-based, end exclusive."""
    starts = [i + 1 for i, text in enumerate(lines) if text == "COMMANDS RUN:"]
    if not starts:
        loose = [i + 1 for i, t in enumerate(lines) if "COMMANDS RUN" in t.upper()]
        where = f" (line {loose[0]} is not a bare `COMMANDS RUN:`)" if loose else ""
        report.problems.append(Problem(3, f"no bare `COMMANDS RUN:` line{where}"))
        return None
    start = starts[0]
    if start != 3:
        report.problems.append(
            Problem(
                start,
                f"`COMMANDS RUN:` must be line 3, right after the blank line (it is line {start})",
            )
        )
    end = len(lines) + 1
    for number in range(start + 1, len(lines) + 1):
        if SECTION_HEADER.match(lines[number - 1]) and not lines[number - 1].startswith("$"):
            end = number
            break
    return start + 1, end


def _check_section(lines: list[str], first: int, end: int, report: VerdictReport) -> None:
    body = [(n, lines[n - 1]) for n in range(first, end)]
    judges = [(n, t) for n, t in body if t.startswith("judge_source:")]
    good = [(n, t) for n, t in judges if JUDGE_LINE.match(t)]
    if good:
        report.judge_source = good[0][1].split(":", 1)[1].strip()
    elif judges:
        n, text = judges[0]
        report.problems.append(
            Problem(
                n,
                f"`judge_source:` must name a codex judge (`judge_source: codex-<model>`), "
                f"found {_quoted(text)}",
            )
        )
    else:
        elsewhere = [i + 1 for i, t in enumerate(lines) if t.strip().startswith("judge_source:")]
        where = f" (line {elsewhere[0]} is outside it)" if elsewhere else ""
        report.problems.append(
            Problem(first - 1, f"no `judge_source: codex-<model>` line inside COMMANDS RUN{where}")
        )
    with_output = 0
    commands = [(i, n, t) for i, (n, t) in enumerate(body) if t.startswith("$ ") and t[2:].strip()]
    for index, _n, _t in commands:
        following = body[index + 1 : index + 2]
        if following and following[0][1].strip() and not following[0][1].startswith("$ "):
            with_output += 1
    report.commands = len(commands)
    if not commands:
        report.problems.append(
            Problem(
                first - 1,
                "no `$ <cmd>` line inside COMMANDS RUN: a judge that ran nothing is a reader, "
                "not a verifier",
            )
        )
    elif not with_output:
        report.problems.append(
            Problem(commands[0][1], "no `$ <cmd>` line is followed by its output")
        )


def check_verdict_text(text: str, path: str = "<verdict>") -> VerdictReport:
    report = VerdictReport(path=path)
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it is not a line of its own
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    _check_header(lines, report)
    section = _commands_section(lines, report)
    if section is not None:
        _check_section(lines, section[0], section[1], report)
    report.problems.sort(key=lambda p: p.line)
    return report


def check_verdict_file(path: Path) -> VerdictReport:
    data = _read_verdict(path)
    if isinstance(data, str):
        return VerdictReport(path=str(path), error=f"cannot read: {data}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return VerdictReport(path=str(path), error=f"cannot read: {exc}")
    return check_verdict_text(text, str(path))


def _read_verdict(path: Path) -> bytes | str:
    """The file's bytes, or why it cannot be a verdict. Opened non-blocking and checked by
    fstat first: a FIFO or a device named like a verdict must not hang the gate."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as exc:
        return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return "a folder, not a file"
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file (a FIFO, a socket or a device)"
        if info.st_size > MAX_VERDICT_BYTES:
            return f"{info.st_size:,} bytes: larger than a verdict ({MAX_VERDICT_BYTES >> 20} MB)"
        chunks: list[bytes] = []
        left = MAX_VERDICT_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            return f"grew past {MAX_VERDICT_BYTES >> 20} MB while it was read"
        return b"".join(chunks)
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        os.close(fd)


def text_lines(report: VerdictReport) -> list[str]:
    if report.error:
        return [f"{report.path}: error: {report.error}"]
    if report.valid:
        return [
            f"{report.path}: valid (VERDICT: {report.verdict}, judge_source: {report.judge_source})"
        ]
    return [f"{report.path}:{p.line}: {RULE} {RULE_NAME}: {p.message}" for p in report.problems]


def json_document(reports: list[VerdictReport]) -> dict[str, object]:
    return {
        "version": 1,
        "files": [
            {
                "path": r.path,
                "valid": r.valid,
                "verdict": r.verdict,
                "judge_source": r.judge_source,
                "commands": r.commands,
                "problems": [
                    {"rule": RULE, "name": RULE_NAME, "line": p.line, "message": p.message}
                    for p in r.problems
                ],
            }
            for r in reports
            if r.error is None
        ],
        "errors": [{"path": r.path, "message": r.error} for r in reports if r.error],
    }


def exit_code(reports: list[VerdictReport]) -> int:
    """0 all valid, 1 any invalid, 2 when a file could not be read (and none was invalid)."""
    if any(r.error is None and not r.valid for r in reports):
        return 1
    if any(r.error for r in reports):
        return 2
    return 0
