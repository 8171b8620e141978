"""Settings for the runtime doors: the user config as the base, the project's config over it.

The hook and the exec shim run in front of every command: with no config file present they must not
pay for PyYAML or pydantic, so the config loader is imported only once a config file is found.
"""

from __future__ import annotations

import os

from guard.settings import Settings

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the hook's codex path does not import typing
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

# The names guard.config.find_config looks for in each folder (CONFIG_NAMES, PYPROJECT), and the
# user config under `$XDG_CONFIG_HOME` (guard.config.user_config_path): only where one of these
# files exists is guard.config (and pathlib, ~4 ms on the hook's codex path) imported.
_CONFIG_FILE_NAMES = (".codex-guard.yaml", ".codex-guard.yml", "pyproject.toml")
_USER_CONFIG = ("codex-guard", "config.yaml")


class ConfigError(Exception):
    """The config file exists and cannot be used: one line, no traceback."""


def find_config(start: Path) -> Path | None:
    """The nearest `.codex-guard.yaml`, or a pyproject.toml with a `[tool.codex-guard]` table."""
    from guard.config import find_config as find

    try:
        return find(start.resolve())
    except OSError:
        return None


def load_runtime_settings(
    start: str | Path | None = None,
    explicit: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """The settings a runtime door runs with (README "Trust model").

    The user config (`$XDG_CONFIG_HOME/codex-guard/config.yaml`) is the base, else the defaults;
    the repository's config (`explicit`, else the one found from `start`, the cwd) is laid over it
    and may tighten the billing and full-access rules but never loosen them (guard/trust.py).
    `guard.config` imports PyYAML and pydantic only when it has a file to read, so the common case
    (no config) costs a few stats.
    """
    folder = os.fspath(start) if start is not None else os.getcwd()
    env = os.environ if env is None else env
    if explicit is None and not _config_files_may_exist(folder, env):
        return Settings(root=_path_text(folder))  # no config: the defaults (the common case)
    from pathlib import Path

    from guard.config import known_rule_ids, load_config, user_config_path

    where = Path(folder)
    user = user_config_path(env)
    repo = explicit if explicit is not None else find_config(where)
    if repo is None and not user.is_file():
        return Settings(root=str(where))
    from guard.runtime.sitepaths import ensure_site
    from guard.trust import door_settings

    ensure_site()  # PyYAML and pydantic live in site-packages
    try:
        base = load_config(user) if user.is_file() else Settings()
        repo_settings = load_config(repo) if repo is not None else None
        dirs = (*base.rules_dirs, *(repo_settings.rules_dirs if repo_settings else ()))
        return door_settings(base, repo_settings, str(where), lambda: known_rule_ids(dirs))
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(message) from None


def _config_files_may_exist(start: str, env: Mapping[str, str]) -> bool:
    """False when neither the user config nor any file find_config could return exists: each
    folder from `start` (resolved; its folder when it is not one) up to the root is looked at."""
    xdg = env.get("XDG_CONFIG_HOME", "")
    if not (xdg and os.path.isabs(xdg)):  # XDG: a relative XDG_CONFIG_HOME is ignored
        xdg = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    if os.path.isfile(os.path.join(xdg, *_USER_CONFIG)):
        return True
    try:
        folder = os.path.realpath(start)
    except (OSError, ValueError):
        return True  # find_config decides
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        if any(os.path.isfile(os.path.join(folder, name)) for name in _CONFIG_FILE_NAMES):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def _path_text(path: str) -> str:
    """`str(Path(path))`, without importing pathlib for a path it would not change."""
    odd = "//" in path or "/./" in path or path.endswith(("/", "/.")) or path.startswith("./")
    if path not in ("", ".") and not odd:
        return path
    from pathlib import Path

    return str(Path(path))


def extra_setting(settings: Settings, key: str, default: str) -> str:
    """A runtime-only key (`hook.on-error`, `exec.refuse-on`, ...) kept in `Settings.extra`."""
    value = settings.extra.get(key)
    if value is None:
        # guard.config may nest the tables instead of flattening them
        section, _, name = key.partition(".")
        table = settings.extra.get(section)
        if isinstance(table, dict):
            value = table.get(name)
    return default if value is None else str(value)
