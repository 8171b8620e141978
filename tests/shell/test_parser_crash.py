"""A parser crash is a bypass: tree-sitter-bash 0.25.1 segfaults on `{` + U+7F831 about one run
in four (tree-sitter/tree-sitter-bash#337). Every run here is a child process, so a crash fails
the test instead of killing pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guard.engine.api import check_command_line
from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parser as shell_parser
from guard.shell.walk import parse
from guard.sources.snippet import RunContext, Snippet

REPO = Path(__file__).resolve().parents[2]
KEY_LINE = 'OPENAI_API_KEY=x codex exec -s read-only "p"'
REPRODUCER = "{\U0007f831\n" + KEY_LINE + "\n"
# The same shape with other code points past the BMP (the bug is not specific to one block).
VARIANTS = [
    "{\U00031860\n" + KEY_LINE,
    "{\U0001f600\n" + KEY_LINE,
    "{ \U0007f831 }\n" + KEY_LINE,
    "{\U0010fffd\U0007f831\n" + KEY_LINE,
]
PARSES_PER_CHILD = 25
CHILDREN = 8  # 200 parses; the crash depends on the process's memory layout, so spread them

LOOP = """
import sys
from guard.shell.walk import parse
texts = [sys.argv[1]] + sys.argv[3:]
for _ in range(int(sys.argv[2])):
    for text in texts:
        script = parse(text)
        assert [c.program for c in script.commands][-1:] == ["codex"], script.commands
print("ok")
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env["PYTHONPATH"] = str(REPO)
    return env


def test_the_reproducer_parses_200_times_without_a_crash() -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOOP, REPRODUCER, str(PARSES_PER_CHILD), *VARIANTS],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for _ in range(CHILDREN)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"exit {proc.returncode} (-11: segfault): {err[-500:]}"
        assert out.strip() == "ok"


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_every_door_answers_the_reproducer(agent: str, tmp_path: Path) -> None:
    script = tmp_path / "dispatch.sh"
    script.write_text(REPRODUCER, encoding="utf-8")
    hook_input = json.dumps({"cwd": str(tmp_path), "tool_input": {"command": REPRODUCER}})
    for _ in range(3):
        lint = _guard(["lint", "--format", "json", str(script)], tmp_path)
        assert lint.returncode == 1, lint.stderr
        assert "CG101" in {f["rule"] for f in json.loads(lint.stdout)["findings"]}
        check = _guard(["check", REPRODUCER], tmp_path)
        assert check.returncode == 1 and "CG101" in check.stdout, check.stderr
        hook = _guard(["hook", agent], tmp_path, stdin=hook_input)
        decision = json.loads(hook.stdout)["hookSpecificOutput"]
        assert decision["permissionDecision"] == "deny"
        assert "CG101" in decision["permissionDecisionReason"]
        assert hook.returncode == (2 if agent == "codex" else 0)


def _guard(
    args: list[str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "guard", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}"
    return proc


NON_ASCII = [
    ("é", "résumé"),
    ("🎉", "party 🎉 time"),
    ("中", "修复这个错误"),
    ("mixed", "é🎉中 ü"),
]


@pytest.mark.parametrize(("label", "text"), NON_ASCII)
def test_non_ascii_words_and_columns_come_out_right(label: str, text: str) -> None:
    """Words are sliced from the original text and columns count characters, not bytes."""
    bogus = "--bogus-" + text.replace(" ", "-")
    line = f'echo "{text}" && codex exec {bogus} -C "/tmp/{text}" -s read-only "{text}" <p'
    script = parse(line)
    codex = next(c for c in script.commands if c.program == "codex")
    words = [w.text for w in codex.argv]
    assert words == [
        "codex",
        "exec",
        bogus,
        "-C",
        f"/tmp/{text}",
        "-s",
        "read-only",
        text,
    ]
    assert codex.span.column == line.index("codex") + 1
    flag = codex.argv[2]
    assert flag.span.column == line.index("--bogus") + 1
    assert flag.span.end_column == line.index("--bogus") + 1 + len(bogus)
    findings = check_command_line(line, Settings())
    unknown = [f for f in findings if f.rule == "CG903"]
    assert unknown and bogus in unknown[0].message, label
    assert unknown[0].location.column == line.index("--bogus") + 1


def test_a_parser_exception_is_cg901_and_the_token_scan_still_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the parser raises, lint reports CG901 and still finds the key by the token scan,
    and the hook and `check` refuse (CG901 is in what they deny on)."""
    from guard.runtime.hook import check_command, denied_findings

    def broken(_b: bytes) -> object:
        raise RuntimeError("tree-sitter failed")

    monkeypatch.setattr(shell_parser, "_parse_bytes", broken)
    line = "OPENAI_API_KEY=x codex exec -C . -s danger-full-access - < p.md"
    found = run_rules(Snippet(line, "x.sh", context=RunContext.SCRIPT), Settings())
    assert {"CG901", "CG101", "CG303"} <= {f.rule for f in found}
    quiet = "codex exec -C . -s read-only - < p.md"
    hook_findings = check_command(quiet, Settings(), environ={})
    assert [f.rule for f in denied_findings(hook_findings, Settings())] == ["CG901"]
