"""The grammar table against the real codex: what it rejects exits 2, what it accepts exits 0.

Runs `codex [SUB...] FLAG [VALUE] --help` for every flag of every modelled command (clap parses the
whole argv before `--help` prints, so a rejected flag or value exits 2 first; FACTS.md "Hidden and
removed flags"). Needs the binary the lead's CI installs with
`npm install --prefix .codex-cli @openai/codex@0.169.0` (or $CODEX_GUARD_REAL_CODEX); skipped when
it is absent. No network is needed for `--help`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from guard.codex.grammar import (
    CommandSpec,
    FlagSpec,
    any_flag_spec,
    grammar_for,
    supported_versions,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _binary() -> Path | None:
    override = os.environ.get("CODEX_GUARD_REAL_CODEX")
    candidate = Path(override) if override else REPO_ROOT / ".codex-cli/node_modules/.bin/codex"
    return candidate if candidate.is_file() else None


def _run(binary: Path, home: str, argv: list[str]) -> int:
    env = {**os.environ, "CODEX_HOME": home}
    for key in ("OPENAI_API_KEY", "CODEX_API_KEY"):
        env.pop(key, None)
    proc = subprocess.run(
        [str(binary), *argv], env=env, stdin=subprocess.DEVNULL, capture_output=True,
        timeout=60, check=False,
    )  # fmt: skip
    return proc.returncode


def _args(spec: FlagSpec | None, name: str) -> list[str]:
    if spec is None or not spec.takes_value:
        return [name]
    return [name, spec.choices[0] if spec.choices else "x"]


def _cases(version: str) -> Iterator[tuple[list[str], int]]:
    grammar = grammar_for(version)
    top = grammar.command("")
    assert top is not None
    every_name = {n for cmd in grammar.commands.values() for s in cmd.flags for n in s.names()}
    every_name |= {n for cmd in grammar.commands.values() for r in cmd.rejected for n in r.names}
    every_name.add("--full-auto")
    for path, command in grammar.commands.items():
        prefix = path.split() + (["SID"] if path == "exec fork" else [])
        for name in sorted(every_name):
            if name in ("-h", "--help"):
                continue
            yield from _case(command, prefix, name)


def _case(command: CommandSpec, prefix: list[str], name: str) -> Iterator[tuple[list[str], int]]:
    spec = command.flag(name)
    if spec is not None:
        yield [*prefix, *_args(spec, name), "--help"], 0
        for value in spec.choices:
            yield [*prefix, name, value, "--help"], 0
        if spec.choices:
            yield [*prefix, name, "not-a-valid-value", "--help"], 2
        return
    yield [*prefix, *_args(any_flag_spec(name), name), "--help"], 2


@pytest.fixture(scope="module")
def binary() -> Path:
    found = _binary()
    if found is None:
        pytest.skip("real codex not installed (.codex-cli/node_modules/.bin/codex)")
    return found


def test_real_cli_agrees_with_table(binary: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             env={**os.environ, "CODEX_HOME": home}, check=False)  # fmt: skip
        version = out.stdout.strip().rsplit(" ", 1)[-1]
        if version not in supported_versions():
            pytest.skip(f"installed codex is {version!r}, no table for it")
        cases = list(_cases(version))
        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = list(pool.map(lambda c: _run(binary, home, c[0]), cases))
    wrong = [
        f"codex {' '.join(argv)}: exit {code}, table says {want}"
        for (argv, want), code in zip(cases, codes, strict=True)
        if code != want
    ]
    assert not wrong, "\n".join(wrong)
