"""Text written now and run later (issue 8, item 6): a here-doc written to a file that the same
script runs (`nohup bash runner.sh &`, `./runner.sh`, `source runner.sh`), or a file named `*.sh`,
is linted as the script it becomes, at its own lines and columns in the original file.

The dispatch scripts are run under real bash with a recording stand-in codex: what the linter says
runs is what ran; what it calls text (a prompt file that mentions codex) never reached codex argv.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from guard.shell import parse_script
from guard.shell.written import script_run, written_files
from tests.commandlines import codex_line

FAKE_CODEX = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_CODEX_LOG"
"""


def lint(path: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", *extra, str(path)],
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


def hits(doc: dict[str, Any]) -> set[tuple[str, int, int]]:
    return {(f["rule"], f["line"], f["column"]) for f in doc["findings"]}


def where(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the n-th `needle` in `text`."""
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def run_for_real(script: Path) -> list[str]:
    """Run the script under bash with the stand-in codex first on PATH; its logged argvs."""
    folder = script.parent / "fakebin"
    folder.mkdir(exist_ok=True)
    fake = folder / "codex"
    fake.write_text(FAKE_CODEX)
    fake.chmod(0o755)
    log = script.parent / "codex.log"
    env = {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}", "FAKE_CODEX_LOG": str(log)}
    subprocess.run(
        ["bash", str(script)], cwd=script.parent, env=env, stdin=subprocess.DEVNULL, timeout=60
    )
    for _ in range(100):  # `nohup ... &` may still be starting
        if log.exists():
            break
        time.sleep(0.05)
    return log.read_text().splitlines() if log.exists() else []


DISPATCH = """\
#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"
cat > prompt.md <<'EOF'
Fix the failing test. Do not run codex exec --yolo yourself.
EOF
cat > runner.sh <<'EOF'
#!/usr/bin/env bash
codex exec --yolo -C . - < prompt.md > result.txt
EOF
chmod +x runner.sh
nohup bash runner.sh >/dev/null 2>&1 &
wait
"""


def test_a_runner_written_then_run_detached_is_linted_where_it_is_written(
    tmp_path: Path,
) -> None:
    script = tmp_path / "dispatch.sh"
    script.write_text(DISPATCH)
    calls = run_for_real(script)
    assert calls == ["exec --yolo -C . -"]  # the bypass flag really reaches codex
    line, column = where(DISPATCH, "--yolo", 2)  # the runner's, not the prompt's
    assert ("CG303", line, column) in hits(lint(script))
    # The prompt file's text mentions --yolo: text, never a command (line 5 is silent).
    assert all(f["line"] != 5 for f in lint(script)["findings"])


@pytest.mark.parametrize(
    ("write", "run"),
    [
        ("cat > runner.sh <<'EOF'", "bash runner.sh </dev/null"),
        ("cat <<'EOF' > ./runner.sh", "sh ./runner.sh </dev/null"),
        ("tee runner.sh >/dev/null <<'EOF'", "chmod +x runner.sh\n./runner.sh </dev/null"),
        ("cat > runner.sh <<EOF", "source runner.sh </dev/null"),
        ("cat > runner.sh <<\\EOF", ". ./runner.sh </dev/null"),
        ("cat >runner.sh <<-'EOF'", "timeout 600 bash -x runner.sh </dev/null"),
        ('cat > runner.sh <<"EOF"', "setsid bash -o pipefail runner.sh </dev/null &"),
    ],
)
def test_every_way_to_write_and_run_a_runner(tmp_path: Path, write: str, run: str) -> None:
    text = (
        "#!/bin/bash\n"
        f"{write}\n"
        "\tcodex exec -s danger-full-access -C . - < prompt.md\n"
        "EOF\n"
        f"{run}\n"
        "wait\n"
    )
    (tmp_path / "prompt.md").write_text("do it\n")
    script = tmp_path / "dispatch.sh"
    script.write_text(text)
    assert run_for_real(script) == ["exec -s danger-full-access -C . -"]
    line, column = where(text, "danger-full-access")
    assert ("CG303", line, column) in hits(lint(script))


def test_a_written_file_that_is_not_a_script_is_text(tmp_path: Path) -> None:
    text = (
        "#!/bin/bash\n"
        "cat > notes.txt <<'EOF'\n"
        "codex exec --yolo is what we used to run; now read-only.\n"
        "EOF\n"
        "cat > task.prompt <<'EOF'\n"
        "Check that nobody runs codex exec --dangerously-bypass-approvals-and-sandbox.\n"
        "EOF\n"
        "codex exec -s read-only -C . - < task.prompt\n"
    )
    script = tmp_path / "dispatch.sh"
    script.write_text(text)
    assert run_for_real(script) == ["exec -s read-only -C . -"]
    assert {f["rule"] for f in lint(script)["findings"]} <= {"CG104"}


def test_a_sh_file_written_and_never_run_here_is_still_a_script(tmp_path: Path) -> None:
    text = (
        "#!/bin/bash\n"
        "mkdir -p jobs\n"
        "cat > jobs/worker.sh <<'EOF'\n"
        "#!/bin/bash\n"
        'OPENAI_API_KEY="$KEY" codex exec -s workspace-write -C . - < task.md\n'
        "EOF\n"
        "echo 'queued jobs/worker.sh'\n"
    )
    script = tmp_path / "queue.sh"
    script.write_text(text)
    line, column = where(text, "OPENAI_API_KEY")
    assert ("CG101", line, column) in hits(lint(script))


def test_a_runner_named_by_a_variable(tmp_path: Path) -> None:
    text = (
        "#!/bin/bash\n"
        "f=$(mktemp)\n"
        "cat > \"$f\" <<'EOF'\n"
        "codex exec --yolo -C . - < p.md\n"
        "EOF\n"
        'bash "$f" </dev/null\n'
        "D=$PWD/jobs\n"
        'mkdir -p "$D"\n'
        "cat > \"$D/w.sh\" <<'EOF'\n"
        "codex exec -s danger-full-access -C . - < p.md\n"
        "EOF\n"
        'chmod +x "$D/w.sh"\n'
        '"$D/w.sh" </dev/null\n'
    )
    (tmp_path / "p.md").write_text("do it\n")
    script = tmp_path / "named.sh"
    script.write_text(text)
    assert run_for_real(script) == ["exec --yolo -C . -", "exec -s danger-full-access -C . -"]
    doc = lint(script, "--strict")
    assert {("CG303", *where(text, "--yolo")), ("CG303", *where(text, "danger"))} <= hits(doc)
    # The runner's command word is a variable, but the file it names was read: no CG902.
    assert "CG902" not in {f["rule"] for f in doc["findings"]}


def test_a_runner_run_twice_is_reported_once(tmp_path: Path) -> None:
    text = (
        "#!/bin/bash\n"
        "cat > run.sh <<'EOF'\n"
        "codex exec --yolo -C . - < p.md\n"
        "EOF\n"
        "bash run.sh </dev/null\n"
        "bash run.sh </dev/null\n"
    )
    script = tmp_path / "twice.sh"
    script.write_text(text)
    findings = [f for f in lint(script)["findings"] if f["rule"] == "CG303"]
    assert [(f["line"], f["column"]) for f in findings] == [where(text, "--yolo")]


def test_an_unquoted_body_expands_its_variables_into_unknown_words(tmp_path: Path) -> None:
    # The writer expands $RUNNER when it writes the file: the runner's command word is unknown
    # (CG902 in strict mode), never guessed to be codex; literal flags are still read.
    text = (
        "#!/bin/bash\n"
        "RUNNER=codex\n"
        "cat > run.sh <<EOF\n"
        "$RUNNER exec --yolo -C . - < p.md\n"
        'codex exec -s "$MODE" -C . - < p.md\n'
        "EOF\n"
        "bash run.sh </dev/null\n"
    )
    script = tmp_path / "expand.sh"
    script.write_text(text)
    doc = lint(script, "--strict")
    assert ("CG902", 4) in {(f["rule"], f["line"]) for f in doc["findings"]}
    assert all(f["line"] != 5 or f["rule"] != "CG303" for f in doc["findings"])


def test_the_runners_stdin_is_the_one_it_was_started_with(tmp_path: Path) -> None:
    # Foreground, inherited stdin: the positional prompt hangs on an idle pipe (CG201)...
    body = "codex exec -s read-only -C . 'review the diff'\n"
    fg = tmp_path / "fg.sh"
    fg.write_text(f"#!/bin/bash\ncat > r.sh <<'EOF'\n{body}EOF\nbash r.sh\n")
    assert "CG201" in {f["rule"] for f in lint(fg)["findings"]}
    # ...started with </dev/null it cannot.
    closed = tmp_path / "closed.sh"
    closed.write_text(f"#!/bin/bash\ncat > r.sh <<'EOF'\n{body}EOF\nbash r.sh </dev/null\n")
    assert "CG201" not in {f["rule"] for f in lint(closed)["findings"]}


def test_a_runner_in_an_agent_markdown_fence(tmp_path: Path) -> None:
    text = (
        "# Dispatch\n"
        "\n"
        "```bash\n"
        "cat > /tmp/runner.sh <<'EOF'\n"
        "codex exec --yolo -C . - < /tmp/p.md\n"
        "EOF\n"
        "nohup bash /tmp/runner.sh &\n"
        "```\n"
    )
    doc = tmp_path / "AGENTS.md"
    doc.write_text(text)
    assert ("CG303", *where(text, "--yolo")) in hits(lint(doc))


@pytest.mark.parametrize(
    ("argv", "stdout", "files"),
    [
        (["cat"], "r.sh", ("r.sh",)),
        (["cat", "-"], "r.sh", ("r.sh",)),
        (["cat", "other.sh"], "r.sh", ()),
        (["tee", "-a", "a.sh", "b.sh"], None, ("a.sh", "b.sh")),
        (["cat"], None, ()),
        (["grep", "x"], "r.sh", ()),
    ],
)
def test_written_files(argv: list[str], stdout: str | None, files: tuple[str, ...]) -> None:
    assert written_files(argv, stdout) == files


@pytest.mark.parametrize(
    ("argv", "path"),
    [
        (["bash", "r.sh"], "r.sh"),
        (["bash", "-x", "-e", "r.sh"], "r.sh"),
        (["bash", "-o", "pipefail", "r.sh"], "r.sh"),
        (["bash", "--", "r.sh"], "r.sh"),
        (["bash", "-c", "r.sh"], None),
        (["sh", "-s"], None),
        (["bash"], None),
        (["./r.sh"], "./r.sh"),
        (["source", "r.sh"], "r.sh"),
        ([".", "r.sh"], "r.sh"),
        (["cat", "r.sh"], None),
    ],
)
def test_script_run(argv: list[str], path: str | None) -> None:
    run = script_run(argv)
    assert (run.path if run else None) == path


def test_the_model_shows_the_runner_as_a_wrapper() -> None:
    text = "cat > r.sh <<'EOF'\ncodex exec -s read-only -\nEOF\nnohup bash r.sh &\n"
    codex = [c for c in parse_script(text).commands if c.program == "codex"]
    assert len(codex) == 1
    assert codex[0].span.line == 2
    assert [w.name for w in codex[0].wrappers][-1] == "script file"
    assert codex[0].context.background


def test_the_agent_hook_door_reads_the_runner_too() -> None:
    command = (
        "cat > /tmp/runner.sh <<'EOF'\n"
        "codex exec --yolo -C . - < /tmp/p.md\n"
        "EOF\n"
        "nohup bash /tmp/runner.sh >/dev/null 2>&1 &"
    )
    done = subprocess.run(
        ["codex-guard", "check", command], capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode != 0
    assert "CG303" in done.stdout + done.stderr
    safe = command.replace("--yolo", "-s workspace-write")
    done = subprocess.run(
        ["codex-guard", "check", safe], capture_output=True, text=True, timeout=120
    )
    assert "CG303" not in done.stdout + done.stderr


# --- property: a runner's findings are its body's findings, at the body's place -----------------

_PLACE_RULES = frozenset({"CG101", "CG102", "CG303", "CG306", "CG903"})  # not stdin-context ones


def _placed(text: str, tmp: Path) -> set[tuple[str, int, int]]:
    from guard.commands.lint import FileJob, _rule_text, lint_file
    from guard.engine import load_rules
    from guard.settings import Settings

    path = tmp / "s.sh"
    path.write_text(text)
    job = FileJob(str(path), True, Settings(), _rule_text(load_rules()), content=text.encode())
    outcome = lint_file(job)
    return {
        (f.rule, f.location.line, f.location.column)
        for f in outcome.findings
        if f.rule in _PLACE_RULES and f.location.line == 2
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(line=codex_line(), indent=st.sampled_from(["", "  ", "\t"]))
def test_a_runner_is_linted_as_its_body_would_be(tmp_path: Path, line: str, indent: str) -> None:
    assume("EOF" not in line)
    line = indent + line
    runner = f"cat > r.sh <<'EOF'\n{line}\nEOF\nbash r.sh </dev/null\n"
    grouped = f"{{\n{line}\n}} </dev/null\n"
    assert _placed(runner, tmp_path) == _placed(grouped, tmp_path)
