"""lefthook (evilmartians/lefthook) configs: `lefthook.yml`, `.lefthook.yml`, `lefthook-local.yml`,
`.lefthook-local.yml` (`.yaml`, `.json`, `.jsonc`, `.toml` too; guard/sources/detect.py decides
by name).

A top-level key that is a git hook's name, or any other whose mapping holds `commands:`,
`scripts:` or `jobs:` (a hook `lefthook run NAME` runs), is a hook. lefthook hands each of these
to `sh -c` (internal/run/controller/exec/exec_unix.go), in the repository (or the job's `root:`)
with lefthook's env plus the job's `env:` (a `group:`'s env reaches its jobs):
- `commands.<name>.run`;
- `scripts.<file>`: `RUNNER '<source_dir>/<hook>/<file>' ARGS` (build_script.go; with no
  `runner:` the script itself is the program);
- `jobs:` (lefthook 1.10 on): a job's `run:` with its `args:` after it (`run ARGS`, as
  build_command.go joins them), a `script:` as above, a `group:`'s `jobs:` as jobs;
- `setup: [{run: ...}]` before the hook's jobs, and `files:` (hook, job or command: the command
  whose output is `{files}`), each with no job env.
The order a hook runs them in is its session (Snippet.session, for CG401): setup, `jobs:` in
order, `commands:` then `scripts:` sorted as lefthook sorts them (`priority:`, a leading number,
then the name); a `parallel: true` hook's or group's jobs run at once: one step.

lefthook writes templates into the text before the shell reads it (replacer.go). One the file's
`templates:` declares is written in as its value (shell text, quotes and all: `'{x}'` quotes the
value, `{x}` of `a && b` is two commands), with joins that put what follows it back on its file
column. The others, whose values only a run knows (`{staged_files}`, `{push_files}`,
`{all_files}`, `{files}`, `{cmd}`, `{lefthook_job_name}`, the git arguments `{0}`, `{1}`...), are
masked as a variable of the same length, so every column stays put (as guard/sources/ciyaml.py
masks a CI system's templates). Any other `{word}` is left as written, as lefthook leaves it.

Stdin (run.go, exec_unix.go): a command gets lefthook's stdin only with `use_stdin: true`; else a
reader at EOF, or the terminal lefthook opens for `interactive: true` or a PTY when its output is
a terminal: never an idle pipe (Snippet.closed_stdin). With `use_stdin: true` in a git hook it
gets what git gives the hook (detect.hook_stdin: /dev/null, or the finite stream git feeds
pre-push and a few others); in a hook of lefthook's own (`lefthook run NAME`) the caller's stdin.

A `.jsonc` config is read as lefthook reads it: comments and trailing commas blanked (columns
kept), then JSON. A `.toml` one is read with tomllib, each string placed where its literal is
written (toml_nodes; a multi-line basic string's line-ending backslash folds lines, so columns
after one drift). A `.json` one's `\\ud800` escapes (Go makes a lone one U+FFFD) are read as
U+FFFD: YAML refuses them.

`rc: FILE`: the git hook script lefthook installs runs `[ -f FILE ] && . FILE` before lefthook,
so each job of a git hook (not of a hook of lefthook's own) runs after `. FILE` (CG103 when it
reaches codex). `extends:`/`remotes:` files are not read (a config that only extends another
is answered "no codex" from its own text: the other file is not linted as lefthook's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guard.fastclass import replace
from guard.sources.ciyaml import _Yaml
from guard.sources.detect import GIT_HOOK_NAMES, hook_stdin
from guard.sources.gitlab import Env, _Piece, _piece, _shell, flat_mapping
from guard.sources.snippet import RunContext, Snippet

# Hook names lefthook knows besides git's own (config/available_hooks.go)
_MORE_HOOKS = frozenset(
    {"proc-receive", "p4-changelist", "p4-prepare-changelist", "p4-post-changelist"}
    | {"p4-pre-submit", "post-index-change"}
)
_HOOK_KEYS = ("commands", "scripts", "jobs")
_BUILT_IN_TEMPLATES = ("staged_files", "push_files", "all_files", "files", "cmd")
_MAX_DEPTH = 64  # groups in groups: past any real file
_PLAIN_PATH = re.compile(r"[\w@%+=:,./-]+")


@dataclass(frozen=True)
class _Run:
    """One shell text lefthook runs: its head (`run:`, a script's `runner:`), the script it
    names, the `args:` after them, its env and stdin, and its step in the hook's session."""

    head: Any
    env: Env
    step: int
    stdin: tuple[bool, str | None] = (True, None)
    script: tuple[str, Any] | None = None  # (the script's path, the node that names it)
    args: Any = None


def _flag(y: _Yaml, node: Any, key: str) -> bool:
    """A boolean option (Go's strconv.ParseBool spellings of true)."""
    return (y.text(y.get(node, key)) or "").strip().lower() in ("true", "t", "1")


def _stdin(y: _Yaml, hook: str, job: Any) -> tuple[bool, str | None]:
    """(closed_stdin, stdin_stream) of a job: see the module's doc."""
    if not _flag(y, job, "use_stdin"):
        return True, None
    if hook == "proc-receive":  # receive-pack feeds it the pushed commands (githooks(5))
        return False, "what git feeds the proc-receive hook"
    if hook in GIT_HOOK_NAMES or hook == "post-index-change":
        return hook_stdin(hook)
    return False, None  # `lefthook run NAME`: the caller's stdin


def _order(y: _Yaml, items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """`commands:`/`scripts:` in lefthook's order (config/command.go, CommandsToJobs): those with
    a `priority:` first, lowest first; then by the name's leading number, then the name."""

    def key(item: tuple[str, Any]) -> tuple[int, int, int, int, str]:
        name, body = item
        try:
            priority = int(y.text(y.get(body, "priority")) or 0)
        except ValueError:
            priority = 0
        number = re.match(r"\d+", name)
        numbered = (0, int(number.group(0))) if number else (1, 0)
        return (0 if priority else 1, priority, *numbered, name)

    return sorted(items, key=key)


class _Hook:
    """Walks one hook's jobs into _Runs, in the order lefthook runs them."""

    def __init__(self, y: _Yaml, name: str, source_dir: str) -> None:
        self.y = y
        self.name = name
        self.source_dir = source_dir.rstrip("/") or "."
        self.step = 0
        self.runs: list[_Run] = []

    def next_step(self, parallel: bool) -> int:
        if not parallel or self.step == 0:
            self.step += 1
        return self.step

    def files(self, holder: Any, step: int) -> None:
        found = self.y.get(holder, "files")
        if self.y.text(found) is not None:  # run with no job env and no stdin (git/commander.go)
            self.runs.append(_Run(found, {}, step))

    def read(self, body: Any) -> None:
        y = self.y
        parallel = _flag(y, body, "parallel")
        self.files(body, 0)
        for item in y.seq(y.get(body, "setup")):
            run = y.get(item, "run")
            if y.text(run) is not None:
                self.runs.append(_Run(run, {}, self.next_step(False)))
        self.jobs(y.get(body, "jobs"), {}, parallel, 0)
        for _name, command in _order(y, y.pairs(y.get(body, "commands"))):
            y.count()
            step = self.next_step(parallel)
            self.files(command, step)
            run = y.get(command, "run")
            if y.text(run) is not None:
                env = y.env(y.get(command, "env"))
                self.runs.append(_Run(run, env, step, _stdin(y, self.name, command)))
        scripts = flat_mapping(y.get(body, "scripts"), 0, y.memo)
        keys = {str(key.value): key for key, _value in scripts}
        for name, script in _order(y, [(str(key.value), value) for key, value in scripts]):
            y.count()
            self.script(name, keys[name], script, {}, self.next_step(parallel))

    def script(self, name: str, key: Any, job: Any, env: Env, step: int) -> None:
        y = self.y
        path = f"{self.source_dir}/{self.name}/{name}"
        runner = y.get(job, "runner")
        own = {**env, **y.env(y.get(job, "env"))}
        head = runner if (y.text(runner) or "").strip() else None
        args = y.get(job, "args")
        args = args if (y.text(args) or "").strip() else None
        if head is None and args is None:
            return  # the script alone: a file of the repository, linted as that file
        stdin = _stdin(y, self.name, job)
        self.runs.append(_Run(head, own, step, stdin, (path, key), args))

    def jobs(self, jobs: Any, env: Env, parallel: bool, depth: int) -> None:
        y = self.y
        if depth > _MAX_DEPTH:
            return
        for job in y.seq(jobs):
            y.count()
            step = self.next_step(parallel)
            own = {**env, **y.env(y.get(job, "env"))}
            self.files(job, step)
            group = y.get(job, "group")
            if group is not None:
                inner = _flag(y, group, "parallel")
                self.jobs(y.get(group, "jobs"), own, inner, depth + 1)
                continue
            run = y.get(job, "run")
            if y.text(run) is not None and str(run.value).strip():
                args = y.get(job, "args")
                args = args if (y.text(args) or "").strip() else None
                self.runs.append(_Run(run, own, step, _stdin(y, self.name, job), args=args))
                continue
            script = y.get(job, "script")
            if (y.text(script) or "").strip():
                self.script(str(script.value), script, job, env, step)


def _templates(y: _Yaml, root: Any) -> tuple[re.Pattern[str], dict[str, str]]:
    """The pattern of every template lefthook fills in, and the declared ones' values."""
    declared: dict[str, str] = {}
    for name, value in y.pairs(y.get(root, "templates")):
        text = y.text(value)
        if text is not None and name:
            declared[name] = text
    names = [*_BUILT_IN_TEMPLATES, "lefthook_job_name", *declared]
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(r"\{(?:\d+|" + alternatives + r")\}"), declared


def masked_name(written: str) -> str:
    """The variable a template `{name}` is masked as, written in as many characters: `$_0` for
    `{0}`, `${_staged_fil}` for `{staged_files}`."""
    inner = re.sub(r"\W", "_", written[1:-1])
    if len(inner) <= 2:
        return "$_" + inner
    return "${_" + inner[: len(inner) - 2] + "}"


# Where a template's value written into a line moved the text after it: (row of the piece,
# column in the new row, column in the written row)
_Anchor = tuple[int, int, int]


class _Templates:
    """Fills in a piece's templates: a declared one's value written in (lefthook writes it into
    the text, quotes and all: `'{x}'` is its value quoted), any other masked (masked_name)."""

    def __init__(self, pattern: re.Pattern[str], declared: dict[str, str]) -> None:
        self.pattern = pattern
        self.declared = declared

    def piece(self, piece: _Piece) -> tuple[_Piece, list[_Anchor]]:
        if "{" not in piece.text:
            return piece, []
        anchors: list[_Anchor] = []
        rows = piece.text.split("\n")
        for index, row in enumerate(rows):
            out, done = [], 0
            for match in self.pattern.finditer(row):
                out.append(row[done : match.start()])
                done = match.end()
                written = match.group(0)
                value = self.declared.get(written[1:-1])
                if value is None or "\n" in value:
                    out.append(masked_name(written))
                    continue
                at = sum(len(part) for part in out)
                # each word of the value points at the template; what follows, at what followed
                words = [0, *(i + 1 for i, c in enumerate(value) if c == " ")]
                anchors.extend((index, at + i, match.start()) for i in words if i < len(value))
                anchors.append((index, at + len(value), match.end()))
                out.append(value)
            if out:
                rows[index] = "".join(out) + row[done:]
        from dataclasses import replace as replace_piece

        return replace_piece(piece, text="\n".join(rows)), anchors


def _anchored(snippet: Snippet, piece: _Piece, anchors: list[_Anchor]) -> Snippet:
    """Joins that put the text after a written-in value back where the file has it (a piece of
    plain lines; a folded one keeps its own joins and the drift)."""
    if not anchors or piece.folds is not None:
        return snippet
    joins = tuple(
        (
            snippet.line_offset + row + 1,
            column + 1,
            piece.line + row + 1,
            (piece.indent if row else piece.column) + written + 1,
        )
        for row, column, written in anchors
    )
    return replace(snippet, joins=(*snippet.joins, *joins))


def _append(snippet: Snippet, text: str, line: int, column: int) -> Snippet:
    """`snippet` with ` TEXT` added to its last line; TEXT (one line) sits at the file's 0-based
    `line` and `column` (a join: Snippet.joins)."""
    rows = snippet.text.split("\n")
    last = snippet.line_offset + len(rows)
    join = (last, len(rows[-1]) + 2, line + 1, column + 1)
    return replace(snippet, text=snippet.text + " " + text, joins=(*snippet.joins, join))


def _append_piece(snippet: Snippet, piece: _Piece) -> Snippet:
    """`snippet` with ` ARGS` added to its last line, as lefthook joins `run` and `args`; a line
    break in ARGS stays one (the shell reads it so), each later line on its own file line."""
    rows = piece.rows
    snippet = _append(snippet, rows[0], piece.line, piece.column)
    if len(rows) == 1:
        return snippet
    first = snippet.line_offset + snippet.text.count("\n") + 1
    places = [(first + i, piece.line + i + 1, piece.indent) for i in range(1, len(rows))]
    text = snippet.text + "\n" + "\n".join(rows[1:])
    return replace(snippet, text=text, line_map=(*snippet.line_map, *places))


def _quoted(path: str) -> str:
    """The script's path as lefthook writes it (shellescape.Quote)."""
    return path if _PLAIN_PATH.fullmatch(path) else "'" + path.replace("'", "'\"'\"'") + "'"


def _loaded_first(snippet: Snippet, rc: _Piece) -> Snippet:
    """`snippet` with `. RC; ` run before it, as lefthook's git hook script loads the rc file
    before it runs lefthook: written at the head of its first line, placed at the `rc:` value
    (Snippet.line_map), with a join that puts the line's own text back where the file has it."""
    first = snippet.line_offset + 1
    at = next((k for k, place in enumerate(snippet.line_map) if place[0] == first), None)
    if at is None:
        return snippet
    _line, file_line, shift = snippet.line_map[at]
    prefix = ". " + rc.text.strip() + "; "
    if "\n" in prefix:
        return snippet
    places = list(snippet.line_map)
    places[at] = (first, rc.line + 1, rc.column)
    joins = tuple(
        (line, column + len(prefix) if line == first else column, to_line, to_column)
        for line, column, to_line, to_column in snippet.joins
    )
    own = (first, len(prefix) + 1, file_line, shift + 1)
    return replace(snippet, text=prefix + snippet.text, line_map=tuple(places), joins=(own, *joins))


def _snippet(
    run: _Run, lines: list[str], path: str, templates: _Templates, rc: _Piece | None = None
) -> Snippet | None:
    snippet: Snippet | None = None
    if run.head is not None:
        piece, anchors = templates.piece(_piece(run.head, lines))
        snippet = _shell([piece], path, run.env, len(lines), (), RunContext.SCRIPT, "sh")
        snippet = _anchored(snippet, piece, anchors)
    if run.script is not None:
        script, key = run.script
        line, column = (key.start_mark.line, key.start_mark.column) if key is not None else (0, 0)
        if snippet is None:
            snippet = Snippet(
                _quoted(script),
                path,
                line,
                0,
                "sh",
                RunContext.SCRIPT,
                tuple((n, v, at) for n, (v, at) in run.env.items()),
                line_map=((line + 1, line + 1, column),),
            )
        else:
            snippet = _append(snippet, _quoted(script), line, column)
    if snippet is None:
        return None
    if run.args is not None:
        piece, _anchors = templates.piece(_piece(run.args, lines))  # a value in it: drift after
        snippet = _append_piece(snippet, piece)
    if rc is not None:
        snippet = _loaded_first(snippet, rc)
    closed, stream = run.stdin
    return replace(snippet, closed_stdin=closed, stdin_stream=stream)


def jsonc_to_json(text: str) -> str:
    """A `.jsonc` config as lefthook reads it (tidwall/jsonc ToJSON): `//` and `/* */` comments
    and a comma before `}` or `]` made blanks, every line break and column kept."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.extend(re.sub(r"[^\t\r]", " ", text[i:end]))
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end >= 0:
                out.extend(re.sub(r"[^\n\t\r]", " ", text[i : end + 2]))
                i = end + 2
                continue
            out.extend(text[i:])  # unclosed: left as it is, for the JSON error to name
            break
        char = text[i]
        out.append(char)
        i += 1
        if char == '"':
            while i < n:
                out.append(text[i])
                i += 1
                if out[-1] == "\\" and i < n:
                    out.append(text[i])
                    i += 1
                elif out[-1] == '"':
                    break
        elif char in "}]":
            for j in range(len(out) - 2, -1, -1):
                if out[j] > " ":
                    if out[j] == ",":
                        out[j] = " "
                    break
    return "".join(out)


# A TOML string literal: multi-line basic or literal, basic, literal (tomllib decodes it)
_TOML_STRING = re.compile(
    r'"""(?:[^\\]|\\[\s\S])*?"{3,5}|\'\'\'[\s\S]*?\'{3,5}|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
)


def _toml_strings(text: str) -> list[tuple[str, int, int, str | None]]:
    """Each string literal of a TOML text in order: (its value, 0-based line and column, the
    YAML style that places its text: `"`, the column of its quote, the text one after; None,
    where its text starts: a multi-line string's, after its quotes or their line break)."""
    import tomllib

    found: list[tuple[str, int, int, str | None]] = []
    for match in _TOML_STRING.finditer(text):
        literal = match.group(0)
        if literal.startswith("#"):
            continue  # a comment
        try:
            value = tomllib.loads("x = " + literal)["x"]
        except (tomllib.TOMLDecodeError, ValueError):
            continue
        start = match.start()
        if literal.startswith(('"""', "'''")):
            start += 3
            style: str | None = None
            if text.startswith("\n", start) or text.startswith("\r\n", start):
                start = text.index("\n", start) + 1  # TOML trims a break right after the quotes
        else:
            style = '"'
        line = text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1)
        found.append((str(value), line, column, style))
    return found


def toml_nodes(text: str) -> Any:
    """A TOML config as the YAML nodes this reader walks: each string a scalar placed where its
    literal is written (the first unused literal of its value, in document order); other values
    as their text, at the top."""
    import tomllib

    import yaml

    from guard.sources.base import SourceError

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        raise SourceError(f"not valid TOML: {str(exc).split(' (at ')[0]}", line, column) from None
    except (RecursionError, ValueError) as exc:
        raise SourceError(f"not valid TOML: {type(exc).__name__}") from None
    strings = _toml_strings(text)
    used: set[int] = set()
    top = yaml.Mark("toml", 0, 0, 0, None, 0)

    def scalar(value: object) -> Any:
        if isinstance(value, str):
            at = next((i for i, s in enumerate(strings) if i not in used and s[0] == value), None)
            if at is not None:
                used.add(at)
                _value, line, column, style = strings[at]
                mark = yaml.Mark("toml", 0, line, column, None, 0)
                return yaml.ScalarNode("tag:yaml.org,2002:str", value, mark, mark, style)
            return yaml.ScalarNode("tag:yaml.org,2002:str", value, top, top)
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return yaml.ScalarNode("tag:yaml.org,2002:str", shown, top, top)

    def node(value: object, depth: int) -> Any:
        if depth > 64:
            return scalar("")
        if isinstance(value, dict):
            pairs = [(scalar_key(k), node(v, depth + 1)) for k, v in value.items()]
            return yaml.MappingNode("tag:yaml.org,2002:map", pairs, top, top)
        if isinstance(value, list):
            items = [node(v, depth + 1) for v in value]
            return yaml.SequenceNode("tag:yaml.org,2002:seq", items, top, top)
        return scalar(value)

    def scalar_key(key: str) -> Any:
        """A key, placed at its first `KEY =` (or `"KEY" =`) in the text: an `env` name's line
        is where CG101 says the key is set."""
        written = re.search(rf"(?m)(?:^|[{{,.\s])[\"']?({re.escape(key)})[\"']?[ \t]*=", text)
        mark = top
        if written is not None:
            start = written.start(1)
            line = text.count("\n", 0, start)
            mark = yaml.Mark("toml", 0, line, start - (text.rfind("\n", 0, start) + 1), None, 0)
        return yaml.ScalarNode("tag:yaml.org,2002:str", key, mark, mark)

    return node(document, 0)


_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def _surrogates_replaced(text: str) -> str:
    """JSON text with each `\\uD800`-`\\uDFFF` escape written as `\\uFFFD` (columns kept): YAML
    refuses them. One alone is U+FFFD as Go's encoding/json (lefthook's `.json` reader) decodes
    it; a pair's character, outside the BMP, is no letter of a program's name nor shell syntax,
    so two U+FFFD stand for it here."""
    if "\\u" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return "\\ufffd" if code and 0xD800 <= int(code, 16) <= 0xDFFF else match.group(0)

    return _JSON_ESCAPE.sub(one, text)


def _is_hook(y: _Yaml, name: str, body: Any) -> bool:
    if name in GIT_HOOK_NAMES or name in _MORE_HOOKS:
        return True
    return "." not in name and any(y.get(body, key) is not None for key in _HOOK_KEYS)


def extract(text: str, path: str) -> list[Snippet]:
    import yaml

    from guard.sources.yamlnodes import compose

    lower = path.lower()
    if lower.endswith((".json", ".jsonc")):
        from guard.sources import jsonplaces

        if lower.endswith(".jsonc"):
            text = jsonc_to_json(text)
        jsonplaces.load(text, "JSON")  # a SourceError (CG901) at the syntax error
        text = text.replace("\t", " ")  # JSON is YAML but for a tab between tokens (columns kept)
        text = _surrogates_replaced(text)  # and for `\ud800`
    root = toml_nodes(text) if lower.endswith(".toml") else compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    y = _Yaml()
    lines = text.split("\n")
    templates = _Templates(*_templates(y, root))
    source_dir = y.text(y.get(root, "source_dir")) or ".lefthook"
    # `rc: FILE`: the git hook script lefthook installs runs `[ -f FILE ] && . FILE` before it
    # runs lefthook (its hook template: "Load rc file, which may export ENV variables")
    rc_node = y.get(root, "rc")
    rc = _piece(rc_node, lines) if (y.text(rc_node) or "").strip() else None
    snippets: list[Snippet] = []
    for name, body in y.pairs(root):
        if not isinstance(body, yaml.MappingNode) or not _is_hook(y, name, body):
            continue
        hook = _Hook(y, name, source_dir)
        hook.read(body)
        git_hook = name in GIT_HOOK_NAMES or name in _MORE_HOOKS
        for run in hook.runs:
            snippet = _snippet(run, lines, path, templates, rc if git_hook else None)
            if snippet is not None and snippet.text.strip():
                session = ((f"lefthook {name}", run.step),) if run.step else ()
                snippets.append(replace(snippet, session=session))
    return snippets
