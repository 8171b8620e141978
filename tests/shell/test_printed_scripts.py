"""A script printed into a file and run later: `echo '...' > run.sh; bash run.sh`,
`printf '%s\\n' '...' > y; . ./y`, `echo '...' | tee y; . ./y`, and text added with `>>` or
`tee -a`. As for the here-doc form (test_written_scripts.py), the file's text is linted as the
script it becomes, at its own place in the linted file.

Each form is run under real bash with a recording stand-in codex first; then `codex-guard check`
must refuse it. Printed text that is never run as a script, or whose codex run is clean, stays
allowed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shell.test_known_values import YOLO, check, lint_rules, run_under_bash

RUN = "codex exec --yolo -C . p </dev/null"

PRINTED_RUNNERS = [
    f"echo '{RUN}' > x.sh; bash x.sh",
    f"echo '{RUN}' > x.sh && chmod +x x.sh && ./x.sh",
    f"echo -n '{RUN}' > x; sh x",
    f"printf '%s\\n' '{RUN}' > y; . ./y",
    f"printf '%s\\n' 'set -e' '{RUN}' > y; source y",
    f"printf '{RUN}\\n' > y; bash y",
    f"echo '{RUN}' | tee y >/dev/null; . ./y",
    f"echo '{RUN}' | cat > y; bash y",
    f"echo 'set -e' > r.sh; echo '{RUN}' >> r.sh; bash r.sh",
    f"echo 'set -e' > r.sh; echo '{RUN}' | tee -a r.sh; bash r.sh",
]
# A *.sh written and never run here is still a script (someone runs it).
UNRUN = [f"echo '{RUN}' > x.sh", f"printf '%s\\n' '{RUN}' >> x.sh"]

# Printed text that is not run, is not codex, or runs a clean codex.
LOOKALIKES = [
    f"echo '{RUN}' > notes.txt; cat notes.txt",
    f"echo '{RUN}' > y; echo 'echo hi' > y; bash y",  # the later write replaces the text
    "echo 'codex exec -s read-only -C . p </dev/null' > x.sh; bash x.sh",
    f"printf '%d\\n' '{RUN}' > y; bash y",  # a format the linter does not model: not guessed
    f"echo '{RUN}' | tee y >/dev/null; cat y",
]


@pytest.mark.parametrize("command", PRINTED_RUNNERS)
def test_a_printed_runner_is_run_by_bash_and_refused_by_check(command: str, tmp_path: Path) -> None:
    assert run_under_bash(command, tmp_path) == [YOLO]
    assert_refused(command, tmp_path)


@pytest.mark.parametrize("command", UNRUN)
def test_a_printed_sh_file_is_a_script(command: str, tmp_path: Path) -> None:
    assert_refused(command, tmp_path)


def assert_refused(command: str, tmp_path: Path) -> None:
    done = check(command, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CG303" in done.stdout and done.stdout.strip().endswith("refused"), done.stdout
    assert "CG303" in lint_rules(command)


@pytest.mark.parametrize("command", LOOKALIKES)
def test_printed_lookalikes_stay_allowed(command: str, tmp_path: Path) -> None:
    for line in run_under_bash(command, tmp_path):
        assert "--yolo" not in line, line
    done = check(command, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CG303" not in lint_rules(command)


def test_each_printed_piece_is_reported_where_it_is_written(tmp_path: Path) -> None:
    script = tmp_path / "dispatch.sh"
    script.write_text(
        "#!/bin/bash\n"
        "echo 'set -e' > run.sh\n"
        f"  echo '{RUN}' >> run.sh\n"
        "printf '%s\\n' 'codex exec -s danger-full-access -C . q </dev/null' | tee -a run.sh\n"
        "bash run.sh\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "guard", "lint", "--no-cache", "--format", "json", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = {(f["rule"], f["line"], f["column"]) for f in json.loads(done.stdout)["findings"]}
    assert found == {("CG303", 3, 20), ("CG303", 4, 30)}, found
