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
