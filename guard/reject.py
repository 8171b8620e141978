"""The keyword quick-reject every door shares (lint's engine, `check`, the agent hooks).

`may_concern_codex(text)` is False only when no word of the shell text can spell codex, a
forbidden key name or CODEX_HOME: not literally, not after quote removal (`co''dex`, `c\\odex`,
a backslash-newline inside the word), not after ANSI-C decoding (`$'\\x63odex'`), and not through
an expansion, a glob or a brace expansion that can stand for any text where a command runs. Sound
first (what it cannot rule out goes on to the full check), cheap second: pure Python, no imports,
and a command with none of ``$ ` * ? [ { ~`` in it never reaches the word scan.

The rules, for a command line that has no keyword in any decoded view:
- a word with an expansion, a glob, a brace group or a tilde in a command position goes on
  (`$CMD exec`, `${c}dex`, `./cod*`, `{c,x}odex`): it can name any program;
- in an argument it goes on unless the command's head is a literal program that never runs its
  arguments (`cd "$DIR"`, `echo $x`: `SAFE_HEADS`), or it is a pattern alone (no expansion) that
  cannot match a keyword, a path to codex or `KEY=...`;
- a here-doc or here-string fed to anything but a safe head goes on;
- text the scan cannot follow (an unclosed quote or substitution, `case` or nested backticks in a
  substitution) goes on.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the hook's path does not import typing
if TYPE_CHECKING:
    from re import Pattern

# Lower-case: a command that can start codex, change its billing or write its auth file holds one.
KEYWORDS = ("codex", "openai_api_key", "codex_api_key", "codex_home", "auth_mode")

# Programs whose arguments, here-docs and redirect targets never become a command the shell layer
# models (no wrapper, shell, eval, source, export or package runner: see guard/shell/wrappers.py;
# tests/test_reject.py checks the two lists stay apart).
SAFE_HEADS = frozenset(
    {
        "[",
        "[[",
        "awk",
        "basename",
        "black",
        "cargo",
        "case",
        "cat",
        "cd",
        "chmod",
        "cp",
        "curl",
        "cut",
        "date",
        "df",
        "diff",
        "dirname",
        "done",
        "du",
        "echo",
        "egrep",
        "esac",
        "exit",
        "false",
        "fi",
        "for",
        "function",
        "git",
        "go",
        "grep",
        "head",
        "jq",
        "less",
        "ln",
        "ls",
        "make",
        "mkdir",
        "mv",
        "mypy",
        "pip",
        "popd",
        "printf",
        "ps",
        "pushd",
        "pwd",
        "pytest",
        "python",
        "python3",
        "readlink",
        "realpath",
        "return",
        "rg",
        "rm",
        "rmdir",
        "ruff",
        "sed",
        "select",
        "sleep",
        "sort",
        "stat",
        "tail",
        "tar",
        "tee",
        "test",
        "touch",
        "tr",
        "true",
        "uniq",
        "wc",
        "wget",
        "which",
        "}",
    }
)
# Safe heads but for one form of argument the scan goes on for itself (place_argument): git runs
# the text of a `-c alias.NAME='!TEXT'` through the shell (the command model peels it as a shell),
# and the command a setting holds (`-c core.editor=TEXT`, `git config core.pager TEXT`:
# guard/shell/gitruns.py, whose table these name again: this module imports nothing).
SAFE_BUT_ONE_FORM = frozenset({"git"})
_GIT_COMMAND_KEYS = frozenset(
    {"core.editor", "sequence.editor", "core.pager", "diff.external", "core.sshcommand"}
    | {"core.askpass", "core.fsmonitor", "gpg.program", "core.gitproxy", "credential.helper"}
    | {"gpg.ssh.defaultkeycommand"}
)
# `section.<name>.key` settings that hold a command (gitruns._DRIVER_KEYS, remote.<name>.*).
_GIT_DRIVER_KEYS = frozenset(
    {("diff", "textconv"), ("diff", "command"), ("merge", "driver"), ("difftool", "cmd")}
    | {("filter", "clean"), ("filter", "smudge"), ("filter", "process"), ("trailer", "cmd")}
    | {("trailer", "command"), ("gpg", "program"), ("remote", "uploadpack")}
    | {("remote", "receivepack"), ("credential", "helper"), ("mergetool", "cmd")}
)
# git's options whose value is shell text it runs for a local repository (shell/gitoptions.py
# PACK_OPTIONS; mirrored here: this module imports nothing).
_GIT_PACK_OPTIONS = ("--upload-pack", "--receive-pack", "--exec")
# Variables whose value a program runs as a command (gitruns.ENV_NAMES; BASH_ENV and ENV name a
# file a shell runs first): a prefix assignment of one (`GIT_EDITOR='$c$d exec' git commit`) is
# judged as the command line it holds.
_COMMAND_NAMES = frozenset(
    {"GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PAGER", "GIT_EXTERNAL_DIFF", "GIT_SSH_COMMAND"}
    | {"GIT_SSH", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_CONFIG_PARAMETERS", "EDITOR", "VISUAL"}
    | {"PAGER", "BASH_ENV", "ENV"}
    # an interactive shell runs PROMPT_COMMAND and the `$(...)` of its prompts (shell/unwrap.py)
    | {"PROMPT_COMMAND", "PS0", "PS1", "PS2"}
    # less runs its input preprocessor, man its pager (shell/unwrap.py ENV_RUNNERS)
    | {"LESSOPEN", "LESSCLOSE", "MANPAGER"}
    # rsync runs its remote shell (shell/wrappers.rsync_remote_shell)
    | {"RSYNC_RSH"}
)


def _git_pack_option(name: str) -> bool:
    """One of _GIT_PACK_OPTIONS or an abbreviation git takes (`--upl`: gitoptions.py)."""
    return (
        len(name) > 2
        and name.startswith("--")
        and any(o.startswith(name) for o in _GIT_PACK_OPTIONS)
    )


def _git_command_key(key: str) -> bool:
    """A git setting whose value git runs (gitruns.is_command_key; `key` lower-case)."""
    if key in _GIT_COMMAND_KEYS or key.startswith(("alias.", "pager.")):
        return True
    section, _, rest = key.partition(".")
    return "." in rest and (section, rest.rpartition(".")[2]) in _GIT_DRIVER_KEYS


# Programs that may run their arguments (or a string among them) as a command, or give a name
# its value from them: after one of these an expanded argument may become codex or a key, so the
# line goes on. After any other program an expansion is only that program's data: the command
# model follows nothing through it (an unknown wrapper is seen only by a literal `codex` word), so
# the full check could say nothing either. tests/test_reject.py keeps this a superset of the
# command model's wrappers (guard/shell/wrappers.WRAPPER_PROGRAMS) and of the walker's builtins.
_MAY_RUN_ARGS = frozenset(
    {
        *("env", "timeout", "nohup", "nice", "ionice", "stdbuf", "time", "command", "builtin"),
        *("exec", "sudo", "doas", "xargs", "parallel", "docker", "podman", "find", "node"),
        *("nodejs", "flock", "chrt", "taskset", "strace", "ltrace", "runuser", "watch", "script"),
        *("setsid", "coproc", "caam", "npx", "bunx", "pnpx", "bun", "pnpm", "yarn", "npm"),
        "corepack",
        *("uv", "poetry", "apptainer", "singularity", "trap", "su", "ssh", "eval", "tmux"),
        *("sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "busybox", "csh", "tcsh"),
        *("python", "python2", "python3", "perl", "ruby", "php", "deno", "osascript", "tclsh"),
        *("source", ".", "alias", "unalias", "export", "declare", "typeset", "local", "readonly"),
        *("unset", "set", "shift", "read", "readarray", "mapfile", "printf", "let", "getopts"),
        *("disown", "wait", "make", "gmake", "just", "nix-shell", "direnv", "fg", "bg", "jobs"),
        *("sg", "newgrp", "unshare", "nsenter", "chroot", "firejail", "bwrap", "systemd-run"),
        *("cgexec", "prlimit", "ulimit", "sshpass", "expect", "screen", "byobu", "entr"),
        *("inotifywait", "xdg-open", "open", "start", "pkexec", "gosu", "su-exec", "setpriv"),
        *("at", "batch", "crontab", "kubectl", "ionice", "cpulimit", "schedtool", "numactl"),
        *("mpirun", "srun", "sbatch", "qsub", "bsub", "salloc", "gdb", "valgrind", "perf"),
        *("toybox", "unbuffer", "faketime", "proxychains", "proxychains4", "tsocks", "torsocks"),
        *("docker-compose", "podman-compose", "cross-env", "cross-env-shell", "dotenv"),
        *("env-cmd", "concurrently", "conc", "compgen", "awk", "gawk", "mawk", "nawk"),
        *("sg", "tar", "gtar", "sort"),
        *("sed", "gsed", "vim", "vi", "nvim", "ex", "view", "vimdiff", "gvim", "rvim"),
        *("scp", "sftp"),
        "rsync",  # its remote shell, `-e CMD` (shell/wrappers.rsync_remote_shell)
        # debuggers, editors, clients and watchers that run a command from an argument
        # (shell/debuggers.py), namespace and session runners, other shells and interpreters
        *("gdb-multiarch", "lldb", "emacs", "emacsclient", "nodemon", "watchexec", "dc", "lftp"),
        *("psql", "mysql", "mariadb", "sqlite3", "start-stop-daemon", "dbus-run-session"),
        *("systemd-inhibit", "xvfb-run", "fakeroot", "catchsegv", "daemonize", "bubblewrap"),
        *("yash", "posh", "ksh93", "pwsh", "powershell", "nu", "xonsh", "elvish", "rc", "es"),
        *("R", "Rscript", "gnuplot", "octave", "julia", "lua", "luajit", "wish"),
    }
)
# find's actions whose next word is the program they run (`{}` there: a name find finds).
_FIND_RUNS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def _found_name_runs(args: list[str]) -> bool:
    """The last of find's `args` (`{}`) is the program of an -exec action, or of a wrapper
    there (`-exec env {} ...`, `-exec nice -n 5 {} ...`): a name find finds runs."""
    for prev in reversed(args[:-1]):
        if prev in _FIND_RUNS:
            return True
        if _basename(prev) not in _MAY_RUN_ARGS and prev[:1] not in ("-", "+") and "=" not in prev:
            return False
    return False


# Reserved words after which the next word is still a command.
_KEEP_COMMAND_POSITION = frozenset(
    {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"}
)
MAX_NESTING = 64  # quotes and substitutions inside each other
# Characters that make a literal argument do something when a shell reads it again.
_ACTIVE_IN_TEXT = frozenset("$`'\"\\")
# Heads whose arguments may be read as shell text: globs there can name a program too.
_RUNS_TEXT = frozenset(
    {
        "alias",
        "bash",
        "command",
        "compgen",
        "conc",
        "concurrently",
        "cross-env",
        "cross-env-shell",
        "doas",
        "dotenv",
        "env",
        "env-cmd",
        "eval",
        "exec",
        "nice",
        "nohup",
        "parallel",
        "setsid",
        "sh",
        "ssh",
        "stdbuf",
        "su",
        "sudo",
        "time",
        "timeout",
        "trap",
        "watch",
        "xargs",
        "zsh",
        "dash",
        "ksh",
        "ash",
        "mksh",
        "mapfile",
        "readarray",
        # they hand an option's text to a shell (`sg G -c TEXT`, `scp -o ProxyCommand=TEXT`,
        # `vim -c '!TEXT'`): a pattern there can name codex (`./cod*`) as in `bash -c TEXT`
        *("sg", "scp", "sftp", "vim", "vi", "nvim", "ex", "view", "vimdiff", "gvim", "rvim"),
    }
)
# Characters that can make a word stand for other text.
_WILD = frozenset("$`*?[{~")
_WILD_OR_ESCAPE = _WILD | {"\\"}
_SPECIAL_PARAMS = frozenset("@*#?$!-0123456789_")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_OPERATOR_CHARS = frozenset(";&|()\n")
_BLANKS = frozenset(" \t")
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCT = frozenset("01234567")
# Runs of characters the scan only copies (command text, "..." text, ${...} text), as compiled
# patterns; None until the file-level reject compiles them (the hook's path imports no `re`, and
# a command line is short: char by char costs it nothing). Same verdicts either way.
_LITERAL_RUNS: tuple[Pattern[str], Pattern[str], Pattern[str]] | None = None


class _GoOn(Exception):
    """Raised inside the scan: this text needs the full check."""


def may_concern_codex(text: str) -> bool:
    """False only when the text certainly cannot start codex or name a forbidden key."""
    if _keyword_in_views(text):
        return True
    if _WILD.isdisjoint(text):  # in C: the set meets each character once
        return False
    if ">" in text and _runs_written_file(text):
        # `echo "$c$d exec" > f; bash f` (at -f f, expect f): the model walks the text written,
        # expanded, as the script a later command runs (shell/written.py)
        return True
    if "|" in text and _prints_into_shell(text):
        # `echo "$c$d exec" | bash`, `... | cat | sh`: the command model runs the text echo,
        # printf or cat of a here-doc prints into a shell's stdin, expanded: not a safe head's
        # data (text it cannot know, `curl "$URL" | sh`, is CG902 only: may_run_unseen_text)
        return True
    if "'" in text and "[" in text and _quoted_subscript_runs(text):
        # `[[ 1 -eq 'a[$($c$d exec)]' ]]`, `(( 'a[...]' ))`, `unset 'a[...]'`: bash evaluates the
        # quoted text as arithmetic or a name, and the subscript's substitutions run there
        # (shell/sinks.py); wherever such a word stands, its commands are judged
        return True
    try:
        _Scan(text).run()
    except _GoOn:
        return True
    except RecursionError:
        return True
    return False


def _quoted_subscript_runs(text: str) -> bool:
    """A single-quoted `...[...$(cmd)...]...` whose substitutions' commands may run codex."""
    start = text.find("'")
    while start >= 0:
        end = text.find("'", start + 1)
        if end < 0:
            return False
        body = text[start + 1 : end]
        if "[" in body and ("$(" in body or "`" in body) and may_concern_codex("echo " + body):
            return True
        start = text.find("'", end + 1)
    return False


# The keywords no other keyword is part of: a text holds a keyword if and only if it holds one
# of these ("codex_home" holds "codex"), with fewer passes over a long file.
_SCAN_KEYWORDS = tuple(k for k in KEYWORDS if not any(o != k and o in k for o in KEYWORDS))


def _has_keyword(text: str) -> bool:
    lowered = text.lower()
    return any(k in lowered for k in _SCAN_KEYWORDS)


def _drop_quoting(text: str) -> str:
    """The text without quotes and backslashes (three passes in C: `str.translate` with a dict
    looks each character up in Python's mapping protocol)."""
    return text.replace("'", "").replace('"', "").replace("\\", "")


def _keyword_in_views(text: str) -> bool:
    """The keyword literally, with quoting removed, with `$'...'` decoded, or with the escapes
    printers decode (`printf '\\143odex'`) decoded (case-insensitive)."""
    if _has_keyword(text):
        return True
    if not any(c in text for c in "'\"\\$"):
        return False
    joined = text.replace("\\\n", "").replace('$"', '"')
    if _has_keyword(_drop_quoting(joined)):
        return True
    if "$'" in joined and _has_keyword(_drop_quoting(_decode_all_ansi_c(joined))):
        return True
    return "\\" in joined and _escaped_keyword(joined)


# What follows a backslash that printf's format, `printf %b` or `echo -e` turn into a letter.
_ESCAPE_PAIRS = tuple("\\" + lead for lead in "01234567xuU")


def _escaped_keyword(text: str) -> bool:
    """The view with the escapes printers decode: `printf '\\143odex exec' | bash` (a format's
    `\\143`), `echo -e '\\x63odex'`, `printf %b '\\0143odex'` print codex into a shell. Every
    `\\` is read as an escape (a `\\\\` pair too): a superset of what any printer decodes."""
    if "print" not in text and "echo" not in text:
        return False  # (a search in C: no printer, nothing decodes an escape)
    if not any(pair in text for pair in _ESCAPE_PAIRS):
        return False
    parts = text.split("\\")
    out = [parts[0]]
    for part in parts[1:]:
        lead = part[:1]
        if lead in _OCT:
            start = 1 if lead == "0" and part[1:2] in _OCT else 0  # `\\0143`: %b, echo -e
            digits = _take(part, start, _OCT, 3)
            out.append(chr(int(digits, 8) & 0xFF) + part[start + len(digits) :])
        elif lead in ("x", "u", "U"):
            digits = _take(part, 1, _HEX, {"x": 2, "u": 4, "U": 8}[lead])
            out.append((_chr(int(digits, 16)) if digits else lead) + part[1 + len(digits) :])
        else:
            out.append(part)
    return _has_keyword(_drop_quoting("".join(out)))


def _decode_all_ansi_c(text: str) -> str:
    out: list[str] = []
    i = 0
    while True:
        j = text.find("$'", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        decoded, i = ansi_c(text, j + 2)
        out.append(decoded)


def ansi_c(text: str, i: int) -> tuple[str, int]:
    """Decode a `$'...'` body starting at `i` (after the quote): (text, index after the `'`).

    An unclosed body returns `len(text) + 1` as its end.
    """
    out: list[str] = []
    n = len(text)
    while i < n:
        c = text[i]
        if c == "'":
            return "".join(out), i + 1
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = text[i + 1]
        i += 2
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
        elif e in _OCT:
            digits = e + _take(text, i, _OCT, 2)
            i += len(digits) - 1
            out.append(chr(int(digits, 8) & 0xFF))
        elif e in "xuU":
            digits = _take(text, i, _HEX, {"x": 2, "u": 4, "U": 8}[e])
            i += len(digits)
            out.append(_chr(int(digits, 16)) if digits else "\\" + e)
        elif e == "c" and i < n:
            out.append(chr(ord(text[i]) & 0x1F))
            i += 1
        else:
            out.append("\\" + e)
    return "".join(out), n + 1


def _take(text: str, i: int, allowed: frozenset[str], most: int) -> str:
    j = i
    while j < len(text) and j - i < most and text[j] in allowed:
        j += 1
    return text[i:j]


def _chr(code: int) -> str:
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


class _Word:
    __slots__ = ("brace", "expansion", "glob", "lit", "start", "started")

    def __init__(self, start: int) -> None:
        self.start = start
        self.lit: list[str] = []
        self.started = False
        self.expansion = False
        self.glob = False
        self.brace = False

    @property
    def wild(self) -> bool:
        return self.expansion or self.glob or self.brace


class _Frame:
    """One level of the scan: a command list (top, `$(`, `(`, backticks), `"..."` or `${...}`."""

    __slots__ = (
        "args",
        "bare",
        "cases",
        "close",
        "cmdpos",
        "depth",
        "git_u",
        "head",
        "heredocs",
        "kind",
        "op",
        "op_end",
        "redirect",
        "value_next",
        "word",
    )

    def __init__(self, kind: str, close: str, start: int) -> None:
        self.kind = kind  # "cmd" | "dq" | "param"
        self.close = close  # ")" | "`" | "" (top) for commands
        self.cmdpos = True
        self.head: str | None = None
        self.depth = 0
        self.redirect = ""  # "" | "file" | "heredoc" | "heredoc-" | "herestring"
        self.heredocs: list[tuple[str, bool]] = []
        self.args: list[str] = []  # the literal arguments of a head that is not safe
        self.word = _Word(start)
        # No word and no redirection since the list began or its last operator: a list operator
        # here (`;co ...`) is a syntax error bash refuses the line for.
        self.bare = True
        self.cases = 0  # `case` statements open (their arms end in `;;`, `;&`, `;;&`)
        self.op = ""  # the list operator that ends at `op_end`, while another character may join it
        self.op_end = -1
        # "value": `git config KEY VALUE` of a command key, VALUE is judged; "bisect": a `run`
        # next is `git bisect run CMD...`; "setting": the word after git's `-c`
        self.value_next = ""
        self.git_u = False  # `git clone` / `git ls-remote`: `-u TEXT` is the upload-pack run


class _Scan:
    """Quote-aware word scan of shell text, in just enough detail to place every wild word."""

    def __init__(self, text: str) -> None:
        self.t = text
        self.n = len(text)
        self.i = 0
        self.stack = [_Frame("cmd", "", 0)]
        self.literal_runs = _LITERAL_RUNS
        # Any program may stand for another in text that defines an alias or a function, or
        # writes a file with a here-doc (a runner script): only in text with none of them is a
        # program outside _MAY_RUN_ARGS known to run none of its words.
        self.names_known = not (
            "alias" in text or "function" in text or "<<" in text or "()" in text.replace(" ", "")
        )

    def owner(self) -> _Frame:
        for frame in reversed(self.stack):
            if frame.kind == "cmd":
                return frame
        raise _GoOn  # pragma: no cover - the bottom frame is a command frame

    def run(self) -> None:
        while self.i < self.n:
            if len(self.stack) > MAX_NESTING:
                raise _GoOn  # the full check has its own bounds; this scan stays linear
            top = self.stack[-1]
            if top.kind == "cmd":
                self.step_cmd(top)
            elif top.kind == "dq":
                self.step_dq()
            else:
                self.step_param(top)
        if len(self.stack) != 1:
            raise _GoOn  # an unclosed quote or substitution
        self.end_word(self.stack[0])
        self.finish_command(self.stack[0])

    # ------------------------------------------------------------------ command text
    def step_cmd(self, f: _Frame) -> None:
        t, i = self.t, self.i
        c = t[i]
        w = f.word
        if c in _BLANKS:
            self.end_word(f)
            self.i = i + 1
        elif c == "\n":
            self.end_word(f)
            self.i = i + 1
            self.skip_heredocs(f)
            self.command_starts(f)
        elif c == "#" and not w.started:
            end = t.find("\n", i)
            self.i = self.n if end < 0 else end
        elif c == f.close and (c == "`" or f.depth == 0):
            self.end_word(f)
            self.finish_command(f)
            self.stack.pop()
            self.i = i + 1
        elif c in _OPERATOR_CHARS:
            self.end_word(f)
            closed = False
            if c in ";|&":
                joined = f.op_end == i and f.op + c in (_CASE_ENDS if f.cases else _JOINED)
                if f.bare and not joined and not (f.cases and t.startswith((";;", ";&"), i)):
                    # Bash refuses the whole line; a parser's error recovery may read its words
                    # as other commands (`;co ${c}trap`: `${c}trap` as the command), so the
                    # full check reads it.
                    raise _GoOn
                f.op, f.op_end = (f.op + c if joined else c), i + 1
            elif c == "(":
                f.depth += 1
            elif c == ")" and f.depth:
                f.depth -= 1
                closed = True
            self.i = i + 1
            self.command_starts(f)
            if closed:
                f.bare = False  # `(cd x && make) || exit`: the `)` ended a command
        elif c in "<>" or (c == "&" and t.startswith(">", i + 1)):
            self.redirect(f)
        else:
            self.word_char(f)

    def command_starts(self, f: _Frame) -> None:
        self.finish_command(f)
        f.cmdpos = True
        f.head = None
        f.redirect = ""
        f.bare = True
        f.value_next = ""
        f.git_u = False

    def redirect(self, f: _Frame) -> None:
        t, i = self.t, self.i
        w = f.word
        if t.startswith(("<(", ">("), i):  # process substitution: a command list in a word
            self.start_word(w)
            self.mark_expansion(f)
            self.stack.append(_Frame("cmd", ")", i))
            self.i = i + 2
            return
        if w.started and not w.wild and "".join(w.lit).isdigit():
            f.word = _Word(i)  # `2>`: the fd number, not a word
        else:
            self.end_word(f)
        f.bare = False
        if t.startswith("<<<", i):
            f.redirect, self.i = "herestring", i + 3
        elif t.startswith("<<-", i):
            f.redirect, self.i = "heredoc-", i + 3
        elif t.startswith("<<", i):
            f.redirect, self.i = "heredoc", i + 2
        else:
            j = i + 1
            while j < self.n and t[j] in "<>&|":
                j += 1
            f.redirect, self.i = "file", j
        f.word = _Word(self.i)

    # ------------------------------------------------------------------ characters of a word
    def start_word(self, w: _Word) -> None:
        if not w.started:
            w.started = True
            w.start = self.i

    def mark_expansion(self, owner: _Frame) -> None:
        owner.word.expansion = True

    def word_char(self, owner: _Frame) -> None:
        """One unquoted character (or quoted run, or expansion) of the owner's current word."""
        t, i = self.t, self.i
        c = t[i]
        w = owner.word
        self.start_word(w)
        if c == "\\":
            nxt = t[i + 1 : i + 2]
            if nxt == "`" and any(s.close == "`" for s in self.stack):
                raise _GoOn  # a backtick nested in backticks: a command the scan cannot place
            if nxt != "\n":
                w.lit.append(nxt)
            self.i = i + 2
        elif c == "'":
            end = t.find("'", i + 1)
            if end < 0:
                raise _GoOn
            w.lit.append(t[i + 1 : end])
            self.i = end + 1
        elif c == '"':
            self.stack.append(_Frame("dq", '"', i))
            self.i = i + 1
        elif c == "$":
            self.dollar(owner, quoted=False)
        elif c == "`":
            self.mark_expansion(owner)
            self.stack.append(_Frame("cmd", "`", i))
            self.i = i + 1
        elif c in "*?[":
            w.glob = True
            w.lit.append("*")
            self.i = i + 1
        elif c == "{":
            w.brace = True
            w.lit.append("{")
            self.i = i + 1
        elif c == "~" and w.start == i:
            self.mark_expansion(owner)  # a home folder: any path
            w.lit.append("*")
            self.i = i + 1
        elif self.literal_runs is not None:
            plain = self.literal_runs[0].match(t, i)
            end = i + 1 if plain is None else plain.end()
            w.lit.append(t[i:end])
            self.i = end
        else:
            w.lit.append(c)
            self.i = i + 1

    def dollar(self, owner: _Frame, quoted: bool) -> None:
        t, i = self.t, self.i
        nxt = t[i + 1 : i + 2]
        w = owner.word
        if nxt == "'" and not quoted:
            decoded, self.i = ansi_c(t, i + 2)
            if self.i > self.n:
                raise _GoOn  # unclosed
            w.lit.append(decoded)
        elif nxt == '"' and not quoted:
            self.stack.append(_Frame("dq", '"', i))
            self.i = i + 2
        elif nxt == "(":
            self.mark_expansion(owner)
            self.stack.append(_Frame("cmd", ")", i))
            self.i = i + 2
        elif nxt == "{":
            self.mark_expansion(owner)
            self.stack.append(_Frame("param", "}", i))
            self.i = i + 2
        elif nxt == "[":
            self.mark_expansion(owner)
            w.lit.append("*")
            self.i = i + 2
        elif nxt and (nxt in _SPECIAL_PARAMS or nxt in _NAME_CHARS):
            self.mark_expansion(owner)
            j = i + 2
            if nxt in _NAME_CHARS and not nxt.isdigit():
                while j < self.n and t[j] in _NAME_CHARS:
                    j += 1
            w.lit.append("*")
            self.i = j
        else:
            w.lit.append("$")
            self.i = i + 1

    # ------------------------------------------------------------------ "..." and ${...}
    def step_dq(self) -> None:
        t, i = self.t, self.i
        c = t[i]
        owner = self.owner()
        w = owner.word
        if c == '"':
            self.stack.pop()
            self.i = i + 1
        elif c == "\\":
            nxt = t[i + 1 : i + 2]
            if nxt in ('"', "\\", "$", "`"):
                w.lit.append(nxt)
            elif nxt != "\n":
                w.lit.append("\\" + nxt)
            self.i = i + 2
        elif c == "$":
            self.dollar(owner, quoted=True)
        elif c == "`":
            self.mark_expansion(owner)
            self.stack.append(_Frame("cmd", "`", i))
            self.i = i + 1
        elif self.literal_runs is not None:
            plain = self.literal_runs[1].match(t, i)
            end = i + 1 if plain is None else plain.end()
            w.lit.append(t[i:end])
            self.i = end
        else:
            w.lit.append(c)
            self.i = i + 1

    def step_param(self, f: _Frame) -> None:
        t, i = self.t, self.i
        c = t[i]
        owner = self.owner()
        if c == "}" and f.depth == 0:
            self.stack.pop()
            self.i = i + 1
        elif c == "}":
            f.depth -= 1
            self.i = i + 1
        elif c == "{":
            f.depth += 1
            self.i = i + 1
        elif c == "\\":
            self.i = i + 2
        elif c == "'":
            end = t.find("'", i + 1)
            if end < 0:
                raise _GoOn
            self.i = end + 1
        elif c == '"':
            self.stack.append(_Frame("dq", '"', i))
            self.i = i + 1
        elif c == "$":
            self.dollar(owner, quoted=True)
        elif c == "`":
            self.stack.append(_Frame("cmd", "`", i))
            self.i = i + 1
        elif self.literal_runs is not None:
            plain = self.literal_runs[2].match(t, i)
            self.i = i + 1 if plain is None else plain.end()
        else:
            self.i = i + 1

    # ------------------------------------------------------------------ words in place
    def end_word(self, f: _Frame) -> None:
        w = f.word
        f.word = _Word(self.i)
        if not w.started:
            return
        lit = "".join(w.lit)
        raw = self.t[w.start : self.i]
        if w.brace and "," not in raw and ".." not in raw:
            w.brace = False  # `{`, `{}`, `{x}`: no brace expansion
        if w.glob and raw in ("[", "[[", "]", "]]"):
            w.glob, lit = False, raw  # `[ -f x ]`, `[[ ... ]]`
        if raw == "{":
            self.command_starts(f)  # a group's `{`, even after `function f`
            return
        if not (f.cmdpos and raw in _KEEP_COMMAND_POSITION):
            f.bare = False
        if f.redirect:
            self.place_redirect_target(f, w, lit)
        elif f.cmdpos:
            self.place_command_word(f, w, lit, raw)
        else:
            self.place_argument(f, w, lit)

    def place_redirect_target(self, f: _Frame, w: _Word, lit: str) -> None:
        kind = f.redirect
        f.redirect = ""
        safe = f.head in SAFE_HEADS
        if kind.startswith("heredoc"):
            if not safe:
                raise _GoOn  # a here-doc fed to a shell or a wrapper: the full check reads it
            f.heredocs.append((lit, kind == "heredoc-"))
        elif not safe and (kind == "herestring" or w.wild):
            raise _GoOn
        elif kind == "herestring" and w.expansion and f.head in SAFE_UNLESS_LITERAL:
            raise _GoOn  # `tee f <<< "$x"`, `python3 - <<< "$x"`: text the model reads

    def place_command_word(self, f: _Frame, w: _Word, lit: str, raw: str) -> None:
        if w.wild:
            if _is_assignment(raw):
                self.judge_assignment(w, lit, raw)
                return  # `A=$x cmd`: a value, and the command comes next
            raise _GoOn  # `$CMD`, `${c}dex`, `./cod*`: may name any program
        if _is_assignment(raw):
            self.judge_assignment(w, lit, raw)
            return
        if lit in _KEEP_COMMAND_POSITION and raw == lit:
            return
        if lit == "case" and f.close:
            raise _GoOn  # `pat)` inside `$(...)` would end the substitution early
        if lit == "case":
            f.cases += 1
        elif lit == "esac" and f.cases:
            f.cases -= 1
        f.head = lit.rsplit("/", 1)[-1]
        f.cmdpos = False

    def judge_assignment(self, w: _Word, lit: str, raw: str) -> None:
        """A prefix assignment of a variable a program runs as a command (`GIT_EDITOR=TEXT git
        commit`, `GIT_CONFIG_VALUE_0='!TEXT' git x`): TEXT is judged as a command line."""
        name = raw.partition("=")[0].rstrip("+")
        value = lit.partition("=")[2]
        if name == "GIT_CONFIG_PARAMETERS" and not _WILD_OR_ESCAPE.isdisjoint(value):
            raise _GoOn  # `'alias.x'='!$c$d ...'`: values inside quotes of its own
        if name == "GIT_ALLOW_PROTOCOL":
            raise _GoOn  # `GIT_ALLOW_PROTOCOL=ext git clone "$URL"`: the URL may be ext::
        if name in _COMMAND_NAMES or name.startswith("GIT_CONFIG_VALUE_"):
            _judge_command_text(w, value)
        self.judge_subscripts(value)

    def judge_subscripts(self, lit: str) -> None:
        """A quoted value holding `[...$(...)...]` (`n='a[$(cmd)]'`, `for n in '...'`): bash
        evaluates a value as arithmetic where a name has the integer attribute (`declare -i n`)
        or is read in `$((n))`, and a subscript there runs its substitutions (shell/sinks.py):
        the commands its substitutions run are judged."""
        if "[" not in lit or ("$(" not in lit and "`" not in lit):
            return
        # as an argument of echo: its substitutions are scanned as the commands they run, and
        # the word itself is data (no recursion: echo's arguments are judged no further)
        if may_concern_codex("echo " + lit):
            raise _GoOn

    def place_argument(self, f: _Frame, w: _Word, lit: str) -> None:
        if f.head in SAFE_HEADS:
            if f.head == "for":
                self.judge_subscripts(lit)  # `declare -i n; for n in 'a[$(cmd)]'`
            if f.head in SAFE_BUT_ONE_FORM:
                self.place_git_argument(f, w, lit)
            elif f.head in SAFE_UNLESS_LITERAL:
                if w.expansion or w.brace:
                    raise _GoOn  # `awk "...$x..."`, `tar --to-command="$x"`: the model expands it
                if f.head in _OPTION_RUNNERS and _names_keyword_by_pattern(lit):
                    raise _GoOn  # `tar -I './cod* ...'`: a shell runs the text, globs and all
            return
        f.args.append(lit)
        if f.head == "find" and "{}" in lit and _found_name_runs(f.args):
            raise _GoOn  # `find ... -exec [env] {} ...`: the program is a name find finds
        if not w.wild or (self.names_known and f.head not in _MAY_RUN_ARGS):
            return  # a program that runs none of its words: its data, whatever it expands to
        if w.expansion or w.brace:
            # Any text, quoted or not: after a wrapper it can be the program the shell layer
            # cannot resolve (CG902), and unquoted it can split into any words.
            raise _GoOn
        if _pattern_may_match_keyword(lit):
            raise _GoOn

    def place_git_argument(self, f: _Frame, w: _Word, lit: str) -> None:
        """`git -c 'alias.x=!TEXT' x`: git runs TEXT through a shell, which may read a here-doc
        too (wrappers._git_shell_alias): the full check reads both. So for the command a setting
        holds (`-c core.editor=TEXT`, `git config core.pager TEXT`, `--config-env`): TEXT is
        judged as a command line (guard/shell/gitruns.py). A command git runs from its argv
        (`rebase -x TEXT`, `submodule foreach TEXT`, `bisect run CMD...`: wrappers._peel_git) may
        read a here-doc too: those forms go on. The upload-pack or receive-pack a local remote
        runs (`--upload-pack=TEXT`, `clone -u TEXT`) and the command of an `ext::` URL (an
        argument, `remote.<name>.url`, `url.<ext::...>.insteadOf`) are judged as command lines."""
        if f.value_next:
            after, f.value_next = f.value_next, ""
            if after == "value":
                _judge_command_text(w, lit)
                return
            if after == "setting":
                # `-c "$K=$V"`: a setting the line does not show (an expansion is `*` in lit)
                if w.expansion and ("=" not in lit or "*" in lit.partition("=")[0]):
                    raise _GoOn
            elif lit == "run":
                raise _GoOn  # `git bisect run CMD...`
        if lit == "-c":
            f.value_next = "setting"
            return
        if lit == "--config-env":
            raise _GoOn  # `--config-env core.editor=E`: as `--config-env=...`, a variable's value
        if lit == "foreach" or lit.startswith("--ex") or _short_x(lit):
            raise _GoOn  # `git submodule foreach TEXT`, `git rebase -x TEXT` / `--exec TEXT`
        if lit == "filter-branch" or lit.startswith("--op") or _short_letter(lit, "O"):
            raise _GoOn  # its filters, `git grep -OTEXT` (wrappers._GIT_COMMAND_OPTIONS)
        if lit.startswith("ext::"):
            _judge_command_text(w, _ext_text(lit))  # `git clone 'ext::sh -c TEXT'`
            return
        if lit in ("clone", "ls-remote"):
            f.git_u = True
        elif f.git_u and lit[:1] == "-" and lit[1:2] != "-" and "u" in lit:
            # `git clone -u TEXT`, `-uTEXT`: the upload-pack a local clone runs
            tail = lit[lit.index("u") + 1 :]
            if tail:
                _judge_command_text(w, tail)
            else:
                f.value_next = "value"
            return
        if "=" not in lit:
            if lit == "bisect":
                f.value_next = "bisect"
            elif _git_command_key(lit.lower()) or _git_pack_option(lit):
                f.value_next = "value"
            return
        if "!" in lit and "alias" in lit.lower():
            raise _GoOn
        if lit.lower().startswith("protocol.") and "allow" in lit.lower():
            raise _GoOn  # `-c protocol.ext.allow=always`: a URL the line does not show may be ext::
        key, _, value = lit.partition("=")
        if key.startswith("--config-env"):
            raise _GoOn  # a setting from a variable: the full check reads both
        if value.startswith("ext::"):
            _judge_command_text(w, _ext_text(value))  # `-c remote.o.url=ext::TEXT`
        elif key.lower().startswith("url.ext::"):
            _judge_command_text(w, _ext_text(key[4:]))  # `-c url.ext::TEXT.insteadOf=NAME`
        if _git_command_key(key.lower()) or _git_pack_option(key):
            _judge_command_text(w, value)

    def finish_command(self, f: _Frame) -> None:
        """Arguments a wrapper, shell, `eval`, `trap`, `alias` or `ssh` may run as shell text
        (`bash -c '$x exec'`, `alias x='$y'`, `eval '$'c`): judged again as command lines, joined
        and each value after its first `=`, when they hold quoting, an expansion or, for a head
        that runs text, a pattern."""
        args, f.args = f.args, []
        if not args or f.head is None or f.head in SAFE_HEADS:
            return
        if self.names_known and f.head not in _MAY_RUN_ARGS:
            return
        runs_text = f.head in _RUNS_TEXT
        active = _ACTIVE_IN_TEXT | _WILD if runs_text else _ACTIVE_IN_TEXT
        # Joined (`eval '$'c exec`), each on its own (`bash -c '$x exec'`: joined, `-c` would
        # stand where the program does), and each value after its first `=`.
        texts = [" ".join(args), *args] + [a.split("=", 1)[1] for a in args if "=" in a]
        for text in texts:
            if len(text) < len(self.t) and not active.isdisjoint(text):
                if may_concern_codex(text):
                    raise _GoOn
            elif not active.isdisjoint(text):
                raise _GoOn  # not shorter: no progress to be made, so no verdict either

    def skip_heredocs(self, f: _Frame) -> None:
        """Here-doc bodies of a safe head (cat, git...) are data: skip to after each delimiter."""
        t = self.t
        # an unquoted body expands: `python3 - <<EOF` with `os.system("$c$d exec")` is read by
        # the model with those values (shell/unwrap._here_doc_values); quoted or not, it goes on
        expands = f.head in SAFE_UNLESS_LITERAL
        for delimiter, strip_tabs in f.heredocs:
            while self.i < self.n:
                end = t.find("\n", self.i)
                line = t[self.i : self.n if end < 0 else end]
                self.i = self.n if end < 0 else end + 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
                if expands and ("$" in line or "`" in line):
                    raise _GoOn
        f.heredocs = []


def _ext_text(url: str) -> str:
    """The command of an `ext::` URL as a command line (git-remote-ext: `% ` is a space)."""
    return url.removeprefix("ext::").replace("% ", " ")


def _short_x(lit: str) -> bool:
    """`-x`, `-xTEXT`, `-ix`: git rebase's exec option among short options (and difftool's)."""
    return _short_letter(lit, "x")


def _short_letter(lit: str, letter: str) -> bool:
    return lit[:1] == "-" and lit[1:2] != "-" and letter in lit


def _judge_command_text(w: _Word, text: str) -> None:
    """Text a program runs as a command (git's editor, a `!` alias, GIT_SSH_COMMAND): the full
    check reads it when it is unknown (an expansion) or could spell codex as a command line."""
    if w.expansion:
        raise _GoOn  # `GIT_EDITOR="$E"`: what runs is known only then
    text = text.lstrip().removeprefix("!")
    active = not _ACTIVE_IN_TEXT.isdisjoint(text) or not _WILD.isdisjoint(text)
    if active and may_concern_codex(text):
        raise _GoOn


# List operators of two or three characters: a character that joins the one before it is no new
# operator (`||`, not `|` then `|`). In a case statement, `;;`, `;&` and `;;&` end an arm.
_JOINED = frozenset({"||", "&&", "|&"})
_CASE_ENDS = _JOINED | {";;", ";&", ";;&"}


def _is_assignment(raw: str) -> bool:
    """`NAME=...`, `NAME+=...` or `NAME[...]=...`, unquoted (the shell's rule for an assignment)."""
    eq = raw.find("=")
    if eq <= 0:
        return False
    name = raw[:eq].removesuffix("+")
    if "[" in name:
        name = name[: name.index("[")]
    return bool(name) and not name[0].isdigit() and all(c in _NAME_CHARS for c in name)


def _pattern_may_match_keyword(pattern: str) -> bool:
    """Can the glob (`*` stands for any text) match a keyword or a path to one? (A key name
    only matters next to a codex run, and that run is judged on its own.)"""
    lowered = pattern.lower()
    for keyword in KEYWORDS:
        for target in (keyword, "*/" + keyword):
            if _glob_match(lowered, target):
                return True
    return False


def _glob_match(pattern: str, target: str) -> bool:
    """Whether some string matches both `pattern` and `target` (`*` = any text in either).

    Conservative: two patterns that both contain `*` are assumed to overlap unless their fixed
    ends already differ.
    """
    p_parts = pattern.split("*")
    t_parts = target.split("*")
    head = min(len(p_parts[0]), len(t_parts[0]))
    if p_parts[0][:head] != t_parts[0][:head]:
        return False
    tail_p, tail_t = p_parts[-1], t_parts[-1]
    tail = min(len(tail_p), len(tail_t))
    if tail and tail_p[-tail:] != tail_t[-tail:]:
        return False
    if len(t_parts) == 1:  # a plain target: match the pattern against it exactly
        return _match_plain(p_parts, target)
    return True


def _match_plain(parts: list[str], text: str) -> bool:
    """`parts` joined by `*` matches `text` exactly."""
    if len(parts) == 1:
        return parts[0] == text
    first, last = parts[0], parts[-1]
    if not text.startswith(first) or not text.endswith(last) or len(first) + len(last) > len(text):
        return False
    at = len(first)
    stop = len(text) - len(last)
    for middle in parts[1:-1]:
        found = text.find(middle, at, stop)
        if found < 0:
            return False
        at = found + len(middle)
    return True


# ---------------------------------------------------------------------- whole files, by kind
# What the file-level reject (`may_concern_file`) answers for each kind; the lint front door
# reads no further (no YAML compose, no tree-sitter) when it says False.
# their sources need "codex" itself
_PROGRAM_KINDS = frozenset({"python", "javascript", "go", "expect"})
_TEXT_KINDS = frozenset({"makefile", "dockerfile", "justfile", "markdown", "gitlab"})
# guard/sources/ciyaml.py (detect.CI_YAML_KINDS) and lefthook.py: pieces of the text as well,
# but for what a system fills in (`<< parameters.x >>`, `{{.X}}`, lefthook's `{staged_files}`:
# masked as a `${_x}` variable; a lefthook `templates:` value written in where `{name}` stands),
# a lefthook script's path (`<source_dir>/<hook>/<file>`, names the file spells) and Azure's
# `variables:` names, which reach the env upper-cased with `.` made `_` (`openai.api.key`).
_CI_YAML_KINDS = frozenset(
    {"circleci", "bitbucket", "azure", "buildkite", "taskfile", "pre-commit", "lefthook"}
)
# YAML reads these as line breaks too: the line screen below would see other lines than YAML.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_FLOW_BRACKETS = frozenset("[]{}")


def prepare_file_reject() -> None:
    """Compile the file-level patterns now (a process that forks helpers does this first, so
    that they inherit them instead of compiling them again)."""
    _file_patterns()


def may_concern_file(text: str, kind: str) -> bool:
    """False only when no snippet the kind's source can take from `text` can concern codex
    (`may_concern_codex` of every one is False, and it carries no keyword), so linting the file
    can find nothing: no rule, no directive (a directive spells `codex-guard`).

    - shell: the file is its one snippet, judged as it is;
    - python, javascript, go, expect: their sources read nothing unless the text holds "codex"
      (expect also reads a program a Tcl word names, which can only be CG902);
    - makefile, dockerfile, justfile, markdown, gitlab: their snippets are pieces of the text,
      re-indented, with make's `@`, a prompt or a `<placeholder>` rewritten, but no character
      added: with no keyword in any view of the file and none of ``$ ` * ? [ { ~ \\`` in it, no
      piece can spell codex or stand for other text (a justfile's or a Taskfile's env file is
      `. FILE`, a file name it writes: the commands of a sourced file are not followed); a
      GitLab file that says `include` goes on (its local includes: sources/gitlab.py);
    - the other CI YAML kinds (and lefthook's configs) the same, and `<<` (CircleCI's `<<
      parameters.x >>`) goes on too; a lefthook template (`{x}`) holds `{`, so it goes on;
      in an Azure pipeline also a keyword once `.` is `_` (a variable's env name); a pre-commit
      config with an `entry` goes on: its reader adds the staged files (`"$@"`) to the command,
      an expansion the text does not show (`entry: xargs` runs the first file);
    - workflow: the `run:` values, read line by line (`_workflow_may_concern`);
    - package-json: its snippets are JSON string values; with no backslash in the file each is
      the text between two quotes, so with no keyword in any view of the file, only a string
      with one of ``$ ` * ? [ { ~`` in it can stand for other text (`_json_strings_may_concern`);
    - a packet (or a kind this list does not know) is always read.
    """
    _file_patterns()  # compiled once: a linter reads many files
    if kind == "shell":
        return may_concern_codex(text)
    if kind in _PROGRAM_KINDS:
        return _has_keyword(text)
    if kind in _TEXT_KINDS:
        if _keyword_in_file_views(text) or not _WILD_OR_ESCAPE.isdisjoint(text):
            return True
        # a GitLab file's `include:`s bring in jobs from other files of the repository
        # (sources/gitlab.py reads them, and answers none when none of them concerns codex)
        return kind == "gitlab" and "include" in text
    if kind in _CI_YAML_KINDS:
        if _keyword_in_file_views(text) or not _WILD_OR_ESCAPE.isdisjoint(text) or "<<" in text:
            return True
        if kind == "pre-commit":
            return "entry" in text
        return kind == "azure" and "." in text and _has_keyword(text.replace(".", "_"))
    if kind == "workflow":
        return _keyword_in_file_views(text) or _workflow_may_concern(text)
    if kind == "package-json":
        return _keyword_in_file_views(text) or _json_strings_may_concern(text)
    return True


def gitlab_text_may_concern(text: str) -> bool:
    """`may_concern_file` of a GitLab file's own text, its `include:`s left aside."""
    _file_patterns()
    return _keyword_in_file_views(text) or not _WILD_OR_ESCAPE.isdisjoint(text)


def mentions_codex(text: str) -> bool:
    """A keyword in some view of the text (the GitLab source asks it of a pipeline's files:
    one that never mentions codex is not composed for the others)."""
    _file_patterns()
    return _keyword_in_file_views(text)


def _json_strings_may_concern(text: str) -> bool:
    """A JSON file with no keyword in any view: whether one of its strings, as shell, may still
    concern codex (`may_concern_codex`). A backslash may be a JSON escape (`\\u0063odex`): the
    full read decides. Otherwise each string is written as it is between two quotes (JSON has no
    quote outside a string), and only a value (not a key: a `:` follows those) with a character
    that can stand for other text is judged (a package.json has a few globs, `~1.2.3` versions
    and `$npm_package_*` words, or none)."""
    if "\\" in text:
        return True
    import re

    for match in re.finditer(r'"([^"]*)"([ \t\n\r]*:)?', text):
        value = match.group(1)
        if match.group(2) is None and not _WILD.isdisjoint(value) and may_concern_codex(value):
            return True
    return False


def _keyword_in_file_views(text: str) -> bool:
    """`_keyword_in_views`, plus the view where a backslash-newline also eats the next line's
    indentation (a YAML block or a make recipe is dedented before the shell joins the lines)."""
    # (a lone backslash is rare, and found faster than the pair that ends in a common "\n")
    if ("\\" not in text or "\\\n" not in text) and "$'" not in text:
        return _keyword_in_plain_views(text)
    if _keyword_in_views(text):
        return True
    if "\\\n" not in text:
        return False
    import re

    return _keyword_in_views(re.sub(r"\\\n[ \t]*", "", text))


# ASCII upper case to lower case, for `bytes.translate` (str.lower() of an ASCII text does the
# same; a non-ASCII text is never read through this table).
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_SCAN_KEYWORDS_ASCII = tuple(k.encode("ascii") for k in _SCAN_KEYWORDS)


def _keyword_in_plain_views(text: str) -> bool:
    """`_keyword_in_views` of a text with no backslash-newline and no `$'...'` (most files): its
    views are the text and the text without quoting, and quoting holds no letter, so both are
    read lower-cased from one `lower()`: half the passes.

    An ASCII text (nearly every file) is first read in one view that holds both: lower-cased with
    every quote, backslash and `$` deleted, by one `bytes.translate` (the two views are the text
    with some of those characters deleted, and no keyword holds one, so a keyword in either is a
    keyword in it). Most files have none there, and that is their answer: one pass where the two
    views take six (a `lower()`, four replaces and the searches of each). A file with a keyword
    there is read in the two views, as any other."""
    if "\\" in text and _escaped_keyword(text):
        return True
    if text.isascii():
        merged = text.encode("ascii").translate(_ASCII_LOWER, b"'\"\\$")
        if not any(map(merged.__contains__, _SCAN_KEYWORDS_ASCII)):
            return False
    lowered = text.lower()
    if any(map(lowered.__contains__, _SCAN_KEYWORDS)):
        return True
    if "'" not in text and '"' not in text and "\\" not in text and "$" not in text:
        return False
    dropped = _drop_quoting(lowered.replace('$"', '"'))
    return any(map(dropped.__contains__, _SCAN_KEYWORDS))


def _workflow_may_concern(text: str) -> bool:
    """The workflow source runs the shell layer on `run:` values only (env keys, `uses:` and
    `with:` matter only with a keyword, which the views already found). So: collect every `run:`
    value from the lines and judge each with `may_concern_codex`, `${{ }}` masked as the source
    masks it. Anything the line reading cannot place as YAML does goes on (a backslash outside a
    literal block, a `run` key in flow style or behind a tag, a folded or multi-line scalar, an
    anchor, a tab in an indentation, a complex key): the full parse then decides."""
    try:
        values = _run_values(text)
    except _GoOn:
        return True
    verdicts = _RUN_VERDICTS
    for value in values:  # most are repeats (`npm ci`): a lookup, without a call
        known = verdicts.get(value)
        if known is None:
            known = _run_value_may_concern(value)
        if known:
            return True
    return False


# Verdicts on `run:` values already judged in this process. Workflows repeat the same steps
# (checkout, setup, `npm ci`...): 1,000 generated workflows hold about 120 distinct values among
# 4,800. The verdict is a function of the text alone, so a repeat is answered from here. Bounded
# in count and in the length of a text kept, so the lint parent's memory stays flat.
_RUN_VERDICTS: dict[str, bool] = {}
_RUN_VERDICTS_MAX = 4096
_RUN_VERDICT_TEXT_MAX = 4096


def _run_value_may_concern(value: str) -> bool:
    """`may_concern_codex` of a `run:` value with `${{ }}` masked as the workflow source masks
    it, remembered per distinct value."""
    known = _RUN_VERDICTS.get(value)
    if known is not None:
        return known
    from guard.sources.workflow import mask_expressions

    verdict = may_concern_codex(mask_expressions(value, 0)[0])
    if len(value) <= _RUN_VERDICT_TEXT_MAX and len(_RUN_VERDICTS) < _RUN_VERDICTS_MAX:
        _RUN_VERDICTS[value] = verdict
    return verdict


class _FilePatterns:
    """The compiled patterns of the file-level reject, built once a process on its first file."""

    def __init__(self) -> None:
        import re

        self.run_key = re.compile(
            r"""^(?P<lead>[ ]*(?:-[ ]+)*)(?P<q>["']?)run(?P=q)[ ]*:(?:[ ]+(?P<value>.*?))?[ ]*$"""
        )
        self.any_run_key = re.compile(r"""(?<![\w-])["']?run["']?[ \t]*:""")  # `{"run":"..."}`
        self.block_header = re.compile(r"\|(?:[+-]?[1-9]?|[1-9][+-])(?:[ ]+#.*)?")
        # What makes a line one the line reading must look at: a `run` key (`run:`, `"run" :`,
        # a superset of `any_run_key`), a tab, an escape, a flow bracket or a complex key (a `?`
        # or `:` first on its line). Every other line is a plain `key: value` or list item it
        # passes over. Asked of each distinct line once (`_LINE_CODES`): workflows repeat
        # their lines, and a lookup per line costs less than one regex over the whole text.
        self.notable_line = re.compile(r"""[\t\\\[\]{}]|run["']?[ \t]*:|^[^\S\n]*+[?:]""")
        # A `${{ }}` expression with no quote, brace, bracket, comment, colon, tab or escape in
        # it: two `{` and two `}` wherever quotes or a comment cut the line, and no `run:`,
        # flow bracket or complex key of its own, so a line is notable without it only if it is
        # notable with it (`${{ x[0] }}` keeps its line notable, as the line reading needs).
        self.plain_expression = re.compile(r"""\$\{\{[^{}\[\]"'#:\t\\\n]*\}\}""")
        self.quoted = re.compile(r"\"[^\"]*\"|'[^']*'")
        self.double_quoted = re.compile(r'"([^"]*)"(?:[ ]+#.*)?')
        self.single_quoted = re.compile(r"'((?:[^']|'')*)'(?:[ ]+#.*)?")
        self.mapping_key = re.compile(r"^[ ]+[A-Za-z_][\w-]*[ ]*:(?:[ ]|$)")
        # The code of a line not yet read, for `_run_values`' lookups in C (`map` takes it as
        # each lookup's default): the reading looks at it.
        from itertools import repeat

        self.unread = repeat("r")


_FILE_PATTERNS: _FilePatterns | None = None


def _file_patterns() -> _FilePatterns:
    """The file-level patterns, and from now on the scan's literal runs (see `_LITERAL_RUNS`)."""
    global _FILE_PATTERNS, _LITERAL_RUNS
    if _FILE_PATTERNS is None:
        import re

        _FILE_PATTERNS = _FilePatterns()
        _LITERAL_RUNS = (
            # Command text: no blank, operator, quote, escape, expansion, glob, brace or comment.
            re.compile(r"[^ \t\n#;&|()<>\\'\"$`*?\[{~]+"),
            re.compile(r'[^"\\$`]+'),  # inside "...": no closing quote, escape or expansion
            re.compile(r"[^{}\\'\"$`]+"),  # inside ${...}: no brace, escape, quote or expansion
        )
    return _FILE_PATTERNS


def _run_values(text: str) -> list[str]:
    """The text of every `run:` value, as YAML reads it; `_GoOn` where that is not certain.

    Only the lines the reading must look at (`_line_reading`) come into the Python loop: each
    line's code is looked up in C (`_LINE_CODES`, a `map` joined into one string, one
    character a line) and the loop goes from one `r` to the next by `str.find`, so a line
    passed over costs no turn of a loop, and a line a `run: |` block's body has taken is never
    looked at on its own."""
    patterns = _file_patterns()
    if "\r" in text:  # one memchr: most files have none, and then no `\r\n` to replace
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            raise _GoOn
    if not text.isascii() and ("\x85" in text or "\u2028" in text or "\u2029" in text):
        raise _GoOn  # (_OTHER_BREAKS, one test each: no generator a file)
    lines = text.split("\n")
    codes = "".join(map(_LINE_CODES.get, lines, patterns.unread))
    values: list[str] = []
    i = codes.find("r")  # the next line to read, if any
    while i >= 0:
        line = lines[i]
        reading = _RUN_READINGS.get(line) or _line_reading(line, patterns)
        i = i + 1 if reading is None else _read_run_line(lines, i, reading, values, patterns)
        i = codes.find("r", i)
    return values


# What the reading does with a line, by its text alone (`_line_reading`): `.` when it passes
# over it (a plain `key: value`, `tags: [ 'v*' ]`, a comment), `r` for a `run` key, whose
# column, value text and (for a value that ends on the line) scalar are in `_RUN_READINGS`. A
# workflow's lines repeat (`steps:`, `- uses: actions/checkout@v4`, `- run: npm ci`), within a
# file and across files, so each distinct line is read once; what follows a `run` line (a block
# body, a deeper line) is still read each time. A line not yet read is `r` too (the lookup's
# default): the loop reads it. Bounded in count and in the length of a line kept, so the lint
# parent's memory stays flat; a line that goes on (`_GoOn`) is not kept (its file goes to the
# parser).
_LINE_CODES: dict[str, str] = {}
_RUN_READINGS: dict[str, tuple[int, str, str | None]] = {}
_LINE_READINGS_MAX = 4096


def _line_reading(line: str, patterns: _FilePatterns) -> tuple[int, str, str | None] | None:
    """`_run_line` of a line that is notable (`_notable`), None where it is passed over; kept
    (`_LINE_CODES`, `_RUN_READINGS`)."""
    reading = _run_line(line, patterns) if _notable(line, patterns) else None
    if len(_LINE_CODES) < _LINE_READINGS_MAX and len(line) <= 512:
        _LINE_CODES[line] = "." if reading is None else "r"
        if reading is not None:
            _RUN_READINGS[line] = reading
    return reading


def _notable(line: str, patterns: _FilePatterns) -> bool:
    """A line the reading must look at (`_FilePatterns.notable_line`), with its `${{ }}`
    expressions masked first, as the workflow source masks them (an expression with no quote,
    bracket or colon of its own makes no line notable: `${{ matrix.os }}`)."""
    if "${{" in line:
        line = patterns.plain_expression.sub("E", line)
    return patterns.notable_line.search(line) is not None


def _read_run_line(
    lines: list[str],
    at: int,
    reading: tuple[int, str, str | None],
    values: list[str],
    patterns: _FilePatterns,
) -> int:
    """Read the `run` key on line `at` (its `reading`) as YAML does, its value to `values`;
    the next line to read."""
    column, value, scalar = reading
    i = at + 1
    if value.startswith("|"):
        block: list[str] = []
        end = len(lines)
        while i < end:
            body = lines[i]
            rest = body.lstrip(" ")  # (the body's text, and its indentation by length)
            if len(body) - len(rest) <= column and rest.strip():
                break
            block.append(rest.lstrip(" \t"))
            i += 1
        values.append("\n".join(block))
        return i
    if scalar is None:  # `run:` with nothing (or a comment) after it
        if _next_is_mapping(lines, i, column, patterns):
            return i  # `defaults: run:` with `shell:` under it
        raise _GoOn
    values.append(scalar)
    if _next_is_deeper(lines, i, column):
        raise _GoOn  # a plain scalar folded over more lines
    return i


def _run_line(line: str, patterns: _FilePatterns) -> tuple[int, str, str | None] | None:
    """What line `line` alone says: None when the reading passes over it, else the `run` key's
    column, its value's text and, for a value that ends on the line, the scalar (None for a
    block header or no value); `_GoOn` where the line reading cannot place it."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    lead = line[: len(line) - len(line.lstrip(" \t-"))]
    if "\t" in lead:
        raise _GoOn  # a tab in an indentation: YAML rejects or reads it otherwise
    if "\\" in line or stripped.startswith(("?", ": ")) or stripped == ":":
        raise _GoOn  # an escape in a quoted scalar, a complex key
    if _unbalanced_flow(line, patterns):
        raise _GoOn  # a flow collection over more lines (or broken YAML: the parser says so)
    match = patterns.run_key.match(line)
    if match is None:
        if patterns.any_run_key.search(line):
            raise _GoOn  # `{run: ...}`, `!!str run:`, `&a run:`, `x: run: y`...
        return None
    column = len(match.group("lead"))
    value = match.group("value") or ""
    if value.startswith("|"):
        if not patterns.block_header.fullmatch(value):
            raise _GoOn
        return column, value, None
    if not value or value.startswith("#"):
        return column, value, None
    return column, value, _single_line_scalar(value, patterns)


def _unbalanced_flow(line: str, patterns: _FilePatterns) -> bool:
    """More `[`/`{` than `]`/`}` (or fewer) on the line, quoted text and comments aside."""
    if _FLOW_BRACKETS.isdisjoint(line):
        return False
    bare = patterns.quoted.sub("", line).split(" #", 1)[0]
    return bare.count("[") + bare.count("{") != bare.count("]") + bare.count("}")


def _single_line_scalar(value: str, patterns: _FilePatterns) -> str:
    """A `run:` value that ends on its line: plain, `'...'` or `"..."` (no escapes: a backslash
    was refused before)."""
    if value.startswith('"'):
        quoted = patterns.double_quoted.fullmatch(value)
        if quoted is None:
            raise _GoOn
        return quoted.group(1)
    if value.startswith("'"):
        quoted = patterns.single_quoted.fullmatch(value)
        if quoted is None:
            raise _GoOn
        return quoted.group(1).replace("''", "'")
    if value[0] in "&*!>[]{}%@`|,?:-" or " #" in value:
        raise _GoOn  # an anchor, alias, tag, folded block, flow node, reserved indicator, comment
    return value


def _next_is_deeper(lines: list[str], i: int, column: int) -> bool:
    for line in lines[i:]:
        if line.strip():
            return len(line) - len(line.lstrip(" ")) > column
    return False


def _next_is_mapping(lines: list[str], i: int, column: int, patterns: _FilePatterns) -> bool:
    """The next non-blank line is a plain `key:` deeper than `column` (a block mapping)."""
    for line in lines[i:]:
        if line.strip() and not line.strip().startswith("#"):
            deeper = len(line) - len(line.lstrip(" ")) > column
            return deeper and patterns.mapping_key.match(line) is not None
    return False


# --- text a shell runs that nobody can read here (hook.fail-closed) --------------------------

# Files every later shell runs first (bash -l, bash -i, zsh, sh -l): a write to one changes what a
# later command line runs (PATH, aliases, functions), which no later check of that line can see.
SHELL_STARTUP_FILES = (
    *(".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile"),
    *(".zshenv", ".zlogin", ".kshrc", ".mkshrc", "/etc/profile", "/etc/bash.bashrc"),
    "/etc/environment",
)
# Shells that run the text piped or substituted into them.
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "busybox"})
_BOUNDARY = frozenset(";&|(\n")


def may_start_unseen(text: str) -> bool:
    """The strict profile fails closed (RULES.md, CG902): text with no codex word still gets the
    full check when a command word, or shell text it runs, is known only when it runs (`$CMD`,
    `eval "$x"`, `... | base64 -d | bash`), as the doors check it under `hook.fail-closed`."""
    return may_run_unseen_text(text) or may_concern_codex(text)


def may_run_unseen_text(text: str) -> bool:
    """Whether the command line hands a shell text that is only known when it runs: a pipe into a
    shell (`... | base64 -d | bash`), a shell reading a process substitution (`bash <(curl ...)`),
    or `eval`. Such text may start codex with no codex word in the line, so under
    `hook.fail-closed` it gets the full check (which reports CG902), not the keyword reject.
    So does a pipe into `xargs` or `parallel`, and `find -exec` of a shell: they may build a
    shell's text from their input (`xargs -I{} sh -c '{}'`, `| parallel`), a line that names a
    shell start-up file (`>> ~/.bashrc`): what it writes runs before every later command, and a
    prompt expansion (`${y@P}`, PS4): it runs the substitutions of a value (shell/sinks.py)."""
    if any(name in text for name in SHELL_STARTUP_FILES):
        return True
    if "@P}" in text or "PS4" in text:
        return True  # a prompt expansion runs the `$(...)` of a value (`${y@P}`, PS4 under set -x)
    if "ENV" in text and _names_startup_file(text):
        return True  # `BASH_ENV=f bash -c ...`: the shell runs f first (shell/unwrap.py)
    if _names_git_file(text):
        return True  # `git -c include.path=f x`: f may define alias x (shell/gitruns.py)
    if ("sed" in text or "$" in text or "`" in text) and _option_runner(text):
        return True  # `sed e`, `tar --to-command="$x"`: a shell runs text known only then
    if "expect" in text and ("$" in text or "[" in text) and _runs_expect(text):
        return True  # `expect -c 'spawn $p'`: a program a Tcl word names only when it runs
    writes = ">" in text or "tee" in text or "curl" in text or "wget" in text
    if writes and _runs_written_file(text):
        return True  # `printf '%s' "$X" > f; bash f`: the file's text is known only then
    if "|" not in text and "<(" not in text and "eval" not in text and "-exec" not in text:
        return False
    words = _plain_words(text)
    for i, word in enumerate(words):
        if word == "|" and (_shell_word(words, i + 1) or _feeder_word(words, i + 1)):
            return True
        if word in ("-exec", "-execdir") and _shell_word(words, i + 1):
            return True
        if word == "<(" and i > 0 and _basename(words[i - 1]) in _SHELLS | {"source", "."}:
            return True
        if word == "eval" and (i == 0 or words[i - 1] in (";", "&&", "||", "|", "(", "\n")):
            return True
    return False


# Settings and variables that name a file or a folder git reads commands from (an included
# config file, a config file in place of the user's, the hooks folder: gitruns._FILE_KEYS,
# _CONFIG_FILE_ENV), lower-case.
_GIT_FILE_NAMES = (
    "include.path",
    "includeif.",
    "hookspath",
    "git_config_global",
    "git_config_system",
)


def _names_git_file(text: str) -> bool:
    """The text names a file or folder git reads commands from (`git -c include.path=f`,
    `GIT_CONFIG_GLOBAL=f`, `-c core.hooksPath=d`, `git config include.path f`), in a view with
    its quoting removed or its `$'...'` decoded: what git runs from there is not known here."""
    lowered = text.lower()
    if any(name in lowered for name in _GIT_FILE_NAMES):
        return True
    if not any(c in text for c in "'\"\\$"):
        return False
    joined = text.replace("\\\n", "").replace('$"', '"')
    views = [_drop_quoting(joined)]
    if "$'" in joined:
        views.append(_drop_quoting(_decode_all_ansi_c(joined)))
    return any(name in view.lower() for view in views for name in _GIT_FILE_NAMES)


# Safe heads but for the commands their options or script hand to a shell (guard/shell/
# wrappers.OPTION_RUNNERS) or to an interpreter: the model expands such text (`tar
# --to-command="$c$d exec"`, `awk "BEGIN{system(\"$c$d exec\")}"`, `python3 -c "...$x..."`,
# `make --eval "$x"`, `tee f <<< "$x"` of a file a shell runs next: wrappers._INTERPRETERS,
# shell/written.py), so an expanded argument or here-string of theirs goes on
# (place_argument); their literal words stay data, as literal text holding codex has a keyword.
# Under hook.fail-closed a line with an option runner gets the full check when it expands
# something or is sed (`sed e` runs its input lines): may_run_unseen_text.
_OPTION_RUNNERS = frozenset(
    {"tar", "gtar", "sort", "sed", "gsed", "vim", "vi", "nvim", "ex", "view", "vimdiff"}
    | {"gvim", "rvim"}
)
_EXPANDS_ITS_TEXT = _OPTION_RUNNERS | {"awk", "gawk", "mawk", "nawk", "python", "python2"}
_EXPANDS_ITS_TEXT |= {"python3", "make", "gmake", "tee"}
SAFE_UNLESS_LITERAL = SAFE_HEADS & _EXPANDS_ITS_TEXT


def _names_keyword_by_pattern(text: str) -> bool:
    """A word of ``text`` (shell text an option hands to a shell) is a pattern that may match a
    keyword or a path to one (`./cod*`)."""
    if not any(c in text for c in "*?["):
        return False
    return any(
        _pattern_may_match_keyword(part) for part in text.split() if any(c in part for c in "*?[")
    )


def _runs_expect(text: str) -> bool:
    """A word of ``text`` is expect, whose Tcl program (`-c`, stdin, a file) may spawn, exec or
    hand sh a program a Tcl `$var` or `[cmd]` names (shell/tclscript.py)."""
    return any(_basename(w.strip("'\"")) == "expect" for w in _plain_words(text))


def _option_runner(text: str) -> bool:
    return any(_basename(w.strip("'\"")) in _OPTION_RUNNERS for w in _plain_words(text))


_OUTPUT_OPTIONS = ("--output=", "--output-document=")


def _runs_written_file(text: str) -> bool:
    """A file the line writes (`> f`, `tee f`, `curl -o f`, `wget -O f`) is named again later
    where a shell, `source`, at or the command word itself may run it (`bash f`, `./f`,
    `at -f f`): its text may be known only when it runs (shell/written.py, CG902)."""
    words = [w.strip("'\"") for w in _plain_words(text)]
    targets: set[str] = set()
    runs = False
    for i, word in enumerate(words):
        bare = word.lstrip("0123456789&")
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if bare.startswith(">"):
            targets.add(bare.lstrip(">|") or nxt)
        elif word.startswith(_OUTPUT_OPTIONS):
            targets.add(word.partition("=")[2])
        elif word[:1] == "-" and word[1:2] != "-" and word[-1:] in ("o", "O"):
            targets.add(nxt)
        elif _basename(word) == "tee":
            targets.update(w for w in words[i + 1 : i + 4] if w[:1] not in ("-", ">", ""))
        if _basename(word) in _STDIN_SCRIPT_RUNNERS or word in ("source", ".", "-f", "expect"):
            runs = True
    targets = {t.removeprefix("./") for t in targets if t and not t.startswith(("/dev/", "&"))}
    if not targets:
        return False
    for i, word in enumerate(words):
        name = word.removeprefix("./")
        if name in targets and (runs or word.startswith(("./", "/"))):
            before = words[i - 1] if i else ""
            if not before.lstrip("0123456789&").startswith(">") and before[-1:] not in "oO":
                return True
    return False


def _names_startup_file(text: str) -> bool:
    """The text sets BASH_ENV or ENV (`BASH_ENV=f`, `export ENV=f`, `env BASH_ENV=f`): a file a
    shell it starts runs before its own text, which the check may not be able to read."""
    if "BASH_ENV" in text:
        return True
    i = text.find("ENV=")
    while i >= 0:
        if i == 0 or text[i - 1] in " \t\n;&|(":
            return True
        i = text.find("ENV=", i + 1)
    return False


def _plain_words(text: str) -> list[str]:
    """Blank-separated words with `|`, `<(` and the list operators as words of their own (quotes
    are not honoured: a `|` inside a string only costs a full check)."""
    spaced = text.replace("<(", "\0").replace("||", " || ").replace("&&", " && ")
    for op in (";", "\n", "("):
        spaced = spaced.replace(op, f" {op} ")
    spaced = spaced.replace("\0", " <( ")
    out: list[str] = []
    for word in spaced.split(" "):
        if word in ("||", "<("):
            out.append(word)
        elif "|" in word:
            parts = word.split("|")
            for j, part in enumerate(parts):
                if j:
                    out.append("|")
                if part:
                    out.append(part)
        elif word:
            out.extend(w for w in word.split("\t") if w)
    return out


# Programs that run the text on their stdin as a shell does: the shells, and at(1)/batch, whose
# job /bin/sh runs later (shell/wrappers.at_reads_script_from_stdin).
_STDIN_SCRIPT_RUNNERS = _SHELLS | {"at", "batch"}


def _shell_word(words: list[str], i: int) -> bool:
    """The command after a pipe is a shell (or at), past `sudo`/`env`/`exec` and their options."""
    while i < len(words) and (
        words[i] in ("sudo", "env", "exec", "command", "nohup") or words[i].startswith("-")
    ):
        i += 1
    return i < len(words) and _basename(words[i].strip("'\"")) in _STDIN_SCRIPT_RUNNERS


def _prints_into_shell(text: str) -> bool:
    """A pipe into a shell (`... | bash`, `... | sudo sh -s`) in a line that prints text (echo,
    printf, or cat/tee of a here-doc or here-string) the command model reads."""
    words = _plain_words(text)
    printers = {"echo", "printf", "cat", "tee"} if "<<" in text else {"echo", "printf"}
    if not any(_basename(w.strip("'\"")) in printers for w in words):
        return False
    return any(word == "|" and _shell_word(words, i + 1) for i, word in enumerate(words))


def _feeder_word(words: list[str], i: int) -> bool:
    """The command after a pipe is `xargs` or `parallel` (they may run their input)."""
    return i < len(words) and _basename(words[i].strip("'\"")) in ("xargs", "parallel")


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]
