"""Shell strings built in Python or JavaScript are parsed as shell (issue 8, item 6).

`subprocess.run(["bash", "-lc", cmd])` with an f-string, `shell=True` with `%`/`.format`
templates, `execSync("...")`, `spawn("bash", ["-c", \\`...${x}\\`])`, execa with `{shell: true}`.
Interpolated parts the file does not give are unknown words (`$ARG`), never codex. Each program is
also run for real (Python, Node) with a recording stand-in codex first on PATH: the flags the
linter reads are the flags codex received; the mention-only calls never start codex at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

FAKE_CODEX = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_CODEX_LOG"
"""


def lint(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode in (0, 1), done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    assert doc["errors"] == []
    return doc


def rule_lines(doc: dict[str, Any], rule: str) -> set[int]:
    return {f["line"] for f in doc["findings"] if f["rule"] == rule}


def run_with_fake_codex(argv: list[str], folder: Path) -> list[str]:
    bin_dir = folder / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "codex"
    fake.write_text(FAKE_CODEX)
    fake.chmod(0o755)
    log = folder / "codex.log"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_CODEX_LOG": str(log),
        "REPO": str(folder),
        "PROMPT": "fix it",
    }
    (folder / "p.md").write_text("do it\n")
    subprocess.run(
        argv, cwd=folder, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60
    )
    return log.read_text().splitlines() if log.exists() else []


ORCHESTRATOR_PY = """\
import os
import subprocess

REPO = os.environ["REPO"]
PROMPT = os.environ["PROMPT"]


def worker_percent():
    cmd = "codex exec --yolo -C %s - < p.md" % REPO
    subprocess.call(cmd, shell=True)


def worker_format():
    cmd = "codex exec -s {mode} -C {repo} - < p.md".format(mode="danger-full-access", repo=REPO)
    subprocess.check_call(cmd, shell=True)


def worker_fstring():
    subprocess.run(["bash", "-ec", f"codex exec --dangerously-bypass-approvals-and-sandbox -C {REPO} - < p.md"])


def reviewer():
    cmd = "codex exec -s read-only -C {} - < p.md".format(REPO)
    subprocess.run(cmd, shell=True, check=True)


def mentions():
    print(f"would run: codex exec --yolo -C {REPO}")
    subprocess.run(["echo", "codex exec --yolo"], check=True)
    subprocess.run("echo 'codex exec --yolo %s' >> notes.txt" % REPO, shell=True, check=True)
    subprocess.run(["bash", "-c", f"echo codex exec --yolo {PROMPT} >> notes.txt"], check=True)
    subprocess.run(["grep", "-c", "codex exec --yolo", "notes.txt"], check=False)


if __name__ == "__main__":
    worker_percent()
    worker_format()
    worker_fstring()
    reviewer()
    mentions()
"""


def test_python_shell_strings_are_read_as_shell(tmp_path: Path) -> None:
    program = tmp_path / "orchestrate.py"
    program.write_text(ORCHESTRATOR_PY)
    calls = run_with_fake_codex(["python3", str(program)], tmp_path)
    assert calls == [
        f"exec --yolo -C {tmp_path} -",
        f"exec -s danger-full-access -C {tmp_path} -",
        f"exec --dangerously-bypass-approvals-and-sandbox -C {tmp_path} -",
        f"exec -s read-only -C {tmp_path} -",
    ]  # and nothing from mentions()
    doc = lint(program)
    assert rule_lines(doc, "CG303") == {10, 15, 19}  # the spawn lines
    # The reviewer and every mention are clean: nothing from line 22 on.
    assert all(f["line"] < 22 for f in doc["findings"]), doc["findings"]


def test_python_interpolations_are_unknown_words_not_codex(tmp_path: Path) -> None:
    program = tmp_path / "runner.py"
    program.write_text(
        "import os, subprocess\n"
        "tool = os.environ['TOOL']\n"
        "subprocess.run(f'{tool} exec --yolo -C . - < p.md', shell=True)\n"
        "subprocess.run('%s exec --yolo -C . - < p.md' % tool, shell=True)\n"
        "subprocess.run(['bash', '-lc', f'codex exec -s danger-full-access -C {tool} -'])\n"
    )
    doc = lint(program)
    # An unknown program is never claimed to be codex (no CG303 on lines 3-4); an unknown
    # value inside the login shell's script is one word, the flags around it are still read.
    assert rule_lines(doc, "CG303") == {5}


ORCHESTRATOR_JS = """\
const { spawnSync, execSync, execFileSync } = require("node:child_process");

const repo = process.env.REPO;
const sandbox = "danger-full-access";

function worker() {
  spawnSync("bash", ["-ec", `codex exec --yolo -C ${repo} - < p.md`], { stdio: "inherit" });
}

function fixer() {
  execSync(`codex exec -s ${sandbox} -C ${repo} - < p.md`);
}

function reviewer() {
  execFileSync("sh", ["-c", `codex exec -s read-only -C ${repo} - < p.md`]);
}

function mentions() {
  console.log(`run codex exec --yolo -C ${repo}`);
  execSync("echo 'codex exec --yolo' >> notes.txt");
  spawnSync("bash", ["-c", `echo codex exec --yolo ${repo} >> notes.txt`]);
}

worker();
fixer();
reviewer();
mentions();
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_shell_strings_are_read_as_shell(tmp_path: Path) -> None:
    program = tmp_path / "orchestrate.js"
    program.write_text(ORCHESTRATOR_JS)
    calls = run_with_fake_codex(["node", str(program)], tmp_path)
    assert calls == [
        f"exec --yolo -C {tmp_path} -",
        f"exec -s danger-full-access -C {tmp_path} -",
        f"exec -s read-only -C {tmp_path} -",
    ]
    doc = lint(program)
    assert rule_lines(doc, "CG303") == {7, 11}
    assert all(f["line"] < 14 for f in doc["findings"]), doc["findings"]


def test_execa_with_a_shell_runs_the_text_as_shell(tmp_path: Path) -> None:
    program = tmp_path / "tasks.mjs"
    program.write_text(
        'import { execa, execaCommand } from "execa";\n'
        "\n"
        'await execa("codex exec --yolo -C . - < p.md", { shell: true });\n'
        'await execaCommand("codex exec -s read-only -C . - < p.md", { shell: true });\n'
        'await execaCommand("codex exec -s read-only -C . -", { input: "review" });\n'
    )
    doc = lint(program)
    assert rule_lines(doc, "CG303") == {3}
    # With a shell, `<` is a redirect (no CG903 "unexpected argument `<`", no CG202 on line 4).
    assert {(f["rule"], f["line"]) for f in doc["findings"] if f["line"] > 3} == set()
