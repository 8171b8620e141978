"""A cached run hands the rest of its walk to a forked child once it is answered from the store
(guard/commands/cachedrun.py `WalkAside`): the report is the one a single process gives, a file
changed late in the walk is still linted again, a broken config met by the child is the same one
line and exit 2, and a child that dies is an error, never a shorter report. `-j1` never forks."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, cached_lint_runner, make_repo, record_lint_calls

import guard.commands.cachedrun as cachedrun
import guard.filereads as filereads
import guard.sources.cache as cache
import guard.sources.walk as walk

BAD = 'codex exec -C . -s read-only "x"\n'  # CG201: a positional prompt on an open stdin
GOOD = 'codex exec -C . -s read-only "x" </dev/null\n'
FOLDERS = 8
PER_FOLDER = 6


def _tree(root: Path) -> Path:
    files: dict[str, str | bytes] = {}
    for folder in range(FOLDERS):
        # every other config loosens the floor: CG905, whoever looks it up
        files[f"f{folder}/.codex-guard.yaml"] = f"ignore: [CG402{', CG10' * (folder % 2)}]\n"
        for n in range(PER_FOLDER):
            files[f"f{folder}/s{n}.sh"] = BAD if n % 2 else GOOD
        files[f"f{folder}/notes.txt"] = "codex exec x\n"  # no reader takes it
        files[f"f{folder}/doc.md"] = f"```sh\n{BAD}```\n"
    files[f"f{FOLDERS - 1}/sub/pyproject.toml"] = '[tool.codex-guard]\nignore = ["CG10"]\n'
    files[f"f{FOLDERS - 1}/sub/run.sh"] = GOOD
    return make_repo(root, files)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The runs' hand-overs to a child (counted here, in the parent)."""
    started: list[int] = []
    real = walk.walk_aside

    def counting(*args: Any) -> Any:
        started.append(1)
        return real(*args)

    monkeypatch.setattr(walk, "walk_aside", counting)
    return started


@pytest.fixture(autouse=True, params=[256, 3], ids=["one-batch", "batches-of-3"])
def batches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """One batch (the child looks at it), or many: every other one is looked at by the parent
    (`walk.PARENT_SHARE`)."""
    monkeypatch.setattr(walk, "ASIDE_BATCH", request.param)
    return int(request.param)


@pytest.fixture(autouse=True, params=["as-the-parent-keeps-up", "every-other"])
def schedule(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Who looks at a batch: the parent whenever it has taken all but `walk.PARENT_BACKLOG` of
    the child's messages (a shared counter), or, with no counter, every other batch
    (`walk.PARENT_SHARE`): the report is the same either way."""
    if request.param == "every-other":
        monkeypatch.setattr(walk.Progress, "shared", classmethod(lambda cls: None))
    return str(request.param)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files the test just wrote count as old
    monkeypatch.setattr(filereads, "RACY_NS", 0)  # ... and so do the files their lint read
    monkeypatch.setattr(cachedrun, "ASIDE_AFTER", 8)  # a small tree hands over too
    yield record_lint_calls(monkeypatch, tmp_path)


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, calls: list[str]
) -> Callable[..., Run]:
    return cached_lint_runner(capsys, monkeypatch, calls)


def test_the_child_walks_and_the_report_is_a_single_process_one(
    tmp_path: Path, run: Callable[..., Run], calls: list[str], forks: list[int]
) -> None:
    repo = _tree(tmp_path / "r")
    reference = run("--format", "json", "--no-cache", "-j1", cwd=repo)
    assert reference.code == 1 and reference.json()["findings"]
    loosened = {f["path"] for f in reference.json()["findings"] if f["rule"] == "CG905"}
    assert loosened == {f"f{n}/.codex-guard.yaml" for n in range(1, FOLDERS, 2)} | {
        f"f{FOLDERS - 1}/sub/pyproject.toml"
    }
    cold = run("--format", "json", "-j2", cwd=repo)
    assert cold.out == reference.out and forks == []  # nothing to hand over: all misses
    warm = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    assert calls == []  # every file answered from the store: by the parent, then the child
    assert (warm.code, warm.out, warm.err) == (reference.code, reference.out, reference.err)
    one = run("--format", "json", "-j1", cwd=repo)
    assert forks == [1]  # -j1 is one process
    assert (one.code, one.out) == (reference.code, reference.out)


def test_a_file_changed_late_in_the_walk_is_linted_again(
    tmp_path: Path, run: Callable[..., Run], calls: list[str], forks: list[int]
) -> None:
    repo = _tree(tmp_path / "r")
    run("--format", "json", "-j2", cwd=repo)
    last = repo / f"f{FOLDERS - 1}" / "s0.sh"
    last.write_text(BAD + "# now it has a finding\n")
    warm = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    assert calls == [f"f{FOLDERS - 1}/s0.sh"]
    reference = run("--format", "json", "--no-cache", "-j1", cwd=repo)
    assert warm.out == reference.out
    assert f"f{FOLDERS - 1}/s0.sh" in {f["path"] for f in warm.json()["findings"]}


def test_a_broken_config_the_child_meets_is_one_line_and_exit_2(
    tmp_path: Path, run: Callable[..., Run], forks: list[int]
) -> None:
    repo = _tree(tmp_path / "r")
    run("--format", "json", "-j2", cwd=repo)
    (repo / f"f{FOLDERS - 1}" / ".codex-guard.yaml").write_text("ignore: [CG402]\nbogus: 1\n")
    aside = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    alone = run("--format", "json", "-j1", cwd=repo)
    assert aside.code == alone.code == 2
    assert aside.err == alone.err
    assert aside.err.count("\n") == 1 and ".codex-guard.yaml" in aside.err
    assert "Traceback" not in aside.err


def test_a_child_that_dies_is_an_error_not_a_shorter_report(
    tmp_path: Path, run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    repo = _tree(tmp_path / "r")
    run("--format", "json", "-j2", cwd=repo)

    parent = os.getpid()
    real_look, real_left = cachedrun.ChildLooks.__call__, cachedrun.ChildLooks.left

    def dying(real: Callable[..., Any]) -> Callable[..., Any]:
        def dies(self: object, batch: list[object]) -> Any:
            if os.getpid() != parent:
                os._exit(3)  # in the child, at its first batch: it leaves without a word
            return real(self, batch)  # (the parent looks at the batches left to it)

        return dies

    # Both: the child looks at a batch, or leaves it to the parent (`walk.to_parent`).
    monkeypatch.setattr(cachedrun.ChildLooks, "__call__", dying(real_look))
    monkeypatch.setattr(cachedrun.ChildLooks, "left", dying(real_left))
    broken = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    assert broken.code == 2
    assert broken.out == ""
    assert "helper process ended early" in broken.err and "Traceback" not in broken.err


def test_the_parent_takes_the_child_s_configs_and_resolves_none_again(
    tmp_path: Path, run: Callable[..., Run], forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import guard.config as config

    repo = _tree(tmp_path / "r")
    reference = run("--format", "json", "--no-cache", "-j1", cwd=repo)
    run("--format", "json", "-j2", cwd=repo)
    looked: list[str] = []  # in this process only: the child's own calls stay in the child
    real_config_in = config.config_in

    def counting(folder: Path | str, names: Any = None) -> Path | None:
        looked.append(os.path.basename(str(folder)))
        return real_config_in(folder, names)

    monkeypatch.setattr(config, "config_in", counting)
    warm = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    assert (warm.code, warm.out) == (reference.code, reference.out)
    # The parent walked the first folders itself (ASIDE_AFTER = 8 files), the child the rest:
    # the rest's configs came with the child's batches.
    walked_here = {name for name in looked if name.startswith("f")}
    assert walked_here and len(walked_here) <= 2, looked


def _store(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "codex-guard" / "lint" / "store.sqlite3"


def test_a_hit_whose_findings_do_not_decode_is_linted_again(
    tmp_path: Path, run: Callable[..., Run], calls: list[str], forks: list[int]
) -> None:
    repo = _tree(tmp_path / "r")
    reference = run("--format", "json", "--no-cache", "-j1", cwd=repo)
    run("--format", "json", "-j2", cwd=repo)
    late = [f"f{n}/s1.sh" for n in range(2, FOLDERS)]  # one of each folder the child walks
    with sqlite3.connect(_store(tmp_path)) as conn:
        broken = conn.execute(
            "UPDATE entries SET findings = '[{\"rule\": 1}]' WHERE key IN (SELECT entry FROM"
            f" stats WHERE path IN ({', '.join('?' * len(late))}))",
            late,
        ).rowcount
    assert broken == len(late)
    warm = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    assert (warm.code, warm.out, warm.err) == (reference.code, reference.out, reference.err)
    assert sorted(calls) == late  # the looks gave them back: linted, and only they


def test_a_file_another_file_s_lint_read_changed_late_in_the_walk_is_linted_again(
    tmp_path: Path, run: Callable[..., Run], calls: list[str], forks: list[int]
) -> None:
    repo = _tree(tmp_path / "r")
    # Walked last ("run.sh" sorts after the folders): its lint reads a file it copies into
    # Codex's config (which no reader takes itself)
    (repo / "run.sh").write_text(
        'export CODEX_HOME=/tmp/ch\ncp conf/codex.toml "$CODEX_HOME/config.toml"\n'
        'codex exec -C . "x" </dev/null\n'
    )
    (repo / "conf").mkdir()
    (repo / "conf" / "codex.toml").write_text('sandbox_mode = "workspace-write"\n')
    run("--format", "json", "-j2", cwd=repo)
    (repo / "conf" / "codex.toml").write_text('sandbox_mode = "danger-full-access"\n')
    warm = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1] and "run.sh" in calls
    reference = run("--format", "json", "--no-cache", "-j1", cwd=repo)
    assert (warm.code, warm.out) == (reference.code, reference.out)
    assert "run.sh" in {f["path"] for f in warm.json()["findings"]}


def test_hits_the_looks_keep_are_marked_used_when_not_used_lately(
    tmp_path: Path, run: Callable[..., Run], forks: list[int]
) -> None:
    repo = _tree(tmp_path / "r")
    run("--format", "json", "-j2", cwd=repo)
    with sqlite3.connect(_store(tmp_path)) as conn:  # long ago: the next hit marks them
        conn.execute("UPDATE entries SET used = 5")
        conn.execute("UPDATE stats SET used = 5")
    run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    with sqlite3.connect(_store(tmp_path)) as conn:
        stats = conn.execute("SELECT path, used FROM stats").fetchall()
        query = "SELECT used FROM entries WHERE findings != ?"
        entries = conn.execute(query, (cache.encode([]),)).fetchall()
    # (a file no reader takes is never looked up: its row is not used)
    unread = (".txt", ".toml")
    assert {path for path, used in stats if used == 5 and not path.endswith(unread)} == set()
    assert len([path for path, used in stats if used != 5]) == FOLDERS * (PER_FOLDER + 2) + 1
    assert entries and all(used > 1_000_000_000 for (used,) in entries)


def test_a_config_reached_two_ways_is_reported_where_the_walk_met_it_first(
    tmp_path: Path, run: Callable[..., Run], forks: list[int]
) -> None:
    """A config file a look kept (unchanged) and one it sent on (its folder is new) are linted
    in walk order: CG905 names the path a single process names."""
    files: dict[str, str | bytes] = {
        f"f{folder}/s{n}.sh": BAD if n % 2 else GOOD for folder in range(3) for n in range(4)
    }
    # a config each: the parent's lookups end at each folder, so the child starts in f2
    files.update({f"f{folder}/.codex-guard.yaml": "ignore: [CG402]\n" for folder in range(3)})
    files["z/.codex-guard.yaml"] = "ignore: [CG402, CG10]\n"  # loosens: CG905
    files.update({f"z/s{n}.sh": GOOD for n in range(3)})
    files["m/s.sh"] = GOOD
    repo = make_repo(tmp_path / "r", files)
    run("--format", "json", "-j2", cwd=repo)
    run("--format", "json", "-j2", cwd=repo)
    (repo / "m" / ".codex-guard.yaml").symlink_to("../z/.codex-guard.yaml")  # m/ sorts first
    reference = run("--format", "json", "--no-cache", "-j1", cwd=repo)
    forks.clear()
    warm = run("--format", "json", "-j2", cwd=repo)
    assert forks == [1]
    assert (warm.code, warm.out) == (reference.code, reference.out)
    assert [f["path"] for f in warm.json()["findings"] if f["rule"] == "CG905"] == [
        "m/.codex-guard.yaml"
    ]
