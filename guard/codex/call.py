"""CodexCall: one invocation of the Codex CLI, as the codex argv grammar reads it."""

from __future__ import annotations

from guard.fastclass import dataclass, field
from guard.fastenum import StrEnum
from guard.shell.model import Span, Word


class Subcommand(StrEnum):
    EXEC = "exec"  # codex exec / codex e
    RESUME = "resume"  # codex exec resume
    REVIEW = "review"  # codex exec review
    FORK = "fork"  # codex exec fork
    LOGIN = "login"  # codex login [--with-api-key | --with-access-token | --device-auth]
    LOGIN_STATUS = "login status"
    INTERACTIVE = "interactive"  # bare `codex [PROMPT]`
    OTHER = "other"  # mcp, apply, logout, top-level review, ...


class SandboxSource(StrEnum):
    FLAG = "flag"  # -s/--sandbox (exec's own, or a top-level one before the subcommand)
    CONFIG_OVERRIDE = "config-override"  # -c sandbox_mode=...
    CONFIG_LAYER = (
        "config-layer"  # a config.toml codex reads: CODEX_HOME's, -p NAME's, the project's
    )
    PROFILE = "profile"  # -p NAME mapped by the codex-guard config
    BYPASS = "bypass"  # --dangerously-bypass-approvals-and-sandbox / --yolo
    NONE = "none"  # nothing said: codex exec defaults to read-only (FACTS.md)


class PromptSource(StrEnum):
    POSITIONAL = "positional"
    STDIN = "stdin"  # `-`
    NONE = "none"  # no prompt argument: read from stdin as well


@dataclass(frozen=True, slots=True)
class FlagUse:
    """One option as written: ``name`` is the canonical long name (``--sandbox``)."""

    name: str
    value: Word | None
    word: Word  # the flag word itself, for positions


@dataclass(frozen=True, slots=True)
class UnknownFlag:
    """A flag, value or sub-command the target codex version rejects (CG903)."""

    text: str
    word: Word
    reason: str  # "unknown flag", "removed in 0.169.0", "invalid value for --sandbox", ...


@dataclass(frozen=True, slots=True)
class ConfigOverride:
    """One `-c key=value`: the key as codex splits it on `.`, the value as TOML (or the raw
    string when it is not TOML), the value word for positions and literalness."""

    key: str
    value: object
    word: Word

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


_MISSING = object()


def _descend(value: object, parts: tuple[str, ...]) -> object:
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


@dataclass(frozen=True, slots=True)
class CodexCall:
    subcommand: Subcommand
    version: str  # the grammar table it was read against
    span: Span  # the whole invocation
    sandbox: str | None = None  # read-only | workspace-write | danger-full-access | None
    sandbox_source: SandboxSource = SandboxSource.NONE
    sandbox_word: Word | None = None  # where the effective sandbox was said
    bypass: bool = False  # --dangerously-bypass-approvals-and-sandbox / --yolo
    bypass_word: Word | None = None
    cd: Word | None = None
    add_dirs: tuple[Word, ...] = ()
    profile: Word | None = None
    output_last_message: Word | None = None  # -o
    json: bool = False
    output_schema: Word | None = None
    ephemeral: bool = False
    ephemeral_word: Word | None = None
    last: bool = False  # resume --last
    session_id: Word | None = None  # resume/fork SESSION_ID
    prompt_source: PromptSource = PromptSource.NONE
    prompt: Word | None = None  # the positional prompt word (or the `-` word)
    config_overrides: tuple[tuple[str, str, Word], ...] = ()  # (key, value, word) from -c
    config: tuple[ConfigOverride, ...] = ()  # the same -c overrides, values read as TOML
    flags: tuple[FlagUse, ...] = ()  # every option as given, canonical names, in order
    unknown: tuple[UnknownFlag, ...] = ()
    with_api_key: bool = False  # codex login --with-api-key
    dynamic_args: bool = False  # an argv word expands to an unknown number of words ("$@", ${A[@]})
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def reads_prompt_from_stdin(self) -> bool:
        """A `-` prompt (exec and its sub-commands), or `codex exec` with no prompt at all: its
        --help says instructions are then read from stdin."""
        if self.prompt_source is PromptSource.STDIN:
            return True
        return self.subcommand is Subcommand.EXEC and self.prompt_source is PromptSource.NONE

    def config_value(self, dotted: str) -> tuple[object, Word] | None:
        """What the `-c` overrides make of the config key ``dotted`` (`a.b.c`), and the word that
        said it. Applied in order as codex does: a later override of the key, or of a table
        holding it (`-c 'sandbox_workspace_write={writable_roots=["/"]}'`), replaces the earlier."""
        target = tuple(dotted.split("."))
        found: tuple[object, Word] | None = None
        for override in self.config:
            parts = override.parts
            if parts == target[: len(parts)]:
                value = _descend(override.value, target[len(parts) :])
                found = None if value is _MISSING else (value, override.word)
        return found

    def has_flag(self, name: str) -> bool:
        return any(f.name == name for f in self.flags)

    @property
    def prints_and_exits(self) -> bool:
        """`--help`/`--version` given: codex prints and exits, whatever else the argv says."""
        return "prints_and_exits" in self.extra

    @property
    def reaches_model(self) -> bool:
        """Can this invocation start a model session, and so bill one? False for what provably
        never does (grammar.reaches_model's list): `--help`/`--version`, `login` (its own checks
        are CG102's), and the model-free top-level commands (`mcp`, `logout`, `completion`, ...)."""
        if self.subcommand in (Subcommand.LOGIN, Subcommand.LOGIN_STATUS):
            return False
        return not self.prints_and_exits and "model_free" not in self.extra
