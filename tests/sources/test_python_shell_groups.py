"""A Python shell string's env and stdin are the whole shell's (`shell=True`, `os.system`).

The Python reader wrote a spawn's env as prefix assignments and its stdin as a redirect at the
end of the shell text, and joined the text's lines with spaces. That is right for one simple
command, and wrong for anything more:
- `subprocess.run("cd /srv && codex exec ...", shell=True, env={..., "OPENAI_API_KEY": k})`
  gave the key to `cd` only: a missed CG101;
- a script in a string (`SCRIPT = \"\"\"set -e\\ncd app\\ncodex exec --yolo ...\"\"\"`) became one
  line, `set -e cd app codex exec --yolo ...`, with codex an argument of `set`: a missed CG303;
- `stdin=DEVNULL` on `codex exec - < prompt.md` came after the text's own redirect and won over
  it (a false CG202), and on `codex exec "p"; echo done` went to `echo` (a false CG201).
Such a text is now written as a group the env and stdin apply to as a whole, its lines kept,
each placed on the spawn's line. A simple command keeps its one-line form, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.findings import Finding
from guard.settings import Settings
from guard.sources.python import extract

RULE_TEXT = _rule_text(load_rules())
BASH = shutil.which("bash")


def lint_body(tmp_path: Path, body: str) -> list[Finding]:
    path = tmp_path / "dispatch.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted(outcome.findings, key=lambda f: (f.location.line, f.rule))


def found(findings: list[Finding]) -> list[tuple[str, int, int]]:
    return [(f.rule, f.location.line, f.location.column) for f in findings]


def test_a_key_in_env_reaches_codex_after_cd(tmp_path: Path) -> None:
    body = """\
    import os, subprocess
    subprocess.run("cd /srv/app && codex exec -C . -s read-only -o r.md - < p.md", shell=True,
        env={**os.environ, "OPENAI_API_KEY": key})
    """
    findings = lint_body(tmp_path, body)
    assert found(findings) == [("CG101", 2, 16)]
    (cg101,) = findings
    assert ("`OPENAI_API_KEY` is written here", 3, 24) in [
        (r.note, r.line, r.column) for r in cg101.related
    ]


def test_a_script_in_a_string_keeps_its_lines(tmp_path: Path) -> None:
    body = '''\
    import subprocess
    SCRIPT = """
    set -euo pipefail
    cd /srv/app
    codex exec --yolo -C . -o o.txt "fix the tests"
    """
    subprocess.run(SCRIPT, shell=True, check=True)
    '''
    # every finding is placed on the spawn's line
    assert sorted(found(lint_body(tmp_path, body))) == [("CG201", 7, 1), ("CG303", 7, 12)]


def test_the_spawns_stdin_does_not_override_the_texts_own(tmp_path: Path) -> None:
    body = """\
    import subprocess
    subprocess.run("codex exec -C . -s read-only -o o.txt - < prompt.md", shell=True,
                   stdin=subprocess.DEVNULL)
    subprocess.run("codex exec -C . -s read-only -o o.txt 'hi'; echo done", shell=True,
                   stdin=subprocess.DEVNULL)
    subprocess.run("codex exec -C . -s read-only -o o.txt 'hi'; echo done", shell=True)
    """
    assert found(lint_body(tmp_path, body)) == [("CG201", 6, 1)]


def test_a_simple_command_keeps_its_one_line_form() -> None:
    body = (
        "import os, subprocess\n"
        'subprocess.run("codex exec -C . - < p.md", shell=True, env={"OPENAI_API_KEY": k})\n'
        "subprocess.run(\"codex exec -C . 'p'\", shell=True, stdin=subprocess.DEVNULL)\n"
    )
    texts = [s.text for s in extract(body, "a.py")]
    assert texts == [
        'env -i OPENAI_API_KEY="$VALUE" codex exec -C . - < p.md\n',
        "codex exec -C . 'p' </dev/null\n",
    ]
    assert all(not s.line_map for s in extract(body, "a.py"))


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_the_shell_gives_env_and_stdin_to_all_of_its_text(tmp_path: Path) -> None:
    """What the group models, run for real: the key reaches the command after `cd &&`, and a
    redirect of the text's own wins over the stdin the spawn gives."""
    (tmp_path / "p.md").write_text("from the file\n")
    code = (
        "import os, subprocess, sys\n"
        "subprocess.run('cd . && printenv OPENAI_API_KEY; cat < p.md', shell=True,\n"
        "               env={**os.environ, 'OPENAI_API_KEY': 'k1'}, stdin=subprocess.DEVNULL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"},
    )  # fmt: skip
    assert done.stdout == "k1\nfrom the file\n"
