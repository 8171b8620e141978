"""Programs that run a command they were handed in an option, in their own command language:
debuggers (`gdb -ex 'shell TEXT'`, `lldb -o 'platform shell TEXT'`), editors that evaluate code
(`emacs --eval '(shell-command "TEXT")'`), and dev-shell and watcher tools whose option is a
shell string (`nix-shell --run TEXT`, `nodemon --exec TEXT`). No tree-sitter here: each reader
turns an argv into the shell text the program hands to a shell (wrappers.peel walks it as a
body, with the program's env), or into a word only known when the program runs (CG902).

Checked with gdb 13 (a recording stand-in codex): `shell TEXT`, `!TEXT`, `pipe CMD | TEXT`,
`| CMD | TEXT`, `python CODE` (os.system), for `-ex`, `--ex=`, `-eval-command`, `-iex`;
`--args PROG ARGS` runs PROG (through /bin/sh: startup-with-shell) once told to `run`.
"""

from __future__ import annotations

from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.model import Word

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable

# Options whose value is one command of the program's own language.
_GDB_COMMAND_OPTS = frozenset(
    {"-ex", "--ex", "-eval-command", "--eval-command", "-iex", "--iex"}
    | {"-init-eval-command", "--init-eval-command"}
)
_LLDB_COMMAND_OPTS = frozenset(
    {"-o", "--one-line", "-O", "--one-line-before-file", "-k", "--one-line-on-crash"}
)
_EMACS_EVAL_OPTS = frozenset({"--eval", "-eval", "--execute", "-execute", "-e"})
# gdb: `shell TEXT` (and its unique abbreviations `she`, `shel`), `!TEXT`
_GDB_SHELL = lazy_compile(r"\s*(?:she(?:ll?)?\s|!)(.*)\Z", re.S)
# gdb: `pipe [-d DELIM] [COMMAND] | TEXT`, `| [COMMAND] | TEXT`
_GDB_PIPE = lazy_compile(r"\s*(?:pipe\s|\|)(.*)\Z", re.S)
_GDB_PIPE_DELIM = lazy_compile(r"\s*-d\s+(\S+)\s(.*)\Z", re.S)
# gdb: `python CODE` (`py`, `pi`, `python-interactive`)
_GDB_PYTHON = lazy_compile(r"\s*(?:python(?:-interactive)?|py|pi)\s(.*)\Z", re.S)
# lldb: `platform shell [-h] [-t SEC] [-s SHELL] [--] TEXT`, `script [-l python] CODE`
_LLDB_SHELL = lazy_compile(
    r"\s*pla(?:t(?:f(?:o(?:rm?)?)?)?)?\s+sh(?:e(?:ll?)?)?\s+(?:-[hts](?:\s+[^-\s]\S*)?\s+)*"
    r"(?:--\s+)?(.*)\Z",
    re.S,
)
_LLDB_SCRIPT = lazy_compile(r"\s*scr(?:i(?:pt?)?)?\s+(?:-l\s+python\s+)?(.*)\Z", re.S)
# Emacs Lisp forms that start a process (shell-command and its async and to-string kinds,
# call-process and process-file, start-process and make-process, compile)
_ELISP_SPAWNS = lazy_compile(
    r"\((?:async-)?shell-command|\(call-process|\(process-file|\((?:start|make)-process"
    r"|\(compile\b|\(start-file-process"
)
# `(shell-command "TEXT")`, `(async-shell-command "TEXT")`, `(shell-command-to-string "TEXT")`
_ELISP_SHELL_TEXT = lazy_compile(
    r'\((?:async-)?shell-command(?:-to-string)?\s+"((?:[^"\\]|\\.)*)"', re.S
)
# What stands for a command only known when the program runs (a pure expansion: the walk
# reports it as a command it cannot see, CG902, as `eval "$x"`).
RUNTIME_COMMAND = "${program_command}"


def _part(word: Word, text: str) -> Word:
    """A piece of ``word``'s text, as a word of its own at the same place."""
    return Word(text, word.literal, word.span, word.raw)


def _joined(words: tuple[Word, ...]) -> Word:
    """Program words as the one shell line a debugger starts them with."""
    import shlex

    text = " ".join(shlex.quote(w.text) if w.literal else w.text for w in words)
    return Word(text, all(w.literal for w in words), words[0].span, words[0].raw)


def _runtime(word: Word) -> Word:
    return Word(RUNTIME_COMMAND, False, word.span, RUNTIME_COMMAND)


def _python_lines(word: Word, code: str) -> list[Word]:
    """The codex command lines Python code run by a debugger starts (unread spawns: CG902)."""
    from guard.shell.wrappers import codex_lines_in_code, may_spawn_codex

    lines = codex_lines_in_code(code, "python3")
    if lines:
        return [_part(word, "\n".join(lines))]
    return [_runtime(word)] if may_spawn_codex(code) else []


def _gdb_command(word: Word) -> list[Word]:
    """The shell text one gdb command runs."""
    text = word.text
    m = _GDB_SHELL.match(text)
    if m is not None:
        return [_part(word, m.group(1))] if m.group(1).strip() else []
    m = _GDB_PIPE.match(text)
    if m is not None:
        rest = m.group(1)
        d = _GDB_PIPE_DELIM.match(rest)
        delim, rest = (d.group(1), d.group(2)) if d is not None else ("|", rest)
        _, found, shell = rest.partition(delim)
        return [_part(word, shell)] if found and shell.strip() else []
    m = _GDB_PYTHON.match(text)
    if m is not None:
        return _python_lines(word, m.group(1))
    return []


def _lldb_command(word: Word) -> list[Word]:
    """The shell text one lldb command runs."""
    m = _LLDB_SHELL.match(word.text)
    if m is not None:
        return [_part(word, m.group(1))] if m.group(1).strip() else []
    m = _LLDB_SCRIPT.match(word.text)
    if m is not None:
        return _python_lines(word, m.group(1))
    return []


def _option_values(
    argv: tuple[Word, ...], names: frozenset[str], stop: str = ""
) -> tuple[list[Word], tuple[Word, ...]]:
    """The values of the options in ``names`` (`-ex V`, `--ex=V`), and the words after
    ``stop`` (`--args`, `--`): the program a debugger runs."""
    found: list[Word] = []
    i = 1
    while i < len(argv):
        w = argv[i]
        if stop and w.text == stop:
            return found, argv[i + 1 :]
        name, eq, _ = w.text.partition("=")
        if name in names and eq and name.startswith("--"):
            found.append(_part(w, w.text[len(name) + 1 :]))
        elif w.text in names and i + 1 < len(argv):
            found.append(argv[i + 1])
            i += 1
        i += 1
    return found, ()


def _debugger(
    argv: tuple[Word, ...], names: frozenset[str], stop: str, read: Callable[[Word], list[Word]]
) -> list[Word]:
    values, program = _option_values(argv, names, stop)
    texts = [text for value in values for text in read(value)]
    if program:
        # the debuggee, started once the debugger is told to `run` (`-ex run`, `-o run`, or
        # a command file): through /bin/sh, with the debugger's env
        texts.append(_joined(program))
    return texts


def _unescaped(text: str) -> str:
    """A Lisp string literal's text: `\\"` and `\\\\` stand for `"` and `\\`."""
    return text.replace('\\"', '"').replace("\\\\", "\\")


def _emacs(argv: tuple[Word, ...]) -> list[Word]:
    """The shell text of each `(shell-command "TEXT")` in the evaluated Lisp; a process
    started another way whose form names codex is known only when Emacs runs it."""
    values, _ = _option_values(argv, _EMACS_EVAL_OPTS)
    texts: list[Word] = []
    for value in values:
        found = [m.group(1) for m in _ELISP_SHELL_TEXT.finditer(value.text)]
        # (Emacs gives the process /dev/null for stdin: call-process with no INFILE)
        texts.extend(_part(value, f"{{ {_unescaped(text)}\n}} </dev/null") for text in found)
        rest = _ELISP_SHELL_TEXT.sub("", value.text)
        if "codex" in rest.lower() and _ELISP_SPAWNS.search(rest):
            texts.append(_runtime(value))  # `(call-process "codex" nil nil nil "exec" ...)`
    return texts


_SHELL_STRING_OPTS = {
    "nix-shell": frozenset({"--run", "--command"}),
    "nodemon": frozenset({"--exec", "-x"}),
}
DEBUGGERS = frozenset({"gdb", "gdb-multiarch", "lldb"})
EVALUATORS = frozenset({"emacs", "emacsclient"})


# Client shells whose own command lines run shell text: psql's `\\! TEXT` (and `\\o |TEXT`,
# `\\g |TEXT`), mysql's `system TEXT` / `\\! TEXT`, sqlite3's `.shell TEXT` / `.system TEXT`
# (and `.once |TEXT`, `.output |TEXT`), sftp's and lftp's `!TEXT`, dc's `!TEXT`: in the command
# options named here, or on stdin (checked with sqlite3 3.40: `sqlite3 :memory: '.shell cmd'`).
_CLIENT_BANG = {
    "psql": lazy_compile(r"\s*\\(?:!|[og]\s*\|)\s*(.*)\Z", re.S),
    "mysql": lazy_compile(r"\s*(?:\\!|system\s)\s*(.*)\Z", re.S),
    "mariadb": lazy_compile(r"\s*(?:\\!|system\s)\s*(.*)\Z", re.S),
    "sqlite3": lazy_compile(
        r"\s*\.(?:shell|system)\s+(.*)\Z|\s*\.(?:once|output)\s+['\"]?\|\s*(.*?)['\"]?\s*\Z",
        re.S,
    ),
    "sftp": lazy_compile(r"\s*!(.*)\Z", re.S),
    "lftp": lazy_compile(r"\s*!(.*)\Z", re.S),
    "dc": lazy_compile(r".*?!(?![<>=])(.*)\Z", re.S),
}
_CLIENT_OPTS = {
    "psql": frozenset({"-c", "--command"}),
    "mysql": frozenset({"-e", "--execute"}),
    "mariadb": frozenset({"-e", "--execute"}),
    "sqlite3": frozenset({"-cmd", "--cmd"}),
    "lftp": frozenset({"-c", "-e"}),
    "dc": frozenset({"-e", "--expression"}),
}
CLIENTS = frozenset(_CLIENT_BANG)
# Editors that read their commands from stdin: ed always, ex, and vi/vim/nvim in Ex mode
# (`-e`, `-es`, `-E`): a `!TEXT` command line runs TEXT through a shell (checked with GNU ed 1.19
# and vim 9: `ed -s f <<< '!cmd'`, `ex -s f <<< '!cmd'`, `vim -es f <<< '!cmd'` run cmd).
STDIN_EDITORS = frozenset({"ed", "ex", "vi", "vim", "nvim", "view"}) | CLIENTS
OPTION_SHELLS = DEBUGGERS | EVALUATORS | frozenset(_SHELL_STRING_OPTS) | CLIENTS
# ed: `[ADDR]!TEXT`, `[ADDR]r !TEXT`, `[ADDR]w !TEXT`, `e !TEXT`
_ED_BANG = lazy_compile(r"[\s\d.,$;+\-]*(?:'[a-z]\s*)?(?:[rwWeE]\s*)?!(.*)\Z", re.S)


def editor_stdin_commands(argv: tuple[Word, ...], text: str) -> list[str]:
    """The shell text the command lines on an editor's stdin run ([] when it does not read
    commands there)."""
    from guard.shell.wrappers import _VIM_BANG, basename

    prog = basename(argv[0].text)
    if prog in _CLIENT_BANG:
        return _client_lines(prog, text)
    if prog == "ed":
        bang = _ED_BANG
    elif prog == "ex" or any(
        w.text[:1] == "-" and w.text[1:2] != "-" and ("e" in w.text or "E" in w.text)
        for w in argv[1:]
    ):
        bang = _VIM_BANG
    else:
        return []
    found: list[str] = []
    for line in text.splitlines():
        m = bang.match(line)
        if m is not None and m.group(1).strip():
            found.append(m.group(1))
    return found


def _client_lines(prog: str, text: str) -> list[str]:
    """The shell text a client shell's command lines run (one line, or `;`-joined lines)."""
    bang = _CLIENT_BANG[prog]
    found: list[str] = []
    for line in text.splitlines():
        m = bang.match(line)
        if m is None:
            continue
        shell = next((g for g in m.groups() if g), "")
        if shell.strip():
            found.append(shell)
    return found


def _client(argv: tuple[Word, ...], prog: str) -> list[Word]:
    """The shell text in a client shell's command options (and, for sqlite3, its SQL
    operands after the database: `sqlite3 DB '.shell TEXT'`)."""
    values, _ = _option_values(argv, _CLIENT_OPTS.get(prog, frozenset()))
    if prog == "sqlite3":
        operands = [w for w in argv[1:] if not w.text.startswith("-")]
        values.extend(operands[1:])
    return [_part(v, line) for v in values for line in _client_lines(prog, v.text)]


def option_shell_texts(argv: tuple[Word, ...], prog: str) -> list[Word]:
    """The shell text a program of OPTION_SHELLS hands to a shell, each a body of its own."""
    if prog in ("gdb", "gdb-multiarch"):
        return _debugger(argv, _GDB_COMMAND_OPTS, "--args", _gdb_command)
    if prog == "lldb":
        return _debugger(argv, _LLDB_COMMAND_OPTS, "--", _lldb_command)
    if prog in EVALUATORS:
        return _emacs(argv)
    if prog in CLIENTS:
        return _client(argv, prog)
    values, _ = _option_values(argv, _SHELL_STRING_OPTS[prog])
    return values
