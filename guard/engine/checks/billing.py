"""CG1xx: billing and auth. The inviolable rule: subscription, never per-token API billing."""

from __future__ import annotations

import os

from guard.codex.call import Subcommand
from guard.codex.envpolicy import set_names
from guard.engine.configlayers import LayerKind, layer_span, write_bases
from guard.engine.context import CheckContext, Hit, Invocation
from guard.engine.writes import script_writes, target_name
from guard.fastclass import dataclass
from guard.findings import Severity
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.model import (
    STARTUP_FORMS,
    Command,
    EnvBinding,
    EnvFileLoad,
    EnvOrigin,
    Span,
    Word,
)
from guard.sources.snippet import RunContext

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the hook's codex path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path  # imported where used: the hook's codex path does without pathlib

    from guard.engine.doorhome import DoorHome
    from guard.shell.model import Script
    from guard.sources.snippet import Snippet

# What an API-key auth.json looks like (FACTS.md: `codex login --with-api-key` writes
# `"auth_mode": "apikey"` and the key).
APIKEY_AUTH = lazy_compile(r"\"?auth_mode\"?\s*:\s*\"?apikey|OPENAI_API_KEY\"?\s*:", re.IGNORECASE)


# Subscription auth, never a billing finding whatever the config lists: `CODEX_ACCESS_TOKEN` is
# a ChatGPT/Codex workspace token (FACTS.md, 0.171.0: `codex login --with-access-token`).
SUBSCRIPTION_AUTH_ENV = frozenset({"CODEX_ACCESS_TOKEN"})
WIDE_KEY_MESSAGE = (
    "{key} is set for the whole workflow or job, where every step (and the repository code it "
    "runs) can read it; `billing: api-in-ci` allows the key on the codex step only"
)
WIDE_KEY_FIX = (
    "Move the key from the workflow/job `env:` to the `env:` of the step that runs codex (or the "
    "codex-action step's `openai-api-key` input), as OpenAI's CI advice says."
)

# openai/codex-action hands `openai-api-key` to a loopback API proxy for codex (FACTS.md).
ACTION_KEY_MESSAGE = (
    "the `openai-api-key` input bills every token of this codex-action run to the API account "
    "(billing: subscription)"
)
ACTION_KEY_FIX = (
    "Run codex under the ChatGPT subscription (a self-hosted runner logged in with `codex login`, "
    "or `codex login --with-access-token` from CODEX_ACCESS_TOKEN), or, if this team bills CI to "
    "the API on purpose, set `billing: api-in-ci` in the runner's user config."
)


def _forbidden(ctx: CheckContext) -> set[str]:
    return set(ctx.settings.forbidden_env) - SUBSCRIPTION_AUTH_ENV


def api_keys_allowed_here(ctx: CheckContext) -> bool:
    """`billing: api-in-ci` (a user-config choice at the doors: guard/trust.py) lets a key reach
    codex in a CI step; everywhere else the subscription rule stands."""
    return ctx.settings.billing == "api-in-ci" and ctx.snippet.context is RunContext.CI


def _key_bindings(ctx: CheckContext, command: Command) -> Iterator[EnvBinding]:
    """Forbidden keys in the command's env (the model already dropped what `sudo` resets)."""
    if api_keys_allowed_here(ctx):
        return iter(())  # set on the step's own command line: as narrow as a key gets
    forbidden = _forbidden(ctx)
    # EnvOrigin.EXTERNAL: the snippet's own env, reported from external_env (_external_keys)
    return (b for b in command.env if b.name in forbidden and b.origin is not EnvOrigin.EXTERNAL)


def _external_keys(ctx: CheckContext, command: Command) -> Iterator[tuple[str, int]]:
    """Forbidden keys set around the snippet (a workflow `env:`, the agent's or the shim's real
    env) that reach the command: not unset, `env -u`'d, `env -i`'d or reset by sudo on the way.
    Under `billing: api-in-ci` in CI only the workflow- and job-wide ones."""
    forbidden = _forbidden(ctx)
    allowed = api_keys_allowed_here(ctx)
    for name, _value, line in ctx.snippet.external_env:
        if allowed and line not in ctx.snippet.wide_env_lines:
            continue
        if name in forbidden and command.env_var(name) is None and command.inherits(name):
            yield name, line


def api_key_in_env(ctx: CheckContext) -> Iterator[Hit]:
    """CG101: a forbidden key is in the environment the codex run gets."""
    for inv in ctx.invocations:
        if not inv.call.reaches_model:
            continue  # `--version`, `mcp list`, `login status`: the key is never used to bill
        for binding in _key_bindings(ctx, inv.command):
            related = () if binding.origin is EnvOrigin.PREFIX else ((binding.span, "set here"),)
            yield Hit(span=inv.command.span, related=related, params={"key": binding.name})
        action_key = {line for what, _v, line in ctx.snippet.declared if what == "openai-api-key"}
        # The codex-action input first: one finding a line, and it is the one to name.
        keys = sorted(_external_keys(ctx, inv.command), key=lambda k: k[1] not in action_key)
        for name, line in keys:
            where = Span(line, 1, line, 1) if line > 0 else inv.command.span
            wide = api_keys_allowed_here(ctx)
            message = WIDE_KEY_MESSAGE.format(key=name) if wide else None
            if line in action_key:
                message = ACTION_KEY_MESSAGE
            yield Hit(
                span=inv.command.span,
                message=message,
                fix=WIDE_KEY_FIX if wide else (ACTION_KEY_FIX if line in action_key else None),
                related=((where, "set here"),) if line > 0 else (),
                params={"key": name},
            )
        if inv.is_run:
            yield from _provider_key_hits(ctx, inv)
        if inv.is_run or inv.call.subcommand is Subcommand.OTHER:  # `codex review -c ...` too
            yield from _policy_set_hits(ctx, inv)
    if ctx.plan is not None:
        yield from _script_call_hits(ctx)


def _passes(name: str, commands: tuple[Command, ...]) -> bool:
    """The caller's `name` reaches the last of `commands` through the others: none sets its own
    (there its own line reports it) or drops it (`env -u`, `unset`, `env -i`)."""
    return all(c.env_var(name) is None and c.inherits(name) for c in commands)


SCRIPT_KEY_MESSAGE = (
    "{key} is in the environment `{call}` gives script `{name}`, and reaches its codex run "
    "(script `{target}`): codex bills every token to the API account"
)


def _run_place(ctx: CheckContext, snippet: Snippet, inv: Invocation) -> tuple[str, Span]:
    """Where another script's codex run stands in the file (a related location of its call)."""
    where = ctx.place(snippet, inv.command.span)
    return where.path, Span(where.line, where.column, where.end_line, where.end_column)


def _script_call_hits(ctx: CheckContext) -> Iterator[Hit]:
    """CG101 where a package script runs another (`cross-env OPENAI_API_KEY=$K npm run review`)
    and a forbidden key this command gets reaches a codex run of that script (not set there
    itself, where its own line reports it, nor removed on the way: `env -u`, `unset`)."""
    from guard.shell.scriptruns import package_scripts

    for command in ctx.script.commands:
        calls = package_scripts(command.argv)
        if not calls:
            continue
        keys = list(_key_bindings(ctx, command))
        if not keys:
            continue
        runs = [
            (called, *run)
            for called in calls
            for run in ctx.script_runs(*called)
            if run[1].call.reaches_model
        ]
        for binding in keys:
            name = binding.name
            reached = next(
                (
                    (called, snippet, inv)
                    for called, snippet, inv, via in runs
                    if _passes(name, (*via, inv.command))
                ),
                None,
            )
            if reached is None:
                continue
            called, snippet, inv = reached
            path, span = _run_place(ctx, snippet, inv)
            related = () if binding.origin is EnvOrigin.PREFIX else ((binding.span, "set here"),)
            call = " ".join(w.text for w in command.argv)
            yield Hit(
                span=command.span,
                message=SCRIPT_KEY_MESSAGE.format(
                    key=name, call=call, name=called[0], target=snippet.script_name
                ),
                related=related,
                related_files=((path, span, f"the codex run of `{snippet.script_name}`"),),
                params={"key": name},
            )


# --- shell_environment_policy.set: a key codex puts into every command it spawns ----------------


def _nested(parts: tuple[str, ...], value: object) -> object:
    """`-c a.b.c=V` as the table it stands for ({a: {b: {c: V}}}); quoted key parts unquoted."""
    for part in reversed(parts):
        value = {part.strip("\"'"): value}
    return value


def _policy_set_names(table: object) -> list[str]:
    """The names `[shell_environment_policy] set = {...}` gives every spawned command, from a
    whole config table (`include_only`, applied last, may drop them again)."""
    policy = table.get("shell_environment_policy") if isinstance(table, dict) else None
    return set_names(policy) if isinstance(policy, dict) else []


def _policy_set_hits(ctx: CheckContext, inv: Invocation) -> Iterator[Hit]:
    """A forbidden key that `shell_environment_policy.set` (a `-c` override, or a config layer the
    run reads) puts into the env of every command this codex run spawns (FACTS.md: accepted):
    a nested codex, or any SDK the agent runs, bills the API with it. It is the env this codex
    invocation hands out, so CG101 (RULES.md's CG804 is the config-file rule, not a rule here)."""
    forbidden = _forbidden(ctx)
    for override in inv.call.config:
        for name in _policy_set_names(_nested(override.parts, override.value)):
            if name in forbidden:
                yield Hit(
                    span=override.word.span if override.word.span.line else inv.command.span,
                    message=f"`-c {override.key}=...` puts {name} into the environment of every "
                    "command this codex run spawns: a codex or an SDK started there bills the "
                    "API account",
                    params={"key": name},
                )
    said: set[str] = set()
    # Both views: an untrusted project's policy may add a key (codex reads it once trusted), but
    # must not drop one the home layers hand out (codex may not read it at all).
    for certain_only in (False, True):
        found = inv.layers.value("shell_environment_policy", "set", certain_only=certain_only)
        include_only = inv.layers.value(
            "shell_environment_policy", "include_only", certain_only=certain_only
        )
        if found is None or not isinstance(found.value, dict):
            continue
        policy: dict[str, object] = {"set": found.value}
        if include_only is not None:
            policy["include_only"] = include_only.value
        for name in set_names(policy):
            if name in forbidden and name not in said:
                said.add(name)
                yield Hit(
                    span=inv.command.span,
                    message=f"{found.where} sets {name} in shell_environment_policy.set: every "
                    "command this codex run spawns gets it, and a codex or an SDK started there "
                    "bills the API account",
                    related_files=((found.layer.file, layer_span(found), "set here"),),
                    params={"key": name},
                )


# A Codex home in a path: where an auth.json is the one codex reads.
CODEX_HOME_PATH = lazy_compile(r"\.codex/|CODEX_HOME|codex", re.IGNORECASE)
# A later check that the file holds the subscription login (the CI restore recipe).
CHATGPT_CHECK = lazy_compile(r"auth_mode\W+chatgpt|Logged in using ChatGPT", re.IGNORECASE)
# An OpenAI secret key or a bearer token, as a value given to codex.
SECRET_VALUE = lazy_compile(r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]+|\bBearer\s+\S")


def _flat(text: str) -> str:
    """JSON as the file will hold it: `\\"` escapes of a Python or shell string undone."""
    return text.replace('\\"', '"')


def _verified_chatgpt_after(ctx: CheckContext, command: Command) -> bool:
    return any(CHATGPT_CHECK.search(c.text) for c in ctx.commands_after(command))


def _auth_json_hits(ctx: CheckContext) -> Iterator[Hit]:
    """Every command that writes a Codex auth.json (see guard/engine/writes.py for the writers)."""
    for write in script_writes(ctx.script, write_bases(ctx.snippet, ctx.settings)):
        if target_name(write.target) != "auth.json":
            continue
        command = write.command
        known = write.content if write.content is not None else ""
        if APIKEY_AUTH.search(_flat(known)) or APIKEY_AUTH.search(_flat(command.text)):
            yield Hit(
                span=command.span,
                message="writes an API key into Codex's auth.json: codex will bill every "
                "token to the API account",
            )
        elif (
            not (write.content is not None and write.complete)
            and CODEX_HOME_PATH.search(write.target)
            and not _verified_chatgpt_after(ctx, command)
        ):
            yield Hit(
                span=command.span,
                severity=Severity.WARNING,
                message=f"writes Codex's auth.json ({write.target}) with content the linter "
                'cannot read: if it holds an API key or "auth_mode": "apikey", codex bills '
                'every token to the API account; check it for "auth_mode": "chatgpt" after '
                "writing it",
            )


def _secret_overrides(inv: Invocation) -> Iterator[Hit]:
    """An API key or bearer token given to codex in a `-c` override."""
    for override in inv.call.config:
        if override.key == "forced_login_method" and override.value == "api":
            yield Hit(
                span=override.word.span if override.word.span.line else inv.command.span,
                message='`-c forced_login_method="api"` makes codex use API-key auth: every '
                "token is billed to the API account",
            )
            continue
        named = override.parts[-1] == "experimental_bearer_token"
        shown = repr(override.value) if not isinstance(override.value, str) else override.value
        if named or SECRET_VALUE.search(shown):
            yield Hit(
                span=override.word.span if override.word.span.line else inv.command.span,
                message=f"`-c {override.key}=...` hands codex an API key or bearer token on "
                "its command line: codex bills every token to that API account (and the "
                "secret sits in the process list and shell history)",
            )


def _layer_bearer_tokens(inv: Invocation, provider: str | None) -> Iterator[Hit]:
    if provider is None:
        return
    found = inv.layers.value(
        "model_providers", provider, "experimental_bearer_token", kinds=HOME_LAYERS
    )
    if found is not None:
        yield Hit(
            span=inv.command.span,
            message=f"provider {provider} carries a bearer token in {found.where}: codex bills "
            "every token to that API account",
            related_files=((found.layer.file, layer_span(found), "bearer token set here"),),
        )


def api_key_login(ctx: CheckContext) -> Iterator[Hit]:
    """CG102: `codex login --with-api-key`, an API-key auth.json written by any writer, or an API
    key / bearer token handed to codex as configuration."""
    if api_keys_allowed_here(ctx):
        return  # `billing: api-in-ci`: an API-key login on a CI step is the billing chosen
    for inv in ctx.invocations:
        if inv.call.subcommand is Subcommand.LOGIN and inv.call.with_api_key:
            yield Hit(span=inv.command.span)
        if inv.is_run:
            yield from _secret_overrides(inv)
            yield from _layer_bearer_tokens(inv, _provider_in_use(inv))
    yield from _auth_json_hits(ctx)
    for inv, mode, path, said in _codex_home_logins(ctx):
        if mode == "apikey":
            yield Hit(
                span=inv.command.span,
                message=f"{said} is logged in with an API key "
                f"(auth_mode: apikey in {path}): every token of this run is billed to the "
                "API account",
            )


# --- a Codex home named on the command line: its auth.json says which billing -------------------


# What `_codex_home_logins` asks first, imported at its first call and kept: it runs twice a
# snippet, and a `from` import in a function costs ~8,000 instructions on CPython 3.11.
_HOME_READERS: list[tuple[str, Callable[[Snippet, Script, Command], DoorHome | None]]] = []


def _home_readers() -> tuple[str, Callable[[Snippet, Script, Command], DoorHome | None]]:
    if not _HOME_READERS:
        # doorhome's copy of the hook's path: guard/runtime/hook.py is not imported for it (a
        # lint's first codex run loaded the whole hook module for this one string).
        from guard.engine.doorhome import HOOK_PATH, door_home

        _HOME_READERS.append((HOOK_PATH, door_home))
    return _HOME_READERS[0]


def _codex_home_logins(ctx: CheckContext) -> Iterator[tuple[Invocation, str, Path, str]]:
    """(run, mode, auth.json, how the line names the home) for each run whose Codex home is a
    literal folder that exists (guard/engine/doorhome.py: `CODEX_HOME=DIR`, or `HOME=DIR` with no
    CODEX_HOME), read at the doors that answer for this machine now (the hooks and `check`; never
    `lint`, whose scripts run elsewhere; the exec shim reads the real login itself). mode is
    `apikey`, or `unreadable` when auth.json is there but is no regular file it can read (a FIFO
    is never opened for a blocking read: see guard/runtime/auth.py)."""
    hook_path, door_home = _home_readers()
    if ctx.snippet.path != hook_path:
        return
    for inv in ctx.runs():
        home = door_home(ctx.snippet, ctx.script, inv.command)
        if home is None or home.folder is None or not os.path.isdir(home.folder):
            continue  # an unsettled folder is CG902 (checks/linter.py), never the wrong one read
        # Here, not at the top: auth imports pathlib, which a run without CODEX_HOME never needs.
        from pathlib import Path

        from guard.runtime.auth import AuthFileError, read_auth_mode_strict

        path = Path(home.folder) / "auth.json"
        try:
            mode = read_auth_mode_strict(path)
        except AuthFileError:
            yield inv, "unreadable", path, home.said
            continue
        if mode == "apikey":
            yield inv, mode, path, home.said


# --- custom providers: an env_key bills the API under any name ---------------------------------

# Only the home layers choose a provider: a project config's model_provider is ignored (observed).
HOME_LAYERS = frozenset({LayerKind.HOME, LayerKind.PROFILE})


@dataclass(frozen=True, slots=True)
class ProviderKey:
    """The variable a custom provider bills with (`model_providers.NAME.env_key`)."""

    name: str
    provider: str
    where: tuple[str, Span] | None  # a config layer's line, when a layer set it
    word: Word | None  # the `-c` word, when an override set it


def _provider_in_use(inv: Invocation) -> str | None:
    said = inv.call.config_value("model_provider")
    if said is not None:
        value = said[0]
        if isinstance(value, str) and "$" not in value and "`" not in value:
            return value
        return None
    layered = inv.layers.value("model_provider", kinds=HOME_LAYERS)
    return layered.value if layered is not None and isinstance(layered.value, str) else None


def _providers_on_command_line(inv: Invocation) -> list[str]:
    """Providers this run's `-c` overrides define an env_key for (in use when nothing else says)."""
    names: list[str] = []
    for override in inv.call.config:
        if override.parts[0] == "model_providers" and len(override.parts) >= 2:
            if override.parts[1] not in names:
                names.append(override.parts[1])
        elif override.parts == ("model_providers",) and isinstance(override.value, dict):
            names.extend(n for n in override.value if n not in names)
    return names


def provider_keys(inv: Invocation) -> list[ProviderKey]:
    """The variables the run's model provider bills with: `-c` first, then the home layers."""
    provider = _provider_in_use(inv)
    candidates = [provider] if provider is not None else _providers_on_command_line(inv)
    keys: list[ProviderKey] = []
    for name in candidates:
        said = inv.call.config_value(f"model_providers.{name}.env_key")
        if said is not None:
            value, word = said
            if isinstance(value, str) and value:  # `$NAME`: still says a variable bills
                keys.append(ProviderKey(value, name, None, word))
            continue
        layered = inv.layers.value("model_providers", name, "env_key", kinds=HOME_LAYERS)
        if layered is not None and isinstance(layered.value, str) and layered.value:
            where = (layered.layer.file, layer_span(layered))
            keys.append(ProviderKey(layered.value, name, where, None))
    return keys


def _provider_key_hits(ctx: CheckContext, inv: Invocation) -> Iterator[Hit]:
    forbidden = set(ctx.settings.forbidden_env)
    for key in provider_keys(inv):
        elsewhere = ((key.where[0], key.where[1], "env_key set here"),) if key.where else ()
        said = (
            ((key.word.span, "env_key set here"),)
            if key.word is not None and key.word.span.line
            else ()
        )
        binding = inv.command.env_var(key.name)
        external = [
            line
            for name, _v, line in ctx.snippet.external_env
            if name == key.name and inv.command.inherits(key.name)
        ]
        why = f"model_providers.{key.provider}.env_key names it"
        fix = (
            f"Run on the ChatGPT login: drop the `{key.provider}` provider (model_provider and its "
            f"env_key) from this run's config, and keep {key.name} out of codex's environment "
            f"(`env -u {key.name} codex ...`)."
        )
        if binding is not None or external:
            if key.name in forbidden:
                continue  # the forbidden-env check already reports it
            line = external[0] if external else 0
            where = binding.span if binding is not None else Span(line, 1, line, 1)
            set_here = ((where, "set here"),) if binding is not None or line > 0 else ()
            yield Hit(
                span=inv.command.span,
                message=f"{key.name} is in the environment of this codex run and {why}: codex "
                "bills every token to that API account",
                fix=fix,
                related=(*set_here, *said),
                related_files=elsewhere,
                params={"key": key.name},
            )
        else:
            # A runtime door sees only the forbidden keys of the real env, not this one: it
            # cannot tell, so it refuses (fail closed). Lint names the variable as a warning.
            blind = ctx.snippet.context in (RunContext.RUNTIME, RunContext.AGENT)
            yield Hit(
                span=inv.command.span,
                severity=Severity.ERROR if blind else Severity.WARNING,
                message=f"codex bills this run through provider {key.provider} with the API "
                f"key in ${key.name} ({why}): per-token API billing under another name"
                + (
                    "; whether it is set cannot be checked here, so the run is refused"
                    if blind
                    else ""
                ),
                fix=fix,
                related=said,
                related_files=elsewhere,
                params={"key": key.name},
            )


def _file_sets_key(path: Path, keys: tuple[str, ...]) -> str | None:
    from guard import filereads
    from guard.regularfile import read_regular

    filereads.note(filereads.FILE, path)  # the lint cache re-checks the env file
    data = read_regular(path)
    if data is None:
        return None
    text = data.decode("utf-8", "replace")
    for key in keys:
        if re.search(rf"^\s*(export\s+)?{re.escape(key)}\s*=", text, re.MULTILINE):
            return key
    return None


def _beside(ctx: CheckContext, name: str) -> Path:
    """`name` in the linted file's folder."""
    from pathlib import Path

    return Path(ctx.snippet.path).parent / name


_HOME_PREFIXES = ("~/", "$HOME/", "${HOME}/")


def _env_file(ctx: CheckContext, command: Command, path: str, literal: bool) -> Path | None:
    """The file an env load reads: beside the linted file; at the doors (a command about to run
    on this machine: guard/engine/doorhome.py) `~/F`, `$HOME/F` is F in the home the command
    runs with (`source ~/.bashrc && codex exec ...`: the user's own file, which may export the
    key). `lint` never reads this machine's home: the script runs elsewhere."""
    from guard.engine.doorhome import at_door

    home_prefix = next((p for p in _HOME_PREFIXES if path.startswith(p)), None)
    if home_prefix is None:
        return _beside(ctx, path) if literal else None
    rest = path[len(home_prefix) :]
    if not at_door(ctx.snippet) or "$" in rest or "`" in rest:
        return None
    from pathlib import Path

    binding = command.env_var("HOME")
    if binding is not None:
        value = binding.value
        if value is None or not value.literal or "$" in value.text:
            return None  # a HOME the command sets to a value not known here
        home: str | None = value.text
    else:
        home = os.environ.get("HOME")
    return Path(home) / rest if home else None


def _startup_file(
    ctx: CheckContext, command: Command, load: EnvFileLoad
) -> tuple[Path | None, str]:
    """The start-up file a new shell reads (`bash -lc`: the first of ~/.bash_profile,
    ~/.bash_login, ~/.profile that exists; `bash -ic`: ~/.bashrc), and its name as written:
    only at the doors, in the home the command runs with (as `_env_file` reads `source
    ~/.bashrc`). `lint` neither reads this machine's home nor reports a shell's start-up: the
    script runs elsewhere, and every login shell would be a warning."""
    from guard.engine.doorhome import at_door

    if not at_door(ctx.snippet):
        return None, load.path
    for name in (load.path, *load.alternatives):
        path = _env_file(ctx, command, name, True)
        if path is None:
            return None, name  # a home not known here: which file it reads is not either
        if path.exists():
            return path, name
    return None, load.path


def _keys_unset_between(ctx: CheckContext, after: int, before: int) -> bool:
    """Every forbidden key is unset after the env file is loaded and before the run."""
    unset = {u.name for u in ctx.script.unsets if after <= u.span.line <= before}
    return set(ctx.settings.forbidden_env) <= unset


def _keys_left(ctx: CheckContext, after: int, before: int) -> tuple[str, ...]:
    """The forbidden keys not unset after the env file is loaded and before the run."""
    unset = {u.name for u in ctx.script.unsets if after <= u.span.line <= before}
    return tuple(k for k in ctx.settings.forbidden_env if k not in unset)


def env_file_injection(ctx: CheckContext) -> Iterator[Hit]:
    """CG103: env loaded from a file the linter cannot see through, before a codex run; or, at
    the hooks and `check`, a CODEX_HOME whose auth.json cannot be read (billing unknown)."""
    for inv, mode, path, said in _codex_home_logins(ctx):
        if mode == "unreadable":
            yield Hit(
                span=inv.command.span,
                message=f"{said} has an auth.json that cannot be read as a "
                f"file ({path}): which billing this codex run uses cannot be settled",
                params={"path": str(path)},
            )
    for inv in ctx.runs():
        for load in inv.command.env_files:
            if _keys_unset_between(ctx, load.span.line, inv.command.span.line):
                continue
            startup = load.form in STARTUP_FORMS
            if startup:
                # `bash -lc 'codex ...'`: its profile, read only at the doors (see _startup_file)
                found, shown = _startup_file(ctx, inv.command, load)
            else:
                found, shown = _env_file(ctx, inv.command, load.path, load.literal), load.path
            # (a key the file sets that is unset before the run does not reach it)
            still = _keys_left(ctx, load.span.line, inv.command.span.line)
            key = _file_sets_key(found, still) if found else None
            if key:
                note = f"the {load.form} shell reads it here" if startup else "loaded here"
                yield Hit(
                    span=inv.command.span,
                    severity=Severity.ERROR,
                    message=f"{shown} sets {key}, and it is loaded into this codex run's "
                    "environment: codex bills every token to the API account",
                    related=((load.span, note),),
                    params={"key": key, "path": shown},
                )
            elif not startup:
                yield Hit(
                    span=inv.command.span,
                    related=((load.span, "loaded here"),),
                    params={"path": load.path},
                )
    if ctx.plan is not None:
        yield from _script_env_file_hits(ctx)


def _script_env_file_hits(ctx: CheckContext) -> Iterator[Hit]:
    """CG103 where a package script runs another with env loaded from a file (`dotenv -e .env
    npm run review`, `set -a; . ./.env; npm run review`) and that env reaches a codex run of
    the script it runs (no `env -i` on the way)."""
    from guard.shell.scriptruns import package_scripts

    for command in ctx.script.commands:
        if not command.env_files:
            continue
        reached = next(
            (
                (called, snippet, inv)
                for called in package_scripts(command.argv)
                for snippet, inv, via in ctx.script_runs(*called)
                if inv.call.reaches_model and not any(c.env_cleared for c in (*via, inv.command))
            ),
            None,
        )
        if reached is None:
            continue
        called, snippet, inv = reached
        path, span = _run_place(ctx, snippet, inv)
        elsewhere = ((path, span, f"the codex run of `{snippet.script_name}`"),)
        call = " ".join(w.text for w in command.argv)
        for load in command.env_files:
            if load.form in STARTUP_FORMS:
                continue  # (a shell's start-up files: read at the doors only)
            if _keys_unset_between(ctx, load.span.line, command.span.line):
                continue
            key = (
                _file_sets_key(_beside(ctx, load.path), ctx.settings.forbidden_env)
                if load.literal
                else None
            )
            said = f"{load.path} sets {key}, and it" if key else f"env loaded from {load.path}"
            yield Hit(
                span=command.span,
                severity=Severity.ERROR if key else None,
                message=f"{said} is in the environment `{call}` gives script `{called[0]}`, "
                f"and reaches its codex run (script `{snippet.script_name}`)"
                + (
                    ": codex bills every token to the API account"
                    if key
                    else "; if it sets an API key, the run bills per token"
                ),
                related=((load.span, "loaded here"),),
                related_files=elsewhere,
                params={"path": load.path, **({"key": key} if key else {})},
            )


# An auth gate: the login status read for the subscription line (its exit status is 0 for an
# API-key login too: FACTS.md), an empty-key test, or codex-guard itself in front.
AUTH_GATE = lazy_compile(
    r"Logged in using ChatGPT|\bcodex-guard\b"
    r"|-[zn]\s+\"?\$\{?(OPENAI_API_KEY|CODEX_API_KEY)\b|\$\{(OPENAI_API_KEY|CODEX_API_KEY):[+?]"
)


def _gated_before(ctx: CheckContext, line: int) -> bool:
    first = ctx.snippet.line_offset + 1
    lines = ctx.snippet.text.splitlines()[: max(0, line - first)]
    return any(AUTH_GATE.search(x) for x in lines if not x.lstrip().startswith("#"))


def no_auth_gate(ctx: CheckContext) -> Iterator[Hit]:
    """CG104 (strict): an unattended dispatch starts codex with no auth gate before it."""
    for inv in ctx.runs():
        if ctx.snippet.context.value == "runtime" or _gated_before(ctx, inv.command.span.line):
            continue
        yield Hit(span=inv.command.span)
        return  # one finding a snippet: the gate belongs at the top
