"""`codex-guard check` (one command line, as the hook sees it) and `codex-guard verdict` (CG603)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import run_guard

# --- check ---------------------------------------------------------------------------------------


def test_check_allows_a_safe_command(base_env: dict[str, str], workspace: Path) -> None:
    proc = run_guard(
        ["check", "printf '%s' \"$P\" | codex exec -C . -s read-only -"], base_env, cwd=workspace
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("allowed")


def test_check_refuses_and_prints_findings(base_env: dict[str, str], workspace: Path) -> None:
    proc = run_guard(
        ["check", "OPENAI_API_KEY=x codex exec -C . -s read-only - </dev/null"],
        base_env,
        cwd=workspace,
    )
    assert proc.returncode == 1
    assert "CG101" in proc.stdout
    assert proc.stdout.strip().endswith("refused")


def test_check_reads_stdin(base_env: dict[str, str], workspace: Path) -> None:
    proc = run_guard(["check"], base_env, cwd=workspace, input="codex login --with-api-key\n")
    assert proc.returncode == 1
    assert "CG102" in proc.stdout


def test_check_no_codex_is_allowed(base_env: dict[str, str], workspace: Path) -> None:
    proc = run_guard(["check", "rm -rf build"], base_env, cwd=workspace)
    assert (proc.returncode, proc.stdout.strip()) == (0, "allowed")


def test_check_json(base_env: dict[str, str], workspace: Path) -> None:
    proc = run_guard(
        ["check", "--format", "json", "codex exec -C . -s read-only 'hi'"], base_env, cwd=workspace
    )
    doc = json.loads(proc.stdout)
    assert doc["allowed"] is (proc.returncode == 0)
    rules = {f["rule"] for f in doc["findings"]}
    assert "CG201" in rules  # an agent's Bash tool hands codex an idle pipe
    assert proc.returncode == 1


@pytest.mark.parametrize(
    ("command", "copier"),
    [
        ("cat | codex exec -s read-only -C . p", "cat"),
        ("cat - | codex exec -s read-only -C . p", "cat"),
        ("tee | codex exec -s read-only -C . p", "tee"),
        ("tee log.txt | codex exec -s read-only -C . p", "tee"),
        ("codex exec -s read-only -C . p < <(cat)", "cat"),
    ],
)
def test_check_refuses_codex_fed_by_a_copy_of_the_callers_stdin(
    base_env: dict[str, str], workspace: Path, command: str, copier: str
) -> None:
    proc = run_guard(["check", command], base_env, cwd=workspace)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        f"error CG201 positional-prompt-open-stdin: positional prompt with a stdin fed by `{copier}` of the caller's stdin"
        in proc.stdout
    )
    assert proc.stdout.strip().endswith("refused")


def test_check_refuses_a_stdin_prompt_copied_from_the_callers_stdin(
    base_env: dict[str, str], workspace: Path
) -> None:
    # `cat | codex exec -` reads the caller's stdin as `codex exec -` does: no prompt is given.
    proc = run_guard(["check", "cat | codex exec -C . -s read-only -"], base_env, cwd=workspace)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "error CG202 stdin-prompt-without-input" in proc.stdout
    assert proc.stdout.strip().endswith("refused")


@pytest.mark.parametrize(
    "command",
    [
        "exec 3<&0; codex exec -s read-only -C . p <&3",
        "exec 3<&0; codex exec -s read-only -C . p 0<&3",
    ],
)
def test_check_refuses_codex_reading_a_duplicate_of_the_callers_stdin(
    base_env: dict[str, str], workspace: Path, command: str
) -> None:
    proc = run_guard(["check", command], base_env, cwd=workspace)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "error CG201 positional-prompt-open-stdin: positional prompt with an inherited stdin"
        in proc.stdout
    )
    assert proc.stdout.strip().endswith("refused")


@pytest.mark.parametrize(
    ("command", "output"),
    [
        ("cat prompt.md | codex exec -C . -s read-only -", ["allowed"]),
        ("cat file | tee log | codex exec -C . -s read-only -", ["allowed"]),
        ("exec 3< prompt.md; codex exec -C . -s read-only - <&3", ["allowed"]),
        ("echo hi | codex exec -s read-only -C . p", ["warning CG203", "allowed"]),
        ("cat file | codex exec -s read-only -C . p", ["warning CG203", "allowed"]),
    ],
)
def test_check_allows_codex_fed_by_an_input_that_ends(
    base_env: dict[str, str], workspace: Path, command: str, output: list[str]
) -> None:
    proc = run_guard(["check", command], base_env, cwd=workspace)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert [next((w for w in output if w in line), line) for line in lines] == output


def test_check_empty_is_a_usage_error(base_env: dict[str, str]) -> None:
    proc = run_guard(["check"], base_env, input="")
    assert proc.returncode == 2


# --- verdict -------------------------------------------------------------------------------------

VALID = """VERDICT: PASS

COMMANDS RUN:
judge_source: codex-gpt-5
$ pytest -q
12 passed in 0.4s
REASONS:
- tests pass (see `$ pytest -q`)
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_verdict_valid(tmp_path: Path, base_env: dict[str, str]) -> None:
    path = _write(tmp_path, "v.txt", VALID)
    proc = run_guard(["verdict", str(path)], base_env)
    assert proc.returncode == 0, proc.stdout
    assert "valid (VERDICT: PASS, judge_source: codex-gpt-5)" in proc.stdout


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        (VALID.replace("VERDICT: PASS", "## VERDICT: PASS"), 1, "line 1 must be exactly"),
        (VALID.replace("VERDICT: PASS", "VERDICT: PASS (mostly)"), 1, "line 1 must be exactly"),
        (VALID.replace("PASS\n\n", "PASS\nnotes\n", 1), 2, "line 2 must be blank"),
        (VALID.replace("COMMANDS RUN:", "## COMMANDS RUN:"), 3, "no bare `COMMANDS RUN:`"),
        (VALID.replace("judge_source: codex-gpt-5\n", ""), 3, "no `judge_source: codex-<model>`"),
        (VALID.replace("codex-gpt-5", "claude-opus"), 4, "must name a codex judge"),
        (VALID.replace("$ pytest -q\n12 passed in 0.4s\n", ""), 3, "no `$ <cmd>` line"),
        (VALID.replace("12 passed in 0.4s\n", ""), 5, "followed by its output"),
        ("", 1, "the file is empty"),
    ],
)
def test_verdict_invalid(
    text: str, line: int, needle: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    path = _write(tmp_path, "v.txt", text)
    proc = run_guard(["verdict", str(path)], base_env)
    assert proc.returncode == 1
    matching = [x for x in proc.stdout.splitlines() if needle in x]
    assert matching, proc.stdout
    assert matching[0].startswith(f"{path}:{line}: CG603 verdict-contract:")


def test_verdict_reports_every_broken_element_once(
    tmp_path: Path, base_env: dict[str, str]
) -> None:
    path = _write(tmp_path, "v.txt", "Verdict: pass\nCOMMANDS RUN:\nlooks fine\n")
    proc = run_guard(["verdict", str(path)], base_env)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 5, lines  # verdict line, blank line, position, judge_source, `$` lines


def test_verdict_json_and_many_files(tmp_path: Path, base_env: dict[str, str]) -> None:
    good = _write(tmp_path, "good.txt", VALID)
    bad = _write(tmp_path, "bad.txt", VALID.replace("VERDICT: PASS", "VERDICT: MAYBE"))
    missing = tmp_path / "missing.txt"
    proc = run_guard(["verdict", "--format", "json", str(good), str(bad), str(missing)], base_env)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    by_path = {f["path"]: f for f in doc["files"]}
    assert by_path[str(good)]["valid"] is True
    assert by_path[str(good)]["verdict"] == "PASS"
    assert by_path[str(bad)]["valid"] is False
    assert by_path[str(bad)]["problems"][0] == {
        "rule": "CG603",
        "name": "verdict-contract",
        "line": 1,
        "message": by_path[str(bad)]["problems"][0]["message"],
    }
    assert doc["errors"][0]["path"] == str(missing)


def test_verdict_crlf_and_fail_verdict_are_valid(tmp_path: Path, base_env: dict[str, str]) -> None:
    path = _write(tmp_path, "v.txt", VALID.replace("PASS", "FAIL", 1).replace("\n", "\r\n"))
    proc = run_guard(["verdict", str(path)], base_env)
    assert proc.returncode == 0, proc.stdout


def test_verdict_of_a_fifo_or_folder_is_an_error_not_a_hang(
    tmp_path: Path, base_env: dict[str, str]
) -> None:
    import os

    fifo = tmp_path / "verdict.txt"
    os.mkfifo(fifo)  # no writer: a plain open() would block forever
    folder = tmp_path / "verdict-dir"
    folder.mkdir()
    good = _write(tmp_path, "good.txt", VALID)
    proc = run_guard(["verdict", str(fifo), str(folder), str(good)], base_env, timeout=20)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{fifo}: error: cannot read: not a regular file" in proc.stderr
    assert f"{folder}: error: cannot read: a folder, not a file" in proc.stderr
    assert f"{good}: valid" in proc.stdout  # every other file is still checked
    assert "Traceback" not in proc.stderr


def test_verdict_quotes_a_long_line_cut(tmp_path: Path, base_env: dict[str, str]) -> None:
    path = _write(tmp_path, "v.txt", VALID.replace("VERDICT: PASS", "x" * 200_000))
    proc = run_guard(["verdict", str(path)], base_env)
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{path}:1: CG603 verdict-contract: line 1 must be exactly")
    assert "(200,000 characters)" in first
    assert len(first) < 400
