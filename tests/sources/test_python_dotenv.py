"""python-dotenv's `load_dotenv()` loads an env file into the process: CG103, as `set -a; . .env`
is in a shell script.

Orchestrators commonly start with `load_dotenv()`, and `.env` is where an `OPENAI_API_KEY`
usually sits: every spawn after it inherits the key. The Python reader did not know the call, so
a codex spawn after it was clean. A call at module level (or under `if __name__ ==
"__main__":`), or in the spawn's function above it, now loads the file before the spawn: a
warning, and an error when the file is in the repo and sets a forbidden key.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings

RULE_TEXT = _rule_text(load_rules())


def found(folder: Path, body: str) -> list[tuple[str, str, int, int]]:
    path = folder / "orchestrate.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted(
        (f.rule, f.severity.value, f.location.line, f.location.column) for f in outcome.findings
    )


SPAWN = (
    'subprocess.run(["codex", "exec", "-C", ".", "-s", "read-only", "-o", "o.txt", "-"], input="x")'
)


def test_a_module_level_load_dotenv_reaches_the_spawn(tmp_path: Path) -> None:
    body = f"""\
    import subprocess
    from dotenv import load_dotenv

    load_dotenv()
    {SPAWN}
    """
    assert found(tmp_path, body) == [("CG103", "warning", 5, 1)]
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-test\n")
    assert found(tmp_path, body) == [("CG103", "error", 5, 1)]


def test_a_load_in_main_or_above_the_spawn_counts_and_elsewhere_not(tmp_path: Path) -> None:
    body = f"""\
    import subprocess
    import dotenv


    def unrelated():
        dotenv.load_dotenv("other.env")


    def run():
        {SPAWN}


    def run_loaded():
        dotenv.load_dotenv(dotenv_path="ci.env")
        {SPAWN}


    if __name__ == "__main__":
        run()
    """
    assert found(tmp_path, body) == [("CG103", "warning", 15, 5)]
    main = body.replace("    run()\n", "    dotenv.load_dotenv()\n    run()\n")
    assert found(tmp_path, main) == [("CG103", "warning", 10, 5), ("CG103", "warning", 15, 5)]


def test_no_load_no_finding(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-test\n")
    body = f"""\
    import subprocess
    from dotenv import dotenv_values

    config = dotenv_values(".env")
    {SPAWN}
    """
    assert found(tmp_path, body) == []


def test_a_module_level_spawn_before_the_load_gets_nothing(tmp_path: Path) -> None:
    body = f"""\
    import subprocess
    from dotenv import load_dotenv

    {SPAWN}
    load_dotenv()
    """
    assert found(tmp_path, body) == []
