"""Redirects at the end of an `&&`/`||` list belong to its last command, as bash has it:
tree-sitter-bash hangs them on the whole list (`mkdir -p d && echo x > d/f`). Read as the list's,
they made `mkdir` a writer of Codex's config with unknown text (a false CG902), and gave the
`</dev/null` after `&& echo done` to the codex run before it (a missed CG201). Each case is a
script linted through the real console script, and checked under bash where that matters."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

BASH = shutil.which("bash")


def lint(folder: Path, script: str) -> list[tuple[str, int]]:
    path = folder / "setup.sh"
    path.write_text("#!/bin/bash\n" + script, encoding="utf-8")
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=120, cwd=folder, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return sorted((f["rule"], f["line"]) for f in json.loads(done.stdout)["findings"])


WRITE_LOGIN = (
    "mkdir -p ~/.codex && echo 'forced_login_method = \"chatgpt\"' > ~/.codex/config.toml\n"
)


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_the_redirect_after_and_is_the_last_commands_own(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run([str(BASH), "-c", WRITE_LOGIN], env={"HOME": str(home)}, check=True)
    assert (home / ".codex" / "config.toml").read_text() == 'forced_login_method = "chatgpt"\n'


@pytest.mark.parametrize("sep", [" && ", " ; ", " || "])
def test_a_literal_config_written_after_a_list_is_read(tmp_path: Path, sep: str) -> None:
    assert lint(tmp_path, WRITE_LOGIN.replace(" && ", sep)) == []


def test_what_the_written_config_says_is_still_checked(tmp_path: Path) -> None:
    script = (
        "mkdir -p ~/.codex && echo 'sandbox_mode = \"danger-full-access\"' > ~/.codex/config.toml\n"
        'codex exec -C . "x" </dev/null\n'
    )
    assert lint(tmp_path, script) == [("CG303", 3)]
    unknown = 'mkdir -p ~/.codex && echo "$CFG" > ~/.codex/config.toml\n'
    assert lint(tmp_path, unknown) == [("CG902", 2)]


def test_stdin_after_the_list_is_not_the_first_commands(tmp_path: Path) -> None:
    script = 'codex exec -C . -s read-only "check it" && echo done </dev/null\n'
    assert lint(tmp_path, script) == [("CG201", 2)]
