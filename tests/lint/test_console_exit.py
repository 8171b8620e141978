"""How the `codex-guard` console script leaves (guard/cli.py `console_main`): without the
interpreter's teardown, but with everything the user is owed written first. Checked against the
same command run through `main` with a normal interpreter exit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SCRIPT = Path(sys.executable).parent / "codex-guard"
# The same command, left the ordinary way (teardown, collector on from the start).
ORDINARY = [sys.executable, "-c", "import sys; from guard.cli import main; sys.exit(main())"]

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")


def _tree(root: Path, files: int) -> Path:
    root.mkdir()
    for n in range(files):
        (root / f"job{n:03}.sh").write_text(
            "#!/bin/sh\nexport OPENAI_API_KEY=sk-test\ncodex exec --ephemeral resume --last\n"
        )
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env.pop("CODEX_GUARD_NO_CACHE", None)
    return env


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "github"])
def test_the_whole_report_and_the_exit_code_as_an_ordinary_exit(tmp_path: Path, fmt: str) -> None:
    # 90 files: a report far bigger than a pipe holds, from a run that forks (more than 64).
    tree = _tree(tmp_path / "repo", 90)
    args = ["lint", "--no-cache", "--format", fmt, str(tree)]
    fast = subprocess.run([str(SCRIPT), *args], capture_output=True, env=_env(tmp_path))
    slow = subprocess.run([*ORDINARY, *args], capture_output=True, env=_env(tmp_path), cwd=REPO)
    assert fast.returncode == slow.returncode == 1
    assert len(fast.stdout) > 65536
    assert fast.stdout == slow.stdout
    assert fast.stderr == slow.stderr


def test_a_clean_run_exits_0_and_says_so(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "ok.sh").write_text("#!/bin/sh\necho codex exec is mentioned here only\n")
    run = subprocess.run([str(SCRIPT), "lint", str(clean)], capture_output=True, text=True,
                         env=_env(tmp_path))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout == "All clear: 1 file checked.\n"


def test_the_store_a_run_filled_answers_the_next_run(tmp_path: Path) -> None:
    # The parent leaves without closing its store connection: what it wrote must be there.
    tree = _tree(tmp_path / "repo", 90)  # a forked split child reads the store too
    env = _env(tmp_path)
    first = subprocess.run([str(SCRIPT), "lint", "--format", "json", str(tree)],
                           capture_output=True, env=env)  # fmt: skip
    again = subprocess.run([str(SCRIPT), "lint", "--format", "json", "-j1", str(tree)],
                           capture_output=True, env=env)  # fmt: skip
    assert first.returncode == again.returncode == 1
    assert first.stdout == again.stdout
    store = tmp_path / "cache" / "codex-guard" / "lint" / "store.sqlite3"
    # Closed at the end of each run: the write-ahead log is folded back and removed, so the store
    # does not keep a log that grows with every run (the process leaves without a teardown).
    assert not store.with_name("store.sqlite3-wal").exists()
    import sqlite3

    conn = sqlite3.connect(store)
    try:
        (rows,) = conn.execute("SELECT count(*) FROM stats").fetchone()
    finally:
        conn.close()
    assert rows == 90


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head")
def test_a_reader_that_goes_away_is_exit_1_without_a_traceback(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "repo", 90)
    shell = f"'{SCRIPT}' lint --no-cache --format json '{tree}' | head -c 100 >/dev/null; " \
        'echo "rc=${PIPESTATUS[0]}"'  # fmt: skip
    run = subprocess.run(["bash", "-c", shell], capture_output=True, text=True,
                         env=_env(tmp_path))  # fmt: skip
    assert "rc=1" in run.stdout
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == ""
