"""Wrappers on the walker's side: resolved heads, nested shells and script text run unseen.

The wrapper table itself (what `timeout`, `sudo`, `ssh` take) is wrappers.py; this module walks
what they run: `$VAR` and alias heads, `bash -c`, `eval`, `trap`, `su -c`, `ssh` bodies and
scripts fed on stdin. It sees the walker as ``UnwrapWalker``."""

from __future__ import annotations

from guard.fastclass import replace
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.debuggers import STDIN_EDITORS
from guard.shell.functions import _alias
from guard.shell.model import (
    Command,
    EnvFileLoad,
    EnvOrigin,
    Span,
    Stdin,
    StdinKind,
    Word,
    Wrapper,
)
from guard.shell.parser import Node, _Src
from guard.shell.redirs import _STDIN_ALIASES
from guard.shell.runctx import _Ctx
from guard.shell.scope import EXPORT_KEPT, KEEP, State
from guard.shell.wrappers import (
    AT_PROGRAMS,
    SHELLS,
    Peeled,
    at_reads_script_from_stdin,
    basename,
    codex_lines_in_code,
    interpreter_reads_code_from_stdin,
    may_spawn_codex,
    shell_reads_script_from_stdin,
    ssh_reads_script_from_stdin,
    starts_traced,
    startup_files,
    su_login,
    su_reads_script_from_stdin,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Protocol

    from guard.shell.functions import FunctionWalker
    from guard.shell.redirs import _Redirs
    from guard.shell.written import WrittenScripts

    class UnwrapWalker(FunctionWalker, Protocol):
        """What the walker's side of wrappers needs of it, and nothing more: alias expansion
        (functions.py's needs), the re-parse of shell text a command runs (``run_text``), the
        commands so far, the ones whose program is unknown (CG902), and where it stopped
        following bodies nested past MAX_BODY_DEPTH (CG901)."""

        dialect: str
        cmds: list[Command]
        dynamic: list[int]
        too_deep: list[Span]
        written: WrittenScripts


# The stdin of a job at(1) runs: atd hands /bin/sh the job file as its stdin (the rest of the
# job is what a command reading stdin there gets: a file, which ends).
AT_JOB_STDIN = Stdin(StdinKind.FILE, source="at job", reason="at")
# Shell text a builtin runs in this shell as a callback (wrappers._builtin_callback).
_CALLBACK_KINDS = frozenset({"mapfile -C", "readarray -C", "compgen -C", "compgen -F"})
MAX_BODY_DEPTH = 8  # bash -c 'bash -c "..."' re-parsing depth
_SCRIPT_RUNNERS = SHELLS | {"source", "."}  # programs that run script text they are given
_VAR_HEAD_RE = lazy_compile(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?')


def _append_xargs_input(p: Peeled, printed: tuple[str, int, int, bool] | None, span: Span) -> None:
    """`printf '%s\\n' exec --yolo p | xargs codex`: xargs appends the words of its input to
    codex's argv. When the input is literal text the script prints, those words are known."""
    xargs = next((w for w in p.wrappers if w.name == "xargs"), None)
    if xargs is None or any(a.startswith(("-I", "-i", "--replace")) for a in xargs.args):
        return  # a replace string puts each item where `{}` stands: keep it unknown
    import shlex

    try:
        items = shlex.split(printed[0], comments=False, posix=True) if printed else None
    except ValueError:
        items = None
    if items is None:  # input the linter cannot read: one unknown word stands for it
        p.argv = (*p.argv, Word("${xargs_input}", False, span, "${xargs_input}"))
        return
    p.argv = (*p.argv, *(Word(item, True, span, item) for item in items))
    p.args_from_input = False


def _resolve_head(
    self: UnwrapWalker, head_node: Node, words: list[Word], st: State, ctx: _Ctx, src: _Src
) -> tuple[list[Word], list[Wrapper]] | None:
    """The command word through `$VAR` / `"${ARR[@]}"` and aliases (recorded as wrappers)."""
    wrappers: list[Wrapper] = []
    raw_head = src.text(head_node)
    if raw_head.startswith(("$", '"$')) and words[0].literal:
        m = _VAR_HEAD_RE.match(raw_head)
        wname = "array" if m is not None and m.group(2) else "$VAR"
        wrappers.append(Wrapper(wname, src.span(head_node), (m.group(1),) if m else ()))
    head = words[0]
    if (
        head.literal
        and head.raw == head.text
        and head.text in st.aliases
        and not any(w.name == "alias" for w in ctx.wrappers)
    ):
        expanded = _alias(self, st.aliases[head.text], head, words, st, ctx, src)
        if expanded is None:
            return None
        wrappers.append(Wrapper("alias", head.span, (head.text,)))
        words = expanded
    return words, wrappers


def _unseen_script(
    self: UnwrapWalker, p: Peeled, r: _Redirs, idx: int, st: State, ctx: _Ctx
) -> None:
    """A shell that runs text the linter cannot read (`curl ... | base64 -d | bash`,
    `bash <(curl ...)`, `. <(...)`, `... | xargs env`): it may start codex with anything."""
    prog = basename(p.argv[0].text) if p.argv else ""
    if (
        not (p.program_from_input or p.args_from_input)
        and prog not in _SCRIPT_RUNNERS
        and prog not in AT_PROGRAMS
        and prog != "make"
    ):
        return  # the common case: no shell at all
    cmd = self.cmds[idx]
    how: str | None = "xargs" if p.program_from_input or p.args_from_input else None
    if how is None and prog in SHELLS and cmd.env:
        # bash sources $BASH_ENV before a non-interactive script (`bash -c`, `bash F`), an
        # interactive sh (`sh -i`) sources $ENV, and bash runs $PROMPT_COMMAND before each prompt
        # of an interactive one: text set for it here. A file this script wrote is walked as the
        # new shell reads it; any other may start codex with anything (CG902, as `bash "$f"`).
        how = _startup_file(self, p, idx, st, ctx)
    if how is None and prog == "make":
        # `make -f /dev/stdin <<< ...`, `make -f -`: recipes read from stdin, walked where the
        # text is known (a here-doc, a here-string, printed text), else unseen (CG902); and
        # `make --eval=TEXT`: makefile text whose recipes may run
        for option, value in make_option_values([w.text for w in p.argv[1:]]):
            if option == "f" and value in ("-", *_STDIN_ALIASES):
                known = r.script is not None and _make_recipes(self, r.script[0], idx, st, ctx)
                how = None if known else "make -f stdin"
            if option == "E" and not _make_recipes(self, value, idx, st, ctx):
                how = "make --eval"
    if how is None and not p.body and prog != "make":
        operands = p.argv[1:]
        if any((w.raw or "").lstrip('"').startswith("<(") for w in operands):
            how = "process-substitution"
            if _printed_script(self, p, idx, st, ctx):
                how = None  # `. <(echo 'codex ...')`: the text it runs is known, and walked
        elif cmd.stdin.kind is StdinKind.PIPE and (
            (prog in SHELLS and r.script is None and shell_reads_script_from_stdin(p.argv))
            or (prog in AT_PROGRAMS and r.script is None and at_reads_script_from_stdin(p.argv))
            or (prog not in AT_PROGRAMS and any(w.text in _STDIN_ALIASES for w in operands[:1]))
        ):
            how = "pipe"
    if how is not None:
        self.cmds[idx] = replace(cmd, unseen_script=how)
        self.dynamic.append(idx)


_PARAMETER = lazy_compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")


def _here_doc_values(body: str, st: State) -> str:
    """An unquoted here-doc's body as the shell hands it on: each `$name` / `${name}` whose value
    is known is replaced by it (`python3 - <<EOF` with `os.system("$c$d exec")` runs codex when
    c=co and d=dex); any other expansion is left as written, as in an inline `-c` code word."""

    def value(m: re.Match[str]) -> str:
        var = st.vars.get(m.group(1) or m.group(2))
        word = var.value if var is not None else None
        return word.text if word is not None and word.literal else m.group(0)

    return _PARAMETER.sub(value, body) if "$" in body else body


# GNU make's options that take a value: short ones (`-f F`, `-fF`, last in a cluster `-sE T`),
# those whose value is optional and only attached (`-j4`), and the long names of `-f` and `-E`.
_MAKE_SHORT_VALUE = "CEfIoW"
_MAKE_SHORT_OPTIONAL = "jlO"
_MAKE_LONG = {"--file": "f", "--makefile": "f", "--eval": "E", "--directory": "C"}
_MAKE_LONG_VALUE = ("--include-dir", "--old-file", "--assume-old", "--what-if", "--new-file")


def make_option_values(words: list[str]) -> list[tuple[str, str]]:
    """(`f`, FILE) and (`E`, TEXT) for each makefile and --eval text of make's arguments, read
    as getopt_long does: short options cluster, a long option may be abbreviated (`--ev=T`,
    `--f F`: a prefix of the name), `--` ends the options."""
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            break
        if word.startswith("--"):
            name, eq, value = word.partition("=")
            full = [o for o in _MAKE_LONG if o.startswith(name)] if len(name) >= 3 else []
            takes = len(full) == 1 or (
                len(name) >= 3 and any(o.startswith(name) for o in _MAKE_LONG_VALUE)
            )
            if takes and not eq and i + 1 < len(words):
                value = words[i + 1]
                i += 1
            if len(full) == 1 and (eq or value):
                found.append((_MAKE_LONG[full[0]], value))
        elif word.startswith("-") and word != "-":
            for j in range(1, len(word)):
                letter = word[j]
                if letter in _MAKE_SHORT_VALUE:
                    value = word[j + 1 :]
                    if not value and i + 1 < len(words):
                        value = words[i + 1]
                        i += 1
                    found.append((letter, value))
                    break
                if letter in _MAKE_SHORT_OPTIONAL:
                    break
        i += 1
    return found


def _printed_inside(self: UnwrapWalker, span: Span, idx: int) -> str | None:
    """The text the one command walked inside ``span`` (a `<(...)` word) prints, when it is
    known (written.printed_text: `cat <<'EOF'`, `cat <<< TEXT`, echo/printf of literals)."""
    from guard.shell.written import printed_text  # (written.py imports this module)

    def inside(s: Span) -> bool:
        after_start = (s.line, s.column) >= (span.line, span.column)
        return after_start and (s.end_line, s.end_column) <= (span.end_line, span.end_column)

    ran = [c for c in self.cmds[:idx] if inside(c.span)]
    if len(ran) != 1:
        return None
    printed = printed_text(ran[0])
    return printed[0] if printed is not None else None


def _make_recipes(self: UnwrapWalker, text: str, idx: int, st: State, ctx: _Ctx) -> bool:
    """Walk the recipes of makefile ``text`` as make runs them (each through a shell, with
    make's env), read by guard/sources/makefile.py; False when that reader fails on it."""
    try:
        from guard.sources.makefile import extract

        snippets = extract(text, "Makefile")
    except Exception:  # a reader's own bug: the recipes stay unseen (CG902), never silence
        return False
    cmd = self.cmds[idx]
    recipe_ctx = _inner_ctx(cmd, ctx, (*cmd.wrappers, Wrapper("make recipe", cmd.span, ())))
    for snippet in snippets:
        child = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
        self.run_text(snippet.text, 0, 0, child, recipe_ctx, cmd.span)
    return True


def _printed_script(self: UnwrapWalker, p: Peeled, idx: int, st: State, ctx: _Ctx) -> bool:
    """`. <(echo TEXT)`, `bash <(printf '%s' TEXT)`: the script a shell or `source` runs is
    a process substitution that prints literal text (words.printed_by): walked as that script
    (in this shell for `source`, in a new one for a shell). False: not such a script."""
    from guard.shell.words import printed_by

    prog = basename(p.argv[0].text)
    operands = p.argv[1:]
    if prog in SHELLS:
        while operands and operands[0].text.startswith(("-", "+")) and operands[0].text != "-":
            if "c" in operands[0].text[1:] or operands[0].text == "--":
                return False
            operands = operands[1:]
    if not operands:
        return False
    raw = (operands[0].raw or "").strip('"')
    if not raw.startswith("<(") or any(
        (w.raw or "").lstrip('"').startswith("<(") for w in operands[1:]
    ):
        return False
    text = printed_by("$(" + raw[2:])
    word = operands[0]
    if text is None:
        text = _printed_inside(self, word.span, idx)  # `. <(cat <<'EOF' ... EOF)`
    if text is None:
        return False
    # bash hands the program a pipe's name (`/dev/fd/63`): a file now known, not unseen text
    at = len(p.argv) - len(operands)
    argv = list(self.cmds[idx].argv)
    if at < len(argv) and argv[at] is word:
        argv[at] = Word("/dev/fd/63", True, word.span, word.raw)
        self.cmds[idx] = replace(self.cmds[idx], argv=tuple(argv))
    cmd = self.cmds[idx]
    wrapper = Wrapper(f"{prog} <(...)", cmd.span, ())
    body_ctx = _inner_ctx(cmd, ctx, (*cmd.wrappers, wrapper))
    if prog in ("source", "."):
        self.run_text(text, word.span.line - 1, word.span.column - 1, st, body_ctx, cmd.span)
    else:
        child = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
        self.run_text(text, word.span.line - 1, word.span.column - 1, child, body_ctx, cmd.span)
    return True


_STARTUP_NAMES = frozenset({"BASH_ENV", "ENV", "PROMPT_COMMAND", "PS0", "PS1", "PS2"})
# Prompt strings an interactive shell expands (their `$(...)` run): PS0 after it reads each
# command, PS1 before each, PS2 on a continued line (checked with bash 5.2, `bash -i <<< cmd`).
_PROMPTS = ("PS0", "PS1", "PS2")


def _startup_file(self: UnwrapWalker, p: Peeled, idx: int, st: State, ctx: _Ctx) -> str | None:
    """The start-up variable whose file the shell `p.argv` runs first and the linter cannot read
    (`"$BASH_ENV"`), or None: none is set for it, or the script wrote the file (walked here)."""
    cmd = self.cmds[idx]
    if not any(b.name in _STARTUP_NAMES for b in cmd.env):
        return None
    env = {b.name: b.value for b in cmd.env}
    names = [name for name in ("BASH_ENV", "ENV", "PROMPT_COMMAND") if name in env]
    from guard.shell.written import normalise  # (written.py imports this module)

    prog = basename(p.argv[0].text)
    options = _shell_options(p.argv)
    interactive = any(o[:1] == "-" and o[1:2] != "-" and "i" in o for o in options)
    posix = "--posix" in options or prog != "bash"
    reads = {
        # checked with bash 5.2 and dash: `BASH_ENV=f sh -c` (dash, or bash as sh) and
        # `bash --posix -c` read nothing; `ENV=f sh -c` neither, `ENV=f sh -i` reads f.
        "BASH_ENV": prog == "bash" and not posix,
        "ENV": interactive and posix,
        "PROMPT_COMMAND": True,  # (as before: an interactive shell's prompt, any shell)
    }
    if interactive:
        _interactive_prompts(self, p, env, idx, st, ctx)
    for name in names:
        if not reads[name]:
            continue
        value = env[name]
        if value is not None and value.literal and not value.text:
            continue  # `BASH_ENV= bash ...`: no file
        if name == "PROMPT_COMMAND" and value is not None and value.literal:
            # shell text the shell runs before each prompt: walked as the new shell runs it
            state = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
            started = Wrapper("$PROMPT_COMMAND", cmd.span, ())
            self.run_text(
                value.text, 0, 0, state, _inner_ctx(cmd, ctx, (*cmd.wrappers, started)), cmd.span
            )
            continue
        script = (
            self.written.files.get(normalise(value.text))
            if name != "PROMPT_COMMAND" and value is not None and value.literal
            else None
        )
        if script is None or ctx.depth >= MAX_BODY_DEPTH:
            return f"${name}"
        state = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
        started = Wrapper(f"${name} file", cmd.span, (script.path,))
        body_ctx = _inner_ctx(cmd, ctx, (*cmd.wrappers, started))
        for body, line0, col0 in script.pieces():
            self.run_text(body, line0, col0, state, body_ctx)
    return None


def _interactive_prompts(
    self: UnwrapWalker, p: Peeled, env: dict[str, Word | None], idx: int, st: State, ctx: _Ctx
) -> None:
    """An interactive shell (`bash -i`) expands PS0, PS1 and PS2 as prompts: the `$(...)` in a
    value set for it run there (sinks.expand_prompt: one that cannot be seen is CG902)."""
    from guard.shell import sinks
    from guard.shell.scope import Var

    cmd = self.cmds[idx]
    names = [name for name in _PROMPTS if name in env]
    if not names:
        return
    state = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
    pctx = _inner_ctx(cmd, ctx, (*cmd.wrappers, Wrapper("interactive shell", cmd.span, ())))
    for name in names:
        value = env[name]
        var = Var(value) if value is not None else Var(None)
        sinks.expand_prompt(self, var, f"${{{name}@P}}", cmd.span, state, pctx)


def _inner_ctx(cmd: Command, ctx: _Ctx, wrappers: tuple[Wrapper, ...]) -> _Ctx:
    """The context of text a command runs (a nested shell's body, a start-up file, what git
    runs): one level deeper, with the command's stdin, env clearing and detachment."""
    return ctx.derive(
        depth=ctx.depth + 1,
        wrappers=wrappers,
        stdin=cmd.stdin,
        env_cleared=cmd.env_cleared,
        detached=cmd.context.detached,
    )


def shell_posix(cmd: Command) -> str:
    """How the shell `cmd` starts keeps an assignment before a special builtin (State.posix):
    bash in posix mode (`--posix`, `-o posix`, POSIXLY_CORRECT in its env) keeps it exported,
    dash keeps it unexported, bash and zsh in their own modes drop it. `sh`, and the /bin/sh
    that `watch`, `flock -c`, `su -c` and the like hand their text to, may be either dash or
    bash in posix mode (Debian, or Fedora and macOS): the wider reading, kept and exported."""
    prog = basename(cmd.argv[0].text) if cmd.argv else ""
    if prog == "dash":
        return KEEP
    if prog == "zsh":
        return ""
    if prog != "bash":
        return EXPORT_KEPT
    if "--posix" in _shell_options(cmd.argv) or any(b.name == "POSIXLY_CORRECT" for b in cmd.env):
        return EXPORT_KEPT
    words = [w.text for w in cmd.argv[1:]]
    for at, word in enumerate(words[:-1]):
        if word[:1] in ("-", "+") and word[1:2] != "-" and word.endswith("o"):
            if words[at + 1] == "posix" and word[0] == "-":
                return EXPORT_KEPT  # `bash -o posix -c TEXT`
        elif word == "-c" or not word.startswith(("-", "+")):
            break
    return ""


def _shell_options(argv: tuple[Word, ...]) -> list[str]:
    """A shell's option words, up to its script operand or `-c` text."""
    options: list[str] = []
    for word in argv[1:]:
        text = word.text
        if text == "--" or not text.startswith(("-", "+")) or text in ("-", "+"):
            break
        options.append(text)
        if text[:1] == "-" and text[1:2] != "-" and "c" in text:
            break
    return options


def _editor_commands(
    self: UnwrapWalker, p: Peeled, text: str, idx: int, st: State, ctx: _Ctx
) -> None:
    """`ed f <<< '!TEXT'`, `ex -s f <<< '!TEXT'`: each `!` command line on the editor's stdin
    runs its TEXT through a shell, with the editor's env (placed at the editor's command)."""
    from guard.shell.debuggers import editor_stdin_commands

    cmd = self.cmds[idx]
    body_ctx = _inner_ctx(cmd, ctx, cmd.wrappers)
    prog = basename(p.argv[0].text)
    for line in editor_stdin_commands(p.argv, text):
        body = Word(line, True, cmd.span, line)
        _run_body(self, (body,), f"{prog} !", cmd, st, body_ctx, idx, (), cmd.span)


def _nested_shell(
    self: UnwrapWalker, p: Peeled, r: _Redirs, idx: int, st: State, ctx: _Ctx
) -> None:
    """Shell text the command runs: `bash -c BODY`, `eval`, `trap`, `su -c`, `ssh host CMD`,
    or a script fed on stdin (`bash <<'EOF'`, `sh -s <<< "..."`)."""
    cmd = self.cmds[idx]
    prog = basename(p.argv[0].text) if p.argv else ""
    if prog in STDIN_EDITORS and r.script is not None:
        _editor_commands(self, p, r.script[0], idx, st, ctx)
    sources_stdin = prog in ("source", ".") and len(p.argv) > 1 and p.argv[1].text in _STDIN_ALIASES
    if not p.body and (
        r.script is None
        or (
            prog not in SHELLS
            and prog not in ("su", "ssh")
            and not at_reads_script_from_stdin(p.argv)
            and not sources_stdin
            and not interpreter_reads_code_from_stdin(p.argv)
        )
    ):
        return
    body_ctx = _inner_ctx(cmd, ctx, cmd.wrappers)
    if p.body:
        if p.body_clean_env:
            body_ctx = body_ctx.derive(env_cleared=True)
            cmd = replace(cmd, env=(), env_files=())
        if r.script is not None and cmd.stdin is r.stdin:
            # The wrapper hands its stdin on: a shell in the body may read the script from it.
            body_ctx = body_ctx.derive(stdin_script=(cmd.stdin, r.script))
        shell_c = p.body_kind == f"{prog} -c" and prog in SHELLS
        traced = shell_c and _traced(self, p, cmd)
        startup = _startup_loads(p) if shell_c else ()
        _run_body(
            self, p.body, p.body_kind, cmd, st, body_ctx, idx, p.body_args,
            traced=traced, startup=startup,
        )  # fmt: skip
        for more, args in p.more_bodies:  # `git rebase -x A -x B`: each in a shell of its own
            _run_body(self, more, p.body_kind, cmd, st, body_ctx, idx, args)
    elif r.script is not None and ctx.depth >= MAX_BODY_DEPTH and _runs_stdin(p, sources_stdin):
        self.too_deep.append(cmd.span)  # a script on stdin, nested past the bound: not read
    elif r.script is not None and sources_stdin:
        # `source /dev/stdin <<< 'text'`: this shell itself runs the text, as eval would.
        body, line0, col0, _quoted = r.script
        wrapper = Wrapper(f"{prog} stdin", cmd.span, ())
        self.run_text(body, line0, col0, st, body_ctx.derive(wrappers=(*cmd.wrappers, wrapper)))
    elif r.script is not None and interpreter_reads_code_from_stdin(p.argv):
        # `python3 - <<'EOF'`, `echo '...' | node`: the program is the text on its stdin; the
        # codex command lines it runs are read as `python3 -c CODE`'s are (codex_lines_in_code).
        prog = basename(p.argv[0].text)
        given = r.script[0] if r.script[3] else _here_doc_values(r.script[0], st)
        lines = codex_lines_in_code(given, prog)
        if lines:
            code = Word("\n".join(lines), True, cmd.span, cmd.text)
            _run_body(self, (code,), f"{prog} stdin code", cmd, st, body_ctx, idx)
        elif may_spawn_codex(given):
            self.dynamic.append(idx)  # it may start codex in a way not read here (CG902)
    elif r.script is not None and (
        shell_reads_script_from_stdin(p.argv)
        or su_reads_script_from_stdin(p.argv)
        or ssh_reads_script_from_stdin(p.argv)
        or at_reads_script_from_stdin(p.argv)
    ):
        body, line0, col0, quoted = r.script
        prog = basename(p.argv[0].text)
        if prog in AT_PROGRAMS:
            # `echo 'cmd' | at now`: /bin/sh runs the job later, with this env, detached from
            # this terminal, reading the job file itself as its stdin (not this line's)
            child = st.child_shell(cmd.env, cmd.env_files, cmd.env_unresolved)
            body_ctx = body_ctx.derive(detached=True, stdin=AT_JOB_STDIN)
        elif (prog == "su" and su_login(p.argv)) or prog == "ssh":
            # `su - USER <<EOF`, `ssh HOST <<EOF`: a login shell starts from a clean environment.
            child = st.child_shell((), ())
            body_ctx = body_ctx.derive(env_cleared=True)
        else:
            # `bash -l <<EOF`: a login (or interactive) shell reads its start-up files first
            files = (*cmd.env_files, *_startup_loads(p)) if prog in SHELLS else cmd.env_files
            child = st.child_shell(cmd.env, files, cmd.env_unresolved)
            child.xtrace = prog in SHELLS and _traced(self, p, cmd)  # `bash -x <<EOF`
            child.posix = shell_posix(cmd)
        if not quoted:
            # The outer shell expands an unquoted here-doc before the inner shell reads it:
            # its values are known there, but only what crossed (cmd.env) is exported.
            for k, v in st.vars.items():
                child.vars.setdefault(k, replace(v, exported=False) if v.exported else v)
        wrapper = Wrapper(f"{prog} stdin", cmd.span, ())
        self.run_text(body, line0, col0, child, body_ctx.derive(wrappers=(*cmd.wrappers, wrapper)))


# How a variable may reach a new shell's environment under bash, where SHELLOPTS is readonly:
# `SHELLOPTS=xtrace bash -c` and `export SHELLOPTS=...` fail there, `env SHELLOPTS=...` does not.
_BASH_CANNOT_SET = frozenset({EnvOrigin.PREFIX, EnvOrigin.EXPORT, EnvOrigin.ALLEXPORT})


def _startup_loads(p: Peeled) -> tuple[EnvFileLoad, ...]:
    """The start-up files the new shell `p.argv` reads from the home (`bash -lc`: its login
    profile; `bash -ic`: ~/.bashrc), as an env load at the shell's word (wrappers.startup_files).
    An option word the linter cannot read ends the options, as a script name would."""
    options = [w.text if w.literal else "" for w in p.argv[1:]]
    found = startup_files(basename(p.argv[0].text), options)
    if found is None:
        return ()
    form, files = found
    return (EnvFileLoad(files[0], True, form, p.argv[0].span, files[1:]),)


def _traced(self: UnwrapWalker, p: Peeled, cmd: Command) -> bool:
    """The new shell `p.argv` starts with xtrace on (it expands $PS4 before each command,
    sinks.traced): its options turn it on (`bash -x -c`, `bash -o xtrace -c`, starts_traced),
    or a SHELLOPTS in its environment lists xtrace (bash reads it at start-up)."""
    options = [w.text for w in p.argv[1:]]
    if starts_traced(options):
        return True
    for b in cmd.env:
        if b.name == "SHELLOPTS" and b.value is not None and b.value.literal:
            readonly = self.dialect == "bash" and b.origin in _BASH_CANNOT_SET
            if not readonly and "xtrace" in b.value.text.split(":"):
                return True
    return False


def _git_runs(self: UnwrapWalker, p: Peeled, idx: int, st: State, ctx: _Ctx) -> None:
    """What a git command runs that its settings or env name (gitruns.py: `GIT_EDITOR=...
    git commit`, `git -c core.sshCommand=... fetch`, `git config alias.x '!...'`), each walked
    as the shell text (or the program) git hands it, with the env git has."""
    if not p.argv or basename(p.argv[0].text) != "git":
        return
    # Here, not at the top: most command lines hold no git (the hook's import budget).
    from guard.shell.gitruns import git_runs

    cmd = self.cmds[idx]
    env = {b.name: b.value for b in cmd.env}  # git_runs answers `git status` in one pass
    tty = cmd.stdin.kind is StdinKind.TTY
    runs = git_runs(p.argv, env, tty, alias_seen=p.body_kind == "git alias")
    if not runs:
        return
    body_ctx = _inner_ctx(cmd, ctx, cmd.wrappers)
    for run in runs:
        at = cmd.span if run.elsewhere else None
        _run_body(self, (run.body,), run.kind, cmd, st, body_ctx, idx, run.args, at)


# Programs that hand a command an environment variable holds to a shell: less its input
# preprocessor (`LESSOPEN='|cmd %s'`, LESSCLOSE), man its pager (MANPAGER, PAGER; `-P TEXT`).
ENV_RUNNERS = {"less": ("LESSOPEN", "LESSCLOSE"), "man": ("MANPAGER", "PAGER")}


def _env_runs(self: UnwrapWalker, p: Peeled, idx: int, st: State, ctx: _Ctx) -> None:
    """`LESSOPEN='|codex ... %s' less f`, `MANPAGER='codex ...' man ls`, `man -P TEXT ls`: the
    text runs through a shell with the program's env (unknown text: CG902, as eval "$x")."""
    prog = basename(p.argv[0].text) if p.argv else ""
    names = ENV_RUNNERS.get(prog)
    if names is None:
        return
    cmd = self.cmds[idx]
    env = {b.name: b.value for b in cmd.env}
    values = [env[name] for name in names if name in env]
    if prog == "man":
        words = p.argv[1:]
        for i, w in enumerate(words):
            if w.text == "-P" and i + 1 < len(words):
                values.append(words[i + 1])
            elif w.text.startswith("--pager="):
                values.append(Word(w.text[len("--pager=") :], w.literal, w.span, w.raw))
    body_ctx = _inner_ctx(cmd, ctx, cmd.wrappers)
    for value in values:
        if value is None or not value.literal:
            self.dynamic.append(idx)
            continue
        text = value.text.lstrip("|").strip()
        if text:
            body = Word(text, True, value.span, value.raw)
            _run_body(self, (body,), f"{prog} runs", cmd, st, body_ctx, idx, (), cmd.span)


def _runs_stdin(p: Peeled, sources_stdin: bool) -> bool:
    """The command runs the script its stdin holds (`bash <<EOF`, `. /dev/stdin <<<`)."""
    return (
        sources_stdin
        or at_reads_script_from_stdin(p.argv)
        or shell_reads_script_from_stdin(p.argv)
        or su_reads_script_from_stdin(p.argv)
        or ssh_reads_script_from_stdin(p.argv)
    )


def _run_body(
    self: UnwrapWalker,
    body: tuple[Word, ...],
    kind: str,
    cmd: Command,
    st: State,
    ctx: _Ctx,
    idx: int,
    args: tuple[Word, ...] = (),
    at: Span | None = None,
    *,
    traced: bool = False,
    startup: tuple[EnvFileLoad, ...] = (),
) -> None:
    """Walk shell text a command runs; ``args``: the words after a `bash -c` BODY, which that
    shell gets as its $0, $1, ...; ``at``: where text written elsewhere (an earlier `export`)
    runs, the command's own place; ``traced``: that shell starts with xtrace on (`bash -xc`);
    ``startup``: the files it reads from the home first (`bash -lc`: _startup_loads)."""
    first = body[0]
    # `eval "$cmd"` with cmd unknown; a cmd known but for `$X`s inside it (`printf -v cmd
    # 'codex ... %q' "$dir"`) is read: eval expands those again, as the re-parse does.
    pure_expansion = (
        not first.literal
        and re.fullmatch(r'"?\$(\{[^}]*\}|[A-Za-z_@*][A-Za-z0-9_]*|\([^()]*\))"?', first.raw or "")
        and (
            first.text.strip('"') == (first.raw or "").strip('"')
            or "$(" in first.text
            or "`" in first.text
        )
    )
    if pure_expansion:
        self.dynamic.append(idx)
        return
    if ctx.depth > MAX_BODY_DEPTH:
        self.too_deep.append(cmd.span)  # bodies nested past the bound: what runs is not read
        return
    text = " ".join(w.text for w in body)
    raw = first.raw or ""
    skip = 2 if raw.startswith(("$'", '$"')) else 1 if raw[:1] in ("'", '"') else 0
    wrapper = Wrapper(kind, first.span, ())
    bctx = ctx.derive(wrappers=(*ctx.wrappers, wrapper))
    # Text a variable gave (`eval "$cmd - < p.md"`) is not the file's: what runs in it sits where
    # it is expanded. So each branch's value gives one command at one place (the engine names
    # the branch a finding holds on, as for `$cmd - < p.md`).
    pin: Span | None = None
    if any(_expanded(w) for w in body):
        last = body[-1].span
        pin = Span(first.span.line, first.span.column, last.end_line, last.end_column)
    if at is not None:
        pin = at
    lo, co = first.span.line - 1, first.span.column - 1 + skip
    if kind in ("eval", "trap") or kind in _CALLBACK_KINDS:
        stopped = st.stopped
        self.run_text(text, lo, co, st, bctx, pin)
        if kind != "eval":
            # `trap 'die ...' INT`: it exits when the signal comes, not here; a callback runs
            # only when there is input (or a word) for it
            st.stopped = stopped
    else:
        child = st.child_shell(cmd.env, (*cmd.env_files, *startup), cmd.env_unresolved)
        child.xtrace = traced
        child.posix = shell_posix(cmd)
        if args:
            # `bash -c '"$1" exec ...' x codex`: the words after the body are its $0, $1, ...
            # (with none, $0 is the shell's name and $@ is empty: left unknown, as before).
            child.arg0, child.positional = args[0], args[1:]
        self.run_text(text, lo, co, child, bctx, pin)


def _expanded(word: Word) -> bool:
    """A word whose text an expansion changed: it is not its source between the quotes."""
    raw = word.raw or word.text
    if raw.startswith(("$'", '$"')):
        inner = raw[2:-1]
    elif raw[:1] in ("'", '"') and len(raw) > 1:
        inner = raw[1:-1]
    else:
        inner = raw
    return ("$" in inner or "`" in inner) and word.text != inner
