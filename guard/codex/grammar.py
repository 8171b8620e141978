"""The argv grammar of the Codex CLI: one frozen table per supported codex-cli version.

Every fact here traces to the shared observations, not to memory:

* ``guard/codex/help/<version>/help-*.txt`` (copies of ``/work/shared/codex-cli/<version>/``;
  ``python -m guard.codex.capture`` writes new ones): the visible flags of ``codex``, ``codex
  exec``, ``exec resume``, ``exec review``, ``exec fork`` and ``codex login`` (``tests/codex/
  test_codex_grammar.py`` checks the tables against those files flag for flag);
* ``/work/shared/codex-cli/FACTS.md``: hidden aliases (``--yolo``), removed flags (``--full-auto``),
  top-level-only flags (``-a``, ``--search``), what ``exec resume`` rejects (``-C``, ``-s``);
* where neither says, the real binary (``codex ... --help`` and the run banner with
  ``</dev/null`` and no network), marked "observed on 0.169.0" / "0.171.0" in the comments.

The tables are plain data (tuples of :class:`FlagSpec`); :mod:`guard.codex.parse` reads argv
against them the way clap does for this CLI.
"""

from __future__ import annotations

import os
from types import MappingProxyType

from guard.fastclass import dataclass, field, replace
from guard.lazyre import lazy_compile

# The shipped --help texts, one folder per version (a clone on its own has them). `HELP_ROOT` is
# that folder as a Path, made on first use (`__getattr__` below): the hook's codex path imports
# this module and no pathlib.
_HELP_FOLDER = os.path.join(os.path.dirname(os.path.realpath(__file__)), "help")
TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the hook's codex path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

    HELP_ROOT: Path


def __getattr__(name: str) -> object:
    if name == "HELP_ROOT":
        from pathlib import Path

        return Path(_HELP_FOLDER)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# help file name -> the command path whose `--help` it holds.
HELP_FILES: Mapping[str, str] = MappingProxyType(
    {
        "help-top.txt": "",
        "help-exec.txt": "exec",
        "help-exec-resume.txt": "exec resume",
        "help-exec-review.txt": "exec review",
        "help-exec-fork.txt": "exec fork",
        "help-login.txt": "login",
    }
)


def help_text(version: str, name: str) -> str | None:
    """The shipped ``--help`` text ``name`` of ``version``; None when it is not shipped."""
    try:
        with open(os.path.join(_HELP_FOLDER, version, name), encoding="utf-8") as text:
            return text.read()
    except OSError:
        return None


# The sandbox modes (FACTS.md "Sandbox and environment"; `[possible values: ...]` of `-s`).
SANDBOX_MODES: tuple[str, ...] = ("read-only", "workspace-write", "danger-full-access")

# Built-in permission profiles (`-c default_permissions=":NAME"`, or the key in config.toml) and
# the sandbox each runs, observed on 0.171.0 from the run banner (FACTS.md "codex-cli 0.171.0").
PERMISSION_PROFILES: Mapping[str, str] = MappingProxyType(
    {":read-only": "read-only", ":workspace": "workspace-write",
     ":danger-full-access": "danger-full-access"}
)  # fmt: skip


def permission_profile_sandbox(name: str) -> str | None:
    """The sandbox of a built-in permission profile; None for a named or unknown one."""
    return PERMISSION_PROFILES.get(name.strip())


def reason_unknown_permission_profile(name: str) -> str:
    """The binary's own words (0.171.0): ``-c default_permissions=":workspace-write"``."""
    return f"default_permissions refers to unknown built-in profile `{name}`"


# Reasons an argv word is rejected. The strings are part of the interface: the engine routes
# REASON_RESUME_UNSUPPORTED to CG402 and every other reason to CG903 (so a rejected flag on
# `exec resume` is reported once).
REASON_UNKNOWN = "unknown flag"
REASON_RESUME_UNSUPPORTED = "resume-unsupported"
REASON_UNEXPECTED_ARGUMENT = "unexpected argument"


def reason_removed(version: str) -> str:
    """A flag an older supported version accepted and ``version`` rejects (``--full-auto``)."""
    return f"removed in {version}"


def reason_top_level_only(command: str) -> str:
    """A top-level option given after the sub-command (``codex exec -a never``)."""
    return f"not accepted by {command} (top-level only)"


def reason_before_subcommand(path: str) -> str:
    """An ``exec`` option given after ``review``/``fork``: clap takes it only before them."""
    sub = path.rsplit(" ", 1)[-1]
    return f"not accepted by {path} (give it before '{sub}')"


def reason_invalid_value(value: str, flag: str) -> str:
    return f"invalid value '{value}' for {flag}"


def reason_missing_value(flag: str) -> str:
    return f"missing value for {flag}"


def reason_unexpected_value(flag: str) -> str:
    return f"unexpected value for {flag}"


def reason_repeated(flag: str) -> str:
    return f"{flag} cannot be used multiple times"


def reason_conflict(flag: str, other: str) -> str:
    return f"{flag} cannot be used with {other}"


def reason_missing_positional(name: str, path: str) -> str:
    return f"missing {name} for {path}"


def is_resume_unsupported(reason: str) -> bool:
    """True for the reasons rule CG402 reports (and CG903 must not report again)."""
    return reason == REASON_RESUME_UNSUPPORTED


@dataclass(frozen=True, slots=True)
class FlagSpec:
    """One option of one command, as its ``--help`` shows it (or as FACTS.md found it hidden)."""

    long: str  # canonical name, e.g. "--sandbox"
    short: str | None = None  # e.g. "-s"
    value: str | None = None  # value name ("SANDBOX_MODE"); None for a switch
    choices: tuple[str, ...] = ()  # allowed values; () = any value
    # `<FILE>...` in the help: clap's `num_args = 1..`, which takes every following word that does
    # not start with '-'. Observed on 0.169.0: `codex exec -i a.png hello` reads the prompt from
    # stdin, "hello" having become a second image.
    multi: bool = False
    # clap rejects a second use of a single-valued option or a switch ("cannot be used multiple
    # times", observed on 0.169.0 for --json and -m); -c, --enable, --disable, -i and --add-dir
    # accumulate.
    repeatable: bool = False
    hidden: bool = False  # accepted but not listed by --help
    aliases: tuple[str, ...] = ()  # hidden aliases (FACTS.md: `--yolo`)
    implies_sandbox: str | None = None  # a switch that selects a sandbox (--full-auto)

    @property
    def takes_value(self) -> bool:
        return self.value is not None

    def names(self) -> tuple[str, ...]:
        short = (self.short,) if self.short else ()
        return (self.long, *short, *self.aliases)


@dataclass(frozen=True, slots=True)
class RejectedFlag:
    """A flag codex knows elsewhere but this command rejects with exit 2, and why."""

    names: tuple[str, ...]
    reason: str
    takes_value: bool


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command level: ``""`` (top), ``"exec"``, ``"exec resume"``, ``"login"``, ..."""

    path: str
    flags: tuple[FlagSpec, ...]
    positionals: tuple[str, ...] = ()  # in order, e.g. ("SESSION_ID", "PROMPT")
    required_positionals: int = 0  # `<SESSION_ID>` of exec fork
    # (name, path) of sub-commands, aliases included; a path of "" marks one we do not model.
    subcommands: tuple[tuple[str, str], ...] = ()
    rejected: tuple[RejectedFlag, ...] = ()
    conflicts: tuple[tuple[str, str], ...] = ()  # pairs of canonical names clap refuses together
    _index: Mapping[str, FlagSpec] = field(init=False, repr=False, compare=False)
    _rejected_index: Mapping[str, RejectedFlag] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A read-only index, built once per table (the tables are module-level constants).
        index = {name: spec for spec in self.flags for name in spec.names()}
        rejected = {name: rej for rej in self.rejected for name in rej.names}
        object.__setattr__(self, "_index", MappingProxyType(index))
        object.__setattr__(self, "_rejected_index", MappingProxyType(rejected))

    def flag(self, name: str) -> FlagSpec | None:
        return self._index.get(name)

    def rejection(self, name: str) -> RejectedFlag | None:
        return self._rejected_index.get(name)

    def subcommand(self, name: str) -> str | None:
        for sub, path in self.subcommands:
            if sub == name:
                return path
        return None

    def visible_flag_names(self) -> frozenset[str]:
        """Long and short names of the flags the command's ``--help`` lists."""
        return frozenset(
            name
            for spec in self.flags
            if not spec.hidden
            for name in ((spec.long, spec.short) if spec.short else (spec.long,))
        )

    def hidden_flag_names(self) -> frozenset[str]:
        """Names accepted but absent from ``--help``: hidden flags and hidden aliases."""
        names: set[str] = set()
        for spec in self.flags:
            if spec.hidden:
                names.update(spec.names())
            else:
                names.update(spec.aliases)
        return frozenset(names)


@dataclass(frozen=True, slots=True)
class Grammar:
    version: str
    commands: Mapping[str, CommandSpec]
    note: str | None = None  # set when the requested version is not one we have a table for

    def command(self, path: str) -> CommandSpec | None:
        return self.commands.get(path)


# ---------------------------------------------------------------------------------------------
# Flag vocabulary. Shared specs are immutable, so one object can sit in several tables.

_CONFIG = FlagSpec("--config", "-c", "key=value", repeatable=True)
_ENABLE = FlagSpec("--enable", None, "FEATURE", repeatable=True)
_DISABLE = FlagSpec("--disable", None, "FEATURE", repeatable=True)
_STRICT_CONFIG = FlagSpec("--strict-config")
_REMOTE = FlagSpec("--remote", None, "ADDR")
_REMOTE_AUTH = FlagSpec("--remote-auth-token-env", None, "ENV_VAR")
_IMAGES = FlagSpec("--image", "-i", "FILE", multi=True, repeatable=True)  # `-i, --image <FILE>...`
_IMAGE = FlagSpec("--image", "-i", "FILE", repeatable=True)  # resume/fork: `-i, --image <FILE>`
_MODEL = FlagSpec("--model", "-m", "MODEL")
_OSS = FlagSpec("--oss")
# The help says "(lmstudio or ollama)" but lists no [possible values]; observed on 0.169.0:
# `codex exec --local-provider foo --help` exits 0, so clap does not check the value.
_LOCAL_PROVIDER = FlagSpec("--local-provider", None, "OSS_PROVIDER")
_PROFILE = FlagSpec("--profile", "-p", "CONFIG_PROFILE_V2")
_SANDBOX = FlagSpec("--sandbox", "-s", "SANDBOX_MODE", choices=SANDBOX_MODES)
# Observed on 0.169.0 (run banner): `--approve-for-me` runs `sandbox: workspace-write`,
# `approval: on-request`; clap refuses it together with -s or the bypass flag.
_APPROVE_FOR_ME = FlagSpec("--approve-for-me", implies_sandbox="workspace-write")
# FACTS.md: `--yolo` is a hidden alias, accepted on exec and exec resume on both versions.
# Observed on 0.169.0: also accepted at the top level and on exec review and exec fork.
_BYPASS = FlagSpec("--dangerously-bypass-approvals-and-sandbox", aliases=("--yolo",))
_HOOK_TRUST = FlagSpec("--dangerously-bypass-hook-trust")
_CD = FlagSpec("--cd", "-C", "DIR")
_WORKTREE = FlagSpec("--worktree")
_ADD_DIR = FlagSpec("--add-dir", None, "DIR", repeatable=True)
_THREAD_SOURCE = FlagSpec("--thread-source", None, "SOURCE")
_CYBER = FlagSpec(
    "--cyber-access-program", None, "PROGRAM", choices=("standard", "daybreak_blue", "daybreak_red")
)
_SKIP_GIT = FlagSpec("--skip-git-repo-check")
_TRUST = FlagSpec("--trust")
_EPHEMERAL = FlagSpec("--ephemeral")
_IGNORE_USER_CONFIG = FlagSpec("--ignore-user-config")
_IGNORE_RULES = FlagSpec("--ignore-rules")
_OUTPUT_SCHEMA = FlagSpec("--output-schema", None, "FILE")
_COLOR = FlagSpec("--color", None, "COLOR", choices=("always", "never", "auto"))
_JSON = FlagSpec("--json")
_OUTPUT_LAST = FlagSpec("--output-last-message", "-o", "FILE")
_HELP = FlagSpec("--help", "-h")
_VERSION = FlagSpec("--version", "-V")
_SEARCH = FlagSpec("--search")
_NO_ALT_SCREEN = FlagSpec("--no-alt-screen")
_NO_DAEMON = FlagSpec("--no-daemon")
# -a values differ: 0.139.0 lists untrusted, on-failure, on-request, never; 0.169.0 only
# on-request and never (observed: `codex -a untrusted` exits 2 on 0.169.0).
_ASK_0139 = FlagSpec(
    "--ask-for-approval",
    "-a",
    "APPROVAL_POLICY",
    choices=("untrusted", "on-failure", "on-request", "never"),
)
_ASK_0169 = FlagSpec("--ask-for-approval", "-a", "APPROVAL_POLICY", choices=("on-request", "never"))
# FACTS.md: hidden on 0.139.0, "old shorthand for a workspace-write sandbox with automatic
# approvals"; rejected on 0.169.0 (`unexpected argument '--full-auto'`).
_FULL_AUTO = FlagSpec("--full-auto", hidden=True, implies_sandbox="workspace-write")
_LAST = FlagSpec("--last")
_ALL = FlagSpec("--all")
_UNCOMMITTED = FlagSpec("--uncommitted")
_BASE = FlagSpec("--base", None, "BRANCH")
_COMMIT = FlagSpec("--commit", None, "SHA")
_TITLE = FlagSpec("--title", None, "TITLE")
_WITH_API_KEY = FlagSpec("--with-api-key")
_WITH_ACCESS_TOKEN = FlagSpec("--with-access-token")
_DEVICE_AUTH = FlagSpec("--device-auth")

_BYPASS_LONG = _BYPASS.long

# FACTS.md "Hidden and removed flags": rejected on both versions.
_NEVER_ACCEPTED_ON_EXEC = (
    RejectedFlag(("--include-plan-tool",), REASON_UNKNOWN, False),
    RejectedFlag(("--config-profile",), REASON_UNKNOWN, True),
)
# FACTS.md: `exec resume` takes neither -C/--cd nor -s/--sandbox (both versions). A distinct
# reason so CG402 reports them and CG903 does not.
_RESUME_REJECTS = (
    RejectedFlag(("--cd", "-C"), REASON_RESUME_UNSUPPORTED, True),
    RejectedFlag(("--sandbox", "-s"), REASON_RESUME_UNSUPPORTED, True),
)

# Top-level commands, from the `Commands:` list of help-top.txt (aliases from `[aliases: ...]`).
# Only exec and login are read further; the rest are Subcommand.OTHER.
_TOP_COMMANDS_0139 = (
    "exec", "e", "review", "login", "logout", "mcp", "plugin", "mcp-server", "app-server",
    "remote-control", "completion", "update", "doctor", "sandbox", "debug", "apply", "a",
    "resume", "archive", "unarchive", "fork", "cloud", "exec-server", "features", "help",
)  # fmt: skip
_TOP_COMMANDS_0169 = (
    "agents", "exec", "e", "review", "login", "logout", "mcp", "plugin", "app-server",
    "remote-control", "completion", "update", "doctor", "sandbox", "debug", "apply", "a",
    "resume", "queue", "archive", "delete", "migrate-rollouts", "migrate-nfs-db", "unarchive",
    "fork", "cloud", "exec-server", "features", "help",
)  # fmt: skip


def _top_subcommands(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    modeled = {"exec": "exec", "e": "exec", "login": "login"}
    return tuple((name, modeled.get(name, "")) for name in names)


def _with_subcommands(
    names: tuple[str, ...], modeled: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    return tuple((name, modeled.get(name, "")) for name in names)


# --- 0.139.0 -----------------------------------------------------------------------------------

_TOP_0139 = CommandSpec(
    "",
    (
        _CONFIG, _ENABLE, _DISABLE, _REMOTE, _REMOTE_AUTH, _STRICT_CONFIG, _IMAGES, _MODEL, _OSS,
        _LOCAL_PROVIDER, _PROFILE, _SANDBOX, _BYPASS, _HOOK_TRUST, _CD, _ADD_DIR, _ASK_0139,
        _SEARCH, _NO_ALT_SCREEN, _HELP, _VERSION,
        # Assumption (FACTS.md tested `codex exec --full-auto` only): 0.139.0 also takes the
        # hidden --full-auto before the sub-command, as 0.169.0 rejects it there too.
        _FULL_AUTO,
    ),
    positionals=("PROMPT",),
    subcommands=_top_subcommands(_TOP_COMMANDS_0139),
)  # fmt: skip

_EXEC_0139 = CommandSpec(
    "exec",
    (
        _CONFIG, _ENABLE, _DISABLE, _STRICT_CONFIG, _IMAGES, _MODEL, _OSS, _LOCAL_PROVIDER,
        _PROFILE, _SANDBOX, _BYPASS, _HOOK_TRUST, _CD, _ADD_DIR, _SKIP_GIT, _EPHEMERAL,
        _IGNORE_USER_CONFIG, _IGNORE_RULES, _OUTPUT_SCHEMA, _COLOR, _JSON, _OUTPUT_LAST, _HELP,
        _VERSION, _FULL_AUTO,
    ),
    positionals=("PROMPT",),
    # 0.139.0 has no `exec fork`: its help-exec-fork.txt is exec's own help ("fork" was read as
    # the PROMPT).
    subcommands=_with_subcommands(
        ("resume", "review", "help"), {"resume": "exec resume", "review": "exec review"}
    ),
    rejected=_NEVER_ACCEPTED_ON_EXEC,
)  # fmt: skip

_RESUME_0139 = CommandSpec(
    "exec resume",
    (
        _CONFIG, _LAST, _ALL, _ENABLE, _DISABLE, _IMAGE, _STRICT_CONFIG, _MODEL, _BYPASS,
        _HOOK_TRUST, _SKIP_GIT, _EPHEMERAL, _IGNORE_USER_CONFIG, _IGNORE_RULES, _OUTPUT_SCHEMA,
        _JSON, _OUTPUT_LAST, _HELP,
    ),
    positionals=("SESSION_ID", "PROMPT"),
    rejected=_RESUME_REJECTS + _NEVER_ACCEPTED_ON_EXEC,
)  # fmt: skip

_REVIEW_0139 = CommandSpec(
    "exec review",
    (
        _CONFIG, _UNCOMMITTED, _BASE, _ENABLE, _COMMIT, _DISABLE, _STRICT_CONFIG, _TITLE, _MODEL,
        _BYPASS, _HOOK_TRUST, _SKIP_GIT, _EPHEMERAL, _IGNORE_USER_CONFIG, _IGNORE_RULES,
        _OUTPUT_SCHEMA, _JSON, _OUTPUT_LAST, _HELP,
    ),
    positionals=("PROMPT",),
    rejected=_NEVER_ACCEPTED_ON_EXEC,
)  # fmt: skip

_LOGIN_FLAGS = (_CONFIG, _WITH_API_KEY, _ENABLE, _WITH_ACCESS_TOKEN, _DISABLE, _DEVICE_AUTH, _HELP)
_LOGIN = CommandSpec(
    "login",
    _LOGIN_FLAGS,
    subcommands=_with_subcommands(("status", "help"), {"status": "login status"}),
)
# `codex login status --help` (observed on 0.169.0; not in the shared files): -c, --enable,
# --disable, -h. Assumed the same on 0.139.0, whose `login` help is identical.
_LOGIN_STATUS = CommandSpec("login status", (_CONFIG, _ENABLE, _DISABLE, _HELP))

# --- 0.169.0 -----------------------------------------------------------------------------------

_TOP_0169 = CommandSpec(
    "",
    (
        _CONFIG, _ENABLE, _DISABLE, _REMOTE, _REMOTE_AUTH, _STRICT_CONFIG, _IMAGES, _MODEL, _OSS,
        _LOCAL_PROVIDER, _PROFILE, _SANDBOX, _APPROVE_FOR_ME, _BYPASS, _HOOK_TRUST, _CD,
        _WORKTREE, _ADD_DIR, _ASK_0169, _SEARCH, _NO_ALT_SCREEN, _NO_DAEMON, _HELP, _VERSION,
    ),
    positionals=("PROMPT",),
    subcommands=_top_subcommands(_TOP_COMMANDS_0169),
    conflicts=((_APPROVE_FOR_ME.long, _SANDBOX.long), (_APPROVE_FOR_ME.long, _BYPASS_LONG)),
)  # fmt: skip

_EXEC_0169 = CommandSpec(
    "exec",
    (
        _CONFIG, _ENABLE, _DISABLE, _STRICT_CONFIG, _IMAGES, _MODEL, _OSS, _LOCAL_PROVIDER,
        _PROFILE, _SANDBOX, _APPROVE_FOR_ME, _BYPASS, _HOOK_TRUST, _CD, _WORKTREE, _ADD_DIR,
        _THREAD_SOURCE, _CYBER, _SKIP_GIT, _TRUST, _EPHEMERAL, _IGNORE_USER_CONFIG, _IGNORE_RULES,
        _OUTPUT_SCHEMA, _COLOR, _JSON, _OUTPUT_LAST, _HELP, _VERSION,
    ),
    positionals=("PROMPT",),
    subcommands=_with_subcommands(
        ("resume", "fork", "review", "help"),
        {"resume": "exec resume", "fork": "exec fork", "review": "exec review"},
    ),
    rejected=_NEVER_ACCEPTED_ON_EXEC,
    # Observed on 0.169.0: "the argument '--approve-for-me' cannot be used with '--sandbox'" (and
    # with the bypass flag), exit 2.
    conflicts=((_APPROVE_FOR_ME.long, _SANDBOX.long), (_APPROVE_FOR_ME.long, _BYPASS_LONG)),
)  # fmt: skip

_NEW_IN_0169 = (_WORKTREE, _THREAD_SOURCE, _CYBER)  # on resume/review/fork, plus --trust

_RESUME_0169 = CommandSpec(
    "exec resume",
    (
        _CONFIG, _LAST, _ALL, _ENABLE, _DISABLE, _IMAGE, _STRICT_CONFIG, _MODEL, _BYPASS,
        _HOOK_TRUST, *_NEW_IN_0169, _SKIP_GIT, _TRUST, _EPHEMERAL, _IGNORE_USER_CONFIG,
        _IGNORE_RULES, _OUTPUT_SCHEMA, _JSON, _OUTPUT_LAST, _HELP,
    ),
    positionals=("SESSION_ID", "PROMPT"),
    rejected=_RESUME_REJECTS + _NEVER_ACCEPTED_ON_EXEC,
)  # fmt: skip

_REVIEW_0169 = CommandSpec(
    "exec review",
    (
        _CONFIG, _UNCOMMITTED, _BASE, _ENABLE, _COMMIT, _DISABLE, _STRICT_CONFIG, _TITLE, _MODEL,
        _BYPASS, _HOOK_TRUST, *_NEW_IN_0169, _SKIP_GIT, _TRUST, _EPHEMERAL, _IGNORE_USER_CONFIG,
        _IGNORE_RULES, _OUTPUT_SCHEMA, _JSON, _OUTPUT_LAST, _HELP,
    ),
    positionals=("PROMPT",),
    rejected=_NEVER_ACCEPTED_ON_EXEC,
)  # fmt: skip

_FORK_0169 = CommandSpec(
    "exec fork",
    (
        _CONFIG, _IMAGE, _ENABLE, _DISABLE, _STRICT_CONFIG, _MODEL, _BYPASS, _HOOK_TRUST,
        *_NEW_IN_0169, _SKIP_GIT, _TRUST, _EPHEMERAL, _IGNORE_USER_CONFIG, _IGNORE_RULES,
        _OUTPUT_SCHEMA, _JSON, _OUTPUT_LAST, _HELP,
    ),
    positionals=("SESSION_ID", "PROMPT"),
    required_positionals=1,  # `<SESSION_ID>` in the usage line
    rejected=_NEVER_ACCEPTED_ON_EXEC,
)  # fmt: skip


# --- 0.171.0 -----------------------------------------------------------------------------------
# FACTS.md "codex-cli 0.171.0": `exec`, `exec resume`, `exec fork` and `exec review` gain `--remote
# <ADDR>` and `--remote-auth-token-env <ENV_VAR>` (the top level had both); nothing else changed
# (top-level and login help are identical to 0.169.0).

_TOP_0171 = _TOP_0169
_EXEC_0171 = replace(_EXEC_0169, flags=(*_EXEC_0169.flags, _REMOTE, _REMOTE_AUTH))
_RESUME_0171 = replace(_RESUME_0169, flags=(*_RESUME_0169.flags, _REMOTE, _REMOTE_AUTH))
_REVIEW_0171 = replace(_REVIEW_0169, flags=(*_REVIEW_0169.flags, _REMOTE, _REMOTE_AUTH))
_FORK_0171 = replace(_FORK_0169, flags=(*_FORK_0169.flags, _REMOTE, _REMOTE_AUTH))

# What `--remote` leaves allowed. Observed on 0.171.0, flag by flag (`codex exec --remote
# ws://127.0.0.1:1 FLAG hi </dev/null`): every other option of exec and exec resume (-s, -C, -m,
# -c, -p, -i, --yolo, --ephemeral, --output-schema, --add-dir, --enable, ...), given before or
# after `exec`, fails with REMOTE_REFUSAL and exit 1 before connecting; these connect.
REMOTE_ALLOWED: frozenset[str] = frozenset(
    {
        "--remote", "--remote-auth-token-env", "--json", "--output-last-message", "--color",
        "--skip-git-repo-check", "--help", "--version",
    }
)  # fmt: skip
REMOTE_REFUSAL = (
    "--remote currently supports only prompt, resume by UUID, and output options; "
    "configure the agent on the server"
)
# Observed on 0.171.0: `exec --remote A review|fork ...` and `exec review|fork --remote A ...`.
REMOTE_SUBCOMMAND_REFUSAL = "--remote supports exec and exec resume"
# Observed on 0.171.0: `exec --remote A resume --last` (or --all).
REMOTE_RESUME_REFUSAL = "remote resume requires a thread UUID"
# Observed on 0.171.0: `codex exec --remote-auth-token-env TOK hi`.
REMOTE_AUTH_REFUSAL = "`--remote-auth-token-env` requires `--remote`."
# The first version whose exec levels take --remote (the top level had it before).
REMOTE_ON_EXEC_SINCE = "0.171.0"


def _grammar(version: str, *specs: CommandSpec) -> Grammar:
    return Grammar(version, MappingProxyType({spec.path: spec for spec in specs}))


_GRAMMARS: Mapping[str, Grammar] = MappingProxyType(
    {
        "0.139.0": _grammar(
            "0.139.0", _TOP_0139, _EXEC_0139, _RESUME_0139, _REVIEW_0139, _LOGIN, _LOGIN_STATUS
        ),
        "0.169.0": _grammar(
            "0.169.0",
            _TOP_0169,
            _EXEC_0169,
            _RESUME_0169,
            _REVIEW_0169,
            _FORK_0169,
            _LOGIN,
            _LOGIN_STATUS,
        ),
        "0.171.0": _grammar(
            "0.171.0",
            _TOP_0171,
            _EXEC_0171,
            _RESUME_0171,
            _REVIEW_0171,
            _FORK_0171,
            _LOGIN,
            _LOGIN_STATUS,
        ),
    }
)
NEWEST = "0.171.0"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def supported_versions() -> tuple[str, ...]:
    """The codex-cli versions with a grammar table, oldest first."""
    return tuple(sorted(_GRAMMARS, key=_version_key))


def grammar_for(version: str | None = None) -> Grammar:
    """The table for ``version``; None means the newest. An unknown version gets the newest
    table, with a note saying so (the caller reports it; it never fails)."""
    if version is None:
        return _GRAMMARS[NEWEST]
    cleaned = version.strip().removeprefix("v").removeprefix("codex-cli").strip()
    found = _GRAMMARS.get(cleaned)
    if found is not None:
        return found
    newest = _GRAMMARS[NEWEST]
    note = f"no grammar table for codex-cli {version!r}; read against {NEWEST}"
    return Grammar(newest.version, newest.commands, note)


def older_versions(version: str) -> tuple[str, ...]:
    """Supported versions older than ``version``, newest first (to name removed flags)."""
    key = _version_key(version)
    return tuple(v for v in reversed(supported_versions()) if _version_key(v) < key)


def any_flag_spec(name: str) -> FlagSpec | None:
    """The spec of ``name`` in any table of any version: how many words an unknown flag takes."""
    for grammar in _GRAMMARS.values():
        for spec in grammar.commands.values():
            found = spec.flag(name)
            if found is not None:
                return found
    return None


# Top-level commands that never start a model session, so never bill a model: what each one does,
# from the `Commands:` list of help-top.txt (0.139.0, 0.169.0, 0.171.0): `login` ("Manage login":
# `status`, `--device-auth`, `--with-access-token` -- subscription auth, FACTS.md 0.171.0; the
# runtime doors refuse `--with-api-key` on their own), `logout` ("Remove stored authentication
# credentials"), `completion` ("Generate shell completion scripts"), `features` ("Inspect feature
# flags"), `mcp` ("Manage external MCP servers for Codex"; not `mcp-server`, which serves codex
# itself), `update` ("Update Codex to the latest version"), the local session bookkeeping
# (`archive`, `unarchive`, `delete`: "... a saved session by id or session name";
# `migrate-rollouts`, `migrate-nfs-db`) and `help`. Every other command may reach one: a bare
# `codex [PROMPT]`, `codex -- PROMPT`, `exec`, `review`, `resume`, `fork`, `queue`, `app-server`,
# `exec-server`, `cloud`, and `sandbox` (it runs a command, which may be codex). A name a table
# does not list is a prompt there. Applied by ``reaches_model`` to whichever table a version has.
MODEL_FREE_COMMANDS: frozenset[str] = frozenset(
    {
        "login", "logout", "completion", "features", "mcp", "update", "archive", "unarchive",
        "delete", "migrate-rollouts", "migrate-nfs-db", "help",
    }
)  # fmt: skip
# `--help`/`-h` and `--version`/`-V` before `--` print and exit, or make clap exit 2 (observed on
# 0.169.0: `codex exec p -h` prints help, `codex exec -V p` the version, `codex review -V` exits 2).
PRINT_AND_EXIT_FLAGS: frozenset[str] = frozenset({"--help", "-h", "--version", "-V"})


def reaches_model(args: Sequence[str], version: str | None = None) -> bool:
    """Can `codex ARGS` (argv without argv[0]) start a model session under ``version``'s table?

    False only for what provably never does: a print-and-exit flag before `--`, or a top-level
    command in MODEL_FREE_COMMANDS. Top-level options are skipped with the table's own value
    arities; a `<FILE>...` option (`-i a.png completion`) takes the following words as files, as
    clap does (observed on 0.169.0: that runs interactive codex), so no sub-command follows it.
    """
    words = list(args)
    cut = words.index("--") if "--" in words else len(words)
    if any(word in PRINT_AND_EXIT_FLAGS for word in words[:cut]):
        return False
    top = grammar_for(version).command("")
    if top is None:
        return True
    i = _first_positional(words, cut, top)
    if i is None:
        return True  # bare `codex` or `codex -- PROMPT`: interactive codex
    word = words[i]
    return top.subcommand(word) is None or word not in MODEL_FREE_COMMANDS  # a prompt: codex


def _first_positional(words: list[str], cut: int, top: CommandSpec) -> int | None:
    """The index of the first word before ``cut`` that is no top-level option or its value."""
    i = 0
    while i < cut:
        word = words[i]
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0] if word.startswith("--") else word[:2]
            spec = top.flag(name)
            attached = "=" in word if word.startswith("--") else len(word) > 2
            if spec is not None and spec.takes_value and not attached:
                i += 1  # its value
                if spec.multi:
                    while i + 1 < cut and not words[i + 1].startswith("-"):
                        i += 1
            i += 1
            continue
        return i
    return None


# `codex sandbox [OPTIONS] [COMMAND]...` runs COMMAND under Codex's sandbox, with the caller's
# environment (observed with the real 0.171.0: a command under it got OPENAI_API_KEY). Its options
# from `codex sandbox --help` (0.169.0 and 0.171.0 alike, tests/codex/test_codex_realcli.py
# `test_sandbox_options_are_the_grammars`): these take a value; its sub-commands `uninstall` and
# `help` run no command.
SANDBOX_VALUE_OPTIONS: frozenset[str] = frozenset(
    {
        "-c", "--config", "--enable", "--disable", "--sandbox-state-json",
        "--sandbox-state-readable-root", "-P", "--permission-profile", "-p", "--profile",
        "-C", "--cd",
    }
)  # fmt: skip
SANDBOX_SWITCHES: frozenset[str] = frozenset(
    {"--transparent-tcp", "--sandbox-state-disable-network", "--include-managed-config"}
)
SANDBOX_SUBCOMMANDS: frozenset[str] = frozenset({"uninstall", "help"})


def sandboxed_command(args: Sequence[str], version: str | None = None) -> int | None:
    """Where, in ``args`` (argv without argv[0]), the command `codex ... sandbox ...` runs
    begins; None when ``args`` is no `sandbox` with a command (or when the sandbox's options
    are not all known: the caller then sees codex, not what it runs)."""
    words = list(args)
    top = grammar_for(version).command("")
    if top is None:
        return None
    i = _first_positional(words, words.index("--") if "--" in words else len(words), top)
    if i is None or words[i] != "sandbox":
        return None
    i += 1
    while i < len(words):
        word = words[i]
        if word == "--":
            return i + 1 if i + 1 < len(words) else None
        if not word.startswith("-") or word == "-":
            return None if word in SANDBOX_SUBCOMMANDS else i
        name = word.split("=", 1)[0] if word.startswith("--") else word[:2]
        if name in SANDBOX_VALUE_OPTIONS:
            attached = "=" in word if word.startswith("--") else len(word) > 2
            i += 1 if attached else 2
        elif word in SANDBOX_SWITCHES:
            i += 1
        elif "--" in words[i:]:
            return words.index("--", i) + 1  # an option no table knows: `--` still ends them
        else:
            i += 1  # unknown: a switch, so what follows is still read as the command
    return None


# --- reading a --help text ---------------------------------------------------------------------

# An option line of clap's long help: two spaces, optional "-x, ", then "--long"; or six spaces
# and "--long" (no short). Description lines are indented ten spaces, so they never match.
_OPTION_LINE = lazy_compile(
    r"^ {2}(?:(-[A-Za-z0-9]), )?(--[A-Za-z0-9][A-Za-z0-9_-]*)|^ {6}(--[A-Za-z0-9][A-Za-z0-9_-]*)"
)
_COMMAND_LINE = lazy_compile(r"^ {2}([a-z][a-z0-9-]*)\s{2,}(.*)$")
_ALIASES = lazy_compile(r"\[aliases: ([^\]]+)\]")


def _section(text: str, header: str) -> Iterator[str]:
    """The indented lines of one ``--help`` section (``Options:``, ``Commands:``)."""
    inside = False
    for line in text.splitlines():
        if not line.strip():
            continue  # blank lines separate entries inside a section
        if not line.startswith(" "):
            inside = line.rstrip() == header
        elif inside:
            yield line


def help_flags(text: str) -> set[str]:
    """The flag names (long and short) a ``--help`` text lists under ``Options:``."""
    names: set[str] = set()
    for line in _section(text, "Options:"):
        match = _OPTION_LINE.match(line)
        if match is None:
            continue
        names.update(name for name in match.groups() if name)
    return names


def help_commands(text: str) -> set[str]:
    """The sub-command names (aliases included) a ``--help`` text lists under ``Commands:``."""
    names: set[str] = set()
    for line in _section(text, "Commands:"):
        match = _COMMAND_LINE.match(line)
        if match is not None:
            names.add(match.group(1))
        # `[aliases: a]` may sit on a wrapped continuation line of the description.
        for aliases in _ALIASES.findall(line):
            names.update(alias.strip() for alias in aliases.split(","))
    return names
