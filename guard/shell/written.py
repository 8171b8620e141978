"""Scripts a here-doc (or an `echo`/`printf` of literal text) writes now and the script runs later.

Dispatch scripts often write a runner and start it detached::

    cat > runner.sh <<'EOF'
    codex exec ... - < prompt.md
    EOF
    nohup bash runner.sh &

or print it there: `echo 'codex exec ...' > run.sh`, `printf '%s\n' '...' >> run.sh`,
`echo '...' | tee run.sh`. A `>>` (or `tee -a`) adds its text to what the file holds: each
piece is walked in turn, at its own place.

The runner's text is in the file being linted, so it is linted as the script it becomes: where the
same script later runs the file (`bash F`, `sh F`, `nohup bash F &`, `./F`, `source F`, `. F`), its
body is walked as that run (the wrappers, env and stdin of the command that starts it); a file
named `*.sh` that is never run here is still a script someone runs, and is walked on its own at
the end. Each body is walked once. Positions are the body's own place in the file.

A quoted here-doc (`<<'EOF'`) is written as is. An unquoted one has its `$VAR`s expanded when it
is written: they stay unknown words in the runner (its new shell does not see the writer's
variables), never guessed to be codex.

This module is the walker's stage for them (bound as methods in walk.py): the bookkeeping of which
command writes which file and which command runs one, and the walk of each body.
"""

from __future__ import annotations

import posixpath

from guard.fastclass import dataclass, field, replace
from guard.shell.model import Command, StdinKind, Word, Wrapper
from guard.shell.redirs import cat_copies_only_stdin
from guard.shell.runctx import _Ctx
from guard.shell.scope import State
from guard.shell.unwrap import AT_JOB_STDIN, MAX_BODY_DEPTH
from guard.shell.words import printf_format_text
from guard.shell.wrappers import (
    SHELLS,
    at_job_file,
    at_reads_script_from_stdin,
    basename,
    shell_reads_script_from_stdin,
    ssh_reads_script_from_stdin,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Protocol

    from guard.shell.redirs import _Redirs
    from guard.shell.runctx import TextWalker
    from guard.shell.wrappers import Peeled

    class ScriptWalker(TextWalker, Protocol):
        """What written scripts need of the walker, and nothing more: the files written so far,
        the re-parse of a body (``run_text``), the commands so far, and the ones whose program
        is unknown (a run of a written file is known after all)."""

        written: WrittenScripts
        cmds: list[Command]
        dynamic: list[int]


# Shell options that take a value: `bash -o pipefail runner.sh`, `bash -O extglob runner.sh`.
_OPTIONS_WITH_VALUE = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
_SAME_SHELL = frozenset({"source", "."})


@dataclass(slots=True)
class WrittenScript:
    """The text a here-doc wrote to a file, and where that text sits in the linted file."""

    path: str  # as the writer named it, normalised (`./runner.sh` -> `runner.sh`)
    body: str
    line0: int  # 0-based file line of the body's first line
    col0: int  # column offset of the body's first line
    quoted: bool  # `<<'EOF'`: written literally; else `$VAR`s were expanded by the writer
    walked: bool = False
    # Text later added with `>>` / `tee -a`: (body, line0, col0), each where it sits.
    appended: list[tuple[str, int, int]] = field(default_factory=list)

    def pieces(self) -> list[tuple[str, int, int]]:
        """The file's text in order, each piece at its own place in the linted file."""
        return [(self.body, self.line0, self.col0), *self.appended]


@dataclass(frozen=True, slots=True)
class ScriptRun:
    """A command that runs a file as a script."""

    path: str
    same_shell: bool  # `source F` / `. F`: this shell reads it, with its variables


def normalise(path: str) -> str:
    """The key a file is known by: `./a/../runner.sh` and `runner.sh` are one file."""
    if not path:
        return path
    return posixpath.normpath(path)


def written_files(argv: Sequence[str], stdout: str | None) -> tuple[str, ...]:
    """The files a command writes its stdin to: `cat > F`, `cat - >> F`, `tee [-a] F...`."""
    if not argv:
        return ()
    program = basename(argv[0])
    if program == "cat" and stdout and all(arg == "-" for arg in argv[1:]):
        return (stdout,)
    if program == "tee":
        files = [arg for arg in argv[1:] if arg != "-" and not arg.startswith("-")]
        return tuple(files) + ((stdout,) if stdout else ())
    return ()


def appended_files(argv: Sequence[str], stdout: str | None, stdout_append: bool) -> set[str]:
    """Of ``written_files``, those added to rather than replaced: `>> F`, `tee -a F`."""
    out = {stdout} if stdout and stdout_append else set()
    if argv and basename(argv[0]) == "tee" and any(a in ("-a", "--append") for a in argv[1:]):
        out.update(arg for arg in argv[1:] if arg != "-" and not arg.startswith("-"))
    return out


# Wrappers that run the very program with the same words and output (`command echo TEXT`).
_SAME_OUTPUT = frozenset({"command", "builtin"})


def printed_text(cmd: Command) -> tuple[str, int, int, bool] | None:
    """The text a command prints when it is `echo [-n] WORDS`, `printf '%s\\n' WORDS` or
    `printf 'TEXT\\n'` of literal words (its escapes decoded: words.printf_format_text): (text,
    line0, col0 of its first word, True); None for anything else (`echo -e`, a format with `%d`
    or escapes the linter does not decode)."""
    if any(w.name not in _SAME_OUTPUT for w in cmd.wrappers):
        return None
    if cmd.program == "cat":
        return _copied_text(cmd)
    if cmd.program not in ("echo", "printf"):
        return None
    if not all(w.literal for w in cmd.argv):
        return None
    args = [w.text for w in cmd.argv[1:]]
    sep = " "
    if cmd.program == "echo" and cmd.argv[0].text == "echo":
        if args[:1] == ["-n"]:
            args = args[1:]
        if any(a.startswith("-") for a in args[:1]):
            return None  # -e / -E: escapes the linter does not decode here
    elif cmd.program == "printf" and cmd.argv[0].text == "printf":
        plain = printf_format_text(args[0]) if len(args) == 1 else None
        if plain is not None:
            args = [plain]  # `printf 'codex exec ...\n'`, `printf '\\143odex ...'`: no arguments
        elif not args or args[0] not in (r"%s\n", "%s"):
            return None
        else:
            sep = "\n" if args[0] == r"%s\n" else ""  # the format repeats for each word
            args = args[1:]
    else:
        return None
    if not args:
        return None
    first = cmd.argv[1 + (len(cmd.argv) - 1 - len(args))]
    skip = 1 if (first.raw or "")[:1] in ("'", '"') else 0
    return sep.join(args), first.span.line - 1, first.span.column - 1 + skip, True


def _copied_text(cmd: Command) -> tuple[str, int, int, bool] | None:
    """`cat <<< TEXT`, `cat <<'EOF'`: cat copies its here-string or here-doc to its output
    (`cat <<< 'codex ...' | bash`); only text with nothing for the shell to expand in it."""
    stdin = cmd.stdin
    if not cmd.argv[0].literal or not cat_copies_only_stdin(cmd.argv[1:]):
        return None  # (`cmd.program` is cat: `/bin/cat`, `cat /dev/stdin`, `cat --` as well)
    if stdin.kind not in (StdinKind.HEREDOC, StdinKind.HERESTRING) or not stdin.source:
        return None
    if any(c in stdin.source for c in "$`\\"):
        return None
    span = stdin.span
    return stdin.source, (span.line - 1 if span else 0), (span.column - 1 if span else 0), True


def script_run(argv: Sequence[str]) -> ScriptRun | None:
    """The file a command runs as a script: `bash [opts] F`, `sh F`, `source F`, `. F`, `./F`
    (a command word with a slash in it). None for `bash -c ...`, `bash -s`, or a bare shell."""
    if not argv:
        return None
    head = argv[0]
    program = basename(head)
    if program in _SAME_SHELL:
        return ScriptRun(argv[1], True) if len(argv) > 1 else None
    if program in SHELLS:
        return _shell_operand(argv[1:])
    if "/" in head:
        return ScriptRun(head, False)
    return None


def _shell_operand(args: Sequence[str]) -> ScriptRun | None:
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--":
            rest = args[index + 1 :]
            return ScriptRun(rest[0], False) if rest else None
        if arg in _OPTIONS_WITH_VALUE:
            skip = True
            continue
        if arg.startswith(("-", "+")):
            if not arg.startswith("--") and ("c" in arg[1:] or "s" in arg[1:]):
                return None  # the script is a string, or stdin: the walker reads those
            continue
        return ScriptRun(arg, False)
    return None


class WrittenScripts:
    """The here-doc-written files of one walk, in the order they were written."""

    def __init__(self) -> None:
        self.files: dict[str, WrittenScript] = {}
        self.deferred: list[WrittenScript] = []  # run too deep in nested runners to follow
        # Files written with text not known here (`printf '%s' "$X" > f`, `curl -o f URL`):
        # what a later run of one runs is known only then.
        self.unknown: set[str] = set()

    def write_unknown(self, paths: Sequence[str], appended: set[str] | frozenset[str]) -> None:
        """Record that each of ``paths`` now holds (or, in ``appended``, ends with) text not
        known here; a file replaced so loses the text known before."""
        for path in paths:
            key = normalise(path)
            if not key or key.startswith("/dev/") or key.startswith("&"):
                continue
            if path not in appended:
                self.files.pop(key, None)
            self.unknown.add(key)

    def unknown_text(self, path: str) -> bool:
        """The file was last written (or added to) with text not known here."""
        return bool(self.unknown) and normalise(path) in self.unknown

    def write(
        self,
        paths: Sequence[str],
        body: str,
        line0: int,
        col0: int,
        quoted: bool,
        appended: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Record ``body`` as the text of each of ``paths`` (added to it for those in
        ``appended``, the ones written with `>>` or `tee -a`)."""
        for path in paths:
            key = normalise(path)
            if not key or key.startswith("/dev/"):
                continue  # `tee run.sh >/dev/null`: no file to run later
            old = self.files.get(key)
            if path in appended and old is not None and not old.walked:
                old.appended.append((body, line0, col0))
                continue
            # A later write replaces the file's text (the runner runs the newest one); text
            # added to a file already walked, or to one not seen, is all that is new in it.
            self.files[key] = WrittenScript(key, body, line0, col0, quoted)
            if path not in appended:
                self.unknown.discard(key)

    def run(self, argv: Sequence[str]) -> tuple[WrittenScript, ScriptRun] | None:
        """The written file this command runs, if it has not been walked yet (marked walked)."""
        if not self.files:
            return None  # the common case: nothing written
        run = script_run(argv)
        if run is None:
            return None
        script = self.files.get(normalise(run.path))
        if script is None or script.walked:
            return None
        script.walked = True
        return script, run

    def run_from_stdin(self, path: str) -> tuple[WrittenScript, ScriptRun] | None:
        """The written file a shell reads as its script on stdin (`bash < F`, `ssh HOST < F`),
        if it has not been walked yet (marked walked)."""
        script = self.files.get(normalise(path)) if self.files else None
        if script is None or script.walked:
            return None
        script.walked = True
        return script, ScriptRun(script.path, False)

    def never_run(self) -> list[WrittenScript]:
        """Files named `*.sh` that the walk never saw run, and files run deeper in nested runners
        than the walk follows: scripts all the same, walked on their own (marked walked)."""
        left = [s for s in self.files.values() if not s.walked and s.path.endswith(".sh")]
        for script in left:
            script.walked = True
        left += self.deferred
        self.deferred = []
        return left


# --- the walker's side (bound as methods in walk.py) -------------------------------------------


def _written_script(
    self: ScriptWalker, p: Peeled, r: _Redirs, idx: int, st: State, ctx: _Ctx
) -> None:
    """`cat > F <<'EOF'` records F's text; a later `bash F`, `./F`, `source F` walks it as
    that run."""
    argv = [w.text for w in p.argv]
    cmd = self.cmds[idx]
    fed = (r.explicit and cmd.stdin.kind in (StdinKind.HEREDOC, StdinKind.HERESTRING)) or (
        not r.explicit and cmd.stdin.kind is StdinKind.PIPE  # `echo '...' | tee F`: pipe_text
    )
    if r.script is not None and fed:
        files = written_files(argv, r.stdout)
        if files:
            body, line0, col0, quoted = r.script
            appended = appended_files(argv, r.stdout, r.stdout_append)
            self.written.write(files, body, line0, col0, quoted, appended)
            return  # a here-doc is what the command reads, not a script it runs
    if r.stdout:
        # `echo 'codex exec ...' > run.sh`, `printf '%s\n' ... >> run.sh`: literal text
        printed = printed_text(cmd)
        if printed is not None and not (r.explicit and r.script is not None):
            body, line0, col0, quoted = printed
            appended = {r.stdout} if r.stdout_append else set()
            self.written.write((r.stdout,), body, line0, col0, quoted, appended)
            return
    # `printf '%s' "$X" > f`, `curl -o f URL`, `... | tee f`: a later `bash f` runs text that
    # is known only then (recorded after this command's own run of a file: `bash f > f.log`)
    unknown = _unknown_writes(p.argv, r)
    if not (r.script is not None and fed and r.explicit):  # (a here-doc it reads: no run)
        if _runs_unknown_text(self, p, cmd):
            self.cmds[idx] = replace(cmd, unseen_script="written file")
            if idx not in self.dynamic:
                self.dynamic.append(idx)
        elif not _expect_script(self, p, idx, st, ctx):
            _run_written(self, p, idx, st, ctx)
    if unknown:
        self.written.write_unknown(unknown, appended_files(argv, r.stdout, r.stdout_append))


def _run_written(self: ScriptWalker, p: Peeled, idx: int, st: State, ctx: _Ctx) -> None:
    """A run of a file the script wrote (`bash F`, `./F`, `. F`, `sh < F`, `at -f F`): its text
    is walked as that run."""
    argv = [w.text for w in p.argv]
    cmd = self.cmds[idx]
    found = self.written.run(argv)
    remote = False
    job = at_job_file(p.argv)  # `at -f F now`, `at now < F`: a job /bin/sh runs later
    if found is None and isinstance(job, Word) and job.literal:
        found = self.written.run_from_stdin(job.text)
    if found is None and cmd.stdin.kind is StdinKind.FILE and cmd.stdin.source:
        remote = ssh_reads_script_from_stdin(p.argv)
        if remote or shell_reads_script_from_stdin(p.argv) or at_reads_script_from_stdin(p.argv):
            found = self.written.run_from_stdin(cmd.stdin.source)
    if found is None:
        return
    script, run = found
    if ctx.depth >= MAX_BODY_DEPTH:
        # Runners nested deeper than the walk follows (each writes and runs the next): the run's
        # wrappers and env are lost, but its text is still a script, walked on its own at the
        # end (each once: `run` marked it walked), never skipped.
        self.written.deferred.append(script)
        return
    if idx in self.dynamic:
        self.dynamic.remove(idx)  # `"$D/run.sh"`: the very file written above, now read
    body_ctx = _file_run_ctx(ctx, cmd, "script file", script.path)
    # `source F` runs in this shell; `bash F` and `./F` in a new one that gets the env only
    # (so an unquoted body's `$VAR`s, expanded by the writer, stay unknown words).
    if job is not False:
        body_ctx = body_ctx.derive(detached=True, stdin=AT_JOB_STDIN)  # (a job: run later)
    state = st if run.same_shell else st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
    if remote:
        # `ssh HOST < F`: the remote login shell starts from a clean environment.
        state = st.child_shell((), ())
        body_ctx = body_ctx.derive(env_cleared=True)
    for body, line0, col0 in script.pieces():
        self.run_text(body, line0, col0, state, body_ctx)


def _file_run_ctx(ctx: _Ctx, cmd: Command, kind: str, path: str) -> _Ctx:
    """How a file the script wrote runs when `cmd` runs it: one level deeper, under a wrapper
    naming the file, with the command's stdin, env clearing and detachment."""
    return ctx.derive(
        depth=ctx.depth + 1,
        wrappers=(*cmd.wrappers, Wrapper(kind, cmd.span, (path,))),
        stdin=cmd.stdin,
        env_cleared=cmd.env_cleared,
        detached=cmd.context.detached,
    )


def _expect_script(self: ScriptWalker, p: Peeled, idx: int, st: State, ctx: _Ctx) -> bool:
    """`expect F` of a file this script wrote: the programs its Tcl spawns, execs or hands to
    sh (wrappers.codex_lines_in_code) are walked as that run (a new process each, with expect's
    env), at the command's place. False: no such file."""
    if not self.written.files:  # the common case, asked first: no import (see below), no scan
        return False
    # Here, past that test: a `from` import in a function costs ~8,000 instructions on CPython
    # 3.11, and this is asked of every command.
    from guard.shell.wrappers import codex_lines_in_code, expect_script_file

    script_file = expect_script_file(p.argv)
    if script_file is None or not script_file.literal:
        return False
    found = self.written.run_from_stdin(script_file.text)
    if found is None:
        return False
    script, _run = found
    cmd = self.cmds[idx]
    text = "\n".join(body for body, _, _ in script.pieces())
    lines = codex_lines_in_code(text, "expect")
    if not lines or ctx.depth >= MAX_BODY_DEPTH:
        return True
    body_ctx = _file_run_ctx(ctx, cmd, "expect script", script.path)
    state = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
    self.run_text("\n".join(lines), 0, 0, state, body_ctx, cmd.span)
    return True


# Downloaders and the option naming the file they write (`curl -o F`, `wget -O F`).
_DOWNLOAD_OUTPUT = {
    "curl": (frozenset({"-o", "--output"}), "o"),
    "wget": (frozenset({"-O", "--output-document"}), "O"),
}


def _unknown_writes(argv: tuple[Word, ...], r: _Redirs) -> list[str]:
    """The files a command writes with text not known here: its `>`/`>>` target when what it
    prints is not known (anything but a literal echo/printf or cat of a here-doc, walked
    before), tee's files when its input is not known, a downloader's output file."""
    if not argv or not argv[0].literal:
        return []
    program = basename(argv[0].text)
    texts = [w.text for w in argv]
    out: list[str] = []
    if r.stdout:
        out.append(r.stdout)
    if program == "tee" and r.script is None:
        out.extend(written_files(texts, None))
    names = _DOWNLOAD_OUTPUT.get(program)
    if names is not None:
        long_short, letter = names
        for i, w in enumerate(argv[1:], 1):
            t = w.text
            if t in long_short and i + 1 < len(argv):
                out.append(argv[i + 1].text)
            elif t.startswith(tuple(f"{o}=" for o in long_short if o.startswith("--"))):
                out.append(t.partition("=")[2])
            elif t[:1] == "-" and t[1:2] != "-" and letter in t:
                rest = t[t.index(letter) + 1 :]
                if rest:
                    out.append(rest)
                elif i + 1 < len(argv):
                    out.append(argv[i + 1].text)
    return [path for path in out if path and path != "-"]


def _runs_unknown_text(self: ScriptWalker, p: Peeled, cmd: Command) -> bool:
    """The command runs, as a script, a file this script wrote with text not known here (`bash
    f`, `./f`, `. f`, `at -f f now`, `sh < f`)."""
    if not self.written.unknown:
        return False
    run = script_run([w.text for w in p.argv])
    if run is not None and self.written.unknown_text(run.path):
        return True
    job = at_job_file(p.argv)
    if isinstance(job, Word) and job.literal and self.written.unknown_text(job.text):
        return True
    return (
        cmd.stdin.kind is StdinKind.FILE
        and cmd.stdin.source is not None
        and self.written.unknown_text(cmd.stdin.source)
        and (
            shell_reads_script_from_stdin(p.argv)
            or at_reads_script_from_stdin(p.argv)
            or ssh_reads_script_from_stdin(p.argv)
        )
    )


def _unrun_scripts(self: ScriptWalker) -> None:
    """A `*.sh` the script writes and does not run here: someone runs it, as a script. So is a
    file run too deep to follow; walking it may defer more, so until none is left."""
    left = self.written.never_run()
    while left:
        for script in left:
            state = State()
            for body, line0, col0 in script.pieces():
                self.run_text(body, line0, col0, state, _Ctx(depth=1))
        left = self.written.never_run()
