"""The parsed-rule cache: a private file, valid only for the exact paths, sizes and mtimes of the
rule files it was made from (guard/engine/registry.py)."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from guard.engine import registry


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in ("CG101.yaml", "CG201.yaml"):
        source = registry.builtin_rules_dir() / name
        if not source.exists():
            source = next(registry.builtin_rules_dir().glob("*.yaml"))
        shutil.copy(source, folder / name)
    monkeypatch.setattr(registry, "cache_dir", lambda part: tmp_path / "cache" / part)
    return folder


def _load(folder: Path) -> list[tuple[str, Any]]:
    files = registry._rule_files([folder])
    return registry._load_raw(files, registry._cache_key(files))


def _no_yaml(files: list[Path]) -> list[tuple[str, Any]]:
    raise AssertionError("the YAML was parsed: the cache was not used")


def test_a_second_load_reads_the_private_cache(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _load(rules_dir)
    (entry,) = (rules_dir.parent / "cache" / "rules").iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    monkeypatch.setattr(registry, "_read_yaml_files", _no_yaml)
    assert _load(rules_dir) == first


@pytest.mark.parametrize("change", ["edit", "open-mode", "damage"])
def test_a_changed_rule_or_a_doubtful_cache_is_parsed_again(
    rules_dir: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    _load(rules_dir)
    (entry,) = (rules_dir.parent / "cache" / "rules").iterdir()
    rule = next(rules_dir.iterdir())
    if change == "edit":
        rule.write_text(rule.read_text() + "\n# edited\n")
    elif change == "open-mode":
        entry.chmod(0o666)  # anyone could have written it: not trusted
    else:
        entry.write_bytes(entry.read_bytes()[:-40])
    monkeypatch.setattr(registry, "_read_yaml_files", _no_yaml)
    with pytest.raises(AssertionError, match="the YAML was parsed"):
        _load(rules_dir)


def test_examples_are_checked_at_load_and_built_when_read(rules_dir: Path) -> None:
    """The hook reads rules without building their examples; a malformed example is still an
    error when the rule file is loaded, not when the docs or tests first read it."""
    team = rules_dir.parent / "team"
    team.mkdir()
    text = (
        "id: CG990\nname: team-rule\nseverity: warning\nsummary: s\nrationale: r\nfix: f\n"
        "examples:\n  bad:\n    - 'codex exec x'\n    - code: 'codex exec y'\n      path: a.yml\n"
        "  good:\n    - 'echo codex'\n"
    )
    (team / "CG990.yaml").write_text(text)
    rule = registry.load_rules([str(team)])["CG990"]
    assert [(e.code, e.path) for e in rule.bad] == [
        ("codex exec x", "example.sh"),
        ("codex exec y", "a.yml"),
    ]
    assert [e.code for e in rule.good] == ["echo codex"] and rule.bad == rule.bad
    (team / "CG990.yaml").write_text(text.replace("    - 'echo codex'", "    - {path: a.sh}"))
    with pytest.raises(
        registry.RuleFileError, match=r"CG990\.yaml:\d+: an example is a string or a mapping"
    ):
        registry.load_rules([str(team)])
