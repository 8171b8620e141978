"""The runtime doors' settings when no config file exists are answered without guard.config (and
pathlib); they must be what the full loader gives, and any config file must still be found."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guard.runtime.settings_load import load_runtime_settings
from guard.settings import Settings


@pytest.fixture
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


@pytest.mark.parametrize("spelling", ["{d}", "{d}/", "{d}//", "{d}/.", "{d}/./", "/{d}", "."])
def test_no_config_gives_the_defaults_rooted_where_path_would_say(
    tmp_path: Path, no_user_config: Path, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    cwd = spelling.format(d=str(work))  # "/{d}": two leading slashes, which Path keeps
    assert load_runtime_settings(cwd) == Settings(root=str(Path(cwd)))
    assert load_runtime_settings(Path(cwd)) == Settings(root=str(Path(cwd)))


@pytest.mark.parametrize("name", [".codex-guard.yaml", ".codex-guard.yml", "pyproject.toml"])
def test_a_config_in_a_parent_folder_is_still_read(
    tmp_path: Path, no_user_config: Path, name: str
) -> None:
    repo = tmp_path / "repo"
    deep = repo / "a" / "b"
    deep.mkdir(parents=True)
    text = "hook:\n  fail-closed: true\n"
    if name == "pyproject.toml":
        text = "[tool.codex-guard.hook]\nfail-closed = true\n"
    (repo / name).write_text(text)
    assert load_runtime_settings(str(deep)).hook_fail_closed is True
    link = tmp_path / "link"
    os.symlink(deep, link)  # found from the real folder, as Path.resolve() finds it
    assert load_runtime_settings(str(link)).hook_fail_closed is True


def test_the_user_config_is_still_read(
    tmp_path: Path, no_user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    user = no_user_config / ".config" / "codex-guard" / "config.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("hook:\n  fail-closed: true\n")
    assert load_runtime_settings(str(work)).hook_fail_closed is True
    xdg = tmp_path / "xdg"
    (xdg / "codex-guard").mkdir(parents=True)
    (xdg / "codex-guard" / "config.yaml").write_text("hook:\n  deny-on: warning\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    settings = load_runtime_settings(str(work))
    assert settings.hook_fail_closed is False and settings != Settings(root=str(work))
