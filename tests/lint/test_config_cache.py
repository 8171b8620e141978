"""The parsed config is cached for the hook's and the shim's hot path; an edit is seen at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guard.config import load_config


def test_config_edits_are_seen_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = tmp_path / ".codex-guard.yaml"
    config.write_text("sandboxed-host: true\nlanes: {judge: validator}\n")
    first = load_config(config)
    assert first.sandboxed_host and first.lane_for_profile("judge") == "validator"
    assert load_config(config) == first  # from the cache, the same Settings
    assert list((tmp_path / "cache" / "codex-guard" / "config").glob("*.json"))
    config.write_text("sandboxed-host: false\n")
    os.utime(config, ns=(1, 1))  # even an edit that keeps an old mtime changes the size
    assert load_config(config).sandboxed_host is False


def test_many_configs_are_validated_by_one_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run over a monorepo validates each project's config: the pydantic model is built
    once, not once per file (it cost 8 ms each: 600 configs took 5 s before a file was linted)."""
    import pydantic

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    built: list[str] = []
    real_init_subclass = pydantic.BaseModel.__pydantic_init_subclass__

    def counting(cls: type, **kwargs: object) -> None:
        built.append(cls.__name__)
        real_init_subclass(**kwargs)

    monkeypatch.setattr(pydantic.BaseModel, "__pydantic_init_subclass__", classmethod(counting))
    import guard.config

    guard.config._model.cache_clear()
    for n in range(4):
        folder = tmp_path / f"p{n}"
        folder.mkdir()
        (folder / ".codex-guard.yaml").write_text(f"ignore: [CG40{n + 1}]\n")
        assert load_config(folder / ".codex-guard.yaml").ignore == (f"CG40{n + 1}",)
    assert sorted(built) == ["ConfigModel", "ExecModel", "HookModel"]


def test_a_config_loaded_again_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lint loads each config two or three times (the walk's resolver, the CG905 lint, a
    walking child): after the first, the same Settings, with no cache entry read; an edit, or
    another cache folder, is a load again."""
    import guard.config

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reads: list[Path] = []
    real_read = guard.config._read_cached

    def counting(cached: Path) -> object:
        reads.append(cached)
        return real_read(cached)

    monkeypatch.setattr(guard.config, "_read_cached", counting)
    config = tmp_path / ".codex-guard.yaml"
    config.write_text("ignore: [CG402]\n")
    first = load_config(config)
    before = len(reads)  # (a first load parses the file: no entry yet)
    assert load_config(config) is first
    assert len(reads) == before  # remembered: no entry read
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-cache"))
    assert load_config(config) == first  # another cache folder: its own entry (none yet)
    assert load_config(config).ignore == ("CG402",)
    config.write_text("ignore: [CG403]\n")
    assert load_config(config).ignore == ("CG403",)  # edited: loaded again


CUSTOM_RULE = """id: ACME001
name: no-ephemeral-anywhere
severity: error
summary: ephemeral runs cannot be audited here
rationale: audit
fix: drop --ephemeral
match:
  ephemeral: true
examples:
  bad: ["codex exec --ephemeral -C . -s read-only p </dev/null"]
  good: ["codex exec -C . -s read-only p </dev/null"]
"""


def test_a_remembered_config_is_checked_against_its_rule_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the cache's entry is: a rule file added under a config's rule folder is a load
    again, so an id that names no rule (or now names one) is judged anew."""
    import guard.config

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    rules.mkdir()
    config = tmp_path / ".codex-guard.yaml"
    config.write_text("rules: [rules]\n")
    first = load_config(config)
    assert first.rules_dirs
    loads: list[Path] = []
    real_cache_file = guard.config._cache_file

    def counting(path: Path, st: os.stat_result | None = None) -> Path | None:
        loads.append(path)
        return real_cache_file(path, st)

    monkeypatch.setattr(guard.config, "_cache_file", counting)
    assert load_config(config) is first
    assert loads == []
    (rules / "acme001.yaml").write_text(CUSTOM_RULE)
    load_config(config)
    assert loads == [config]  # the rule folder changed: not answered from memory
