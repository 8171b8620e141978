"""Settings for the runtime doors: the project's config when there is one, defaults otherwise.

The hook and the exec shim run in front of every command: with no config file present they must not
pay for PyYAML or pydantic, so the config loader is imported only once a config file is found.
"""

from __future__ import annotations

import os
from pathlib import Path

from guard.settings import Settings

CONFIG_NAMES = (".codex-guard.yaml", ".codex-guard.yml")
PYPROJECT_TABLE = "[tool.codex-guard"


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
    where = start if start is not None else Path(os.getcwd())
    try:
        from guard.config import load_config
    except ImportError:  # pragma: no cover - guard.config ships with the package
        config = explicit if explicit is not None else _find_config_minimal(where)
        return Settings(root=str(where)) if config is None else _minimal_settings(config)
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


def _find_config_minimal(start: Path) -> Path | None:
    try:
        here = start.resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        try:
            if pyproject.is_file() and PYPROJECT_TABLE in pyproject.read_text(errors="replace"):
                return pyproject
        except OSError:
            pass
    return None


def _minimal_settings(config: Path) -> Settings:
    """Fallback reader for the keys the runtime doors need (used only if guard.config is absent)."""
    data = _read_config_mapping(config)
    hook = data.get("hook") if isinstance(data.get("hook"), dict) else {}
    exec_ = data.get("exec") if isinstance(data.get("exec"), dict) else {}
    assert isinstance(hook, dict) and isinstance(exec_, dict)
    forbidden = data.get("forbidden-env")
    workspace = data.get("workspace")
    extra: dict[str, object] = {}
    for key, value in hook.items():
        extra[f"hook.{key}"] = value
    for key, value in exec_.items():
        extra[f"exec.{key}"] = value
    return Settings(
        forbidden_env=tuple(str(k) for k in forbidden)
        if isinstance(forbidden, list)
        else Settings().forbidden_env,
        sandboxed_host=bool(data.get("sandboxed-host", False)),
        workspace=str((config.parent / str(workspace)).resolve()) if workspace else None,
        strict=bool(data.get("strict", False)),
        codex_version=str(data["codex-version"]) if data.get("codex-version") else None,
        root=str(config.parent),
        hook_fail_closed=bool(hook.get("fail-closed", False)),
        refuse_exit_code=int(exec_.get("refuse-exit-code", 3)),
        extra=extra,
    )


def _read_config_mapping(config: Path) -> dict[str, object]:
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config}: cannot read: {exc}") from None
    try:
        if config.name == "pyproject.toml":
            import tomllib

            table = tomllib.loads(text).get("tool", {}).get("codex-guard", {})
        else:
            import yaml

            table = yaml.safe_load(text) or {}
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{config}: {first}") from None
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: the config is a mapping")
    return {str(k): v for k, v in table.items()}


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
