"""End to end through the real `codex-guard` console script and the real engine.

These need the engine (guard/engine, guard/shell, guard/codex) and the rule YAMLs: they assert on
what real rules report. Every run also asserts that no traceback reaches stdout or stderr.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, console, make_repo, write

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
CLI = Callable[..., Run]


def rules_at(run: Run) -> set[tuple[str, str, int]]:
    return {(f["rule"], f["path"], f["line"]) for f in run.json()["findings"]}


def test_examples_report_the_four_classic_mistakes() -> None:
    run = console("lint", "--format", "json", "examples", cwd=REPO_ROOT)
    assert run.code == 1
    data = run.json()
    assert data["errors"] == []
    assert data["files"] >= 8
    found = {f["rule"] for f in data["findings"]}
    assert {"CG101", "CG201", "CG401"} <= found
    assert found & {"CG302", "CG303", "CG304"}  # a wrong sandbox for its lane
    by_file: dict[str, set[str]] = {}
    for finding in data["findings"]:
        by_file.setdefault(finding["path"], set()).add(finding["rule"])
    # the correct examples stay clean of errors
    for clean in ("examples/validator-lane.sh", "examples/worker-loop.sh"):
        errors = [f for f in data["findings"] if f["path"] == clean and f["severity"] == "error"]
        assert errors == [], clean


def test_examples_text_report_reads_well() -> None:
    run = console("lint", "examples/", cwd=REPO_ROOT)
    assert run.code == 1
    last = run.out.rstrip().splitlines()[-1]
    assert " findings (" in last and " files" in last
    assert "\033[" not in run.out  # not a TTY: no colour


def test_real_findings_and_exit_codes(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "bad.sh": (
                "#!/bin/bash\nexport OPENAI_API_KEY=sk-live\n"
                'codex exec -C . -s read-only "x" </dev/null\n'
            ),
            "good.sh": (
                '#!/bin/bash\nprintf "%s" "$P" | codex exec -C "$REPO" -s workspace-write -\n'
            ),
        },
    )
    run = console("lint", "--format", "json", cwd=repo)
    assert ("CG101", "bad.sh", 3) in rules_at(run)
    assert not [f for f in run.json()["findings"] if f["path"] == "good.sh"]
    assert run.code == 1
    assert console("lint", "good.sh", cwd=repo).code == 0
    assert console("lint", "--select", "CG2", "bad.sh", cwd=repo).code == 0


def test_real_directive_on_the_line_above(tmp_path: Path) -> None:
    text = (
        "#!/bin/bash\n"
        "# codex-guard: disable=CG201 -- run by hand from a terminal\n"
        'codex exec -C . -s read-only \\\n  "Review the diff"\n'
    )
    repo = make_repo(tmp_path / "r", {"run.sh": text})
    run = console("lint", "--format", "json", cwd=repo)
    assert "CG201" not in {f["rule"] for f in run.json()["findings"]}
    assert "CG904" not in {f["rule"] for f in run.json()["findings"]}
    write(repo / "run.sh", text.replace("# codex-guard", "# no longer a directive:"))
    bare = console("lint", "--format", "json", cwd=repo)
    assert ("CG201", "run.sh", 3) in rules_at(bare)


def test_real_workflow_line_numbers(tmp_path: Path) -> None:
    workflow = (
        "on: push\n"
        "env:\n"
        "  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"
        "jobs:\n"
        "  review:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: |\n"
        "          echo hi\n"
        '          codex exec -C . -s read-only "Review the diff"\n'
    )
    repo = make_repo(tmp_path / "r", {".github/workflows/ci.yml": workflow})
    run = console("lint", "--format", "json", cwd=repo)
    found = rules_at(run)
    assert ("CG101", ".github/workflows/ci.yml", 10) in found
    assert ("CG201", ".github/workflows/ci.yml", 10) in found  # a CI step: stdin is not a TTY
    key = next(f for f in run.json()["findings"] if f["rule"] == "CG101")
    assert any(r["line"] == 3 for r in key["related"])
    stdin = next(f for f in run.json()["findings"] if f["rule"] == "CG201")
    assert (stdin["line"], stdin["column"]) == (10, 11)  # columns of a block's later lines too


def test_real_markdown_agent_file(tmp_path: Path) -> None:
    text = (
        "# Agents\n\nDispatch a validator:\n\n"
        '```bash\ncodex exec -C . -s read-only "Validate"\n```\n'
    )
    repo = make_repo(tmp_path / "r", {"AGENTS.md": text})
    run = console("lint", "--format", "json", cwd=repo)
    assert ("CG201", "AGENTS.md", 6) in rules_at(run)
    finding = next(f for f in run.json()["findings"] if f["rule"] == "CG201")
    assert finding["severity"] == "error"  # an agent's Bash tool: the hang is certain


def test_robustness_nothing_stops_the_other_files(tmp_path: Path) -> None:
    payload = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVmZ2hpamts\n" * 170_000
    repo = make_repo(
        tmp_path / "r",
        {
            "a-good.sh": (
                "#!/bin/bash\nexport OPENAI_API_KEY=x\n"
                'codex exec -C . -s read-only "x" </dev/null\n'
            ),
            "binary.sh": b"\x7fELF\x02\x01\x01\x00\x00\x00",
            "latin1.sh": b"#!/bin/sh\necho caf\xe9\n",
            "big.sh": "#!/bin/bash\ncat > payload.b64 <<'EOF'\n" + payload + "EOF\n",
            "nested.sh": "(" * 5000 + "codex exec x" + ")" * 5000 + "\n",
            "unterminated.sh": 'codex exec -C . -s read-only "no end\necho $(\n',
            "README.md": "```bash\ncodex exec 'half\n",
            ".github/workflows/broken.yml": "jobs: [\n",
        },
    )
    assert (repo / "big.sh").stat().st_size > 10_000_000
    os.symlink(repo / "gone.sh", repo / "vanished.sh")  # vanished between walk and read
    os.mkfifo(repo / "pipe.sh")  # unreadable as a script, and open() would block forever
    (repo / "loop").mkdir()
    os.symlink("..", repo / "loop" / "up")  # directory symlink loop
    run = console("lint", "--format", "json", cwd=repo)
    data = run.json()
    assert run.code == 2
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert errors["binary.sh"].startswith("binary file (NUL byte")
    assert "vanished" in errors["vanished.sh"]
    assert "not a regular file" in errors["pipe.sh"]
    assert set(errors) == {"binary.sh", "vanished.sh", "pipe.sh"}  # latin1.sh is linted
    assert ("CG101", "a-good.sh", 3) in rules_at(run)  # the other files are still linted
    assert data["files"] == 10
    text = console("lint", cwd=repo)
    assert text.code == 2
    assert "binary.sh: error: binary file" in text.out


def test_explicit_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ok.sh": "echo\n"})
    run = console("lint", "--format", "json", "ok.sh", "missing.sh", cwd=repo)
    assert run.code == 2
    assert [e["path"] for e in run.json()["errors"]] == ["missing.sh"]


def test_bad_config_one_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {".codex-guard.yaml": "select: [CG1]\nbogus: 1\n"})
    run = console("lint", cwd=repo)
    assert run.code == 2
    assert run.err.strip() == f"{repo / '.codex-guard.yaml'}:2: unknown key `bogus`"


def test_usage_error_exit_2(tmp_path: Path) -> None:
    run = console("lint", "--format", "xml", cwd=tmp_path)
    assert run.code == 2
    assert "Traceback" not in run.err


def test_rules_and_explain(tmp_path: Path) -> None:
    table = console("rules", cwd=tmp_path)
    assert table.code == 0
    assert table.out.splitlines()[0].startswith("CG101  api-key-in-env")
    import json

    rows = json.loads(console("rules", "--format", "json", cwd=tmp_path).out)
    assert {"id", "name", "severity", "summary"} == set(rows[0])
    markdown = console("rules", "--format", "markdown", cwd=tmp_path).out
    assert markdown.startswith("| id | name | severity | summary |")
    doc = console("explain", "CG201", cwd=tmp_path)
    assert doc.code == 0
    assert doc.out.startswith("# CG201")
    for section in ("## Why", "## Fix", "## Bad", "## Good"):
        assert section in doc.out
    by_name = console("explain", "positional-prompt-open-stdin", cwd=tmp_path)
    assert by_name.out == doc.out
    unknown = console("explain", "CG999", cwd=tmp_path)
    assert unknown.code == 2
    assert len(unknown.err.strip().splitlines()) == 1 and unknown.out == ""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_format_runs_on_the_examples(fmt: str) -> None:
    run = console("lint", "--format", fmt, "examples", cwd=REPO_ROOT)
    assert run.code == 1
    assert run.out


def test_vanishing_file_in_process(
    tmp_path: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the walk saw and the reader cannot find: an error for it, the rest goes on."""
    import guard.sources.walk as walk_module
    from guard.sources.walk import Candidate

    repo = make_repo(tmp_path / "r", {"here.sh": "echo\n"})
    real_walk = walk_module.walk

    def walk_with_ghost(args: list[str], excluded: object = None) -> object:
        yield from real_walk(args, excluded)  # type: ignore[arg-type]
        yield Candidate("ghost.sh", explicit=False)

    monkeypatch.setattr(walk_module, "walk", walk_with_ghost)
    run = cli("lint", "--format", "json", cwd=repo)
    assert run.code == 2
    assert run.json()["files"] == 2
    assert run.json()["errors"][0]["path"] == "ghost.sh"
    write(repo / "x.sh", "")
