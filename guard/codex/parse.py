"""Read a codex argv the way clap does for this CLI, against a grammar table, into a CodexCall.

The order of reading follows the CLI (help-top.txt, help-exec.txt and FACTS.md "Options before the
subcommand"): top-level options, then the sub-command (``exec``/``e``, ``login``), then its
options and positionals in any order (flags may follow the prompt), ``--`` ending the options.
A word the target version rejects is kept as an :class:`UnknownFlag` with a reason, never dropped
and never raised: the linter reports it (CG903, or CG402 for what ``exec resume`` refuses).
"""

from __future__ import annotations

from guard.codex.call import (
    CodexCall,
    ConfigOverride,
    FlagUse,
    PromptSource,
    SandboxSource,
    Subcommand,
    UnknownFlag,
)
from guard.codex.grammar import (
    MODEL_FREE_COMMANDS,
    REASON_UNEXPECTED_ARGUMENT,
    REASON_UNKNOWN,
    REMOTE_ALLOWED,
    REMOTE_AUTH_REFUSAL,
    REMOTE_REFUSAL,
    REMOTE_RESUME_REFUSAL,
    REMOTE_SUBCOMMAND_REFUSAL,
    SANDBOX_MODES,
    CommandSpec,
    FlagSpec,
    Grammar,
    any_flag_spec,
    grammar_for,
    older_versions,
    permission_profile_sandbox,
    reason_before_subcommand,
    reason_conflict,
    reason_invalid_value,
    reason_missing_positional,
    reason_missing_value,
    reason_removed,
    reason_repeated,
    reason_top_level_only,
    reason_unexpected_value,
    reason_unknown_permission_profile,
)
from guard.fastclass import dataclass, field, replace
from guard.shell.model import UNKNOWN_SPAN, Span, Word

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Sequence

_SUBCOMMANDS: dict[str, Subcommand] = {
    "": Subcommand.INTERACTIVE,
    "exec": Subcommand.EXEC,
    "exec resume": Subcommand.RESUME,
    "exec review": Subcommand.REVIEW,
    "exec fork": Subcommand.FORK,
    "login": Subcommand.LOGIN,
    "login status": Subcommand.LOGIN_STATUS,
}

_BYPASS = "--dangerously-bypass-approvals-and-sandbox"

# Raw-text markers of an expansion that yields any number of words ("$@", "${ARGS[@]}", $*).
_SPLAT_MARKERS = ("[@]", "[*]", "$@", "$*", "${@", "${*")


@dataclass(slots=True)
class _Use:
    """An accepted option at one command level (the level decides precedence)."""

    path: str
    spec: FlagSpec
    flag: FlagUse


@dataclass(slots=True)
class _State:
    """Everything read so far; local to one parse (no state survives the call)."""

    grammar: Grammar
    path: str = ""
    other: bool = False  # reached a sub-command we do not model (mcp, apply, help, ...)
    end_of_options: bool = False
    uses: list[_Use] = field(default_factory=list)
    unknown: list[UnknownFlag] = field(default_factory=list)
    positionals: list[Word] = field(default_factory=list)  # of the current level
    splats: list[Word] = field(default_factory=list)  # of the current level
    dynamic: bool = False
    sub_word: Word | None = None  # the word that named the current sub-command
    swallowed: list[str] = field(default_factory=list)  # extra words a greedy -i took

    @property
    def level(self) -> CommandSpec:
        spec = self.grammar.command(self.path)
        # Every modelled path has a table; the top level is the fallback for safety only.
        return spec if spec is not None else self.grammar.commands[""]

    def reject(self, text: str, word: Word, reason: str) -> None:
        self.unknown.append(UnknownFlag(text=text, word=word, reason=reason))


def parse_codex_argv(
    words: Sequence[Word], *, version: str | None = None, span: Span | None = None
) -> CodexCall:
    """Read ``words`` (``words[0]`` is the program) against the grammar of ``version``.

    Never raises: whatever the input, a CodexCall comes back.
    """
    grammar = grammar_for(version)
    call_span = span if span is not None else _span_of(words)
    try:
        return _parse(tuple(words), grammar, call_span)
    except Exception as exc:  # the linter must survive any argv; say why in the call instead
        return CodexCall(
            subcommand=Subcommand.OTHER,
            version=grammar.version,
            span=call_span,
            extra={"parse_error": f"{type(exc).__name__}: {exc}"},
        )


def _span_of(words: Sequence[Word]) -> Span:
    if not words:
        return UNKNOWN_SPAN
    first, last = words[0].span, words[-1].span
    return Span(first.line, first.column, last.end_line, last.end_column)


def _may_expand_to_many(word: Word) -> bool:
    """A word the shell may turn into zero or several argv words."""
    if word.literal:
        return False
    raw = word.raw or word.text
    if any(marker in raw for marker in _SPLAT_MARKERS):
        return True
    # An unquoted expansion is split on IFS (`codex exec $FLAGS "p"`): any number of words.
    return bool(word.raw) and "$" in raw and '"' not in raw and "'" not in raw


def _is_splat(word: Word) -> bool:
    """An array or positional-parameter expansion: any number of words, whatever the quoting."""
    raw = word.raw or word.text
    return any(marker in raw for marker in _SPLAT_MARKERS)


def _looks_like_flag(word: Word) -> bool:
    text = word.text
    return len(text) > 1 and text.startswith("-")


def _parse(words: tuple[Word, ...], grammar: Grammar, call_span: Span) -> CodexCall:
    state = _State(grammar=grammar)
    i = 1
    while i < len(words) and not state.other:
        word = words[i]
        if not state.end_of_options and word.text == "--" and word.literal:
            state.end_of_options = True
            i += 1
        elif not state.end_of_options and _looks_like_flag(word):
            i = _read_flag(state, words, i)
        else:
            _read_positional(state, word)
            i += 1
    if state.other:
        _read_unmodelled_overrides(state, words, i)
    return _build(state, words, call_span)


def _read_unmodelled_overrides(state: _State, words: tuple[Word, ...], i: int) -> None:
    """The rest of a sub-command the grammar has no table for (top-level `codex review`, which
    runs a model): only its `-c` overrides are read, as the top level's own (every codex command
    takes `-c key=value`: `codex review --help`), so `-c sandbox_mode="danger-full-access"` or a
    key in `shell_environment_policy.set` after it is seen. Nothing else there is judged."""
    while i < len(words):
        text = words[i].text
        if text == "--" and words[i].literal:
            return
        if text.startswith("-c") or text == "--config" or text.startswith("--config="):
            i = _read_flag(state, words, i)
        else:
            i += 1


def _read_positional(state: _State, word: Word) -> None:
    if _may_expand_to_many(word):
        state.dynamic = True
        state.splats.append(word)
        return
    if word.literal and not state.end_of_options:
        target = state.level.subcommand(word.text)
        if target is not None:
            _enter(state, target, word)
            return
    state.positionals.append(word)


def _enter(state: _State, path: str, word: Word) -> None:
    """Switch to a sub-command; its positionals start afresh (clap hands it the rest)."""
    if not path or state.grammar.command(path) is None:
        state.other = True
    else:
        state.path = path
    state.sub_word = word
    state.positionals = []
    state.splats = []


# --- options -----------------------------------------------------------------------------------


def _read_flag(state: _State, words: tuple[Word, ...], i: int) -> int:
    """Read the option at ``words[i]``; returns the index of the next unread word."""
    word = words[i]
    if word.text.startswith("--"):
        name, eq, inline = word.text.partition("=")
        return _apply_flag(state, words, i, name, inline if eq else None)
    # A short cluster: switches first, then at most one value-taking short with its value
    # glued (`-sread-only`, `-s=read-only`, observed accepted on 0.169.0) or in the next word.
    text = word.text
    for j in range(1, len(text)):
        name = "-" + text[j]
        rest = text[j + 1 :]
        takes_value = _takes_value(state, name)
        if takes_value or not rest:
            glued = rest.removeprefix("=") if rest else None
            return _apply_flag(state, words, i, name, glued)
        _apply_flag(state, words, i, name, None)
        if any(u.word is word and u.text == name for u in state.unknown):
            return i + 1  # clap stops at the first error in a cluster
    return i + 1


def _takes_value(state: _State, name: str) -> bool:
    spec = state.level.flag(name)
    if spec is not None:
        return spec.takes_value
    rejected = state.level.rejection(name)
    if rejected is not None:
        return rejected.takes_value
    other = any_flag_spec(name)
    return other is not None and other.takes_value


def _apply_flag(
    state: _State, words: tuple[Word, ...], i: int, name: str, inline: str | None
) -> int:
    word = words[i]
    spec = state.level.flag(name)
    if spec is None:
        return _reject_flag(state, words, i, name, inline)
    if not spec.takes_value:
        if inline is not None:
            state.reject(name, word, reason_unexpected_value(spec.long))
        else:
            _record(state, spec, FlagUse(name=spec.long, value=None, word=word))
        return i + 1
    value, nxt = _value_of(words, i, inline)
    if value is None:
        state.reject(name, word, reason_missing_value(spec.long))
        return nxt
    if spec.multi:
        nxt = _swallow(state, words, nxt)
    if _may_expand_to_many(value) and _is_splat(value):
        # `-C $REPO`: an unquoted expansion in a value position is one word in practice (its
        # word splitting is ShellCheck's finding); only an array or "$@" stays unknowable.
        state.dynamic = True
    if spec.choices and value.literal and value.text not in spec.choices:
        state.reject(name, value, reason_invalid_value(value.text, spec.long))
        return nxt
    _record(state, spec, FlagUse(name=spec.long, value=value, word=word))
    return nxt


def _value_of(words: tuple[Word, ...], i: int, inline: str | None) -> tuple[Word | None, int]:
    """The value word of the option at ``i`` and the index after it."""
    word = words[i]
    if inline is not None:
        # Glued value: a Word of its own over the same span, so findings still point at it.
        return replace(word, text=inline, raw=inline if word.literal else word.raw), i + 1
    if i + 1 >= len(words):
        return None, i + 1
    nxt = words[i + 1]
    # clap takes no value that looks like an option (`-C --help`: "a value is required").
    if _looks_like_flag(nxt) and nxt.literal:
        return None, i + 1
    return nxt, i + 2


def _swallow(state: _State, words: tuple[Word, ...], j: int) -> int:
    """``num_args = 1..``: take every following word that does not start with '-'."""
    while j < len(words) and not words[j].text.startswith("-"):
        state.swallowed.append(words[j].text)
        j += 1
    return j


def _record(state: _State, spec: FlagSpec, use: FlagUse) -> None:
    repeated = any(u.path == state.path and u.spec.long == spec.long for u in state.uses)
    if repeated and not spec.repeatable:
        state.reject(use.word.text.partition("=")[0], use.word, reason_repeated(spec.long))
        return
    state.uses.append(_Use(path=state.path, spec=spec, flag=use))


def _reject_flag(
    state: _State, words: tuple[Word, ...], i: int, name: str, inline: str | None
) -> int:
    word = words[i]
    reason, takes_value = _why_rejected(state, name)
    state.reject(name, word, reason)
    intended = any_flag_spec(name)
    if intended is not None and intended.implies_sandbox and not takes_value:
        # `--full-auto` on 0.169.0 is rejected (CG903), but it still says which sandbox the
        # author meant: read it, so the run is not also reported as having no sandbox (CG301).
        state.uses.append(
            _Use(path=state.path, spec=intended, flag=FlagUse(intended.long, None, word))
        )
    if takes_value and inline is None:
        # Consume its value so `codex exec -a never "p"` does not read "never" as the prompt.
        value, nxt = _value_of(words, i, None)
        return nxt if value is not None else i + 1
    return i + 1


def _why_rejected(state: _State, name: str) -> tuple[str, bool]:
    """Why the current level refuses ``name``, and whether it would have taken a value."""
    grammar, path = state.grammar, state.path
    rejected = state.level.rejection(name)
    if rejected is not None:
        return rejected.reason, rejected.takes_value
    anywhere = any_flag_spec(name)
    takes_value = anywhere is not None and anywhere.takes_value
    in_this_version = any(cmd.flag(name) for cmd in grammar.commands.values())
    if not in_this_version:
        # Name the first supported version without it, not the target: `--full-auto` is "removed in
        # 0.169.0" whether the run targets 0.169.0 or 0.171.0.
        first_without = grammar.version
        for older in older_versions(grammar.version):
            if any(cmd.flag(name) for cmd in grammar_for(older).commands.values()):
                return reason_removed(first_without), takes_value
            first_without = older
        return REASON_UNKNOWN, takes_value
    if path:
        parent = path.rsplit(" ", 1)[0] if " " in path else ""
        parent_spec = grammar.command(parent)
        if parent and parent_spec is not None and parent_spec.flag(name) is not None:
            return reason_before_subcommand(path), takes_value
        top = grammar.command("")
        if top is not None and top.flag(name) is not None:
            return reason_top_level_only(path.split(" ", 1)[0]), takes_value
    return REASON_UNKNOWN, takes_value


# --- building the call -------------------------------------------------------------------------


def _build(state: _State, words: tuple[Word, ...], call_span: Span) -> CodexCall:
    subcommand = Subcommand.OTHER if state.other else _SUBCOMMANDS[state.path]
    _check_conflicts(state)
    remote = _check_remote(state)
    fields: dict[str, object] = {}
    if not state.other:
        fields.update(_positional_fields(state, subcommand))
    fields.update(_sandbox_fields(state))
    fields.update(_option_fields(state))
    extra: dict[str, str] = {}
    if state.grammar.note:
        extra["grammar_note"] = state.grammar.note
    if state.swallowed:
        # A greedy `-i` took these words as images: a prompt among them is not a prompt.
        extra["image_swallowed"] = " ".join(state.swallowed)
    if any(u.spec.long in ("--help", "--version") for u in state.uses):
        extra["prints_and_exits"] = "1"  # codex prints help/version and runs nothing
    elif _model_free_command(state):
        extra["model_free"] = state.sub_word.text if state.sub_word is not None else ""
    model = _last_value(state, "--model")
    if model is not None:
        extra["model"] = model.text
    if remote is not None:
        # The agent (sandbox, working root, model) is configured on the app server, not here.
        extra["remote"] = remote.text
    return CodexCall(
        subcommand=subcommand,
        version=state.grammar.version,
        span=call_span,
        flags=tuple(u.flag for u in state.uses),
        unknown=tuple(state.unknown),
        dynamic_args=state.dynamic,
        extra=extra,
        **fields,  # type: ignore[arg-type]
    )


def _model_free_command(state: _State) -> bool:
    """A top-level command that never starts a model session (grammar.MODEL_FREE_COMMANDS: `mcp`,
    `logout`, `completion`, ...), named by a literal word. `login` has its own sub-commands."""
    word = state.sub_word
    return (
        state.other
        and state.path == ""  # entered from the top level
        and word is not None
        and word.literal
        and word.text in MODEL_FREE_COMMANDS
    )


def _check_conflicts(state: _State) -> None:
    for path in {u.path for u in state.uses}:
        spec = state.grammar.command(path)
        if spec is None:
            continue
        used = {u.spec.long: u for u in state.uses if u.path == path}
        for first, second in spec.conflicts:
            if first in used and second in used:
                use = used[first]
                state.reject(use.flag.word.text.partition("=")[0], use.flag.word,
                             reason_conflict(first, second))  # fmt: skip


def _remote_on_exec(state: _State) -> bool:
    """The table's exec levels take --remote (0.171.0 on); before, only the top level had it."""
    exec_spec = state.grammar.command("exec")
    return exec_spec is not None and exec_spec.flag("--remote") is not None


def _check_remote(state: _State) -> Word | None:
    """What 0.171.0 refuses next to ``--remote`` (exit 1, before connecting; observed flag by flag,
    see grammar.REMOTE_ALLOWED). Returns the address word when the run is remote."""
    if state.other or not _is_exec_level(state.path) or not _remote_on_exec(state):
        return None
    remote = next((u for u in state.uses if u.spec.long == "--remote"), None)
    if remote is None:
        auth = next((u for u in state.uses if u.spec.long == "--remote-auth-token-env"), None)
        if auth is not None:
            state.reject(auth.flag.word.text.partition("=")[0], auth.flag.word, REMOTE_AUTH_REFUSAL)
        return None
    for use in state.uses:
        if use.spec.long not in REMOTE_ALLOWED:
            state.reject(use.flag.word.text.partition("=")[0], use.flag.word, REMOTE_REFUSAL)
    if state.path in ("exec review", "exec fork"):
        anchor = state.sub_word if state.sub_word is not None else remote.flag.word
        state.reject(anchor.text, anchor, REMOTE_SUBCOMMAND_REFUSAL)
    elif state.path == "exec resume" and any(u.spec.long in ("--last", "--all")
                                             for u in state.uses):  # fmt: skip
        state.reject(remote.flag.word.text, remote.flag.word, REMOTE_RESUME_REFUSAL)
    return remote.flag.value


def _positional_fields(state: _State, subcommand: Subcommand) -> dict[str, object]:
    level = state.level
    slots = list(level.positionals)
    words = list(state.positionals)
    out: dict[str, object] = {}
    # A word known only at run time may be a flag (`"$MODE"` holding `--yolo`), so the count
    # of positionals is certain only when every one of them is literal.
    certain = not state.dynamic and all(w.literal for w in words)
    for extra_word in words[len(slots) :]:
        if certain:
            state.reject(extra_word.text, extra_word, REASON_UNEXPECTED_ARGUMENT)
    words = words[: len(slots)]
    last = any(u.spec.long == "--last" for u in state.uses)
    if subcommand is Subcommand.RESUME and last and len(words) == 1:
        # FACTS.md: with --last there is no SESSION_ID; the one positional is the PROMPT.
        slots = ["PROMPT"]
    assigned = dict(zip(slots, words, strict=False))
    if len(words) < level.required_positionals and not state.dynamic:
        missing = slots[len(words)]
        anchor = state.sub_word if state.sub_word is not None else state.positionals[0]
        state.reject(anchor.text, anchor, reason_missing_positional(missing, level.path))
    if "SESSION_ID" in assigned:
        out["session_id"] = assigned["SESSION_ID"]
    prompt = assigned.get("PROMPT")
    if prompt is None and "PROMPT" in slots and state.splats:
        splat = state.splats[0]
        # An unquoted `$PROMPT` is almost always the prompt itself; an array or "$@" is unknown.
        if not any(marker in (splat.raw or splat.text) for marker in _SPLAT_MARKERS):
            prompt = splat
    if prompt is not None:
        out["prompt"] = prompt
        is_dash = prompt.literal and prompt.text == "-"
        out["prompt_source"] = PromptSource.STDIN if is_dash else PromptSource.POSITIONAL
    return out


def _is_exec_level(path: str) -> bool:
    return path == "exec" or path.startswith("exec ")


def _sandbox_fields(state: _State) -> dict[str, object]:
    """The effective sandbox, by the precedence observed on 0.169.0 (run banners):

    1. the bypass flag wins over everything: `exec -s read-only --yolo` and `--yolo exec -s
       read-only` both run `sandbox: danger-full-access`;
    2. else a sandbox flag of exec (or of exec before `resume`) wins over a top-level one
       (FACTS.md: `codex -s danger-full-access exec -s read-only` runs read-only); a switch that
       selects a sandbox (`--approve-for-me`, 0.139.0's `--full-auto`) counts as such a flag;
    3. else any -s beats any `-c sandbox_mode=` (observed: `-c sandbox_mode=danger-full-access
       -s read-only` runs read-only);
    4. else the last `-c default_permissions=` (a permission profile, 0.171.0) wins over any
       `-c sandbox_mode=` in either order (observed on 0.171.0, run banners);
    5. else the last `-c sandbox_mode=` wins (observed: exec's -c after a top-level one).
    A profile's sandbox is the engine's to map (SandboxSource.PROFILE); it is not read here.
    """
    bypass = next((u for u in state.uses if u.spec.long == _BYPASS), None)
    out: dict[str, object] = {}
    if bypass is not None:
        out.update(bypass=True, bypass_word=bypass.flag.word)
        out.update(sandbox="danger-full-access", sandbox_source=SandboxSource.BYPASS,
                   sandbox_word=bypass.flag.word)  # fmt: skip
        return out
    flags = [u for u in state.uses if u.spec.long == "--sandbox" or u.spec.implies_sandbox]
    exec_flags = [u for u in flags if _is_exec_level(u.path)]
    candidates = exec_flags or flags
    chosen = candidates[-1] if candidates else None
    if chosen is not None:
        if chosen.spec.implies_sandbox:
            mode: str | None = chosen.spec.implies_sandbox
            where = chosen.flag.word
        else:
            value = chosen.flag.value
            where = value if value is not None else chosen.flag.word
            mode = value.text if value is not None and value.literal else None
        out.update(sandbox=mode, sandbox_source=SandboxSource.FLAG, sandbox_word=where)
        return out
    profile = _permission_profile_fields(state)
    if profile:
        return profile
    overrides = [o for o in _config_overrides(state) if o[0] == "sandbox_mode"]
    if overrides:
        _key, mode, where = overrides[-1]
        # A mode name survives only if no expansion touched the value (`$X` in a trailing comment
        # of `-c "sandbox_mode=\"danger-full-access\" # $X"` does not change it).
        known = mode in SANDBOX_MODES
        out.update(sandbox=mode if known else None,
                   sandbox_source=SandboxSource.CONFIG_OVERRIDE, sandbox_word=where)  # fmt: skip
    return out


def _permission_profile_fields(state: _State) -> dict[str, object]:
    """``-c default_permissions=":danger-full-access"`` as a sandbox source (FACTS.md 0.171.0).

    A built-in profile maps to its sandbox; an unknown built-in (``:workspace-write``) is refused by
    the binary (CG903); a named profile (no ``:``) lives in a ``[permissions]`` table the call
    cannot see, so the sandbox is said but not known.
    """
    overrides = [o for o in _config_overrides(state) if o[0] == "default_permissions"]
    if not overrides:
        return {}
    _key, raw_value, where = overrides[-1]
    sandbox = permission_profile_sandbox(raw_value) if where.literal else None
    if where.literal and raw_value.startswith(":") and sandbox is None:
        state.reject(where.text, where, reason_unknown_permission_profile(raw_value))
    return {"sandbox": sandbox, "sandbox_source": SandboxSource.CONFIG_OVERRIDE,
            "sandbox_word": where}  # fmt: skip


def _config_overrides(state: _State) -> list[tuple[str, str, Word]]:
    """Every `-c key=value` in order: (key, the value as codex reads it, the value word)."""
    out: list[tuple[str, str, Word]] = []
    for use in state.uses:
        if use.spec.long != "--config" or use.flag.value is None:
            continue
        key, value = split_config_override(use.flag.value.text)
        out.append((key, config_value_text(value), use.flag.value))
    return out


def _config(state: _State) -> list[ConfigOverride]:
    out: list[ConfigOverride] = []
    for use in state.uses:
        if use.spec.long == "--config" and use.flag.value is not None:
            key, value = split_config_override(use.flag.value.text)
            out.append(ConfigOverride(key=key, value=value, word=use.flag.value))
    return out


def split_config_override(text: str) -> tuple[str, object]:
    """`-c key=value` as codex reads it (help: "The value portion is parsed as TOML. If it fails
    to parse as TOML, the raw string is used as a literal"): split at the first `=`, key and value
    trimmed; the key is taken as written, so a quoted key (`"sandbox_mode"=...`) is another key
    (observed on 0.169.0: it leaves the sandbox read-only). A value that is not TOML loses its
    surrounding quotes (observed: `sandbox_mode="danger-full-access` runs danger-full-access)."""
    key, _, raw = text.partition("=")
    return key.strip(), parse_config_value(raw.strip())


def parse_config_value(raw: str) -> object:
    """The value of a `-c` override as TOML (escapes, multi-line strings, arrays, inline tables
    and trailing comments included), else the raw string with its quotes stripped."""
    import tomllib  # only on a `-c`: the hook's hot path never reaches it

    try:
        return tomllib.loads(f"_x_ = {raw}")["_x_"]
    except (tomllib.TOMLDecodeError, KeyError, ValueError, RecursionError):
        return raw.strip().strip("\"'")


def config_value_text(value: object) -> str:
    """A string value as it is; anything else as TOML-ish text (for messages and matching)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _last_value(state: _State, long: str, *, exec_first: bool = False) -> Word | None:
    uses = [u for u in state.uses if u.spec.long == long and u.flag.value is not None]
    if exec_first:
        # FACTS.md: exec's own option wins over the top-level one (observed for -s and -C).
        uses = [u for u in uses if _is_exec_level(u.path)] or uses
    return uses[-1].flag.value if uses else None


def _option_fields(state: _State) -> dict[str, object]:
    def has(long: str) -> bool:
        return any(u.spec.long == long for u in state.uses)

    ephemeral = next((u for u in state.uses if u.spec.long == "--ephemeral"), None)
    return {
        "cd": _last_value(state, "--cd", exec_first=True),
        "add_dirs": tuple(
            u.flag.value for u in state.uses if u.spec.long == "--add-dir" and u.flag.value
        ),
        "profile": _last_value(state, "--profile", exec_first=True),
        "output_last_message": _last_value(state, "--output-last-message"),
        "json": has("--json"),
        "output_schema": _last_value(state, "--output-schema"),
        "ephemeral": ephemeral is not None,
        "ephemeral_word": ephemeral.flag.word if ephemeral is not None else None,
        "last": has("--last"),
        "config_overrides": tuple(_config_overrides(state)),
        "config": tuple(_config(state)),
        # `codex login --with-api-key [status]`: the login level's flag (accepted before `status`).
        "with_api_key": any(
            u.spec.long == "--with-api-key" and u.path == "login" for u in state.uses
        ),
    }
