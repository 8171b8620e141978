"""The npm packages that set env for the command they run, as package.json scripts use them:
`cross-env K=V cmd` (and `cross-env-shell`), dotenv-cli's `dotenv [-e FILE] [-v K=V] -- cmd` and
`env-cmd [-f FILE] cmd`. cross-env sets what it is given, as `env K=V` does (CG101 sees the key);
dotenv and env-cmd load a file (`.env` by default), as `env $(cat .env)` does (CG103)."""

from __future__ import annotations

import pytest

from guard.shell import parse_script
from guard.shell.model import Command


def codex_call(text: str) -> Command:
    found = [c for c in parse_script(text).commands if c.argv and c.argv[0].text == "codex"]
    assert len(found) == 1, text
    return found[0]


@pytest.mark.parametrize(
    "text",
    [
        "cross-env OPENAI_API_KEY=$KEY codex exec -s read-only p",
        "cross-env NODE_ENV=ci OPENAI_API_KEY= codex exec -s read-only p",
        "npx cross-env OPENAI_API_KEY=x codex exec -s read-only p",
        "npx -y cross-env@7 OPENAI_API_KEY=x codex exec -s read-only p",
        "dotenv -v OPENAI_API_KEY=x -- codex exec -s read-only p",
        "cross-env OPENAI_API_KEY=x cross-env-shell 'codex exec -s read-only p'",
    ],
)
def test_cross_env_sets_the_key_for_the_command(text: str) -> None:
    assert codex_call(text).env_var("OPENAI_API_KEY") is not None


@pytest.mark.parametrize(
    ("text", "files"),
    [
        ("dotenv -- codex exec -s read-only p", [".env"]),
        ("dotenv -e .env.ci -e .env.local -- codex exec p", [".env.ci", ".env.local"]),
        ("env-cmd codex exec -s read-only p", [".env"]),
        ("env-cmd -f ./ci.env codex exec -s read-only p", ["./ci.env"]),
        ("env-cmd --file=ci.env -- codex exec -s read-only p", ["ci.env"]),
        ("env-cmd -e ci codex exec p", [".env-cmdrc"]),
        ("npx dotenv-cli -e .env.ci -- codex exec p", [".env.ci"]),
        ("env-cmd --use-shell 'codex exec -s read-only p'", [".env"]),
    ],
)
def test_dotenv_and_env_cmd_load_an_env_file(text: str, files: list[str]) -> None:
    assert [f.path for f in codex_call(text).env_files] == files


def test_what_runs_no_command_or_sets_no_key_is_not_a_codex_env() -> None:
    cmd = codex_call("cross-env NODE_ENV=ci codex exec p")
    assert cmd.env_var("OPENAI_API_KEY") is None
    assert [w.name for w in cmd.wrappers] == ["cross-env"]  # known, not an unknown wrapper
    # dotenv -p prints a variable; a string that is all `K=V` is one more setting (cross-env's
    # parseCommand): neither runs codex
    assert not [c for c in parse_script("dotenv -p OPENAI_API_KEY").commands if c.env_files]
    text = "cross-env-shell 'OPENAI_API_KEY=x codex exec p'"
    assert [c.argv[0].text for c in parse_script(text).commands] == ["cross-env-shell"]
