"""The rule registry: one YAML file per rule, the single source of every rule's text.

``explain``, ``rules``, SARIF metadata, docs/rules.md and the example tests all read this.
Parsed YAML is cached (marshal) in a private file under the user cache folder (0600 in a 0700
folder, checked on read: guard/runtime/private.py), valid for every rule file's path, size and
mtime, so the hook's codex path reads one file instead of importing PyYAML.
"""

from __future__ import annotations

import os

from guard.cachedir import cache_dir  # text: guard.settings.cache_dir gives a Path
from guard.fastclass import dataclass, field
from guard.findings import Severity
from guard.lrucache import lru_cache

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path
    from typing import Any

RULE_FIELDS = ("id", "name", "severity", "summary", "rationale", "fix", "examples")
OPTIONAL_FIELDS = ("check", "match", "message", "strict_only", "docs")


class RuleFileError(Exception):
    """A rule YAML that is missing a field or not valid YAML: `path:line: message`."""


@dataclass(frozen=True, slots=True)
class Example:
    """A `bad` or `good` example; executed by the test suite."""

    code: str
    context: str = "script"  # a RunContext value: script, ci, agent, doc, packet
    settings: Mapping[str, Any] = field(default_factory=dict)  # config keys for this example
    path: str = "example.sh"  # file name the example is linted as (kind detection)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str
    check: str | None = None  # a named Python check in guard/engine/checks/
    match: Mapping[str, Any] = field(default_factory=dict)  # declarative CodexCall match
    message: str = ""  # message template for declarative matches
    strict_only: bool = False
    # Also checked in documentation examples (a Markdown fence outside agent-instruction files),
    # which a person runs at a terminal: only what is wrong wherever it runs.
    docs: bool = False
    source_file: str = ""
    # The YAML's `examples` mapping (`bad`, `good`), checked at load; its `Example`s are built
    # when `bad` or `good` is read (docs, the example tests): the hook needs none of them.
    examples: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def group(self) -> str:
        return self.id[:3] + "xx"

    @property
    def bad(self) -> tuple[Example, ...]:
        return tuple(_example(e, self.source_file) for e in self.examples.get("bad") or ())

    @property
    def good(self) -> tuple[Example, ...]:
        return tuple(_example(e, self.source_file) for e in self.examples.get("good") or ())


def builtin_rules_dir() -> Path:
    """`rules/` beside the package in a checkout, `guard/_rules` inside an installed wheel."""
    from pathlib import Path

    return Path(_builtin_rules_folder())


def _builtin_rules_folder() -> str:
    """builtin_rules_dir() as text (os.path: the hook's codex path does not import pathlib)."""
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    shipped = os.path.join(here, "_rules")
    return shipped if os.path.isdir(shipped) else os.path.join(os.path.dirname(here), "rules")


def key_line(where: str, key: str | None) -> int:
    """The 1-based line of a top-level `key:` in the rule file `where` (1 when not found).

    Read again only on an error path: the parsed rules are cached as JSON, with no positions.
    """
    if key is None:
        return 1
    import re

    try:
        with open(where, encoding="utf-8") as text:
            lines = text.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:")
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 1)


def _error(where: str, key: str | None, message: str) -> RuleFileError:
    """`file:line: message`, the line of `key` in the rule file."""
    return RuleFileError(f"{where}:{key_line(where, key)}: {message}")


def _is_example(raw: object) -> bool:
    return isinstance(raw, str) or (isinstance(raw, dict) and isinstance(raw.get("code"), str))


def _example(raw: object, where: str) -> Example:
    if isinstance(raw, str):
        return Example(code=raw)
    if isinstance(raw, dict) and _is_example(raw):
        return Example(
            code=raw["code"],
            context=str(raw.get("context", "script")),
            settings=dict(raw.get("settings") or {}),
            path=str(raw.get("path", "example.sh")),
        )
    raise _error(where, "examples", "an example is a string or a mapping with `code`")


def rule_from_mapping(data: Mapping[str, Any], where: str) -> Rule:
    missing = [k for k in RULE_FIELDS if k not in data]
    if missing:
        raise _error(where, None, f"missing field(s) {', '.join(missing)}")
    unknown = sorted(set(data) - set(RULE_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise _error(where, unknown[0], f"unknown field(s) {', '.join(unknown)}")
    try:
        severity = Severity(str(data["severity"]))
    except ValueError:
        raise _error(where, "severity", "severity must be error, warning or info") from None
    examples = data["examples"] or {}
    if not isinstance(examples, dict):
        raise _error(where, "examples", "`examples` is a mapping with `bad` and `good`")
    for kind in ("bad", "good"):
        if not all(_is_example(e) for e in examples.get(kind) or ()):
            raise _error(where, "examples", "an example is a string or a mapping with `code`")
    return Rule(
        id=str(data["id"]),
        name=str(data["name"]),
        severity=severity,
        summary=str(data["summary"]).strip(),
        rationale=str(data["rationale"]).strip(),
        fix=str(data["fix"]).strip(),
        check=data.get("check"),
        match=dict(data.get("match") or {}),
        message=str(data.get("message") or "").strip(),
        strict_only=bool(data.get("strict_only", False)),
        docs=bool(data.get("docs", False)),
        source_file=where,
        examples=examples,
    )


def _rule_files(dirs: Iterable[str | Path]) -> list[str]:
    """The `.yaml`/`.yml` files of each folder (by `Path.suffix`), sorted by name per folder."""
    files: list[str] = []
    for folder in map(str, dirs):
        if os.path.isdir(folder):
            names = sorted(n for n in os.listdir(folder) if _suffix(n) in (".yaml", ".yml"))
            files.extend(os.path.join(folder, n) for n in names)
    return files


def _suffix(name: str) -> str:
    """`PurePath(name).suffix`: from the last dot, unless the name starts or ends with it."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _cache_key(files: list[str]) -> str:
    """Every rule file's path, size and mtime: the whole text, compared on read (no digest:
    hashlib costs the hook ~2.5 ms to import)."""
    parts = []
    for path in files:
        st = os.stat(path)
        parts.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n")
    return "".join(parts)


def _read_yaml_files(files: list[str]) -> list[tuple[str, Any]]:
    import yaml  # only on a cache miss: PyYAML costs ~20 ms to import

    from guard.sources.yamlnodes import fastest_loader

    # libyaml where PyYAML has it: the pure-Python loader spent ~60 ms on the 40 rule files of
    # a cold run (a fresh machine, CI, an edited rules dir); the data loaded is the same.
    loader = fastest_loader()
    loaded: list[tuple[str, Any]] = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as text:
                loaded.append((path, yaml.load(text.read(), Loader=loader)))  # a safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise RuleFileError(f"{path}:{line}: not valid YAML: {problem}") from None
        except (OSError, UnicodeDecodeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RuleFileError(f"{path}:1: cannot read: {first}") from None
    return loaded


_CACHE_FORMAT = b"codex-guard rules 2\0"


def _load_raw(files: list[str], key: str) -> list[tuple[str, Any]]:
    """The rule files' YAML, from the private cache when it was written under the same `key`."""
    import marshal

    from guard.runtime.private import read_private, write_private

    stamp = _CACHE_FORMAT + key.encode("utf-8", "surrogateescape") + b"\0"
    # Named by the files' paths, not their stats: an edited rule overwrites its old entry. Two
    # sets of paths with one name only take turns in the file (its stamp is compared): no digest.
    names = "\0".join(map(str, files)).encode("utf-8", "surrogateescape")
    cache = os.path.join(cache_dir("rules"), f"{len(names):x}-{sum(names):x}.marshal")
    data = read_private(cache)
    if data is not None and data.startswith(stamp):
        try:
            cached = marshal.loads(data[len(stamp) :])
        except (EOFError, ValueError, TypeError):
            cached = None  # a damaged file: parsed again below, and rewritten
        if isinstance(cached, list):
            return cached
    loaded = _read_yaml_files(files)
    try:  # noqa: SIM105 - contextlib is one more import on the hook's path
        write_private(cache, stamp + marshal.dumps(loaded))
    except ValueError:
        pass  # a value marshal cannot hold (a YAML timestamp): the next run parses again too
    return loaded


def load_rules(extra_dirs: Iterable[str] = ()) -> dict[str, Rule]:
    """All rules by id: the built-in ones, then a team's own (which may not reuse an id)."""
    builtin, builtin_key = _builtin_rule_files()
    extra = _rule_files(_path_texts(extra_dirs))
    key = builtin_key if not extra else _cache_key(extra) + builtin_key
    return dict(_rules_for(key, (*builtin, *extra)))


def _path_texts(folders: Iterable[str]) -> list[str]:
    """`str(Path(d))` of each folder (a team's rule folders: pathlib only when there are some)."""
    folders = list(folders)
    if not folders:
        return []
    from pathlib import Path

    return [str(Path(d)) for d in folders]


@lru_cache(maxsize=1)
def _builtin_rule_files() -> tuple[tuple[str, ...], str]:
    """The package's own rule files, listed and stat'ed once a process: they are package data
    and do not change under a running lint (a team's rule folders are re-read on every call).

    None there is an install without its package data (a wheel built without `guard/_rules`, a
    copied `guard/` folder): with no rules every door would allow every command and lint say
    "All clear", so that is an error (lint exits 2, the hook and `check` refuse)."""
    folder = _builtin_rules_folder()
    files = _rule_files([folder])
    if not files:
        raise RuleFileError(
            f"{folder}: codex-guard's built-in rules are missing (no rule files there): "
            "reinstall codex-guard"
        )
    return tuple(files), _cache_key(files)


@lru_cache(maxsize=8)
def _rules_for(key: str, files: tuple[str, ...]) -> tuple[tuple[str, Rule], ...]:
    """Parsed once a process for each state of the rule files (`key` changes when one does)."""
    rules: dict[str, Rule] = {}
    for where, data in _load_raw(list(files), key):
        if not isinstance(data, dict):
            raise _error(where, None, "a rule file holds one mapping of fields")
        rule = rule_from_mapping(data, where)
        if rule.id in rules:
            first = rules[rule.id].source_file
            raise _error(where, "id", f"rule id {rule.id} is already defined in {first}")
        rules[rule.id] = rule
    return tuple(sorted(rules.items()))
