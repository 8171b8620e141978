"""How codex's `shell_environment_policy` filters the env of the commands it spawns.

FACTS.md, and checked with `codex sandbox -- env` on 0.171.0: inherit, default excludes,
exclude, set, then include_only."""

from __future__ import annotations

from guard.lazyre import lazy_re as re  # re itself at its first use

# Names `shell_environment_policy` drops unless `ignore_default_excludes` is true (its default:
# observed on 0.171.0 with `codex sandbox -- env`, an ambient OPENAI_API_KEY reaches the command).
DEFAULT_EXCLUDES = ("*KEY*", "*SECRET*", "*TOKEN*")


def env_glob(pattern: str, name: str) -> bool:
    """codex's env-name patterns: case-insensitive, `*` and `?` only."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch("".join(parts), name, re.IGNORECASE) is not None


def patterns(value: object) -> list[str]:
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []


def kept_by_include_only(policy: dict[str, object], name: str) -> bool:
    """`include_only` runs last: a name none of its patterns matches is dropped, even a name
    that `set` added."""
    include_only = patterns(policy.get("include_only"))
    return not include_only or any(env_glob(p, name) for p in include_only)


def set_names(policy: dict[str, object]) -> list[str]:
    """The names `set` gives a value and `include_only` keeps: what every spawned command gets."""
    given = policy.get("set")
    if not isinstance(given, dict):
        return []
    return [str(name) for name in given if kept_by_include_only(policy, str(name))]
