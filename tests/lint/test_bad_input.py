"""Bad input is answered cleanly and nothing is lost (through the real console script).

- a byte that is not UTF-8 never hides the lines after it, in any kind of file; Python's coding
  cookie is honoured; a NUL is binary only where bash says so;
- a file name that is not UTF-8 (or holds a newline) keeps every output format valid;
- inputs that were super-linear (thousands of suppressions, thousands of codex lines with stray
  `(`, a 31 MB file) still report what they hold. Their timeouts are hang guards only: the speed
  is measured in bench/run_pathological.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, console, make_repo

from guard.sources.decode import PARSE_LIMIT

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"  # a copy
LATIN1 = b"\xe9"  # "é" in Latin-1: not UTF-8 on its own
KEY_LINE = b"OPENAI_API_KEY=x codex exec -C . -s read-only 'p' </dev/null\n"
HANG_GUARD = 300  # seconds: only so a regression to a hang fails instead of blocking the suite


def findings_at(run: Run) -> set[tuple[str, str, int]]:
    return {(f["rule"], f["path"], f["line"]) for f in run.json()["findings"]}


# --- bytes that are not UTF-8 -------------------------------------------------------------------

# Each kind of file: a Latin-1 byte in a comment on the line right before an API key reaches codex.
KINDS: dict[str, tuple[bytes, int]] = {
    "run.sh": (b"#!/bin/bash\n# caf" + LATIN1 + b"\n" + KEY_LINE, 3),
    ".github/workflows/ci.yml": (
        b"on: push\n# caf" + LATIN1 + b"\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        b"    steps:\n      - run: " + KEY_LINE,
        7,
    ),
    ".gitlab-ci.yml": (b"# caf" + LATIN1 + b"\njob:\n  script:\n    - " + KEY_LINE, 4),
    "AGENTS.md": (
        b"# Agents caf" + LATIN1 + b"\n\n```bash\n# caf" + LATIN1 + b"\n" + KEY_LINE + b"```\n",
        5,
    ),
    "Makefile": (b"# caf" + LATIN1 + b"\nrun:\n\t" + KEY_LINE, 3),
    "Dockerfile": (b"FROM node\n# caf" + LATIN1 + b"\nRUN " + KEY_LINE, 3),
    "justfile": (b"# caf" + LATIN1 + b"\nrun:\n    " + KEY_LINE, 3),
    "orchestrate.py": (
        b"import subprocess\n# caf" + LATIN1 + b"\nsubprocess.run(['codex', 'exec', '-C', '.', "
        b"'-s', 'read-only', 'p'], env={'OPENAI_API_KEY': 'x'}, stdin=subprocess.DEVNULL)\n",
        3,
    ),
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_latin1_byte_hides_nothing_in_any_kind(tmp_path: Path, name: str) -> None:
    content, line = KINDS[name]
    repo = make_repo(tmp_path / "r", {name: content})
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    assert run.json()["errors"] == []
    assert ("CG101", name, line) in findings_at(run)
    assert run.code == 1


def test_columns_after_a_bad_byte_are_byte_columns(tmp_path: Path) -> None:
    """One byte, one character: the command after `caf\\xe9; ` starts at byte 11, column 12."""
    script = b"echo caf" + LATIN1 + b"; " + KEY_LINE
    repo = make_repo(tmp_path / "r", {"run.sh": script})
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    (key,) = [f for f in run.json()["findings"] if f["rule"] == "CG101"]
    assert (key["line"], key["column"]) == (1, script.index(b"OPENAI") + 1)


def test_broken_utf8_sequences_and_stray_bytes(tmp_path: Path) -> None:
    script = b"# \xe2\x82 half a euro, \xff\xfe, \xc3\n# \xf0\x9f\x98\n" + KEY_LINE
    repo = make_repo(tmp_path / "r", {"run.sh": script})
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    assert run.json()["errors"] == []
    assert ("CG101", "run.sh", 3) in findings_at(run)


def test_python_coding_cookie_is_honoured(tmp_path: Path) -> None:
    """PEP 263: the prompt is read as cp1252 ("€" is 0x80 there), and the key is still found."""
    source = (
        b"# -*- coding: cp1252 -*-\nimport subprocess\nPROMPT = 'cost in \x80: caf\xe9'\n"
        b"subprocess.run(['codex', 'exec', '-C', '.', '-s', 'read-only', PROMPT],\n"
        b"               env={'OPENAI_API_KEY': 'x'}, stdin=subprocess.DEVNULL)\n"
    )
    unknown = b"# coding: no-such-codec\nimport subprocess\n# caf\xe9\n" + source.split(b"\n", 3)[3]
    repo = make_repo(tmp_path / "r", {"cp1252.py": source, "unknown.py": unknown})
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    assert run.json()["errors"] == []
    found = findings_at(run)
    assert ("CG101", "cp1252.py", 4) in found
    assert ("CG101", "unknown.py", 4) in found


def test_nul_is_binary_only_where_bash_says_so(tmp_path: Path) -> None:
    """bash refuses a NUL in its first line and drops one anywhere later: so does the linter."""
    later = b"#!/bin/bash\necho a\x00b\n" + KEY_LINE
    first = b"echo a\x00b\n" + KEY_LINE
    repo = make_repo(tmp_path / "r", {"later.sh": later, "first.sh": first})
    ran = subprocess.run(["bash", str(repo / "first.sh")], capture_output=True, check=False)
    assert ran.returncode == 126  # bash: cannot execute binary file
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    data = run.json()
    assert data["errors"] == [
        {"path": "first.sh", "message": "binary file (NUL byte on line 1, offset 6)"}
    ]
    assert ("CG101", "later.sh", 3) in findings_at(run)
    assert run.code == 2


# --- file names that are not UTF-8 --------------------------------------------------------------


def _lint_bytes(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", *args],
        cwd=repo,
        capture_output=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert b"Traceback" not in done.stderr + done.stdout, done.stderr
    return done


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "r")
    (repo / os.fsdecode(b"run\xff.sh")).write_bytes(KEY_LINE)
    (repo / os.fsdecode(b"bin\xfe.sh")).write_bytes(b"\x7fELF\x00\x00")
    (repo / "new\nline.sh").write_bytes(KEY_LINE)
    return repo


def test_odd_file_names_keep_json_valid(odd_names: Path) -> None:
    done = _lint_bytes(odd_names, "--format", "json")
    assert done.returncode == 2  # the binary file
    data = json.loads(done.stdout.decode("utf-8"))  # strict UTF-8, then valid JSON
    paths = {f["path"] for f in data["findings"] if f["rule"] == "CG101"}
    assert paths == {"run\\xff.sh", "new\\x0aline.sh"}
    assert data["errors"][0]["path"] == "bin\\xfe.sh"


def test_odd_file_names_keep_text_and_github_valid(odd_names: Path) -> None:
    text = _lint_bytes(odd_names).stdout.decode("utf-8")
    assert "run\\xff.sh:1:1: CG101 error" in text
    assert "new\\x0aline.sh:1:1: CG101 error" in text
    assert not any(line.startswith("line.sh") for line in text.splitlines())  # no forged line
    assert "bin\\xfe.sh: error: binary file" in text
    github = _lint_bytes(odd_names, "--format", "github").stdout.decode("utf-8")
    lines = github.splitlines()
    assert all(line.startswith("::") for line in lines)
    assert any(line.startswith("::error file=run\\xff.sh,line=1,") for line in lines)


def test_odd_file_names_keep_sarif_valid(odd_names: Path) -> None:
    done = _lint_bytes(odd_names, "--format", "sarif")
    assert done.returncode == 2
    document: dict[str, Any] = json.loads(done.stdout.decode("utf-8"))
    import jsonschema

    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    run = document["runs"][0]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert {"run%FF.sh", "new%0Aline.sh"} <= uris  # the real bytes, percent-encoded
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bin%FE.sh"


# --- odd files: each one clear line, the others still linted -------------------------------------


def test_fifo_dangling_link_binary_and_directory_each_one_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ok.sh": KEY_LINE, "tool.sh": b"\x7fELF\x02\x00\x00"})
    os.mkfifo(repo / "pipe.sh")
    os.symlink(repo / "nowhere.sh", repo / "dangling.sh")
    (repo / "folder.sh").mkdir()
    named = ("pipe.sh", "dangling.sh", "tool.sh", "ok.sh", "missing.sh")
    run = console("lint", "--no-cache", *named, cwd=repo)
    assert run.code == 2
    lines = run.out.splitlines()
    assert "pipe.sh: error: cannot read: not a regular file" in lines
    assert "dangling.sh: error: no such file (it vanished, or is a broken symlink)" in lines
    assert "tool.sh: error: binary file (NUL byte on line 1, offset 5)" in lines
    assert "missing.sh: error: no such file (it vanished, or is a broken symlink)" in lines
    assert any(line.startswith("ok.sh:1:1: CG101 error") for line in lines)
    walked = console("lint", "--format", "json", "--no-cache", cwd=repo)
    errors = {e["path"] for e in walked.json()["errors"]}
    assert errors == {"pipe.sh", "dangling.sh", "tool.sh"}
    assert ("CG101", "ok.sh", 1) in findings_at(walked)


def test_unlistable_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tests run as root (chmod 000 still lists): EACCES is simulated at os.scandir."""
    import guard.sources.walk as walk
    from guard.cli import main

    repo = make_repo(tmp_path / "r", {"ok.sh": KEY_LINE, "locked/hidden.sh": KEY_LINE})
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("CODEX_GUARD_NO_CACHE", "1")
    code = main(["lint", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 2
    assert data["errors"] == [
        {"path": "locked", "message": "cannot list folder: Permission denied"}
    ]
    assert [f["path"] for f in data["findings"] if f["rule"] == "CG101"] == ["ok.sh"]


# --- inputs that were super-linear ---------------------------------------------------------------


def test_eight_thousand_suppressions(tmp_path: Path) -> None:
    """416 KB of directives over one command: each one is honoured or reported, none dropped."""
    rules = ("CG201", "CG402")  # CG201 fires on the command below; CG402 does not: stale
    directives = [
        f"# codex-guard: disable={rules[i % 2]} -- reason number {i:05d} x" for i in range(8000)
    ]
    script = "#!/bin/bash\n" + "\n".join(directives) + "\n"
    script += "OPENAI_API_KEY=x codex exec -s read-only 'p'\n"
    script += "# codex-guard: disable=CG303\necho done\n"  # no reason, and stale
    assert len(script) > 400_000
    repo = make_repo(tmp_path / "r", {"run.sh": script})
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    found = sorted((f["rule"], f["line"]) for f in run.json()["findings"])
    key_line = 8002
    stale = [("CG904", i + 2) for i in range(1, 8000, 2)]  # the CG402 directives, file lines
    expected = [("CG101", key_line), ("CG503", key_line), *stale]
    expected += [("CG904", key_line + 1), ("CG904", key_line + 1)]  # no reason; suppresses nothing
    assert found == sorted(expected)  # CG201 suppressed by the 4,000 directives that name it


def test_two_thousand_codex_lines_and_stray_parens(tmp_path: Path) -> None:
    lines = [f'codex exec -s danger-full-access "run task {i:04d} now please"' for i in range(2000)]
    script = "#!/bin/bash\n" + "\n".join(lines) + "\n" + "(\n" * 47
    assert len(script) > 120_000
    repo = make_repo(tmp_path / "r", {"run.sh": script})
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    data = run.json()
    full_access = {f["line"] for f in data["findings"] if f["rule"] == "CG303"}
    assert full_access == set(range(2, 2002))
    assert any(f["rule"] == "CG901" for f in data["findings"])  # the unclosed `(` is said


def _big_script(path: Path, size: int) -> dict[str, int]:
    """A generated script of `size` bytes with a few findings at known lines."""
    filler = "echo 'building step {} of the pipeline with some filler text' >> log.txt\n"
    planted = {
        10: "OPENAI_API_KEY=sk-x codex exec -C . -s read-only 'p' </dev/null\n",
        20_000: "codex login --with-api-key <key.txt\n",
        300_000: "codex exec -C . --dangerously-bypass-approvals-and-sandbox 'p' </dev/null\n",
        300_002: "# codex-guard: disable=CG303 -- this container is the sandbox\n",
        300_003: "codex exec -C . --yolo 'p' </dev/null\n",
    }
    written, number = 0, 1
    with path.open("w") as handle:
        while written < size or number <= max(planted):
            line = planted.get(number, filler.format(number))
            handle.write(line)
            written += len(line)
            number += 1
    return {"CG101": 10, "CG102": 20_000, "CG303": 300_000}


def test_a_31_mb_file_is_token_scanned_in_bounded_memory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    expected = _big_script(repo / "big.sh", 31_000_000)
    size = (repo / "big.sh").stat().st_size
    assert size > PARSE_LIMIT
    # Run it under a small Python parent that reports its children's peak RSS.
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(['codex-guard', 'lint', '--format', 'json', '--no-cache', 'big.sh'],"
        " capture_output=True, text=True)\n"
        "sys.stdout.write(done.stdout)\n"
        "sys.stderr.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, timeout=HANG_GUARD
    )
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    data = json.loads(done.stdout)
    assert data["errors"] == []
    found = {(f["rule"], f["line"]) for f in data["findings"]}
    assert {(rule, line) for rule, line in expected.items()} <= found
    assert ("CG303", 300_003) not in found  # its directive is honoured
    assert not any(rule == "CG904" for rule, _ in found)  # and not called stale
    (note,) = [f for f in data["findings"] if f["rule"] == "CG901"]
    assert note["line"] == 1
    assert note["message"] == (
        f"file too large to parse ({size:,} bytes; limit {PARSE_LIMIT:,}): "
        "only token-scanned for CG101, CG102, CG303"
    )
    assert peak_kb < 150 * 1024, f"peak RSS {peak_kb} KB"


def test_oversized_markdown_scans_only_its_shell_fences(tmp_path: Path) -> None:
    prose = "Never run codex exec --yolo on a laptop; this page explains why at length.\n"
    body = prose * (PARSE_LIMIT // len(prose) + 10)
    shown = "```text\ncodex exec --yolo 'p'\n```\n"  # an example shown, not run
    session = "```console\n$ codex exec -C . --yolo 'p' </dev/null\ncodex --yolo (output)\n```\n"
    fence = "```bash\ncodex exec -C . --yolo 'p' </dev/null\n```\n"
    repo = make_repo(tmp_path / "r", {"AGENTS.md": body + shown + session + fence})
    run = console("lint", "--format", "json", "--no-cache", cwd=repo)
    found = sorted((f["rule"], f["line"]) for f in run.json()["findings"])
    first = body.count("\n") + 1  # line of the first fence
    assert found == [("CG303", first + 4), ("CG303", first + 8), ("CG901", 1)]
