"""The command model: what a shell would really run, independent of the parser.

Only the parser and its walker stages see tree-sitter nodes; everything downstream (the codex
grammar, the rules, the runtime doors) reads these plain frozen dataclasses. They are dataclasses,
not pydantic models, on purpose: the agent hook must answer a codex command within 3x of Python's
own start-up, and importing pydantic alone costs about that much.
"""

from __future__ import annotations

from guard.fastclass import dataclass, field
from guard.fastenum import StrEnum


@dataclass(frozen=True, slots=True)
class Span:
    """A region of the original file: 1-based lines and columns, end inclusive of its last line."""

    line: int
    column: int
    end_line: int
    end_column: int


UNKNOWN_SPAN = Span(1, 1, 1, 1)


@dataclass(frozen=True, slots=True)
class Word:
    """One argv word after quote removal.

    ``text`` is the word as the shell would pass it where that is known; expansions that cannot be
    resolved statically stay as written (``$REPO``, ``$(date)``). ``literal`` is True when the word
    holds no unresolved expansion at all.
    """

    text: str
    literal: bool
    span: Span
    raw: str = ""


class StdinKind(StrEnum):
    """Where a command's standard input comes from, as the shell would really wire it."""

    INHERITED = "inherited"  # the script's own stdin: a TTY, or an idle pipe that never ends
    NULL = "null"  # </dev/null, or the /dev/null POSIX gives an async list, or xargs' children
    FILE = "file"  # < file (including a loop's `done < file` that the command inherits)
    HEREDOC = "heredoc"
    HERESTRING = "herestring"
    PIPE = "pipe"  # piped from an earlier pipeline member
    TTY = "tty"  # a terminal the wrapper gives it (tmux): codex never waits on it for EOF


@dataclass(frozen=True, slots=True)
class Stdin:
    kind: StdinKind = StdinKind.INHERITED
    source: str | None = None  # file name, here-doc body, here-string text, or the piping command
    span: Span | None = None  # the redirect or pipe that set it, when there is one
    # True when the command shares this input with a `read` loop around it
    # (`while read x; do cmd; done < list`, `producer | while read x; do cmd; done`).
    shared_with_loop_read: bool = False
    # Why the shell gave /dev/null (``"async"``, ``"xargs"``) or kept the script's stdin
    # (``"background-pipeline"``, ``"dup-stdin"``); None for an explicit redirect.
    reason: str | None = None
    # The producer that never ends feeding it (``"tail -f"``, ``"yes"``, ``"/dev/zero"``: the
    # table in endless.py): the stream never reaches EOF, whoever runs the script.
    endless: str | None = None


class EnvOrigin(StrEnum):
    PREFIX = "prefix"  # K=V cmd
    EXPORT = "export"  # export K / declare -x K / typeset -x K, earlier in scope
    ALLEXPORT = "allexport"  # K=V while `set -a` is on
    ENV_WRAPPER = "env"  # env K=V cmd
    DOCKER = "docker"  # docker run -e K (kept for sources that model it)
    EXTERNAL = "external"  # set by the source around the snippet (a workflow env:, a packet env)


@dataclass(frozen=True, slots=True)
class EnvBinding:
    """One variable in a command's environment, and where it was put there."""

    name: str
    value: Word | None  # None when the value is unknown (``export K`` of an inherited K)
    origin: EnvOrigin
    span: Span


@dataclass(frozen=True, slots=True)
class UnresolvedEnv:
    """An export (or an assignment under ``set -a``) whose variable NAME is not known statically:
    ``export "$k=x"`` with ``k`` unknown, ``export ref`` through a nameref to an unknown target,
    ``xargs -I{} env {} codex``. The name may be a forbidden key, so the checks fail closed."""

    name: str  # as written (``$k``, ``{}``), the best the linter could resolve
    span: Span
    # Names `unset` / `export -n` / `env -u` removed after it: once every forbidden key is among
    # them the unknown name can no longer be one of them.
    removed_after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EnvFileLoad:
    """Environment loaded from a file the linter cannot see through (CG103)."""

    path: str  # as written; may be dynamic
    literal: bool
    form: str  # "source", "dot", "set-a-source", "export-cat", "env-cat"; STARTUP_FORMS
    span: Span
    # A new shell's start-up files (STARTUP_FORMS): it reads the first of ``path`` and these
    # that exists (`bash -l`: ~/.bash_profile, ~/.bash_login, ~/.profile).
    alternatives: tuple[str, ...] = ()


# The forms of EnvFileLoad a new shell reads itself at start-up (`bash -lc`, `bash -ic`): files
# in the home of the machine it runs on, which only the doors can read (lint never does).
STARTUP_FORMS = frozenset({"login", "interactive"})


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A command that ran the real one: ``timeout 60 codex ...`` has Wrapper("timeout")."""

    name: str  # env, timeout, nohup, nice, ionice, stdbuf, time, command, exec, sudo, xargs,
    # parallel, setsid, caam, npx, bash -c, sh -c, zsh -c, eval, alias, function, $VAR, array,
    # UNKNOWN_WRAPPER (a command codex-guard does not know whose words hold a codex command line)
    span: Span
    args: tuple[str, ...] = ()  # the wrapper's own options, e.g. ("-E",) for sudo -E


UNKNOWN_WRAPPER = "unknown"


class LoopKind(StrEnum):
    WHILE = "while"
    UNTIL = "until"
    FOR = "for"
    SELECT = "select"


@dataclass(frozen=True, slots=True)
class LoopInfo:
    kind: LoopKind
    span: Span
    reads_stdin: bool = False  # its condition runs `read` on the loop's input


@dataclass(frozen=True, slots=True)
class Context:
    """How the command is run: the facts the stdin, result and resume rules need."""

    background: bool = False  # part of an asynchronous list (`... &`)
    background_pipeline: bool = False  # member of a pipeline that is itself run with `&`
    in_pipeline: bool = False
    pipeline_position: int = 0  # 0 for the first member
    pipeline_next: tuple[str, ...] = ()  # program names of the later members (`| grep`, `| tee`)
    command_substitution: bool = False  # inside $(...) or `...`
    loop: LoopInfo | None = None  # innermost enclosing loop
    function: str | None = None  # enclosing function, when the body is expanded at a call site
    subshell: bool = False  # inside ( ... )
    # Which ( ... ) it is in, outermost first (ids in walk order): a `cd` in one subshell moves
    # only the commands of that subshell and those nested in it.
    subshells: tuple[int, ...] = ()
    job_control: bool = False  # `set -m` in effect
    detached: bool = False  # nohup / setsid / disown
    status_ignored: bool = False  # `cmd || true`, `cmd || :`, `cmd; true` right after
    status_checked: bool = False  # in an if/while condition or an && / || chain that tests it
    errexit_off: bool = False  # `set +e` in effect
    depth: int = 0  # nesting of bash -c / eval / here-doc bodies re-parsed as shell


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command as it would run, wrappers peeled.

    ``argv[0]`` is the real program. For the codex launchers (``npx @openai/codex``,
    ``caam exec codex PROFILE --``, ``/abs/path/to/codex``) the launcher is a Wrapper and
    ``argv[0].text`` is ``"codex"``.
    """

    argv: tuple[Word, ...]
    span: Span
    text: str  # the command's source text, as written
    env: tuple[EnvBinding, ...] = ()  # variables known to be in its environment
    env_cleared: bool = False  # `env -i`: nothing of the script's environment reaches it
    # Names the command is known not to get even when the script inherited them: `unset K` or
    # `export -n K` earlier in scope, `env -u K`.
    env_removed: tuple[str, ...] = ()
    # `sudo` without -E resets the environment: only these inherited names pass (None: all do).
    env_kept: tuple[str, ...] | None = None
    env_files: tuple[EnvFileLoad, ...] = ()  # files loaded into its env earlier in scope
    # Exports of names that could not be resolved statically, still in scope (CG902 fails closed).
    env_unresolved: tuple[UnresolvedEnv, ...] = ()
    stdin: Stdin = field(default_factory=Stdin)
    stdout_redirect: str | None = None  # `> file` target, when there is one
    wrappers: tuple[Wrapper, ...] = ()
    context: Context = field(default_factory=Context)
    # A shell that runs script text the linter cannot see, however it looks: "pipe"
    # (`curl ... | base64 -d | bash`), "process-substitution" (`bash <(curl ...)`, `. <(...)`).
    unseen_script: str | None = None
    index: int = 0  # order of appearance in the script (source order)
    # The branches whose values built this argv, when a variable it expands holds one of several
    # values (`if ...; then args=(...); else args=(...); fi`): "the `if` at line 3 takes its
    # then-branch". Empty when the argv is the same on every path.
    branch: str = ""

    @property
    def program(self) -> str:
        """The basename of argv[0], or "" for an empty or dynamic command word."""
        if not self.argv:
            return ""
        return self.argv[0].text.rsplit("/", 1)[-1]

    @property
    def seen_through(self) -> str | None:
        """The command codex-guard does not know that carried this one in its words
        (``agent-run -- codex exec ...``): what it does to the env and stdin is not known."""
        for wrapper in self.wrappers:
            if wrapper.name == UNKNOWN_WRAPPER:
                return wrapper.args[0] if wrapper.args else ""
        return None

    def inherits(self, name: str) -> bool:
        """Does a variable the script itself inherited (its caller's env) reach this command?"""
        if self.env_cleared or name in self.env_removed:
            return False
        return self.env_kept is None or name in self.env_kept

    def env_var(self, name: str) -> EnvBinding | None:
        """The binding the script (or a wrapper) put in this command's env for `name`; one the
        source set around the snippet (EnvOrigin.EXTERNAL) is Snippet.external_env's, where the
        checks read it with `inherits`."""
        for binding in self.env:
            if binding.name == name and binding.origin is not EnvOrigin.EXTERNAL:
                return binding
        return None


@dataclass(frozen=True, slots=True)
class Unset:
    """`unset K` / `export -n K` at a point in the script (kept for related locations)."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Script:
    """Everything the rules need from one snippet of shell."""

    commands: tuple[Command, ...]
    dialect: str = "bash"  # bash, sh (dash/POSIX), zsh, ksh
    parse_errors: tuple[Span, ...] = ()  # ERROR / MISSING nodes the wrapper could not repair
    unsets: tuple[Unset, ...] = ()  # those on every path (not `a || unset K`, not in an `if`)
    dynamic_commands: tuple[Command, ...] = ()  # command words that could not be resolved (CG902)
    # Where the walk stopped following: wrappers, `eval`/`bash -c` bodies or function calls
    # nested past its bounds. What runs there was not read: a parse error's kind (CG901).
    too_deep: tuple[Span, ...] = ()
