"""`lint`, `check` and both agent hooks give the same answer on every single command line.

Lint reads the line from an agent-instruction file (a fenced block in AGENTS.md is run as an agent's
Bash tool runs it: RunContext.AGENT, the hook's own context). A door's answer is the set of rule ids
it refuses on: lint's error-level findings plus a parse error (CG901), which the hook and `check`
refuse on whatever its severity; the hooks' ids are read from their deny reason.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from guard.commands import app
from guard.runtime.hook import run_hook
from tests.commandlines import command_lines

PARSE_ERROR = "CG901"
REASON_IDS = re.compile(r"(?:refused this command\. | \| )(CG\d{3}) ")


@contextlib.contextmanager
def agent_workspace() -> Iterator[Path]:
    """A folder with no config above it, the process inside it, no forbidden key in the env."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clean = {
            k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")
        }
        clean["XDG_CACHE_HOME"] = str(folder / "cache")
        old = os.getcwd()
        with mock.patch.dict(os.environ, clean, clear=True):
            os.chdir(folder)
            try:
                yield folder
            finally:
                os.chdir(old)


def lint_ids(line: str, folder: Path) -> set[str]:
    doc = folder / "AGENTS.md"
    doc.write_text(f"# Agent\n\nRun this:\n\n```bash\n{line}\n```\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", "--format", "json", "-j", "1", str(doc)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    findings = json.loads(result.stdout)["findings"]
    return {f["rule"] for f in findings if f["severity"] == "error" or f["rule"] == PARSE_ERROR}


def check_ids(line: str) -> tuple[bool, set[str]]:
    result = CliRunner().invoke(app, ["check", "--format", "json", line])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    denied = {
        f["rule"] for f in doc["findings"] if f["severity"] == "error" or f["rule"] == PARSE_ERROR
    }
    assert doc["allowed"] is (result.exit_code == 0) is (not denied), doc
    return doc["allowed"], denied


def hook_ids(agent: str, line: str, folder: Path) -> tuple[bool, set[str]]:
    payload = json.dumps({"cwd": str(folder), "tool_input": {"command": line}})
    out, err = io.StringIO(), io.StringIO()
    code = run_hook(agent, io.StringIO(payload), out, err)
    if not out.getvalue():
        assert code == 0 and "Traceback" not in err.getvalue()
        return True, set()
    reason = json.loads(out.getvalue())["hookSpecificOutput"]["permissionDecisionReason"]
    assert code == (2 if agent == "codex" else 0)
    return False, set(REASON_IDS.findall(reason))


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(command_lines())
def test_lint_check_and_hooks_agree_on_every_line(line: str) -> None:
    with agent_workspace() as folder:
        linted = lint_ids(line, folder)
        allowed, checked = check_ids(line)
        assert checked == linted, line
        assert allowed is (not linted)
        for agent in ("claude", "codex"):
            hook_allowed, hooked = hook_ids(agent, line, folder)
            assert (hook_allowed, hooked) == (allowed, checked), (agent, line)
