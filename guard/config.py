"""The user's config: `.codex-guard.yaml` / `.codex-guard.yml` or `[tool.codex-guard]` in
pyproject.toml, found by walking up from a path, validated, and turned into `Settings`.

pydantic and PyYAML are imported only when a config file is actually loaded: the hook's hot path
must not pay for them when there is none. Errors are one line, `path:line: message`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Container, Iterable, Mapping

from guard import cachedir, fspaths, purepaths
from guard.settings import DEFAULT_FORBIDDEN_ENV, Settings, cache_dir

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

# pathlib is imported only where a config file is found (each function that builds a Path
# imports it): a lint of a tree with none looks for them with strings (guard/fspaths.py), and
# pathlib costs about 2.5 ms of the 85 of a lint of 1,000 workflows.

CONFIG_NAMES = (".codex-guard.yaml", ".codex-guard.yml")
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = "codex-guard"


class ConfigError(Exception):
    """A config file that cannot be used; `str()` is the one line to print."""


def _has_pyproject_table(path: Path | str) -> bool:
    try:
        with open(path, encoding="utf-8") as file:  # Path.read_text, without a Path
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return False
    # Cheap pre-check before parsing TOML: most pyproject files do not mention us at all.
    return "codex-guard" in text and _pyproject_table(text, path) is not None


def _pyproject_table(text: str, path: Path | str) -> dict[str, Any] | None:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}:{_toml_line(exc)}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get(PYPROJECT_TABLE)
    return table if isinstance(table, dict) else None


def _toml_line(exc: Exception) -> int:
    # tomllib puts "(at line N, column M)" in its message
    import re

    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else 1


def find_config(start: Path | str) -> Path | None:
    """The nearest config at or above `start` (a file or a folder), up to the filesystem root."""
    text = os.fspath(start)
    try:
        folder = fspaths.resolve(text)
    except (OSError, RuntimeError):
        folder = fspaths.absolute(text)
    if not fspaths.is_dir(folder):
        folder = os.path.dirname(folder)  # absolute and clean: its dirname is Path.parent
    while True:
        found = config_in(folder)
        if found is not None:
            return found
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def config_in(folder: Path | str, names: Container[str] | None = None) -> Path | None:
    """The config that sits in `folder` itself, if any (find_config's step, one folder). With
    `names`, the folder's listing as the walk just read it, lower-cased: a name not in it is not
    looked for (one `stat` fewer per config name and walked folder); one in it is still checked
    a file. Lower-cased because a case-insensitive file system (macOS, Windows) finds
    `.Codex-Guard.yaml` for `.codex-guard.yaml`, and the walk must find what `isfile` finds."""
    base = os.fspath(folder)  # strings, not Path: asked once per walked folder
    for name in CONFIG_NAMES:
        if (names is None or name in names) and os.path.isfile(os.path.join(base, name)):
            from pathlib import Path

            return Path(base, name)
    if names is not None and PYPROJECT not in names:
        return None
    pyproject = os.path.join(base, PYPROJECT)
    if not os.path.isfile(pyproject):
        return None
    try:
        ours = _has_pyproject_table(pyproject)  # (most pyproject.toml files are not)
    except ConfigError:
        ours = True  # a broken pyproject that mentions us: let loading report it
    if not ours:
        return None
    from pathlib import Path

    return Path(base, PYPROJECT)


# --- validation -------------------------------------------------------------------------------


@functools.cache
def _model() -> Any:
    """The pydantic model, built on first use (imports pydantic), once a process: building its
    three classes costs about 8 ms, once per config file before (600 configs: 5 s)."""
    from typing import Literal

    from pydantic import BaseModel, ConfigDict, Field

    Level = Literal["error", "warning", "info"]
    Lane = Literal["worker", "validator", "net-validator", "interactive"]
    Sandbox = Literal["read-only", "workspace-write", "danger-full-access"]

    class HookModel(BaseModel):
        model_config = ConfigDict(extra="forbid")
        fail_closed: bool = Field(False, alias="fail-closed")
        refuse_exit_code: int = Field(3, alias="refuse-exit-code", ge=1, le=255)
        on_error: Literal["allow", "deny"] = Field("deny", alias="on-error")
        deny_on: Level = Field("error", alias="deny-on")

    class ExecModel(BaseModel):
        model_config = ConfigDict(extra="forbid")
        on_error: Literal["allow", "refuse"] = Field("refuse", alias="on-error")
        refuse_on: Level = Field("error", alias="refuse-on")
        force_chatgpt_login: bool = Field(True, alias="force-chatgpt-login")

    class ConfigModel(BaseModel):
        model_config = ConfigDict(extra="forbid")
        select: list[str] = []
        ignore: list[str] = []
        severity: dict[str, Level] = {}
        per_file_ignores: dict[str, list[str] | str] = Field({}, alias="per-file-ignores")
        exclude: list[str] = []
        forbidden_env: list[str] = Field(list(DEFAULT_FORBIDDEN_ENV), alias="forbidden-env")
        lanes: dict[str, Lane] = {}
        profile_sandboxes: dict[str, Sandbox] = Field({}, alias="profile-sandboxes")
        sandboxed_host: bool = Field(False, alias="sandboxed-host")
        workspace: str | None = None
        strict: bool = False
        codex_version: str | None = Field(None, alias="codex-version")
        rules: list[str] = []
        fail_on: Level = Field("warning", alias="fail-on")
        hook: HookModel = Field(default_factory=lambda: HookModel.model_validate({}))
        exec_: ExecModel = Field(default_factory=lambda: ExecModel.model_validate({}), alias="exec")
        billing: Literal["subscription", "api-in-ci"] = "subscription"
        packets: list[str] = []

    return ConfigModel


def _ids(values: list[str] | str) -> tuple[str, ...]:
    parts = values.split(",") if isinstance(values, str) else values
    return tuple(p.strip().upper() for p in parts if p.strip())


def _set_keys(model: Any, prefix: str = "") -> list[str]:
    """The keys the file itself set, as it spells them (`sandboxed-host`, `hook.fail-closed`)."""
    keys: list[str] = []
    for name in sorted(model.model_fields_set):
        field = type(model).model_fields[name]
        key = field.alias or name
        keys.append(prefix + key)
        value = getattr(model, name)
        if hasattr(value, "model_fields_set"):
            keys.extend(_set_keys(value, f"{prefix}{key}."))
    return keys


def _runtime_keys(model: Any) -> dict[str, object]:
    """The runtime-only keys the file set, flat (`hook.on-error`), for `Settings.extra`."""
    values = {
        "hook.on-error": model.hook.on_error,
        "hook.deny-on": model.hook.deny_on,
        "exec.on-error": model.exec_.on_error,
        "exec.refuse-on": model.exec_.refuse_on,
        "exec.force-chatgpt-login": "on" if model.exec_.force_chatgpt_login else "off",
    }
    said = set(_set_keys(model))
    return {key: value for key, value in values.items() if key in said}


def _to_settings(model: Any, root: Path) -> Settings:
    workspace = str((root / model.workspace).resolve()) if model.workspace else None
    return Settings(
        select=_ids(model.select),
        ignore=_ids(model.ignore),
        severity=tuple((k.strip().upper(), v) for k, v in model.severity.items()),
        per_file_ignores=tuple((glob, _ids(ids)) for glob, ids in model.per_file_ignores.items()),
        exclude=tuple(model.exclude),
        forbidden_env=tuple(model.forbidden_env),
        lanes=tuple(model.lanes.items()),
        profile_sandboxes=tuple(model.profile_sandboxes.items()),
        sandboxed_host=model.sandboxed_host,
        workspace=workspace,
        strict=model.strict,
        codex_version=model.codex_version,
        rules_dirs=tuple(str((root / d).resolve()) for d in model.rules),
        fail_on=model.fail_on,
        root=str(root),
        hook_fail_closed=model.hook.fail_closed,
        refuse_exit_code=model.hook.refuse_exit_code,
        extra=_runtime_keys(model),
        explicit=tuple(_set_keys(model)),
        billing=model.billing,
        packets=tuple(model.packets),
    )


def _first_error(exc: Any) -> tuple[tuple[Any, ...], str]:
    error = exc.errors()[0]
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "extra_forbidden":
        return loc, f"unknown key `{loc[-1]}`" if loc else "unknown key"
    where = ".".join(str(part) for part in loc)
    message = str(error.get("msg", "invalid value"))
    return loc, f"{where}: {message}" if where else message


def _validate(data: Mapping[str, Any], root: Path, line_of: Any, path: str) -> Settings:
    from pydantic import ValidationError

    try:
        model = _model().model_validate(dict(data))
    except ValidationError as exc:
        loc, message = _first_error(exc)
        raise ConfigError(f"{path}:{line_of(loc)}: {message}") from None
    settings = _to_settings(model, root)
    _check_names(model, settings, line_of, path)
    return settings


# --- values that must name something ----------------------------------------------------------


def clean_version(version: str) -> str:
    """`v0.169.0` and `codex-cli 0.169.0` name the table `0.169.0` (as grammar_for reads them)."""
    return version.strip().removeprefix("v").removeprefix("codex-cli").strip()


def _check_version(version: str | None, where: str) -> None:
    if version is None:
        return
    from guard.codex.grammar import supported_versions

    supported = supported_versions()
    if clean_version(version) not in supported:
        raise ConfigError(
            f"{where}: codex-version {version!r} has no grammar table "
            f"(supported: {', '.join(supported)})"
        )


def known_rule_ids(rules_dirs: tuple[str, ...]) -> tuple[str, ...]:
    """Every rule id: the built-in ones and a team's own from `rules:` folders."""
    from guard.engine.registry import RuleFileError, load_rules

    try:
        return tuple(load_rules(rules_dirs))
    except RuleFileError as exc:
        raise ConfigError(str(exc)) from None


def unknown_rule_ids(patterns: Iterable[str], known: Iterable[str]) -> list[str]:
    """The ids or prefixes (`CG1`, `CG`) that name no rule at all."""
    ids = tuple(known)
    return [p for p in patterns if not p or not any(rule.startswith(p) for rule in ids)]


def _attributes(cls: type) -> set[str]:
    import dataclasses

    names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set()
    return names | {name for name in dir(cls) if not name.startswith("_")}


def _match_keys() -> set[str]:
    """Every key a rule's `match:` can name (guard/engine/match.py reads them)."""
    from guard.codex.call import CodexCall
    from guard.engine.context import Invocation
    from guard.shell.model import Context

    keys = {"has_flag", "stdin", "program"}
    keys |= {f"context.{name}" for name in _attributes(Context)}
    return keys | _attributes(Invocation) | _attributes(CodexCall)


def _check_custom_rules(rules_dirs: tuple[str, ...]) -> None:
    """A team's own rule that names a check or a match field that does not exist would never
    fire: `file:line: message` instead of a rule that silently checks nothing."""
    if not rules_dirs:
        return
    from pathlib import Path

    from guard.engine.checks import CHECKS, NOT_SHELL_CHECKS
    from guard.engine.registry import key_line, load_rules

    folders = tuple(str(Path(d)) for d in rules_dirs)
    for rule in load_rules(rules_dirs).values():
        if str(Path(rule.source_file).parent) not in folders:
            continue
        where = rule.source_file
        if rule.check is not None and rule.check not in {*CHECKS, *NOT_SHELL_CHECKS}:
            raise ConfigError(
                f"{where}:{key_line(where, 'check')}: check {rule.check!r} names no check"
                f" (known: {', '.join(sorted(CHECKS))})"
            )
        if rule.check is None and not rule.match:
            raise ConfigError(f"{where}:1: rule {rule.id} has neither `check` nor `match`")
        unknown = sorted(set(rule.match) - _match_keys())
        if unknown:
            raise ConfigError(
                f"{where}:{key_line(where, 'match')}: match: {unknown[0]!r} names no field of a"
                " codex invocation"
            )


def _check_names(model: Any, settings: Settings, line_of: Any, path: str) -> None:
    """A value that names nothing is an error, never silently ignored: an unknown rule id in
    `ignore` would leave the rule on while the author believes it off (and the reverse)."""
    from pathlib import Path

    _check_version(model.codex_version, f"{path}:{line_of(('codex-version',))}")
    for index, (raw, folder) in enumerate(zip(model.rules, settings.rules_dirs, strict=True)):
        if not Path(folder).is_dir():
            raise ConfigError(
                f"{path}:{line_of(('rules', index))}: rules folder {raw!r} does not exist"
                f" ({folder})"
            )
    known = known_rule_ids(settings.rules_dirs)
    _check_custom_rules(settings.rules_dirs)
    places: list[tuple[tuple[Any, ...], str, list[str] | str]] = [
        (("select", i), "select", [v]) for i, v in enumerate(model.select)
    ]
    places += [(("ignore", i), "ignore", [v]) for i, v in enumerate(model.ignore)]
    places += [
        (("per-file-ignores", glob), "per-file-ignores", ids)
        for glob, ids in model.per_file_ignores.items()
    ]
    for loc, key, values in places:
        bad = unknown_rule_ids(_ids(values), known)
        if bad:
            raise ConfigError(
                f"{path}:{line_of(loc)}: {key}: unknown rule id {bad[0]!r}"
                " (no rule has that id or prefix; see `codex-guard rules`)"
            )
    for raw_id in model.severity:
        if raw_id.strip().upper() not in known:
            raise ConfigError(
                f"{path}:{line_of(('severity', raw_id))}: severity: unknown rule id {raw_id!r}"
                " (a severity names one rule exactly; see `codex-guard rules`)"
            )


def settings_from_mapping(data: Mapping[str, Any] | None, root: str | Path = ".") -> Settings:
    """Settings from config keys as a file writes them (dashed): a rule example's `settings:`."""
    from pathlib import Path

    return _validate(data or {}, Path(root), lambda _loc: 1, "<settings>")


# --- loading ----------------------------------------------------------------------------------


def _yaml_line_finder(root_node: Any) -> Any:
    """loc (keys and indexes) -> 1-based line of the deepest node found along it."""
    import yaml

    def line_of(loc: tuple[Any, ...]) -> int:
        node = root_node
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                match = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if match is None:
                    break
                line = match[0].start_mark.line + 1
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    return line_of


def _load_yaml(path: Path) -> Settings:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}:1: cannot read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"{path}:{line}: not valid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the config must be a mapping of keys to values")
    return _validate(data, path.parent.resolve(), _yaml_line_finder(node), str(path))


def _toml_line_finder(text: str) -> Any:
    """A naive line finder for pyproject: the first `key =` line inside our table."""
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if line.strip().startswith("[tool.codex-guard")), 0
    )

    def line_of(loc: tuple[Any, ...]) -> int:
        for part in reversed([p for p in loc if isinstance(p, str)]):
            for index in range(start, len(lines)):
                stripped = lines[index].strip().strip('"')
                if stripped.startswith(part) or stripped.startswith(f'"{part}"'):
                    return index + 1
        return start + 1

    return line_of


def _load_pyproject(path: Path) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}:1: cannot read: {exc}") from None
    table = _pyproject_table(text, path)
    return _validate(table or {}, path.parent.resolve(), _toml_line_finder(text), str(path))


def load_config(path: Path) -> Settings:
    """Settings from one config file (YAML, or a pyproject.toml's [tool.codex-guard]).

    A valid file's Settings are cached as JSON keyed by its path, size and mtime: the hook and the
    exec shim read a project's config on every command, and PyYAML + pydantic cost ~90 ms to import.
    """
    if not path.is_file():
        raise ConfigError(f"{path}:1: no such config file")
    try:
        st = os.stat(path)
    except OSError:
        st = None
    # (the cache folder in the key too: a test, or a program, may point it elsewhere between two
    # loads, and each folder's entry is read as such)
    seen = None if st is None else (os.fspath(path), *_stamp(st), cachedir.cache_dir("config"))
    known = None if seen is None else _LOADED.get(seen)
    # (a config that names rule folders is checked against their rule files: as the cache's
    # entry is, `rules_stamp`)
    if known is not None and (known[1] is None or known[1] == rules_stamp(known[0].rules_dirs)):
        return known[0]
    cached = _cache_file(path, st)
    settings = _read_cached(cached) if cached is not None else None
    if settings is not None:
        _remember(seen, settings)
        return settings
    if path.name == PYPROJECT or path.suffix == ".toml":
        settings = _load_pyproject(path)
    else:
        settings = _load_yaml(path)
    if cached is not None:
        _write_cached(cached, settings)
    _remember(seen, settings)
    return settings


# The Settings this process has loaded, by the file's path as given, its stat (`_stamp`) and
# the cache folder: a lint loads each config where its walk resolves folders and again to lint
# it as a file (CG905), and a cached run's walking child loads it too (the parent's copy goes
# on). Each of those loads stats, resolves and hashes the path and reads the cache's JSON; a
# second one with the same stat is this lookup. A file changed in between has another stat
# (its ctime moves with any write): it is loaded again. Bounded (a run holds a few hundred).
_LOADED: dict[tuple[object, ...], tuple[Settings, list[str] | None]] = {}
MAX_LOADED = 4096


def _stamp(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def _remember(seen: tuple[object, ...] | None, settings: Settings) -> None:
    if seen is not None and len(_LOADED) < MAX_LOADED:
        stamp = rules_stamp(settings.rules_dirs) if settings.rules_dirs else None
        _LOADED[seen] = (settings, stamp)


def forget_loaded() -> None:
    """Drop what `load_config` remembers (a test that edits a cache entry under a config)."""
    _LOADED.clear()


def _cache_file(path: Path, st: os.stat_result | None = None) -> Path | None:
    import hashlib

    from guard import __version__

    if st is None:
        try:
            st = path.stat()
        except OSError:
            return None
    stamp = f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0{__version__}"
    return cache_dir("config") / (hashlib.sha256(stamp.encode()).hexdigest()[:24] + ".json")


def _tuples(value: Any) -> Any:
    """JSON gives lists back; Settings holds tuples (of tuples)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


CACHE_FORMAT = 2  # bumped when the cached entry's shape changes: an older entry is a miss


def rules_stamp(rules_dirs: Iterable[str]) -> list[str]:
    """The custom rule files a config's ids were checked against: a rule file added, edited or
    removed makes the cached settings a miss, so an id that no longer names a rule is reported."""
    import os

    stamps: list[str] = []
    for folder in rules_dirs:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            stamps.append(f"{folder}\0-")
            continue
        for name in names:
            if name.endswith((".yaml", ".yml")):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                stamps.append(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}")
    return stamps


def _read_cached(cached: Path) -> Settings | None:
    import json

    try:
        entry = json.loads(cached.read_text(encoding="utf-8"))
        if entry.get("format") != CACHE_FORMAT:
            return None
        data = dict(entry["settings"])
        extra = data.pop("extra", {})
        settings = Settings(**{k: _tuples(v) for k, v in data.items()}, extra=extra)
        if entry.get("rules") != rules_stamp(settings.rules_dirs):
            return None
        return settings
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write_cached(cached: Path, settings: Settings) -> None:
    import dataclasses
    import json
    import os

    entry = {
        "format": CACHE_FORMAT,
        "settings": dataclasses.asdict(settings),
        "rules": rules_stamp(settings.rules_dirs),
    }
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(tmp, cached)
    except (OSError, TypeError, ValueError):
        pass  # an unwritable cache only costs the next run a parse


# --- the user config (trusted at the runtime doors) --------------------------------------------


def user_config_path(env: Mapping[str, str]) -> Path:
    """`$XDG_CONFIG_HOME/codex-guard/config.yaml`, default `~/.config/codex-guard/config.yaml`.

    XDG says a relative `XDG_CONFIG_HOME` is to be ignored.
    """
    from pathlib import Path

    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        base = Path(xdg)
    else:
        home = env.get("HOME") or os.path.expanduser("~")
        base = Path(home) / ".config"
    return base / "codex-guard" / "config.yaml"


def folder_of(path: Path | str) -> str:
    """The folder whose config applies to `path`: itself resolved when it is a folder, else its
    resolved parent; unresolvable (a symlink loop), the parent of it made absolute. As
    `Path(path).resolve()` and the rest say, on strings (guard/fspaths.py)."""
    text = os.fspath(path)
    try:
        is_dir = fspaths.is_dir(text)
        real = fspaths.resolve(text)
    except (OSError, RuntimeError):
        return purepaths.parent(fspaths.absolute(text))
    return real if is_dir else os.path.dirname(real)  # resolved: its dirname is its parent


class ConfigResolver:
    """Settings for each file: `--config` for all, or the nearest config above each file.

    Caches per folder so a walk of a thousand files stats the tree once per folder.
    """

    def __init__(self, explicit: Path | None = None) -> None:
        self._explicit = load_config(explicit) if explicit is not None else None
        self._by_file: dict[Path, Settings] = {}
        self._default = Settings()  # one object for every folder without a config (frozen)
        self._by_folder: dict[str, Path | None] = {}
        self._by_real_dir: dict[str, Path | None] = {}
        # Resolved since `take_learned`; None until it is first called (most runs never do).
        self._learned: dict[str, Path | None] | None = None

    def _config_path(self, folder: str) -> Path | None:
        if folder not in self._by_folder:
            self._by_folder[folder] = find_config(folder)
        return self._by_folder[folder]

    def settings_for(self, path: Path | str) -> Settings:
        if self._explicit is not None:
            return self._explicit
        return self._settings_of(self._config_path(folder_of(path)))

    def settings_for_dir(self, real_folder: str, names: Container[str] | None = None) -> Settings:
        """Settings for the files of a folder given resolved (as the walk has it): one lookup
        per folder, each answered from its parent's when it holds no config itself. `names`:
        the folder's own listing, when the walk has just read it (`config_in`)."""
        if self._explicit is not None:
            return self._explicit
        return self._settings_of(self._nearest_config(real_folder, names))

    def _nearest_config(self, real_folder: str, names: Container[str] | None = None) -> Path | None:
        chain: list[str] = []
        folder = real_folder
        while folder not in self._by_real_dir:
            chain.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        found = self._by_real_dir.get(folder)
        for step in reversed(chain):  # the walk up, cached on the way back down
            found = config_in(step, names if step == real_folder else None) or found
            self._by_real_dir[step] = found
            if self._learned is not None:
                self._learned[step] = found
        return found

    def take_learned(self) -> dict[str, Path | None]:
        """The folders resolved since the last call (the first call starts the record), each
        with its nearest config: what a process walking for another one sends it (`learn`), so
        that it resolves none of them again."""
        learned, self._learned = self._learned or {}, {}
        return learned

    def learn(self, nearest: Mapping[str, Path | None]) -> None:
        """Folders resolved by another process of this run (`take_learned` there)."""
        if self._explicit is None:
            for folder, config in nearest.items():
                self._by_real_dir.setdefault(folder, config)

    def _settings_of(self, config: Path | None) -> Settings:
        if config is None:
            return self._default
        if config not in self._by_file:
            self._by_file[config] = load_config(config)
        return self._by_file[config]
