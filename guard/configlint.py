"""CG905 `config-loosens-guard`: `lint` reads a repository's config as it is, and reports each key
that tries to loosen the billing and full-access rules, which the runtime doors will not honour
(guard/trust.py says what counts as loosening).

A config file is linted as a source of this one rule when the walk meets it (`.codex-guard.yaml`,
`.codex-guard.yml`, a pyproject.toml with `[tool.codex-guard]`) and when `--config` names one. It
is judged under the defaults and the command line's `--select/--ignore`, never under its own keys:
a config cannot vouch for itself (`ignore: [CG]` must not hide the finding about `ignore: [CG]`).
A `# codex-guard: disable=CG905 -- reason` comment in it can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from guard.config import CONFIG_NAMES, PYPROJECT, ConfigError, _has_pyproject_table, load_config
from guard.findings import FileError, Finding, LintResult, Location, Severity
from guard.trust import KeyPath, Loosening, loosenings

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from typing import Any

RULE_ID = "CG905"
RULE_NAME = "config-loosens-guard"


def is_config_file(path: str) -> bool:
    """A file the walk hands `lint` that is a codex-guard config."""
    name = Path(path).name
    if name in CONFIG_NAMES:
        return True
    if name != PYPROJECT:
        return False
    try:
        return _has_pyproject_table(Path(path))
    except ConfigError:
        return True  # broken TOML that mentions us: reading it reports the error


def _yaml_position(text: str, key: KeyPath, value: str | None) -> tuple[int, int]:
    """(line, column), 1-based, of `key` in a YAML config (of `value` inside it when given)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1, 1
    where = (1, 1)
    for part in key:
        if not isinstance(node, yaml.MappingNode):
            return where
        found = next(
            (kv for kv in node.value if str(kv[0].value).strip().upper() == part.upper()), None
        )
        if found is None:
            return where
        where = (found[0].start_mark.line + 1, found[0].start_mark.column + 1)
        node = found[1]
    if value is not None:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            if isinstance(item, yaml.ScalarNode):
                parts = [p.strip().upper() for p in str(item.value).split(",")]
                if value.upper() in parts:
                    return item.start_mark.line + 1, item.start_mark.column + 1
    return where


def _toml_position(text: str, key: KeyPath) -> tuple[int, int]:
    """The first line inside `[tool.codex-guard...]` that sets the key (naive, like config.py)."""
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if line.strip().startswith("[tool.codex-guard")), 0
    )
    for part in reversed(key):
        for index in range(start, len(lines)):
            stripped = lines[index].strip()
            if stripped.startswith((part, f'"{part}"', f"'{part}'")):
                return index + 1, len(lines[index]) - len(lines[index].lstrip()) + 1
    return start + 1, 1


def _finding(
    loosening: Loosening, shown: str, text: str, toml: bool, rule: Mapping[str, Any]
) -> Finding:
    if toml:
        line, column = _toml_position(text, loosening.key)
    else:
        line, column = _yaml_position(text, loosening.key, loosening.value)
    return Finding(
        rule=RULE_ID,
        name=str(rule.get("name", RULE_NAME)),
        severity=Severity(str(rule.get("severity", "warning"))),
        message=loosening.message,
        location=Location(shown, line, column, line, column),
        fix=loosening.fix or (str(rule["fix"]) if rule.get("fix") else None),
    )


def lint_config_file(
    shown: str,
    rules: Mapping[str, Any],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Finding] | FileError:
    """CG905 findings for one config file (after its own inline directives), or why it cannot be
    read. `rules` is the registry (id -> Rule or a plain dict of its fields)."""
    from guard.directives import apply_directives, parse_directives, rule_enabled

    path = Path(shown)
    try:
        text = path.read_text(encoding="utf-8")
        settings = load_config(path)
    except (OSError, UnicodeDecodeError) as exc:
        return FileError(shown, f"cannot read: {exc}")
    except ConfigError as exc:
        return FileError(shown, str(exc))
    select, ignore = tuple(select), tuple(ignore)
    if not rule_enabled(RULE_ID, select, ignore):
        return []
    rule = _rule_fields(rules.get(RULE_ID))
    toml = path.name == PYPROJECT or path.suffix == ".toml"
    findings = [_finding(loose, shown, text, toml, rule) for loose in loosenings(settings)]
    return apply_directives(findings, parse_directives(text), shown, rules, select, ignore)


def _rule_fields(rule: object) -> dict[str, Any]:
    if rule is None:
        return {}
    if isinstance(rule, Mapping):
        return dict(rule)
    severity = getattr(rule, "severity", "warning")
    return {
        "name": getattr(rule, "name", RULE_NAME),
        "severity": getattr(severity, "value", severity),
        "fix": getattr(rule, "fix", None),
    }


class ConfigLints:
    """CG905 findings (and unreadable-config errors) for every config the walk meets and the
    `--config` file, each resolved file once (the first path met). A config is linted as the
    walk meets it: a run lints them while it waits on its workers, not after them."""

    __slots__ = ("_errors", "_findings", "_ignore", "_rules", "_seen", "_select")

    def __init__(
        self, rules: Mapping[str, Any], select: Iterable[str] = (), ignore: Iterable[str] = ()
    ) -> None:
        self._rules = rules
        self._select, self._ignore = tuple(select), tuple(ignore)
        self._seen: set[Path] = set()
        self._findings: list[Finding] = []
        self._errors: list[FileError] = []

    def add(self, shown: str) -> None:
        """The walk met this file: linted when it is a config."""
        if is_config_file(shown):
            self._lint(shown)

    def _lint(self, shown: str) -> None:
        try:
            real = Path(shown).resolve()
        except (OSError, RuntimeError):
            real = Path(shown).absolute()
        if real in self._seen:
            return
        self._seen.add(real)
        outcome = lint_config_file(shown, self._rules, self._select, self._ignore)
        if isinstance(outcome, FileError):
            self._errors.append(outcome)
        else:
            self._findings.extend(outcome)

    def into(self, result: LintResult, explicit: str | None) -> None:
        """Into the run's result (sorted), with the `--config` file (when given) last."""
        if explicit is not None:
            self._lint(explicit)
        result.findings.extend(self._findings)
        result.errors.extend(self._errors)
        self._findings, self._errors = [], []
        result.findings.sort(key=Finding.sort_key)
        result.errors.sort(key=lambda e: (e.path, e.message))
