"""Dockerfile `RUN`, `CMD` and `ENTRYPOINT` instructions: one snippet each.

Shell form: continuations (a trailing backslash) are followed, comment lines inside them are
blanked (Docker drops them), `RUN --mount=...` style flags are blanked, and `RUN <<EOF` here-doc
bodies are the script. Exec form (`RUN ["codex", "exec", ...]`, a JSON array) runs its argv with no
shell: each element becomes one quoted word, so `$VAR` and `</dev/null` stay the literal text
Docker passes. An array that is not valid JSON is shell form, as Docker reads it. An exec-form
`ENTRYPOINT` with an exec-form `CMD` in the same stage runs as one argv (the CMD is appended):
that pair is one snippet at the CMD, not two halves. An exec-form `ENTRYPOINT` with no `CMD` gets
the arguments `docker run IMAGE ARGS...` appends, unknown here: `"$@"` after its argv.

Environment (Docker's reference, ENV and ARG): `ENV` keys are in every later `RUN`, `CMD` and
`ENTRYPOINT` of the stage; `ARG` names (with or without a default) are in the environment of the
stage's later `RUN` lines only, not in the image's runtime. `FROM` starts a stage: it inherits the
ENV and ARGs of an earlier stage it names (`FROM build AS test`), else nothing; an `ARG` before
the first `FROM` is in a stage only where the stage declares `ARG NAME` again.
`SHELL ["/bin/bash", "-c"]` makes later shell forms bash.

Docker does not expand `$NAME` in a shell-form RUN itself: the shell does, from that environment.
So the same names and values are also the snippet's known ``values``:
`ARG SANDBOX=danger-full-access` then `RUN codex exec -s $SANDBOX ...` is read as
`-s danger-full-access`.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from guard.sources.base import shebang_dialect
from guard.sources.snippet import RunContext, Snippet

_INSTRUCTION = re.compile(r"^\s*(?P<word>[A-Za-z]+)(?P<sep>\s+)")
_FLAG = re.compile(r"--[a-z-]+=\S*\s+")
_HEREDOC = re.compile(r"^<<-?\s*(?P<q>['\"]?)(?P<tag>[A-Za-z_][A-Za-z0-9_]*)(?P=q)\s*$")
_ENV_PAIR = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>\"[^\"]*\"|'[^']*'|\S*)")
_ARG = re.compile(
    r"(?:^|(?<=\s))(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:=(?P<value>\"[^\"]*\"|'[^']*'|\S*))?(?=\s|$)"
)
_FROM = re.compile(r"^(?:--\S+\s+)*(?P<image>\S+)(?:\s+[Aa][Ss]\s+(?P<name>\S+))?")
# A JSON string as written: kept in place when the shell reads it as the same word.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')

Env = list[tuple[str, str, int]]


@dataclass(frozen=True)
class _Continued:
    """An instruction's arguments over its continuation lines, joined as Docker joins them: each
    `\\` + newline is two blanks, so an offset in `text` still tells the file line it sits on."""

    text: str
    line: int  # the file line (1-based) of the instruction
    breaks: tuple[int, ...]  # offsets in `text` where a continued line ends

    def line_at(self, offset: int) -> int:
        return self.line + sum(1 for end in self.breaks if end < offset)


def _continued(lines: list[str], index: int, rest: str) -> tuple[_Continued, int]:
    """`rest` of the instruction at `index` through its continuations; the index of its last
    line. An `ENV`/`ARG` read on its first line alone loses every key after a `\\`."""
    body, last = _logical(lines, index, rest)
    raw = "\n".join(body)
    breaks = tuple(m.start() for m in re.finditer(r"\\\n", raw))
    return _Continued(re.sub(r"\\\n", "  ", raw), index + 1, breaks), last


def _env_pairs(rest: _Continued, known: dict[str, str] | None = None) -> Env:
    """An ENV's pairs, each value with the `$NAME`/`${NAME}` Docker expands in it (outside
    single quotes) from ``known``, the ENV and ARG values before this instruction."""
    known = {} if known is None else known
    text = rest.text.strip() or "_"
    if "=" not in text.split(None, 1)[0]:  # legacy form: `ENV NAME value` (the rest is the value)
        parts = text.split(None, 1)
        value = parts[1].strip() if len(parts) > 1 else ""
        return [(parts[0], _docker_expanded(value, known), rest.line)]
    return [
        (
            m.group("name"),
            _docker_expanded(m.group("value"), known).strip("\"'"),
            rest.line_at(m.start()),
        )
        for m in _ENV_PAIR.finditer(rest.text)
    ]


# Docker's own substitution in ENV (Dockerfile reference, "Environment replacement": `$name`
# and `${name}`, from the ENV and ARG before the instruction, "the same value for each
# variable throughout the entire instruction"); other forms (`${a:-b}`, `\$`) are not read
_DOCKER_REF = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def _docker_expanded(value: str, known: dict[str, str]) -> str:
    """``value`` with each `$NAME` whose value is known written in (a name not known, one
    whose value is not known, a single-quoted value or an escaped `\\$` stay as written: the
    value stays unknown)."""
    if "$" not in value or value.startswith("'") or "\\$" in value:
        return value

    def written(m: re.Match[str]) -> str:
        found = known.get(m.group("braced") or m.group("bare"))
        return m.group(0) if found is None or "$" in found else found

    return _DOCKER_REF.sub(written, value)


def _latest(env: Env) -> tuple[tuple[str, str, int, str], ...]:
    """The value each name holds when the instruction runs: the last ENV or ARG that set it (an
    ARG default is one reachable value: a `--build-arg` may give another, which is unknown)."""
    last = {name: (name, value, line, name) for name, value, line in env}
    # (Docker's own `$OTHER` in an ENV value is written in when known: _docker_expanded)
    return tuple(v for v in last.values() if "$" not in v[1])


def exec_form(text: str) -> list[str] | None:
    """The argv of an exec-form instruction, or None when it is shell form (not a JSON list of
    strings, which Docker then runs with the shell)."""
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value


def argv_line(raw: str, argv: list[str]) -> str:
    """The argv as one shell line of quoted words. On a one-line array each JSON string that the
    shell reads as the same word (no `$`, backtick or backslash) stays where it is, so columns
    are exact; anything else is quoted with shlex (same words, later columns shift)."""
    tokens = list(_JSON_STRING.finditer(raw))
    if len(tokens) != len(argv) or "\n" in raw:
        return " ".join(shlex.quote(arg) for arg in argv)
    out: list[str] = []
    cursor = 0
    for token, arg in zip(tokens, argv, strict=True):
        out.append(" " * (token.start() - cursor))
        word = token.group(0)
        out.append(word if not re.search(r"[$`\\]", word) else shlex.quote(arg))
        cursor = token.end()
    return "".join(out)


@dataclass
class _Stage:
    env: Env = field(default_factory=list)  # ENV: build and runtime
    args: Env = field(default_factory=list)  # ARG: build (RUN) only
    dialect: str = "sh"
    entrypoint: tuple[int, int, str, list[str] | None] | None = None  # line, column, raw, argv
    cmd: tuple[int, int, str, list[str] | None] | None = None


def _logical(lines: list[str], index: int, head: str) -> tuple[list[str], int]:
    """An instruction's lines from `head` on, through its backslash continuations (a comment
    line inside is dropped by Docker: it is blanked and does not end the continuation)."""
    body = [head]
    while body[-1].rstrip().endswith("\\") and index + 1 < len(lines):
        index += 1
        line = lines[index]
        body.append("\\" if line.lstrip().startswith("#") else line)
    return body, index


def _unflagged(head: str) -> str:
    """`--mount=... --network=none cmd` -> blanks then `cmd` (columns kept)."""
    while True:
        flag = _FLAG.match(head)
        if not flag:
            return head
        head = " " * flag.end() + head[flag.end() :]


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        self.lines = text.split("\n")
        self.path = path
        self.snippets: list[Snippet] = []
        self.global_args: Env = []
        self.stage = _Stage()
        self.stages: dict[str, _Stage] = {}
        self.seen_from = False

    def snippet(
        self, text: str, line: int, column: int, env: Env, closed_stdin: bool = False
    ) -> None:
        dialect = self.stage.dialect
        self.snippets.append(
            Snippet(
                text,
                self.path,
                line,
                column,
                dialect,
                RunContext.SCRIPT,
                tuple(env),
                values=_latest(env),
                # ENV (and, for a RUN, ARG) is the instruction's environment: a child shell
                # sees it too (`RUN bash -c '$RUNNER ...'`)
                values_exported=True,
                closed_stdin=closed_stdin,
            )
        )

    def end_stage(self) -> None:
        """An exec-form ENTRYPOINT with an exec-form CMD runs as one argv; otherwise each alone."""
        entry, cmd = self.stage.entrypoint, self.stage.cmd
        if entry and cmd and entry[3] is not None and cmd[3] is not None:
            self.snippet(argv_line("", entry[3] + cmd[3]) + "\n", cmd[0], 0, self.stage.env)
            return
        for part in (entry, cmd):
            if part is not None:
                line, column, raw, argv = part
                text = argv_line(raw, argv) if argv is not None else raw
                if part is entry and argv is not None and cmd is None:
                    # `docker run IMAGE ARGS...` appends ARGS to an exec-form ENTRYPOINT: words
                    # not known here (a prompt, flags), as a script's "$@" is.
                    text += ' "$@"'
                self.snippet(text + "\n", line, column, self.stage.env)

    def start_stage(self, rest: str, line: int) -> None:
        self.end_stage()
        self.seen_from = True
        match = _FROM.match(rest)
        base = self.stages.get(match.group("image")) if match else None
        if base is None:
            self.stage = _Stage()
        else:  # a child stage starts from its parent's ENV, ARGs and SHELL
            self.stage = _Stage(list(base.env), list(base.args), base.dialect)
        if match and match.group("name"):
            self.stages[match.group("name")] = self.stage

    def declare_args(self, rest: _Continued) -> None:
        """`ARG A=1 B` declares each name it lists (on continuation lines too)."""
        for match in _ARG.finditer(rest.text):
            self.declare_arg(match.group("name"), match.group("value"), rest.line_at(match.start()))

    def declare_arg(self, name: str, value: str | None, line: int) -> None:
        if not self.seen_from:
            self.global_args.append((name, (value or "").strip("\"'"), line))
            return
        if value is None:  # `ARG NAME` in a stage takes the global default, if any
            value = next((v for n, v, _ in self.global_args if n == name), "")
        self.stage.args.append((name, value.strip("\"'"), line))

    def read(self) -> list[Snippet]:
        index = 0
        while index < len(self.lines):
            index = self.instruction(index) + 1
        self.end_stage()
        return self.snippets

    def instruction(self, index: int) -> int:
        """Read the instruction at `index`; the index of its last line."""
        match = _INSTRUCTION.match(self.lines[index])
        if match is None:
            return index
        word = match.group("word").upper()
        rest = self.lines[index][match.end() :]
        if word == "FROM":
            self.start_stage(rest, index + 1)
        elif word == "ENV":
            continued, index = _continued(self.lines, index, rest)
            # (ENV overrides an ARG of the same name; the last of each counts)
            # (an ARG with no default holds what `--build-arg` gives: not known)
            known = {n: v for n, v, _ in self.stage.args if v}
            known.update((n, v) for n, v, _ in self.stage.env)
            self.stage.env.extend(_env_pairs(continued, known))
        elif word == "ARG":
            continued, index = _continued(self.lines, index, rest)
            self.declare_args(continued)
        elif word == "SHELL":
            argv = exec_form(rest.strip())
            if argv:
                self.stage.dialect = shebang_dialect("#!" + argv[0])
        elif word in ("RUN", "CMD", "ENTRYPOINT"):
            return self.command(word, index, match.end())
        return index

    def command(self, word: str, index: int, start: int) -> int:
        first = index
        head = _unflagged(self.lines[index][start:]) if word == "RUN" else self.lines[index][start:]
        column = start + (len(head) - len(head.lstrip()))
        head = head.lstrip()
        heredoc = _HEREDOC.match(head) if word == "RUN" else None
        if heredoc:
            body: list[str] = []
            index += 1
            while index < len(self.lines) and self.lines[index].strip() != heredoc.group("tag"):
                body.append(self.lines[index])
                index += 1
            self.snippet("\n".join(body) + "\n", first + 1, 0, self.stage.env + self.stage.args)
            return index
        body, index = _logical(self.lines, index, head)
        raw = "\n".join(body)
        joined = re.sub(r"\\\n", " ", raw)  # Docker joins continued lines before reading JSON
        argv = exec_form(joined.strip())
        if word == "RUN":
            text = argv_line(raw, argv) if argv is not None else raw
            # `docker build` gives a RUN no stdin (/dev/null; podman/buildah too since buildah
            # #2708): a positional prompt there cannot hang, as it can in a container that
            # `docker run -i` feeds. (A `RUN <<EOF` script is left as it was read.)
            env = self.stage.env + self.stage.args
            self.snippet(text + "\n", first, column, env, closed_stdin=True)
        else:  # runs when the container starts: only the last of each in a stage counts
            part = (first, column, raw, argv)
            if word == "CMD":
                self.stage.cmd = part
            else:
                self.stage.entrypoint = part
        return index


def extract(text: str, path: str) -> list[Snippet]:
    return _Reader(text, path).read()
