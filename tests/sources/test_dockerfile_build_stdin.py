"""A Dockerfile `RUN` has no stdin: `docker build` gives it /dev/null.

`RUN codex exec -C /w -s read-only -o r.md "Review the code"` was CG201 (a positional prompt
with an inherited stdin that may be an idle pipe), but a build step's stdin is /dev/null (docker,
BuildKit, and podman/buildah since buildah#2708): codex reads EOF and runs. A `CMD` is another
matter: `docker run -i` hands the container a stdin that may never end, so it keeps its warning.
`-` with nothing fed is still CG202, and a loop reading a file still loses its input (CG204).
"""

from __future__ import annotations

from pathlib import Path

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())

DOCKERFILE = """\
FROM node:22
RUN npm i -g @openai/codex
RUN codex exec -C /w -s read-only -o /w/r.md "Review the code"
RUN codex exec -C /w -s read-only -o /w/r.md -
RUN while read t; do codex exec -C /w -s read-only -o /w/o.md "$t"; done < tasks.txt
CMD codex exec -C /w -s read-only -o /w/r.md "Review the code"
"""


def test_a_build_step_has_no_stdin_a_container_may(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE, encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors
    assert sorted((f.rule, f.location.line) for f in outcome.findings) == [
        ("CG201", 6),
        ("CG202", 4),
        ("CG204", 5),
    ]
