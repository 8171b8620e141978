"""Settings for the runtime doors: the project's config when there is one, defaults otherwise.

The hook and the exec shim run in front of every command: with no config file present they must not
pay for PyYAML or pydantic, so the config loader is imported only once a config file is found.
"""

from __future__ import annotations

import os
from pathlib import Path

from guard.settings import Settings


class ConfigError(Exception):
    """The config file exists and cannot be used: one line, no traceback."""


def find_config(start: Path) -> Path | None:
    """The nearest `.codex-guard.yaml`, or a pyproject.toml with a `[tool.codex-guard]` table."""
    from guard.config import find_config as find

    try:
        return find(start.resolve())
    except OSError:
        return None


def load_runtime_settings(start: Path | None = None, explicit: Path | None = None) -> Settings:
    """Settings from `explicit`, else the config found from `start` (cwd), else the defaults.

    `guard.config` imports PyYAML and pydantic only when it has a file to read, so the common case
    (no config) costs a few stats.
    """
    from guard.config import load_config

    where = start if start is not None else Path(os.getcwd())
    config = explicit if explicit is not None else find_config(where)
    if config is None:
        return Settings(root=str(where))
    from guard.runtime.sitepaths import ensure_site

    ensure_site()  # PyYAML and pydantic live in site-packages
    try:
        return load_config(config)
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(message) from None


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
