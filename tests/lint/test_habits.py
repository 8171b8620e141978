"""ruff/shellcheck habits of `lint`: stdin with a name, --statistics, --output-file, --exit-zero,
-q, --extend-select, `init`, `explain CG2`, unknown ids an error (real console script)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

HANG = 'codex exec -C "$R" -s read-only "check it" | tee log\n'


def run(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run(
        ["codex-guard", *args],
        cwd=cwd,
        input=None if stdin is None else stdin.decode(),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "Traceback" not in done.stderr
    return done


def test_stdin_with_a_filename_is_linted_as_that_file(tmp_path: Path) -> None:
    done = run(tmp_path, "lint", "--stdin-filename", "ci/run.sh", "-", stdin=HANG.encode())
    assert done.returncode == 1
    assert "ci/run.sh:1:1: CG201" in done.stdout
    md = run(tmp_path, "lint", "--stdin-filename", "README.md", "-", stdin=HANG.encode())
    assert "CG201" not in md.stdout  # prose in Markdown is not a command


def test_stdin_honours_the_config_of_its_folder(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / ".codex-guard.yaml").write_text("ignore: [CG201]\n")
    done = run(tmp_path, "lint", "--stdin-filename", "ci/run.sh", "-", stdin=HANG.encode())
    assert "CG201" not in done.stdout


def test_statistics_counts_by_rule(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_text(HANG * 3)
    done = run(tmp_path, "lint", "--statistics", "a.sh")
    assert done.stdout.splitlines() == ["3  CG201  positional-prompt-open-stdin"]
    as_json = json.loads(run(tmp_path, "lint", "--statistics", "--format", "json", "a.sh").stdout)
    assert as_json == [{"code": "CG201", "name": "positional-prompt-open-stdin", "count": 3}]


def test_output_file_exit_zero_and_quiet(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_text(HANG)
    done = run(tmp_path, "lint", "--output-file", "out.txt", "--exit-zero", "a.sh")
    assert done.returncode == 0 and done.stdout == ""
    report = (tmp_path / "out.txt").read_text()
    assert "a.sh:1:1: CG201" in report and "\033[" not in report
    quiet = run(tmp_path, "lint", "-q", "--output-format", "concise", "a.sh")
    assert quiet.returncode == 1
    assert quiet.stdout.startswith("a.sh:1:1: CG201")
    assert "finding" not in quiet.stdout and "1  CG201" not in quiet.stdout  # no summary, counts
    assert run(tmp_path, "lint", "-q", "--exit-zero", "missing.sh").returncode == 2
    unwritable = run(tmp_path, "lint", "--output-file", "no/such/dir/out.txt", "a.sh")
    assert unwritable.returncode == 2 and "--output-file" in unwritable.stderr


def test_extend_select_adds_to_the_config_selection(tmp_path: Path) -> None:
    (tmp_path / ".codex-guard.yaml").write_text("select: [CG3]\n")
    (tmp_path / "a.sh").write_text('codex exec "check it"\n')
    assert "CG201" not in run(tmp_path, "lint", "a.sh").stdout
    done = run(tmp_path, "lint", "--extend-select", "CG201", "a.sh")
    assert "CG201" in done.stdout and "CG301" in done.stdout
    bad = run(tmp_path, "lint", "--extend-select", "CG999", "a.sh")
    assert bad.returncode == 2 and "CG999" in bad.stderr


def test_init_writes_a_commented_config_and_refuses_to_overwrite(tmp_path: Path) -> None:
    done = run(tmp_path, "init")
    assert done.returncode == 0
    config = tmp_path / ".codex-guard.yaml"
    text = config.read_text()
    assert all(not line or line.startswith("#") for line in text.splitlines())
    (tmp_path / "a.sh").write_text(HANG)
    assert "CG201" in run(tmp_path, "lint", "a.sh").stdout  # changes nothing as written
    config.write_text("ignore: [CG503]\n")
    again = run(tmp_path, "init")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert config.read_text() == "ignore: [CG503]\n"


def test_explain_a_family(tmp_path: Path) -> None:
    done = run(tmp_path, "explain", "CG2")
    assert done.returncode == 0
    ids = [line.split()[0] for line in done.stdout.splitlines() if line.startswith("CG2")]
    assert ids == ["CG201", "CG202", "CG203", "CG204", "CG205"]
    assert run(tmp_path, "explain", "CG0").returncode == 2  # no rule in that family
