"""A shell text whose command word the program cannot resolve, with codex's arguments, is CG902.

`execSync(\\`${bin} exec --yolo "p"\\`)` with `bin` from `process.env.CODEX_BIN` may start codex
(the fleet's usual way to pin a binary): the shell layer reads `$CMD exec --yolo` so (CG902), but
the JS reader dropped every shell text that does not spell "codex", so the spawn said nothing.
`process.env.CODEX_BIN || "codex"` pasted into the text is either word, as the argv readers take
it: the codex variant is read by the rules (CG303 here), and no CG902 is added for it. A Python
`shell=True` f-string had the same gap.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())

DISPATCH = """\
import { exec, execSync } from "node:child_process";

const bin = process.env.CODEX_BIN;
execSync(`${bin} exec --yolo "Review ag-77."`, { stdio: "inherit" });
const out = execSync(`${process.env.CODEX_BIN} exec -s read-only "Review ag-78."`);
const pinned = process.env.CODEX_BIN || "codex";
execSync(`${pinned} exec --yolo -C . "Review ag-79."`, { stdio: "inherit" });
exec(`${bin} login --with-api-key < key.txt`);

// Look-alikes: no command word that may be codex.
// execSync(`${bin} exec --yolo "never run"`);
console.log(`${bin} exec --yolo "Review ag-80."`);
execSync(`echo ${bin} exec --yolo`, { stdio: "inherit" });
const tool = process.env.BUILD_TOOL;
execSync(`${tool} build --release`, { stdio: "inherit" });
"""


def findings(tmp_path: Path) -> list[tuple[str, int]]:
    path = tmp_path / "dispatch.mjs"
    path.write_text(textwrap.dedent(DISPATCH), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted({(f.rule, f.location.line) for f in outcome.findings if f.rule != "CG201"})


def line_of(needle: str) -> int:
    return next(n for n, text in enumerate(DISPATCH.split("\n"), 1) if needle in text)


def test_a_dynamic_command_word_with_codex_arguments_is_cg902(tmp_path: Path) -> None:
    found = findings(tmp_path)
    assert [line for rule, line in found if rule == "CG902"] == [
        line_of("ag-77"),
        line_of("ag-78"),
        line_of("login --with-api-key"),
    ]


def test_a_codex_fallback_pasted_in_is_read_as_codex(tmp_path: Path) -> None:
    found = findings(tmp_path)
    assert ("CG303", line_of("ag-79")) in found
    assert ("CG902", line_of("ag-79")) not in found
    # nothing at all on the look-alikes below the comment
    assert [line for _rule, line in found if line > line_of("Look-alikes")] == []


PYTHON = """\
import os
import subprocess

bin = os.environ["CODEX_BIN"]
subprocess.run(f"{bin} exec --yolo 'Review ag-77.'", shell=True, stdin=subprocess.DEVNULL)
pinned = os.environ.get("CODEX_BIN", "codex")
subprocess.run(f"{pinned} exec --yolo -C . 'Review ag-79.'", shell=True, stdin=subprocess.DEVNULL)

# Look-alikes: no command word that may be codex.
# subprocess.run(f"{bin} exec --yolo 'never run'", shell=True)
print(f"{bin} exec --yolo 'Review ag-80.'")
subprocess.run(f"echo {bin} exec --yolo", shell=True)
tool = os.environ["BUILD_TOOL"]
subprocess.run(f"{tool} build --release", shell=True)
"""


def test_python_shell_text_with_a_dynamic_command_word_is_cg902(tmp_path: Path) -> None:
    """The same gap in a Python `shell=True` f-string: the text did not spell codex, so the
    spawn was dropped; the fallback `os.environ.get("CODEX_BIN", "codex")` is read as codex."""
    path = tmp_path / "dispatch.py"
    path.write_text(PYTHON, encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    lines = PYTHON.split("\n")
    at = {n for n, text in enumerate(lines, 1) if "ag-77" in text or "ag-79" in text}
    found = sorted((f.rule, f.location.line) for f in outcome.findings)
    assert found == [("CG303", max(at)), ("CG902", min(at))]
