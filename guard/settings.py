"""Settings: the resolved configuration the engine and the runtime doors read.

A plain frozen dataclass so the hook's hot path does not import pydantic; ``guard/config.py``
validates the user's file (with pydantic) and builds one of these.
"""

from __future__ import annotations

import os

from guard import cachedir
from guard.fastclass import dataclass, field

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the hook's codex path does not import typing
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def cache_dir(part: str, env: Mapping[str, str] = os.environ) -> Path:
    """`$XDG_CACHE_HOME/codex-guard/<part>` (default `~/.cache`): every cache of codex-guard."""
    from pathlib import Path  # not at the top: the hook's codex path reads no Path

    return Path(cachedir.cache_dir(part, env))


DEFAULT_FORBIDDEN_ENV: tuple[str, ...] = ("OPENAI_API_KEY", "CODEX_API_KEY")
LANES: tuple[str, ...] = ("worker", "validator", "net-validator", "interactive")

# The billing and full-access rules: a repository's config may tighten them but never loosen them
# at the runtime doors (README "Trust model"); only the user config or the environment may.
FLOOR_RULES: tuple[str, ...] = ("CG101", "CG102", "CG103", "CG303")

# Runtime-only keys, kept in `Settings.extra` under these dotted names, with their defaults.
RUNTIME_DEFAULTS: dict[str, str] = {
    "hook.on-error": "deny",
    "hook.deny-on": "error",
    "exec.on-error": "refuse",
    "exec.refuse-on": "error",
    # guard/runtime/forcelogin.py: the doors add `-c forced_login_method="chatgpt"` to codex runs
    "exec.force-chatgpt-login": "on",
}


@dataclass(frozen=True, slots=True)
class Settings:
    select: tuple[str, ...] = ()  # rule ids or prefixes ("CG2"); empty = all
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (rule id, severity) overrides
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, rule ids)
    exclude: tuple[str, ...] = ()  # gitignore-style patterns
    forbidden_env: tuple[str, ...] = DEFAULT_FORBIDDEN_ENV
    lanes: tuple[tuple[str, str], ...] = ()  # (profile name, lane)
    profile_sandboxes: tuple[tuple[str, str], ...] = ()  # (profile name, sandbox mode)
    sandboxed_host: bool = False  # the host is externally sandboxed: danger-full-access allowed
    workspace: str | None = None  # root for path-escape (CG504); None = the config's folder
    strict: bool = False
    codex_version: str | None = None  # target codex-cli version; None = newest table
    rules_dirs: tuple[str, ...] = ()  # a team's own YAML rules
    fail_on: str = "warning"
    root: str = "."  # folder the config was found in
    hook_fail_closed: bool = False
    refuse_exit_code: int = 3
    extra: dict[str, object] = field(default_factory=dict)  # runtime keys ("hook.on-error", ...)
    # The keys the config file set itself (`sandboxed-host`, `hook.fail-closed`, ...): the doors
    # merge a repository config over the user config key by key, and an unset key changes nothing.
    explicit: tuple[str, ...] = ()
    # `subscription` (the default): any forbidden key reaching codex is an error. `api-in-ci`: a
    # key is allowed on a CI step that runs codex, still flagged workflow- or job-wide.
    billing: str = "subscription"
    packets: tuple[str, ...] = ()  # gitignore-style globs of extra dispatch-packet files

    def lane_for_profile(self, profile: str) -> str | None:
        return dict(self.lanes).get(profile)

    def sandbox_for_profile(self, profile: str) -> str | None:
        return dict(self.profile_sandboxes).get(profile)
