"""The trust model: who may loosen the billing and full-access rules (README "Trust model").

The runtime doors (exec shim, PATH shim, hooks, `check`) answer to whoever installed them, not to
the repository they run in. So at those doors the user-level config (or the defaults) is the base,
and a repository's config is laid over it key by key, with one limit: it may tighten the floor
rules (`FLOOR_RULES`: CG101-CG103, CG303) and the runtime keys, never loosen them. `lint` reads the
repository config as it is and reports each loosening as CG905 (`loosenings` below says what they
are; `door_settings` is what the doors run with).

Pure functions over `Settings`: no PyYAML, no pydantic (the hook calls this on its slow path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from guard.fastclass import dataclass, replace
from guard.settings import FLOOR_RULES, RUNTIME_DEFAULTS, Settings

LEVEL_RANK = {"info": 0, "warning": 1, "error": 2}
# For each runtime key: its values, most permissive first.
RUNTIME_ORDER: dict[str, tuple[str, ...]] = {
    "hook.on-error": ("allow", "deny"),
    "exec.on-error": ("allow", "refuse"),
    "hook.deny-on": ("error", "warning", "info"),
    "exec.refuse-on": ("error", "warning", "info"),
    "exec.force-chatgpt-login": ("off", "on"),
}

KeyPath = tuple[str, ...]
KnownRules = Callable[[], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Loosening:
    """One config key that would loosen the floor: where it is, what it does, what to do."""

    key: KeyPath  # the key as the file spells it: ("ignore",), ("severity", "CG101"), ...
    value: str | None  # the item of a list the finding points at (`CG1` in `ignore: [CG1]`)
    message: str
    fix: str


def matches(rule: str, patterns: Iterable[str]) -> bool:
    """`rule` is one of the ids, or starts with one of the prefixes (`CG1`, `CG`)."""
    return any(rule.startswith(pattern) for pattern in patterns)


def enabled(rule: str, settings: Settings) -> bool:
    if settings.select and not matches(rule, settings.select):
        return False
    return not matches(rule, settings.ignore)


def _floor_on(settings: Settings) -> tuple[str, ...]:
    """The floor rules this base keeps on (the user config may switch one off)."""
    return tuple(rule for rule in FLOOR_RULES if enabled(rule, settings))


def _floor_text(rules: Iterable[str]) -> str:
    return ", ".join(rules)


# --- what a config loosens (relative to a base: the defaults for lint) -------------------------


def loosenings(config: Settings, base: Settings | None = None) -> list[Loosening]:
    """Every key of `config` that would loosen the floor relative to `base` (default: defaults).

    The doors leave each of these out (`door_settings`); `lint` reports them as CG905.
    """
    base = base if base is not None else Settings()
    protected = _floor_on(base)
    return [
        *_ignore_loosenings(config, protected),
        *_select_loosenings(config, protected),
        *_severity_loosenings(config, base, protected),
        *_env_and_host_loosenings(config, base),
        *_runtime_loosenings(config, base),
    ]


def _ignore_loosenings(config: Settings, protected: tuple[str, ...]) -> list[Loosening]:
    places: list[tuple[KeyPath, str, str]] = [(("ignore",), "`ignore`", p) for p in config.ignore]
    places += [
        (("per-file-ignores", glob), f"`per-file-ignores` for {glob!r}", pattern)
        for glob, ids in config.per_file_ignores
        for pattern in ids
    ]
    found: list[Loosening] = []
    for key, what, pattern in places:
        covered = [rule for rule in protected if rule.startswith(pattern)]
        if covered:
            found.append(
                Loosening(
                    key,
                    pattern,
                    f"{what} entry `{pattern}` covers {_floor_text(covered)}, which a "
                    "repository's config cannot switch off at the runtime doors",
                    f"list only the rules meant (not `{pattern}`), or ignore "
                    f"{_floor_text(covered)} in the user config",
                )
            )
    return found


def _select_loosenings(config: Settings, protected: tuple[str, ...]) -> list[Loosening]:
    left_out = [rule for rule in protected if config.select and not matches(rule, config.select)]
    if not left_out:
        return []
    return [
        Loosening(
            ("select",),
            None,
            f"`select` leaves out {_floor_text(left_out)}, which the runtime doors check anyway",
            f"add {_floor_text(left_out)} to `select`",
        )
    ]


def _severity_loosenings(
    config: Settings, base: Settings, protected: tuple[str, ...]
) -> list[Loosening]:
    base_levels = dict(base.severity)
    return [
        Loosening(
            ("severity", rule),
            None,
            f"`severity: {rule}: {level}` lowers a billing/full-access rule below error, which "
            "the runtime doors do not accept from a repository",
            f"remove the override of {rule} (or set it to error)",
        )
        for rule, level in config.severity
        if rule in protected and not _severity_allowed(level, base_levels.get(rule))
    ]


def _env_and_host_loosenings(config: Settings, base: Settings) -> list[Loosening]:
    found: list[Loosening] = []
    dropped = [key for key in base.forbidden_env if key not in config.forbidden_env]
    if dropped:
        found.append(
            Loosening(
                ("forbidden-env",),
                None,
                f"`forbidden-env` drops {', '.join(dropped)}; the runtime doors add this list to "
                "the default keys, never replace them",
                f"keep {', '.join(dropped)} in `forbidden-env` and add the extra keys after them",
            )
        )
    if config.sandboxed_host and not base.sandboxed_host:
        found.append(
            Loosening(
                ("sandboxed-host",),
                None,
                "`sandboxed-host: true` in a repository does not allow danger-full-access at the "
                "runtime doors: only the user config can declare the host sandboxed",
                "remove it here; on a host that is externally sandboxed, set it in "
                "~/.config/codex-guard/config.yaml",
            )
        )
    if config.billing != "subscription" and base.billing == "subscription":
        found.append(
            Loosening(
                ("billing",),
                None,
                f"`billing: {config.billing}` in a repository does not allow API keys at the "
                "runtime doors: only the user config can bill CI to the API",
                "remove it here; a team that bills CI to the API on purpose sets `billing: "
                "api-in-ci` in ~/.config/codex-guard/config.yaml on its CI runners",
            )
        )
    return found


def _runtime_loosenings(config: Settings, base: Settings) -> list[Loosening]:
    found: list[Loosening] = []
    for key, order in RUNTIME_ORDER.items():
        value = config.extra.get(key)
        if isinstance(value, str) and _looser(key, value, _runtime(base, key)):
            section, _, name = key.partition(".")
            found.append(
                Loosening(
                    (section, name),
                    None,
                    f"`{key}: {value}` relaxes the {section} door, which a repository's config "
                    f"cannot do (it may only move {' -> '.join(order)})",
                    f"remove `{key}` here (the default is {RUNTIME_DEFAULTS[key]}); relax it in "
                    "the user config if you must",
                )
            )
    return found


def _severity_allowed(level: str, base_level: str | None) -> bool:
    """A floor rule's override may only be `error`, or no lower than the user's own override."""
    if level == "error":
        return True
    return base_level is not None and LEVEL_RANK[level] >= LEVEL_RANK.get(base_level, 2)


def _runtime(settings: Settings, key: str) -> str:
    value = settings.extra.get(key)
    return str(value) if isinstance(value, str) else RUNTIME_DEFAULTS[key]


def _looser(key: str, value: str, than: str) -> bool:
    order = RUNTIME_ORDER[key]
    if value not in order or than not in order:
        return value != than  # an unknown value is never taken as a tightening
    return order.index(value) < order.index(than)


# --- what the doors run with -------------------------------------------------------------------


def _union(first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


def _merged_pairs(
    base: Iterable[tuple[str, str]], over: Iterable[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    merged = dict(base)
    merged.update(dict(over))
    return tuple(merged.items())


def _keep_floor_ignore(
    patterns: tuple[str, ...], protected: tuple[str, ...], known: KnownRules
) -> tuple[str, ...]:
    """`patterns` with every one that covers a protected rule replaced by the rules it may still
    cover: `ignore: [CG1]` keeps CG104 ignored and CG101-CG103 on."""
    kept: list[str] = []
    for pattern in patterns:
        if not any(rule.startswith(pattern) for rule in protected):
            kept.append(pattern)
            continue
        kept.extend(
            rule for rule in sorted(known()) if rule.startswith(pattern) and rule not in protected
        )
    return tuple(dict.fromkeys(kept))


def _keep_floor_select(select: tuple[str, ...], protected: tuple[str, ...]) -> tuple[str, ...]:
    if not select:
        return select
    return _union(select, (rule for rule in protected if not matches(rule, select)))


def _door_severity(
    base: Settings, repo: Settings, protected: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    base_levels = dict(base.severity)
    merged = dict(base_levels)
    for rule, level in repo.severity:
        if rule in protected and not _severity_allowed(level, base_levels.get(rule)):
            continue  # a floor rule below error: the user's own level (or the rule's) stands
        merged[rule] = level
    return tuple(merged.items())


def _door_runtime(base: Settings, repo: Settings) -> dict[str, object]:
    extra = dict(base.extra)
    for key in RUNTIME_ORDER:
        value = repo.extra.get(key)
        if isinstance(value, str) and not _looser(key, value, _runtime(base, key)):
            extra[key] = value
    return extra


def door_settings(base: Settings, repo: Settings | None, root: str, known: KnownRules) -> Settings:
    """The settings a runtime door runs with: `base` (the user config, or the defaults) with the
    repository's `repo` laid over it key by key, every loosening of the floor left out.

    `root` is the folder relative paths are judged from when there is no repository config;
    `known` gives every rule id (called only when an ignore prefix covers a floor rule).
    """
    protected = _floor_on(base)
    if repo is None:
        return replace(base, root=root)
    said = set(repo.explicit)
    select = repo.select if "select" in said else base.select
    ignore = repo.ignore if "ignore" in said else base.ignore
    per_file = repo.per_file_ignores if "per-file-ignores" in said else base.per_file_ignores
    forbidden = base.forbidden_env
    if "forbidden-env" in said:
        forbidden = _union(base.forbidden_env, repo.forbidden_env)  # a union: never drops a key
    sandboxed = base.sandboxed_host
    if "sandboxed-host" in said:
        sandboxed = base.sandboxed_host and repo.sandboxed_host  # may turn it off, never on
    return replace(
        repo,
        select=_keep_floor_select(select, protected),
        ignore=_keep_floor_ignore(ignore, protected, known),
        severity=_door_severity(base, repo, protected),
        per_file_ignores=tuple(
            (glob, _keep_floor_ignore(ids, protected, known)) for glob, ids in per_file
        ),
        forbidden_env=forbidden,
        lanes=_merged_pairs(base.lanes, repo.lanes),
        profile_sandboxes=_merged_pairs(base.profile_sandboxes, repo.profile_sandboxes),
        sandboxed_host=sandboxed,
        workspace=repo.workspace if "workspace" in said else base.workspace,
        strict=base.strict or repo.strict,
        codex_version=repo.codex_version if "codex-version" in said else base.codex_version,
        rules_dirs=_union(base.rules_dirs, repo.rules_dirs),
        fail_on=repo.fail_on if "fail-on" in said else base.fail_on,
        hook_fail_closed=base.hook_fail_closed or repo.hook_fail_closed,
        refuse_exit_code=(
            repo.refuse_exit_code if "hook.refuse-exit-code" in said else base.refuse_exit_code
        ),
        extra=_door_runtime(base, repo),
        # billing: a repository may go back to `subscription`, never away from it
        billing="subscription"
        if "billing" in said and repo.billing == "subscription"
        else base.billing,
    )
