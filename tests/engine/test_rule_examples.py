"""Every rule's `bad` examples raise it and its `good` examples do not (RULES.md: the examples
in each rule YAML are executed). They run through the same per-file pipeline as `lint`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file, postprocess
from guard.config import settings_from_mapping
from guard.configlint import lint_config_file
from guard.engine import lint_snippet, load_rules
from guard.engine.registry import Example
from guard.runtime.verdict import check_verdict_text
from guard.sources.registry import SOURCES
from guard.sources.snippet import RunContext

RULES = load_rules()
RULE_TEXT = _rule_text(RULES)


def _cases(kind: str) -> list[object]:
    cases = []
    for rule in RULES.values():
        examples = rule.bad if kind == "bad" else rule.good
        for number, example in enumerate(examples):
            cases.append(pytest.param(rule.id, example, id=f"{rule.id}-{kind}{number}"))
    return cases


def rules_raised(example: Example, tmp_path: Path) -> set[str]:
    if example.context == "verdict":
        return set() if check_verdict_text(example.code).valid else {"CG603"}
    if example.context == "config":  # a codex-guard config file, linted as `lint` meets it
        config = tmp_path / example.path
        config.write_text(example.code, encoding="utf-8")
        found = lint_config_file(str(config), RULES)
        assert isinstance(found, list), found
        return {f.rule for f in found}
    settings = settings_from_mapping(dict(example.settings), root=tmp_path)
    path = tmp_path / example.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.code, encoding="utf-8")
    if example.context == "script" or not example.path.endswith(".sh"):
        outcome = lint_file(FileJob(str(path), True, settings, RULE_TEXT))
        assert not outcome.errors, outcome.errors
        return {f.rule for f in outcome.findings}
    # A shell command as an agent or a CI step runs it (the hook's and `check`'s view).
    snippets = [
        dataclasses.replace(s, context=RunContext(example.context))
        for s in SOURCES["shell"](example.code, str(path))
    ]
    found = [f for s in snippets for f in lint_snippet(s, settings)]
    return {f.rule for f in postprocess(found, settings, str(path), example.code, RULE_TEXT)}


@pytest.mark.parametrize(("rule_id", "example"), _cases("bad"))
def test_bad_example_raises_its_rule(rule_id: str, example: Example, tmp_path: Path) -> None:
    assert rule_id in rules_raised(example, tmp_path), example.code


@pytest.mark.parametrize(("rule_id", "example"), _cases("good"))
def test_good_example_does_not_raise_its_rule(
    rule_id: str, example: Example, tmp_path: Path
) -> None:
    assert rule_id not in rules_raised(example, tmp_path), example.code


def test_every_rule_has_bad_and_good_examples() -> None:
    for rule in RULES.values():
        assert rule.bad and rule.good, rule.id
