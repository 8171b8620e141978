"""A JS/TS spawn whose output the program takes is the shell's `$(...)` (CG601).

`const out = execSync("codex exec ...")`, `spawnSync(...).stdout`, `const {stdout} = await
execa(...)`, a promisified exec's `{stdout}` and exec's `(err, stdout) => ...` hand the program
codex's terminal text, which an orchestrator then greps for `VERDICT: PASS`: the scraped result
CG601 reports for `out=$(codex exec ...)` in a script, and for Python's check_output and Go's
`.Output()`, went unreported in JavaScript. Not taken: output inherited or ignored (`stdio:
'inherit'`), a value thrown away (`execSync(...);`), a status read (`r.status`), a stream piped
or listened to (`sub.stdout.pipe(...)`, an async `spawn`); and a run that writes `-o FILE`,
`--json` or `--output-schema` is not scraped, captured or not. The spawn's other findings keep
their columns.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())

HEAD = """\
import { execSync, execFileSync, spawnSync, exec, spawn } from "node:child_process";
import { promisify } from "node:util";
import { execa, execaSync } from "execa";
const execP = promisify(exec);
const ARGV = ["exec", "-C", ".", "-s", "read-only", "judge; VERDICT?"];
"""


def found(tmp_path: Path, body: str, name: str = "judge.mjs") -> list[tuple[str, int, int]]:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted((f.rule, f.location.line - 5, f.location.column) for f in outcome.findings)


def scraped(tmp_path: Path, body: str) -> list[int]:
    return [line for rule, line, _column in found(tmp_path, body) if rule == "CG601"]


@pytest.mark.parametrize(
    "line",
    [
        'const out = execSync("codex exec -C . -s read-only judge </dev/null", {encoding: "utf8"});',
        'const out = execFileSync("codex", ARGV, {input: "x"}).toString();',
        'const out = spawnSync("codex", ARGV, {input: "x", encoding: "utf8"}).stdout;',
        'const r = spawnSync("codex", ARGV, {input: "x"}); if (r.stdout.includes("PASS")) {}',
        'const { stdout } = await execa("codex", ARGV, {input: "x"});',
        'const { stdout: text } = await execa("codex", ARGV, {input: "x"});',
        'const res = await execa("codex", ARGV, {input: "x"}); console.log(res.stdout);',
        'const out = execaSync("codex", ARGV, {input: "x"}).stdout;',
        'execa("codex", ARGV, {input: "x"}).then(({ stdout }) => console.log(stdout));',
        'execa("codex", ARGV, {input: "x"}).then((r) => r.stdout);',
        'const { stdout } = await execP("codex exec -C . -s read-only judge </dev/null");',
        'exec("codex exec -C . -s read-only judge </dev/null", (err, out) => console.log(out));',
    ],
)
def test_output_taken_is_a_scraped_result(tmp_path: Path, line: str) -> None:
    assert scraped(tmp_path, line + "\n") == [1]


@pytest.mark.parametrize(
    "line",
    [
        'execSync("codex exec -C . -s read-only judge </dev/null");',
        'const out = execSync("codex exec -C . -s read-only judge </dev/null", {stdio: "inherit"});',
        'const out = execFileSync("codex", ARGV, {input: "x", stdio: ["pipe", "inherit", "pipe"]});',
        'const r = spawnSync("codex", ARGV, {input: "x"}); if (r.status !== 0) process.exit(1);',
        'const sub = execa("codex", ARGV, {input: "x"}); sub.stdout.pipe(process.stdout); await sub;',
        'exec("codex exec -C . -s read-only judge </dev/null", (err) => { if (err) throw err; });',
        'const c = spawn("codex", ARGV, {stdio: ["ignore", "pipe", "inherit"]});'
        " c.stdout.on('data', (d) => process.stdout.write(d));",
        'const { stdout } = await execa("codex", ["exec", "-s", "read-only", "--json", "j"], {input: ""});',
        'const out = execSync("codex exec -s read-only -o v.txt judge </dev/null").toString();',
        'const out = execSync("codex exec -s read-only --output-last-message v.txt j </dev/null");',
        'const out = execSync("codex exec -s read-only --output-schema s.json j </dev/null");',
    ],
)
def test_output_not_taken_or_structured_is_not(tmp_path: Path, line: str) -> None:
    assert scraped(tmp_path, line + "\n") == []


def test_a_captured_runs_other_findings_keep_their_columns(tmp_path: Path) -> None:
    body = """\
    const a = execFileSync("codex", ["exec", "--yolo", "-C", ".", "x"], {env: {...process.env, OPENAI_API_KEY: k}});
    execFileSync("codex", ["exec", "--yolo", "-C", ".", "x"], {env: {...process.env, OPENAI_API_KEY: k}});
    const b = execSync(`codex exec --yolo -C . x`, {env: {...process.env, OPENAI_API_KEY: k}});
    execSync(`codex exec --yolo -C . x`, {env: {...process.env, OPENAI_API_KEY: k}});
    """
    findings = found(tmp_path, body)
    # (a shell text's command sits where the group the spawn runs puts it: after the env's
    # exports, as its CG101 does)
    key_in_text = next(column for rule, line, column in findings if (rule, line) == ("CG101", 3))
    assert [f for f in findings if f[0] == "CG601"] == [("CG601", 1, 11), ("CG601", 3, key_in_text)]
    others = [f for f in findings if f[0] != "CG601"]
    shifted = {(rule, column - 10) for rule, line, column in others if line in (1, 3)}
    plain = {(rule, column) for rule, line, column in others if line in (2, 4)}
    assert shifted == plain
    assert {rule for rule, _column in plain} == {"CG101", "CG303"}


def test_zx_and_bun_output_taken(tmp_path: Path) -> None:
    """zx's and Bun's `$` resolve to the run's output: `.stdout` of it, or `.text()`."""
    zx = tmp_path / "judge.mjs"
    zx.write_text(
        "#!/usr/bin/env zx\n"
        "const v = (await $`codex exec -C . -s read-only ${p} </dev/null`).stdout;\n"
        "const t = await $`codex exec -C . -s read-only ${p} </dev/null`.text();\n"
        "const w = await $`codex exec -C . -s read-only ${p} </dev/null`;\n"
        "await $`codex exec -C . -s read-only -o v.txt ${p} </dev/null`;\n",
        encoding="utf-8",
    )
    bun = tmp_path / "judge.ts"
    bun.write_text(
        'import { $ } from "bun";\n'
        "const t = await $`codex exec -C . -s read-only ${p} </dev/null`.text();\n"
        'const r = Bun.spawnSync(["codex", "exec", "-C", ".", "-s", "read-only", "j"]);\n'
        "console.log(r.stdout.toString());\n"
        'const child = Bun.spawn(["codex", "exec", "-C", ".", "-s", "read-only", "j"]);\n',
        encoding="utf-8",
    )
    lines = {}
    for path in (zx, bun):
        outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
        lines[path.suffix] = [f.location.line for f in outcome.findings if f.rule == "CG601"]
    assert lines == {".mjs": [2, 3], ".ts": [2, 3]}
