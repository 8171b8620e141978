"""Peeling the commands that run other commands, so ``argv[0]`` is the real program.

All peeling happens here, in one loop capped at 32 rounds (as dcg does): ``timeout 60 nohup env
K=V codex ...`` becomes argv ``codex ...`` with three ``Wrapper`` records, outermost first. The
loop works on model ``Word``s only; the parser applies what it returns (env changes, a stdin that
xargs replaces, a shell body to re-parse).
"""

from __future__ import annotations

from guard.fastclass import dataclass, field
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.debuggers import OPTION_SHELLS
from guard.shell.model import UNKNOWN_WRAPPER, Span, Stdin, StdinKind, Word, Wrapper

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Sequence

    from guard.codex.grammar import FlagSpec

MAX_ROUNDS = 32
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "ash", "mksh", "yash", "posh", "ksh93"})
# Shells of other languages: `-c TEXT` runs TEXT, whose simple commands read as a POSIX shell's
# do (`codex exec --yolo ...`), but whose own ways to set env (fish's `set -x`, csh's `setenv`,
# PowerShell's `$env:K = ...`) are not read here: a text that names codex is also CG902.
OTHER_SHELLS = frozenset(
    {"fish", "tcsh", "csh", "pwsh", "powershell", "nu", "xonsh", "elvish", "rc", "es"}
)
_OTHER_SHELL_COMMAND = frozenset({"-c", "--command", "-Command", "-command", "--commands"})
# Their ways to put a variable in the environment: fish `set -x`/`--export`, csh `setenv`,
# PowerShell `$env:K`, nu `$env.K`/`with-env`/`load-env`, elvish `set-env`/`$E:K`, xonsh `$K =`.
_OTHER_SHELL_ENV = lazy_compile(
    r"\bset\s[^;\n]*?(?:-[a-zA-Z]*x\b|--export\b)|\bsetenv\b|\$env[:.]|\bwith-env\b"
    r"|\bload-env\b|\bset-env\b|\$E:|\$\w+\s*=",
    re.I,
)
_NAME_RE = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ASSIGN_RE = lazy_compile(r"([A-Za-z_][A-Za-z0-9_]*)=")


@dataclass(frozen=True, slots=True)
class EnvOp:
    """One change a wrapper makes to the environment, applied in order."""

    # "clear" (env -i, docker), "unset" (env -u), "set" (env K=V), "sudo", "file" (env $(cat f),
    # docker --env-file), "docker" (docker -e K[=V]: value None means passed from the host env)
    kind: str
    span: Span
    name: str = ""
    value: Word | None = None
    # sudo: names it keeps; None keeps everything (-E), () keeps nothing (plain sudo resets env)
    keep: tuple[str, ...] | None = ()


@dataclass(slots=True)
class Peeled:
    argv: tuple[Word, ...]
    wrappers: list[Wrapper] = field(default_factory=list)
    env_ops: list[EnvOp] = field(default_factory=list)
    stdin: Stdin | None = None  # the program's stdin when a wrapper replaces it (xargs)
    stdin_default: Stdin | None = None  # its stdin unless the command redirects it (coproc)
    detached: bool = False
    body: tuple[Word, ...] = ()  # shell text to re-parse: bash -c BODY, eval ARGS
    body_kind: str = ""  # "bash -c" / "sh -c" / ... / "eval"
    # `bash -c BODY NAME ARGS...`: the words after BODY, the body's $0 and $1... (empty: none)
    body_args: tuple[Word, ...] = ()
    lookup_only: bool = False  # `command -v codex`: names codex, does not run it
    body_clean_env: bool = False  # the body runs with none of this shell's env (ssh, su -)
    # `... | xargs env` / `xargs sudo`: the program (and its env) comes from xargs' input,
    # which the linter cannot see.
    program_from_input: bool = False
    # codex behind xargs: xargs appends (or substitutes) words read from its input to codex's
    # argv, which the linter cannot see (`... | xargs codex`).
    args_from_input: bool = False
    # MAX_ROUNDS wrappers peeled and one still at the head: what it runs was not read.
    exhausted: bool = False
    # Further shell text the command runs, each (body, its $0 and $1...): `git rebase -x A -x B`.
    more_bodies: tuple[tuple[tuple[Word, ...], tuple[Word, ...]], ...] = ()


def basename(text: str) -> str:
    return text.rsplit("/", 1)[-1]


# Two-word package runners: (program, sub-command); `npm x` is npm's own alias of `npm exec`.
PACKAGE_RUNNERS = frozenset(
    {("bun", "x"), ("pnpm", "dlx"), ("yarn", "dlx"), ("npm", "exec"), ("npm", "x")}
)
# A package runner's option whose value is a shell string it runs instead of a package's bin:
# `npx -c 'CMD'` / `npm exec --call=CMD` (npm runs it with `sh -c`), `pnpm dlx -c CMD...`
# (`--shell-mode`: the words after it, joined, run in `/bin/sh`).
_PACKAGE_CALL_OPTS = {
    "npx": frozenset({"-c", "--call"}),
    "npm": frozenset({"-c", "--call"}),
    "pnpx": frozenset({"-c", "--shell-mode"}),
    "pnpm": frozenset({"-c", "--shell-mode"}),
}


def _package_runner(argv: tuple[Word, ...]) -> bool:
    return len(argv) > 2 and (basename(argv[0].text), argv[1].text) in PACKAGE_RUNNERS


def _package_call(argv: tuple[Word, ...], first: int, prog: str) -> Word | None:
    """The shell string a package runner's `-c`/`--call` (pnpm: `--shell-mode`) gives it to
    run (`npx -c 'codex exec ...'`), or None when it runs a package's bin."""
    opts = _PACKAGE_CALL_OPTS.get(prog)
    if opts is None:
        return None
    i, n = first, len(argv)
    while i < n:
        w = argv[i]
        t = w.text
        if t == "--" or not t.startswith("-") or t == "-":
            return None
        name, eq, attached = t.partition("=")
        if name in opts and prog in ("pnpm", "pnpx"):
            rest = argv[i + 1 :]  # a flag: the command is the words after it
            if not rest:
                return None
            return Word(" ".join(r.text for r in rest), rest[0].literal, rest[0].span, rest[0].raw)
        if name in opts:
            if eq:
                return Word(attached, w.literal, w.span, w.raw)
            return argv[i + 1] if i + 1 < n else None
        if t in ("-p", "--package"):
            i += 1
        i += 1
    return None


# concurrently (`concurrently [opts] CMD...`, also `conc`): each positional argument is a command
# it runs in a shell of its own; `npm:NAME` (`yarn:`, `pnpm:`, `bun:`...) runs a package script.
_CONCURRENTLY_VALUE_OPTS = frozenset(
    {"-n", "-c", "-p", "-l", "-t", "-s", "-m", "--names", "--prefix-colors", "--prefix"}
    | {"--prefix-length", "--timestamp-format", "--success", "--max-processes", "--hide"}
    | {"--restart-tries", "--restart-after", "--default-input-target", "--names-separator"}
    | {"--kill-signal", "--teardown", "--passthrough-arguments"}
)
_SCRIPT_PREFIXES = ("npm:", "yarn:", "pnpm:", "bun:", "node:", "deno:")


def _concurrently_commands(argv: tuple[Word, ...]) -> tuple[list[Word], bool]:
    """The shell commands `concurrently` runs, and whether they get its own stdin (`-r`/`--raw`:
    inherited); else each child's stdin is a pipe concurrently holds open and writes to only
    what `--handle-input` forwards ("we are currently doing nothing to the stdin pipe of the
    child processes", concurrently#115): an idle pipe."""
    commands: list[Word] = []
    raw = False
    i, n = 1, len(argv)
    options = True
    while i < n:
        t = argv[i].text
        if options and t == "--":
            options = False
        elif options and t.startswith("-") and t != "-":
            name = t.partition("=")[0]
            raw = raw or t in ("-r", "--raw")
            if name == "--teardown" and "=" in t:  # a command run after the others
                w = argv[i]
                commands.append(Word(t.partition("=")[2], w.literal, w.span, w.raw))
            elif name == "--teardown" and i + 1 < n:
                commands.append(argv[i + 1])
            if "=" not in t and t in _CONCURRENTLY_VALUE_OPTS:
                i += 1
        elif not t.startswith(_SCRIPT_PREFIXES):
            commands.append(argv[i])
        i += 1
    return commands, raw


def _dynamic_codex_path(text: str) -> bool:
    """A path whose last part is literally `codex` (`$HOME/.local/bin/codex`)."""
    folder, slash, name = text.rpartition("/")
    return bool(slash) and name == "codex" and bool(folder)


def _glob_naming_codex(word: Word) -> bool:
    """An unquoted command word whose last part is a glob that matches `codex` (`./bin/co?ex`,
    `/opt/*/bin/[c]odex`, `codex*`): bash expands it to the files it matches, codex among them
    where one is there, and runs the first."""
    raw = word.raw or word.text
    if "*" not in raw and "?" not in raw and "[" not in raw:
        return False  # no pattern (every command word passes here: kept cheap)
    if raw != word.text:
        return False  # quoted or escaped: no pathname expansion
    from fnmatch import fnmatchcase

    return fnmatchcase("codex", raw.rpartition("/")[2])


# The variables that name a shell when their value is not known here.
_SHELL_VARIABLES = frozenset({"$SHELL", "${SHELL}", "$BASH", "${BASH}"})


def _codex_word(w: Word) -> Word:
    return Word("codex", True, w.span, w.raw or w.text)


def _take_opts(
    argv: tuple[Word, ...], i: int, with_value: frozenset[str], long_value: frozenset[str]
) -> int:
    """Skip options from argv[i]: short flags, short options with a value (attached or next
    word), long options (``--x=v`` or ``--x v`` when listed); stops at ``--`` (consumed) or the
    first non-option."""
    n = len(argv)
    while i < n:
        t = argv[i].text
        if t == "--":
            return i + 1
        if not t.startswith("-") or t == "-":
            return i
        if t.startswith("--"):
            if "=" not in t and t in long_value:
                i += 1
        elif t in with_value:
            i += 1
        i += 1
    return i


_SPLIT_STRING = ("-S", "--split-string")
# GNU env's long options (coreutils 9): getopt_long takes any prefix that names one of them only.
_ENV_LONG = (
    *("--ignore-environment", "--null", "--unset", "--chdir", "--split-string", "--debug"),
    *("--block-signal", "--default-signal", "--ignore-signal", "--list-signal-handling"),
    *("--argv0", "--help", "--version"),
)


def _env_option(t: str) -> str:
    """An env long option as its full name (`--split-str=X` is `--split-string=X`, `--unse`
    `--unset`); any other word as it is (an ambiguous prefix makes env fail)."""
    if not t.startswith("--") or len(t) < 3:
        return t
    name, eq, value = t.partition("=")
    if name in _ENV_LONG:
        return t
    matches = [o for o in _ENV_LONG if o.startswith(name)]
    return matches[0] + eq + value if len(matches) == 1 else t


def _split_env_string(argv: tuple[Word, ...]) -> tuple[Word, ...]:
    """``env -S "K=V prog args"`` (``-SSTR``, ``--split-string[=]STR``): env splits the string
    into arguments itself; splice them in where the option was. A string the linter cannot
    read (or split) becomes one unknown word, so what follows is a dynamic command."""
    i, n = 1, len(argv)
    while i < n:
        w = argv[i]
        t = _env_option(w.text)
        if not t.startswith("-") or t in ("-", "--"):
            return argv
        if t in _SPLIT_STRING and i + 1 < n:
            return (*argv[:i], *_env_split_words(argv[i + 1]), *argv[i + 2 :])
        for opt in _SPLIT_STRING:
            if t.startswith(opt) and len(t) > len(opt) and (opt == "-S" or t[len(opt)] == "="):
                body = t[len(opt) + (opt != "-S") :]
                part = Word(body, w.literal, w.span, w.raw)
                return (*argv[:i], *_env_split_words(part), *argv[i + 1 :])
        if not t.startswith("--") and "S" in t and t[1 : t.index("S")].strip("i0v") == "":
            # a cluster `-iS STR` / `-iSSTR` (getopt: the flags, then S takes the rest or the
            # next word); the flags stay an option word of their own
            k = t.index("S")
            flags = (Word(t[:k], w.literal, w.span, w.raw),) if k > 1 else ()
            if len(t) > k + 1:
                part = Word(t[k + 1 :], w.literal, w.span, w.raw)
                return (*argv[:i], *flags, *_env_split_words(part), *argv[i + 1 :])
            if i + 1 < n:
                return (*argv[:i], *flags, *_env_split_words(argv[i + 1]), *argv[i + 2 :])
        if t in ("-u", "--unset", "-C", "--chdir"):
            i += 1
        i += 1
    return argv


def _env_split_words(w: Word) -> list[Word]:
    if not w.literal or "$" in w.text or "\\c" in w.text:
        return [Word(w.text, False, w.span, w.raw)]
    import shlex  # here: `env -S` is rare, and shlex costs the hook's codex path ~0.3 ms

    try:
        parts = shlex.split(w.text, comments=False, posix=True)
    except ValueError:
        return [Word(w.text, False, w.span, w.raw)]
    return [Word(part, True, w.span, w.raw) for part in parts]


# The reserved words tree-sitter-bash 0.25.1 leaves as words at a command's head (it parses
# `time ( ... )`, `time { ...; }`, `coproc NAME { ...; }` and `time ! cmd` as a command
# named `time`/`coproc`); `time -p` is the reserved word's one option.
_RESERVED_HEADS = frozenset({"time", "coproc", "!", "{"})


def _reserved_word(word: Word) -> bool:
    """An unquoted reserved word (a quoted or escaped `time` is the program /usr/bin/time)."""
    return word.literal and word.text in _RESERVED_HEADS and (word.raw or word.text) == word.text


def _peel_reserved(argv: tuple[Word, ...], out: Peeled) -> tuple[Word, ...] | None:
    """The command after one reserved word, its `-p`/`--` (time) or NAME (`coproc NAME {`),
    and the assignments after it, which bash applies to that command (checked on bash 5.2:
    `time -p K=1 env`, `time ! K=2 env` and `coproc K=3 env` each print their K). None when
    the words are not that shape: `time -f FMT cmd` is /usr/bin/time's (peel's `time`), and
    a reserved word with nothing after it runs nothing."""
    head = argv[0]
    i = 1
    if head.text == "time":
        while i < len(argv) and argv[i].literal and argv[i].text in ("-p", "--"):
            i += 1
        if i < len(argv) and argv[i].text.startswith("-") and argv[i].text != "-":
            return None
        out.wrappers.append(Wrapper("time", head.span, tuple(w.text for w in argv[1:i])))
    elif head.text == "coproc":
        out.stdin_default = Stdin(StdinKind.INHERITED, reason="coproc")
        out.wrappers.append(Wrapper("coproc", head.span, ()))
        if i + 1 < len(argv) and _NAME_RE.match(argv[i].text) and _reserved_word(argv[i + 1]):
            i += 1  # `coproc NAME { ...; }`: NAME names the coprocess
    while i < len(argv) and (m := _ASSIGN_RE.match(argv[i].raw or argv[i].text)) is not None:
        w = argv[i]
        name = m.group(1)
        value = Word(w.text[len(name) + 1 :], w.literal, w.span, w.raw)
        out.env_ops.append(EnvOp("set", w.span, name, value))
        i += 1
    return argv[i:] if i < len(argv) else None


def _peel_env(argv: tuple[Word, ...], out: Peeled) -> int:
    i, n = 1, len(argv)
    while i < n:
        w = argv[i]
        t = _env_option(w.text) if w.literal else w.text
        if t in ("-i", "--ignore-environment", "-"):
            out.env_ops.append(EnvOp("clear", w.span))
        elif t in ("-u", "--unset") and i + 1 < n:
            i += 1
            out.env_ops.append(EnvOp("unset", argv[i].span, argv[i].text))
        elif t.startswith("--unset="):
            out.env_ops.append(EnvOp("unset", w.span, t[8:]))
        elif t.startswith("-u") and len(t) > 2:
            out.env_ops.append(EnvOp("unset", w.span, t[2:]))
        elif t in ("-C", "--chdir", "-S", "--split-string") and i + 1 < n:
            i += 1
        elif t == "--":
            # The options end; assignments do not (`env -- K=V cmd` sets K: checked on GNU env).
            i += 1
            while i < n and (m := _ASSIGN_RE.match(argv[i].text)) is not None:
                w = argv[i]
                val = Word(w.text[m.end() :], w.literal, w.span, w.raw)
                out.env_ops.append(EnvOp("set", w.span, m.group(1), val))
                i += 1
            break
        elif t.startswith("-") and w.literal:
            if "i" in t[1:] and not t.startswith("--"):
                out.env_ops.append(EnvOp("clear", w.span))
        elif (m := _ASSIGN_RE.match(t)) is not None:
            name = m.group(1)
            val = Word(t[m.end() :], w.literal, w.span, w.raw)
            out.env_ops.append(EnvOp("set", w.span, name, val))
        elif not w.literal and env_file_from_subst(w.raw or w.text) is not None:
            out.env_ops.append(EnvOp("file", w.span, env_file_from_subst(w.raw or w.text) or ""))
        else:
            break
        i += 1
    return i


def _peel_sudo(argv: tuple[Word, ...], out: Peeled, wrapper_args: list[str]) -> int:
    value_opts = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "-R"})
    keep: tuple[str, ...] | None = ()
    i, n = 1, len(argv)
    while i < n:
        t = argv[i].text
        if t == "--":
            i += 1
            break
        if not t.startswith("-"):
            break
        wrapper_args.append(t)
        if t in ("-E", "--preserve-env"):
            keep = None
        elif t.startswith("--preserve-env="):
            if keep is not None:
                keep = keep + tuple(x for x in t.split("=", 1)[1].split(",") if x)
        elif t in value_opts and i + 1 < n:
            i += 1
            wrapper_args.append(argv[i].text)
        elif not t.startswith("--") and "E" in t[1:]:
            keep = None
        elif not t.startswith("--") and "-" + t[-1] in value_opts and i + 1 < n:
            i += 1  # a cluster ending in an option that takes a value: `-iu agent`
            wrapper_args.append(argv[i].text)
        elif t.startswith("--") and "=" not in t and t in ("--user", "--group", "--chdir"):
            i += 1
        i += 1
    out.env_ops.append(EnvOp("sudo", argv[0].span, keep=keep))
    while i < n and (m := _ASSIGN_RE.match(argv[i].text)) is not None:
        w = argv[i]
        out.env_ops.append(
            EnvOp("set", w.span, m.group(1), Word(w.text[m.end() :], w.literal, w.span, w.raw))
        )
        i += 1
    return i


_DOCKER_VALUE_OPTS = frozenset(
    {
        "-e",
        "--env",
        "-v",
        "--volume",
        "-w",
        "--workdir",
        "--name",
        "-u",
        "--user",
        "--network",
        "--net",
        "--entrypoint",
        "-p",
        "--publish",
        "--env-file",
        "--mount",
        "--platform",
        "-m",
        "--memory",
        "--cpus",
        "-l",
        "--label",
        "--gpus",
        "-h",
        "--hostname",
        "--add-host",
        "--cap-add",
        "--cap-drop",
        "--security-opt",
        "--tmpfs",
        "--ulimit",
        "--device",
        "--pull",
        "--restart",
        "--log-driver",
        "--log-opt",
        "--shm-size",
        "--ipc",
        "--pid",
        "--cidfile",
        "--dns",
        "--group-add",
        "--runtime",
        "--stop-signal",
        "--stop-timeout",
        "--label-file",
        "--expose",
        "--link",
        "--volumes-from",
        "-c",
        "--cpu-shares",
        "--detach-keys",
    }
)


def _container_options(
    argv: tuple[Word, ...], i: int, value_opts: frozenset[str], wargs: list[str]
) -> tuple[int, list[tuple[str, Word | None]]]:
    """The options of ``docker run|exec`` / ``docker compose run|exec`` from argv[i] up to
    the IMAGE / SERVICE operand: (option, its env value word) pairs, where the value is set
    for ``-e K=V`` in every spelling (``-eK=V``, ``-e=K=V``, ``--env=K=V``, ``--env-file F``)
    and None for other options. Returns the operand's index (past a ``--``)."""
    n = len(argv)
    opts: list[tuple[str, Word | None]] = []
    while i < n:
        w = argv[i]
        t = w.text
        if t == "--":
            return i + 1, opts
        if not t.startswith("-") or t == "-":
            break
        wargs.append(t)
        name, eq, attached = t.partition("=")
        value: Word | None = None
        if name in ("-e", "--env", "--env-file"):
            if eq:
                value = Word(attached, w.literal, w.span, w.raw)
            elif i + 1 < n:
                i += 1
                value = argv[i]
                wargs.append(value.text)
        elif t.startswith("-e") and not t.startswith("--"):
            name, value = "-e", Word(t[2:], w.literal, w.span, w.raw)
        elif name in value_opts and not eq:
            i += 1
            if i < n:
                wargs.append(argv[i].text)
        # a boolean's `=false` stays in the name: `--tty=false` (see _container_flag)
        opts.append((t if value is None else name, value))
        i += 1
    return i, opts


def _container_env_op(name: str, value: Word) -> EnvOp:
    """The env a container option hands the command: a file of K=V lines or one K[=V]."""
    if name == "--env-file":
        return EnvOp("file", value.span, value.text, keep=("docker",))
    k, has_value, v = value.text.partition("=")
    val = Word(v, value.literal, value.span, value.raw) if has_value else None
    return EnvOp("docker", value.span, k, val)


def _peel_docker(argv: tuple[Word, ...], out: Peeled, wargs: list[str]) -> int | None:
    """``docker run [opts] IMAGE cmd...`` / ``docker exec [opts] CONTAINER cmd...``: the
    container's env holds only what -e/--env-file give it, and its stdin is closed unless -i."""
    if len(argv) < 3 or argv[1].text not in ("run", "exec"):
        return None
    i, opts = _container_options(argv, 2, _DOCKER_VALUE_OPTS, wargs)
    rest = i + 1  # skip IMAGE / CONTAINER
    if rest >= len(argv):
        return None
    out.env_ops.append(EnvOp("clear", argv[0].span))
    out.env_ops.extend(_container_env_op(name, v) for name, v in opts if v is not None)
    interactive = _container_flag(opts, "--interactive", "i")
    if _container_flag(opts, "--tty", "t"):
        # `docker exec -it`, `docker run -t`: the command's stdin is the pseudo-terminal docker
        # allocates (as under tmux): codex never waits on it for EOF (DESIGN.md, stdin).
        out.stdin = Stdin(StdinKind.TTY, reason="docker -t")
    elif not interactive:
        out.stdin = Stdin(StdinKind.NULL, reason="docker")
    return rest


def _container_flag(opts: list[tuple[str, Word | None]], long: str, letter: str) -> bool:
    """A boolean container option given long (`--tty`) or in a cluster of short ones (`-it`;
    not inside a cluster that ends in an option taking a value, such as `-ti` ... `-e`). A
    `=false` (or `=0`) value turns it off (`--tty=false`, `-t=false`); the last one given wins."""
    on = False
    for opt, _ in opts:
        name, eq, val = opt.partition("=")
        if name == long or name == "-" + letter:
            on = not (eq and val.lower() in ("false", "0"))
        elif (
            not eq
            and name[1:2] not in ("", "-")
            and letter in name[1:]
            and not any(c in name[1:] for c in "evwpuhmlc")
        ):
            on = True
    return on


# `docker compose` (`docker-compose`, `podman compose`, `podman-compose`): its own options
# before the subcommand, and the options of `run` / `exec` that take a value.
_COMPOSE_GLOBAL_VALUE_OPTS = frozenset(
    {"-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory"}
    | {"--ansi", "--progress", "--parallel", "--podman-path", "--podman-args"}
)
_COMPOSE_VALUE_OPTS = frozenset(
    {"--entrypoint", "-l", "--label", "--name", "-p", "--publish", "-u"}
    | {"--user", "-v", "--volume", "-w", "--workdir", "--cap-add", "--cap-drop", "--pull"}
    | {"--index", "--env-from-file"}
)


def _peel_compose(argv: tuple[Word, ...], sub: int, out: Peeled, wargs: list[str]) -> int | None:
    """``docker compose [opts] run|exec [opts] SERVICE cmd...`` with the compose subcommand
    at ``sub``: the service's container gets the env -e/--env give it (what the compose file
    gives it is not read), and keeps the caller's stdin (compose's -i is on by default)."""
    i = _take_opts(argv, sub, frozenset({"-f", "-p"}), _COMPOSE_GLOBAL_VALUE_OPTS)
    if i >= len(argv) or argv[i].text not in ("run", "exec"):
        return None
    wargs.extend(w.text for w in argv[sub : i + 1])
    i, opts = _container_options(argv, i + 1, _COMPOSE_VALUE_OPTS, wargs)
    rest = i + 1  # skip SERVICE
    if rest >= len(argv):
        return None
    out.env_ops.append(EnvOp("clear", argv[0].span))
    # compose run|exec has no --env-file of its own: that spelling is the global option.
    out.env_ops.extend(
        _container_env_op(name, v) for name, v in opts if v is not None and name != "--env-file"
    )
    if _container_flag(opts, "--detach", "d"):
        out.detached = True
        out.stdin = Stdin(StdinKind.NULL, reason="docker compose -d")
    return rest


_SU_VALUE_LETTERS = frozenset("csgGw")  # short options of su that take a value


def _peel_su(argv: tuple[Word, ...], out: Peeled) -> Word | None:
    """CMD of ``su [-] [-l] [-m] [user] -c CMD`` in any order (``--command=CMD``, ``-cCMD``,
    ``-lc CMD USER``); a login su resets the env."""
    body: Word | None = None
    login = False
    i, n = 1, len(argv)
    while i < n:
        w = argv[i]
        t = w.text
        if t in ("-", "-l", "--login"):
            login = True
        elif t in ("--command", "-c") and i + 1 < n:
            i += 1
            body = argv[i]
        elif t.startswith("--command="):
            body = Word(t[len("--command=") :], w.literal, w.span, w.raw)
        elif t in ("--shell", "--group", "--supp-group", "--whitelist-environment") and i + 1 < n:
            i += 1
        elif t[:1] == "-" and t[1:2] not in ("", "-"):
            # A cluster of short options (`-lc CMD`, `-mc CMD`, `-cCMD`): a letter that takes
            # a value takes the rest of the word, or the next word.
            for k, letter in enumerate(t[1:], start=1):
                if letter == "l":
                    login = True
                if letter not in _SU_VALUE_LETTERS:
                    continue
                attached = t[k + 1 :]
                if attached:
                    value = Word(attached, w.literal, w.span, w.raw)
                elif i + 1 < n:
                    i += 1
                    value = argv[i]
                else:
                    break
                if letter == "c":
                    body = value
                break
        i += 1
    if body is not None and login:
        out.body_clean_env = True
    return body


_SSH_VALUE_OPTS = frozenset("pilFJLRDWbcEemOQSwBo")


def _ssh_options(argv: tuple[Word, ...]) -> tuple[int, str, list[Word]]:
    """``ssh [opts] HOST ...``: the index of HOST, the letters of the options given that take
    no value, and the value of each ``-o``. As getopt reads a cluster: a letter that takes a
    value takes the rest of its word (``-oSendEnv=K``, ``-p22``), or else the next word."""
    flags: list[str] = []
    o_values: list[Word] = []
    i, n = 1, len(argv)
    while i < n:
        w = argv[i]
        t = w.text
        if t == "--":
            i += 1
            break
        if not t.startswith("-") or t == "-":
            break
        for k, letter in enumerate(t[1:], 2):
            if letter not in _SSH_VALUE_OPTS:
                flags.append(letter)
                continue
            value: Word | None = None
            if k < len(t):
                value = Word(t[k:], w.literal, w.span, w.raw)
            elif i + 1 < n:
                i += 1
                value = argv[i]
            if letter == "o" and value is not None:
                o_values.append(value)
            break
        i += 1
    return i, "".join(flags), o_values


# ssh options whose value ssh runs here, through the user's shell (`$SHELL -c "exec TEXT"`), with
# this environment: not on the remote host (ssh_config(5); LocalCommand runs when
# PermitLocalCommand is yes, which the same command line may set).
_SSH_LOCAL_KEYS = frozenset({"proxycommand", "localcommand", "knownhostscommand"})


def ssh_local_commands(argv: tuple[Word, ...]) -> list[Word]:
    """The shell text `ssh`/`scp`/`sftp` run on this host from their `-o` options
    (`-o ProxyCommand=TEXT`, `-oProxyCommand=TEXT`, `-o 'ProxyCommand TEXT'`)."""
    prog = basename(argv[0].text) if argv else ""
    if prog == "ssh":
        values = _ssh_options(argv)[2]
    elif prog in ("scp", "sftp"):
        values = _scp_o_values(argv)
    else:
        return []
    found: list[Word] = []
    for w in values:
        m = _SSH_OPTION_RE.match(w.text)
        if m is None or m.group(1).lower() not in _SSH_LOCAL_KEYS:
            continue
        text = m.group(2).strip()
        if text and text.lower() != "none":
            found.append(Word(text, w.literal, w.span, w.raw))
    return found


# scp's and sftp's short options that take a value (scp(1), sftp(1)).
_SCP_VALUE_FLAGS = "BbcDFiJloPRSsX"


def _scp_o_values(argv: tuple[Word, ...]) -> list[Word]:
    """The values of scp's/sftp's `-o` options, read as getopt does: in a cluster (`-qo X`,
    `-qoX`), the other value options' values skipped (`-i key`), up to `--`."""
    values: list[Word] = []
    i = 1
    while i < len(argv):
        w = argv[i]
        t = w.text
        if t == "--":
            break
        if t.startswith("-") and not t.startswith("--") and len(t) > 1:
            for j in range(1, len(t)):
                if t[j] not in _SCP_VALUE_FLAGS:
                    continue
                rest = t[j + 1 :]
                value = Word(rest, w.literal, w.span, w.raw) if rest else None
                if value is None and i + 1 < len(argv):
                    i += 1
                    value = argv[i]
                if t[j] == "o" and value is not None:
                    values.append(value)
                break
        i += 1
    return values


# rsync's short options that take a value (rsync 3.2 options.c: -B -e -f -M -T -@), read as popt
# reads a cluster (`-avze CMD`, `-eCMD`, `-e=CMD`); `-e`/`--rsh` is the remote shell.
_RSYNC_VALUE_LETTERS = frozenset("BefMT@")
_RSYNC_SERVER = "${rsync_server_args}"  # what rsync adds after the program it runs: not known


def rsync_remote_shell(argv: tuple[Word, ...], env_rsh: Word | None) -> tuple[Word, ...] | None:
    """The program and words rsync runs as its remote shell (`-e CMD`, `--rsh=CMD`, else
    RSYNC_RSH: ``env_rsh``), with the words it adds (rsync.1: "Command-line arguments are
    permitted in COMMAND provided that COMMAND is presented to rsync as a single argument";
    rsync splits it itself, main.c do_cmd, then adds `[-l USER] HOST RSYNC-PATH --server ...`).
    It runs only for a remote source or destination (`host:path`; with `-e` also `host::mod`
    and `rsync://`, a daemon over the remote shell); a local copy forks rsync itself. None: no
    remote shell is run, or not a known one (a word rsync cannot split)."""
    rsh: Word | None = None
    remote_path = "rsync"
    operands: list[Word] = []
    i = 1
    while i < len(argv):
        w = argv[i]
        t = w.text
        i += 1
        if t == "--":
            operands.extend(argv[i:])
            break
        if t.startswith("--"):
            name, eq, _ = t.partition("=")
            if name not in ("--rsh", "--rsync-path"):
                continue
            given = _rest_word(w, len(name) + 1) if eq else (argv[i] if i < len(argv) else None)
            i += 0 if eq else 1
            if given is not None and name == "--rsh":
                rsh = given
            elif given is not None:
                remote_path = given.text
            continue
        if t.startswith("-") and len(t) > 1:
            for j in range(1, len(t)):
                if t[j] not in _RSYNC_VALUE_LETTERS:
                    continue
                # popt takes the rest of the cluster, less one `=` (`-e=CMD` is `-e CMD`:
                # popt.c poptGetNextOpt, `nextCharArg + (nextCharArg[0] == '=')`)
                rest = j + 1 + (t[j + 1 : j + 2] == "=")
                value = _rest_word(w, rest) if j + 1 < len(t) else None
                if value is None and i < len(argv):
                    value = argv[i]
                    i += 1
                if t[j] == "e":
                    rsh = value
                break
            continue
        operands.append(w)
    hosts = [_rsync_host(w, daemon=rsh is not None) for w in operands]
    host = next((h for h in hosts if h is not None), None)
    if host is None:
        return None
    user, machine = host
    if rsh is None:
        rsh = env_rsh
    if rsh is None:
        return None
    words = _rsync_split(rsh.text)
    if not words:
        return None
    span = rsh.span
    # (a word holding an expansion the walk could not resolve, `-e "ssh -p $PORT"`, is known
    # only when it runs: the program too, for `-e "$RSH"`)
    out = [Word(t, rsh.literal or ("$" not in t and "`" not in t), span, t) for t in words]
    if user:
        out += [Word("-l", True, span, "-l"), Word(user, True, span, user)]
    out += [Word(machine.text, machine.literal, span, machine.raw)]
    out += [Word(remote_path, True, span, remote_path), Word("--server", True, span, "--server")]
    out.append(Word(_RSYNC_SERVER, False, span, _RSYNC_SERVER))
    return tuple(out)


def _rsync_host(w: Word, daemon: bool) -> tuple[str, Word] | None:
    """(user, host) of an rsync operand that names another host (`[user@]host:path`; with
    ``daemon``, `host::module` and `rsync://host/...` too): rsync's check_for_hostspec. An
    operand not known statically may be one: its host is unknown."""
    t = w.text
    if not w.literal:
        return "", Word("${rsync_host}", False, w.span, "${rsync_host}")
    if t.startswith("rsync://"):
        if not daemon:
            return None
        t = t[len("rsync://") :].split("/", 1)[0].rsplit(":", 1)[0]
    else:
        colon = t.find(":")
        if colon <= 0 or "/" in t[:colon]:
            return None  # a local path (`./a:b`, `/x:y`)
        if t[colon + 1 : colon + 2] == ":" and not daemon:
            return None  # `host::module`: a socket to the daemon, no remote shell
        t = t[:colon]
    user, at, machine = t.rpartition("@")
    if not machine:
        return None
    return (user if at else ""), Word(machine, True, w.span, machine)


def _rsync_split(text: str) -> list[str] | None:
    """COMMAND split into words as rsync splits it (main.c do_cmd): at spaces only, single and
    double quotes keep spaces, a doubled quote inside is one quote, no backslash escapes. None:
    an unclosed quote (rsync refuses the command)."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        word: list[str] = []
        quote = ""
        while i < n and (text[i] != " " or quote):
            c = text[i]
            if c in "'\"":
                if not quote:
                    quote = c
                    i += 1
                    continue
                if c == quote:
                    if text[i + 1 : i + 2] == quote:
                        word.append(c)
                        i += 2
                        continue
                    quote = ""
                    i += 1
                    continue
            word.append(c)
            i += 1
        if quote:
            return None
        words.append("".join(word))
    return words


def _peel_ssh(argv: tuple[Word, ...], out: Peeled) -> int | None:
    """Index of the remote command in ``ssh [opts] host cmd...`` (None: no remote command).
    The remote command gets none of this shell's env, except what ``-o SendEnv=K`` sends
    (the local K, as ``docker -e K`` passes it) and ``-o SetEnv=K=V`` sets."""
    host, flags, o_values = _ssh_options(argv)
    if host + 1 >= len(argv):
        return None
    if "n" in flags or "f" in flags:
        out.stdin = Stdin(StdinKind.NULL, reason="ssh -n")
    out.env_ops.append(EnvOp("clear", argv[0].span))
    for value in o_values:
        out.env_ops.extend(_ssh_env_option(value))
    return host + 1


_SSH_OPTION_RE = lazy_compile(r"\s*(\w+)\s*(?:=|\s)\s*(.*)\Z", re.S)


def _ssh_env_option(w: Word) -> list[EnvOp]:
    """What ``-o SendEnv=PATTERNS`` / ``-o SetEnv=K=V ...`` puts in the remote env. A
    SendEnv pattern with a wildcard sends the local names it matches ("send" ops)."""
    m = _SSH_OPTION_RE.match(w.text)
    if m is None:
        return []
    key, value = m.group(1).lower(), m.group(2).strip().strip('"')
    ops: list[EnvOp] = []
    for item in value.split():
        if key == "sendenv" and not item.startswith("-"):
            kind = "send" if any(c in item for c in "*?") else "docker"
            ops.append(EnvOp(kind, w.span, item))
        elif key == "setenv" and (a := _ASSIGN_RE.match(item)) is not None:
            v = Word(item[a.end() :].strip('"'), w.literal, w.span, w.raw)
            ops.append(EnvOp("set", w.span, a.group(1), v))
    return ops


def _peel_shell_c(argv: tuple[Word, ...]) -> int | None:
    """Index of the BODY word of ``bash [opts] -c BODY``, or None when there is no -c."""
    i, n = 1, len(argv)
    seen_c = False
    while i < n:
        t = argv[i].text
        if t == "--":
            i += 1
            break
        if not t.startswith(("-", "+")) or t in ("-", "+"):
            break
        if t in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 1
        elif not t.startswith("--") and "c" in t[1:]:
            seen_c = True
        i += 1
    if seen_c and i < n:
        return i
    return None


def starts_traced(options: Sequence[str]) -> bool:
    """A shell given these option words (`bash -x -c`, `bash -xc`, `bash -ex F`, `bash -o
    xtrace`, a shebang's `#!/bin/bash -x`) starts with xtrace on, unless a later `+x` / `+o
    xtrace` turns it off. Read up to the first word that is no option (the script or the
    `-c` text; `-c` itself is only a flag: bash takes options after it too)."""
    on, at = False, 0
    while at < len(options):
        text = options[at]
        at += 1
        if text == "--" or text[:1] not in ("-", "+") or text in ("-", "+") or " " in text:
            break  # (a word with a blank in it, `-e -x` of a shebang: bash refuses it)
        if text.startswith("--"):
            at += text in ("--rcfile", "--init-file")  # these take a file
            continue
        for letter in text[1:]:
            if letter == "x":
                on = text[0] == "-"
            elif letter in ("o", "O") and at < len(options):
                if letter == "o" and options[at] == "xtrace":
                    on = text[0] == "-"
                at += 1  # the option's name (`-O extglob`)
    return on


# The files in the user's home a new shell reads before its own commands (bash(1) INVOCATION,
# dash(1); checked with real bash 5 and dash): a login shell (`-l`, `--login`) the first of its
# profiles that exists, an interactive bash that is not a login shell (`-i`) its rc file.
_LOGIN_PROFILES = {
    "bash": ("~/.bash_profile", "~/.bash_login", "~/.profile"),
    "sh": ("~/.profile",),
    "dash": ("~/.profile",),
}
_BASH_RC = "~/.bashrc"


def startup_files(prog: str, options: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """What a new shell `prog` given these option words reads from the home at start-up: the
    kind ("login", "interactive") and the files, of which it reads the first that exists
    (`bash -lc` ~/.bash_profile, else ~/.bash_login, else ~/.profile; `bash -ic` ~/.bashrc or
    its `--rcfile`). None for a plain `bash -c` (it reads none: $BASH_ENV aside), and after
    `--noprofile` / `--norc`. Read up to the first word that is no option, as bash does."""
    profiles = _LOGIN_PROFILES.get(prog)
    if profiles is None:
        return None
    login = interactive = False
    profile_off = rc_off = False
    rcfile: str | None = None
    at = 0
    while at < len(options):
        text = options[at]
        at += 1
        if text == "--" or text[:1] not in ("-", "+") or text in ("-", "+"):
            break
        if text.startswith("--"):
            login = login or text == "--login"
            profile_off = profile_off or text == "--noprofile"
            rc_off = rc_off or text == "--norc"
            if text in ("--rcfile", "--init-file"):
                rcfile = options[at] if at < len(options) else None
                at += 1
            continue
        for letter in text[1:]:
            if letter in ("o", "O"):
                at += 1  # the option's name (`-o posix`)
            elif text[0] == "-":
                login = login or letter == "l"
                interactive = interactive or letter == "i"
    if login:
        return None if profile_off else ("login", profiles)
    if interactive and prog == "bash" and not rc_off:
        return "interactive", (rcfile or _BASH_RC,)
    return None


def ssh_reads_script_from_stdin(argv: tuple[Word, ...]) -> bool:
    """``ssh [opts] HOST`` with no remote command: the remote login shell reads its commands
    from stdin, so a here-doc fed to ssh is a script (not with -n/-f: stdin is /dev/null; not
    with -N: no command runs; not with -s: the operand is a subsystem)."""
    if not argv or basename(argv[0].text) != "ssh":
        return False
    host, flags, _ = _ssh_options(argv)
    return not any(c in flags for c in "nfNs") and host == len(argv) - 1


def su_reads_script_from_stdin(argv: tuple[Word, ...]) -> bool:
    """``su [-] USER`` with no -c: the user's shell reads its commands from stdin."""
    return bool(argv) and basename(argv[0].text) == "su" and _peel_su(argv, Peeled(argv)) is None


def su_login(argv: tuple[Word, ...]) -> bool:
    """``su -``, ``su -l``, ``su --login`` (also in a cluster, ``-lc``): a login shell."""
    return any(
        w.text in ("-", "--login") or (w.text[:1] == "-" and w.text[1:2] != "-" and "l" in w.text)
        for w in argv[1:]
    )


def shell_reads_script_from_stdin(argv: tuple[Word, ...]) -> bool:
    """``bash``, ``sh -s``, ``bash -s -- a b``, ``bash -x``: the script comes from stdin."""
    if not argv or basename(argv[0].text) not in SHELLS:
        return False
    for w in argv[1:]:
        t = w.text
        if t == "--":
            return True
        if t.startswith(("-", "+")) and not t.startswith("--"):
            if "c" in t[1:]:
                return False
            if "s" in t[1:]:
                return True
            continue
        if t.startswith("--"):
            continue
        # a script file operand: `bash /dev/stdin <<< TEXT` names stdin itself
        return t in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")
    return True


# at(1) (at 3.2): "at and batch read commands from standard input or a specified file which are
# to be executed at a later time, using /bin/sh" (`-f file`: "Reads the job from file rather than
# standard input"); the environment and working directory are kept from the time of invocation.
# Its options that take a value, and those that queue no job (`-l` lists, `-r`/`-d` remove,
# `-c` prints jobs).
AT_PROGRAMS = frozenset({"at", "batch"})
_AT_VALUE_LETTERS = frozenset("qfut")
_AT_NO_JOB = frozenset("lrdc")


def at_job_file(argv: tuple[Word, ...]) -> Word | bool | None:
    """What `at`/`batch` queue as a job: the `-f FILE` word, True for its stdin, False for
    no job (`at -l`, `atrm`-like forms, another program)."""
    if not argv or basename(argv[0].text) not in AT_PROGRAMS:
        return False
    job: Word | bool | None = True
    i = 1
    while i < len(argv):
        w = argv[i]
        t = w.text
        i += 1
        if t == "--":
            break
        if not t.startswith("-") or len(t) < 2:
            continue  # the time spec (`now + 1 hour`)
        for j in range(1, len(t)):
            letter = t[j]
            if letter in _AT_NO_JOB:
                return False
            if letter in _AT_VALUE_LETTERS:
                value = _rest_word(w, j + 1) if j + 1 < len(t) else None
                if value is None and i < len(argv):
                    value = argv[i]
                    i += 1
                if letter == "f":
                    job = value
                break
    if isinstance(job, Word) and job.literal and job.text in _STDIN_SCRIPTS - {"-"}:
        # at.c reopens the -f file as its stdin (`freopen(atinput, "r", stdin)`): a name of
        # stdin itself is the text piped in (`-` is a file named `-`)
        return True
    return job


def at_reads_script_from_stdin(argv: tuple[Word, ...]) -> bool:
    """`echo 'cmd' | at now`, `at now <<EOF`, `batch <<< 'cmd'`: the job is the text on stdin,
    run later by /bin/sh."""
    return at_job_file(argv) is True


_SUBST_RE = lazy_compile(r"^\$\((.*)\)$|^`(.*)`$", re.S)
_READERS = frozenset({"cat", "grep", "egrep", "sed", "awk", "cut", "head", "tail", "sort"})


def env_file_from_subst(text: str) -> str | None:
    """The file a ``$(cat F | xargs)`` / ``$(grep -v '^#' F | xargs)`` / ``$(< F)`` reads."""
    t = text.strip()
    if t.startswith('"') and t.endswith('"'):
        t = t[1:-1]
    m = _SUBST_RE.match(t)
    if m is None:
        return None
    inner = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    first = inner.split("|", 1)[0].split()
    if not first:
        return None
    if first[0] == "<" and len(first) > 1:
        return first[1].strip("'\"")
    if first[0].startswith("<") and len(first[0]) > 1:
        return first[0][1:].strip("'\"")
    if basename(first[0]) not in _READERS:
        return None
    operands = [x for x in first[1:] if not x.startswith("-")]
    if basename(first[0]) in ("grep", "egrep", "sed", "awk") and len(operands) > 1:
        operands = operands[1:]  # the first operand is the pattern / script
    if not operands:
        return None
    return operands[-1].strip("'\"")


# Interpreters and the option that takes inline code (python -c, perl/ruby/node -e, php -r).
_INTERPRETERS = frozenset(
    {"python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "deno", "bun"}
    | {"awk", "gawk", "mawk", "nawk"}  # `awk 'BEGIN { system("codex ...") }'`
    | {"expect"}  # `expect -c 'spawn codex ...'` (a Tcl program: shell/tclscript.py)
    | {"tclsh", "wish"}  # Tcl itself: `exec codex ...` (the same reader)
    # `system("codex ...")`, `os.execute(...)`, `run(\`codex ...\`)`, `do shell script "..."`
    | {"R", "Rscript", "gnuplot", "octave", "julia", "lua", "luajit", "osascript"}
)
_TCL = frozenset({"expect", "tclsh", "wish"})
_AWKS = frozenset({"awk", "gawk", "mawk", "nawk"})
INTERPRETERS = _INTERPRETERS  # (runtime/unsettled.py)
_CODE_OPTIONS = frozenset({"-c", "-e", "-E", "--eval", "-r", "-p", "--print"})
_STRING_LITERAL = lazy_compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""")
# Sub-commands of the codex CLI (codex-cli/*/help-top.txt): `codex` followed by one of them
# or by an option is a command line, not prose ("codex is great").
CODEX_SUBCOMMANDS = frozenset(
    {
        "exec",
        "e",
        "login",
        "logout",
        "review",
        "resume",
        "fork",
        "apply",
        "app-server",
        "exec-server",
        "mcp",
        "mcp-server",
        "sandbox",
        "cloud",
    }
)
_CODEX_LINE = lazy_compile(
    r"\s*(?:[A-Za-z_]\w*=\S*\s+)*(?:[\w./-]*/)?codex\s+(?:-|(?:"
    + "|".join(sorted(CODEX_SUBCOMMANDS, key=len, reverse=True))
    + r")(?:\s|$))"
)
_ARGV_LIST = lazy_compile(r"""\[\s*(["'])(?:[\w./-]*/)?codex\1[^\]]*\]""")
_BACKTICK_CODE = lazy_compile(
    r"`([^`\n]*)`|\b(?:qx|%x)\s*\(([^)\n]*)\)|\b(?:qx|%x)\s*\{([^}\n]*)\}"
)
_ARGV_WORDS = lazy_compile(
    r"""(["'])(?:[\w./-]*/)?codex\1(?:\s*,\s*(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))+"""
)


def _inline_code(argv: tuple[Word, ...], program: str = "") -> Word | None:
    """The inline-code word of `python3 -c CODE`, `node -e CODE`, ... (None: a script file).
    Python's and node's options are read the way the interpreter reads them (`python3 -Ic`,
    `-X dev -c`, `node -pe`); where that reading cannot place the code for certain (an option
    not known), the old reading (the first `-c`-like word) is used, never silence."""
    reader = {
        **dict.fromkeys(_PYTHONS, _python_code),
        **dict.fromkeys(_NODES, _node_code),
        **dict.fromkeys(_AWKS, _awk_code),
        "expect": _expect_code,
    }
    parsed = reader[program](argv) if program in reader else _UNSURE
    if parsed is not _UNSURE:
        return parsed if isinstance(parsed, Word) else None
    for i in range(1, len(argv) - 1):
        t = argv[i].text
        if t in _CODE_OPTIONS:
            return argv[i + 1]
        if not t.startswith("-"):
            return None  # a script file and its arguments
    return None


def interpreter_reads_code_from_stdin(argv: tuple[Word, ...]) -> bool:
    """`python3 - <<EOF`, `node <<EOF`, `echo CODE | perl`: an interpreter given no inline
    code and no script file (or `-` for one, or a name of stdin itself: `python3 /dev/stdin`,
    `awk -f /dev/stdin`) reads its program from stdin. Python's options are read as Python
    reads them (`-I -`, `-X dev -`); an option whose value is not known here leaves the program
    unknown: not read."""
    prog = basename(argv[0].text) if argv else ""
    if prog not in _INTERPRETERS or _inline_code(argv, prog) is not None:
        return False
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t == "-":
            return True
        if t == "--":
            return i + 1 >= len(argv) or argv[i + 1].text in _STDIN_SCRIPTS
        if not t.startswith("-"):
            return t in _STDIN_SCRIPTS  # a script file (or `-m module`'s module: None above)
        if prog in _AWKS and (t in ("-f", "--file") or t.startswith(("--file=", "-f"))):
            name = t.partition("=")[2] if t.startswith("--file=") else t[2:]
            if t in ("-f", "--file"):
                name = argv[i + 1].text if i + 1 < len(argv) else ""
            return name in _STDIN_SCRIPTS  # the program file (`awk -f - `, `-f /dev/stdin`)
        if prog in _PYTHONS and not t.startswith("--"):
            flags = t[1:]
            value_at = next((k for k, c in enumerate(flags) if c not in _PYTHON_NO_VALUE), None)
            if value_at is None:
                i += 1
                continue  # `-I`, `-uB`: flags with no value
            if flags[value_at] not in _PYTHON_VALUE:
                return False  # `-m`, or a flag not known here
            i += 2 if value_at == len(flags) - 1 else 1  # `-X dev`, `-Xdev`
            continue
        if t in ("-m", "-r", "-e", "-E", "-c", "--eval", "--print", "-p", "-M", "-I"):
            return False  # code or a module from somewhere else
        if prog in _PYTHONS and t in ("-X", "-W"):
            i += 1
        i += 1
    return True


# A script file that is the interpreter's stdin itself.
_STDIN_SCRIPTS = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
_PYTHONS = frozenset({"python", "python2", "python3"})
_NODES = frozenset({"node", "nodejs"})
_UNSURE = object()  # the interpreter's options could not be read for certain
_PYTHON_NO_VALUE = frozenset("bBdEhiIOPqsSuvVxR3tU")
_PYTHON_VALUE = frozenset("XW")


def _rest_word(w: Word, start: int) -> Word:
    """The part of ``w`` from ``start`` on (`-Ic'code'`: the code attached to its option)."""
    return Word(w.text[start:], w.literal, w.span, w.raw)


def _python_code(argv: tuple[Word, ...]) -> object:
    """Python's own option reading: short flags cluster, `-X`/`-W` take a value (attached or the
    next word), `-c` ends the cluster (its value: the rest of the word or the next word), `-m`,
    `-` or a script ends it. The code Word, None (no inline code), or _UNSURE."""
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t == "--":
            return None
        if t in ("--help", "--version"):
            return None
        if t.startswith("--"):
            if t.startswith("--check-hash-based-pycs"):
                i += 1 if "=" in t else 2
                continue
            return _UNSURE
        if not t.startswith("-") or t == "-":
            return None  # a script (or stdin) and its arguments
        j = 1
        while j < len(t):
            c = t[j]
            if c in _PYTHON_NO_VALUE:
                j += 1
                continue
            if c in _PYTHON_VALUE:
                if j + 1 >= len(t):
                    i += 1  # the value is the next word
                break
            if c == "c":
                if j + 1 < len(t):
                    return _rest_word(argv[i], j + 1)
                return argv[i + 1] if i + 1 < len(argv) else None
            if c == "m":
                return None
            return _UNSURE
        i += 1
    return None


_AWK_VALUE = frozenset({"-F", "-v", "-i", "-l", "--field-separator", "--assign", "--include"})
_AWK_FILE = frozenset({"-f", "-E", "--file", "--exec"})


def _awk_code(argv: tuple[Word, ...]) -> object:
    """awk's program: the first operand after its options (`-F FS`, `-v K=V`), or gawk's
    `-e`/`--source` text; None when it comes from a file (`-f prog.awk`)."""
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t == "--":
            i += 1
            break
        if not t.startswith("-") or t == "-":
            break
        name = t.partition("=")[0]
        if name in _AWK_FILE or (t.startswith("-f") and not t.startswith("--")):
            return None
        if t in ("-e", "--source"):
            return argv[i + 1] if i + 1 < len(argv) else None
        if t.startswith("--source="):
            return _rest_word(argv[i], len("--source="))
        if t in _AWK_VALUE:
            i += 1
        i += 1
    return argv[i] if i < len(argv) else None


_NODE_CODE_LONG = ("--eval", "--print")


def _node_code(argv: tuple[Word, ...]) -> object:
    """Node's `-e`/`--eval`/`-p`/`--print` (and clusters like `-pe`), `--eval=CODE`; any other
    option before the code: _UNSURE."""
    for i in range(1, len(argv)):
        t = argv[i].text
        if t == "--" or not t.startswith("-") or t == "-":
            return None
        name, eq, _ = t.partition("=")
        if name in _NODE_CODE_LONG:
            if eq:
                return _rest_word(argv[i], len(name) + 1)
            return argv[i + 1] if i + 1 < len(argv) else None
        if not t.startswith("--") and len(t) > 1 and set(t[1:]) <= set("pei"):
            if "e" in t or "p" in t:
                return argv[i + 1] if i + 1 < len(argv) else None
            continue
        return _UNSURE
    return None


def codex_lines_in_code(code: str, program: str = "") -> list[str]:
    """The codex command lines a program's inline code runs. Python and JavaScript are read as
    what they are (the source readers in guard/sources/: a string handed to os.system, execSync
    or a spawn argv is a command, a printed string is a mention; code that does not parse runs
    nothing). Other languages: a string literal that starts with `codex` and a sub-command or
    option and is not printed (`system("codex ...")`), or a list literal whose first item is
    `codex` (an argv), shell-quoted. What the program does with stdin is not seen, so each line
    is given /dev/null: only the argv and env rules speak."""
    if program in _TCL:
        from guard.shell.tclscript import expect_lines

        return [f"{{ {line}\n}} </dev/null" for line in expect_lines(code)]
    language = _CODE_LANGUAGES.get(program)
    found = _lines_by_source_reader(code, language) if language else None
    if found is None:
        found = _codex_literals(code)
    return [f"{{ {line}\n}} </dev/null" for line in found]


def expect_script_file(argv: tuple[Word, ...]) -> Word | None:
    """The command file `expect [-dDinN] [-c cmds] [[-[f|b]] cmdfile] [args]` reads (None:
    none, or stdin)."""
    if not argv or basename(argv[0].text) != "expect":
        return None
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t in ("-f", "-b"):
            return argv[i + 1] if i + 1 < len(argv) and argv[i + 1].text != "-" else None
        if t == "--":
            return argv[i + 1] if i + 1 < len(argv) else None
        if t == "-c":
            i += 2
            continue
        if t == "-" or not t.startswith("-"):
            return None if t == "-" else argv[i]
        i += 1
    return None


def _expect_code(argv: tuple[Word, ...]) -> object:
    """expect's `-c CMDS` (repeatable: all of them, in order, one program), read as expect reads
    its options (`expect [-dDinN] [-c cmds] [[-[f|b]] cmdfile] [args]`). None: no `-c`."""
    found: list[Word] = []
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t == "--" or not t.startswith("-") or t == "-":
            break
        if t in ("-c", "-f", "-b") and i + 1 < len(argv):
            if t == "-c":
                found.append(argv[i + 1])
            i += 2
            continue
        if t.startswith("-c") and len(t) > 2:
            found.append(_rest_word(argv[i], 2))
        i += 1
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    text = "\n".join(w.text for w in found)
    return Word(text, all(w.literal for w in found), found[0].span, found[0].raw)


# Interpreters whose inline code a source reader of guard/sources/ reads (by its file suffix).
_CODE_LANGUAGES = {
    **dict.fromkeys(("python", "python2", "python3"), ".py"),
    **dict.fromkeys(("node", "nodejs", "deno", "bun"), ".js"),
}
# A string literal that is printed, not run: `print "codex exec ..."`, `puts(...)`, `say ...`.
_PRINTED_BEFORE = lazy_compile(
    r"(?:\b(?:print|printf|say|puts|echo|warn|die|p)|console\.\w+|\$stderr\.puts)\s*\(?\s*\Z"
)
# awk's `print TEXT | "sh"`: the printed text goes to a shell's stdin, which runs it (up to the
# end of the statement: `;`, `}` or a line break).
_PIPED_TO_SHELL = lazy_compile(
    r"""[^;}\n]*?\|\s*["']\s*(?:[\w./-]*/)?(?:sh|bash|dash|zsh|ksh|ash|mksh)(?:\s+-\w+)*\s*["']"""
)


def _printed(code: str, start: int, end: int) -> bool:
    """Is the literal at code[start:end] only printed (`print "codex exec ..."`), not run?"""
    if not _PRINTED_BEFORE.search(code, max(0, start - 40), start):
        return False
    return _PIPED_TO_SHELL.match(code, end) is None


# What stands for inline code that may start codex in a way not read here: a pure expansion, so
# the walk reports the command as one it cannot see (CG902; refused under fail-closed).
_UNREAD_CODE = "${inline_code}"
# Calls and forms that start a process, in the interpreters' languages.
_SPAWNS = lazy_compile(
    r"\b(?:system|popen|exec\w*|spawn\w*|Popen|check_output|check_call|call|run|fork|open"
    r"|Command|shell_exec|passthru|proc_open)\s*\(|subprocess|child_process|\bpty\.|\bqx\b|%x|`"
    r"|\bfrom\s+(?:os|pty|posix)\s+import"
)


def may_spawn_codex(code: str) -> bool:
    """Inline code that names codex and starts a process somehow: a reader that found no
    codex command line in it may have missed one (`__import__('os').system('codex ...')`)."""
    return "codex" in code.lower() and _SPAWNS.search(code) is not None


def _lines_by_source_reader(code: str, suffix: str) -> list[str] | None:
    """The shell lines guard/sources/ reads from ``code`` as a file ending in ``suffix``
    ([] when it does not parse: the interpreter runs nothing); None when the reader failed."""
    from guard.sources.base import SourceError

    try:
        if suffix == ".py":
            from guard.sources.python import extract
        else:
            from guard.sources.javascript import extract
        snippets = extract(code, "inline-code" + suffix)
    except SourceError:
        return []
    except Exception:  # a reader's own bug: fall back to reading the literals (fail closed)
        return None
    return [s.text.rstrip("\n") for s in snippets]


def _codex_literals(code: str) -> list[str]:
    import shlex

    found: list[str] = []
    for match in _ARGV_LIST.finditer(code):
        items = [a if a else b for a, b in _STRING_LITERAL.findall(match.group(0))]
        line = shlex.join(items)
        if _CODEX_LINE.match(line):
            found.append(line)
    for m in _BACKTICK_CODE.finditer(code):
        # Perl's and Ruby's `...`, qx(...), %x(...): shell text they run
        text = next(g for g in m.groups() if g is not None)
        if _CODEX_LINE.match(text):
            found.append(text)
    rest = _ARGV_LIST.sub("", code)
    for match in _ARGV_WORDS.finditer(rest):
        # `system("codex", "exec", ...)`, `exec "codex", "login", ...` (Perl, Ruby, PHP): an
        # argv as a comma list of literals, not a printed one (`print "codex", "exec"`)
        if _printed(rest, match.start(), match.end()):
            continue
        items = [a if a else b for a, b in _STRING_LITERAL.findall(match.group(0))]
        line = shlex.join(items)
        if _CODEX_LINE.match(line):
            found.append(line)
    for m in _STRING_LITERAL.finditer(rest):
        a, b = m.groups()
        text = (a if a else b).replace('\\"', '"').replace("\\'", "'")
        if _CODEX_LINE.match(text) and not _printed(rest, m.start(), m.end()):
            found.append(text)
    return found


def _parallel_shell_lines(argv: tuple[Word, ...], rest: int, stop: int) -> Word | None:
    """The shell text parallel runs when its command is one word of shell (`'a {}; b'`) or
    absent (each input after `:::` is a command); None when the command is plain words."""
    if stop - rest == 1 and re.search(r"[\s;&|<>]", argv[rest].text):
        return argv[rest]
    if rest < stop or stop >= len(argv) or argv[stop].text != ":::":
        return None
    inputs = []
    for w in argv[stop + 1 :]:
        if w.text.startswith(":::"):
            break
        inputs.append(w)
    if not inputs:
        return None
    text = "\n".join(w.text for w in inputs)
    return Word(text, all(w.literal for w in inputs), inputs[0].span, inputs[0].raw)


@dataclass(frozen=True, slots=True)
class Runner:
    """A program that runs the rest of its argv: ``PROG SUB [opts] [OPERANDS] CMD args...``.

    Facts about the program, not code: which options take a value, how many operands come
    before the command, which options hand the command env (``--env K=V``) or an env file,
    which clear its env, which make the command words a shell string."""

    sub: str = ""  # the sub-command that runs a command (`uv run`, `apptainer exec`)
    value_opts: frozenset[str] = frozenset()
    operands: int = 0  # words between the options and the command (an image)
    env_opts: frozenset[str] = frozenset()  # `--env K=V` (apptainer also takes `A=1,B=2`)
    env_list: bool = False  # an env option's value may list several K=V, comma-separated
    env_file_opts: frozenset[str] = frozenset()
    clear_env_opts: frozenset[str] = frozenset()
    shell_opts: frozenset[str] = frozenset()  # the command words are one shell string
    stop_opts: frozenset[str] = frozenset()  # options after which no command follows (`-m`)


_APPTAINER = Runner(
    sub="exec",
    value_opts=frozenset(
        {
            "--env",
            "--env-file",
            "-B",
            "--bind",
            "--mount",
            "-H",
            "--home",
            "-W",
            "--workdir",
            "--pwd",
            "-o",
            "--overlay",
            "-S",
            "--scratch",
            "--security",
            "--network",
            "--network-args",
            "--hostname",
            "--dns",
            "--app",
            "--fusemount",
            "--apply-cgroups",
            "--add-caps",
            "--drop-caps",
            "--cpus",
            "--cpu-shares",
            "--cpuset-cpus",
            "--cpuset-mems",
            "--memory",
            "--memory-reservation",
            "--memory-swap",
            "--blkio-weight",
            "--pids-limit",
            "--pem-path",
            "--passphrase",
            "--docker-host",
            "--sif-fuse",
        }
    ),
    operands=1,
    env_opts=frozenset({"--env"}),
    env_list=True,
    env_file_opts=frozenset({"--env-file"}),
    # `-e/--cleanenv`; `-C/--containall` contains the environment too
    clear_env_opts=frozenset({"-e", "--cleanenv", "-C", "--containall"}),
)

RUNNERS: dict[str, Runner] = {
    "uv": Runner(
        sub="run",
        value_opts=frozenset(
            {
                "--with",
                "-w",
                "--with-editable",
                "--with-requirements",
                "-p",
                "--python",
                "--project",
                "--directory",
                "--package",
                "--extra",
                "--group",
                "--only-group",
                "--no-group",
                "--index",
                "--default-index",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "--env-file",
                "--config-file",
                "--cache-dir",
                "-C",
                "--config-setting",
                "--index-strategy",
                "--keyring-provider",
                "--resolution",
                "--prerelease",
                "--exclude-newer",
                "--link-mode",
                "--python-preference",
                "--color",
                "-P",
                "--upgrade-package",
                "--reinstall-package",
                "--refresh-package",
                "--no-binary-package",
                "--no-build-package",
                "--allow-insecure-host",
            }
        ),
        env_file_opts=frozenset({"--env-file"}),
        stop_opts=frozenset({"-m", "--module"}),
    ),
    "poetry": Runner(
        sub="run",
        value_opts=frozenset({"-C", "--directory", "-P", "--project"}),
    ),
    "pnpm": Runner(
        sub="exec",
        value_opts=frozenset(
            {
                "-C",
                "--dir",
                "-F",
                "--filter",
                "--resume-from",
                "--workspace-concurrency",
                "--reporter",
                "--loglevel",
            }
        ),
        shell_opts=frozenset({"-c", "--shell-mode"}),
    ),
    "apptainer": _APPTAINER,
    "singularity": _APPTAINER,
}


# dotenv-cli: `dotenv [-e FILE]... [-v K=V]... [-c [ENV]] [--] CMD...` (no `-e`: `.env`);
# env-cmd: `env-cmd [-f FILE | -e ENVS [-r RCFILE]] [--use-shell] [--] CMD...` (no `-f`: `.env`).
# package name -> the program it installs
_NODE_ENV_PACKAGES = {
    "cross-env": "cross-env",
    "cross-env-shell": "cross-env-shell",
    "dotenv-cli": "dotenv",
    "env-cmd": "env-cmd",
    "concurrently": "concurrently",  # not env: the commands it runs (`npx concurrently "..."`)
    # not env: the package manager itself, which runs a script of the package with this env
    # (`npx npm run review`, `npm exec -- npm run review`: npm 11 with a recording codex)
    "npm": "npm",
    "pnpm": "pnpm",
    "yarn": "yarn",
    # npm-run-all's programs: `npm run TASK` for each task (guard/shell/scriptruns.py)
    "npm-run-all": "npm-run-all",
    "npm-run-all2": "npm-run-all",
    "run-s": "run-s",
    "run-p": "run-p",
}
# corepack's binary proxies: `corepack <binary name>[@<version>] [... args]` runs that package
# manager with these args (corepack(1), nodejs.org/api/corepack.html "Supported package managers")
_COREPACK_BINARIES = frozenset({"npm", "npx", "pnpm", "pnpx", "yarn", "yarnpkg"})
_DOTENV_VALUE_OPTS = frozenset({"-e", "-v", "-p"})
_ENV_CMD_VALUE_OPTS = frozenset({"-f", "--file", "-e", "--environments", "-r", "--rc-file"})


def _peel_node_env(argv: tuple[Word, ...], out: Peeled) -> int | None:
    """Index of the command `cross-env`, `cross-env-shell`, `dotenv` (dotenv-cli) or `env-cmd`
    runs; the env it hands the command (each a superset of its own: nothing is cleared). A file
    they load is an env file as `env $(cat .env)` is (CG103). `cross-env-shell` and `env-cmd
    --use-shell` run the command's words joined, as shell text (`out.body`): None then."""
    prog = basename(argv[0].text)
    ops: list[EnvOp] = []
    i, n = 1, len(argv)
    shell = prog == "cross-env-shell"
    if prog in ("cross-env", "cross-env-shell"):
        # every leading `NAME=value` word sets NAME (cross-env's parseCommand)
        while i < n and (m := _ASSIGN_RE.match(argv[i].text)) is not None:
            w = argv[i]
            ops.append(
                EnvOp("set", w.span, m.group(1), Word(w.text[m.end() :], w.literal, w.span, w.raw))
            )
            i += 1
    else:
        dotenv = prog == "dotenv"
        value_opts = _DOTENV_VALUE_OPTS if dotenv else _ENV_CMD_VALUE_OPTS
        files: list[Word] = []
        rc = False
        while i < n:
            w = argv[i]
            t = w.text
            if t == "--":
                i += 1
                break
            if not t.startswith("-") or t == "-":
                break
            name, eq, attached = t.partition("=")
            value: Word | None = Word(attached, w.literal, w.span, w.raw) if eq else None
            if value is None and name in value_opts and i + 1 < n:
                i += 1
                value = argv[i]
            if value is not None and name in (("-e",) if dotenv else ("-f", "--file")):
                files.append(value)
            elif value is not None and not dotenv and name in ("-e", "--environments"):
                rc = True
            elif value is not None and not dotenv and name in ("-r", "--rc-file"):
                files.append(value)
            elif value is not None and dotenv and name == "-v":
                k, has, v = value.text.partition("=")
                if has:
                    ops.append(
                        EnvOp("set", value.span, k, Word(v, value.literal, value.span, value.raw))
                    )
            elif dotenv and name == "-p":
                return None  # prints a variable: runs nothing
            elif not dotenv and name == "--use-shell":
                shell = True
            i += 1
        if rc and not files:
            files.append(Word(".env-cmdrc", True, argv[0].span))
        for loaded in files or [Word(".env", True, argv[0].span)]:
            ops.append(EnvOp("file", loaded.span, loaded.text))
    if i >= n:
        return None
    out.env_ops.extend(ops)
    if shell:
        out.body = (
            Word(" ".join(w.text for w in argv[i:]), argv[i].literal, argv[i].span, argv[i].raw),
        )
        out.body_kind = prog if prog == "cross-env-shell" else "env-cmd --use-shell"
        return None
    return i


def _peel_runner(argv: tuple[Word, ...], spec: Runner, out: Peeled, wargs: list[str]) -> int | None:
    """Index of the command in a ``RUNNERS`` argv (None: this form runs no command); records
    the env it hands the command. A shell-string form sets ``out.body`` and returns None."""
    if len(argv) < 3 or argv[1].text != spec.sub:
        return None
    ops: list[EnvOp] = []
    shell = False
    i, n = 2, len(argv)
    while i < n:
        w = argv[i]
        t = w.text
        if t == "--":
            i += 1
            break
        if not t.startswith("-") or t == "-":
            break
        wargs.append(t)
        name, eq, attached = t.partition("=")
        value: Word | None = None
        if name.startswith("--") and eq:
            value = Word(attached, w.literal, w.span, w.raw)
        elif t in spec.value_opts:
            i += 1
            if i < n:
                value = argv[i]
                wargs.append(value.text)
        if t in spec.stop_opts:
            return None
        if name in spec.clear_env_opts:
            ops.append(EnvOp("clear", w.span))
        elif name in spec.shell_opts:
            shell = True
        elif value is not None and name in spec.env_file_opts:
            ops.append(EnvOp("file", value.span, value.text))
        elif value is not None and name in spec.env_opts:
            items = value.text.split(",") if spec.env_list else [value.text]
            for item in items:
                k, has_value, v = item.partition("=")
                val = Word(v, value.literal, value.span, value.raw) if has_value else None
                ops.append(
                    EnvOp("set", value.span, k, val) if val else EnvOp("unset", value.span, k)
                )
        i += 1
    i += spec.operands
    if i >= n:
        return None
    out.env_ops.extend(ops)
    if shell:
        out.body = (
            Word(" ".join(w.text for w in argv[i:]), argv[i].literal, argv[i].span, argv[i].raw),
        )
        out.body_kind = f"{basename(argv[0].text)} {spec.sub} -c"
        return None
    return i


_TMUX_GLOBAL_VALUE_OPTS = frozenset({"-L", "-S", "-f", "-T", "-c"})
# new-session [-AdDEPX] [-c dir] [-e K=V] [-f flags] [-F fmt] [-n name] [-s name] [-t group]
# [-x w] [-y h] [cmd...], and new-window / split-window / respawn-* alike (tmux(1)).
_TMUX_NEW = frozenset(
    {
        "new-session",
        "new",
        "new-window",
        "neww",
        "split-window",
        "splitw",
        "respawn-pane",
        "respawnp",
        "respawn-window",
        "respawnw",
    }
)
_TMUX_NEW_VALUE_OPTS = frozenset({"-c", "-e", "-f", "-F", "-n", "-s", "-t", "-x", "-y", "-l", "-p"})
_TMUX_SEND = frozenset({"send-keys", "send"})
_TMUX_SEND_VALUE_OPTS = frozenset({"-c", "-N", "-t"})
# send-keys options that do not type keys a shell would run (`-l` types `Enter` as text).
_TMUX_SEND_NOT_TYPED = frozenset("lHXMR")
_TMUX_ENTER = frozenset({"Enter", "C-m", "KPEnter", "C-j"})
_TMUX_KEYS = {"Space": " ", "Tab": "\t"}
_TMUX_CANCEL = frozenset({"C-c", "C-u", "Escape"})
_TMUX_KEY_NAME = lazy_compile(
    r"(?:[CMS]-.+|F\d+|BSpace|BTab|DC|IC|Up|Down|Left|Right|Home|End|NPage|PPage|PageUp|PageDown|PgUp|PgDn)\Z"
)


def _tmux_opts(
    argv: tuple[Word, ...], i: int, with_value: frozenset[str]
) -> tuple[int, list[Word]]:
    """Skip tmux-style short options from ``argv[i]`` (`-dPs name`, `-tT`); returns the index
    after them and the `-e` values (`-e K=V`, `-eK=V`)."""
    env: list[Word] = []
    n = len(argv)
    while i < n:
        w = argv[i]
        t = w.text
        if t == "--":
            return i + 1, env
        if not t.startswith("-") or t == "-" or t.startswith("--"):
            return i, env
        for k, letter in enumerate(t[1:], start=1):
            if f"-{letter}" in with_value:
                attached = t[k + 1 :]
                if attached:
                    value = Word(attached, w.literal, w.span, w.raw)
                elif i + 1 < n:
                    i += 1
                    value = argv[i]
                else:
                    return n, env
                if letter == "e":
                    env.append(value)
                break
        i += 1
    return i, env


def _peel_tmux(argv: tuple[Word, ...], out: Peeled) -> int | None:
    """``tmux new-session -d 'cmd'`` runs the string with sh (several words: that argv); its
    ``-e K=V`` is the command's env. ``tmux send-keys -t T 'cmd' Enter`` types into a shell
    that already runs, with its own env: only text an Enter ends is run. Either way the
    command's stdin is the pane's terminal."""
    i, _ = _tmux_opts(argv, 1, _TMUX_GLOBAL_VALUE_OPTS)
    if i >= len(argv):
        return None
    sub = argv[i].text
    if sub in _TMUX_NEW:
        i, env = _tmux_opts(argv, i + 1, _TMUX_NEW_VALUE_OPTS)
        end = next((j for j in range(i, len(argv)) if argv[j].text == ";"), len(argv))
        if i >= end:
            return None  # the default shell: nothing the linter can see
        for value in env:
            k, has_value, v = value.text.partition("=")
            if has_value:
                out.env_ops.append(
                    EnvOp("set", value.span, k, Word(v, value.literal, value.span, value.raw))
                )
        out.stdin = Stdin(StdinKind.TTY, reason="tmux")
        if end - i == 1:
            out.body = (argv[i],)
            out.body_kind = "tmux"
            return None
        return i
    if sub in _TMUX_SEND:
        start = i + 1
        i, _ = _tmux_opts(argv, start, _TMUX_SEND_VALUE_OPTS)
        if any(
            w.text.startswith("-") and set(w.text[1:]) & _TMUX_SEND_NOT_TYPED
            for w in argv[start:i]
            if w.text != "--"
        ):
            return None
        end = next((j for j in range(i, len(argv)) if argv[j].text == ";"), len(argv))
        typed = _tmux_typed_lines(argv[i:end])
        if typed is not None:
            out.body = (typed,)
            out.body_kind = "tmux send-keys"
            out.body_clean_env = True
            out.stdin = Stdin(StdinKind.TTY, reason="tmux")
        return None
    return None


_SCREEN_VALUE_LETTERS = frozenset("SceEhpstT")
_SCREEN_NO_COMMAND = frozenset("rRxXQ")  # attach, send a command, query: no new window


def _peel_screen(argv: tuple[Word, ...], out: Peeled) -> int | None:
    """``screen [-dmS NAME ...] cmd args...``: runs cmd (no shell) in a new window, on its
    pseudo-terminal, with the caller's env; ``-d -m`` leaves it running detached."""
    i, n = 1, len(argv)
    flags: set[str] = set()
    while i < n:
        t = argv[i].text
        if not t.startswith("-") or t == "-":
            break
        if t in ("-Logfile", "-logfile"):
            i += 2
            continue
        if t in ("-ls", "-list", "-wipe", "-v", "-version"):
            return None
        for k, letter in enumerate(t[1:], start=1):
            if letter == "X":
                _screen_stuff(argv[i + 1 :], out)  # `screen -S s -X stuff 'cmd\n'`
                return None
            if letter in _SCREEN_NO_COMMAND:
                return None
            if letter in _SCREEN_VALUE_LETTERS:
                if k == len(t) - 1:
                    i += 1  # the value is the next word
                break
            flags.add(letter)
        i += 1
    if i >= n:
        return None
    out.stdin = Stdin(StdinKind.TTY, reason="screen")
    out.detached = out.detached or {"d", "m"} <= flags
    return i


# What screen's `stuff` string turns into a line end: `\n`, `\r`, `^M`, `^J` (screen(1):
# "String Escapes"), and an escaped backslash or caret that stays itself.
_SCREEN_ESCAPE = lazy_compile(r"\\[nr\\^]|\^[MJmj]|\\[0-7]{1,3}")
_SCREEN_LINE_ENDS = frozenset({"\\n", "\\r", "^M", "^J", "^m", "^j", "\\12", "\\15", "\\012"})


def _screen_stuff(words: tuple[Word, ...], out: Peeled) -> None:
    """`screen -X stuff TEXT` types TEXT into the window's shell, which already runs with its
    own env: the lines a line end (`\\n`, `^M`, ...) completes are run there (as tmux
    send-keys' lines)."""
    if len(words) < 2 or words[0].text != "stuff":
        return
    typed = words[1]

    def unescaped(m: re.Match[str]) -> str:
        found = m.group(0)
        if found in _SCREEN_LINE_ENDS:
            return "\n"
        return found[1:] if found[:1] == "\\" else found

    # (what follows the last line end waits at the prompt, unrun)
    lines = _SCREEN_ESCAPE.sub(unescaped, typed.text).replace("\r", "\n").split("\n")[:-1]
    if not any(line.strip() for line in lines):
        return
    out.body = (Word("\n".join(lines), typed.literal, typed.span, typed.raw),)
    out.body_kind = "screen stuff"
    out.body_clean_env = True
    out.stdin = Stdin(StdinKind.TTY, reason="screen")


_SYSTEMD_RUN_VALUE_OPTS = frozenset(
    {"-p", "--property", "-u", "--unit", "--description", "--slice", "-E", "--setenv"}
    | {"--uid", "--gid", "--nice", "--working-directory", "-M", "--machine", "-H", "--host"}
    | {"--on-active", "--on-boot", "--on-startup", "--on-unit-active", "--on-unit-inactive"}
    | {"--on-calendar", "--path-property", "--socket-property", "--timer-property"}
    | {"--service-type"}
)


def _peel_systemd_run(argv: tuple[Word, ...], out: Peeled) -> int | None:
    """``systemd-run [opts] cmd args...``: a transient service runs cmd with a fresh env
    (only ``-E K=V``, ``-E K`` and ``-p Environment=`` give it names) and stdin on /dev/null,
    detached from the script; ``--scope`` runs it here, with this env and stdin."""
    i, n = 1, len(argv)
    ops: list[EnvOp] = [EnvOp("clear", argv[0].span)]
    scope = tty = piped = waits = False
    while i < n:
        w = argv[i]
        t = w.text
        if t == "--":
            i += 1
            break
        if not t.startswith("-") or t == "-":
            break
        name, eq, attached = t.partition("=")
        value: Word | None = None
        if name in _SYSTEMD_RUN_VALUE_OPTS:
            if eq and name.startswith("--"):
                value = Word(attached, w.literal, w.span, w.raw)
            elif i + 1 < n:
                i += 1
                value = argv[i]
        if value is not None and name in ("-E", "--setenv"):
            k, has_value, v = value.text.partition("=")
            val = Word(v, value.literal, value.span, value.raw) if has_value else None
            ops.append(EnvOp("docker", value.span, k, val))
        elif value is not None and name in ("-p", "--property"):
            key, _, assigned = value.text.partition("=")
            if key == "Environment":
                for item in assigned.split():
                    if (a := _ASSIGN_RE.match(item)) is not None:
                        given = Word(item[a.end() :], value.literal, value.span, value.raw)
                        ops.append(EnvOp("set", value.span, a.group(1), given))
            elif key == "EnvironmentFile":
                ops.append(EnvOp("file", value.span, assigned.lstrip("-")))
        scope = scope or t == "--scope"
        tty = tty or t in ("-t", "--pty")
        piped = piped or t in ("-P", "--pipe")
        waits = waits or t == "--wait" or tty or piped
        if t in ("-S", "--shell"):
            return None
        i += 1
    if i >= n:
        return None
    if scope:
        return i  # runs in this session: this env, this stdin
    out.env_ops.extend(ops)
    if tty:
        out.stdin = Stdin(StdinKind.TTY, reason="systemd-run --pty")
    elif not piped:
        out.stdin = Stdin(StdinKind.NULL, reason="systemd-run")
    if not waits:
        out.detached = True
    return i


def _tmux_typed_lines(keys: tuple[Word, ...]) -> Word | None:
    """The lines a pane's shell runs from ``send-keys`` keys: text up to each Enter key (what
    is typed after the last Enter waits at the prompt, unrun)."""
    lines: list[str] = []
    current = ""
    literal = True
    for w in keys:
        t = w.text
        if t in _TMUX_ENTER:
            lines.append(current)
            current = ""
        elif t in _TMUX_KEYS:
            current += _TMUX_KEYS[t]
        elif t in _TMUX_CANCEL:
            current = ""
        elif _TMUX_KEY_NAME.match(t):
            continue
        else:
            current += t
            literal = literal and w.literal
    if not any(line.strip() for line in lines):
        return None
    first = keys[0]
    return Word("\n".join(lines), literal, first.span, first.raw)


# Programs that print, match, store or look up their arguments and never run them: a `codex`
# among their words is a mention (`echo codex exec ...`, `grep codex exec.log`).
NEVER_RUN_ARGS = frozenset(
    {
        "echo",
        "Write-Host",  # PowerShell's (a `pwsh -c` text is read as shell)
        "Write-Output",
        "printf",
        "print",
        "logger",
        "grep",
        "egrep",
        "fgrep",
        "rg",
        "ag",
        "ack",
        "sed",
        "awk",
        "gawk",
        "mawk",
        "cat",
        "tee",
        "test",
        "[",
        "[[",
        "alias",
        "unalias",
        "type",
        "which",
        "whereis",
        "whence",
        "where",
        "hash",
        "man",
        "info",
        "help",
        "apropos",
        "whatis",
        "tldr",
        "declare",
        "typeset",
        "local",
        "export",
        "readonly",
        "unset",
        "set",
        "read",
        "readarray",
        "mapfile",
        "shift",
        "complete",
        "compgen",
        "compopt",
        "ls",
        "touch",
        "mkdir",
        "rm",
        "rmdir",
        "cp",
        "mv",
        "ln",
        "chmod",
        "chown",
        "stat",
        "file",
        "wc",
        "head",
        "tail",
        "sort",
        "uniq",
        "cut",
        "tr",
        "jq",
        "yq",
        "git",
        "pgrep",
        "pkill",
        "killall",
        "kill",
        "ps",
        "pidof",
        "cd",
        "pushd",
        "popd",
        "codex-guard",
        # messages and notices: their words are text for a person
        "notify-send",
        "wall",
        "say",
        "espeak",
        "figlet",
        "cowsay",
        "banner",
        "mail",
        "mailx",
        "sendmail",
        "gh",
        "glab",
        "history",
    }
)


_CONFIG_OVERRIDE = lazy_compile(r"[A-Za-z_][\w.-]*=")


def _top_level_flag(name: str) -> FlagSpec | None:
    """The spec of an option some codex version takes before its sub-command (the grammar
    tables: `--yolo`, `-s`, `-c`, `--model`), or None."""
    from guard.codex.grammar import grammar_for, supported_versions

    for version in supported_versions():
        top = grammar_for(version).command("")
        found = top.flag(name) if top is not None else None
        if found is not None:
            return found
    return None


def _codex_sandbox_runs(argv: tuple[Word, ...]) -> int | None:
    """Where the command `codex [...] sandbox [...]` runs begins in argv, or None."""
    for word in argv[1:]:
        if word.text == "sandbox":
            break
    else:
        return None  # most codex commands: the grammar is not consulted
    from guard.codex.grammar import sandboxed_command

    found = sandboxed_command([w.text for w in argv[1:]])
    return None if found is None else found + 1


def _says_codex(spec: FlagSpec, value: str | None) -> bool:
    """An option use no other program would write: the bypass switch (or its `--yolo` alias),
    a switch that picks a sandbox, a value from codex's own choices (`-s danger-full-access`,
    `-a never`), a `-c key=value` override. `-c conda-forge`, `--image gcr.io/x`, `-m 5` are
    anybody's."""
    if spec.aliases or spec.implies_sandbox or spec.long.startswith("--dangerously-"):
        return True
    if value is None:
        return False
    if spec.choices:
        return value in spec.choices
    return spec.value == "key=value" and _CONFIG_OVERRIDE.match(value) is not None


def _starts_codex_line(words: Sequence[str]) -> bool:
    """Do the words after a `codex` read as codex's own: its options (by the grammar tables),
    then a sub-command (`codex -m o3 exec ...`), or an option only codex has (`codex --yolo`,
    `codex -s danger-full-access`)? The first word that is neither ends the reading: `codex -f`,
    `codex -k exec` (pytest's -k), `codex -c 'select 1'` (psql's -c)."""
    index = 0
    while index < len(words):
        word = words[index]
        if word in CODEX_SUBCOMMANDS:
            return True
        name, eq, inline = word.partition("=")
        spec = _top_level_flag(name) if word.startswith("-") else None
        if spec is None:
            return False
        value: str | None = None
        if spec.takes_value:
            if eq:
                value = inline
            elif index + 1 < len(words):
                index += 1
                value = words[index]
        if _says_codex(spec, value):
            return True
        index += 1
    return False


# git's options before its sub-command that take the next word as their value.
_GIT_VALUE_OPTS = frozenset({"-c", "-C", "--git-dir", "--work-tree", "--namespace", "--config-env"})
# git sub-commands that run a command their argv gives: `rebase -x TEXT`, `submodule foreach
# TEXT`, `bisect run CMD...`.
_GIT_RUNNERS = frozenset({"rebase", "submodule", "bisect", "difftool", "grep", "filter-branch"})
_GIT_ALIAS_HOPS = 16  # git stops a loop itself ("alias loop detected"); a chain longer is unread


def _peel_git(argv: tuple[Word, ...], out: Peeled) -> tuple[tuple[Word, ...], int | None]:
    """What `git ...` runs of its argv, as git reads it (checked with git 2.39 and a recorder,
    tests/shell/test_git_runs.py): argv with its aliases expanded, and where a command it runs as
    argv begins (`git bisect run CMD...`), or None. A `!` alias, `rebase -x TEXT` and `submodule
    foreach TEXT` set out's body: git runs `sh -c 'TEXT "$@"' TEXT ARGS...` (TEXT alone when there
    are no ARGS)."""
    if not any(w.text in _GIT_RUNNERS or "alias" in w.text.lower() for w in argv[1:]):
        return argv, None  # `git status`, `git -c core.pager=cat log`: the common case, one pass
    aliases: dict[str, Word] = {}
    seen: set[str] = set()
    i = 1
    for _ in range(_GIT_ALIAS_HOPS):
        while i < len(argv):
            word = argv[i].text
            if word in _GIT_VALUE_OPTS and i + 1 < len(argv):
                if word == "-c":
                    key, eq, _ = argv[i + 1].text.partition("=")
                    if eq and key.lower().startswith("alias."):
                        aliases[key[6:].lower()] = argv[i + 1]  # the last `-c` of a name wins
                i += 2
            elif word.startswith("-"):
                i += 1
            else:
                break
        if i >= len(argv):
            return argv, None
        name = argv[i].text.lower()
        given = aliases.get(name)
        if given is None:
            break
        from guard.shell.gitruns import GIT_COMMANDS, split_cmdline

        if name in GIT_COMMANDS:
            break  # git runs its own command of that name, never an alias of it
        text = given.text.partition("=")[2]
        if text.lstrip().startswith("!"):
            out.body, out.body_args = _git_shell_text(given, text.lstrip()[1:], argv[i + 1 :])
            out.body_kind = "git alias"
            return argv, None
        words = split_cmdline(text)
        if name in seen or not words:
            return argv, None  # a loop, an empty alias, an unclosed quote: git stops there
        seen.add(name)
        # The alias's words stand for its name; its options are git's (`-c alias.b=... b`).
        argv = (*argv[:i], *(_part_word(given, w) for w in words), *argv[i + 1 :])
    else:
        return argv, None
    sub, rest = argv[i].text, argv[i + 1 :]
    if sub == "bisect" and rest and rest[0].text == "run":
        return argv, (i + 2 if i + 2 < len(argv) else None)  # runs CMD ARGS as they are
    texts: list[tuple[tuple[Word, ...], tuple[Word, ...]]] = []
    kind = ""
    if sub in ("rebase", "difftool", "grep", "filter-branch"):
        from guard.shell.gitoptions import runnable_options, runnable_values

        values = runnable_values(rest, runnable_options(sub))
        texts = [_git_shell_text(w, w.text[at:], ()) for w, at in values]
        kind = "git rebase --exec" if sub == "rebase" else f"git {sub} command"
    elif sub == "submodule":
        k = 0
        while k < len(rest) and rest[k].text.startswith("-"):
            k += 1  # `--quiet`, `--cached`
        if k < len(rest) and rest[k].text == "foreach":
            k += 1
            while k < len(rest) and rest[k].text in ("--recursive", "-q", "--quiet", "--"):
                k += 1
            if k < len(rest):
                texts = [_git_shell_text(rest[k], rest[k].text, rest[k + 1 :])]
        kind = "git submodule foreach"
    if texts:
        (out.body, out.body_args), out.more_bodies = texts[0], tuple(texts[1:])
        out.body_kind = kind
    return argv, None


def _part_word(word: Word, text: str) -> Word:
    """A word git makes of part of `word` (an alias's words, `-xTEXT`), at its column in the file
    when the raw word shows it on one line."""
    span = word.span
    raw = word.raw or ""
    at = raw.find(text) if text else -1
    if at > 0 and "\n" not in raw[:at]:
        span = Span(span.line, span.column + at, span.end_line, span.end_column)
    return Word(text, word.literal, span, text)


def _git_shell_text(
    given: Word, text: str, args: tuple[Word, ...]
) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    """The body and the $0, $1... of git's `sh -c 'TEXT "$@"' TEXT ARGS...` (TEXT alone when
    there are no ARGS), TEXT part of `given` (a `!` alias's `-c` word, a `-x` value)."""
    place = _part_word(given, text)
    body = Word(text + (' "$@"' if args else ""), given.literal, place.span, text)
    return (body,), (Word(text, given.literal, place.span, text), *args)


def _carried_codex(argv: tuple[Word, ...]) -> int | None:
    """Where a command line starts in the words of a command codex-guard does not know: a word
    that is exactly `codex` (or a path ending in /codex) whose following words read as codex's
    own (`agent-run --timeout 900 -- codex exec --yolo ...`, `agent-run codex --yolo "task"`).
    A name among an unknown program's words is not one: `kubectl logs codex -f`, `pytest
    tests/codex -k exec`, `journalctl -u codex --since today`, `conda install codex -c
    conda-forge`."""
    if basename(argv[0].text) in NEVER_RUN_ARGS:
        return None
    for j in range(1, len(argv) - 1):
        w = argv[j]
        if not w.literal or w.text.endswith("/"):
            continue
        name = basename(w.text)
        if name == "codex" and _starts_codex_line([x.text for x in argv[j + 1 :]]):
            return j
        if name in _CARRIED_STARTERS and _starts_codex(argv[j:]):
            return j  # `agent-run env K=V codex ...`, `agent-run sh -c 'codex ...'`
    return None


# Commands that start another, which an unknown program's words may hold before codex.
_CARRIED_STARTERS = frozenset({"env", *SHELLS})


def _starts_codex(argv: tuple[Word, ...]) -> bool:
    """`env ... codex ...` that peels to codex, or `sh -c TEXT` whose text names codex."""
    if basename(argv[0].text) in SHELLS:
        k = _peel_shell_c(argv)
        return k is not None and "codex" in argv[k].text
    p = peel(argv)
    return bool(p.argv) and basename(p.argv[0].text) == "codex"


starts_codex_line = _starts_codex_line  # guard/shell/copies.py reads machine-found codex words


def _is_codex_pkg(t: str) -> bool:
    return t in ("codex", "@openai/codex") or t.startswith("@openai/codex@")


# Programs that hand a command named in their options (or their script) to a shell: GNU tar's
# `--to-command`, `--checkpoint-action=exec=`, `-I`/`--use-compress-program`, `--info-script`
# (`-F`), `--new-volume-script`, `--rsh-command`; sort's `--compress-program`; vim's `-c`,
# `--cmd` and `+` when they hold a `:!` command; sed's `e` command and `s///e` flag.
_TAR_OPTIONS = frozenset(
    {"--to-command", "--use-compress-program", "--info-script", "--new-volume-script"}
    | {"--rsh-command", "--rmt-command", "-I", "-F"}
)
_VIMS = frozenset({"vim", "vi", "nvim", "ex", "view", "vimdiff", "gvim", "rvim"})
OPTION_RUNNERS = frozenset({"tar", "gtar", "sort", "sed", "gsed"} | _VIMS | OPTION_SHELLS)
_SED_E = lazy_compile(
    r"^\s*(?:\{\s*)*(?:(?:\d+|\$|/(?:[^/\\]|\\.)*/)(?:\s*,\s*(?:\d+|\$|/(?:[^/\\]|\\.)*/))?\s*!?\s*)?"
    r"(?:\{\s*)*e(?:\s+(.*))?$"
)
_SED_S = lazy_compile(r"s(.)((?:(?!\1)[^\\]|\\.)*)\1((?:(?!\1)[^\\]|\\.)*)\1([a-zA-Z0-9]*)")
# What stands for text only known when the program runs (sed's pattern space): a pure
# expansion, so the walk reports the command as unknown (CG902), as `eval "$x"` is.
_RUNTIME_TEXT = "${pattern_space}"


def _option_values(
    argv: tuple[Word, ...], names: frozenset[str], short_values: str | None = None
) -> list[Word]:
    """The values of the options in ``names``: `--name=V`, `--name V`, `-X V`, `-XV`. With
    ``short_values`` (the program's short options that take a value: a GNU getopt program),
    a long option may be any prefix of its name that no other option is (`tar --to-comm=V`,
    `sed --expr=V`), and short options cluster (`tar -cvI V`, `-cvIV`: the first one of
    ``short_values`` takes the rest of the word, or the next word)."""
    found: list[Word] = []
    for i, w in enumerate(argv[1:], 1):
        t = w.text
        if t == "--":
            break
        name, eq, _ = t.partition("=")
        if name.startswith("--"):
            if name in names or (short_values is not None and _abbreviates(name, names)):
                if eq:
                    found.append(_rest_word(w, len(name) + 1))
                elif i + 1 < len(argv):
                    found.append(argv[i + 1])
            continue
        if not t.startswith("-") or t == "-":
            continue
        for j in range(1, len(t) if short_values is not None else 2):
            if "-" + t[j] in names:
                if len(t) > j + 1:
                    found.append(_rest_word(w, j + 1))
                elif i + 1 < len(argv):
                    found.append(argv[i + 1])
                break
            if short_values is None or t[j] in short_values:
                break  # the rest of the word is this option's value
    return found


# Long options that are a prefix of a command option's name and an option of their own: getopt
# takes the exact name (`tar --checkpoint=1` is not --checkpoint-action).
_EXACT_PREFIXES = frozenset({"--checkpoint"})


def _abbreviates(name: str, names: frozenset[str]) -> bool:
    """`name` (`--to-comm`) is an abbreviation getopt_long accepts for one of ``names``."""
    return len(name) > 2 and name not in _EXACT_PREFIXES and any(n.startswith(name) for n in names)


# GNU tar's and sed's short options that take a value (the rest of the word or the next one).
_TAR_SHORT_VALUES = "bCfFgHIKLNTVX"
_SED_SHORT_VALUES = "efil"


def _option_commands(argv: tuple[Word, ...], prog: str) -> list[Word]:
    """The shell text ``argv`` (a program of OPTION_RUNNERS) hands to a shell."""
    if prog in ("tar", "gtar"):
        texts = _option_values(argv, _TAR_OPTIONS, _TAR_SHORT_VALUES)
        for w in _option_values(argv, frozenset({"--checkpoint-action"}), _TAR_SHORT_VALUES):
            if w.text.startswith("exec="):
                texts.append(_rest_word(w, len("exec=")))
        if len(argv) > 1 and argv[1].text[:1] not in ("-", ""):
            # the old style (`tar cIf CMD t.tar`): each letter that takes a value takes the
            # next word after the letters, in order
            following = iter(argv[2:])
            for letter in argv[1].text:
                if letter in _TAR_SHORT_VALUES:
                    value = next(following, None)
                    if value is not None and letter in "IF":
                        texts.append(value)
        return texts
    if prog == "sort":
        return _option_values(argv, frozenset({"--compress-program"}), "kStT")
    if prog in OPTION_SHELLS:
        from guard.shell.debuggers import option_shell_texts  # here: rare, off the hook's path

        return option_shell_texts(argv, prog)
    if prog in _VIMS:
        texts = []
        commands = [_rest_word(w, 1) for w in argv[1:] if w.text.startswith("+")]
        given = [*commands, *_option_values(argv, frozenset({"-c", "--cmd"}))]
        for w in given:
            texts.extend(_vim_shell_texts(w))
        joined = "\n".join(w.text for w in given)
        if not texts and "codex" in joined.lower() and _VIM_SPAWNS.search(joined):
            texts.append(_runtime_word(given[0]))  # `-c 'let x="codex"' -c 'call system(x)'`
        return texts
    return _sed_commands(argv)


# An Ex command line that hands its text to a shell: `:!CMD`, `:silent !CMD`, a range filter
# `:%!CMD`, `:r !CMD`, `:w !CMD` (modifiers and a range before it).
_VIM_BANG = lazy_compile(
    r"[\s:]*(?:(?:sil(?:ent)?!?|uns(?:ilent)?|exe(?:cute)?|noa(?:utocmd)?|keepa(?:lt)?|"
    r"keepj(?:umps)?|verb(?:ose)?)\s+)*(?:[%.$,;\d+\-<>]|'[a-z<>])*\s*"
    r"(?:(?:r(?:ead)?|w(?:rite)?)\s*)?!(.*)\Z",
    re.S,
)


def _vim_shell_texts(w: Word) -> list[Word]:
    """The shell text an Ex command (`vim -c TEXT`, `+TEXT`) runs: after its `!`; a string
    literal naming codex it hands to `system()` or the like; and, for any other command that
    names codex, text only known when vim runs (CG902)."""
    m = _VIM_BANG.match(w.text)
    if m is not None:
        return [_part_word(w, m.group(1))] if m.group(1).strip() else []
    if "codex" not in w.text.lower():
        return []
    found = [_part_word(w, line) for line in _codex_literals(w.text)]
    if not found and _VIM_SPAWNS.search(w.text):
        found = [_runtime_word(w)]  # `call system(x . " exec")`, `exe "!" . cmd`
    return found


# What in an Ex command may start a process: a shell, a job, a terminal, an embedded language
# (a `!` at the command's start is _VIM_BANG's; after a name, `normal!` or `q!`, it forces).
_VIM_SPAWNS = lazy_compile(
    r"\b(?:system(?:list)?|job_?start|termopen|term(?:inal)?|exe(?:cute)?|py(?:thon)?3?|"
    r"pyx|lua|perl|ruby)\b"
)


def _sed_commands(argv: tuple[Word, ...]) -> list[Word]:
    """sed's `e COMMAND` (COMMAND), `e` and `s/RE/TEXT/e` (the pattern space: TEXT when the
    whole line is replaced, else text only known when sed runs), in its script: the `-e` /
    `--expression` values, else its first operand (none from `-f FILE`: not read here)."""
    scripts = _option_values(argv, frozenset({"-e", "--expression"}), _SED_SHORT_VALUES)
    if not scripts and not _option_values(argv, frozenset({"-f", "--file"}), _SED_SHORT_VALUES):
        operands = [w for w in argv[1:] if not w.text.startswith("-")]
        scripts = operands[:1]
    found: list[Word] = []
    for script in scripts:
        for line in script.text.splitlines():
            for part in line.split(";") if not _SED_E.match(line) else [line]:
                m = _SED_E.match(part)
                if m is not None:
                    text = (m.group(1) or "").strip()
                    found.append(_runtime_word(script) if not text else _part_word(script, text))
                    continue
                for s in _SED_S.finditer(part):
                    if "e" in s.group(4):
                        whole = s.group(2) in ("^.*$", ".*", "^.*")
                        found.append(
                            _part_word(script, s.group(3)) if whole else _runtime_word(script)
                        )
    return found


@dataclass(frozen=True, slots=True)
class Prefix:
    """A program that runs `PROG [OPTIONS] [OPERANDS] CMD ARGS...` with this env (a fact
    about the program: which of its options take a value, how many operands come first)."""

    short: frozenset[str] = frozenset()  # `-x VALUE` (exact words; `-xVALUE` is one word)
    long: frozenset[str] = frozenset()  # `--name VALUE` (`--name=VALUE` is one word)
    operands: int = 0
    detached: bool = False


def _opts(*names: str) -> frozenset[str]:
    return frozenset(names)


# Namespace, scheduling, resource and session tools of util-linux, systemd, dbus and the like
# (each one's man page): the command after their options runs with their env.
PREFIX_RUNNERS: dict[str, Prefix] = {
    "unshare": Prefix(
        _opts("-S", "-G", "-R", "-w"),
        _opts("--setuid", "--setgid", "--root", "--wd", "--map-user", "--map-group")
        | _opts("--map-users", "--map-groups", "--setgroups", "--propagation"),
    ),
    "nsenter": Prefix(
        _opts("-t", "-S", "-G"), _opts("--target", "--setuid", "--setgid", "--env-file")
    ),
    "dbus-run-session": Prefix(long=_opts("--config-file", "--dbus-daemon")),
    "chroot": Prefix(long=_opts("--userspec", "--groups"), operands=1),
    "prlimit": Prefix(_opts("-o"), _opts("--output")),
    "setpriv": Prefix(
        long=_opts("--reuid", "--regid", "--ruid", "--euid", "--rgid", "--egid", "--groups")
        | _opts("--inh-caps", "--ambient-caps", "--bounding-set", "--securebits", "--pdeathsig")
        | _opts("--selinux-label", "--apparmor-profile", "--landlock-access", "--landlock-rule")
    ),
    "numactl": Prefix(
        _opts("-i", "-m", "-N", "-C", "-p", "-P"),
        _opts("--interleave", "--membind", "--cpunodebind", "--physcpubind", "--preferred")
        | _opts("--preferred-many", "--weighted-interleave"),
    ),
    "cgexec": Prefix(_opts("-g")),
    "systemd-inhibit": Prefix(long=_opts("--what", "--who", "--why", "--mode")),
    "xvfb-run": Prefix(
        _opts("-n", "-e", "-f", "-p", "-s", "-w"),
        _opts("--server-num", "--error-file", "--auth-file", "--xauth-protocol")
        | _opts("--server-args", "--wait"),
    ),
    "fakeroot": Prefix(_opts("-l", "-s", "-i", "-b"), _opts("--lib", "--faked")),
    "faketime": Prefix(_opts("-p"), operands=1),
    "valgrind": Prefix(),
    "catchsegv": Prefix(),
    "torsocks": Prefix(
        _opts("-u", "-p", "-a", "-P"), _opts("--user", "--pass", "--address", "--port")
    ),
    "proxychains": Prefix(_opts("-f")),
    "proxychains4": Prefix(_opts("-f")),
    "firejail": Prefix(),  # its options are `--name=VALUE`
    "pkexec": Prefix(long=_opts("--user")),
    "daemonize": Prefix(_opts("-a", "-c", "-e", "-E", "-o", "-p", "-l", "-u"), detached=True),
}


def _peel_prefix(argv: tuple[Word, ...], spec: Prefix, out: Peeled) -> int | None:
    """Index of the command in a PREFIX_RUNNERS argv (None: none); records the env options
    of firejail (`--env=K=V`, `--rmenv=K`) and a detaching runner."""
    i = _take_opts(argv, 1, spec.short, spec.long)
    if basename(argv[0].text) == "firejail":
        for w in argv[1:i]:
            name, eq, rest = w.text.partition("=")
            if name == "--env" and eq and "=" in rest:
                k, _, v = rest.partition("=")
                out.env_ops.append(EnvOp("set", w.span, k, Word(v, w.literal, w.span, w.raw)))
            elif name == "--rmenv" and eq:
                out.env_ops.append(EnvOp("unset", w.span, rest))
    i += spec.operands
    if i >= len(argv):
        return None
    out.detached = out.detached or spec.detached
    return i


# bwrap's options and how many words each takes (bubblewrap 0.8 man page); the command follows
_BWRAP_ARGS = {
    **dict.fromkeys(
        ("--args", "--userns", "--userns2", "--pidns", "--uid", "--gid", "--hostname"), 1
    ),
    **dict.fromkeys(("--chdir", "--unsetenv", "--lock-file", "--sync-fd", "--remount-ro"), 1),
    **dict.fromkeys(("--exec-label", "--file-label", "--proc", "--dev", "--tmpfs", "--mqueue"), 1),
    **dict.fromkeys(("--dir", "--seccomp", "--add-seccomp-fd", "--block-fd", "--info-fd"), 1),
    **dict.fromkeys(("--userns-block-fd", "--json-status-fd", "--cap-add", "--cap-drop"), 1),
    **dict.fromkeys(("--perms", "--size", "--argv0"), 1),
    **dict.fromkeys(("--bind", "--bind-try", "--dev-bind", "--dev-bind-try", "--ro-bind"), 2),
    **dict.fromkeys(("--ro-bind-try", "--file", "--bind-data", "--ro-bind-data"), 2),
    **dict.fromkeys(("--symlink", "--chmod", "--setenv", "--overlay-src"), 2),
    **dict.fromkeys(("--overlay", "--tmp-overlay", "--ro-overlay"), 1),
}


def _peel_bwrap(argv: tuple[Word, ...], out: Peeled) -> int | None:
    """Index of the command of `bwrap [OPTIONS] CMD...`; its --setenv, --unsetenv, --clearenv
    are the command's env."""
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t == "--":
            i += 1
            break
        if not t.startswith("--"):
            break
        if t == "--clearenv":
            out.env_ops.append(EnvOp("clear", argv[i].span))
        elif t == "--setenv" and i + 2 < len(argv):
            value = argv[i + 2]
            out.env_ops.append(EnvOp("set", argv[i].span, argv[i + 1].text, value))
        elif t == "--unsetenv" and i + 1 < len(argv):
            out.env_ops.append(EnvOp("unset", argv[i].span, argv[i + 1].text))
        i += 1 + _BWRAP_ARGS.get(t, 0)
    return i if i < len(argv) else None


# watchexec 2's options that take a value (`watchexec --help`)
_WATCHEXEC_SHORT_VALUES = frozenset(
    {"-w", "-W", "-F", "-o", "-s", "-d", "-e", "-f", "-j", "-i", "-E"}
)
_WATCHEXEC_LONG_VALUES = frozenset(
    {"--watch", "--watch-non-recursive", "--watch-file", "--on-busy-update", "--signal"}
    | {"--stop-signal", "--stop-timeout", "--map-signal", "--debounce", "--delay-run"}
    | {"--project-origin", "--workdir", "--exts", "--filter", "--filter-file", "--filter-prog"}
    | {"--ignore", "--ignore-file", "--fs-events", "--env", "--wrap-process", "--color"}
    | {"--emit-events-to", "--shell", "--timeout", "--socket"}
)
_DAEMON_VALUE_LETTERS = frozenset("pxnaugrcNPIdkmsR")  # start-stop-daemon's, with a value
_DAEMON_LONG_VALUES = frozenset(
    {"--pidfile", "--exec", "--name", "--startas", "--user", "--group", "--chuid", "--chroot"}
    | {"--chdir", "--nicelevel", "--procsched", "--iosched", "--umask", "--signal"}
    | {"--retry", "--ppid", "--notify-timeout", "--output"}
)


def _daemon_argv(argv: tuple[Word, ...]) -> tuple[Word, ...] | None:
    """The argv `start-stop-daemon --start` runs: its --startas (else --exec) program and the
    words after `--`; None for any other action or no program."""
    values: dict[str, Word] = {}
    start = False
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t == "--":
            break
        name, eq, _ = t.partition("=")
        if t in ("-S", "--start"):
            start = True
        elif name in _DAEMON_LONG_VALUES and eq:
            values[name] = _rest_word(argv[i], len(name) + 1)
        elif (name in _DAEMON_LONG_VALUES or (len(t) == 2 and t[1:] in _DAEMON_VALUE_LETTERS)) and (
            i + 1 < len(argv)
        ):
            key = {"-x": "--exec", "-a": "--startas"}.get(t, t)
            values[key] = argv[i + 1]
            i += 1
        i += 1
    program = values.get("--startas") or values.get("--exec")
    if not start or program is None:
        return None
    return (program, *argv[i + 1 :])


def _runtime_word(w: Word) -> Word:
    return Word(_RUNTIME_TEXT, False, w.span, _RUNTIME_TEXT)


# Every program `peel` strips or reads a command from (tests/shell/test_wrapper_programs.py keeps
# this equal to the names peel's branches test). The exec shim's property tests draw their
# wrapper prefixes from it, so a wrapper added here is fuzzed at the door at once.
WRAPPER_PROGRAMS = frozenset(
    {
        *("env", "timeout", "nohup", "nice", "ionice", "stdbuf", "time", "command", "builtin"),
        *("exec", "sudo", "doas", "xargs", "parallel", "docker", "podman", "find", "node"),
        *("nodejs", "flock", "chrt", "taskset", "strace", "ltrace", "runuser", "watch", "script"),
        *("setsid", "coproc", "caam", "npx", "bunx", "pnpx", "bun", "pnpm", "yarn", "npm"),
        *("uv", "poetry", "apptainer", "singularity", "trap", "su", "ssh", "eval", "tmux"),
        *("mapfile", "readarray", "compgen", "sg", "busybox", "toybox"),
        *OPTION_RUNNERS,
        *("docker-compose", "podman-compose", "screen", "systemd-run", "unbuffer"),
        *("cross-env", "cross-env-shell", "dotenv", "env-cmd", "concurrently", "conc"),
        "corepack",
        *SHELLS,
        *OTHER_SHELLS,
        *("entr", "start-stop-daemon"),
        *PREFIX_RUNNERS,
        "watchexec",
        *("bwrap", "bubblewrap"),
        *_INTERPRETERS,
        "git",  # a `!` alias, `rebase -x`, `submodule foreach`, `bisect run`
    }
)


def peel(argv: tuple[Word, ...]) -> Peeled:
    """Strip wrappers off ``argv``; never leaves argv empty (a bare ``env`` stays ``env``)."""
    out = Peeled(argv)
    from_input = False  # an xargs was peeled: later words may be followed by its input
    # Bash's reserved words before a command (`time`, `!`, `coproc`, `{`) are only read so at
    # the head of a command, and tree-sitter-bash 0.25.1 parses them as plain words there
    # (`time OPENAI_API_KEY=k codex ...`): their assignments are the command's own.
    reserved_at_head = True
    for _ in range(MAX_ROUNDS):
        head_text = argv[0].text if argv else ""
        if reserved_at_head and head_text in _RESERVED_HEADS and _reserved_word(argv[0]):
            after = _peel_reserved(argv, out)
            if after is not None:
                argv = after
                continue
        reserved_at_head = False
        if argv and not argv[0].literal and _dynamic_codex_path(argv[0].text):
            # `"$prefix/node_modules/.bin/codex"`: the folder is unknown, the program is not.
            out.wrappers.append(Wrapper("path", argv[0].span, (argv[0].text,)))
            argv = (_codex_word(argv[0]), *argv[1:])
            break
        if argv and not argv[0].literal and head_text in _SHELL_VARIABLES:
            # `"$SHELL" -c TEXT`: SHELL names the user's shell (BASH, this bash), whatever its
            # path: TEXT is shell text it runs (read as bash's, the widest of them).
            argv = (Word("bash", True, argv[0].span, argv[0].raw or head_text), *argv[1:])
            head_text = "bash"
        if not argv or not argv[0].literal:
            break
        if ("*" in head_text or "?" in head_text or "[" in head_text) and _glob_naming_codex(
            argv[0]
        ):
            out.wrappers.append(Wrapper("path", argv[0].span, (argv[0].text,)))
            argv = (_codex_word(argv[0]), *argv[1:])
            break
        head = argv[0]
        prog = basename(head.text)
        wargs: list[str] = []
        rest: int | None = None
        # codex first, then any name no branch below tests (WRAPPER_PROGRAMS holds exactly
        # those: tests/shell/test_wrapper_programs.py): most commands are one of the two, and
        # each name test of the chain costs every command that reaches it.
        if prog == "codex" and (inner := _codex_sandbox_runs(argv)) is not None:
            # `codex sandbox [OPTIONS] [--] CMD...` runs CMD, with this env and stdin.
            wargs = [w.text for w in argv[1:inner]]
            out.wrappers.append(Wrapper("codex sandbox", head.span, tuple(wargs)))
            argv = argv[inner:]
            continue
        elif prog == "codex":
            if head.text != "codex":
                out.wrappers.append(Wrapper("path", head.span, (head.text,)))
                argv = (_codex_word(head), *argv[1:])
            break
        elif prog not in WRAPPER_PROGRAMS:
            # What it does to codex's env and stdin is not known: the engine reports only
            # the rules that read codex's argv alone.
            k = _carried_codex(argv)
            if k is None:
                break
            out.wrappers.append(Wrapper(UNKNOWN_WRAPPER, head.span, (head.text,)))
            argv = argv[k:]
            continue
        elif prog == "env":
            argv = _split_env_string(argv)
            rest = _peel_env(argv, out)
        elif prog == "timeout":
            i = _take_opts(
                argv,
                1,
                frozenset({"-s", "-k"}),
                frozenset({"--signal", "--kill-after"}),
            )
            wargs = [w.text for w in argv[1 : i + 1]]
            rest = i + 1  # skip DURATION
        elif prog == "nohup":
            rest = 1 if len(argv) < 2 or argv[1].text != "--" else 2
            out.detached = True
        elif prog == "nice":
            rest = _take_opts(argv, 1, frozenset({"-n"}), frozenset({"--adjustment"}))
        elif prog == "ionice":
            rest = _take_opts(argv, 1, frozenset({"-c", "-n", "-p", "-P", "-u"}), frozenset())
        elif prog == "stdbuf":
            rest = _take_opts(
                argv,
                1,
                frozenset({"-i", "-o", "-e"}),
                frozenset({"--input", "--output", "--error"}),
            )
        elif prog == "time":
            rest = _take_opts(argv, 1, frozenset({"-f", "-o"}), frozenset({"--format", "--output"}))
        elif prog == "command":
            if any(w.text in ("-v", "-V") for w in argv[1:2]) or any(
                w.text in ("-v", "-V", "-pv", "-vp") for w in argv[1:3]
            ):
                out.lookup_only = True
                break
            rest = _take_opts(argv, 1, frozenset(), frozenset())
        elif prog == "builtin":
            # `builtin command codex ...`, `builtin eval '...'`: runs the builtin named next.
            rest = 1
        elif prog in ("busybox", "toybox"):
            # `busybox APPLET ARGS...` is the applet (env, sh, nohup, timeout, ...) run as its
            # own program: the next word is the program; `busybox --list` runs none.
            if len(argv) < 2 or argv[1].text.startswith("-"):
                break
            rest = 1
        elif prog == "exec":
            rest = _take_opts(argv, 1, frozenset({"-a"}), frozenset())
        elif prog in ("sudo", "doas"):
            rest = _peel_sudo(argv, out, wargs)
        elif prog == "xargs":
            rest = _take_opts(
                argv,
                1,
                frozenset({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"}),
                frozenset({"--arg-file", "--delimiter", "--max-args", "--max-procs", "--replace"}),
            )
            wargs = [w.text for w in argv[1:rest]]
            opens_tty = any(a in ("-o", "--open-tty") for a in wargs)
            if rest < len(argv):
                out.stdin = None if opens_tty else Stdin(StdinKind.NULL, reason="xargs")
                repl = _xargs_replace_string(wargs)
                argv = _xargs_replaced(argv, rest, repl)
                # With a replace string xargs appends nothing: each item goes only where the
                # string stands (GNU xargs -I), a word _xargs_replaced already made unknown.
                from_input = repl is None
        elif prog == "parallel":
            rest = _take_opts(
                argv,
                1,
                frozenset({"-j", "-N", "-n", "-I", "-S", "-d", "-E", "-P", "-a"}),
                frozenset(
                    {
                        "--jobs",
                        "--halt",
                        "--joblog",
                        "--results",
                        "--delay",
                        "--timeout",
                        "--colsep",
                        "--tmpdir",
                        "--workdir",
                        "--sshlogin",
                        "--retries",
                    }
                ),
            )
            wargs = [w.text for w in argv[1:rest]]
            stop = next(
                (j for j in range(rest, len(argv)) if argv[j].text.startswith(":::")), len(argv)
            )
            if not any(a in ("--pipe", "--tty", "--pipepart") for a in wargs):
                out.stdin = Stdin(StdinKind.NULL, reason="parallel")
            # parallel hands each composed command line to a shell: a one-word command is
            # shell text (`parallel 'codex exec {}; notify' ::: a`), and with no command at
            # all each `:::` input is one (`parallel ::: 'codex exec a' 'codex exec b'`).
            shell_text = _parallel_shell_lines(argv, rest, stop)
            if shell_text is not None:
                out.body = (shell_text,)
                out.body_kind = "parallel"
                break
            if rest < stop:
                out.wrappers.append(Wrapper(prog, head.span, tuple(wargs)))
                argv = argv[rest:stop]
                continue
            out.stdin = None
            break
        elif prog in ("docker", "podman") and len(argv) > 1 and argv[1].text == "compose":
            rest = _peel_compose(argv, 2, out, wargs)
            if rest is None:
                break
        elif prog in ("docker-compose", "podman-compose"):
            rest = _peel_compose(argv, 1, out, wargs)
            if rest is None:
                break
        elif prog in ("docker", "podman"):
            rest = _peel_docker(argv, out, wargs)
            if rest is None:
                break
            wargs.insert(0, argv[1].text)
        elif prog == "find":
            # `find ... -exec CMD ARGS... ;|+` (and -execdir, -ok, -okdir): find runs CMD.
            k = next(
                (
                    j
                    for j in range(1, len(argv))
                    if argv[j].text in ("-exec", "-execdir", "-ok", "-okdir")
                ),
                None,
            )
            if k is None or k + 1 >= len(argv):
                break
            end = next((j for j in range(k + 1, len(argv)) if argv[j].text in (";", "+")), None)
            out.wrappers.append(Wrapper(prog, head.span, tuple(w.text for w in argv[1 : k + 1])))
            argv = _found_names(argv[k + 1 : end], argv[1:k])
            continue
        elif prog in ("node", "nodejs") and len(argv) > 1 and basename(argv[1].text) == "codex.js":
            # `node .../@openai/codex/bin/codex.js ...`: the npm package's own launcher
            out.wrappers.append(Wrapper("path", head.span, (argv[1].text,)))
            argv = (_codex_word(argv[1]), *argv[2:])
            break
        elif prog in _INTERPRETERS and (code := _inline_code(argv, prog)) is not None:
            # `python3 -c 'os.system("codex exec ...")'`, `node -e 'execSync("codex ...")'`: the
            # program is not shell, but a codex command line it hands to a shell or spawns is.
            lines = codex_lines_in_code(code.text, prog)
            if not lines and may_spawn_codex(code.text):
                # code that names codex and spawns something, in a way the readers do not follow
                # (`__import__('os').system(...)`, `pty.spawn([...])`): unknown, as `eval "$x"`
                out.body = (Word(_UNREAD_CODE, False, code.span, _UNREAD_CODE),)
                out.body_kind = f"{prog} inline code"
                break
            if not lines:
                break
            out.body = (Word("\n".join(lines), code.literal, code.span, code.raw),)
            out.body_kind = f"{prog} inline code"
            break
        elif prog == "flock":
            # `flock [opts] FILE|DIR cmd args...` (`-c CMD` runs a shell string)
            i = _take_opts(
                argv, 1, frozenset({"-w", "-E"}), frozenset({"--timeout", "--conflict-exit-code"})
            )
            k = next((j for j in range(1, len(argv)) if argv[j].text in ("-c", "--command")), None)
            if k is not None and k + 1 < len(argv):
                out.body = (argv[k + 1],)
                out.body_kind = "flock -c"
                break
            rest = i + 1  # skip the lock file
        elif prog == "chrt":
            # `chrt [opts] PRIORITY cmd args...`
            i = _take_opts(argv, 1, frozenset({"-T", "-P", "-D"}), frozenset())
            rest = i + 1
        elif prog == "taskset":
            # `taskset [opts] MASK cmd args...` (`-p` works on a pid: no command)
            if any(w.text in ("-p", "--pid") for w in argv[1:3]):
                break
            i = _take_opts(argv, 1, frozenset(), frozenset())
            rest = i + 1
        elif prog in ("strace", "ltrace"):
            rest = _take_opts(
                argv,
                1,
                frozenset({"-o", "-e", "-s", "-p", "-u", "-E", "-a", "-b", "-O", "-S", "-P", "-I"}),
                frozenset({"--output", "--expr", "--string-limit", "--user", "--env"}),
            )
        elif prog == "runuser":
            # `runuser [-u USER] [--] cmd ...`; `runuser -l USER -c CMD` runs a shell string
            k = next((j for j in range(1, len(argv)) if argv[j].text in ("-c", "--command")), None)
            if k is not None and k + 1 < len(argv):
                out.body = (argv[k + 1],)
                out.body_kind = "runuser -c"
                if any(w.text in ("-", "-l", "--login") for w in argv[1:k]):
                    out.body_clean_env = True
                break
            rest = _take_opts(
                argv, 1, frozenset({"-u", "-g", "-G", "-s"}), frozenset({"--user", "--group"})
            )
        elif prog == "watch":
            # `watch [opts] CMD...`: the words are joined and run by `sh -c` (unless -x)
            i = _take_opts(
                argv,
                1,
                frozenset({"-n", "-d", "-q"}),
                frozenset({"--interval", "--differences", "--equexit"}),
            )
            if i >= len(argv):
                break
            out.body = argv[i:]
            out.body_kind = "watch"
            break
        elif prog == "script":
            # `script [opts] -c CMD [file]` (`-qc CMD`): the command is a shell string
            k = next(
                (
                    j
                    for j in range(1, len(argv))
                    if argv[j].text in ("--command", "-c")
                    or argv[j].text.startswith("--command=")
                    or (
                        argv[j].text[:1] == "-"
                        and argv[j].text[1:2] != "-"
                        and argv[j].text[-1:] == "c"
                    )
                ),
                None,
            )
            if k is None:
                # BSD/macOS `script [-aqkr] [-t TIME] FILE CMD ARGS...`: the words after the
                # typescript file are the command, run on a pseudo-terminal.
                i = _take_opts(argv, 1, frozenset({"-t", "-T", "-F"}), frozenset())
                if i + 1 >= len(argv):
                    break
                out.stdin = Stdin(StdinKind.TTY, reason="script")
                rest = i + 1
            elif argv[k].text.startswith("--command=") or k + 1 < len(argv):
                given = argv[k].text.startswith("--command=")
                out.body = (_rest_word(argv[k], len("--command=")) if given else argv[k + 1],)
                out.body_kind = "script -c"
                # script runs the command on a pseudo-terminal: its stdin is a TTY (checked with
                # a recorder: `sleep 3 | script -qc 'codex exec p' /dev/null` sees a terminal).
                out.stdin = Stdin(StdinKind.TTY, reason="script")
                break
            else:
                break
        elif prog == "entr":
            # `entr [-acdnprsz] UTILITY [ARGS...]` runs UTILITY (with -s: `$SHELL -c UTILITY`)
            # each time a file named on its stdin changes
            flags, i = "", 1
            while i < len(argv) and argv[i].text[:1] == "-" and len(argv[i].text) > 1:
                if argv[i].text == "--":
                    i += 1
                    break
                flags += argv[i].text[1:]
                i += 1
            if i >= len(argv):
                break
            if "s" in flags:
                out.body = (argv[i],)
                out.body_kind = "entr -s"
                break
            rest = i
        elif prog == "watchexec":
            # `watchexec [OPTIONS] [--] COMMAND...`: the words, joined, run by a shell (its
            # `-E K=V` is their env) on each change; with `-n` / `--shell=none`, as argv.
            i = _take_opts(argv, 1, _WATCHEXEC_SHORT_VALUES, _WATCHEXEC_LONG_VALUES)
            if i >= len(argv):
                break
            options = argv[1:i]
            for k, w in enumerate(options):
                if w.text in ("-E", "--env") and k + 1 < len(options):
                    env_word = options[k + 1]
                elif w.text.startswith("--env="):
                    env_word = _rest_word(w, len("--env="))
                else:
                    continue
                name, eq, value = env_word.text.partition("=")
                if eq:
                    word = Word(value, env_word.literal, env_word.span, env_word.raw)
                    out.env_ops.append(EnvOp("set", env_word.span, name, word))
            if any(w.text in ("-n", "--shell=none") for w in options):
                rest = i
            else:
                out.body = argv[i:]
                out.body_kind = "watchexec"
                break
        elif prog == "start-stop-daemon":
            # `start-stop-daemon --start [--startas PATH | --exec PATH] [-- ARGS...]`
            run = _daemon_argv(argv)
            if run is None:
                break
            out.wrappers.append(Wrapper(prog, head.span, ()))
            argv = run
            continue
        elif prog in PREFIX_RUNNERS:
            rest = _peel_prefix(argv, PREFIX_RUNNERS[prog], out)
            if rest is None:
                break
        elif prog in ("bwrap", "bubblewrap"):
            rest = _peel_bwrap(argv, out)
            if rest is None:
                break
        elif prog == "unbuffer":
            # expect's `unbuffer [-p] cmd args...`: cmd runs on a pseudo-terminal (with -p it
            # reads unbuffer's own stdin, a pipe).
            rest = _take_opts(argv, 1, frozenset(), frozenset())
            if not any(w.text == "-p" for w in argv[1:rest]):
                out.stdin = Stdin(StdinKind.TTY, reason="unbuffer")
        elif prog == "setsid":
            rest = _take_opts(argv, 1, frozenset(), frozenset())
            out.detached = True
        elif prog == "coproc":
            # `coproc cmd`: runs alongside the script with its stdin on a pipe the script holds
            # open (`${COPROC[1]}`): codex reads it until the script closes it, if it ever does.
            rest = 1
            out.stdin_default = Stdin(StdinKind.INHERITED, reason="coproc")
        elif prog == "caam":
            if len(argv) >= 4 and argv[1].text == "exec" and argv[2].text == "codex":
                profile = argv[3].text
                j = 4
                if j < len(argv) and argv[j].text == "--":
                    j += 1
                out.wrappers.append(Wrapper("caam", head.span, (profile,)))
                argv = (_codex_word(argv[2]), *argv[j:])
                continue
            break
        elif prog in ("cross-env", "cross-env-shell", "dotenv", "env-cmd"):
            # npm packages that set env for the command they run (package.json scripts)
            rest = _peel_node_env(argv, out)
            if rest is None:
                break
        elif prog == "corepack":
            name = argv[1].text.split("@", 1)[0] if len(argv) > 1 else ""
            if name not in _COREPACK_BINARIES:
                break
            out.wrappers.append(Wrapper("corepack", head.span, (argv[1].text,)))
            w = argv[1]
            binary = "yarn" if name == "yarnpkg" else name
            argv = (Word(binary, w.literal, w.span, w.raw or w.text), *argv[2:])
            continue
        elif prog in ("concurrently", "conc"):
            commands, raw = _concurrently_commands(argv)
            if not commands:
                break
            out.body = (commands[0],)
            out.more_bodies = tuple(((c,), ()) for c in commands[1:])
            out.body_kind = prog
            if not raw:
                out.stdin = Stdin(StdinKind.INHERITED, reason="concurrently")
            break
        elif prog in ("npx", "bunx", "pnpx") or _package_runner(argv):
            # `bun x`, `pnpm dlx`, `yarn dlx` and `npm exec` run a package like npx does.
            first = 2 if prog in ("bun", "pnpm", "yarn", "npm") else 1
            call = _package_call(argv, first, prog)
            if call is not None:  # `npx -c 'codex exec ...'`: a shell string, not a package
                out.body = (call,)
                out.body_kind = f"{' '.join(w.text for w in argv[:first])} -c"
                break
            j = _take_opts(argv, first, frozenset({"-p"}), frozenset({"--package"}))
            if prog == "npm" and j < len(argv) and argv[j].text == "--":
                j += 1
            if j < len(argv) and _is_codex_pkg(argv[j].text):
                out.wrappers.append(
                    Wrapper("npx", head.span, tuple(w.text for w in argv[1 : j + 1]))
                )
                after = argv[j + 1 :]
                if prog == "npm" and not any(w.text == "--" for w in argv[first:j]):
                    # npm's option parser ends at the first `--` wherever it stands and drops
                    # it: `npm x @openai/codex -- exec` hands codex `exec` (npx hands on a `--`
                    # after the package: it puts its own before the package)
                    cut = next((k for k, w in enumerate(after) if w.text == "--"), None)
                    if cut is not None:
                        after = (*after[:cut], *after[cut + 1 :])
                argv = (_codex_word(argv[j]), *after)
                continue
            env_bin = (
                _NODE_ENV_PACKAGES.get(argv[j].text.split("@", 1)[0]) if j < len(argv) else None
            )
            if env_bin is not None:  # `npx cross-env K=V codex ...`: the package's own program
                out.wrappers.append(
                    Wrapper("npx", head.span, tuple(w.text for w in argv[1 : j + 1]))
                )
                w = argv[j]
                argv = (Word(env_bin, True, w.span, w.raw or w.text), *argv[j + 1 :])
                continue
            break
        elif prog in SHELLS:
            k = _peel_shell_c(argv)
            if k is None:
                break
            out.body = (argv[k],)
            out.body_kind = f"{prog} -c"
            if not from_input and not any(w.name in ("find", "parallel") for w in out.wrappers):
                # (xargs appends its input, find and parallel put names where `{}` stands:
                # behind them the body's $0, $1... are not the words written)
                out.body_args = argv[k + 1 :]
            break
        elif prog in OTHER_SHELLS:
            text = next(
                (
                    argv[j + 1]
                    for j in range(1, len(argv) - 1)
                    if argv[j].text in _OTHER_SHELL_COMMAND
                ),
                None,
            )
            if text is None:
                break
            out.body = (text,)
            out.body_kind = f"{prog} -c"
            if "codex" in text.text and _OTHER_SHELL_ENV.search(text.text):
                out.more_bodies = (((_runtime_word(text),), ()),)
            break
        elif prog in ("mapfile", "readarray", "compgen"):
            # `mapfile -C 'cmd' -c 1 a`: bash evals the callback text with two words added,
            # each time it reads a quantum of lines; `compgen -C 'cmd' w`: runs it with
            # three added, `compgen -F f w` calls the function f: shell text, maybe never run.
            callback = _builtin_callback(argv, prog)
            if callback is None:
                break
            out.body, out.body_kind = callback
            break
        elif prog in OPTION_RUNNERS:
            # `tar --to-command=TEXT`, `sed 'e TEXT'`, `vim -c '!TEXT'`: text the program hands
            # to a shell (each its own body, with this env), found in its options or script
            texts = _option_commands(argv, prog)
            if not texts:
                break
            out.body = (texts[0],)
            out.body_kind = f"{prog} command"
            out.more_bodies = tuple(((t,), ()) for t in texts[1:])
            break
        elif prog == "sg":
            # `sg [-] GROUP [-c] TEXT`: /bin/sh -c TEXT with the group (words after TEXT are
            # ignored: checked with shadow's sg 4.13), with this env.
            j = 2 if len(argv) > 1 and argv[1].text == "-" else 1
            j += 1  # the group
            if j < len(argv) and argv[j].text == "-c":
                j += 1
            if j >= len(argv):
                break
            out.body = (argv[j],)
            out.body_kind = "sg -c"
            break
        elif prog == "trap":
            # `trap 'cmd' EXIT`, `trap -- 'cmd' EXIT`: the string runs later in this same shell.
            k = 2 if len(argv) > 1 and argv[1].text == "--" else 1
            if len(argv) < k + 2 or (k == 1 and argv[1].text.startswith("-")):
                break
            if argv[k].text == "-":
                break  # `trap -- - INT`: resets the signal
            out.body = (argv[k],)
            out.body_kind = "trap"
            break
        elif prog == "su":
            su_body = _peel_su(argv, out)
            if su_body is None:
                break
            out.body = (su_body,)
            out.body_kind = "su -c"
            break
        elif prog == "ssh":
            k = _peel_ssh(argv, out)
            if k is None:
                break
            out.body = argv[k:]
            out.body_kind = "ssh"  # its env: the ops _peel_ssh made (cleared, then sent)
            break
        elif prog == "eval":
            if len(argv) < 2:
                break
            out.body = argv[1:]
            out.body_kind = "eval"
            break
        elif prog == "git":
            # `git -c alias.x='!codex ...' x`, `git rebase -x TEXT`, `git submodule foreach
            # TEXT`: shell text git runs (out.body); `git bisect run CMD...`: CMD, as argv.
            argv, rest = _peel_git(argv, out)
            if rest is None:
                break
            wargs = [w.text for w in argv[1:rest]]
        elif prog in RUNNERS:
            rest = _peel_runner(argv, RUNNERS[prog], out, wargs)
            if rest is None:
                break
            wargs.insert(0, argv[1].text)
        elif prog == "screen":
            rest = _peel_screen(argv, out)
            if rest is None:
                break
        elif prog == "systemd-run":
            rest = _peel_systemd_run(argv, out)
            if rest is None:
                break
        elif prog == "tmux":
            rest = _peel_tmux(argv, out)
            if rest is None:
                break
            wargs = [w.text for w in argv[1:rest]]
        elif (k := _carried_codex(argv)) is not None:  # (a wrapper its branch did not peel)
            out.wrappers.append(Wrapper(UNKNOWN_WRAPPER, head.span, (head.text,)))
            argv = argv[k:]
            continue
        else:
            break
        if rest is None or rest >= len(argv):
            # Nothing after the wrapper: it is the program itself, unless xargs hands it
            # its arguments (`xargs env`: env runs whatever the input names).
            out.program_from_input = from_input and prog in _NEEDS_PROGRAM
            break
        if not wargs:
            wargs = [w.text for w in argv[1:rest]]
        out.wrappers.append(Wrapper(prog, head.span, tuple(wargs)))
        argv = argv[rest:]
    else:
        # MAX_ROUNDS peeled and a wrapper still in front: where the chain ends is not read.
        head_text = argv[0].text if argv else ""
        out.exhausted = basename(head_text) in WRAPPER_PROGRAMS or head_text in _RESERVED_HEADS
    out.argv = argv
    out.args_from_input = from_input and bool(argv) and basename(argv[0].text) == "codex"
    return out


# Wrappers that run a program named after their own options; alone behind xargs they run one
# named by xargs' input.
_NEEDS_PROGRAM = frozenset(
    {
        "env",
        "sudo",
        "doas",
        "timeout",
        "nohup",
        "nice",
        "ionice",
        "stdbuf",
        "time",
        "setsid",
        "command",
        "exec",
    }
)


def _found_names(command: tuple[Word, ...], tests: tuple[Word, ...]) -> tuple[Word, ...]:
    """`find ... -exec {} ARGS ;`: find puts each name it finds where `{}` stands, the program
    word too. A program `{}` is codex when a `-name`/`-iname` test matches `codex` (`find bin
    -name codex -exec {} ...`, as a glob naming codex is); any other word holding `{}` is known
    only when find runs (the program then unknown: CG902, refused under fail-closed)."""
    from fnmatch import fnmatchcase

    if not any("{}" in w.text for w in command):
        return command
    texts = [w.text for w in tests]
    names_codex = any(
        t in ("-name", "-iname")
        and i + 1 < len(texts)
        # -iname matches without case (`-iname CODEX` finds codex)
        and fnmatchcase("codex", texts[i + 1].lower() if t == "-iname" else texts[i + 1])
        for i, t in enumerate(texts)
    )
    out: list[Word] = []
    for w in command:
        if w.text == "{}" and names_codex:
            # the name itself, wherever it stands: the program, or a wrapper's (`env {} ...`)
            out.append(_codex_word(w))
        elif "{}" in w.text:
            out.append(Word(w.text, False, w.span, w.raw))
        else:
            out.append(w)
    return tuple(out)


def _xargs_replace_string(wargs: list[str]) -> str | None:
    """The replace string of xargs' options (`-I{}`, `-I X`, `-i`, `--replace[=R]`), if any."""
    repl: str | None = None
    for k, a in enumerate(wargs):
        if a in ("-I", "--replace") and k + 1 < len(wargs):
            repl = wargs[k + 1]
        elif a.startswith("-I") and len(a) > 2:
            repl = a[2:]
        elif a.startswith("--replace="):
            repl = a.split("=", 1)[1] or "{}"
        elif a in ("-i", "--replace"):
            repl = "{}"
        elif a.startswith("-i") and len(a) > 2:
            repl = a[2:]
    return repl or None


def _xargs_replaced(argv: tuple[Word, ...], rest: int, repl: str | None) -> tuple[Word, ...]:
    """``xargs -I{} env {} codex``: each word holding the replace string takes xargs' input,
    which the linter cannot see; those words become unknown."""
    if not repl:
        return argv
    tail = tuple(Word(w.text, False, w.span, w.raw) if repl in w.text else w for w in argv[rest:])
    return (*argv[:rest], *tail)


# The options of the builtins that run a callback (bash 5.2's internal_getopt strings): the
# letters that take a value, and the ones whose value is the callback.
_CALLBACK_OPTIONS = {
    "mapfile": (frozenset("dunOCcs"), frozenset("C")),
    "readarray": (frozenset("dunOCcs"), frozenset("C")),
    "compgen": (frozenset("oAGWPSXFC"), frozenset("CF")),
}


def _builtin_callback(argv: tuple[Word, ...], prog: str) -> tuple[tuple[Word, ...], str] | None:
    """The shell text `mapfile`/`readarray -C TEXT` or `compgen -C TEXT` / `-F NAME` runs, as
    a body and its kind, with the words bash adds after it (not known here); None: none.
    Options are read as bash's getopt reads them (`-tC TEXT`, `-CTEXT`)."""
    takes_value, callbacks = _CALLBACK_OPTIONS[prog]
    found: tuple[Word, str] | None = None
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t == "--" or not t.startswith("-") or t == "-":
            break
        j = 1
        while j < len(t):
            c = t[j]
            if c in takes_value:
                value: Word | None
                if j + 1 < len(t):
                    value = _rest_word(argv[i], j + 1)
                else:
                    i += 1
                    value = argv[i] if i < len(argv) else None
                if value is not None and c in callbacks:
                    found = (value, c)
                break
            j += 1
        i += 1
    if found is None:
        return None
    value, option = found
    # What bash adds after the text: mapfile the index and the line, compgen -C the command,
    # the word and the one before; a `-F` function gets them as $1... (none of them known).
    added = 2 if prog != "compgen" else 3
    extra = tuple(
        Word("${callback_arg}", False, value.span, "${callback_arg}") for _ in range(added)
    )
    return (value, *extra), f"{prog} -{option}"


def is_name(text: str) -> bool:
    return _NAME_RE.match(text) is not None
