"""Issue 8 in the program and document sources: values with a fallback, functions that spawn with
their callers' arguments, Markdown spans behind a wrapper or after a soft line break.

Each case is a file a user writes, linted through the real console script; where a claim is about
what really runs, the program is run against a recording stand-in codex (recorded_runs.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.sources.recorded_runs import run_recorded


def lint(folder: Path, name: str, text: str) -> list[tuple[str, int]]:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", "--fail-on", "info", name],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    doc = json.loads(done.stdout)
    assert not doc.get("errors") and not doc.get("skipped"), doc
    return sorted((f["rule"], f["line"]) for f in doc["findings"])


# --- JavaScript: `a || b` and `a ?? b` are both values -------------------------------------------

NODE_WORKER = """\
const {{ spawn }} = require("child_process");

const bin = process.env.CODEX_BIN {op} "codex";
const fast = process.argv.includes("--fast");

function work(prompt) {{
  const args = ["exec", "-C", ".", "-s", "workspace-write"];
  if (fast) args.push("--dangerously-bypass-approvals-and-sandbox");
  args.push(prompt);
  const child = spawn(bin, args, {{
    stdio: ["ignore", "inherit", "inherit"],
    env: {{ ...process.env, OPENAI_API_KEY: process.env.BILLING_KEY }},
  }});
  return new Promise((done) => child.on("exit", done));
}}

work("tidy the imports");
"""


@pytest.mark.parametrize("op", ["||", "??"])
def test_a_binary_with_a_fallback_is_codex_and_its_flags_are_read(tmp_path: Path, op: str) -> None:
    found = lint(tmp_path, "agent.js", NODE_WORKER.format(op=op))
    # the bypass pushed on a branch, the key in the env; no CG902: the program is codex
    assert found == [("CG101", 10), ("CG303", 10)]


def test_node_really_runs_codex_with_the_branch_flag_and_the_key(tmp_path: Path) -> None:
    (tmp_path / "agent.js").write_text(NODE_WORKER.format(op="||"))
    (run,) = run_recorded(tmp_path, ["node", "agent.js", "--fast"])
    assert "--dangerously-bypass-approvals-and-sandbox" in run.argv and run.has_key


def test_a_fallback_value_of_a_flag_is_read_and_strings_are_not_glued(tmp_path: Path) -> None:
    body = (
        'const { spawnSync } = require("node:child_process");\n'
        'const sandbox = process.env.SANDBOX || "danger-full-access";\n'
        'spawnSync("codex", ["exec", "-C", ".", "-s", sandbox, "go"], { stdio: "ignore" });\n'
        'const mode = "read-only" || "workspace-write";\n'
        'spawnSync("codex", ["exec", "-C", ".", "-s", mode, "go"], { stdio: "ignore" });\n'
    )
    # `"read-only" || "workspace-write"` is either string, never "read-onlyworkspace-write"
    assert lint(tmp_path, "lanes.js", body) == [("CG303", 3)]


def test_an_unknown_program_with_an_unknown_fallback_reads_as_one_unknown(tmp_path: Path) -> None:
    body = (
        'import {{ spawn }} from "node:child_process";\n'
        "// AGENT_BIN: codex, or a wrapper around it\n"
        "const bin = process.env.AGENT_BIN{fallback};\n"
        'spawn(bin, ["exec", "--model", "o3", "-C", ".", "go"], {{ stdio: "ignore" }});\n'
    )
    both = lint(tmp_path, "both.mjs", body.format(fallback=" ?? process.env.FALLBACK_BIN"))
    assert both == lint(tmp_path, "one.mjs", body.format(fallback="")) == [("CG902", 4)]


def test_a_fallback_in_a_message_is_no_spawn(tmp_path: Path) -> None:
    body = (
        'const bin = process.env.CODEX_BIN || "codex";\n'
        "console.log(`usage: ${bin} exec --yolo -C . -`);\n"
        'console.error(bin + " exec --dangerously-bypass-approvals-and-sandbox is not used here");\n'
    )
    assert lint(tmp_path, "usage.js", body) == []


# --- Python: a function that spawns with what its callers give it --------------------------------

PY_HELPERS = """\
import logging
import subprocess

log = logging.getLogger(__name__)


def run(*args, **kw):
    log.info("+ %s", " ".join(args))
    return subprocess.run(list(args), check=False, **kw)


def sweep(repo):
    run("codex", "exec", "--dangerously-bypass-approvals-and-sandbox", "-C", repo, "-",
        input=b"sweep the TODOs")


def review(repo):
    run("codex", "exec", "--full-auto", "-C", repo, "-o", "/tmp/review.md", "-", input=b"review")


def status():
    run("git", "status", "--short")
    run("echo", "codex exec --yolo is not how we run it")
    run("grep", "-rn", "codex exec --yolo", "docs")


if __name__ == "__main__":
    sweep(".")
"""


def test_a_spawning_helper_taking_star_args_is_read_at_each_call(tmp_path: Path) -> None:
    # input= reaches the spawn through **kw: no stdin finding; the echo/grep calls are mentions
    assert lint(tmp_path, "helpers.py", PY_HELPERS) == [("CG303", 13), ("CG903", 18)]


def test_python_really_runs_the_helper_call_as_the_lint_reads_it(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(PY_HELPERS)
    (run,) = run_recorded(tmp_path, ["python3", "helpers.py"], record_stdin=True)
    assert run.argv[:3] == ["exec", "--dangerously-bypass-approvals-and-sandbox", "-C"]
    assert run.stdin == "eof"  # input= was handed on: codex got its prompt and an end


@pytest.mark.parametrize(
    ("arguments", "keywords"),
    [
        ('"codex", "exec", "--yolo", "-C", ".", "-"', ""),
        ('"codex", "exec", "-s", "read-only", "-C", ".", "-"', ", input=b'p'"),
        ('"codex", "exec", "-s", "read-only", "review the diff"', ""),
        ('"codex", "exec", "-s", "read-only", "-C", ".", "p"', ", stdin=subprocess.DEVNULL"),
        ('"codex", "exec", "-C", ".", "p"', ', env={"OPENAI_API_KEY": "k"}'),
    ],
)
def test_a_helper_call_reads_as_the_spawn_it_makes(
    tmp_path: Path, arguments: str, keywords: str
) -> None:
    helper = (
        "import subprocess\n\n"
        "def run(*args, **kw):\n"
        "    return subprocess.run(list(args), check=False, **kw)\n\n"
        f"run({arguments}{keywords})\n"
    )
    direct = f"import subprocess\n\n\n\n\nsubprocess.run([{arguments}]{keywords})\n"
    assert lint(tmp_path, "helper.py", helper) == lint(tmp_path, "direct.py", direct)


def test_a_named_parameter_helper_and_a_value_helper_with_star_args(tmp_path: Path) -> None:
    body = (
        "import subprocess\n\n"
        "def codex_argv(*flags):\n"
        '    return ["codex", "exec", *flags]\n\n'
        "def launch(cmd, cwd):\n"
        "    return subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL)\n\n"
        'subprocess.run(codex_argv("--yolo", "-C", ".", "go"), stdin=subprocess.DEVNULL)\n'
        'launch(["codex", "exec", "-s", "danger-full-access", "-C", ".", "go"], ".")\n'
        'launch(["ls", "-la"], "/tmp")\n'
    )
    assert lint(tmp_path, "lanes.py", body) == [("CG303", 9), ("CG303", 10)]


def test_python_env_default_is_codex_and_no_cg902_beside_its_findings(tmp_path: Path) -> None:
    body = (
        "import os, subprocess\n"
        'CODEX = os.environ.get("CODEX_BIN", "codex")\n'
        'OTHER = os.environ["AGENT_BIN"]\n'
        'subprocess.call([CODEX, "exec", "resume", "--last", "-C", ".", "go"],'
        " stdin=subprocess.DEVNULL)\n"
        'subprocess.call([OTHER, "exec", "-C", ".", "go"], stdin=subprocess.DEVNULL)\n'
    )
    found = lint(tmp_path, "resume.py", body)
    assert ("CG402", 4) in found and ("CG902", 4) not in found
    assert ("CG902", 5) in found  # a program the file never names stays unknown


# --- justfile: env_var_or_default is its default or anything ------------------------------------


@pytest.mark.parametrize("function", ["env_var_or_default", "env"])
def test_just_env_default_is_read_like_the_shell_default(tmp_path: Path, function: str) -> None:
    just = (
        f'codex := {function}("CODEX_BIN", "codex")\n\n'
        "work task:\n"
        "    {{codex}} exec -C . --yolo - < {{task}}\n"
    )
    shell = '#!/bin/bash\ncodex="${CODEX_BIN:-codex}"\n\n"$codex" exec -C . --yolo - < "$1"\n'
    assert lint(tmp_path, "justfile", just) == [("CG303", 4)]
    assert lint(tmp_path, "work.sh", shell) == [("CG303", 4)]


# --- Markdown an agent acts on -------------------------------------------------------------------


@pytest.mark.parametrize(
    "span",
    [
        "npx --yes @openai/codex@latest exec --full-auto -C packages/api - < /tmp/release.md",
        "npx -y @openai/codex exec --full-auto -C packages/api - < /tmp/release.md",
        "timeout 900 codex exec --full-auto -C packages/api - < /tmp/release.md",
    ],
)
def test_a_span_behind_a_wrapper_is_a_command_line(tmp_path: Path, span: str) -> None:
    text = f"---\ndescription: release\n---\nFor each package run `{span}` and collect it.\n"
    assert lint(tmp_path, ".codex/prompts/release.md", text) == [("CG903", 4)]


@pytest.mark.parametrize(
    "line",
    [
        "Install it with `npm i -g @openai/codex` or call `npx --yes @openai/codex` directly.",
        "The `agent-run codex exec --yolo` wrapper is gone.",
        "Check with `command -v codex` first.",
    ],
)
def test_spans_that_do_not_run_a_codex_line_stay_silent(tmp_path: Path, line: str) -> None:
    assert lint(tmp_path, "AGENTS.md", f"# Guide\n\n{line}\n") == []


def test_a_forbidding_clause_reaches_over_a_soft_line_break(tmp_path: Path) -> None:
    text = (
        "# Agent guide\n\n"
        "Write the task to a file and run `codex exec -s read-only - < /tmp/p.txt`. Do not use\n"
        "`codex exec --yolo - < /tmp/p.txt` here: never run\n"
        "`codex exec --dangerously-bypass-approvals-and-sandbox -C .` on this machine.\n"
    )
    assert lint(tmp_path, "AGENTS.md", text) == []


@pytest.mark.parametrize(
    "before",
    [
        "Never push to main.\nRun ",  # the sentence ended on the line before
        "- Do not push to main.\n- Run ",  # a new list item is a new block
        "Do not push to main\n\nRun ",  # a blank line ends the paragraph
    ],
)
def test_a_new_sentence_or_block_after_a_break_is_still_an_instruction(
    tmp_path: Path, before: str
) -> None:
    text = f"# Guide\n\n{before}`codex exec --yolo - < /tmp/p.txt` for large tasks.\n"
    found = lint(tmp_path, "AGENTS.md", text)
    assert [rule for rule, _line in found] == ["CG303"]
    assert found[0][1] == text.count("\n")


PY_CODEX_HELPER = """\
import os
import subprocess


def run_codex(*args, prompt, **kw):
    return subprocess.run(["codex", "exec", "-C", REPO, *args, "-"], input=prompt, **kw)


run_codex("-s", "workspace-write", "-o", "out/a.txt", prompt="Implement A")
run_codex("-s", "danger-full-access", "-o", "out/b.txt", prompt="Implement B")
run_codex("-s", "read-only", prompt="review", env={**os.environ, "OPENAI_API_KEY": "k"})
"""


def test_a_codex_helper_spreading_its_callers_flags_is_read_at_each_call(tmp_path: Path) -> None:
    """The program is written in the helper, its flags and env by the callers: read alone, the
    spawn was `codex exec -C "$ARG" "$@" -` (a false CG301 in the helper) and the callers'
    full-access sandbox and key were never seen."""
    assert lint(tmp_path, "fleet.py", PY_CODEX_HELPER) == [("CG101", 11), ("CG303", 10)]


def test_a_codex_helper_with_no_callers_is_read_on_its_own(tmp_path: Path) -> None:
    library = PY_CODEX_HELPER.split("\n\n\nrun_codex(")[0] + "\n"
    assert lint(tmp_path, "lib.py", library) == [("CG301", 6)]
