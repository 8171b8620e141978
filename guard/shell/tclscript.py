"""expect's Tcl programs: the shell lines they run (`spawn`, an `exec` pipeline, `system`, a
codex line `send` types into a spawned shell), read as Tcl parses a script (a comment, a quoted
word, a braced body, `[...]`, `eval` and its kin)."""

from __future__ import annotations

from guard.lazyre import lazy_compile
from guard.shell.wrappers import SHELLS, basename, is_name

# expect(1): "spawn [args] program [args] creates a new process running program args"; Tcl's
# `exec` runs a pipeline of programs; expect's "system args gives args to sh(1) as input, just
# as if it had been typed as a command from a terminal"; Tcl's `open "|cmd args"` runs a
# pipeline ("the remaining characters of fileName are treated as a list of arguments that
# describe a command pipeline to invoke, in the same style as the arguments for exec"). Each
# expect command is also named with an `exp_` prefix (libexpect(3): "aliases beginning with
# "exp_" are always created for expect commands", `exp_spawn`). The program is read as Tcl
# reads it (Tcl(n), checked with tclsh 8.6): a command starts on a line, after `;`, inside
# `[...]` or a braced body run as a script; a `#` where a command starts is a comment to the end
# of the line (`;` inside it ends nothing); a quoted word is one word whatever it holds.
_TCL_VERBS = frozenset({"spawn", "exec", "system", "send", "set", "unset", "open"})
_TCL_ALIASES = {"exp_spawn": "spawn", "exp_system": "system", "exp_send": "send"}
# Commands whose braced words are text, not a script (what they print or log)
_TCL_PRINTS = frozenset(
    {"puts", "send_user", "send_error", "send_log", "send_tty", "exp_send_user"}
    | {"exp_send_error", "exp_send_log", "exp_send_tty", "log_file", "comment"}
)
_TCL_MAX_DEPTH = 64  # braces, brackets and evals walked: past any real script
_SPAWN_FLAGS = frozenset({"-noecho", "-console", "-nottycopy", "-nottyinit", "-leaveopen"})
_TCL_UNKNOWN = '"${tcl_word}"'  # a Tcl word with a `$var` or `[cmd]` in it: known only then
_TCL_REDIRECT = lazy_compile(r"[0-9]?(?:<<?|>>?&?|2>>?|>&|2>@1|<@|>@)")


def expect_lines(code: str) -> list[str]:
    """The shell lines the Tcl program ``code`` runs through expect (expect_command_lines)."""
    return [line for _at, line in expect_command_lines(code)]


def expect_command_lines(code: str) -> list[tuple[int, str]]:
    """The shell lines the Tcl program ``code`` runs through expect, each with the 0-based line
    of ``code`` where its Tcl command starts: each `spawn PROGRAM ARGS` and each command of an
    `exec` or `open "|..."` pipeline as an argv (shell-quoted), each `system TEXT` as its text.
    Where codex is named in text this reading does not place (a word known only when Tcl runs,
    `send "codex ...\r"` typed into a spawned ssh), a line whose program is unknown stands for
    it (CG902), never silence."""
    import shlex

    found: list[tuple[int, str]] = []
    spawned: list[str | None] = []  # the programs spawned (None: known only when Tcl runs)
    # `set env(K) V`: Tcl's env array is the process's environment, which what it starts gets
    env: dict[str, str] = {}
    for at, words, raw in _TclReader(code).commands():
        verb = _TCL_ALIASES.get(words[0] or "", words[0] or "")
        words = words[1:]
        lines: list[str] = []
        if verb in ("set", "unset"):
            name = words[0] if words else None
            if name is not None and name.startswith("::"):
                name = name[2:]
            if name is not None and name.startswith("env(") and name.endswith(")"):
                value = words[1] if len(words) > 1 else ""
                if verb == "unset":
                    env.pop(name[4:-1], None)
                elif len(words) > 1:
                    env[name[4:-1]] = _TCL_UNKNOWN if value is None else shlex.quote(value)
            continue
        if verb == "send":
            _typed_lines(words, spawned, lines)
        elif verb == "system":
            lines.append(" ".join(_TCL_UNKNOWN if w is None else w for w in words))
        else:
            if verb == "spawn":
                while (words and words[0] in _SPAWN_FLAGS) or words[:1] == ["-ignore"]:
                    words = words[2:] if words[0] == "-ignore" else words[1:]
                if not words or words[0] in ("-open", "-pty"):
                    continue  # a channel or a bare pty: no program
                spawned.append(words[0])
                commands = [words]
            elif verb == "open":
                # `open "|cmd args" r`: the pipeline of the list after the `|`
                first = (words[0] if words and words[0] is not None else "") or (
                    raw[1][1:-1] if len(raw) > 1 and raw[1][:1] == '"' else ""
                )  # (a quoted word known only when Tcl runs: its text as written)
                if not first.startswith("|"):
                    continue  # a file
                piped = _TclReader(first[1:]).words_of_list()
                commands = _tcl_pipeline(piped)
            else:
                while words and words[0] in ("-ignorestderr", "-keepnewline", "--"):
                    words = words[1:]
                commands = _tcl_pipeline(words)
            for argv in commands:
                if argv:
                    quoted = (_TCL_UNKNOWN if w is None else shlex.quote(w) for w in argv)
                    lines.append(" ".join(quoted))
        exports = "".join(f"export {k}={v}; " for k, v in env.items() if is_name(k))
        found.extend((at, exports + line) for line in lines)
    return found


_SEND_FLAGS = frozenset({"-s", "-h", "-raw", "-null", "-break", "--"})


def _typed_lines(words: list[str | None], spawned: list[str | None], lines: list[str]) -> None:
    """`send TEXT` types TEXT into the spawned program: into a shell spawned here (`spawn bash`)
    each line typed runs (as `tmux send-keys`); into anything else that may run it (`spawn ssh
    host`, a program known only when Tcl runs) a codex line typed is not followed: a line whose
    program is unknown stands for it (CG902). A text that does not name codex is passed over."""
    while (words and words[0] in _SEND_FLAGS) or words[:1] == ["-i"]:
        words = words[2:] if words[0] == "-i" else words[1:]
    text = " ".join(w if w is not None else "${tcl_word}" for w in words)
    if "codex" not in text.lower() or not spawned:
        return
    import shlex

    unseen = f"{_TCL_UNKNOWN} {shlex.quote(text)}"  # an unknown program handed the text
    if any(p is not None and basename(p) in SHELLS for p in spawned):
        typed = text.replace("\r", "\n").split("\n")
        lines.extend(line for line in typed[:-1] if line.strip())  # (a line ends when typed)
        if typed[-1].strip() and not typed[:-1]:
            lines.append(unseen)  # typed, not yet entered: known only when it is
        return
    lines.append(unseen)


def _tcl_pipeline(words: list[str | None]) -> list[list[str | None]]:
    """An `exec` argument list as its pipeline's commands: split at `|`/`|&`, each without its
    redirections (`< f`, `2>@1`) and a trailing `&`."""
    commands: list[list[str | None]] = [[]]
    skip = False
    for w in words:
        if skip:
            skip = False
            continue
        if w in ("|", "|&"):
            commands.append([])
        elif w == "&":
            continue
        elif w is not None and _TCL_REDIRECT.fullmatch(w.split("|")[0] if w else w):
            # `> f` takes the next word; `>f`, `2>@1` hold their target
            skip = _TCL_REDIRECT.fullmatch(w) is not None and not w.endswith("@1")
        else:
            commands[-1].append(w)
    return commands


def _tcl_script_words(words: list[str | None]) -> list[str | None] | None:
    """The words a Tcl command joins into a script it runs (Tcl(n): `eval arg ?arg ...?`,
    `uplevel ?level? arg ...`, `namespace eval ns arg ...`, `after ms script ?script ...?`),
    or None."""
    verb = words[0]
    if verb == "eval":
        return words[1:]
    if verb == "uplevel":
        level = words[1] if len(words) > 2 else None
        skip = level is not None and (level.isdigit() or level[:1] == "#")
        return words[2:] if skip else words[1:]
    if verb == "namespace" and words[1:2] == ["eval"]:
        return words[3:]
    if verb == "after" and len(words) > 2 and (words[1] or "").isdigit():
        return words[2:]
    return None


class _TclReader:
    """The commands of a Tcl script as Tcl's parser finds them (Tcl(n) rules 1-11): each with
    the 0-based line it starts on, its words (the text, or None where a `$` or `[...]`
    substitution makes it known only when Tcl runs) and each word's raw text. A command inside
    `[...]` comes before the one it is part of (Tcl runs it first); a braced word of any
    command but a print is read as a script after it (an `if`/`proc`/`catch`/`foreach` body, an
    `expect` action: what is run is not known here, so any may be); an `eval`'s words are read
    as the script they join into. Only the commands of _TCL_VERBS are kept."""

    def __init__(self, code: str, line: int | None = None) -> None:
        self.code = code
        self.line = line  # a fixed line for every command (an eval's joined text)
        self.newlines: list[int] | None = None
        self.found: list[tuple[int, list[str | None], list[str]]] = []

    def commands(self) -> list[tuple[int, list[str | None], list[str]]]:
        self._script(0, len(self.code), False, 0)
        return self.found

    def words_of_list(self) -> list[str | None]:
        """The words of a Tcl list (an `open "|..."` pipeline), read as a command's words."""
        words, _raw, _spans, _end = self._words(0, len(self.code), False, _TCL_MAX_DEPTH)
        return words

    def _at(self, i: int) -> int:
        if self.line is not None:
            return self.line
        if self.newlines is None:
            self.newlines = [k for k, c in enumerate(self.code) if c == "\n"]
        from bisect import bisect_left

        return bisect_left(self.newlines, i)

    def _script(self, i: int, end: int, bracket: bool, depth: int) -> int:
        code = self.code
        while i < end:
            c = code[i]
            if c in " \t\r\n;":
                i += 1
                continue
            if c == "\\" and code[i + 1 : i + 2] == "\n":
                i += 2
                continue
            if bracket and c == "]":
                return i + 1
            if c == "#":  # a comment: to the end of the line (a backslash-newline goes on)
                while i < end and code[i] != "\n":
                    i += 2 if code[i] == "\\" else 1
                continue
            start = i
            words, raw, spans, i = self._words(i, end, bracket, depth)
            self._command(start, words, raw, spans, depth)
            if bracket and i < end and code[i] == "]":
                return i + 1
        return min(i, end)

    def _command(
        self,
        start: int,
        words: list[str | None],
        raw: list[str],
        spans: list[tuple[int, int]],
        depth: int,
    ) -> None:
        if not words:
            return
        verb = words[0] or ""
        if verb in _TCL_VERBS or verb in _TCL_ALIASES:
            self.found.append((self._at(start), words, raw))
        if depth >= _TCL_MAX_DEPTH:
            return
        script = _tcl_script_words(words)
        if script is not None:
            # eval (and uplevel, namespace eval, after) joins its words with spaces and runs
            # the result (an unknown word stays one)
            text = " ".join("$tcl_word" if w is None else w for w in script)
            inner = _TclReader(text, self._at(start))
            inner._script(0, len(text), False, depth + 1)
            self.found.extend(inner.found)
            return
        if verb in _TCL_PRINTS:
            return
        for word, (begin, stop) in zip(words[1:], spans[1:], strict=True):
            if word is not None and self.code[begin : begin + 1] == "{":
                self._script(begin + 1, stop, False, depth + 1)

    def _words(
        self, i: int, end: int, bracket: bool, depth: int
    ) -> tuple[list[str | None], list[str], list[tuple[int, int]], int]:
        """The words of the command from ``i`` to its end (a newline, `;`, or in a bracket the
        `]` that closes it): each word, its raw text, its span (a braced word's: inside its
        braces); and where the command ends."""
        code = self.code
        words: list[str | None] = []
        raw: list[str] = []
        spans: list[tuple[int, int]] = []
        while i < end:
            c = code[i]
            if c in " \t\r":
                i += 1
                continue
            if c == "\\" and code[i + 1 : i + 2] == "\n":
                i += 2
                continue
            if c in "\n;" or (bracket and c == "]"):
                break
            start = i
            if c == "{":
                level, j = 1, i + 1
                while j < end and level:
                    d = code[j]
                    if d == "\\":
                        j += 2
                        continue
                    level += 1 if d == "{" else -1 if d == "}" else 0
                    j += 1
                j = min(j, end)
                inside_end = j - 1 if not level else j  # (unclosed: to the end)
                words.append(code[i + 1 : inside_end])
                raw.append(code[start:j])
                spans.append((start, inside_end))
                i = j
                continue
            quoted = c == '"'
            j = i + 1 if quoted else i
            text: list[str] = []
            known = True
            while j < end:
                d = code[j]
                if quoted and d == '"':
                    j += 1
                    break
                if not quoted and (d in " \t\r\n;" or (bracket and d == "]")):
                    break
                if d == "\\" and j + 1 < end:
                    text.append({"n": "\n", "r": "\r", "t": "\t"}.get(code[j + 1], code[j + 1]))
                    j += 2
                    continue
                if d == "[":
                    known = False
                    if depth < _TCL_MAX_DEPTH:
                        j = self._script(j + 1, end, True, depth + 1)
                    else:
                        j += 1
                    continue
                if d == "$":
                    known = False
                text.append(d)
                j += 1
            j = min(j, end)
            words.append("".join(text) if known else None)
            raw.append(code[start:j])
            spans.append((start, j))
            i = j
        return words, raw, spans, i
