"""CG8xx: Codex's own config files (guard/sources/codexconfig.py hands each document over).

Every key read here is in /work/shared/codex-cli/FACTS.md or was tried on the real binary
(tests/sources/test_codex_config_realcli.py runs each fixture through `codex exec --strict-config`
with a throwaway CODEX_HOME, and `codex sandbox -- env` for what spawned commands receive).
"""

from __future__ import annotations

from guard.codex.envpolicy import DEFAULT_EXCLUDES, env_glob, patterns, set_names
from guard.engine.checks.billing import SUBSCRIPTION_AUTH_ENV, api_keys_allowed_here
from guard.engine.configlayers import (
    PERMISSION_PROFILES,
    LayerKind,
    TomlDoc,
    parse_toml,
    toml_get,
)
from guard.engine.context import CheckContext, Hit
from guard.fastclass import dataclass
from guard.findings import Severity
from guard.shell.model import Span
from guard.sources.codexconfig import CODEX_ONLY_KEYS, CONFIG_DOCUMENT, ConfigRole

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator

FULL_ACCESS = "danger-full-access"
# Legacy `[profiles.NAME]` tables are honoured by `-p NAME` on 0.139.0 (the skill's version);
# 0.169.0 and 0.171.0 refuse `-p NAME` while the table exists (observed, --strict-config or not).
LEGACY_PROFILES_VERSION = "0.139.0"
# Top-level keys that make a file recognisably a Codex config (FACTS.md, and accepted by
# `codex exec --strict-config` on 0.171.0 in tests/sources/test_codex_config_realcli.py): the
# keys only Codex uses, and the words other tools use too.
CODEX_KEYS = CODEX_ONLY_KEYS | {"model", "permissions", "profiles"}


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """One Codex config file under lint: its document, its role, and where its keys are."""

    doc: TomlDoc
    role: ConfigRole
    profile: str
    first_line: int = 1  # file line of the document's line 1 (a here-doc body sits lower)
    written: bool = False  # written by the script under lint, not a file of the repository

    def get(self, *key: str) -> object:
        return toml_get(self.doc.data, key)

    def span(self, *key: str) -> Span:
        line, column = self.doc.position(key)
        line += self.first_line - 1
        return Span(line, column, line, column)


def _config(ctx: CheckContext) -> ConfigFile | None:
    """The config document of this snippet, parsed once for all four rules."""
    if "codex-config" in ctx._memo:
        found: ConfigFile | None = ctx._memo["codex-config"]
        return found
    config: ConfigFile | None = None
    for fact in ctx.snippet.facts:
        if fact.rule != CONFIG_DOCUMENT or fact.message is None:
            continue
        params = dict(fact.params)
        doc = parse_toml(fact.message, ctx.snippet.path)
        if isinstance(doc, TomlDoc):  # the source already turned a syntax error into CG901
            config = ConfigFile(doc, ConfigRole(params["role"]), params.get("profile", ""))
    ctx._memo["codex-config"] = config
    return config


_ROLE = {LayerKind.HOME: ConfigRole.HOME, LayerKind.PROFILE: ConfigRole.PROFILE}


def _written_configs(ctx: CheckContext) -> list[ConfigFile]:
    """Config files a script writes before a codex run reads them (`cat >
    "$CODEX_HOME/config.toml" <<EOF`): judged like a file of the repository, at their lines in the
    script. A repository file copied there is linted as itself; CG803 is not repeated here, since
    CG303 already names the run and the config line."""
    if "written-configs" in ctx._memo:
        cached: list[ConfigFile] = ctx._memo["written-configs"]
        return cached
    found: dict[tuple[int, str], ConfigFile] = {}
    for inv in ctx.runs():
        for layer in inv.layers.layers:
            if not layer.written_to or layer.copied or layer.file != ctx.snippet.path:
                continue
            role = _ROLE.get(layer.kind, ConfigRole.PROJECT)
            profile = ""
            if role is ConfigRole.PROFILE:
                profile = layer.written_to.strip("'\"").rsplit("/", 1)[-1]
                profile = profile.removesuffix(".config.toml")
            config = ConfigFile(layer.doc, role, profile, layer.first_line, written=True)
            found.setdefault((layer.first_line, layer.written_to), config)
    configs = list(found.values())
    ctx._memo["written-configs"] = configs
    return configs


def _configs(ctx: CheckContext) -> list[ConfigFile]:
    """The Codex config file under lint, else the ones the script writes before a run."""
    config = _config(ctx)
    return [config] if config is not None else _written_configs(ctx)


def _api_billing_chosen(ctx: CheckContext, config: ConfigFile) -> bool:
    """`billing: api-in-ci` (a user-config choice at the doors: guard/trust.py): a Codex home
    kept in the repository is what a CI job points CODEX_HOME at, so its API auth is the billing
    chosen; a project's .codex/config.toml is read by every trusted run in the repository,
    a developer's and an agent's too, so there the subscription rule stands. A config a script
    writes follows the script: chosen in a CI step only, as a key on its command line is."""
    if config.written:
        return api_keys_allowed_here(ctx) and config.role is not ConfigRole.PROJECT
    return ctx.settings.billing == "api-in-ci" and config.role is not ConfigRole.PROJECT


# --- CG801 -----------------------------------------------------------------------------------


def config_api_auth(ctx: CheckContext) -> Iterator[Hit]:
    """CG801: the config forces API-key auth, prefers it (the old key), or picks a model
    provider that authenticates with an API key from the environment."""
    for config in _configs(ctx):
        if not _api_billing_chosen(ctx, config):
            yield from _api_auth(config)


def _api_auth(config: ConfigFile) -> Iterator[Hit]:
    if config.get("forced_login_method") == "api":
        yield Hit(
            span=config.span("forced_login_method"),
            message='`forced_login_method = "api"` makes codex refuse the ChatGPT login and run '
            "on an API key: every token is billed to the API account",
        )
    if config.get("preferred_auth_method") == "apikey":
        yield Hit(
            span=config.span("preferred_auth_method"),
            severity=Severity.WARNING,
            message='`preferred_auth_method = "apikey"` asks for API-key auth; codex 0.169.0 and '
            "newer no longer read it (`--strict-config` rejects it as an unknown field), a runner "
            "with an older codex still does",
        )
    if config.role is ConfigRole.PROJECT:
        return  # codex ignores model_provider(s) in a project layer (observed, configlayers.py)
    provider = config.get("model_provider")
    if not isinstance(provider, str):
        return
    env_key = config.get("model_providers", provider, "env_key")
    if isinstance(env_key, str) and env_key:
        yield Hit(
            span=config.span("model_provider"),
            related=((config.span("model_providers", provider, "env_key"), "env_key here"),),
            message=f'`model_provider = "{provider}"` authenticates with the API key in '
            f"${env_key} (`model_providers.{provider}.env_key`): per-token API billing, not the "
            "ChatGPT subscription",
        )


# --- CG802 -----------------------------------------------------------------------------------


def config_login_not_forced(ctx: CheckContext) -> Iterator[Hit]:
    """CG802: a Codex home's base config.toml that does not force the ChatGPT login. Profile
    layers and project configs sit on a home config, which is where the login is forced."""
    config = _config(ctx)
    if config is None or config.role is not ConfigRole.HOME or _api_billing_chosen(ctx, config):
        return
    if not CODEX_KEYS & config.doc.data.keys():
        return  # a `codex/config.toml` of some other program: nothing says it is Codex's
    forced = config.get("forced_login_method")
    if forced in ("chatgpt", "api"):
        return  # forced one way or the other ("api" is CG801)
    yield Hit(span=config.span("forced_login_method") if forced is not None else Span(1, 1, 1, 1))


# --- CG803 -----------------------------------------------------------------------------------


def _own_sandbox(table: dict[str, object]) -> tuple[str, str] | None:
    """The sandbox one table gives and the key that says it: `default_permissions` wins over
    `sandbox_mode` in the same file (observed on 0.169.0 and 0.171.0, configlayers.py)."""
    permissions = table.get("default_permissions")
    if isinstance(permissions, str):
        return PERMISSION_PROFILES.get(permissions, permissions), "default_permissions"
    mode = table.get("sandbox_mode")
    if isinstance(mode, str):
        return mode, "sandbox_mode"
    return None


def _full_access_message(who: str, key: str, value: object, approvals_off: bool) -> str:
    said = f'`{key} = "{value}"`'
    if approvals_off:
        return (
            f'{said} with `approval_policy = "never"` gives {who} neither approvals nor a '
            "sandbox (what `--dangerously-bypass-approvals-and-sandbox` does), on a host not "
            "declared sandboxed"
        )
    return f"{said} gives {who} no sandbox, on a host not declared sandboxed"


def _top_level_full_access(config: ConfigFile) -> Iterator[Hit]:
    data = config.doc.data
    own = _own_sandbox(data)
    if own is None or own[0] != FULL_ACCESS:
        return
    key = own[1]
    who = {
        ConfigRole.HOME: "every codex run under this Codex home",
        ConfigRole.PROFILE: f"every `codex exec -p {config.profile}` run",
        ConfigRole.PROJECT: "every codex run that trusts this project",
    }[config.role]
    approvals_off = data.get("approval_policy") == "never"
    yield Hit(
        span=config.span(key), message=_full_access_message(who, key, data.get(key), approvals_off)
    )


def _legacy_profiles_full_access(ctx: CheckContext, config: ConfigFile) -> Iterator[Hit]:
    profiles = config.get("profiles")
    if not isinstance(profiles, dict):
        return
    honoured = ctx.settings.codex_version == LEGACY_PROFILES_VERSION
    for name, table in profiles.items():
        # sandbox_mode only: what a legacy table set on 0.139.0 (configlayers.sandbox_setting)
        if not isinstance(table, dict) or table.get("sandbox_mode") != FULL_ACCESS:
            continue
        key = "sandbox_mode"
        approvals_off = table.get("approval_policy") == "never"
        who = f"`codex exec -p {name}` on codex 0.139.0 (this legacy `[profiles.{name}]` table)"
        message = _full_access_message(who, key, table.get(key), approvals_off)
        if not honoured:
            message += (
                f"; 0.169.0 and newer refuse `-p {name}` while the table exists: move it to "
                f"`{name}.config.toml` and narrow it"
            )
        yield Hit(
            span=config.span("profiles", name, key),
            message=message,
            severity=None if honoured else Severity.WARNING,
        )


def config_full_access_profile(ctx: CheckContext) -> Iterator[Hit]:
    """CG803: the config gives runs danger-full-access (by `sandbox_mode` or the built-in
    `:danger-full-access` permission profile), at the top or in a legacy `[profiles.X]` table,
    unless the host is declared externally sandboxed."""
    config = _config(ctx)
    if config is None or ctx.settings.sandboxed_host:
        return
    yield from _top_level_full_access(config)
    yield from _legacy_profiles_full_access(ctx, config)


# --- CG804 -----------------------------------------------------------------------------------


def _inherited(policy: dict[str, object], name: str) -> bool:
    """Whether an ambient `name` survives `inherit`, the default excludes and `exclude` (codex
    applies them in that order, then `set`, then `include_only`)."""
    if policy.get("inherit", "all") != "all":
        return False  # "core" keeps PATH, HOME and the like; "none" keeps nothing
    if policy.get("ignore_default_excludes", True) is False and any(
        env_glob(p, name) for p in DEFAULT_EXCLUDES
    ):
        return False
    return not any(env_glob(p, name) for p in patterns(policy.get("exclude")))


def config_env_passes_key(ctx: CheckContext) -> Iterator[Hit]:
    """CG804: `shell_environment_policy` puts a forbidden key into the commands codex spawns:
    `set` gives it a value, or `include_only` names it (a pattern written for it, not a bare `*`)
    while `inherit = "all"` lets the ambient one through."""
    forbidden = sorted(set(ctx.settings.forbidden_env) - SUBSCRIPTION_AUTH_ENV)
    for config in _configs(ctx):
        yield from _env_passes_key(config, forbidden)


def _env_passes_key(config: ConfigFile, forbidden: list[str]) -> Iterator[Hit]:
    policy = config.get("shell_environment_policy")
    if not isinstance(policy, dict):
        return
    include_only = patterns(policy.get("include_only"))
    values = policy.get("set")
    given = values if isinstance(values, dict) else {}
    kept = set_names(policy)
    for name in forbidden:
        if name in kept:
            yield Hit(
                span=config.span("shell_environment_policy", "set", name),
                params={"key": name},
                message=f"`shell_environment_policy.set` puts {name} into every command codex "
                "spawns: a nested codex or any API client there bills to the API account",
            )
    for name in forbidden:
        if name in given:
            continue
        naming = [p for p in include_only if env_glob(p, name) and p.strip("*?")]
        if naming and _inherited(policy, name):
            yield Hit(
                span=config.span("shell_environment_policy", "include_only"),
                params={"key": name},
                message=f'`shell_environment_policy.include_only` names {name} ("{naming[0]}") '
                "and inherits it: the key in codex's environment reaches every command it spawns",
            )
