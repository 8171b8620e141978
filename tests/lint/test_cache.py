"""The content-hash cache: one private store, the same answers warm as cold, invalidated by
content, config and rules, safe with two runs at once, pruned."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import console, make_repo, write

from guard.findings import Finding, Location, Severity

STORE = Path("codex-guard") / "lint" / "store.sqlite3"
BAD = 'codex exec -C . -s read-only "x"\n'  # CG201: a positional prompt on an open stdin
GOOD = 'codex exec -C . -s read-only "x" </dev/null\n'


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    return env


def _entries(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "cache" / STORE) as conn:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])


def _rules(run_json: dict[str, object]) -> list[tuple[str, str, int]]:
    findings = run_json["findings"]
    assert isinstance(findings, list)
    return [(f["rule"], f["path"], f["line"]) for f in findings]


def test_cache_hits_change_nothing_and_misses_on_every_input(tmp_path: Path) -> None:
    env = _env(tmp_path)
    notes = f"# Notes\n\n```sh\n{GOOD}```\n"  # parsed (it runs codex), so stored
    repo = make_repo(tmp_path / "r", {"run.sh": BAD, "docs/notes.md": notes})
    cold = console("lint", "--format", "json", cwd=repo, env=env)
    assert "CG201" in {f["rule"] for f in cold.json()["findings"]}
    # one store file, one entry per linted file, nothing per file on disk
    assert _entries(tmp_path) == 2
    lint_folder = tmp_path / "cache" / STORE.parent
    assert {p.name for p in lint_folder.rglob("*")} <= {
        STORE.name,
        f"{STORE.name}-wal",
        f"{STORE.name}-shm",
    }
    warm = console("lint", "--format", "json", cwd=repo, env=env)
    assert warm.out == cold.out and warm.code == cold.code
    uncached = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    assert uncached.out == cold.out

    write(repo / "run.sh", GOOD)  # content
    fixed = console("lint", "--format", "json", cwd=repo, env=env)
    assert "CG201" not in {f["rule"] for f in fixed.json()["findings"]}

    write(repo / "run.sh", BAD)
    write(repo / ".codex-guard.yaml", "ignore: [CG201]\n")  # config
    ignored = console("lint", "--format", "json", cwd=repo, env=env)
    assert "CG201" not in {f["rule"] for f in ignored.json()["findings"]}
    (repo / ".codex-guard.yaml").unlink()  # the config goes: the old entry answers again
    again = console("lint", "--format", "json", cwd=repo, env=env)
    assert again.out == cold.out

    off = {**env, "CODEX_GUARD_NO_CACHE": "1"}
    before = _entries(tmp_path)
    write(repo / "other.sh", "codex exec -s read-only y\n")
    console("lint", cwd=repo, env=off)
    assert _entries(tmp_path) == before


ACME_RULE = """id: ACME001
name: no-ephemeral-anywhere
severity: {severity}
summary: ephemeral runs cannot be audited here
rationale: audit
fix: drop --ephemeral
match:
  ephemeral: true
examples:
  bad: ["codex exec --ephemeral -C . -s read-only p </dev/null"]
  good: ["codex exec -C . -s read-only p </dev/null"]
"""


def test_a_changed_rule_set_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = make_repo(
        tmp_path / "r",
        {
            ".codex-guard.yaml": "rules: [team-rules]\n",
            "team-rules/acme001.yaml": ACME_RULE.format(severity="error"),
            "run.sh": "codex exec --ephemeral -C . -s read-only p </dev/null\n",
        },
    )
    first = console("lint", "--format", "json", cwd=repo, env=env)
    assert [(f["rule"], f["severity"]) for f in first.json()["findings"]] == [("ACME001", "error")]
    rule = repo / "team-rules" / "acme001.yaml"
    rule.write_text(ACME_RULE.format(severity="warning"))
    os.utime(rule, ns=(rule.stat().st_mtime_ns + 10**9,) * 2)  # same size: mtime says it changed
    second = console("lint", "--format", "json", cwd=repo, env=env)
    findings = second.json()["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [("ACME001", "warning")]


def _linted(files: int) -> int:
    """How many files of _mixed_tree are linted: not excluded (sub/skipped), not `.txt`."""
    return sum(1 for n in range(files) if n % 5 != 4 and n % 3 != 2)


def _mixed_tree(root: Path, files: int) -> Path:
    repo = make_repo(root)
    write(repo / "sub" / ".codex-guard.yaml", "ignore: [CG201]\nexclude: [skipped/]\n")
    for n in range(files):
        folder = ("a", "b", "sub", "sub/deep", "sub/skipped")[n % 5]
        if n % 3 == 0:
            write(repo / folder / f"s{n:03d}.sh", BAD if n % 2 else GOOD)
        elif n % 3 == 1:
            write(repo / folder / f"m{n:03d}.md", f"# {n}\n\n```sh\n{BAD}```\n")
        else:
            write(repo / folder / f"d{n:03d}.txt", "codex exec x\n")
    return repo


def test_output_is_the_same_for_every_j_cached_or_not(tmp_path: Path) -> None:
    """Past the pool's threshold: -j1 in this process, -j2 two workers, a cold and a warm cache;
    the report is byte for byte the same (sorted by path whatever finishes first)."""
    env = _env(tmp_path)
    repo = _mixed_tree(tmp_path / "r", 200)
    reference = console("lint", "--format", "json", "-j1", "--no-cache", cwd=repo, env=env)
    data = reference.json()
    assert data["files"] == _linted(200)
    assert not any(f["path"].startswith("sub/skipped") for f in data["findings"])
    assert not any(f["path"].startswith("sub/") and f["rule"] == "CG201" for f in data["findings"])
    assert any(f["path"].startswith("a/") and f["rule"] == "CG201" for f in data["findings"])
    for args in (["-j2", "--no-cache"], ["-j2"], ["-j1"], ["-j2"], ["-j0"]):
        run = console("lint", "--format", "json", *args, cwd=repo, env=env)
        assert (run.code, run.out) == (reference.code, reference.out), args
    text = console("lint", "-j1", "--no-cache", cwd=repo, env=env)
    assert console("lint", "-j2", cwd=repo, env=env).out == text.out


def test_two_runs_at_once_share_the_store_without_harm(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = _mixed_tree(tmp_path / "r", 300)
    reference = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    argv = ["codex-guard", "lint", "--format", "json", "-j2"]
    for _ in range(2):  # a cold pair (both write), then a warm pair (both read and mark)
        runs = [
            subprocess.Popen(
                argv, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert b"Traceback" not in err
            assert (run.returncode, out.decode()) == (reference.code, reference.out)
    with sqlite3.connect(tmp_path / "cache" / STORE) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _entries(tmp_path) == reference.json()["files"]


def test_the_store_is_private_and_a_shared_one_is_never_read(tmp_path: Path) -> None:
    from guard.sources.cache import encode

    env = _env(tmp_path)
    repo = make_repo(tmp_path / "r", {"run.sh": BAD})
    first = console("lint", "--format", "json", cwd=repo, env=env)
    store = tmp_path / "cache" / STORE
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    # Someone else's write: every entry now says "no findings". A store others may write is
    # not ours to trust: the lint must not answer from it.
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE entries SET findings = ?", (encode([]),))
    store.chmod(0o666)
    shared = console("lint", "--format", "json", cwd=repo, env=env)
    assert shared.out == first.out
    store.chmod(0o600)
    poisoned = console("lint", "--format", "json", cwd=repo, env=env)
    assert poisoned.json()["findings"] == []  # control: the planted answer is what a hit gives


def test_a_broken_store_costs_a_relint_never_an_error(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "r", {"run.sh": BAD})
    reference = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    store = tmp_path / "cache" / STORE
    store.parent.mkdir(parents=True, mode=0o700)
    store.write_bytes(b"not a database at all" * 100)
    store.chmod(0o600)
    for _ in range(2):  # the first replaces it, the second reads the new one
        run = console("lint", "--format", "json", cwd=repo, env=env)
        assert (run.code, run.out) == (reference.code, reference.out)
    assert _entries(tmp_path) == 1


def test_the_store_syncs_at_checkpoints_so_an_os_crash_cannot_mix_its_pages(
    tmp_path: Path,
) -> None:
    """WAL mode with synchronous=NORMAL: no fsync at a commit, one at each checkpoint. With
    synchronous=OFF an OS crash can leave pages of two versions, which SQLite reports no error
    for: an entry's key index then names another entry's row, and a file gets another file's
    findings (`test_a_store_of_mixed_pages_answers_with_another_entry` shows it)."""
    from guard.sources.cache import open_store

    store = open_store(str(tmp_path / "lint"))
    assert store is not None
    try:
        assert store._conn.execute("PRAGMA synchronous").fetchone() == (1,)
        assert store._conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        store.close()


def test_a_store_of_mixed_pages_answers_with_another_entry(tmp_path: Path) -> None:
    """Why the store syncs at checkpoints: the `entries` table page of a later version beside
    its key index page of an earlier one (what an unsynced checkpoint can leave after an OS
    crash) answers a key with the row that took its rowid, and SQLite sees nothing wrong."""
    import shutil

    from guard.sources.cache import PAGE_BYTES, STORE_NAME, _open, encode

    earlier, later = tmp_path / "earlier", tmp_path / "later"
    store = _open(str(earlier))
    assert store is not None
    store.save([("K1", encode([_finding(1)])), ("K2", encode([]))], [], now=100)
    store.close()  # (the log folded into the file)
    shutil.copytree(earlier, later)
    store = _open(str(later))
    assert store is not None
    store._conn.execute("DELETE FROM entries WHERE key = 'K2'")  # as a prune does
    store.save([("K3", encode([_finding(3)]))], [], now=200)  # K2's rowid, taken again
    store.close()
    with sqlite3.connect(earlier / STORE_NAME) as conn:
        table = dict(conn.execute("SELECT name, rootpage FROM sqlite_master"))["entries"]
    offset = (table - 1) * PAGE_BYTES
    newer = (later / STORE_NAME).read_bytes()[offset : offset + PAGE_BYTES]
    with (earlier / STORE_NAME).open("r+b") as data:
        data.seek(offset)
        data.write(newer)
    store = _open(str(earlier))
    assert store is not None
    try:
        assert store.get("K2") == [_finding(3)]  # stored with no findings: another file's
        assert store.count() == 2
        assert store._conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    finally:
        store.close()


def test_old_one_file_per_entry_layout_is_removed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    old = tmp_path / "cache" / "codex-guard" / "lint" / "ab"
    write(old / ("ab" + "0" * 62 + ".json"), "[]")
    keep = write(tmp_path / "cache" / "codex-guard" / "lint" / "notes" / "x.json", "{}")
    repo = make_repo(tmp_path / "r", {"run.sh": BAD})
    console("lint", cwd=repo, env=env)
    assert not old.exists() and keep.exists()


def _finding(n: int) -> Finding:
    return Finding("CG201", "x", Severity.ERROR, f"m{n}", Location(f"f{n}.sh", 1, 1, 1, 2))


def test_prune_drops_the_old_and_the_least_recently_used(tmp_path: Path) -> None:
    from guard.sources.cache import encode, open_store

    store = open_store(str(tmp_path / "store"))
    assert store is not None
    store.save([(f"k{n}", encode([_finding(n)])) for n in range(10)], [], now=1_000)
    store.save([(f"k{n}", encode([])) for n in range(10, 20)], [], now=2_000)
    store.save([], ["k0", "k1"], now=3_000)  # hits: used again
    store.prune(max_entries=12, max_age_s=10_000, now=3_000)
    assert store.count() == 12
    assert store.get("k0") == [_finding(0)] and store.get("k1") is not None
    assert store.get("k2") is None  # the least recently used went first
    assert store.get("k19") == []
    store.prune(max_entries=100, max_age_s=500, now=3_000)  # only what was used at 3,000 stays
    assert store.count() == 2


def test_a_store_this_run_made_is_pruned_only_past_its_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prune reads every row; a store the run made holds nothing older than the run, so only
    its cap can call for one. A store that was there before is pruned after every write."""
    import time

    from guard.commands.cachedrun import CacheWriter
    from guard.commands.lint import FileOutcome
    from guard.sources import cache

    pruned: list[bool] = []
    monkeypatch.setattr(cache.Store, "prune", lambda self, *_a, **_k: pruned.append(self.fresh))
    script = write(tmp_path / "run.sh", GOOD)
    row = cache.stat_row(str(script), "s", (time.time_ns(), script.stat()), "", True, "")

    def run(folder: str) -> None:
        writer = CacheWriter(folder)
        writer.note(FileOutcome([], [], True, stat_row=row))
        writer.close()
        cache.close_stores()

    run(str(tmp_path / "a"))
    assert pruned == []  # made by this run
    run(str(tmp_path / "a"))
    assert pruned == [False]  # there before
    monkeypatch.setattr(cache, "MAX_ENTRIES", 0)
    run(str(tmp_path / "b"))
    assert pruned == [False, True]  # made by this run, and past its cap


def test_a_cold_run_fills_the_store_in_the_parent_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers only read: the entries come back with the outcomes and are written in batches."""
    import guard.sources.cache as cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = _mixed_tree(tmp_path / "r", 100)
    saves: list[int] = []
    real_save = cache.Store.save

    def counting_save(
        self: cache.Store,
        added: list[tuple[str, bytes]],
        used: list[str],
        now: int | None = None,
        **rows: Any,
    ) -> None:
        saves.append(len(added))
        real_save(self, added, used, now, **rows)

    monkeypatch.setattr(cache.Store, "save", counting_save)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("CODEX_GUARD_NO_CACHE", raising=False)
    from guard.cli import main

    assert main(["lint", "-q", "--format", "json", "-j2"]) == 1
    assert sum(saves) == _linted(100) and len(saves) == 1  # one batch, one transaction


def test_hits_not_used_lately_are_marked_so_pruning_keeps_them(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "r", {"run.sh": BAD})
    console("lint", cwd=repo, env=env)
    store = tmp_path / "cache" / STORE
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE entries SET used = 5")  # long ago: the next hit marks it
    console("lint", cwd=repo, env=env)
    with sqlite3.connect(store) as conn:
        used = conn.execute("SELECT used FROM entries").fetchall()
    assert len(used) == 1 and used[0][0] > 1_000_000_000


def test_a_stored_outcome_crosses_to_the_parent_as_the_store_keeps_its_findings() -> None:
    """A worker sends an outcome the run stores with its findings as the store's text (made
    once, for the pipe and the store): the parent gets them back as a cached run would give
    them (every field but the edits, which no report shows), and the text to store."""
    import pickle

    from guard.commands.lint import FileOutcome
    from guard.findings import Edit
    from guard.sources.cache import encode

    place = Location("a b/é.sh", 3, 5, 3, 9, "the key is exported here")
    found = Finding(
        "CG101",
        "api-key-billing",
        Severity.ERROR,
        'message with "quotes", \\ and \udcff',
        Location("a b/é.sh", 7, 1, 8, 2),
        None,
        (place, Location("other.sh", 1, 1, 1, 1)),
        "validator",
        (Edit(place, "x"),),
    )
    plain = Finding("CG201", "n", Severity.WARNING, "m", Location("p.sh", 1, 2, 1, 3), "fix")
    stored = FileOutcome([found, plain], [], True, cache_key="k", entry_key="k")
    stored.stored_findings = encode(stored.findings)
    stored.reads_blob = b"\x01" * 8 + b"\xa9\x00"
    back = pickle.loads(pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
    without_edits = Finding(*[getattr(found, name) for name in Finding.__match_args__][:8])
    assert back.findings == [without_edits, plain]
    assert (back.stored_findings, back.cache_key, back.reads_blob) == (
        stored.stored_findings,
        "k",
        stored.reads_blob,
    )
    # An outcome the run does not store crosses as it is, edits and all.
    unstored = FileOutcome([found], [], True)
    assert pickle.loads(pickle.dumps(unstored)).findings == [found]


def test_a_stored_entry_of_another_shape_is_a_miss_never_a_finding() -> None:
    """Whatever the store holds under a key, its findings are read back only when every field
    has a finding's type: anything else is an error the lookups take as a miss."""
    import marshal

    from guard.sources.cache import decoded_findings, encode

    good = Finding("CG201", "n", Severity.WARNING, "m", Location("p.sh", 1, 2, 1, 3), "fix")
    record = ("CG201", "n", "warning", "m", ("p.sh", 1, 2, 1, 3, ""))
    assert decoded_findings(marshal.dumps([(*record, "fix", (), None)])) == [good]
    damaged = [
        encode([good])[:-3],  # cut short
        b"not marshal at all",
        '[{"rule": 1}]',  # text, as a store of an older shape kept it
        marshal.dumps({"rule": "CG201"}),
        marshal.dumps([(*record, "fix", ())]),  # a field short
        marshal.dumps([(*record[:4], ("p.sh", "1", 2, 1, 3, ""), "fix", (), None)]),
        marshal.dumps([(*record[:2], "fatal", *record[3:], "fix", (), None)]),
        marshal.dumps([(*record[:3], b"m", record[4], "fix", (), None)]),
        marshal.dumps([(*record, 7, (), None)]),
        marshal.dumps([(*record, "fix", [("p.sh", 1, 2, 1, 3, "")], None)]),
        marshal.dumps([(*record, "fix", (("p.sh", 1, 2, 1, 3, None),), None)]),
        marshal.dumps([compile("1", "x", "eval")]),  # marshal reads code too: never run
    ]
    for blob in damaged:
        with pytest.raises((KeyError, TypeError, ValueError)):
            decoded_findings(blob)  # type: ignore[arg-type]


def test_findings_with_fields_of_a_checks_own_type_are_stored_as_plain_values() -> None:
    """A check may make a message or a path of its own subclass of str (marshal refuses those):
    the entry is stored all the same, and read back as plain values."""
    from guard.sources.cache import decoded_findings, encode

    class Text(str):
        pass

    class Line(int):
        pass

    place = Location(Text("p.sh"), Line(1), 2, 1, 3, Text("here"))
    found = Finding("CG201", Text("n"), Severity.WARNING, Text("m"), place, None, (place,))
    back = decoded_findings(encode([found]))
    assert back == [found]
    assert type(back[0].message) is str and type(back[0].location.line) is int


def test_an_outcome_crosses_with_every_field_it_had() -> None:
    """An outcome crosses a process boundary as its fields in order: each one comes back in its
    place (a field dropped or two swapped would give the parent another outcome)."""
    import pickle

    from guard.commands.lint import FileOutcome
    from guard.findings import FileError
    from guard.sources.cache import NO_FINDINGS, Reads

    found = Finding("CG201", "n", Severity.WARNING, "m", Location("p.sh", 1, 2, 1, 3), "fix")
    row = ("p.sh", "scope", 1, 2, 3, 4, 5, 6, 7, "entry", 1, 8, b"\x07" * 10)
    outcomes = [
        FileOutcome(
            [found],
            [FileError("p.sh", "cannot read")],
            False,
            [FileError("q.txt", "skipped")],
            cache_key="key",
            cache_hit=True,
            entry_key="entry",
            stat_row=row,
            reads=Reads(7, ()),
            reads_blob=b"\x07" * 10,
        ),
        FileOutcome(
            [], [], True, stat_row=row, reads_blob=b"\x09" * 10, stored_findings=NO_FINDINGS
        ),
    ]
    for outcome in outcomes:
        back = pickle.loads(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        assert [getattr(back, name) for name in FileOutcome.__slots__] == [
            getattr(outcome, name) for name in FileOutcome.__slots__
        ]


def test_a_folders_reads_are_encoded_once_but_each_answer_is_its_own() -> None:
    """The encoded reads of a lint are made once per distinct set of probes and answers: the
    same probes with another answer (a config written since) are another encoding: the stamp,
    then the marshalled probes."""
    from guard.sources.cache import STAMP_BYTES, decode_reads, encode_recorded

    probes = {("cwd", ""): "/w", ("file", "/w/.codex/config.toml"): "absent"}
    first = encode_recorded(10, probes)
    second = encode_recorded(11, dict(probes))
    assert second[STAMP_BYTES:] == first[STAMP_BYTES:]
    assert second[:STAMP_BYTES] == (11).to_bytes(STAMP_BYTES, "little") != first[:STAMP_BYTES]
    changed = {**probes, ("file", "/w/.codex/config.toml"): "12 100 100"}
    other = decode_reads(encode_recorded(12, changed))
    assert other is not None and other.stamp == 12 and other.probes[1].answer == "12 100 100"
    reads = decode_reads(first)
    assert reads is not None and reads.stamp == 10
    assert [(p.kind, p.path, p.answer) for p in reads.probes] == [
        ("cwd", "", "/w"),
        ("file", "/w/.codex/config.toml", "absent"),
    ]


def _cold_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo: Path, *paths: str
) -> list[Any]:
    """The jobs a run with an empty store hands to the pool (cold: their cache fields set),
    taken before any is linted."""
    from guard.commands import lint
    from guard.findings import LintResult

    jobs: list[lint.FileJob] = []

    def taken(found: Any, workers: int, **options: Any) -> LintResult:
        jobs.extend(found)
        return LintResult()

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CODEX_GUARD_NO_CACHE", raising=False)
    monkeypatch.setattr(lint, "run_jobs", taken)
    monkeypatch.chdir(repo)
    from guard.cli import main

    main(["lint", "-q", "-j2", "--format", "json", *paths])
    return jobs


def test_a_workers_chunk_stores_what_its_files_one_by_one_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool worker lints its chunk first and makes each outcome's stored form after (the
    content key among it): the keys, findings, stat rows and reads are those of the files
    linted one at a time, for a file held for its key and one too large to be held."""
    from guard.commands import cachedrun, lint
    from guard.sources.cache import decode_reads

    big = BAD + "# padding\n" * (lint.KEY_LATER_BYTES // 10)
    repo = make_repo(
        tmp_path / "r",
        {
            "bad.sh": BAD,
            "good.sh": GOOD,
            "plain.sh": "echo hello\n",
            "notes.md": f"# notes\n\n```sh\n{BAD}```\n",
            "big.sh": big,
        },
    )
    (repo / "gone.sh").symlink_to("missing.sh")  # named: an error, never stored
    assert len(big.encode()) > lint.KEY_LATER_BYTES
    jobs = _cold_jobs(tmp_path, monkeypatch, repo, ".", "gone.sh")
    assert {job.path for job in jobs} >= {"bad.sh", "good.sh", "big.sh", "gone.sh"}
    assert all(job.cache_dir is not None for job in jobs)

    def stored(outcome: lint.FileOutcome) -> tuple[object, ...]:
        # the stamps are when each look and lint began: the rest must be the same
        row = outcome.stat_row
        decoded = decode_reads(outcome.reads_blob) if outcome.reads_blob else None
        reads = None if decoded is None else decoded.probes
        row_reads = None if row is None else decode_reads(row[12])
        assert row_reads is not None or row is None
        return (
            outcome.findings,
            outcome.errors,
            outcome.cache_key,
            outcome.entry_key,
            outcome.stored_findings,
            None if row is None or row_reads is None else (row[:8], row[9:11], row_reads.probes),
            reads,
        )

    alone = [cachedrun.lint_recorded(job, full=True) for job in jobs]
    chunk = lint.lint_chunk(jobs)
    assert [stored(o) for o in chunk] == [stored(o) for o in alone if o is not None]
    by_path = dict(zip([job.path for job in jobs], chunk, strict=True))
    for name in ("bad.sh", "good.sh", "big.sh", "notes.md"):
        assert len(by_path[name].cache_key) == 64 and by_path[name].stat_row is not None
    assert by_path["bad.sh"].findings and by_path["big.sh"].findings
    assert by_path["gone.sh"].errors and not by_path["gone.sh"].cache_key
    # Only a small file waits for its key; a large one is hashed at once (a worker's memory).
    held: list[tuple[bytes, str]] = []
    job_of = {job.path: job for job in jobs}
    waiting = lint.lint_unrecorded(job_of["bad.sh"], unkeyed=held)
    assert waiting is not None and not waiting.cache_key and len(held) == 1
    hashed = lint.lint_unrecorded(job_of["big.sh"], unkeyed=held)
    assert hashed is not None and hashed.cache_key == by_path["big.sh"].cache_key
    assert len(held) == 1


def test_a_workers_chunk_looks_at_each_file_before_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stat row a worker sends is its file's stat data from before the read: a write
    after the read is then a changed stat next run (a miss), never a row that passes for it.
    A chunk takes its looks first, all of them; each still precedes its file's read."""
    from guard.commands import cachedrun, lint

    repo = make_repo(tmp_path / "r", {f"s{n}.sh": BAD if n % 2 else GOOD for n in range(6)})
    jobs = _cold_jobs(tmp_path, monkeypatch, repo, ".")
    events: list[tuple[str, str]] = []
    real_look, real_read = cachedrun.cache.look, lint._read_regular

    def look(path: str) -> Any:
        events.append(("look", path))
        return real_look(path)

    def read(path: str, size: int) -> Any:
        events.append(("read", path))
        return real_read(path, size)

    monkeypatch.setattr(cachedrun.cache, "look", look)
    monkeypatch.setattr(lint, "_read_regular", read)
    outcomes = lint.lint_chunk(jobs)
    assert len(jobs) == 6 and all(outcome.stat_row is not None for outcome in outcomes)
    for job, outcome in zip(jobs, outcomes, strict=True):
        assert events.index(("look", job.path)) < events.index(("read", job.path))
        assert outcome.stat_row is not None and outcome.stat_row[0] == job.path


def test_the_code_fingerprint_lists_what_pathlib_would_and_follows_each_file(
    tmp_path: Path,
) -> None:
    """The linter's fingerprint lists its files with os.scandir (pathlib's rglob cost a cold
    run 16 M instructions): the same files as `rglob("*.py")` and `glob("*.y*ml")`, a folder
    reached through a symlink not walked, and any change to a listed file changes the key."""
    from guard.sources import cache

    code = tmp_path / "code"
    for name in ("a.py", "b.txt", ".hidden.py", "sub/c.py", "sub/deep/d.py", "sub/x.pyc"):
        write(code / name, "x = 1\n")
    (code / "linked").symlink_to(code / "sub", target_is_directory=True)
    found: list[str] = []
    cache._py_files(str(code), found)
    assert sorted(found) == sorted(str(path) for path in code.rglob("*.py"))
    assert str(code / "sub" / "deep" / "d.py") in found
    assert not any("/linked/" in path for path in found)  # as rglob: not walked

    rules = tmp_path / "rules"
    for name in ("r.yaml", "s.yml", ".t.yml", "u.json", "v.yml.bak", "w.ml"):
        write(rules / name, "id: X\n")
    listed = sorted(cache._rule_files(str(rules)))
    assert listed == sorted(str(path) for path in rules.glob("*.y*ml"))
    assert cache._rule_files(str(tmp_path / "none")) == []

    before = cache.code_fingerprint([str(rules)])
    assert cache.code_fingerprint([str(rules)]) == before
    write(rules / "s.yml", "id: XY\n")
    assert cache.code_fingerprint([str(rules)]) != before


def test_blobs_are_bound_as_the_bytes_they_are(tmp_path: Path) -> None:
    """`bytes` go through a registered adapter (sqlite3's own lookup of one raised an error a
    value): they are still stored as the same blob, a subclass's as its plain bytes."""
    from guard.sources.cache import encode, open_store

    class Tagged(bytes):
        pass

    store = open_store(str(tmp_path / "store"))
    assert store is not None
    try:
        findings = encode([_finding(1)])
        store.save([("K1", findings, b""), ("K2", Tagged(findings), b"\x00\xff")], [], now=5)
        rows = store._conn.execute(
            "SELECT key, typeof(findings), findings, typeof(deps), deps FROM entries ORDER BY key"
        ).fetchall()
    finally:
        store.close()
    assert rows == [
        ("K1", "blob", findings, "blob", b""),
        ("K2", "blob", findings, "blob", b"\x00\xff"),
    ]


def test_no_write_to_the_store_can_abort_halfway(tmp_path: Path) -> None:
    """The tables resolve every conflict themselves (a row whose key is there replaces it, one
    with a NULL is left out), so no statement needs a statement journal to undo it alone: a
    fill into a store there before spilled those to temporary files, 17 a 30,000-file run."""
    from guard.sources.cache import encode, open_store

    store = open_store(str(tmp_path / "store"))
    assert store is not None
    try:
        conn = store._conn
        conn.execute("INSERT INTO entries (key, findings, used) VALUES ('K', ?, 1)", (encode([]),))
        conn.execute("INSERT INTO entries (key, findings, used) VALUES ('K', ?, 2)", (encode([]),))
        conn.execute("INSERT INTO entries (key, findings, used) VALUES ('N', NULL, 1)")
        assert conn.execute("SELECT key, used FROM entries").fetchall() == [("K", 2)]
        row = ("a.sh", "s", 1, 2, 3, 4, 5, 6, 7, "", 1, 7, b"")
        insert = f"INSERT INTO stats VALUES ({', '.join('?' * len(row))})"
        conn.execute(insert, row)
        conn.execute(insert, (*row[:-2], 8, b""))
        conn.execute(insert, ("b.sh", *row[1:-1], None))
        assert conn.execute("SELECT path, used FROM stats").fetchall() == [("a.sh", 8)]
    finally:
        store.close()
