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
