"""The warm path replays a remembered "allowed" only for the very same inputs, env included, from
entries only this user can write, and never replays more than a full check could decide."""

from __future__ import annotations

import marshal
import os
import stat
from pathlib import Path

import pytest

from guard.runtime import fastexec
from guard.settings import DEFAULT_FORBIDDEN_ENV
from tests.runtime.recorder import Recorder, chatgpt_home_in, clean_env, make_recorder, run_exec


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    return make_recorder(tmp_path / "bin")


@pytest.fixture
def env(tmp_path: Path, recorder: Recorder, base_env: dict[str, str]) -> dict[str, str]:
    env = clean_env(base_env, recorder, chatgpt_home_in(tmp_path / "codex-home"))
    env["PYTHONPROFILEIMPORTTIME"] = "1"  # lists every module a run imports
    return env


def _argv(workspace: Path, *options: str) -> list[str]:
    return [*options, "--", "codex", "exec", "-C", str(workspace), "-s", "read-only", "task"]


def _cold(stderr: str) -> bool:
    """The full check ran (the warm path never imports the exec shim's checks)."""
    return "guard.runtime.execshim" in stderr


def _entries(env: dict[str, str]) -> list[Path]:
    folder = Path(env["XDG_CACHE_HOME"]) / "codex-guard" / "fastexec"
    return sorted(p for p in folder.glob("*.marshal")) if folder.exists() else []


def _warm_once(argv: list[str], env: dict[str, str], workspace: Path) -> Path:
    first = run_exec(argv, env, workspace)
    assert first.returncode == 0 and _cold(first.stderr), first.stderr
    second = run_exec(argv, env, workspace)
    assert second.returncode == 0 and not _cold(second.stderr), second.stderr
    [entry] = _entries(env)
    return entry


def _edit(entry: Path, **changes: object) -> None:
    data = marshal.loads(entry.read_bytes())
    data.update(changes)
    entry.write_bytes(marshal.dumps(data))  # same file, same owner and mode


def test_cache_folder_and_entries_are_private(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    entry = _warm_once(_argv(workspace), env, workspace)
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert entry.stat().st_uid == os.getuid()


@pytest.mark.parametrize(
    "changes",
    [
        {"env_set": {"OPENAI_API_KEY": "sk-edited"}},
        {"env_set": {"CODEX_API_KEY": ""}},
        {"env_remove": ["PATH"]},
        {"devnull": True},
        {"forbidden": []},
    ],
)
def test_an_edited_entry_is_never_replayed_as_edited(
    changes: dict[str, object], env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    entry = _warm_once(_argv(workspace), env, workspace)
    _edit(entry, **changes)
    recorder.clear()
    proc = run_exec(_argv(workspace), env, workspace)
    assert proc.returncode == 0, proc.stderr
    if "forbidden" not in changes:  # an entry that asks for more than was decided is a miss
        assert _cold(proc.stderr)
    [run] = recorder.runs()
    assert run.forbidden == []


def test_a_key_in_the_env_is_never_replayed(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    entry = _warm_once(_argv(workspace), env, workspace)
    _edit(entry, forbidden=[])  # even with the entry's own key list emptied
    recorder.clear()
    keyed = run_exec(_argv(workspace), {**env, "OPENAI_API_KEY": "sk-x"}, workspace)
    assert keyed.returncode == 3 and "CG101" in keyed.stderr
    assert recorder.runs() == []


def test_any_change_of_the_env_is_a_miss(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    _warm_once(_argv(workspace), env, workspace)
    changed = run_exec(_argv(workspace), {**env, "SOME_OTHER_SETTING": "1"}, workspace)
    assert changed.returncode == 0 and _cold(changed.stderr)


@pytest.mark.parametrize("how", ["entry-mode", "folder-mode", "symlink"])
def test_an_entry_others_could_write_is_a_miss(
    how: str, env: dict[str, str], workspace: Path, recorder: Recorder, tmp_path: Path
) -> None:
    entry = _warm_once(_argv(workspace), env, workspace)
    if how == "entry-mode":
        entry.chmod(0o666)
    elif how == "folder-mode":
        entry.parent.chmod(0o777)
    else:
        elsewhere = tmp_path / "elsewhere.marshal"
        elsewhere.write_bytes(entry.read_bytes())
        elsewhere.chmod(0o600)
        entry.unlink()
        entry.symlink_to(elsewhere)
    proc = run_exec(_argv(workspace), env, workspace)
    assert proc.returncode == 0, proc.stderr
    assert _cold(proc.stderr)


def test_the_engine_and_login_caches_are_private_too(
    env: dict[str, str], workspace: Path, recorder: Recorder
) -> None:
    _warm_once(_argv(workspace), env, workspace)
    base = Path(env["XDG_CACHE_HOME"]) / "codex-guard"
    for part in ("exec", "fastexec"):
        folder = base / part
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, part
        for item in folder.iterdir():
            assert stat.S_IMODE(item.stat().st_mode) == 0o600, item


def test_the_warm_path_knows_the_default_forbidden_keys() -> None:
    assert fastexec.DEFAULT_FORBIDDEN == DEFAULT_FORBIDDEN_ENV


def test_an_old_open_cache_folder_of_ours_is_narrowed_not_trusted(tmp_path: Path) -> None:
    from guard.runtime.private import read_private, write_private

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    old = folder / "old.entry"
    old.write_bytes(b"planted")
    old.chmod(0o644)
    assert read_private(str(old)) is None  # a folder others may read: nothing in it is read
    assert write_private(str(folder / "new.entry"), b"ours")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert read_private(str(folder / "new.entry")) == b"ours"
    assert read_private(str(old)) is None  # still 0644: never trusted
    link = folder / "link.entry"
    link.symlink_to(folder / "new.entry")
    assert read_private(str(link)) is None
